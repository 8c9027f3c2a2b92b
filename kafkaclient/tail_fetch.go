package kafkaclient

import (
	"errors"
	"slices"
	"sync"
	"time"

	"github.com/IBM/sarama"
)

// fetchWait is how long a leader may hold a fetch for records to arrive:
// the latency of a tail at the end of its partitions.
const fetchWait = 250 * time.Millisecond

// fetchShape is what every fetch request of a tail shares.
type fetchShape struct {
	version int16
}

// newFetchShape picks the newest Fetch version sarama speaks that the
// cluster's version has, as sarama's consumer does: the fields the tail
// uses exist in all of them, and a newer one only adds what a broker
// needs for the cluster's features (record batches, zstd, leader epochs).
func newFetchShape(v sarama.KafkaVersion) fetchShape {
	versions := []struct {
		since sarama.KafkaVersion
		fetch int16
	}{
		{sarama.V2_7_0_0, 12}, {sarama.V2_3_0_0, 11}, {sarama.V2_1_0_0, 10}, {sarama.V2_0_0_0, 8},
		{sarama.V1_1_0_0, 7}, {sarama.V1_0_0_0, 6}, {sarama.V0_11_0_0, 5}, {sarama.V0_10_1_0, 3},
		{sarama.V0_10_0_0, 2}, {sarama.V0_9_0_0, 1},
	}
	for _, s := range versions {
		if v.IsAtLeast(s.since) {
			return fetchShape{version: s.fetch}
		}
	}
	return fetchShape{}
}

// request is a fetch of nothing yet, read-uncommitted as kcat reads: a
// tail shows what the partition holds, open transactions included.
func (s fetchShape) request() *sarama.FetchRequest {
	req := &sarama.FetchRequest{
		Version:     s.version,
		MinBytes:    1,
		MaxWaitTime: int32(fetchWait / time.Millisecond),
		Isolation:   sarama.ReadUncommitted,
	}
	if s.version >= 3 {
		req.MaxBytes = sarama.MaxResponseSize
	}
	if s.version >= 7 {
		// No fetch session: the broker keeps no state for the tail.
		req.SessionEpoch = -1
	}
	return req
}

// fetcher reads the partitions one broker leads with one Fetch request
// for all of them at a time, and turns each answer into one chunk of
// records per partition: nothing is handed over record by record.
type fetcher struct {
	t      *Tail
	broker *sarama.Broker

	mu    sync.Mutex // guards parts
	parts []*tailPartition
	// turn is where the next request starts in parts.
	turn int
	// wake is signalled when a partition is added, so a fetcher whose
	// partitions were all full fetches for it at once.
	wake chan struct{}
}

// assign hands p to the fetcher of its leader b, starting one if none
// runs. It reports false once the tail stops.
func (t *Tail) assign(p *tailPartition, b *sarama.Broker) bool {
	t.fmu.Lock()
	defer t.fmu.Unlock()
	if t.stopping() {
		return false
	}
	f := t.fetchers[b.ID()]
	if f == nil {
		f = &fetcher{t: t, broker: b, wake: make(chan struct{}, 1)}
		t.fetchers[b.ID()] = f
		t.wg.Go(f.run)
	}
	f.mu.Lock()
	f.parts = append(f.parts, p)
	f.mu.Unlock()
	select {
	case f.wake <- struct{}{}:
	default:
	}
	return true
}

// asked is a partition in a fetch request, and the offset asked for.
type asked struct {
	p    *tailPartition
	from int64
}

// flight is a fetch under way.
type flight struct {
	in   []asked
	resp *sarama.FetchResponse
	err  error
	done chan struct{}
}

// run fetches until the tail stops or no partition is left to it. One
// fetch is always under way while there is room: the next is sent as
// soon as an answer says where it starts, before that answer's records
// are taken in, so the leader reads while the tail converts.
func (f *fetcher) run() {
	t := f.t
	var next *flight
	for {
		if next == nil {
			drained := t.drainedSignal()
			parts := f.current()
			if parts == nil {
				return
			}
			if next = f.send(parts, nil); next == nil {
				select {
				case <-drained:
				case <-f.wake:
				case <-t.stopped:
					return
				}
				continue
			}
		}
		cur := next
		select {
		case <-cur.done:
		case <-t.stopped:
			return
		}
		if cur.err != nil {
			if !t.stopping() {
				// sarama reconnects a closed broker when it is next handed out.
				_ = f.broker.Close()
				f.releaseAll(cur.err)
			}
			return
		}
		next = nil
		if parts := f.current(); parts != nil {
			next = f.send(parts, following(t.Spec.Topic, cur))
		}
		for _, a := range cur.in {
			if err := f.take(a, cur.resp); err != nil {
				f.release(a.p, err)
			}
		}
	}
}

// send starts a fetch for the partitions of parts that have room, from
// where they are or, for those in from, where the answer being taken in
// says they will be (-1: not known yet). It returns nil when none has
// room.
func (f *fetcher) send(parts []*tailPartition, from map[*tailPartition]int64) *flight {
	t := f.t
	req := t.fetch.request()
	fl := &flight{done: make(chan struct{})}
	// A leader fills its answer in the order of the request until it is
	// full: each fetch starts at another partition, so none is always
	// last.
	f.turn = (f.turn + 1) % len(parts)
	for _, p := range append(parts[f.turn:], parts[:f.turn]...) {
		at, size, ok := p.fetchable()
		if !ok {
			continue
		}
		if next, asked := from[p]; asked {
			if next < 0 {
				// Where it goes on is known once its answer is taken in.
				continue
			}
			at = next
		}
		req.AddBlock(t.Spec.Topic, p.id, at, size, -1)
		fl.in = append(fl.in, asked{p, at})
	}
	if len(fl.in) == 0 {
		return nil
	}
	t.wg.Go(func() {
		defer close(fl.done)
		fl.resp, fl.err = f.broker.Fetch(req)
	})
	return fl
}

// following says where each partition of a fetch's answer goes on, for
// the partitions whose answer is plain: records in whole batches, or
// none and nothing to grow for. For the others it is -1: they wait for
// their answer to be taken in.
func following(topic string, fl *flight) map[*tailPartition]int64 {
	out := make(map[*tailPartition]int64, len(fl.in))
	for _, a := range fl.in {
		out[a.p] = -1
		block := fl.resp.GetBlock(topic, a.p.id)
		if block == nil || !errors.Is(block.Err, sarama.ErrNoError) || partial(block) {
			continue
		}
		sets := block.RecordsSet
		switch {
		case len(sets) == 0:
			if a.from >= block.HighWaterMarkOffset {
				out[a.p] = a.from
			}
		case sets[len(sets)-1].RecordBatch != nil:
			b := sets[len(sets)-1].RecordBatch
			out[a.p] = max(a.from, b.FirstOffset+int64(b.LastOffsetDelta)+1)
		}
	}
	return out
}

// current is the fetcher's partitions, nil once it has none: it then
// leaves the tail's fetchers, so a partition assigned later starts
// another.
func (f *fetcher) current() []*tailPartition {
	f.t.fmu.Lock()
	defer f.t.fmu.Unlock()
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.parts) == 0 {
		if f.t.fetchers[f.broker.ID()] == f {
			delete(f.t.fetchers, f.broker.ID())
		}
		return nil
	}
	return slices.Clone(f.parts)
}

// release takes p from the fetcher, because of err, and has it find its
// leader again.
func (f *fetcher) release(p *tailPartition, err error) {
	f.mu.Lock()
	f.parts = slices.DeleteFunc(f.parts, func(q *tailPartition) bool { return q == p })
	f.mu.Unlock()
	f.t.wg.Go(func() { f.t.relocate(p, err) })
}

// releaseAll takes every partition from a fetcher whose broker failed
// with err, and leaves the tail's fetchers at once, so that none is
// assigned back to it.
func (f *fetcher) releaseAll(err error) {
	f.t.fmu.Lock()
	if f.t.fetchers[f.broker.ID()] == f {
		delete(f.t.fetchers, f.broker.ID())
	}
	f.mu.Lock()
	parts := f.parts
	f.parts = nil
	f.mu.Unlock()
	f.t.fmu.Unlock()
	for _, p := range parts {
		f.t.wg.Go(func() { f.t.relocate(p, err) })
	}
}

// take hands the records resp holds for a to its partition. It returns
// the partition's error, if the leader answered one.
func (f *fetcher) take(a asked, resp *sarama.FetchResponse) error {
	if !f.owns(a.p) {
		// Released while the fetch was under way.
		return nil
	}
	block := resp.GetBlock(f.t.Spec.Topic, a.p.id)
	switch {
	case block == nil:
		if resp.ThrottleTime > 0 && len(resp.Blocks) == 0 {
			// A throttled answer carries nothing: ask again.
			return nil
		}
		return sarama.ErrIncompleteResponse
	case !errors.Is(block.Err, sarama.ErrNoError):
		return block.Err
	}
	chunk, next := f.t.records(a.p.id, a.from, block)
	if len(chunk) == 0 && next == a.from && (partial(block) || a.from < block.HighWaterMarkOffset) {
		// A batch larger than the fetch asked for: ask for more. The
		// same when the answer holds nothing below the high watermark:
		// sarama leaves out batches that compaction emptied, and with
		// enough of them in a row only a wider fetch reaches a record.
		a.p.grow(a.from)
		return nil
	}
	a.p.fetched(a.from, chunk, f.t.mark(chunk), next, block.HighWaterMarkOffset)
	return nil
}

// partial reports whether the answer stops inside the record batch it
// begins with: the batch is larger than the fetch asked for.
func partial(block *sarama.FetchResponseBlock) bool {
	if block.Partial {
		return true
	}
	if len(block.RecordsSet) != 1 {
		return false
	}
	rs := block.RecordsSet[0]
	return rs.RecordBatch != nil && rs.RecordBatch.PartialTrailingRecord ||
		rs.MsgSet != nil && rs.MsgSet.PartialTrailingMessage
}

func (f *fetcher) owns(p *tailPartition) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Contains(f.parts, p)
}

// records turns a fetch's answer for one partition into records, from
// offset from on, and says the offset to fetch next. Control batches
// (transaction markers) are stepped over; a broker may answer from the
// start of the batch holding from, so records before it are left out.
func (t *Tail) records(partition int32, from int64, block *sarama.FetchResponseBlock) ([]Record, int64) {
	n := 0
	for _, rs := range block.RecordsSet {
		switch {
		case rs.RecordBatch != nil:
			n += len(rs.RecordBatch.Records)
		case rs.MsgSet != nil:
			n += len(rs.MsgSet.Messages)
		}
	}
	out := make([]Record, 0, n)
	next := from
	for _, rs := range block.RecordsSet {
		switch {
		case rs.RecordBatch != nil:
			out, next = t.batchRecords(out, next, partition, rs.RecordBatch)
		case rs.MsgSet != nil:
			out, next = t.messageRecords(out, next, partition, rs.MsgSet)
		}
	}
	return out, next
}

// batchRecords appends a record batch's records from next on.
func (t *Tail) batchRecords(out []Record, next int64, partition int32, b *sarama.RecordBatch) ([]Record, int64) {
	if !b.Control {
		for _, r := range b.Records {
			offset := b.FirstOffset + r.OffsetDelta
			if offset < next {
				continue
			}
			rec := Record{
				Topic: t.Spec.Topic, Partition: partition, Offset: offset,
				Timestamp: b.FirstTimestamp.Add(r.TimestampDelta), Key: r.Key, Value: r.Value,
			}
			if b.LogAppendTime {
				rec.Timestamp, rec.LogAppendTime = b.MaxTimestamp, true
			}
			if len(r.Headers) > 0 {
				rec.Headers = make([]Header, len(r.Headers))
				for j, h := range r.Headers {
					rec.Headers[j] = Header{Key: h.Key, Value: h.Value}
				}
			}
			out = append(out, rec)
			next = offset + 1
		}
	}
	if !b.PartialTrailingRecord {
		// Records compacted away at the end of a batch, and a whole
		// control batch, are stepped over at once.
		next = max(next, b.FirstOffset+int64(b.LastOffsetDelta)+1)
	}
	return out, next
}

// messageRecords appends the records of a message set, the format of
// brokers before 0.11, from next on. A compressed message wraps others,
// whose offsets are relative to the wrapper's from format v1 on.
func (t *Tail) messageRecords(out []Record, next int64, partition int32, ms *sarama.MessageSet) ([]Record, int64) {
	for _, block := range ms.Messages {
		inner := block.Messages()
		for _, m := range inner {
			offset, ts, appendTime := m.Offset, m.Msg.Timestamp, false
			if m.Msg.Version >= 1 {
				offset += block.Offset - inner[len(inner)-1].Offset
				if m.Msg.LogAppendTime || block.Msg.LogAppendTime {
					ts, appendTime = block.Msg.Timestamp, true
				}
			}
			if offset < next {
				continue
			}
			out = append(out, Record{
				Topic: t.Spec.Topic, Partition: partition, Offset: offset, Timestamp: ts,
				LogAppendTime: appendTime, Key: m.Msg.Key, Value: m.Msg.Value,
			})
			next = offset + 1
		}
	}
	return out, next
}
