package kafkaclient

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"

	"github.com/IBM/sarama"
)

// StableOffsets reads the last stable offset of every partition of topic,
// where a read_committed consumer stops: the first offset of the oldest
// open transaction, or the high watermark when none holds it back. Each
// leader of the topic gets one read_committed ListOffsets request, all at
// once. It is asked on demand, by the view that shows it, rather than at
// every refresh: the refresh stays at two ListOffsets per broker. A
// leader that fails leaves its partitions out, and its error is returned
// beside what the others answered.
func (c *Client) StableOffsets(ctx context.Context, topic string) (map[int32]int64, error) {
	if !c.sconf.Version.IsAtLeast(sarama.V0_11_0_0) {
		return nil, fmt.Errorf("last stable offsets of %s: Kafka %s has no read_committed offsets (0.11 and later do)", topic, c.sconf.Version)
	}
	snap := c.snap.Load()
	var t *TopicInfo
	if snap != nil {
		t = snap.Topic(topic)
	}
	if t == nil {
		return nil, fmt.Errorf("last stable offsets of %s: %w", topic, ErrNoSuchTopic)
	}
	stable, err := c.stableOffsets(ctx, []*TopicInfo{t})
	out := map[int32]int64{}
	for tp, o := range stable {
		out[tp.Partition] = o
	}
	if err != nil {
		return out, fmt.Errorf("last stable offsets of %s: %w", topic, err)
	}
	return out, nil
}

// stableOffsets asks the leader of every partition of topics for its
// read_committed latest offset, one request per leader, all at once. A
// leader that fails leaves its partitions out; the error names it.
func (c *Client) stableOffsets(ctx context.Context, topics []*TopicInfo) (map[TopicPartition]int64, error) {
	byLeader := map[int32][]TopicPartition{}
	for _, t := range topics {
		for _, p := range t.Partitions {
			if p.Leader >= 0 {
				byLeader[p.Leader] = append(byLeader[p.Leader], TopicPartition{t.Name, p.ID})
			}
		}
	}
	type answer struct {
		offsets map[TopicPartition]int64
		err     error
	}
	answers, err := askEach(ctx, c, slices.Collect(maps.Keys(byLeader)), func(leader int32) answer {
		offsets, err := c.stableAt(leader, byLeader[leader])
		return answer{offsets, err}
	})
	if err != nil {
		return nil, err
	}
	out := map[TopicPartition]int64{}
	var errs []error
	for _, a := range answers {
		maps.Copy(out, a.offsets)
		if a.err != nil {
			errs = append(errs, a.err)
		}
	}
	return out, errors.Join(errs...)
}

// stableAt asks leader for the read_committed latest offset of parts.
func (c *Client) stableAt(leader int32, parts []TopicPartition) (map[TopicPartition]int64, error) {
	b, err := c.broker(leader)
	if err != nil {
		return nil, fmt.Errorf("broker %d: %w", leader, err)
	}
	req := sarama.NewOffsetRequest(c.sconf.Version)
	req.IsolationLevel = sarama.ReadCommitted
	for _, tp := range parts {
		req.AddBlock(tp.Topic, tp.Partition, sarama.OffsetNewest, 1)
	}
	resp, err := b.GetAvailableOffsets(req)
	if err != nil {
		return nil, fmt.Errorf("broker %d: %w", leader, err)
	}
	out := make(map[TopicPartition]int64, len(parts))
	for _, tp := range parts {
		if blk := resp.GetBlock(tp.Topic, tp.Partition); blk != nil && errors.Is(blk.Err, sarama.ErrNoError) {
			out[tp] = blk.Offset
		}
	}
	return out, nil
}
