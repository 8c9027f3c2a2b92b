package kafkaclient

import (
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/IBM/sarama"
)

// tailPartition is one partition's reader: its current consumer, which
// the reader starts again whenever it stops, and what it hands to the
// flusher. Each has its own lock, so readers of different partitions
// never wait on each other.
type tailPartition struct {
	id       int32
	maxRecs  int
	maxBytes int

	mu      sync.Mutex
	drained sync.Cond // signalled when the flusher took the pending records, or at close
	// closed is set when the tail stops: no consumer is started any more.
	closed bool
	// pc is the running consumer; nil while the reader restarts.
	pc sarama.PartitionConsumer
	// logGen counts resets: a watermark asked for before one describes a
	// log the reader's offsets no longer refer to.
	logGen int
	// marks are the high watermarks asked for in the current log that
	// the reader has not reached yet, oldest first.
	marks     []watermark
	pending   [][]Record
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

// readChunk is how many records a reader takes off its consumer before
// it locks to hand them over.
const readChunk = 256

// A reader whose consumer cannot be started again waits between attempts,
// from restartBackoffMin doubling up to restartBackoffMax: a partition that
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

// errConsumerStopped is why a consumer that stopped without reporting an
// error stopped.
var errConsumerStopped = errors.New("the partition consumer stopped")

// errTailStopped is the answer of an attempt to start a consumer after
// the tail began to stop.
var errTailStopped = errors.New("the tail stopped")

// newTailPartition is the reader of partition s.Partition, running pc
// from s.Start; mark is the high watermark s.Target as asked for at open,
// so a reader that starts at the end is live at once.
func newTailPartition(s PartitionProgress, pc sarama.PartitionConsumer, mark watermark, maxRecs, maxBytes int) *tailPartition {
	now := time.Now()
	s.State, s.Since, s.MovedAt = ReaderRunning, now, now
	p := &tailPartition{id: s.Partition, pc: pc, marks: []watermark{mark}, progress: s, maxRecs: maxRecs, maxBytes: maxBytes}
	p.drained.L = &p.mu
	p.checkCaughtUp()
	return p
}

// follow reads one partition from pc until the tail stops, starting a new
// consumer whenever the current one stops by itself.
func (t *Tail) follow(p *tailPartition, pc sarama.PartitionConsumer) {
	failures := 0 // consecutive stops with no progress in between
	for pc != nil {
		began, before := time.Now(), p.count()
		cause := t.consume(p, pc)
		if p.isClosed() {
			return
		}
		if p.count() > before || time.Since(began) >= restartBackoffMax {
			failures = 0
		}
		pc = t.restart(p, cause, &failures)
	}
}

// consume moves pc's records to the pending list until pc stops, taking
// whatever is ready in chunks so the lock is taken once per chunk, not
// once per record. It returns why pc stopped: the last error it reported.
func (t *Tail) consume(p *tailPartition, pc sarama.PartitionConsumer) error {
	// sarama reports the error a consumer stops on before it closes the
	// channels, errors last.
	var last error
	errsDone := make(chan struct{})
	go func() {
		defer close(errsDone)
		for err := range pc.Errors() {
			last = err.Err
			t.partitionError(p, err.Err)
		}
	}()
	msgs := pc.Messages()
	for m := range msgs {
		chunk := make([]Record, 1, readChunk)
		chunk[0] = t.record(m)
	more:
		for len(chunk) < readChunk {
			select {
			case m, ok := <-msgs:
				if !ok {
					break more
				}
				chunk = append(chunk, t.record(m))
			default:
				break more
			}
		}
		p.push(chunk)
	}
	<-errsDone
	if last == nil {
		return errConsumerStopped
	}
	return last
}

// restart starts a new consumer for a partition whose consumer stopped on
// cause: where TailSpec.OnOutOfRange says when its offset fell out of the
// log, else where it was. Failed attempts are repeated after
// restartDelay; the reader's state says what it waits for and why. It
// returns nil once the tail stops.
func (t *Tail) restart(p *tailPartition, cause error, failures *int) sarama.PartitionConsumer {
	lost := p.next()
	reset := errors.Is(cause, sarama.ErrOffsetOutOfRange)
	if reset {
		t.notice(p.id, NoticeReset, true, fmt.Sprintf("offset %d is out of range: restarting at the %s offset", lost, t.Spec.OnOutOfRange))
	} else {
		t.notice(p.id, NoticeRestarted, true, fmt.Sprintf("reader stopped (%v): restarting", cause))
	}
	for {
		*failures++
		state, wait := ReaderRestarting, restartDelay(*failures)
		if reset {
			state = ReaderResetting
			if *failures == 1 {
				// Nothing failed yet but the offset: look for the new one at once.
				wait = 0
			}
		}
		p.waiting(state, cause, wait)
		if !t.sleep(wait) {
			return nil
		}
		pc, err := t.reopen(p, reset, lost)
		switch {
		case err == nil:
			return pc
		case errors.Is(err, errTailStopped):
			return nil
		case errors.Is(err, sarama.ErrOffsetOutOfRange):
			// Where it was is gone too, or retention moved past the new start.
			reset = true
		default:
			t.endIfDeleted(err)
		}
		cause = err
	}
}

// reopen starts the partition's consumer: at the offset the policy gives
// when reset, else at the reader's next offset.
func (t *Tail) reopen(p *tailPartition, reset bool, lost int64) (sarama.PartitionConsumer, error) {
	asked := time.Now()
	from := p.next()
	var low, high int64
	if reset {
		var err error
		if low, err = t.client.GetOffset(t.Spec.Topic, p.id, sarama.OffsetOldest); err != nil {
			return nil, fmt.Errorf("reading the log start: %w", err)
		}
		if high, err = t.client.GetOffset(t.Spec.Topic, p.id, sarama.OffsetNewest); err != nil {
			return nil, fmt.Errorf("reading the log end: %w", err)
		}
		from = low
		if t.Spec.OnOutOfRange == OutOfRangeLatest {
			from = high
		}
	}
	pc, err := t.consumer.ConsumePartition(t.Spec.Topic, p.id, from)
	if err != nil {
		return nil, err
	}
	if !p.started(pc, from, reset, watermark{high: high, at: asked}) {
		pc.AsyncClose()
		for range pc.Messages() {
		}
		for range pc.Errors() {
		}
		return nil, errTailStopped
	}
	if reset {
		t.notice(p.id, NoticeReset, true, resetText(lost, low, high, from, t.Spec.OnOutOfRange))
	} else {
		t.notice(p.id, NoticeRestarted, false, fmt.Sprintf("reader restarted at offset %d", from))
	}
	return pc, nil
}

// resetText says what a reset skipped or reads again: the reader's next
// offset was lost, the log now runs from low to its end high, and
// reading goes on from from.
func resetText(lost, low, high, from int64, policy OutOfRange) string {
	var what string
	switch {
	case lost < low:
		what = fmt.Sprintf("records %d..%d were deleted before they were read", lost, low-1)
	case lost > high:
		what = fmt.Sprintf("the log now ends at %d (topic recreated or cluster restarted?)", high)
	default:
		what = fmt.Sprintf("the log now runs %d..%d", low, high)
	}
	text := fmt.Sprintf("offset %d is out of range: %s; restarted at the %s offset %d", lost, what, policy, from)
	if policy == OutOfRangeLatest && high > max(low, lost) {
		text += fmt.Sprintf(", skipping %d records", high-max(low, lost))
	}
	return text
}

func (t *Tail) record(m *sarama.ConsumerMessage) Record {
	r := Record{
		Topic: m.Topic, Partition: m.Partition, Offset: m.Offset, Timestamp: m.Timestamp,
		LogAppendTime: t.logAppendTime, Key: m.Key, Value: m.Value,
	}
	if len(m.Headers) > 0 {
		r.Headers = make([]Header, len(m.Headers))
		for j, h := range m.Headers {
			r.Headers[j] = Header{Key: h.Key, Value: h.Value}
		}
	}
	return r
}

// partitionError handles an error a consumer reported. It keeps running
// after all but an offset out of range, which restart handles once the
// consumer has stopped on it.
func (t *Tail) partitionError(p *tailPartition, err error) {
	if errors.Is(err, sarama.ErrOffsetOutOfRange) || t.endIfDeleted(err) {
		return
	}
	p.failed(err)
	t.notice(p.id, NoticeRetrying, true, "reconnecting: "+err.Error())
}

// endIfDeleted ends the tail when err says its topic is unknown and the
// metadata confirms it is gone; it reports whether it did.
func (t *Tail) endIfDeleted(err error) bool {
	if !errors.Is(err, sarama.ErrUnknownTopicOrPartition) {
		return false
	}
	if errors.Is(t.client.RefreshMetadata(t.Spec.Topic), sarama.ErrUnknownTopicOrPartition) {
		t.end(fmt.Errorf("topic %s was deleted", t.Spec.Topic))
		return true
	}
	return false
}

// push hands a chunk to the flusher, first waiting while the pending
// records are over their bounds: a reader that falls behind slows the
// consumers down instead of losing records.
func (p *tailPartition) push(chunk []Record) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for !p.closed && (p.pendRecs >= p.maxRecs || p.pendBytes >= p.maxBytes) {
		p.drained.Wait()
	}
	if p.closed {
		return
	}
	for i := range chunk {
		size := chunk[i].Size()
		p.pendBytes += size
		p.bytes += int64(size)
	}
	p.pending = append(p.pending, chunk)
	p.pendRecs += len(chunk)
	p.received += int64(len(chunk))
	p.progress.Next = chunk[len(chunk)-1].Offset + 1
	p.progress.MovedAt = time.Now()
	p.progress.Err = nil
	p.checkCaughtUp()
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

// failed records an error the running consumer met and retries after.
func (p *tailPartition) failed(err error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.progress.Err = err
}

// waiting records that the reader has no consumer and waits wait before
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
	p.pc = nil
}

// started makes pc the reader's consumer, reading from from; after a
// reset, end is the new log's end. It reports false, leaving pc to the
// caller, once the tail stops.
func (p *tailPartition) started(pc sarama.PartitionConsumer, from int64, reset bool, end watermark) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return false
	}
	now := time.Now()
	p.pc = pc
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

// close stops the reader: its consumer is closed and it starts no other.
func (p *tailPartition) close() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.closed = true
	if p.pc != nil {
		p.pc.AsyncClose()
	}
	p.drained.Broadcast()
}

func (p *tailPartition) isClosed() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.closed
}

// next is the offset the reader reads next.
func (p *tailPartition) next() int64 {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.progress.Next
}

// count is how many records the reader delivered.
func (p *tailPartition) count() int64 {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.received
}

// position is the reader's log generation and next offset.
func (p *tailPartition) position() (gen int, next int64) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.logGen, p.progress.Next
}
