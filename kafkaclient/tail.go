package kafkaclient

import (
	"context"
	"errors"
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
	wg     sync.WaitGroup
	client sarama.Client
	parts  []*tailPartition

	logAppendTime bool

	mu        sync.Mutex // guards notices and ended
	notices   []TailNotice
	ended     error
	closeOnce sync.Once
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

var tailIDs atomic.Int64

// Tail starts following spec. The start offsets are resolved before it
// returns (with notices for any that had to be clamped); records then
// arrive as RecordBatch events on the tail's channel.
func (c *Client) Tail(ctx context.Context, spec TailSpec) (*Tail, error) {
	starts, notices, err := c.startOffsets(spec)
	if err != nil {
		return nil, err
	}
	conf := *c.sconf
	conf.Consumer.Return.Errors = true
	conf.Consumer.Fetch.Default = fetchBytes
	conf.Consumer.MaxWaitTime = 250 * time.Millisecond
	conf.ChannelBufferSize = 1024
	client, err := sarama.NewClient(c.cfg.Brokers, &conf)
	if err != nil {
		return nil, fmt.Errorf("tail %s: %w", spec.Topic, err)
	}
	consumer, err := sarama.NewConsumerFromClient(client)
	if err != nil {
		_ = client.Close()
		return nil, fmt.Errorf("tail %s: %w", spec.Topic, err)
	}
	tctx, cancel := context.WithCancel(context.Background())
	t := &Tail{
		ID:            int(tailIDs.Add(1)),
		Spec:          spec,
		events:        make(chan Event, 4),
		cancel:        cancel,
		client:        client,
		logAppendTime: c.logAppendTime(ctx, spec.Topic),
	}
	// The bounds are shared out, with a floor so a tail of many
	// partitions still moves a useful amount per frame.
	maxRecs := max(pendingRecords/len(starts), 4*readChunk)
	maxBytes := max(pendingBytes/len(starts), 1<<20)
	for _, s := range starts {
		pc, err := consumer.ConsumePartition(spec.Topic, s.Partition, s.Start)
		if err != nil {
			t.closePartitions()
			_ = client.Close()
			cancel()
			return nil, fmt.Errorf("tail %s/%d from %d: %w", spec.Topic, s.Partition, s.Start, err)
		}
		p := &tailPartition{pc: pc, progress: s, maxRecs: maxRecs, maxBytes: maxBytes}
		p.drained.L = &p.mu
		t.parts = append(t.parts, p)
	}
	for _, n := range notices {
		n.Tail = t.ID
		t.notices = append(t.notices, n)
	}
	for _, p := range t.parts {
		t.wg.Go(func() { t.read(p) })
	}
	t.wg.Go(func() { t.flush(tctx) })
	return t, nil
}

// Events delivers the tail's batches and notices; it is closed by Close.
func (t *Tail) Events() <-chan Event { return t.events }

// Close stops the consumers and waits for every goroutine of the tail.
func (t *Tail) Close() {
	t.closeOnce.Do(func() {
		t.closePartitions()
		t.cancel()
		t.wg.Wait()
		_ = t.client.Close()
		close(t.events)
	})
}

func (t *Tail) closePartitions() {
	for _, p := range t.parts {
		p.pc.AsyncClose()
		p.mu.Lock()
		p.closed = true
		p.drained.Broadcast()
		p.mu.Unlock()
	}
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

// offsetQuery asks for the offsets at ts and collects them in out.
type offsetQuery struct {
	ts  int64
	out map[int32]int64
}

// startOffsets resolves where each partition's tail starts, with one
// ListOffsets request per leader for each offset kind it needs.
func (c *Client) startOffsets(spec TailSpec) ([]PartitionProgress, []TailNotice, error) {
	meta, err := c.topicMetadata(spec.Topic)
	if err != nil {
		return nil, nil, err
	}
	leaders := map[int32]int32{}
	for _, p := range meta.Partitions {
		leaders[p.ID] = p.Leader
	}
	parts := spec.Partitions
	if parts == nil {
		for _, p := range meta.Partitions {
			parts = append(parts, p.ID)
		}
		slices.Sort(parts)
	}
	for _, p := range parts {
		if _, ok := leaders[p]; !ok {
			return nil, nil, fmt.Errorf("topic %s has no partition %d (it has %d partitions)", spec.Topic, p, len(meta.Partitions))
		}
	}
	byLeader := map[int32][]int32{}
	for _, p := range parts {
		if leaders[p] < 0 {
			return nil, nil, fmt.Errorf("partition %s/%d has no leader", spec.Topic, p)
		}
		byLeader[leaders[p]] = append(byLeader[leaders[p]], p)
	}

	type found struct{ low, high, at map[int32]int64 }
	var mu sync.Mutex
	res := found{map[int32]int64{}, map[int32]int64{}, map[int32]int64{}}
	var wg sync.WaitGroup
	var errs []error
	for leader, ps := range byLeader {
		wg.Go(func() {
			b, err := c.pool.get(leader)
			if err != nil {
				mu.Lock()
				errs = append(errs, fmt.Errorf("broker %d: %w", leader, err))
				mu.Unlock()
				return
			}
			blocks := func(add func(string, int32)) {
				for _, p := range ps {
					add(spec.Topic, p)
				}
			}
			kinds := []offsetQuery{{sarama.OffsetOldest, res.low}, {sarama.OffsetNewest, res.high}}
			if spec.From.Kind == FromTime {
				kinds = append(kinds, offsetQuery{spec.From.Time.UnixMilli(), res.at})
			}
			for _, k := range kinds {
				resp, err := c.offsetsAt(b, k.ts, blocks)
				mu.Lock()
				if err != nil {
					errs = append(errs, fmt.Errorf("broker %d: %w", leader, err))
				} else {
					for _, p := range ps {
						blk := resp.GetBlock(spec.Topic, p)
						switch {
						case blk == nil:
							errs = append(errs, fmt.Errorf("%s/%d: no offset in the answer", spec.Topic, p))
						case !errors.Is(blk.Err, sarama.ErrNoError):
							errs = append(errs, fmt.Errorf("%s/%d: %w", spec.Topic, p, blk.Err))
						default:
							k.out[p] = blk.Offset
						}
					}
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, nil, fmt.Errorf("resolving start offsets: %w", err)
	}

	var notices []TailNotice
	out := make([]PartitionProgress, 0, len(parts))
	for _, p := range parts {
		low, high := res.low[p], res.high[p]
		start := high
		switch spec.From.Kind {
		case FromEarliest:
			start = low
		case FromLast:
			start = max(low, high-spec.From.Last)
		case FromTime:
			// -1: no record at or after the time, so only new ones will do.
			if at := res.at[p]; at >= 0 {
				start = at
			}
		case FromOffset:
			start = spec.From.Offset
			if start < low || start > high {
				clamped := min(max(start, low), high)
				notices = append(notices, TailNotice{Partition: p,
					Text: fmt.Sprintf("offset %d is outside %d..%d; starting at %d", start, low, high, clamped)})
				start = clamped
			}
		}
		out = append(out, PartitionProgress{Partition: p, Start: start, Target: high, Next: start, High: high})
	}
	return out, notices, nil
}

// topicMetadata reads one topic's partitions and leaders.
func (c *Client) topicMetadata(topic string) (*sarama.TopicMetadata, error) {
	var errs []error
	for _, b := range c.pool.any() {
		if err := ensureOpen(b, c.sconf); err != nil {
			errs = append(errs, err)
			continue
		}
		resp, err := b.GetMetadata(sarama.NewMetadataRequest(c.sconf.Version, []string{topic}))
		if err != nil {
			errs = append(errs, err)
			continue
		}
		c.pool.update(resp.Brokers)
		for _, tm := range resp.Topics {
			if tm.Name != topic {
				continue
			}
			if errors.Is(tm.Err, sarama.ErrUnknownTopicOrPartition) {
				return nil, fmt.Errorf("%w: %s", ErrNoSuchTopic, topic)
			}
			if !errors.Is(tm.Err, sarama.ErrNoError) {
				return nil, fmt.Errorf("topic %s: %w", topic, tm.Err)
			}
			return tm, nil
		}
		return nil, fmt.Errorf("%w: %s", ErrNoSuchTopic, topic)
	}
	return nil, fmt.Errorf("metadata of %s: %w", topic, errors.Join(errs...))
}
