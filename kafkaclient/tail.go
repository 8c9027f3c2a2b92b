package kafkaclient

import (
	"context"
	"errors"
	"fmt"
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
}

// What a tail holds between two batches, at most. When the reader of the
// batches falls that far behind, reading pauses until it catches up, so
// nothing is dropped. A partition's share must hold a whole fetch
// (fetchBytes of small records) or sarama's next fetch waits a frame.
const (
	pendingRecords = 100_000
	pendingBytes   = 32 << 20
	fetchBytes     = 1 << 20
)

// FlushInterval is how often a tail publishes what it read: one batch per
// frame at 60 frames a second.
const FlushInterval = time.Second / 60

// PartitionProgress is how far a tail has read one partition.
type PartitionProgress struct {
	Partition int32
	// Start is the first offset the tail asked for; Target the high
	// watermark when it opened. The partition is caught up once Next
	// reaches Target.
	Start, Target int64
	// Next is the offset after the last record delivered; High the latest high watermark seen.
	Next, High int64
}

// CaughtUp reports whether the backlog that existed at start was read.
func (p PartitionProgress) CaughtUp() bool { return p.Next >= p.Target }

// Percent is the share of the start-time backlog read so far.
func (p PartitionProgress) Percent() float64 {
	if p.Target <= p.Start {
		return 100
	}
	return 100 * float64(min(p.Next, p.Target)-p.Start) / float64(p.Target-p.Start)
}

// RecordBatch is what a tail read since its previous batch. Records
// come in chunks as the partition readers took them, so no record is
// copied on its way from the consumer to the reader of the batch; records
// of one partition are in offset order.
type RecordBatch struct {
	Tail     int
	Records  [][]Record
	Progress []PartitionProgress
	// Received and Bytes count everything read since the tail opened.
	Received, Bytes int64
	At              time.Time
}

// TailNotice is something a tail wants the user to know (a clamped start
// offset, a partition reconnecting). Partition is -1 when it concerns the whole tail.
type TailNotice struct {
	Tail      int
	Partition int32
	Text      string
	Err       bool
}

// TailEnded says a tail stopped by itself, e.g. because its topic was deleted.
type TailEnded struct {
	Tail int
	Err  error
}

// Len is the number of records in the batch.
func (b *RecordBatch) Len() int {
	n := 0
	for _, c := range b.Records {
		n += len(c)
	}
	return n
}

func (RecordBatch) event() {}
func (TailNotice) event()  {}
func (TailEnded) event()   {}

// Tail follows some partitions of a topic with partition consumers: it
// joins no group and commits nothing, so it leaves no trace on the cluster.
type Tail struct {
	ID     int
	Spec   TailSpec
	events chan Event
	cancel context.CancelFunc
	// done is closed once every goroutine of the tail stopped, its
	// connections are closed and so is events.
	done chan struct{}
	// wg counts the partitions' readers and their error drains.
	wg     sync.WaitGroup
	client sarama.Client
	parts  []*tailPartition

	logAppendTime bool

	mu      sync.Mutex // guards notices and ended
	notices []TailNotice
	ended   error
}

// tailPartition is what one partition's reader hands to the flusher. Each
// has its own lock, so readers of different partitions never wait on
// each other.
type tailPartition struct {
	pc       sarama.PartitionConsumer
	maxRecs  int
	maxBytes int

	mu        sync.Mutex
	drained   sync.Cond // signalled when the flusher took the pending records, or at close
	closed    bool
	pending   [][]Record
	pendRecs  int
	pendBytes int
	progress  PartitionProgress
	received  int64
	bytes     int64
}

// readChunk is how many records a reader takes off its consumer before
// it locks to hand them over.
const readChunk = 256

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
// events channel is closed once everything stopped. sarama cannot abandon
// a request it has sent, so the tail stops at the end of the one under
// way, which its timeouts bound.
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

// openTail resolves the start offsets and opens a consumer per partition,
// each with its reader. Whatever it opened is closed again when it fails.
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
	logAppendTime := c.logAppendTime(octx, spec.Topic)
	if err := octx.Err(); err != nil {
		return fail(err)
	}
	conf := *c.sconf
	conf.Consumer.Return.Errors = true
	conf.Consumer.Fetch.Default = fetchBytes
	conf.Consumer.MaxWaitTime = 250 * time.Millisecond
	conf.ChannelBufferSize = 1024
	client, err := sarama.NewClient(c.cfg.Brokers, &conf)
	if err != nil {
		return fail(err)
	}
	t := &Tail{
		ID:            int(tailIDs.Add(1)),
		Spec:          spec,
		events:        make(chan Event, 4),
		done:          make(chan struct{}),
		client:        client,
		logAppendTime: logAppendTime,
	}
	consumer, err := sarama.NewConsumerFromClient(client)
	if err != nil {
		t.stopConsumers()
		return fail(err)
	}
	// The bounds are shared out, with a floor so a tail of many
	// partitions still moves a useful amount per frame.
	maxRecs := max(pendingRecords/len(starts), 4*readChunk)
	maxBytes := max(pendingBytes/len(starts), 1<<20)
	for _, s := range starts {
		if err := octx.Err(); err != nil {
			t.stopConsumers()
			return fail(err)
		}
		pc, err := consumer.ConsumePartition(spec.Topic, s.Partition, s.Start)
		if err != nil {
			t.stopConsumers()
			return fail(fmt.Errorf("partition %d from %d: %w", s.Partition, s.Start, err))
		}
		p := &tailPartition{pc: pc, progress: s, maxRecs: maxRecs, maxBytes: maxBytes}
		p.drained.L = &p.mu
		t.parts = append(t.parts, p)
		t.wg.Go(func() { t.read(p) })
	}
	if err := octx.Err(); err != nil {
		t.stopConsumers()
		return fail(err)
	}
	for _, n := range notices {
		n.Tail = t.ID
		t.notices = append(t.notices, n)
	}
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

// stopConsumers closes the partition consumers, waits for their readers
// and closes the tail's connections.
func (t *Tail) stopConsumers() {
	for _, p := range t.parts {
		p.pc.AsyncClose()
		p.mu.Lock()
		p.closed = true
		p.drained.Broadcast()
		p.mu.Unlock()
	}
	t.wg.Wait()
	_ = t.client.Close()
}

// read moves one partition's records to its pending list until the
// partition consumer is closed, taking whatever is ready in chunks so the
// lock is taken once per chunk, not once per record.
func (t *Tail) read(p *tailPartition) {
	t.wg.Go(func() {
		for err := range p.pc.Errors() {
			t.partitionError(p.progress.Partition, err)
		}
	})
	msgs := p.pc.Messages()
	for {
		m, ok := <-msgs
		if !ok {
			return
		}
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
}

func (t *Tail) partitionError(partition int32, err *sarama.ConsumerError) {
	if errors.Is(err.Err, sarama.ErrUnknownTopicOrPartition) && !t.topicExists() {
		t.mu.Lock()
		t.ended = fmt.Errorf("topic %s was deleted", t.Spec.Topic)
		t.mu.Unlock()
		return
	}
	if errors.Is(err.Err, sarama.ErrOffsetOutOfRange) {
		t.notice(partition, "offset out of range (records deleted by retention?): "+err.Err.Error(), true)
		return
	}
	t.notice(partition, "reconnecting: "+err.Err.Error(), true)
}

func (t *Tail) topicExists() bool {
	err := t.client.RefreshMetadata(t.Spec.Topic)
	return !errors.Is(err, sarama.ErrUnknownTopicOrPartition)
}

func (t *Tail) notice(partition int32, text string, isErr bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.notices = append(t.notices, TailNotice{Tail: t.ID, Partition: partition, Text: text, Err: isErr})
}

// collect gathers every partition's pending records into one batch.
func (t *Tail) collect(now time.Time) RecordBatch {
	b := RecordBatch{Tail: t.ID, At: now, Progress: make([]PartitionProgress, len(t.parts))}
	for i, p := range t.parts {
		p.mu.Lock()
		b.Records = append(b.Records, p.pending...)
		p.pending, p.pendRecs, p.pendBytes = nil, 0, 0
		b.Progress[i] = p.progress
		b.Received += p.received
		b.Bytes += p.bytes
		p.drained.Broadcast()
		p.mu.Unlock()
		b.Progress[i].High = p.pc.HighWaterMarkOffset()
	}
	return b
}

// flush publishes what was read once per frame; between records it still
// publishes a batch every second so rates can fall to zero on screen.
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

// logAppendTime reads the topic's timestamp type, which sarama does not
// pass on with each record; CreateTime is assumed when it cannot be read.
func (c *Client) logAppendTime(ctx context.Context, topic string) bool {
	entries, err := c.TopicConfig(ctx, topic)
	if err != nil {
		return false
	}
	for _, e := range entries {
		if e.Name == "message.timestamp.type" {
			return e.Value == "LogAppendTime"
		}
	}
	return false
}
