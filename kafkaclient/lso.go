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
	byLeader := map[int32][]int32{}
	for _, p := range t.Partitions {
		if p.Leader >= 0 {
			byLeader[p.Leader] = append(byLeader[p.Leader], p.ID)
		}
	}
	type answer struct {
		offsets map[int32]int64
		err     error
	}
	answers, err := askEach(ctx, c, slices.Collect(maps.Keys(byLeader)), func(leader int32) answer {
		offsets, err := c.stableAt(leader, topic, byLeader[leader])
		return answer{offsets, err}
	})
	if err != nil {
		return nil, err
	}
	out := map[int32]int64{}
	var errs []error
	for _, a := range answers {
		maps.Copy(out, a.offsets)
		if a.err != nil {
			errs = append(errs, a.err)
		}
	}
	if err := errors.Join(errs...); err != nil {
		return out, fmt.Errorf("last stable offsets of %s: %w", topic, err)
	}
	return out, nil
}

// stableAt asks leader for the read_committed latest offset of parts.
func (c *Client) stableAt(leader int32, topic string, parts []int32) (map[int32]int64, error) {
	b, err := c.broker(leader)
	if err != nil {
		return nil, fmt.Errorf("broker %d: %w", leader, err)
	}
	req := sarama.NewOffsetRequest(c.sconf.Version)
	req.IsolationLevel = sarama.ReadCommitted
	for _, p := range parts {
		req.AddBlock(topic, p, sarama.OffsetNewest, 1)
	}
	resp, err := b.GetAvailableOffsets(req)
	if err != nil {
		return nil, fmt.Errorf("broker %d: %w", leader, err)
	}
	out := map[int32]int64{}
	for _, p := range parts {
		if blk := resp.GetBlock(topic, p); blk != nil && errors.Is(blk.Err, sarama.ErrNoError) {
			out[p] = blk.Offset
		}
	}
	return out, nil
}
