package kafkaclient

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/IBM/sarama"
)

// TailSpec says what to tail.
type TailSpec struct {
	Topic string
	// Partitions limits the tail; nil means every partition.
	Partitions []int32
	From       From
	// OnOutOfRange is where a partition's reader restarts when its next
	// offset is no longer in the log (records deleted by retention, the
	// topic recreated, the cluster restarted empty). The zero value is
	// the earliest offset, so nothing the log still holds is missed.
	OnOutOfRange OutOfRange
	// Marker, when set, marks the records from the first fetch on; see
	// SetMarker, which replaces it.
	Marker *Marker
}

// OutOfRange says where a partition reader restarts when its next offset
// is no longer in the log.
type OutOfRange int

// Where a reader can restart.
const (
	// OutOfRangeEarliest restarts at the oldest record the log holds.
	OutOfRangeEarliest OutOfRange = iota
	// OutOfRangeLatest restarts after the newest record: only records
	// produced from then on are read.
	OutOfRangeLatest
)

// String is the policy's name: earliest or latest.
func (o OutOfRange) String() string {
	if o == OutOfRangeLatest {
		return "latest"
	}
	return "earliest"
}

// What a tail holds between two batches, at most. When the reader of the
// batches falls that far behind, a partition is left out of the fetches
// until the flusher took its records, so nothing is dropped. A
// partition's share holds at least a whole fetch (fetchBytes of small
// records), so a fetch is never held back a frame for lack of room.
const (
	pendingRecords = 100_000
	pendingBytes   = 32 << 20
	fetchBytes     = 1 << 20
)

// FlushInterval is how often a tail publishes what it read: one batch per
// frame at 60 frames a second.
const FlushInterval = time.Second / 60

// Tail follows some partitions of a topic with Fetch requests of its own,
// one at a time per leader for all the partitions it leads: it joins no
// group and commits nothing, so it leaves no trace on the cluster.
type Tail struct {
	ID     int
	Spec   TailSpec
	events chan Event
	cancel context.CancelFunc
	// done is closed once every goroutine of the tail stopped, its
	// connections are closed and so is events.
	done chan struct{}
	// stopped is closed when the tail starts stopping: fetchers end,
	// partitions are no longer handed to one, waits for a retry and
	// watermark asks end.
	stopped chan struct{}
	// wg counts the fetchers and the partitions being relocated; asks the
	// watermark asks. Both may wait on a connection until the client is
	// closed.
	wg      sync.WaitGroup
	asks    sync.WaitGroup
	client  sarama.Client
	version sarama.KafkaVersion
	fetch   fetchShape
	parts   []*tailPartition

	fmu      sync.Mutex // guards fetchers
	fetchers map[int32]*fetcher

	drainMu sync.Mutex // guards drained
	// drained is closed, and replaced, each time the flusher takes the
	// pending records: fetchers whose partitions are all full wait on it.
	drained chan struct{}

	refreshMu sync.Mutex // guards refreshedAt; held while refreshing
	// refreshedAt is when the last metadata refresh for relocating
	// partitions began.
	refreshedAt time.Time

	askMu  sync.Mutex // guards asking
	asking map[int32]bool

	mu      sync.Mutex // guards notices and ended
	notices []TailNotice
	ended   error

	marker atomic.Pointer[Marker]
}

// tailOpenTimeout bounds the opening of a tail, not its life. Opening
// sends a few requests per partition, each bounded by the request
// timeout; a broker answering each just in time would otherwise keep a
// view waiting for minutes.
const tailOpenTimeout = 30 * time.Second

var tailIDs atomic.Int64

// Tail starts following spec. The start offsets are resolved before it
// returns (with notices for any that had to be clamped); records then
// arrive as RecordBatch events on the tail's channel.
//
// The tail lives as long as ctx: when ctx is done, whether Tail is still
// opening or the tail is streaming, it stops as Close stops it, and its
// events channel is closed once everything stopped. Its connections are
// closed then, which ends the fetches under way.
func (c *Client) Tail(ctx context.Context, spec TailSpec) (*Tail, error) {
	tctx, cancel := context.WithCancel(ctx)
	t, err := c.openTail(tctx, spec)
	if err != nil {
		cancel()
		return nil, err
	}
	t.cancel = cancel
	go t.run(tctx)
	return t, nil
}

// openTail resolves the start offsets and hands each partition to the
// fetcher of its leader. Whatever it opened is closed again when it fails.
func (c *Client) openTail(ctx context.Context, spec TailSpec) (*Tail, error) {
	octx, cancel := context.WithTimeout(ctx, tailOpenTimeout)
	defer cancel()
	fail := func(err error) (*Tail, error) {
		switch {
		case ctx.Err() != nil:
			err = ctx.Err()
		case octx.Err() != nil:
			err = fmt.Errorf("not open after %s: %w", tailOpenTimeout, octx.Err())
		}
		return nil, fmt.Errorf("tail %s: %w", spec.Topic, err)
	}
	// The start offsets are the first high watermarks the readers are
	// judged against; the leaders read them after this instant.
	asked := time.Now()
	starts, notices, err := c.startOffsets(octx, spec)
	if err != nil {
		if octx.Err() == nil {
			return nil, err
		}
		return fail(err)
	}
	if len(starts) == 0 {
		return nil, fmt.Errorf("tail %s: no partition to follow", spec.Topic)
	}
	// The tail's own connections: its long-polling fetches must not hold
	// up the session's requests, which sarama sends one at a time per
	// broker.
	client, err := sarama.NewClient(c.cfg.Brokers, c.sconf)
	if err != nil {
		return fail(err)
	}
	t := &Tail{
		ID:       int(tailIDs.Add(1)),
		Spec:     spec,
		events:   make(chan Event, 4),
		done:     make(chan struct{}),
		stopped:  make(chan struct{}),
		client:   client,
		version:  c.sconf.Version,
		fetch:    newFetchShape(c.sconf.Version),
		fetchers: map[int32]*fetcher{},
		drained:  make(chan struct{}),
		asking:   map[int32]bool{},
	}
	t.marker.Store(spec.Marker)
	// The bounds are shared out, with a floor so a tail of many
	// partitions still moves a useful amount per frame.
	maxRecs := max(pendingRecords/len(starts), minPendingRecords)
	maxBytes := max(pendingBytes/len(starts), 2*fetchBytes)
	leaders := make([]*sarama.Broker, len(starts))
	for i, s := range starts {
		if err := octx.Err(); err != nil {
			t.stopConsumers()
			return fail(err)
		}
		leaders[i], err = client.Leader(spec.Topic, s.Partition)
		if err != nil {
			t.stopConsumers()
			return fail(fmt.Errorf("partition %d: %w", s.Partition, err))
		}
		t.parts = append(t.parts, newTailPartition(s, watermark{high: s.Target, at: asked}, maxRecs, maxBytes))
	}
	if err := octx.Err(); err != nil {
		t.stopConsumers()
		return fail(err)
	}
	for i, p := range t.parts {
		t.assign(p, leaders[i])
	}
	for _, n := range notices {
		n.Tail = t.ID
		t.notices = append(t.notices, n)
	}
	t.asks.Go(t.askWatermarks)
	return t, nil
}

// Events delivers the tail's batches and notices. It is closed once the
// tail stopped, by Close or by the end of the context it was opened with.
func (t *Tail) Events() <-chan Event { return t.events }

// Close stops the tail and waits until everything it started stopped. It
// may be called any number of times, also after the tail's context ended.
func (t *Tail) Close() {
	t.cancel()
	<-t.done
}

// run publishes batches until ctx ends, then stops the tail: Close and
// the end of the tail's context take this one way out.
func (t *Tail) run(ctx context.Context) {
	t.flush(ctx)
	// A tail that ended by itself keeps its consumers until it is closed.
	<-ctx.Done()
	t.stopConsumers()
	close(t.events)
	close(t.done)
}

// stopConsumers stops the fetchers and whatever relocates a partition:
// closing the tail's connections ends the requests they wait on, the
// watermark asks' too.
func (t *Tail) stopConsumers() {
	close(t.stopped)
	for _, p := range t.parts {
		p.close()
	}
	_ = t.client.Close()
	t.wg.Wait()
	t.asks.Wait()
}

// stopping reports whether the tail has begun to stop.
func (t *Tail) stopping() bool {
	select {
	case <-t.stopped:
		return true
	default:
		return false
	}
}

// sleep waits d, or less if the tail stops meanwhile; it reports whether
// the tail still runs.
func (t *Tail) sleep(d time.Duration) bool {
	if d <= 0 {
		return !t.stopping()
	}
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-timer.C:
		return true
	case <-t.stopped:
		return false
	}
}

// notice queues a notice for the next flush. A notice still queued for
// the same partition at the same level is replaced: it says the same
// thing less recently, and a tail whose leader stays silent must not pile
// up one notice per retry while its events wait to be read.
func (t *Tail) notice(partition int32, level NoticeLevel, isErr bool, text string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.notices = slices.DeleteFunc(t.notices, func(n TailNotice) bool {
		return n.Partition == partition && n.Level == level
	})
	t.notices = append(t.notices, TailNotice{Tail: t.ID, Partition: partition, Text: text, Err: isErr, Level: level})
}

// end makes the tail end by itself at the next flush.
func (t *Tail) end(err error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.ended = err
}

// collect gathers every partition's pending records into one batch.
func (t *Tail) collect(now time.Time) RecordBatch {
	b := RecordBatch{Tail: t.ID, At: now, Progress: make(TailProgress, len(t.parts))}
	for i, p := range t.parts {
		p.mu.Lock()
		b.Records = append(b.Records, p.pending...)
		b.Marks = append(b.Marks, p.pendMarks...)
		p.pending, p.pendMarks, p.pendRecs, p.pendBytes = nil, nil, 0, 0
		b.Progress[i] = p.progress
		b.Received += p.received
		b.Bytes += p.bytes
		p.mu.Unlock()
	}
	t.drainMu.Lock()
	close(t.drained)
	t.drained = make(chan struct{})
	t.drainMu.Unlock()
	return b
}

// drainedSignal is closed when the flusher next takes the pending records.
func (t *Tail) drainedSignal() <-chan struct{} {
	t.drainMu.Lock()
	defer t.drainMu.Unlock()
	return t.drained
}

// flush publishes what was read once per frame; between records it still
// publishes a batch every second so rates can fall to zero on screen and
// the readers' states stay current.
func (t *Tail) flush(ctx context.Context) {
	tick := time.NewTicker(FlushInterval)
	defer tick.Stop()
	var last time.Time
	for {
		select {
		case <-ctx.Done():
			return
		case now := <-tick.C:
			batch := t.collect(now)
			t.mu.Lock()
			notices, ended := t.notices, t.ended
			t.notices = nil
			t.mu.Unlock()
			for _, n := range notices {
				if !t.send(ctx, n) {
					return
				}
			}
			if len(batch.Records) > 0 || now.Sub(last) >= time.Second {
				if !t.send(ctx, batch) {
					return
				}
				last = now
			}
			if ended != nil {
				t.send(ctx, TailEnded{Tail: t.ID, Err: ended})
				return
			}
		}
	}
}

func (t *Tail) send(ctx context.Context, e Event) bool {
	select {
	case t.events <- e:
		return true
	case <-ctx.Done():
		return false
	}
}
