package kafkaclient

import (
	"errors"
	"slices"
	"sync"
	"time"

	"github.com/IBM/sarama"
)

// withWatermarks returns a copy of snap with every partition's low and
// high watermark. Each leader gets one ListOffsets request for the
// earliest offsets of all the partitions it leads and one for the latest,
// sent to all leaders at once: 2 × brokers requests, whatever the
// partition count.
func (c *Client) withWatermarks(snap *Snapshot) *Snapshot {
	byLeader := map[int32][]partRef{}
	for ti := range snap.Topics {
		for pi, p := range snap.Topics[ti].Partitions {
			if p.Leader >= 0 {
				byLeader[p.Leader] = append(byLeader[p.Leader], partRef{ti, pi})
			}
		}
	}

	out := *snap
	out.Topics = make([]TopicInfo, len(snap.Topics))
	for i, t := range snap.Topics {
		out.Topics[i] = t
		out.Topics[i].Partitions = slices.Clone(t.Partitions)
	}
	out.Brokers = slices.Clone(snap.Brokers)

	var wg sync.WaitGroup
	brokerErr := make([]error, len(out.Brokers))
	for bi, bk := range out.Brokers {
		if errors.Is(bk.Err, ErrBrokerNotRegistered) {
			// Not listed, so no address to ask at: down as the metadata said.
			brokerErr[bi] = bk.Err
			continue
		}
		parts := byLeader[bk.ID]
		wg.Go(func() {
			b, err := c.pool.get(bk.ID)
			if err == nil && len(parts) == 0 {
				// A broker that leads nothing gets no ListOffsets; without
				// a request of its own an open but silent connection would
				// pass for up.
				_, err = b.ApiVersions(&sarama.ApiVersionsRequest{})
			}
			if err == nil && len(parts) > 0 {
				var low, high *sarama.OffsetResponse
				low, high, err = c.listOffsets(b, out.Topics, parts)
				if err == nil {
					// Each goroutine writes only the partitions its broker leads.
					for _, x := range parts {
						p := &out.Topics[x.topic].Partitions[x.partition]
						name := out.Topics[x.topic].Name
						lb, hb := low.GetBlock(name, p.ID), high.GetBlock(name, p.ID)
						switch {
						case lb == nil || hb == nil:
							p.Err = errors.New("no watermarks in the broker's answer")
						case !errors.Is(lb.Err, sarama.ErrNoError):
							p.Err = lb.Err
						case !errors.Is(hb.Err, sarama.ErrNoError):
							p.Err = hb.Err
						default:
							p.Low, p.High, p.WatermarksKnown = lb.Offset, hb.Offset, true
						}
					}
				}
			}
			c.pool.report(bk.ID, err)
			brokerErr[bi] = err
		})
	}
	wg.Wait()
	for i := range out.Brokers {
		out.Brokers[i].Err = brokerErr[i]
		out.Brokers[i].Up = brokerErr[i] == nil
	}
	out.WatermarksAt = time.Now()
	return &out
}

// partRef points at a partition inside a snapshot's topic list.
type partRef struct{ topic, partition int }

func (c *Client) listOffsets(b *sarama.Broker, topics []TopicInfo, parts []partRef) (low, high *sarama.OffsetResponse, err error) {
	blocks := func(add func(string, int32)) {
		for _, x := range parts {
			add(topics[x.topic].Name, topics[x.topic].Partitions[x.partition].ID)
		}
	}
	var lowErr, highErr error
	var wg sync.WaitGroup
	wg.Go(func() { low, lowErr = c.offsetsAt(b, sarama.OffsetOldest, blocks) })
	high, highErr = c.offsetsAt(b, sarama.OffsetNewest, blocks)
	wg.Wait()
	return low, high, errors.Join(lowErr, highErr)
}

// offsetsAt sends one ListOffsets request for every partition blocks adds,
// asking for the offset at ts (a time in ms, or OffsetOldest/OffsetNewest).
func (c *Client) offsetsAt(b *sarama.Broker, ts int64, blocks func(add func(topic string, partition int32))) (*sarama.OffsetResponse, error) {
	req := sarama.NewOffsetRequest(c.sconf.Version)
	blocks(func(topic string, partition int32) { req.AddBlock(topic, partition, ts, 1) })
	return b.GetAvailableOffsets(req)
}
