package kafkaclient

import (
	"cmp"
	"slices"
	"strings"
	"time"
)

// TopicPartition names one partition.
type TopicPartition struct {
	Topic     string
	Partition int32
}

// Compare orders partitions by topic, then number.
func (a TopicPartition) Compare(b TopicPartition) int {
	if c := strings.Compare(a.Topic, b.Topic); c != 0 {
		return c
	}
	return cmp.Compare(a.Partition, b.Partition)
}

// GroupMember is one member of a group as its coordinator describes it.
type GroupMember struct {
	ID         string
	InstanceID string
	ClientID   string
	Host       string
	// Assigned is the member's partitions, sorted; empty while the group
	// rebalances (the coordinator does not report assignments then) or
	// when it has more members than partitions.
	Assigned []TopicPartition
	// Subscription is what the member sent when it joined the current
	// generation; nil when the coordinator did not report it (it reports
	// it only while the group is Stable) or the group does not speak the
	// consumer protocol.
	Subscription *Subscription
}

// Subscription is a consumer's ConsumerProtocolSubscription, the metadata
// it joins its group with.
type Subscription struct {
	// Version is the subscription's schema version: owned partitions need
	// 1 (KIP-429), the generation 2 (KIP-792), the rack 3.
	Version int16
	Topics  []string
	// Owned is what the member still owned when it joined, sorted. A
	// cooperative member keeps consuming these through the rebalance; an
	// eager one gives everything up before it joins and reports none.
	Owned []TopicPartition
	// Generation is the one the member last had, -1 when not reported.
	Generation int32
	Rack       string
}

// Owns reports whether the member said it still owned tp when it joined.
func (s *Subscription) Owns(tp TopicPartition) bool {
	if s == nil {
		return false
	}
	_, found := slices.BinarySearchFunc(s.Owned, tp, TopicPartition.Compare)
	return found
}

// PartitionOffsets is a group's position in one partition.
type PartitionOffsets struct {
	TopicPartition
	// Committed is the group's committed offset, -1 when it has none.
	Committed int64
	// LogEnd is the partition's high watermark, -1 when unknown.
	LogEnd int64
	// Owner is the ID of the member assigned the partition, "" when none.
	Owner string
}

// Lag is log-end − committed, never negative; ok is false when the group
// has no commit for the partition or the log end is unknown, which is not
// the same as no lag.
func (p PartitionOffsets) Lag() (lag int64, ok bool) {
	if p.Committed < 0 || p.LogEnd < 0 {
		return 0, false
	}
	return max(p.LogEnd-p.Committed, 0), true
}

// GroupInfo is one observation of a consumer group.
type GroupInfo struct {
	Name string
	// State is the coordinator's: Stable, PreparingRebalance,
	// CompletingRebalance, Empty, Dead (or Unknown).
	State        string
	ProtocolType string // "consumer" for consumer groups; connect and others are listed too
	Protocol     string // the assignor, e.g. range, roundrobin, cooperative-sticky
	// Generation is read from the assignment where the assignor records it
	// (sticky ones do); -1 when the group does not show it.
	Generation  int32
	Coordinator int32
	Members     []GroupMember
	Offsets     []PartitionOffsets // sorted by topic and partition
	Err         error
	At          time.Time
}

// Topics lists the topics the group has offsets or assignments in.
func (g *GroupInfo) Topics() []string {
	var out []string
	for _, o := range g.Offsets {
		if len(out) == 0 || out[len(out)-1] != o.Topic {
			out = append(out, o.Topic)
		}
	}
	return out
}

// TotalLag sums the lag of partitions that have one.
func (g *GroupInfo) TotalLag() int64 {
	var n int64
	for _, o := range g.Offsets {
		if l, ok := o.Lag(); ok {
			n += l
		}
	}
	return n
}

// Rebalancing reports a group between generations. Its coordinator then
// reports no member's assignment or subscription: who owns what is not
// known from the observation.
func (g *GroupInfo) Rebalancing() bool {
	return g.State == "PreparingRebalance" || g.State == "CompletingRebalance"
}

// Member returns the member whose ID is id, or nil.
func (g *GroupInfo) Member(id string) *GroupMember {
	for i := range g.Members {
		if g.Members[i].ID == id {
			return &g.Members[i]
		}
	}
	return nil
}
