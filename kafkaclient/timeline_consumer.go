package kafkaclient

import (
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"
)

// A consumer-protocol group (KIP-848) rebalances without stopping: its
// coordinator bumps the group epoch when members or subscriptions change,
// computes a target assignment, and each member moves to its target at
// its own heartbeats: it revokes what it must give up, then the member
// waiting for a partition gets it, and its epoch catches up. Every
// describe reports each member's epoch, current and target assignment,
// so unlike a classic group's, its timeline never lacks who owns what.

// baselineConsumer takes the first good observation of a consumer-protocol
// group. One caught while members are still short of their target starts
// a rebalance here, as a classic one caught mid-rebalance does.
func (t *Timeline) baselineConsumer(g GroupInfo) []TimelineEvent {
	t.owners, t.unknown, t.lostAt, t.behind = ownersOf(&g), map[TopicPartition]unknownOwner{}, map[TopicPartition]time.Time{}, map[string]bool{}
	t.remember(g)
	for _, o := range g.Offsets {
		if o.Target != "" && o.Owner == "" {
			t.lostAt[o.TopicPartition] = g.At
		}
	}
	for i := range g.Members {
		if g.MemberReconciling(&g.Members[i]) {
			t.behind[g.Members[i].ID] = true
		}
	}
	if !g.Reconciling() {
		return nil
	}
	r := t.start(g, t.owners, len(g.Members), g.At)
	r.summary.Incremental = true
	for p := range t.lostAt {
		r.unowned[p] = true
	}
	r.summary.PeakLag = g.TotalLag()
	return []TimelineEvent{{At: g.At, Kind: EventRebalanceStarted, Rebalance: r.summary.Number}}
}

// diffConsumer compares g with the last observation of a consumer-protocol
// group. Its events come as a consumer's departure reads: rebalance
// started, members left, joined and fenced, state, group epoch (with its
// cause), target assignment by partition, then each member's
// reconciliation — what it revoked, what it was assigned (and how long
// that had no consumer), when it reached its target — offsets reset, and
// the rebalance's end once every member has converged.
func (t *Timeline) diffConsumer(g GroupInfo) []TimelineEvent {
	prev := t.last
	at := g.At
	var out []TimelineEvent
	left, joined := missingMembers(prev.Members, g.Members), missingMembers(g.Members, prev.Members)
	var fenced []GroupMember
	for _, m := range g.Members {
		if p := prev.Member(m.ID); p != nil && m.MemberEpoch >= 0 && m.MemberEpoch < p.MemberEpoch {
			fenced = append(fenced, m)
		}
	}
	for _, m := range left {
		out = append(out, TimelineEvent{At: at, Kind: EventMemberLeft, Member: m.ID, ClientID: m.ClientID, Host: m.Host})
		delete(t.behind, m.ID)
	}
	for _, m := range joined {
		out = append(out, TimelineEvent{At: at, Kind: EventMemberJoined, Member: m.ID, ClientID: m.ClientID, Host: m.Host})
	}
	for _, m := range fenced {
		out = append(out, TimelineEvent{At: at, Kind: EventMemberFenced, Member: m.ID, ClientID: m.ClientID, Host: m.Host})
	}
	if g.State != prev.State {
		out = append(out, TimelineEvent{At: at, Kind: EventStateChanged, From: prev.State, To: g.State})
	}
	if g.Epoch != prev.Epoch {
		out = append(out, TimelineEvent{At: at, Kind: EventEpochChanged, From: strconv.Itoa(int(prev.Epoch)), To: strconv.Itoa(int(g.Epoch)),
			Cause: epochCause(prev, &g, len(left), len(joined), len(fenced))})
	}
	clients := clientIDs(prev, &g)
	targets := targetsChanged(prev, &g, clients)
	out = append(out, targets...)

	// The coordinator gives a partition to its new owner only once the
	// old one revoked it (or left): every partition that changed owner
	// went without a consumer for a while, measured where an observation
	// fell in between.
	now := ownersOf(&g)
	lostAt := maps.Clone(t.lostAt)
	gaps := map[TopicPartition]time.Duration{}
	var unowned []TopicPartition
	for _, p := range slices.SortedFunc(maps.Keys(unionKeys(t.owners, now)), TopicPartition.Compare) {
		switch before, after := t.owners[p], now[p]; {
		case before == after:
		case after == "":
			if _, ok := lostAt[p]; !ok {
				lostAt[p] = at
			}
			unowned = append(unowned, p)
		case before == "":
			if lost, ok := lostAt[p]; ok {
				gaps[p] = at.Sub(lost)
			}
		default:
			unowned = append(unowned, p)
		}
	}
	for p := range now {
		delete(lostAt, p)
	}
	moves := t.reconciliation(prev, &g, gaps)
	out = append(out, moves...)
	if resets := offsetResets(prev, &g); len(resets) > 0 {
		out = append(out, TimelineEvent{At: at, Kind: EventOffsetsReset, Offsets: resets})
	}

	epochChanged := g.Epoch != prev.Epoch
	if t.current == nil && (epochChanged || len(targets) > 0 || len(moves) > 0 || len(left)+len(joined)+len(fenced) > 0 || g.Reconciling()) {
		r := t.start(g, t.owners, len(prev.Members), prev.At)
		r.summary.Incremental = true
		out = slices.Insert(out, 0, TimelineEvent{At: at, Kind: EventRebalanceStarted, Rebalance: r.summary.Number})
	}
	t.owners, t.lostAt = now, lostAt
	t.remember(g)
	r := t.current
	if r == nil {
		return out
	}
	for _, p := range unowned {
		r.unowned[p] = true
	}
	for p, gap := range gaps {
		r.unowned[p] = true
		r.summary.MaxUnowned = max(r.summary.MaxUnowned, gap)
	}
	for i := range out {
		out[i].Rebalance = r.summary.Number
		if out[i].Kind == EventMemberReconciled && at.After(r.summary.Start) {
			out[i].Took = at.Sub(r.summary.Start)
		}
	}
	r.summary.PeakLag = max(r.summary.PeakLag, g.TotalLag())
	if g.Reconciling() {
		return out
	}
	t.current = nil
	clear(t.behind)
	s := t.end(r, &g)
	return append(out, TimelineEvent{At: at, Kind: EventRebalanceEnded, Rebalance: s.Number, Summary: s})
}

// reconciliation lists, member by member in g's order, what each revoked,
// what it was assigned (grouped by how long the partitions had been
// without a consumer, gaps) and when it reached its target.
func (t *Timeline) reconciliation(prev, g *GroupInfo, gaps map[TopicPartition]time.Duration) []TimelineEvent {
	var revoked, assigned, reconciled []TimelineEvent
	for i := range g.Members {
		m := &g.Members[i]
		var had []TopicPartition
		if p := prev.Member(m.ID); p != nil {
			had = p.Assigned
		}
		gave, got := minus(had, m.Assigned), minus(m.Assigned, had)
		if len(gave) > 0 {
			revoked = append(revoked, TimelineEvent{At: g.At, Kind: EventMemberRevoked, Member: m.ID, ClientID: m.ClientID, Partitions: gave})
		}
		byGap := map[time.Duration][]TopicPartition{}
		for _, p := range got {
			byGap[gaps[p]] = append(byGap[gaps[p]], p)
		}
		for _, gap := range slices.Sorted(maps.Keys(byGap)) {
			assigned = append(assigned, TimelineEvent{At: g.At, Kind: EventMemberAssigned, Member: m.ID, ClientID: m.ClientID,
				Partitions: byGap[gap], Unowned: gap})
		}
		switch behind := g.MemberReconciling(m); {
		case behind:
			t.behind[m.ID] = true
		case t.behind[m.ID] || len(gave)+len(got) > 0:
			delete(t.behind, m.ID)
			reconciled = append(reconciled, TimelineEvent{At: g.At, Kind: EventMemberReconciled, Member: m.ID, ClientID: m.ClientID,
				To: strconv.Itoa(int(m.MemberEpoch))})
		}
	}
	return slices.Concat(revoked, assigned, reconciled)
}

// targetsChanged lists, by partition, where the coordinator's target
// assignment moved between prev and g.
func targetsChanged(prev, g *GroupInfo, clients map[string]string) []TimelineEvent {
	before, after := targetsOf(prev), targetsOf(g)
	var out []TimelineEvent
	for _, p := range slices.SortedFunc(maps.Keys(unionKeys(before, after)), TopicPartition.Compare) {
		if from, to := before[p], after[p]; from != to {
			out = append(out, TimelineEvent{At: g.At, Kind: EventTargetChanged, Partition: p, From: from, To: to,
				FromClient: clients[from], ToClient: clients[to]})
		}
	}
	return out
}

// targetsOf maps each partition of g's target assignment to its member.
func targetsOf(g *GroupInfo) map[TopicPartition]string {
	out := map[TopicPartition]string{}
	for _, m := range g.Members {
		for _, p := range m.Target {
			if _, ok := out[p]; !ok {
				out[p] = m.ID
			}
		}
	}
	return out
}

// epochCause says what changed between prev and g that bumps a group's
// epoch: members that joined, left or were fenced, or subscriptions that
// changed; with none of those, the subscribed topics' metadata changed
// (partitions added, a pattern matched a new topic).
func epochCause(prev, g *GroupInfo, left, joined, fenced int) string {
	var causes []string
	count := func(n int, what string) {
		if n == 1 {
			causes = append(causes, "member "+what)
		} else if n > 1 {
			causes = append(causes, strconv.Itoa(n)+" members "+what)
		}
	}
	count(joined, "joined")
	count(left, "left")
	count(fenced, "fenced")
	for _, m := range g.Members {
		if p := prev.Member(m.ID); p != nil && (!slices.Equal(p.Subscribed, m.Subscribed) || p.SubscribedRegex != m.SubscribedRegex) {
			causes = append(causes, "subscription changed")
			break
		}
	}
	if len(causes) == 0 {
		return "metadata changed"
	}
	return strings.Join(causes, ", ")
}
