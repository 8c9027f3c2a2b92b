package kafkaclient

import (
	"errors"
	"sync/atomic"
	"time"

	"github.com/IBM/sarama"
)

// watermarkAskInterval is how often a tail asks the leaders of its
// partitions for their high watermarks.
const watermarkAskInterval = time.Second

// askWatermarks asks the leaders of the tail's partitions for their high
// watermarks every watermarkAskInterval until the tail stops, so that a
// reader is judged against the partition as it is now. The watermark the
// tail opened with says nothing of a reader that stops receiving later,
// and a fetch that returns no records leaves sarama's copy unchanged, so
// neither tells an idle partition from a silent leader.
//
// The asks go over the tail's own connections, behind its fetches: a
// leader that does not answer the reader does not answer the ask either,
// and the reader is not found caught up.
func (t *Tail) askWatermarks() {
	tick := time.NewTicker(watermarkAskInterval)
	defer tick.Stop()
	// Finding the leaders may refresh the metadata, which can take as
	// long as the cluster makes it; ticks meanwhile are skipped.
	var looking atomic.Bool
	for {
		select {
		case <-t.stopped:
			return
		case <-tick.C:
		}
		if looking.CompareAndSwap(false, true) {
			t.asks.Go(func() {
				defer looking.Store(false)
				t.askLeaders()
			})
		}
	}
}

// askLeaders sends each leader one ListOffsets request for the partitions
// it leads. A leader still to answer the previous ask is not asked again,
// so a silent broker holds back only the partitions it leads.
func (t *Tail) askLeaders() {
	byLeader := map[int32][]*tailPartition{}
	brokers := map[int32]*sarama.Broker{}
	for _, p := range t.parts {
		if t.stopping() {
			return
		}
		gen, next := p.position()
		b, err := t.client.Leader(t.Spec.Topic, p.id)
		if err != nil {
			p.observe(gen, next, 0, time.Time{}, err)
			continue
		}
		byLeader[b.ID()] = append(byLeader[b.ID()], p)
		brokers[b.ID()] = b
	}
	for id, parts := range byLeader {
		if !t.claimLeader(id) {
			continue
		}
		t.asks.Go(func() {
			defer t.releaseLeader(id)
			t.askLeader(brokers[id], parts)
		})
	}
}

func (t *Tail) claimLeader(id int32) bool {
	t.askMu.Lock()
	defer t.askMu.Unlock()
	if t.asking[id] || t.stopping() {
		return false
	}
	t.asking[id] = true
	return true
}

func (t *Tail) releaseLeader(id int32) {
	t.askMu.Lock()
	defer t.askMu.Unlock()
	delete(t.asking, id)
}

// askLeader asks one leader for the high watermarks of parts.
func (t *Tail) askLeader(b *sarama.Broker, parts []*tailPartition) {
	req := sarama.NewOffsetRequest(t.version)
	gens, nexts := make([]int, len(parts)), make([]int64, len(parts))
	for i, p := range parts {
		req.AddBlock(t.Spec.Topic, p.id, sarama.OffsetNewest, 1)
		gens[i], nexts[i] = p.position()
	}
	at := time.Now()
	resp, err := b.GetAvailableOffsets(req)
	for i, p := range parts {
		high, perr := int64(0), err
		if err == nil {
			switch blk := resp.GetBlock(t.Spec.Topic, p.id); {
			case blk == nil:
				perr = errors.New("no watermark in the leader's answer")
			case !errors.Is(blk.Err, sarama.ErrNoError):
				perr = blk.Err
			default:
				high = blk.Offset
			}
		}
		p.observe(gens[i], nexts[i], high, at, perr)
	}
}
