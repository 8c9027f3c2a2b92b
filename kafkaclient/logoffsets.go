package kafkaclient

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/IBM/sarama"
)

// partitionsByLeader checks partitions against a topic's metadata and
// groups them by leader, so that each leader gets one request for all of
// its partitions. nil means every partition of the topic. The partitions
// come back sorted, each once.
func partitionsByLeader(tm *sarama.TopicMetadata, partitions []int32) ([]int32, map[int32][]int32, error) {
	leaderOf := make(map[int32]int32, len(tm.Partitions))
	for _, p := range tm.Partitions {
		leaderOf[p.ID] = p.Leader
	}
	parts := slices.Clone(partitions)
	if parts == nil {
		for _, p := range tm.Partitions {
			parts = append(parts, p.ID)
		}
	}
	slices.Sort(parts)
	parts = slices.Compact(parts)
	byLeader := map[int32][]int32{}
	for _, p := range parts {
		leader, ok := leaderOf[p]
		switch {
		case !ok:
			return nil, nil, fmt.Errorf("the topic has no partition %d (it has %d)", p, len(tm.Partitions))
		case leader < 0:
			return nil, nil, fmt.Errorf("partition %d has no leader", p)
		}
		byLeader[leader] = append(byLeader[leader], p)
	}
	return parts, byLeader, nil
}

// Where logOffsets' answer to logTimes holds each offset.
const (
	atLow  = iota // the log start
	atHigh        // the log end
	atTime        // the first offset at or after a time: -1 when no record is that recent
)

// logTimes is what logOffsets asks for: the log's start and end, and the
// offsets at a time when there is one.
func logTimes(at *time.Time) []int64 {
	times := []int64{sarama.OffsetOldest, sarama.OffsetNewest}
	if at != nil {
		times = append(times, at.UnixMilli())
	}
	return times
}

// logOffsets reads the offset of each partition at each of times
// (OffsetOldest, OffsetNewest or a time in ms), with one ListOffsets
// request per leader for each time, all at once. The answer holds one
// map of partition to offset per time. A request is not sent once ctx is
// done; one already sent is waited for, since sarama cannot abandon it.
func (c *Client) logOffsets(ctx context.Context, topic string, byLeader map[int32][]int32, times []int64) ([]map[int32]int64, error) {
	out := make([]map[int32]int64, len(times))
	for i := range out {
		out[i] = map[int32]int64{}
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var mu sync.Mutex
	var errs []error
	var wg sync.WaitGroup
	for leader, parts := range byLeader {
		for i, ts := range times {
			wg.Go(func() {
				var resp *sarama.OffsetResponse
				b, err := c.broker(leader)
				if err == nil {
					err = ctx.Err()
				}
				if err == nil {
					resp, err = c.offsetsAt(b, ts, func(add func(string, int32)) {
						for _, p := range parts {
							add(topic, p)
						}
					})
				}
				mu.Lock()
				defer mu.Unlock()
				if err != nil {
					errs = append(errs, fmt.Errorf("broker %d: %w", leader, err))
					return
				}
				for _, p := range parts {
					switch blk := resp.GetBlock(topic, p); {
					case blk == nil:
						errs = append(errs, fmt.Errorf("%s/%d: no offset in the answer", topic, p))
					case !errors.Is(blk.Err, sarama.ErrNoError):
						errs = append(errs, fmt.Errorf("%s/%d: %w", topic, p, blk.Err))
					default:
						out[i][p] = blk.Offset
					}
				}
			})
		}
	}
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if len(errs) > 0 {
		return nil, fmt.Errorf("reading offsets: %w", errors.Join(errs...))
	}
	return out, nil
}
