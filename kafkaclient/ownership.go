package kafkaclient

import (
	"maps"
	"slices"
	"strings"
	"time"
)

// eagerAssignors support only the eager rebalance protocol: every member
// of a group that uses one gives up all its partitions when a rebalance
// starts. Members of a group on any other assignor (cooperative-sticky,
// or one kscope does not know) may keep theirs through it (KIP-429), so
// their ownership is unknown until they report it.
var eagerAssignors = map[string]bool{"range": true, "roundrobin": true, "sticky": true}

// ownership is who owns what after an observation, and the partition
// events that lead there from the timeline's state.
type ownership struct {
	events  []TimelineEvent
	owners  map[TopicPartition]string
	unknown map[TopicPartition]unknownOwner
	lostAt  map[TopicPartition]time.Time
	// keptBefore maps a partition whose owner was never known to the
	// member that reported owning it all along.
	keptBefore map[TopicPartition]string
}

// ownership works out, from the timeline's state and g, who owns each
// partition and the events that say what changed. It changes nothing.
//
// While the group rebalances the coordinator reports no assignment: a
// partition whose owner left, or whose group is eager, really lost it;
// any other owner is unknown until the group is Stable again. Then each
// member's subscription says what it still owned when it joined: a
// partition its last owner reported kept was never without a consumer;
// one it did not report, or whose owner left, was without one from the
// time its owner stopped being reported.
func (t *Timeline) ownership(prev, g *GroupInfo) ownership {
	o := ownership{
		owners:     map[TopicPartition]string{},
		unknown:    map[TopicPartition]unknownOwner{},
		lostAt:     maps.Clone(t.lostAt),
		keptBefore: map[TopicPartition]string{},
	}
	if o.lostAt == nil {
		o.lostAt = map[TopicPartition]time.Time{}
	}
	clients := clientIDs(prev, g)
	event := func(kind TimelineKind, p TopicPartition, from, to string) *TimelineEvent {
		o.events = append(o.events, TimelineEvent{At: g.At, Kind: kind, Partition: p, From: from, To: to,
			FromClient: clients[from], ToClient: clients[to]})
		return &o.events[len(o.events)-1]
	}
	if g.Rebalancing() {
		t.unreported(g, &o, event)
	} else {
		t.reported(g, &o, event)
	}
	return o
}

// unreported handles an observation without assignments.
func (t *Timeline) unreported(g *GroupInfo, o *ownership, event func(TimelineKind, TopicPartition, string, string) *TimelineEvent) {
	eager := t.protocolType == "consumer" && eagerAssignors[t.assignor]
	var hidden []TopicPartition
	for _, p := range slices.SortedFunc(maps.Keys(unionKeys(t.owners, t.unknown)), TopicPartition.Compare) {
		u, wasUnknown := t.unknown[p]
		owner := t.owners[p]
		if wasUnknown {
			owner = u.last
		}
		switch {
		case owner != "" && g.Member(owner) == nil, owner != "" && eager && !wasUnknown:
			event(EventPartitionUnowned, p, owner, "")
			o.lostAt[p] = g.At
		case wasUnknown:
			o.unknown[p] = u
		default:
			o.unknown[p] = unknownOwner{last: owner, since: g.At}
			hidden = append(hidden, p)
		}
	}
	if len(hidden) > 0 {
		o.events = append(o.events, TimelineEvent{At: g.At, Kind: EventOwnersUnknown, Partitions: hidden})
	}
}

// reported handles an observation with assignments: a Stable group, or
// an Empty one whose members all left.
func (t *Timeline) reported(g *GroupInfo, o *ownership, event func(TimelineKind, TopicPartition, string, string) *TimelineEvent) {
	now := ownersOf(g)
	o.owners = now
	all := unionKeys(unionKeys(t.owners, now), t.unknown)
	for _, p := range slices.SortedFunc(maps.Keys(all), TopicPartition.Compare) {
		to := now[p]
		from := t.owners[p]
		var lost time.Time // when p lost its owner unseen, during the rebalance
		if u, ok := t.unknown[p]; ok {
			from = u.last
			switch {
			case from == "" && to != "" && ownsReported(g, to, p):
				o.keptBefore[p] = to
				continue
			case from == "":
				if to != "" {
					event(EventPartitionAssigned, p, "", to).FromUnknown = true
				}
				continue
			case ownsReported(g, from, p):
				// Kept all along: what follows is an ordinary change.
			case g.Member(from) == nil || g.Member(from).Subscription != nil:
				lost = u.since
			}
			// Otherwise the member's report is not readable (another
			// protocol): compare the owners before and after, and claim
			// no time without a consumer that nothing showed.
		}
		switch {
		case !lost.IsZero() && to == "":
			event(EventPartitionUnowned, p, from, "")
			o.lostAt[p] = lost
		case !lost.IsZero():
			event(EventPartitionMoved, p, from, to).Unowned = g.At.Sub(lost)
		case from == to:
		case to == "":
			event(EventPartitionUnowned, p, from, "")
			o.lostAt[p] = g.At
		case from == "":
			e := event(EventPartitionAssigned, p, "", to)
			if at, ok := o.lostAt[p]; ok {
				e.Unowned = g.At.Sub(at)
			}
		default:
			event(EventPartitionMoved, p, from, to)
		}
	}
	for p := range now {
		delete(o.lostAt, p)
	}
}

// ownsReported reports whether member id of g said it still owned p when
// it joined the current generation.
func ownsReported(g *GroupInfo, id string, p TopicPartition) bool {
	m := g.Member(id)
	return m != nil && m.Subscription.Owns(p)
}

// ownersOf maps each assigned partition to its member ID. Should two
// members claim one partition, the first listed wins, so that the answer
// does not depend on map order.
func ownersOf(g *GroupInfo) map[TopicPartition]string {
	out := map[TopicPartition]string{}
	for _, m := range g.Members {
		for _, p := range m.Assigned {
			if _, ok := out[p]; !ok {
				out[p] = m.ID
			}
		}
	}
	return out
}

// unownedOffsets lists the partitions the group has offsets for and no
// member is assigned.
func unownedOffsets(g *GroupInfo, owners map[TopicPartition]string) []TopicPartition {
	var out []TopicPartition
	for _, o := range g.Offsets {
		if owners[o.TopicPartition] == "" {
			out = append(out, o.TopicPartition)
		}
	}
	return out
}

// missingMembers returns the members of a whose ID is not in b, by ID.
func missingMembers(a, b []GroupMember) []GroupMember {
	var out []GroupMember
	for _, m := range a {
		if !slices.ContainsFunc(b, func(o GroupMember) bool { return o.ID == m.ID }) {
			out = append(out, m)
		}
	}
	slices.SortFunc(out, func(x, y GroupMember) int { return strings.Compare(x.ID, y.ID) })
	return out
}

// clientIDs maps member ID → client ID over both observations, so that a
// partition event can name a member that has just left.
func clientIDs(prev, cur *GroupInfo) map[string]string {
	out := map[string]string{}
	for _, g := range []*GroupInfo{prev, cur} {
		for _, m := range g.Members {
			out[m.ID] = m.ClientID
		}
	}
	return out
}

func unionKeys[A, B any](a map[TopicPartition]A, b map[TopicPartition]B) map[TopicPartition]bool {
	out := make(map[TopicPartition]bool, len(a)+len(b))
	for p := range a {
		out[p] = true
	}
	for p := range b {
		out[p] = true
	}
	return out
}
