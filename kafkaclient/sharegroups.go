package kafkaclient

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/twmb/franz-go/pkg/kmsg"
)

// shareAnswer is what a coordinator answered for the share groups it
// coordinates: their describe, and their share-partition start offsets.
type shareAnswer struct {
	groups  map[string]*kmsg.ShareGroupDescribeResponseGroup
	offsets map[string]*kmsg.DescribeShareGroupOffsetsResponseGroup
	err     error
	offErr  error
}

// describeShareGroups describes share groups at their coordinator and
// reads their start offsets, one ShareGroupDescribe and one
// DescribeShareGroupOffsets for all of them, at once (KIP-932's APIs,
// which sarama does not speak).
func (c *Client) describeShareGroups(ctx context.Context, coord int32, names []string) shareAnswer {
	a := shareAnswer{
		groups:  map[string]*kmsg.ShareGroupDescribeResponseGroup{},
		offsets: map[string]*kmsg.DescribeShareGroupOffsetsResponseGroup{},
	}
	var wg sync.WaitGroup
	wg.Go(func() {
		req := kmsg.NewPtrShareGroupDescribeRequest()
		req.GroupIDs = names
		resp, err := c.franz.request(ctx, coord, req)
		if err != nil {
			a.err = fmt.Errorf("describe share groups at %d: %w", coord, err)
			return
		}
		r := resp.(*kmsg.ShareGroupDescribeResponse)
		for i := range r.Groups {
			a.groups[r.Groups[i].GroupID] = &r.Groups[i]
		}
	})
	wg.Go(func() {
		req := kmsg.NewPtrDescribeShareGroupOffsetsRequest()
		for _, n := range names {
			rg := kmsg.NewDescribeShareGroupOffsetsRequestGroup()
			rg.GroupID = n // no topics: every partition the group has a state for
			req.Groups = append(req.Groups, rg)
		}
		resp, err := c.franz.request(ctx, coord, req)
		if err != nil {
			a.offErr = fmt.Errorf("describe share group offsets at %d: %w", coord, err)
			return
		}
		r := resp.(*kmsg.DescribeShareGroupOffsetsResponse)
		for i := range r.Groups {
			a.offsets[r.Groups[i].GroupID] = &r.Groups[i]
		}
	})
	wg.Wait()
	return a
}

// fillShare fills g, a share group, from its describe and start offsets.
// Its members share partitions; each partition's position is its start
// offset, before which every record was delivered and acknowledged, so
// its lag is what is left to deliver.
func fillShare(g *GroupInfo, a shareAnswer, names topicNamer) {
	d := described(g, a.err, a.groups, func(d *kmsg.ShareGroupDescribeResponseGroup) (int16, *string) { return d.ErrorCode, d.ErrorMessage })
	if d == nil {
		return
	}
	g.State, g.Protocol = d.GroupState, d.Assignor
	g.ProtocolType = cmp.Or(g.ProtocolType, "share")
	g.Epoch, g.AssignmentEpoch = d.GroupEpoch, d.AssignmentEpoch
	h := holders{owners: map[TopicPartition][]string{}, shared: true}
	for _, m := range d.Members {
		gm := GroupMember{ID: m.MemberID, ClientID: m.ClientID, Host: m.ClientHost, MemberEpoch: m.MemberEpoch,
			Rack: deref(m.RackID), Subscribed: slices.Sorted(slices.Values(m.SubscribedTopicNames))}
		for _, t := range m.Assignment.TopicPartitions {
			topic := names(t.TopicID, t.Topic)
			for _, p := range t.Partitions {
				gm.Assigned = append(gm.Assigned, TopicPartition{topic, p})
			}
		}
		slices.SortFunc(gm.Assigned, TopicPartition.Compare)
		g.Members = append(g.Members, gm)
	}
	slices.SortFunc(g.Members, func(a, b GroupMember) int { return strings.Compare(a.ClientID+a.ID, b.ClientID+b.ID) })
	// Sharers are listed in the members' order.
	for _, m := range g.Members {
		for _, tp := range m.Assigned {
			h.owners[tp] = append(h.owners[tp], m.ID)
		}
	}
	starts, lags, err := shareStarts(g.Name, a, names)
	g.Offsets, g.Err = h.positions(starts), err
	for i := range g.Offsets {
		g.Offsets[i].ReportedLag, g.Offsets[i].LagReported = lags[g.Offsets[i].TopicPartition]
	}
}

// shareStarts maps each share-partition of group to its start offset, -1
// where it has none yet (no member fetched from it), and to its lag where
// the broker reports one.
func shareStarts(group string, a shareAnswer, names topicNamer) (map[TopicPartition]int64, map[TopicPartition]int64, error) {
	if a.offErr != nil {
		return nil, nil, a.offErr
	}
	o := a.offsets[group]
	if o == nil {
		return nil, nil, errors.New("the coordinator did not answer for the group's start offsets")
	}
	if err := kafkaError(o.ErrorCode); err != nil {
		return nil, nil, fmt.Errorf("start offsets: %w", err)
	}
	out, lags := map[TopicPartition]int64{}, map[TopicPartition]int64{}
	for _, t := range o.Topics {
		topic := names(t.TopicID, t.Topic)
		for _, p := range t.Partitions {
			start := int64(-1)
			if p.ErrorCode == 0 && p.StartOffset >= 0 {
				start = p.StartOffset
			}
			tp := TopicPartition{topic, p.Partition}
			out[tp] = start
			if p.ErrorCode == 0 && p.Lag >= 0 {
				lags[tp] = p.Lag
			}
		}
	}
	return out, lags, nil
}
