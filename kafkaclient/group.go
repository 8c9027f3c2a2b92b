package kafkaclient

import (
	"cmp"
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
	// rebalances or when it has more members than partitions.
	Assigned []TopicPartition
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

// Rebalancing reports a group between generations.
func (g *GroupInfo) Rebalancing() bool {
	return g.State == "PreparingRebalance" || g.State == "CompletingRebalance"
}
