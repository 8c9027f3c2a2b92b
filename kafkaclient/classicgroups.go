package kafkaclient

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/IBM/sarama"
)

// fillClassic fills g, a classic group, from its description in its
// coordinator's DescribeGroups answer (nil when the answer left it out)
// and its committed offsets.
func fillClassic(g *GroupInfo, d *sarama.GroupDescription, committed committedOffsets) {
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
	for id, m := range d.Members {
		gm := GroupMember{ID: id, ClientID: m.ClientId, Host: m.ClientHost, MemberEpoch: -1}
		if m.GroupInstanceId != nil {
			gm.InstanceID = *m.GroupInstanceId
		}
		if a, err := m.GetMemberAssignment(); err == nil && a != nil {
			for topic, parts := range a.Topics {
				gm.Assigned = slices.Grow(gm.Assigned, len(parts))
				for _, p := range parts {
					tp := TopicPartition{topic, p}
					gm.Assigned = append(gm.Assigned, tp)
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
	g.Offsets, g.Err = committed.positions(nil)
	g.Offsets = ownedBy(g.Offsets, g.Members)
}

// ownedBy names the owner of each of positions, sorted, among a classic
// group's members, and adds the partitions a member holds without a
// position (-1). A search in the sorted positions, not a map of owners:
// a refresh does this for every group, and the maps were a fifth of its
// CPU at 10,000 groups.
func ownedBy(positions []PartitionOffsets, members []GroupMember) []PartitionOffsets {
	positioned := len(positions)
	for _, m := range members {
		for _, tp := range m.Assigned {
			if i, found := slices.BinarySearchFunc(positions[:positioned], tp, comparePosition); found {
				positions[i].Owner = m.ID
				continue
			}
			positions = append(positions, PartitionOffsets{TopicPartition: tp, Committed: -1, LogEnd: -1, Owner: m.ID})
		}
	}
	if len(positions) > positioned {
		slices.SortStableFunc(positions, byPartition)
		// A partition two members claim (a coordinator's slip) is listed once.
		positions = slices.CompactFunc(positions, func(a, b PartitionOffsets) bool { return a.TopicPartition == b.TopicPartition })
	}
	return positions
}

func comparePosition(o PartitionOffsets, tp TopicPartition) int { return o.TopicPartition.Compare(tp) }

func byPartition(a, b PartitionOffsets) int { return a.TopicPartition.Compare(b.TopicPartition) }

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
	n := 0
	for _, parts := range co.blocks {
		n += len(parts)
	}
	// A slice built in order, not a map sorted afterwards: a refresh does
	// this for every partition of every group, and maps of a few entries
	// each, then sorting the positions, were a third of its CPU at 10,000
	// groups. Sorting the partition numbers is cheap.
	out := make([]PartitionOffsets, 0, n)
	var ps []int32
	for _, topic := range slices.Sorted(maps.Keys(co.blocks)) {
		parts := co.blocks[topic]
		ps = slices.AppendSeq(ps[:0], maps.Keys(parts))
		slices.Sort(ps)
		for _, p := range ps {
			off := int64(-1)
			if blk := parts[p]; blk != nil && errors.Is(blk.Err, sarama.ErrNoError) && blk.Offset >= 0 {
				off = blk.Offset
			}
			out = append(out, PartitionOffsets{TopicPartition: TopicPartition{topic, p}, Committed: off, LogEnd: -1})
		}
	}
	return h.complete(out), co.err
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
	out := make([]PartitionOffsets, 0, len(committed))
	for tp, off := range committed {
		out = append(out, PartitionOffsets{TopicPartition: tp, Committed: off, LogEnd: -1})
	}
	slices.SortFunc(out, byPartition)
	return h.complete(out)
}

// complete adds to positions, sorted and one a partition, those of the
// partitions held without one (-1), keeping them sorted, and names their
// holders.
func (h *holders) complete(out []PartitionOffsets) []PartitionOffsets {
	if h == nil {
		return out
	}
	positioned := len(out)
	add := func(tp TopicPartition) {
		if _, found := slices.BinarySearchFunc(out[:positioned], tp, comparePosition); !found && !slices.ContainsFunc(out[positioned:], func(o PartitionOffsets) bool { return o.TopicPartition == tp }) {
			out = append(out, PartitionOffsets{TopicPartition: tp, Committed: -1, LogEnd: -1})
		}
	}
	for tp := range h.owners {
		add(tp)
	}
	for tp := range h.targets {
		add(tp)
	}
	if len(out) > positioned {
		slices.SortFunc(out, byPartition)
	}
	for i := range out {
		o := &out[i]
		if owners := h.owners[o.TopicPartition]; len(owners) > 0 {
			o.Owner = owners[0]
			if h.shared {
				o.Sharers = owners
			}
		}
		o.Target = h.targets[o.TopicPartition]
	}
	return out
}
