package kafkaclient

import (
	"slices"
	"strings"
	"testing"
	"time"
)

// nextMember is a consumer-protocol member at epoch owning partitions
// owned of "orders" and targeted targets.
func nextMember(id string, epoch int32, owned, targets []int32) GroupMember {
	m := GroupMember{ID: id, ClientID: "app-" + id, Host: "/10.0.0." + id, MemberEpoch: epoch, Subscribed: []string{"orders"}, Target: []TopicPartition{}}
	for _, p := range owned {
		m.Assigned = append(m.Assigned, TopicPartition{"orders", p})
	}
	for _, p := range targets {
		m.Target = append(m.Target, TopicPartition{"orders", p})
	}
	return m
}

// nextGroup observes a consumer-protocol group of 4 partitions at
// t0+ms, each committed at 100 with log end 100+lag.
func nextGroup(ms int, state string, epoch int32, lag int64, members ...GroupMember) GroupInfo {
	g := GroupInfo{Name: "next", Type: TypeConsumer, State: state, ProtocolType: "consumer", Protocol: "uniform",
		Generation: -1, Epoch: epoch, AssignmentEpoch: epoch, Members: members, At: tlBase.Add(time.Duration(ms) * time.Millisecond)}
	owners, targets := map[TopicPartition][]string{}, map[TopicPartition]string{}
	for _, m := range members {
		for _, p := range m.Assigned {
			owners[p] = append(owners[p], m.ID)
		}
		for _, p := range m.Target {
			targets[p] = m.ID
		}
	}
	committed := map[TopicPartition]int64{}
	for p := range int32(4) {
		committed[TopicPartition{"orders", p}] = 100
	}
	g.Offsets = (&holders{owners: owners, targets: targets}).positions(committed)
	for i := range g.Offsets {
		g.Offsets[i].LogEnd = 100 + lag
	}
	return g
}

var tlBase = time.Date(2026, 11, 21, 9, 0, 0, 0, time.UTC)

func TestConsumerProtocolTimelineOfAMemberLeaving(t *testing.T) {
	tl := NewTimeline(100)
	if out := tl.Observe(nextGroup(0, "Stable", 5, 0, nextMember("a", 5, []int32{0, 1}, []int32{0, 1}), nextMember("b", 5, []int32{2, 3}, []int32{2, 3}))); len(out) != 0 {
		t.Fatalf("baseline of a settled group: %q", texts(out))
	}
	// b left: the coordinator targets its partitions to a, which has not
	// heard yet.
	mid := tl.Observe(nextGroup(500, "Reconciling", 6, 40, nextMember("a", 5, []int32{0, 1}, []int32{0, 1, 2, 3})))
	// a heard at its next heartbeat.
	end := tl.Observe(nextGroup(1000, "Stable", 6, 60, nextMember("a", 6, []int32{0, 1, 2, 3}, []int32{0, 1, 2, 3})))
	want := []string{
		"rebalance #1 started",
		"member left: app-b (/10.0.0.b) id b",
		"state Stable → Reconciling",
		"group epoch 5 → 6: member left",
		"target orders/2: app-b → app-a",
		"target orders/3: app-b → app-a",
		"state Reconciling → Stable",
		"app-a (a) assigned orders/2-3 after 500ms without a consumer",
		"app-a (a) reconciled at epoch 6, 500ms into the rebalance",
		"rebalance #1 converged in 500ms: 2 partitions moved, 2 without a consumer for up to 500ms, peak lag 240, members 2 → 1",
	}
	if got := texts(append(mid, end...)); !slices.Equal(got, want) {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	for _, e := range append(mid, end...) {
		if e.Rebalance != 1 {
			t.Errorf("%q outside the rebalance", e.Text())
		}
	}
	if s := end[len(end)-1].Summary; !s.Incremental || s.MaxUnowned != 500*time.Millisecond || s.Duration != 500*time.Millisecond {
		t.Errorf("summary %+v", s)
	}
	if owner, known := tl.Owner(TopicPartition{"orders", 3}); owner != "a" || !known {
		t.Errorf("owner of orders/3: %q %v", owner, known)
	}
}

// A member joining: the coordinator takes partitions from one member for
// the other, which gets them once the first has revoked them.
func TestConsumerProtocolTimelineOfARevocation(t *testing.T) {
	tl := NewTimeline(100)
	tl.Observe(nextGroup(0, "Stable", 5, 0, nextMember("a", 5, []int32{0, 1, 2, 3}, []int32{0, 1, 2, 3})))
	out := tl.Observe(nextGroup(500, "Reconciling", 6, 0,
		nextMember("a", 5, []int32{0, 1, 2, 3}, []int32{0, 1}), nextMember("b", 6, nil, []int32{2, 3})))
	out = append(out, tl.Observe(nextGroup(1000, "Reconciling", 6, 0,
		nextMember("a", 6, []int32{0, 1}, []int32{0, 1}), nextMember("b", 6, nil, []int32{2, 3})))...)
	out = append(out, tl.Observe(nextGroup(1500, "Stable", 6, 0,
		nextMember("a", 6, []int32{0, 1}, []int32{0, 1}), nextMember("b", 6, []int32{2, 3}, []int32{2, 3})))...)
	want := []string{
		"rebalance #1 started",
		"member joined: app-b (/10.0.0.b) id b",
		"state Stable → Reconciling",
		"group epoch 5 → 6: member joined",
		"target orders/2: app-a → app-b",
		"target orders/3: app-a → app-b",
		"app-a (a) revoked orders/2-3",
		"app-a (a) reconciled at epoch 6, 500ms into the rebalance",
		"state Reconciling → Stable",
		"app-b (b) assigned orders/2-3 after 500ms without a consumer",
		"app-b (b) reconciled at epoch 6, 1s into the rebalance",
		"rebalance #1 converged in 1s: 2 partitions moved, 2 without a consumer for up to 500ms, peak lag 0, members 1 → 2",
	}
	if got := texts(out); !slices.Equal(got, want) {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// Opened while members reconcile, the timeline starts the rebalance
// there; a member whose epoch goes back was fenced and joined again; an
// epoch bump without a member change is the topics' metadata.
func TestConsumerProtocolTimelineCauses(t *testing.T) {
	tl := NewTimeline(100)
	out := tl.Observe(nextGroup(0, "Reconciling", 7, 10, nextMember("a", 6, []int32{0, 1}, []int32{0, 1, 2, 3})))
	if got := texts(out); !slices.Equal(got, []string{"rebalance #1 started"}) || !tl.Rebalancing() {
		t.Fatalf("opened mid-reconciliation: %q", got)
	}
	out = tl.Observe(nextGroup(500, "Stable", 7, 0, nextMember("a", 7, []int32{0, 1, 2, 3}, []int32{0, 1, 2, 3})))
	if got := out[len(out)-1].Text(); got != "rebalance #1 converged in 500ms: 2 partitions moved, 2 without a consumer for up to 500ms, peak lag 40" {
		t.Errorf("end: %q in %q", got, texts(out))
	}

	fenced := nextMember("a", 0, nil, []int32{0, 1, 2, 3})
	out = tl.Observe(nextGroup(1000, "Reconciling", 9, 0, fenced))
	if !slices.Contains(texts(out), "member fenced, joined again: app-a (/10.0.0.a) id a") || !slices.Contains(texts(out), "group epoch 7 → 9: member fenced") ||
		!slices.Contains(texts(out), "app-a (a) revoked orders/0-3") {
		t.Errorf("fenced: %q", texts(out))
	}
	tl.Observe(nextGroup(1500, "Stable", 9, 0, nextMember("a", 9, []int32{0, 1, 2, 3}, []int32{0, 1, 2, 3})))

	out = tl.Observe(nextGroup(2000, "Stable", 10, 0, nextMember("a", 9, []int32{0, 1, 2, 3}, []int32{0, 1, 2, 3})))
	if !slices.Contains(texts(out), "group epoch 9 → 10: metadata changed") {
		t.Errorf("metadata: %q", texts(out))
	}
	resubscribed := nextMember("a", 10, []int32{0, 1, 2, 3}, []int32{0, 1, 2, 3})
	resubscribed.Subscribed = []string{"orders", "payments"}
	tl.Observe(nextGroup(2500, "Stable", 10, 0, nextMember("a", 10, []int32{0, 1, 2, 3}, []int32{0, 1, 2, 3})))
	out = tl.Observe(nextGroup(3000, "Stable", 11, 0, resubscribed))
	if !slices.Contains(texts(out), "group epoch 10 → 11: subscription changed") {
		t.Errorf("subscription: %q", texts(out))
	}
}

// A classic group upgraded to the consumer protocol: the timeline says
// so and observes it afresh.
func TestTimelineOfAGroupChangingType(t *testing.T) {
	tl := NewTimeline(100)
	classic := nextGroup(0, "Empty", -1, 0)
	classic.Type, classic.Epoch, classic.AssignmentEpoch = TypeClassic, -1, -1
	tl.Observe(classic)
	out := tl.Observe(nextGroup(500, "Stable", 1, 0, nextMember("a", 1, []int32{0, 1, 2, 3}, []int32{0, 1, 2, 3})))
	if got := texts(out); !slices.Equal(got, []string{"group type classic → consumer: what follows is observed afresh"}) {
		t.Errorf("type change: %q", got)
	}
}

func TestShareGroupTimeline(t *testing.T) {
	share := func(ms int, epoch int32, start int64, members ...GroupMember) GroupInfo {
		g := nextGroup(ms, "Stable", epoch, 0, members...)
		g.Type, g.ProtocolType, g.Protocol = TypeShare, "share", "simple"
		if len(members) == 0 {
			g.State = "Empty"
		}
		for i := range g.Offsets {
			g.Offsets[i].Committed, g.Offsets[i].Target = start, ""
		}
		return g
	}
	worker := func(id string, parts ...int32) GroupMember {
		m := nextMember(id, 1, parts, nil)
		m.Target = nil
		return m
	}
	tl := NewTimeline(100)
	tl.Observe(share(0, 1, 100, worker("a", 0, 1, 2, 3)))
	var out []TimelineEvent
	out = append(out, tl.Observe(share(500, 2, 100, worker("a", 0, 1, 2, 3), worker("b", 0, 1, 2, 3)))...)
	out = append(out, tl.Observe(share(1000, 3, 100, worker("b", 0, 1, 2, 3)))...)
	out = append(out, tl.Observe(share(1500, 4, 100))...)
	out = append(out, tl.Observe(share(2000, 4, 40))...)
	want := []string{
		"member joined: app-b (/10.0.0.b) id b",
		"group epoch 1 → 2: member joined",
		"app-b (b) assigned orders/0-3",
		"member left: app-a (/10.0.0.a) id a",
		"group epoch 2 → 3: member left",
		"member left: app-b (/10.0.0.b) id b",
		"state Stable → Empty",
		"group epoch 3 → 4: member left",
		"offsets reset: orders/0 100 → 40, orders/1 100 → 40, orders/2 100 → 40, orders/3 100 → 40",
	}
	if got := texts(out); !slices.Equal(got, want) {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if tl.Rebalances() != 0 {
		t.Errorf("a share group counted %d rebalances", tl.Rebalances())
	}
}
