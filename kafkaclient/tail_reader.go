package kafkaclient

import (
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/IBM/sarama"
)

// tailPartition is one partition's reader: where it reads, what it hands
// to the flusher, and what its fetches met. At any time either one
// fetcher or one relocation owns it, and only the owner moves Next. Each
// has its own lock, so the readers of different partitions never wait on
// each other.
type tailPartition struct {
	id       int32
	maxRecs  int
	maxBytes int

	mu sync.Mutex
	// closed is set when the tail stops: the partition is handed to no
	// fetcher any more.
	closed bool
	// fetchSize is what its next fetch asks for: fetchBytes, or more
	// while a record larger than that waits.
	fetchSize int32
	// failures counts the relocations since a fetch last answered for it.
	failures int
	// logGen counts resets: a watermark asked for before one describes a
	// log the reader's offsets no longer refer to.
	logGen int
	// marks are the high watermarks asked for in the current log that
	// the reader has not reached yet, oldest first.
	marks     []watermark
	pending   [][]Record
	pendMarks []Marks
	pendRecs  int
	pendBytes int
	progress  PartitionProgress
	received  int64
	bytes     int64
}

// watermark is a partition's high watermark as one ask found it.
type watermark struct {
	high int64
	// at is when it was asked for: the leader read it at or after at.
	at time.Time
}

// maxMarks bounds the watermarks a reader keeps: one that is further
// behind than that many asks is not live anyway, and it still reaches the
// newest ones.
const maxMarks = 8

// minPendingRecords is the fewest records a partition may hold pending,
// however many partitions share the bounds.
const minPendingRecords = 1024

// A partition whose leader cannot be read waits between attempts, from
// restartBackoffMin doubling up to restartBackoffMax: a partition that
// cannot be read costs the cluster little, and one that can comes back
// within a fraction of a second.
const (
	restartBackoffMin = 100 * time.Millisecond
	restartBackoffMax = 5 * time.Second
)

// restartDelay is the wait before the n-th consecutive attempt, n ≥ 1.
func restartDelay(n int) time.Duration {
	d := restartBackoffMin
	for i := 1; i < n && d < restartBackoffMax; i++ {
		d *= 2
	}
	return min(d, restartBackoffMax)
}

// newTailPartition is the reader of partition s.Partition from s.Start;
// mark is the high watermark s.Target as asked for at open, so a reader
// that starts at the end is live at once.
func newTailPartition(s PartitionProgress, mark watermark, maxRecs, maxBytes int) *tailPartition {
	now := time.Now()
	s.State, s.Since, s.MovedAt = ReaderRunning, now, now
	p := &tailPartition{id: s.Partition, marks: []watermark{mark}, progress: s, maxRecs: maxRecs, maxBytes: maxBytes, fetchSize: fetchBytes}
	p.checkCaughtUp()
	return p
}

// fetchable says where the partition's next fetch starts and how much it
// asks for; ok is false while the flusher has yet to take what it holds,
// or once the tail stops.
func (p *tailPartition) fetchable() (from int64, size int32, ok bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed || p.pendRecs >= p.maxRecs || p.pendBytes >= p.maxBytes {
		return 0, 0, false
	}
	return p.progress.Next, p.fetchSize, true
}

// fetched takes what one fetch from offset from answered for the
// partition: its records (possibly none), what the marker found in them,
// the offset to fetch next and the leader's high watermark. A fetch that
// answered clears the error the reader met. An answer from elsewhere than
// where the reader is (a fetch sent ahead that guessed wrong, or one sent
// before a reset) is dropped.
func (p *tailPartition) fetched(from int64, chunk []Record, marks Marks, next, high int64) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if from != p.progress.Next {
		return
	}
	p.failures = 0
	p.fetchSize = fetchBytes
	p.progress.High = max(p.progress.High, high)
	p.progress.Err = nil
	if len(chunk) > 0 {
		for i := range chunk {
			size := chunk[i].Size()
			p.pendBytes += size
			p.bytes += int64(size)
		}
		p.pending = append(p.pending, chunk)
		p.pendMarks = append(p.pendMarks, marks)
		p.pendRecs += len(chunk)
		p.received += int64(len(chunk))
		p.progress.MovedAt = time.Now()
	}
	if next > p.progress.Next {
		p.progress.Next = next
		p.checkCaughtUp()
	}
}

// grow makes the next fetch ask for twice as much, up to what a response
// may hold, when the record batch at from did not fit in the last one.
func (p *tailPartition) grow(from int64) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if from != p.progress.Next {
		return
	}
	p.failures = 0
	p.fetchSize = int32(min(2*int64(p.fetchSize), int64(sarama.MaxResponseSize)))
}

// checkCaughtUp moves CaughtUpAt to the time of the latest watermark ask
// whose answer Next has reached. The caller holds p.mu.
func (p *tailPartition) checkCaughtUp() {
	reached := 0
	for reached < len(p.marks) && p.marks[reached].high <= p.progress.Next {
		reached++
	}
	if reached == 0 {
		return
	}
	at := p.marks[reached-1].at
	p.marks = p.marks[reached:]
	if !at.After(p.progress.CaughtUpAt) {
		return
	}
	p.progress.CaughtUpAt = at
	if at.After(p.progress.MovedAt) {
		p.progress.MovedAt = at
	}
	p.progress.Err = nil
}

// observe takes the answer to a watermark ask made at at, when the
// reader's log generation was gen and its next offset next. An answer
// about an earlier log is dropped. A high watermark below next cannot
// come from the log the reader read, since it had already reached next:
// the log was truncated or replaced, and the reader is not caught up
// with it (its next fetch fails as out of range).
func (p *tailPartition) observe(gen int, next, high int64, at time.Time, err error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if gen != p.logGen {
		return
	}
	if err == nil && high < next {
		err = fmt.Errorf("the log ends at %d, before offset %d already read: truncated or recreated?", high, next)
	}
	if err != nil {
		if p.progress.State == ReaderRunning && p.progress.Err == nil {
			p.progress.Err = fmt.Errorf("asking for the high watermark: %w", err)
		}
		return
	}
	// Asks to different leaders, before and after a leader moved, may
	// be answered out of order.
	i := len(p.marks)
	for i > 0 && p.marks[i-1].at.After(at) {
		i--
	}
	p.marks = slices.Insert(p.marks, i, watermark{high: high, at: at})
	if len(p.marks) > maxMarks {
		p.marks = slices.Delete(p.marks, 0, len(p.marks)-maxMarks)
	}
	p.progress.High = max(p.progress.High, high)
	p.checkCaughtUp()
}

// failed records an error met while the reader stays running: a fetch
// failed, its leader moved. It returns how many relocations in a row
// failed so, which sets the wait before the next.
func (p *tailPartition) failed(err error) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.progress.Err = err
	p.failures++
	return p.failures
}

// waiting records that the reader cannot fetch and waits wait before
// trying state's next attempt, because of cause.
func (p *tailPartition) waiting(state ReaderState, cause error, wait time.Duration) {
	p.mu.Lock()
	defer p.mu.Unlock()
	now := time.Now()
	if p.progress.State != state {
		p.progress.Since = now
	}
	p.progress.State, p.progress.Err, p.progress.RetryAt = state, cause, time.Time{}
	if wait > 0 {
		p.progress.RetryAt = now.Add(wait)
	}
}

// started makes the reader run again from from; after a reset, end is
// the new log's end. It reports false once the tail stops.
func (p *tailPartition) started(from int64, reset bool, end watermark) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return false
	}
	now := time.Now()
	pr := &p.progress
	pr.State, pr.Since, pr.MovedAt, pr.Err, pr.RetryAt = ReaderRunning, now, now, nil, time.Time{}
	pr.Restarts++
	if reset {
		p.logGen++
		p.marks = append(p.marks[:0], end)
		pr.Start, pr.Target, pr.Next, pr.High = from, end.high, from, end.high
		pr.CaughtUpAt = time.Time{}
		p.checkCaughtUp()
	}
	return true
}

// close stops the reader: it is handed to no fetcher any more.
func (p *tailPartition) close() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.closed = true
}

// state is what the reader does and the offset it reads next.
func (p *tailPartition) state() (ReaderState, int64) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.progress.State, p.progress.Next
}

// position is the reader's log generation and next offset.
func (p *tailPartition) position() (gen int, next int64) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.logGen, p.progress.Next
}
