package kafkaclient

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/IBM/sarama"
)

// fillClassic fills g, a classic group, from its coordinator's
// DescribeGroups answer and its committed offsets.
func fillClassic(g *GroupInfo, desc *sarama.DescribeGroupsResponse, committed committedOffsets) {
	var d *sarama.GroupDescription
	for _, x := range desc.Groups {
		if x.GroupId == g.Name {
			d = x
		}
	}
	switch {
	case d == nil:
		g.Err = errors.New("the coordinator did not describe the group")
		return
	case errors.Is(d.Err, sarama.ErrGroupIDNotFound):
		g.State, g.Err = "Dead", fmt.Errorf("%w: %s", ErrNoSuchGroup, g.Name)
		return
	case !errors.Is(d.Err, sarama.ErrNoError):
		g.Err = d.Err
		return
	}
	g.State, g.ProtocolType, g.Protocol = d.State, d.ProtocolType, d.Protocol
	h := holders{owners: map[TopicPartition][]string{}}
	for id, m := range d.Members {
		gm := GroupMember{ID: id, ClientID: m.ClientId, Host: m.ClientHost, MemberEpoch: -1}
		if m.GroupInstanceId != nil {
			gm.InstanceID = *m.GroupInstanceId
		}
		if a, err := m.GetMemberAssignment(); err == nil && a != nil {
			for topic, parts := range a.Topics {
				for _, p := range parts {
					tp := TopicPartition{topic, p}
					gm.Assigned = append(gm.Assigned, tp)
					h.owners[tp] = []string{id}
				}
			}
		}
		// Other protocols (Connect's, Streams' own) frame their
		// metadata differently: read as a consumer's it would be noise.
		if d.ProtocolType == "consumer" {
			gm.Subscription = subscriptionOf(m)
		}
		// Members send the generation they last had when they join
		// (KIP-792), so the group's is one past the highest.
		if s := gm.Subscription; s != nil && s.Generation >= 0 {
			g.Generation = max(g.Generation, s.Generation+1)
		}
		slices.SortFunc(gm.Assigned, TopicPartition.Compare)
		g.Members = append(g.Members, gm)
	}
	slices.SortFunc(g.Members, func(a, b GroupMember) int { return strings.Compare(a.ClientID+a.ID, b.ClientID+b.ID) })
	g.Offsets, g.Err = committed.positions(&h)
}

// subscriptionOf decodes the ConsumerProtocolSubscription a member joined
// with; nil when the coordinator sent none (it sends it only while the
// group is Stable) or it does not decode.
func subscriptionOf(m *sarama.GroupMemberDescription) *Subscription {
	meta, err := m.GetMemberMetadata()
	if err != nil || meta == nil {
		return nil
	}
	s := &Subscription{Version: meta.Version, Topics: slices.Clone(meta.Topics), Generation: -1}
	if meta.Version >= 2 {
		s.Generation = meta.GenerationID
	}
	if meta.RackID != nil {
		s.Rack = *meta.RackID
	}
	for _, op := range meta.OwnedPartitions {
		if op == nil {
			continue
		}
		for _, p := range op.Partitions {
			s.Owned = append(s.Owned, TopicPartition{op.Topic, p})
		}
	}
	slices.SortFunc(s.Owned, TopicPartition.Compare)
	return s
}

// committedOffsets is what OffsetFetch answered for one group.
type committedOffsets struct {
	blocks map[string]map[int32]*sarama.OffsetFetchResponseBlock
	err    error
}

// positions is the group's position in every partition it committed in
// or holds, with the error the fetch had.
func (co committedOffsets) positions(h *holders) ([]PartitionOffsets, error) {
	committed := map[TopicPartition]int64{}
	for topic, parts := range co.blocks {
		for p, blk := range parts {
			off := int64(-1)
			if blk != nil && errors.Is(blk.Err, sarama.ErrNoError) && blk.Offset >= 0 {
				off = blk.Offset
			}
			committed[TopicPartition{topic, p}] = off
		}
	}
	return h.positions(committed), co.err
}

// holders says which members hold each partition of a group: owners are
// those assigned it now (several only in a share group), targets the one
// a consumer-protocol group's coordinator wants to have it.
type holders struct {
	owners  map[TopicPartition][]string
	targets map[TopicPartition]string
	// shared marks a share group's: every owner is a sharer.
	shared bool
}

// positions lists, sorted, every partition with a position (-1 for none
// committed) or a holder, with its holders; log ends are not known yet.
func (h *holders) positions(committed map[TopicPartition]int64) []PartitionOffsets {
	all := make(map[TopicPartition]int64, len(committed))
	maps.Copy(all, committed)
	if h != nil {
		for tp := range h.owners {
			if _, ok := all[tp]; !ok {
				all[tp] = -1
			}
		}
		for tp := range h.targets {
			if _, ok := all[tp]; !ok {
				all[tp] = -1
			}
		}
	}
	out := make([]PartitionOffsets, 0, len(all))
	for _, tp := range slices.SortedFunc(maps.Keys(all), TopicPartition.Compare) {
		o := PartitionOffsets{TopicPartition: tp, Committed: all[tp], LogEnd: -1}
		if h != nil {
			if owners := h.owners[tp]; len(owners) > 0 {
				o.Owner = owners[0]
				if h.shared {
					o.Sharers = owners
				}
			}
			o.Target = h.targets[tp]
		}
		out = append(out, o)
	}
	return out
}
