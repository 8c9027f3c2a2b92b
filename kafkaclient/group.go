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

// The group types Kafka 3.8 and later report (ListGroups v5). A broker
// may report others (Kafka 4.1 streams groups): kscope lists them with
// the state the broker gave, and does not describe them.
const (
	// TypeClassic: the protocol clients run among themselves through
	// JoinGroup and SyncGroup (every group before Kafka 4; also Connect's).
	TypeClassic = "classic"
	// TypeConsumer: the consumer protocol of KIP-848, where the
	// coordinator assigns partitions and members reconcile one by one.
	TypeConsumer = "consumer"
	// TypeShare: a share group (KIP-932), whose members share partitions
	// and acknowledge records one by one, as a queue's consumers do.
	TypeShare = "share"
)

// GroupMember is one member of a group as its coordinator describes it.
type GroupMember struct {
	ID         string
	InstanceID string
	ClientID   string
	Host       string
	// Assigned is the member's partitions, sorted; empty while a classic
	// group rebalances (the coordinator does not report assignments then)
	// or when the group has more members than partitions. In a
	// consumer-protocol group it is what the member has reconciled so far.
	Assigned []TopicPartition
	// Subscription is what the member sent when it joined the current
	// generation; nil when the coordinator did not report it (it reports
	// it only while the group is Stable) or the group does not speak the
	// classic consumer protocol.
	Subscription *Subscription

	// The fields below are set for consumer-protocol and share groups,
	// whose coordinator reports them on every describe.

	// MemberEpoch is the epoch the member last reconciled to; -1 in
	// classic groups.
	MemberEpoch int32
	// Rack is the rack the member says it is in, "" if none.
	Rack string
	// Subscribed are the topics the member subscribed to, sorted, and
	// SubscribedRegex the pattern it subscribed with, "" if none.
	Subscribed      []string
	SubscribedRegex string
	// Target is the assignment the coordinator wants the member to reach,
	// sorted: Assigned equals it once the member has reconciled.
	// Consumer-protocol groups only.
	Target []TopicPartition
}

// Revoking lists what a consumer-protocol member still owns and must give
// up: Assigned less Target.
func (m *GroupMember) Revoking() []TopicPartition { return minus(m.Assigned, m.Target) }

// Receiving lists what a consumer-protocol member is yet to get: Target
// less Assigned. A partition another member still owns waits for that
// member to revoke it.
func (m *GroupMember) Receiving() []TopicPartition { return minus(m.Target, m.Assigned) }

// minus lists the partitions of sorted a that are not in sorted b.
func minus(a, b []TopicPartition) []TopicPartition {
	var out []TopicPartition
	for _, p := range a {
		if _, found := slices.BinarySearchFunc(b, p, TopicPartition.Compare); !found {
			out = append(out, p)
		}
	}
	return out
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
	// Committed is the group's committed offset, -1 when it has none. In
	// a share group it is the share-partition start offset: every record
	// before it was delivered and acknowledged (or given up on).
	Committed int64
	// LogEnd is the partition's high watermark, -1 when unknown.
	LogEnd int64
	// Owner is the ID of the member assigned the partition, "" when none;
	// in a consumer-protocol group, the member that has it now.
	Owner string
	// Target is the member a consumer-protocol group's coordinator
	// assigns the partition to, "" for none: it differs from Owner while
	// the partition moves.
	Target string
	// Sharers lists every member of a share group assigned the partition,
	// in the order of GroupInfo.Members (members share partitions there;
	// Owner is the first).
	Sharers []string
	// ReportedLag is a share partition's lag as its broker counts it,
	// when LagReported (DescribeShareGroupOffsets v1 and later). Kafka
	// leaves the start offset at the first offset of the last batch it
	// handed out, even once every record was acknowledged, so log end −
	// start would count that batch as lag for ever.
	ReportedLag int64
	LagReported bool
}

// Position is how far the group has read: the committed offset, or in a
// share partition whose broker reports its lag, the log end less that
// lag. -1 when unknown.
func (p PartitionOffsets) Position() int64 {
	if p.LagReported && p.LogEnd >= 0 {
		return max(p.LogEnd-p.ReportedLag, 0)
	}
	return p.Committed
}

// Lag is log-end − position, never negative; ok is false when the group
// has no commit for the partition or the log end is unknown, which is not
// the same as no lag. In a share group it counts the records not yet
// delivered and acknowledged.
func (p PartitionOffsets) Lag() (lag int64, ok bool) {
	pos := p.Position()
	if pos < 0 || p.LogEnd < 0 {
		return 0, false
	}
	return max(p.LogEnd-pos, 0), true
}

// GroupInfo is one observation of a consumer group.
type GroupInfo struct {
	Name string
	// Type is TypeClassic, TypeConsumer, TypeShare or another type the
	// broker reports; "" from brokers older than Kafka 3.8, whose groups
	// are all classic.
	Type string
	// State is the coordinator's, as the group's type defines them:
	// classic groups are Stable, PreparingRebalance, CompletingRebalance,
	// Empty or Dead; consumer-protocol groups Empty, Assigning,
	// Reconciling, Stable or Dead; share groups Empty, Stable or Dead.
	State        string
	ProtocolType string // "consumer" for consumer groups, "share" for share groups; connect and others are listed too
	// Protocol is the assignor, e.g. range, roundrobin, cooperative-sticky;
	// in consumer-protocol and share groups the coordinator's own
	// (uniform, range, simple).
	Protocol string
	// Generation is read from the assignment where the assignor records it
	// (sticky ones do); -1 when the group does not show it, and in
	// consumer-protocol and share groups, which have epochs instead.
	Generation int32
	// Epoch is a consumer-protocol or share group's epoch, bumped at each
	// change of its members or their subscriptions; AssignmentEpoch the
	// epoch its target assignment was computed for. -1 in classic groups.
	Epoch, AssignmentEpoch int32
	Coordinator            int32
	Members                []GroupMember
	Offsets                []PartitionOffsets // sorted by topic and partition
	Err                    error
	At                     time.Time
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

// Rebalancing reports a classic group between generations. Its
// coordinator then reports no member's assignment or subscription: who
// owns what is not known from the observation. A consumer-protocol group
// never is: its members' assignments are always reported (see
// Reconciling).
func (g *GroupInfo) Rebalancing() bool {
	return g.State == "PreparingRebalance" || g.State == "CompletingRebalance"
}

// IsClassic reports a group of the classic protocol, including those of
// brokers too old to report a type.
func (g *GroupInfo) IsClassic() bool { return g.Type == "" || g.Type == TypeClassic }

// Described reports a group whose type kscope describes: members and
// assignments are known. Other types show the state the broker listed.
func (g *GroupInfo) Described() bool {
	return g.IsClassic() || g.Type == TypeConsumer || g.Type == TypeShare
}

// Reconciling reports a consumer-protocol group whose target assignment
// some member has not reached yet: the protocol's rebalance, which goes
// on member by member while the others keep consuming.
func (g *GroupInfo) Reconciling() bool {
	if g.Type != TypeConsumer {
		return false
	}
	for i := range g.Members {
		if g.MemberReconciling(&g.Members[i]) {
			return true
		}
	}
	return g.State == "Assigning" || g.State == "Reconciling"
}

// MemberReconciling reports a consumer-protocol member still on its way
// to the group's target: its epoch is behind the group's, or what it
// owns is not yet its target.
func (g *GroupInfo) MemberReconciling(m *GroupMember) bool {
	// A static member that left with epoch -2 is away, not reconciling:
	// its partitions wait for it until its session times out.
	if g.Type != TypeConsumer || m.MemberEpoch < 0 {
		return false
	}
	return m.MemberEpoch < g.Epoch || !slices.Equal(m.Assigned, m.Target)
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
