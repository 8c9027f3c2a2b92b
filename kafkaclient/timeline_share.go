package kafkaclient

import (
	"strconv"
	"time"
)

// A share group's members share partitions, acknowledging records one by
// one: no partition waits for one owner, so its timeline has no
// rebalances. It tells who joined and left, the group epoch those bumped,
// what each member was assigned or gave up, and start offsets moved by
// hand (altered or deleted).

// baselineShare takes the first good observation of a share group.
func (t *Timeline) baselineShare(g GroupInfo) []TimelineEvent {
	t.owners, t.unknown, t.lostAt, t.behind = ownersOf(&g), map[TopicPartition]unknownOwner{}, map[TopicPartition]time.Time{}, map[string]bool{}
	t.remember(g)
	return nil
}

// diffShare compares g with the last observation of a share group. Its
// events come as: members left and joined, state, group epoch with its
// cause, what each member gave up and was assigned, start offsets reset.
func (t *Timeline) diffShare(g GroupInfo) []TimelineEvent {
	prev := t.last
	var out []TimelineEvent
	left, joined := missingMembers(prev.Members, g.Members), missingMembers(g.Members, prev.Members)
	for _, m := range left {
		out = append(out, TimelineEvent{At: g.At, Kind: EventMemberLeft, Member: m.ID, ClientID: m.ClientID, Host: m.Host})
	}
	for _, m := range joined {
		out = append(out, TimelineEvent{At: g.At, Kind: EventMemberJoined, Member: m.ID, ClientID: m.ClientID, Host: m.Host})
	}
	if g.State != prev.State {
		out = append(out, TimelineEvent{At: g.At, Kind: EventStateChanged, From: prev.State, To: g.State})
	}
	if g.Epoch != prev.Epoch {
		out = append(out, TimelineEvent{At: g.At, Kind: EventEpochChanged, From: strconv.Itoa(int(prev.Epoch)), To: strconv.Itoa(int(g.Epoch)),
			Cause: epochCause(prev, &g, len(left), len(joined), 0)})
	}
	var revoked, assigned []TimelineEvent
	for i := range g.Members {
		m := &g.Members[i]
		var had []TopicPartition
		if p := prev.Member(m.ID); p != nil {
			had = p.Assigned
		}
		if gave := minus(had, m.Assigned); len(gave) > 0 {
			revoked = append(revoked, TimelineEvent{At: g.At, Kind: EventMemberRevoked, Member: m.ID, ClientID: m.ClientID, Partitions: gave})
		}
		if got := minus(m.Assigned, had); len(got) > 0 {
			assigned = append(assigned, TimelineEvent{At: g.At, Kind: EventMemberAssigned, Member: m.ID, ClientID: m.ClientID, Partitions: got})
		}
	}
	out = append(append(out, revoked...), assigned...)
	if resets := offsetResets(prev, &g); len(resets) > 0 {
		out = append(out, TimelineEvent{At: g.At, Kind: EventOffsetsReset, Offsets: resets})
	}
	t.owners = ownersOf(&g)
	t.remember(g)
	return out
}
