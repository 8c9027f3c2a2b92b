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
	// PendingRecords and PendingBytes bound what is held between two
	// batches when the reader falls behind: the oldest go first, as the
	// reader's own bounded buffer would drop them anyway. Zero: 100,000 / 64 MiB.
	PendingRecords int
	PendingBytes   int
}

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

// RecordBatch is what a tail read since its previous batch.
type RecordBatch struct {
	Tail     int
	Records  []Record
	Progress []PartitionProgress
	// Received and Bytes count everything read since the tail opened;
	// Skipped what was dropped because the reader fell behind.
	Received, Bytes, Skipped int64
	At                       time.Time
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
	pcs    []sarama.PartitionConsumer

	logAppendTime bool
	maxRecords    int
	maxBytes      int

	mu        sync.Mutex
	pending   []Record
	pendBytes int
	notices   []TailNotice
	progress  []PartitionProgress // parallel to pcs
	received  int64
	bytes     int64
	skipped   int64
	ended     error
	closeOnce sync.Once
}

var tailIDs atomic.Int64

// Tail starts following spec. The start offsets are resolved before it
// returns (with notices for any that had to be clamped); records then
// arrive as RecordBatch events on the tail's channel.
func (c *Client) Tail(ctx context.Context, spec TailSpec) (*Tail, error) {
	if spec.PendingRecords <= 0 {
		spec.PendingRecords = 100_000
	}
	if spec.PendingBytes <= 0 {
		spec.PendingBytes = 64 << 20
	}
	starts, notices, err := c.startOffsets(spec)
	if err != nil {
		return nil, err
	}
	conf := *c.sconf
	conf.Consumer.Return.Errors = true
	conf.Consumer.Fetch.Default = 4 << 20
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
		maxRecords:    spec.PendingRecords,
		maxBytes:      spec.PendingBytes,
	}
	for _, s := range starts {
		pc, err := consumer.ConsumePartition(spec.Topic, s.Partition, s.Start)
		if err != nil {
			t.closePartitions()
			_ = client.Close()
			cancel()
			return nil, fmt.Errorf("tail %s/%d from %d: %w", spec.Topic, s.Partition, s.Start, err)
		}
		t.pcs = append(t.pcs, pc)
		t.progress = append(t.progress, s)
	}
	for _, n := range notices {
		n.Tail = t.ID
		t.notices = append(t.notices, n)
	}
	for i, pc := range t.pcs {
		t.wg.Go(func() { t.read(i, pc) })
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
	for _, pc := range t.pcs {
		pc.AsyncClose()
	}
}

// read moves one partition's records into the pending batch until the
// partition consumer is closed.
func (t *Tail) read(i int, pc sarama.PartitionConsumer) {
	msgs, errs := pc.Messages(), pc.Errors()
	for msgs != nil {
		select {
		case m, ok := <-msgs:
			if !ok {
				msgs = nil
				continue
			}
			t.add(i, m)
		case err, ok := <-errs:
			if !ok {
				errs = nil
				continue
			}
			t.partitionError(i, err)
		}
	}
	if errs != nil {
		for range errs {
		}
	}
}

func (t *Tail) add(i int, m *sarama.ConsumerMessage) {
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
	size := r.Size()
	t.mu.Lock()
	t.pending = append(t.pending, r)
	t.pendBytes += size
	t.received++
	t.bytes += int64(size)
	t.progress[i].Next = m.Offset + 1
	if len(t.pending) > t.maxRecords || t.pendBytes > t.maxBytes {
		t.dropOldest()
	}
	t.mu.Unlock()
}

// dropOldest sheds the oldest tenth of the pending records (a tenth, so
// the copying stays cheap per record); the caller holds mu.
func (t *Tail) dropOldest() {
	n := max(len(t.pending)/10, 1)
	for _, r := range t.pending[:n] {
		t.pendBytes -= r.Size()
	}
	t.skipped += int64(n)
	t.pending = slices.Delete(t.pending, 0, n)
}

func (t *Tail) partitionError(i int, err *sarama.ConsumerError) {
	p := t.progress[i].Partition
	if errors.Is(err.Err, sarama.ErrUnknownTopicOrPartition) && !t.topicExists() {
		t.mu.Lock()
		t.ended = fmt.Errorf("topic %s was deleted", t.Spec.Topic)
		t.mu.Unlock()
		return
	}
	if errors.Is(err.Err, sarama.ErrOffsetOutOfRange) {
		t.notice(p, "offset out of range (records deleted by retention?): "+err.Err.Error(), true)
		return
	}
	t.notice(p, "reconnecting: "+err.Err.Error(), true)
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
			t.mu.Lock()
			batch := RecordBatch{Tail: t.ID, Records: t.pending, Received: t.received, Bytes: t.bytes, Skipped: t.skipped, At: now}
			notices, ended := t.notices, t.ended
			t.pending, t.pendBytes, t.notices = nil, 0, nil
			batch.Progress = slices.Clone(t.progress)
			t.mu.Unlock()
			for i := range batch.Progress {
				batch.Progress[i].High = t.pcs[i].HighWaterMarkOffset()
			}
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
