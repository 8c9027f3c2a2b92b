package kafkaclient

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

var tlT0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// member is consumer n of the test group, client inventory-sync-n, owning
// the given partitions of "orders".
func tlMember(id string, n int, parts ...int32) GroupMember {
	m := GroupMember{ID: id, ClientID: fmt.Sprintf("inventory-sync-%d", n), Host: fmt.Sprintf("/10.0.0.%d", n)}
	for _, p := range parts {
		m.Assigned = append(m.Assigned, TopicPartition{"orders", p})
	}
	return m
}

// tlOwning is m as it reports itself on joining: still owning parts
// (KIP-429), as a cooperative member does.
func tlOwning(m GroupMember, parts ...int32) GroupMember {
	m.Subscription = &Subscription{Version: 1, Topics: []string{"orders"}, Generation: -1}
	for _, p := range parts {
		m.Subscription.Owned = append(m.Subscription.Owned, TopicPartition{"orders", p})
	}
	return m
}

// tlObservation is the group at tlT0+at, with a lag of lag on each of the
// six partitions of "orders" and Owner filled in from the members. The
// group uses the eager range assignor, which the coordinator names only
// while the group is Stable.
func tlObservation(at time.Duration, state string, gen int32, lag int64, members ...GroupMember) GroupInfo {
	return tlWith("range", at, state, gen, lag, members...)
}

// tlWith is tlObservation of a group using assignor.
func tlWith(assignor string, at time.Duration, state string, gen int32, lag int64, members ...GroupMember) GroupInfo {
	g := GroupInfo{Name: "inventory-sync", State: state, ProtocolType: "consumer", Generation: gen, Members: members, At: tlT0.Add(at)}
	if state == "Stable" {
		g.Protocol = assignor
	}
	owners := ownersOf(&g)
	for p := range int32(6) {
		tp := TopicPartition{"orders", p}
		g.Offsets = append(g.Offsets, PartitionOffsets{TopicPartition: tp, Committed: 1000, LogEnd: 1000 + lag, Owner: owners[tp]})
	}
	return g
}

// stable is the three-member group before anything happens.
func tlStable(at time.Duration, lag int64) GroupInfo {
	return tlObservation(at, "Stable", 4, lag, tlMember("c-1", 1, 0, 1), tlMember("c-2", 2, 2, 3), tlMember("c-3", 3, 4, 5))
}

func tlTexts(evs []TimelineEvent) []string {
	out := make([]string, len(evs))
	for i, e := range evs {
		out[i] = e.Text()
	}
	return out
}

func tlExpect(t *testing.T, step string, got []TimelineEvent, want ...string) {
	t.Helper()
	if g := tlTexts(got); !slices.Equal(g, want) {
		t.Fatalf("%s: events\n  %s\nwant\n  %s", step, strings.Join(g, "\n  "), strings.Join(want, "\n  "))
	}
}

func tlSummary(t *testing.T, evs []TimelineEvent) RebalanceSummary {
	t.Helper()
	if len(evs) == 0 || evs[len(evs)-1].Kind != EventRebalanceEnded {
		t.Fatalf("no rebalance ended last in %q", tlTexts(evs))
	}
	return *evs[len(evs)-1].Summary
}

func tlUnownedAll(owner func(int) string) []string {
	var out []string
	for p := range 6 {
		out = append(out, fmt.Sprintf("orders/%d: %s → (unowned)", p, owner(p)))
	}
	return out
}

func TestTimelineMemberLeaves(t *testing.T) {
	t.Parallel()
	tl := NewTimeline(100)
	if evs := tl.Observe(tlStable(0, 400)); len(evs) != 0 {
		t.Fatalf("baseline produced %q", tlTexts(evs))
	}

	// Eager assignors take every partition back while the group prepares.
	evs := tl.Observe(tlObservation(500*time.Millisecond, "PreparingRebalance", -1, 100, tlMember("c-1", 1), tlMember("c-2", 2)))
	tlExpect(t, "preparing", evs, append([]string{
		"rebalance #1 started",
		"member left: inventory-sync-3 (/10.0.0.3) id c-3",
		"state Stable → PreparingRebalance",
	}, tlUnownedAll(func(p int) string { return fmt.Sprintf("inventory-sync-%d", p/2+1) })...)...)
	if !tl.Rebalancing() || tl.Rebalances() != 1 {
		t.Fatalf("rebalancing %v, rebalances %d after the first sign", tl.Rebalancing(), tl.Rebalances())
	}
	for _, e := range evs {
		if e.Rebalance != 1 || !e.At.Equal(tlT0.Add(500*time.Millisecond)) {
			t.Fatalf("event %q: rebalance %d at %v", e.Text(), e.Rebalance, e.At)
		}
	}
	if evs[3].Partition != (TopicPartition{"orders", 0}) || evs[3].From != "c-1" || evs[3].To != "" {
		t.Fatalf("unowned event %+v", evs[3])
	}

	evs = tl.Observe(tlObservation(time.Second, "CompletingRebalance", -1, 300, tlMember("c-1", 1), tlMember("c-2", 2)))
	tlExpect(t, "completing", evs, "state PreparingRebalance → CompletingRebalance")

	// Eager members report owning nothing when they join.
	evs = tl.Observe(tlObservation(2*time.Second, "Stable", 5, 200, tlOwning(tlMember("c-1", 1, 0, 1, 4)), tlOwning(tlMember("c-2", 2, 2, 3, 5))))
	tlExpect(t, "stable", evs,
		"state CompletingRebalance → Stable",
		"generation 4 → 5",
		"orders/0: (unowned) → inventory-sync-1 after 1.5s without a consumer",
		"orders/1: (unowned) → inventory-sync-1 after 1.5s without a consumer",
		"orders/2: (unowned) → inventory-sync-2 after 1.5s without a consumer",
		"orders/3: (unowned) → inventory-sync-2 after 1.5s without a consumer",
		"orders/4: (unowned) → inventory-sync-1 after 1.5s without a consumer",
		"orders/5: (unowned) → inventory-sync-2 after 1.5s without a consumer",
		"rebalance #1 done in 1.5s: 2 partitions moved, 6 without a consumer for up to 1.5s, peak lag 1,800, members 3 → 2",
	)
	want := RebalanceSummary{
		Number: 1, Start: tlT0.Add(500 * time.Millisecond), End: tlT0.Add(2 * time.Second),
		Duration: 1500 * time.Millisecond, PartitionsMoved: 2, Unowned: 6, MaxUnowned: 1500 * time.Millisecond,
		PeakLag: 6 * 300, MembersBefore: 3, MembersAfter: 2,
	}
	if got := tlSummary(t, evs); got != want {
		t.Fatalf("summary %+v, want %+v", got, want)
	}
	if tl.Rebalancing() {
		t.Fatal("still rebalancing once Stable with every partition owned")
	}
	if n := len(tl.Events()); n != 3+6+1+9 {
		t.Fatalf("kept %d events", n)
	}
}

func TestTimelineFastRebalance(t *testing.T) {
	t.Parallel()
	tl := NewTimeline(100)
	tl.Observe(tlStable(0, 10))
	evs := tl.Observe(tlObservation(500*time.Millisecond, "Stable", 5, 20, tlMember("c-1", 1, 0, 1, 3), tlMember("c-2", 2, 2), tlMember("c-3", 3, 4, 5)))
	tlExpect(t, "fast", evs,
		"rebalance #1 started",
		"generation 4 → 5",
		"orders/3: inventory-sync-2 → inventory-sync-1",
		"rebalance #1 done within 500ms: 1 partition moved, peak lag 120",
	)
	s := tlSummary(t, evs)
	if !s.Start.Equal(s.End) || s.Duration != 500*time.Millisecond || s.PartitionsMoved != 1 || s.MaxUnowned != 0 {
		t.Fatalf("summary %+v", s)
	}
	if tl.Rebalancing() || tl.Rebalances() != 1 {
		t.Fatalf("rebalancing %v, rebalances %d", tl.Rebalancing(), tl.Rebalances())
	}
	if evs := tl.Observe(tlObservation(time.Second, "Stable", 5, 20, tlMember("c-1", 1, 0, 1, 3), tlMember("c-2", 2, 2), tlMember("c-3", 3, 4, 5))); len(evs) != 0 {
		t.Fatalf("an unchanged group produced %q", tlTexts(evs))
	}
}

func TestTimelineMemberJoins(t *testing.T) {
	t.Parallel()
	t.Run("eager", func(t *testing.T) {
		tl := NewTimeline(100)
		tl.Observe(tlStable(0, 0))
		evs := tl.Observe(tlObservation(500*time.Millisecond, "PreparingRebalance", -1, 0,
			tlMember("c-1", 1), tlMember("c-2", 2), tlMember("c-3", 3), tlMember("c-4", 4)))
		tlExpect(t, "preparing", evs, append([]string{
			"rebalance #1 started",
			"member joined: inventory-sync-4 (/10.0.0.4) id c-4",
			"state Stable → PreparingRebalance",
		}, tlUnownedAll(func(p int) string { return fmt.Sprintf("inventory-sync-%d", p/2+1) })...)...)
		evs = tl.Observe(tlObservation(1200*time.Millisecond, "Stable", 5, 0,
			tlMember("c-1", 1, 0, 1), tlMember("c-2", 2, 2, 3), tlMember("c-3", 3, 4), tlMember("c-4", 4, 5)))
		s := tlSummary(t, evs)
		if s.PartitionsMoved != 1 || s.MembersBefore != 3 || s.MembersAfter != 4 || s.Duration != 700*time.Millisecond {
			t.Fatalf("summary %+v", s)
		}
	})

	// Cooperative assignors revoke in one generation, with the group
	// Stable, and assign in the next: one rebalance to the reader.
	t.Run("cooperative", func(t *testing.T) {
		tl := NewTimeline(100)
		tl.Observe(tlStable(0, 0))
		evs := tl.Observe(tlObservation(500*time.Millisecond, "Stable", 5, 0,
			tlMember("c-1", 1, 0, 1), tlMember("c-2", 2, 2, 3), tlMember("c-3", 3, 4), tlMember("c-4", 4)))
		tlExpect(t, "revoked", evs,
			"rebalance #1 started",
			"member joined: inventory-sync-4 (/10.0.0.4) id c-4",
			"generation 4 → 5",
			"orders/5: inventory-sync-3 → (unowned)",
		)
		if !tl.Rebalancing() {
			t.Fatal("over while orders/5 has no owner")
		}
		evs = tl.Observe(tlObservation(time.Second, "Stable", 6, 0,
			tlMember("c-1", 1, 0, 1), tlMember("c-2", 2, 2, 3), tlMember("c-3", 3, 4), tlMember("c-4", 4, 5)))
		tlExpect(t, "assigned", evs,
			"generation 5 → 6",
			"orders/5: (unowned) → inventory-sync-4 after 500ms without a consumer",
			"rebalance #1 done in 500ms: 1 partition moved, 1 without a consumer for up to 500ms, peak lag 0, members 3 → 4",
		)
	})

	t.Run("restarted under a new member ID", func(t *testing.T) {
		tl := NewTimeline(100)
		tl.Observe(tlStable(0, 0))
		evs := tl.Observe(tlObservation(500*time.Millisecond, "Stable", 5, 0,
			tlMember("c-1", 1, 0, 1), tlMember("c-2", 2, 2, 3), tlMember("c-3-new", 3, 4, 5)))
		tlExpect(t, "restart", evs,
			"rebalance #1 started",
			"member left: inventory-sync-3 (/10.0.0.3) id c-3",
			"member joined: inventory-sync-3 (/10.0.0.3) id c-3-new",
			"generation 4 → 5",
			"orders/4: c-3 → c-3-new",
			"orders/5: c-3 → c-3-new",
			"rebalance #1 done within 500ms: 2 partitions moved, peak lag 0",
		)
	})
}

func TestTimelineErrorPoll(t *testing.T) {
	t.Parallel()
	tl := NewTimeline(100)
	tl.Observe(tlStable(0, 0))
	down := GroupInfo{Name: "inventory-sync", Err: errors.New("broker 1: connection refused"), At: tlT0.Add(500 * time.Millisecond)}
	tlExpect(t, "first failure", tl.Observe(down), "poll failed: broker 1: connection refused")
	down.At = tlT0.Add(time.Second)
	tlExpect(t, "same failure", tl.Observe(down))

	evs := tl.Observe(tlObservation(1500*time.Millisecond, "Stable", 5, 0, tlMember("c-1", 1, 0, 1, 4), tlMember("c-2", 2, 2, 3, 5)))
	tlExpect(t, "after the failures", evs,
		"rebalance #1 started",
		"member left: inventory-sync-3 (/10.0.0.3) id c-3",
		"generation 4 → 5",
		"orders/4: inventory-sync-3 → inventory-sync-1",
		"orders/5: inventory-sync-3 → inventory-sync-2",
		"rebalance #1 done within 1.5s: 2 partitions moved, peak lag 0, members 3 → 2",
	)

	// A good poll ends the run of failures: the same one is news again.
	down.At = tlT0.Add(2 * time.Second)
	tlExpect(t, "failure after a good poll", tl.Observe(down), "poll failed: broker 1: connection refused")
	other := GroupInfo{Name: "inventory-sync", Err: errors.New("request timed out"), At: tlT0.Add(2500 * time.Millisecond)}
	tlExpect(t, "another failure", tl.Observe(other), "poll failed: request timed out")

	t.Run("during a rebalance", func(t *testing.T) {
		tl := NewTimeline(100)
		tl.Observe(tlStable(0, 0))
		tl.Observe(tlObservation(500*time.Millisecond, "PreparingRebalance", -1, 0, tlMember("c-1", 1), tlMember("c-2", 2)))
		evs := tl.Observe(GroupInfo{Err: errors.New("request timed out"), At: tlT0.Add(time.Second)})
		if len(evs) != 1 || evs[0].Kind != EventError || evs[0].Rebalance != 1 || !tl.Rebalancing() {
			t.Fatalf("events %+v, rebalancing %v", evs, tl.Rebalancing())
		}
	})
}

func TestTimelineGroupGone(t *testing.T) {
	t.Parallel()
	t.Run("deleted mid-rebalance", func(t *testing.T) {
		tl := NewTimeline(100)
		tl.Observe(tlStable(0, 0))
		tl.Observe(tlObservation(500*time.Millisecond, "PreparingRebalance", -1, 0, tlMember("c-1", 1), tlMember("c-2", 2)))
		missing := GroupInfo{Name: "inventory-sync", State: "Dead", Err: fmt.Errorf("%w: inventory-sync", ErrNoSuchGroup), At: tlT0.Add(time.Second)}
		tlExpect(t, "gone", tl.Observe(missing), "group gone: no such group: inventory-sync")
		if tl.Rebalancing() {
			t.Fatal("a group that is gone is still rebalancing")
		}
		missing.At = tlT0.Add(1500 * time.Millisecond)
		tlExpect(t, "still gone", tl.Observe(missing))
		tlExpect(t, "still Dead", tl.Observe(GroupInfo{State: "Dead", At: tlT0.Add(2 * time.Second)}))

		evs := tl.Observe(tlObservation(3*time.Second, "Stable", 1, 0, tlMember("c-9", 9, 0, 1, 2, 3, 4, 5)))
		if tl.Rebalances() != 2 || evs[0].Kind != EventRebalanceStarted || tlSummary(t, evs).Number != 2 {
			t.Fatalf("group created again: %q", tlTexts(evs))
		}
	})

	t.Run("dead without an error", func(t *testing.T) {
		tl := NewTimeline(100)
		tl.Observe(tlStable(0, 0))
		evs := tl.Observe(GroupInfo{State: "Dead", At: tlT0.Add(time.Second)})
		tlExpect(t, "dead", evs, "group gone (Dead)")
		if evs[0].Kind != EventGroupGone {
			t.Fatalf("kind %d", evs[0].Kind)
		}
	})

	t.Run("every member leaves", func(t *testing.T) {
		tl := NewTimeline(100)
		tl.Observe(tlStable(0, 7))
		evs := tl.Observe(tlObservation(500*time.Millisecond, "Empty", -1, 9))
		tlExpect(t, "empty", evs, append(append([]string{
			"rebalance #1 started",
			"member left: inventory-sync-1 (/10.0.0.1) id c-1",
			"member left: inventory-sync-2 (/10.0.0.2) id c-2",
			"member left: inventory-sync-3 (/10.0.0.3) id c-3",
			"state Stable → Empty",
		}, tlUnownedAll(func(p int) string { return fmt.Sprintf("inventory-sync-%d", p/2+1) })...),
			"rebalance #1 done within 500ms: 6 partitions moved, 6 without a consumer, peak lag 54, members 3 → 0",
		)...)
	})
}

func TestTimelineBaseline(t *testing.T) {
	t.Parallel()
	// Opened mid-rebalance, the timeline knows no owner: it says so, and
	// learns from the members' reports once the group is Stable which
	// partitions were never without one.
	t.Run("mid-rebalance", func(t *testing.T) {
		tl := NewTimeline(100)
		evs := tl.Observe(tlObservation(0, "CompletingRebalance", -1, 5, tlMember("c-1", 1), tlMember("c-2", 2)))
		tlExpect(t, "baseline", evs, "rebalance #1 started", "owner not reported while the group rebalances: orders/0-5")
		if !tl.Rebalancing() {
			t.Fatal("not rebalancing")
		}
		if owner, known := tl.Owner(TopicPartition{"orders", 0}); known || owner != "" {
			t.Fatalf("owner of orders/0 %q, known %v", owner, known)
		}
		evs = tl.Observe(tlWith("cooperative-sticky", 800*time.Millisecond, "Stable", 5, 1,
			tlOwning(tlMember("c-1", 1, 0, 1, 2), 0, 1, 2), tlOwning(tlMember("c-2", 2, 3, 4, 5), 3)))
		tlExpect(t, "stable", evs,
			"state CompletingRebalance → Stable",
			"orders/4: (unknown) → inventory-sync-2",
			"orders/5: (unknown) → inventory-sync-2",
			"rebalance #1 done in 800ms: 0 partitions moved (2 of unknown owner before), peak lag 30",
		)
		s := tlSummary(t, evs)
		if s.Duration != 800*time.Millisecond || s.MaxUnowned != 0 || s.Unowned != 0 || s.PeakLag != 30 || s.PartitionsMoved != 0 || s.UnknownBefore != 2 {
			t.Fatalf("summary %+v", s)
		}
	})

	t.Run("more members than partitions", func(t *testing.T) {
		tl := NewTimeline(100)
		g := tlStable(0, 0)
		g.Members = append(g.Members, tlMember("c-7", 7))
		if evs := tl.Observe(g); len(evs) != 0 || tl.Rebalancing() {
			t.Fatalf("an idle member with every partition owned: %q", tlTexts(evs))
		}
	})

	t.Run("idle member beside an unowned partition", func(t *testing.T) {
		tl := NewTimeline(100)
		tl.Observe(tlObservation(0, "Stable", 5, 0, tlMember("c-1", 1, 0, 1), tlMember("c-2", 2, 2, 3), tlMember("c-3", 3, 4), tlMember("c-4", 4)))
		if !tl.Rebalancing() {
			t.Fatal("a half-done cooperative rebalance was not seen")
		}
		evs := tl.Observe(tlObservation(time.Second, "Stable", 6, 0, tlMember("c-1", 1, 0, 1), tlMember("c-2", 2, 2, 3), tlMember("c-3", 3, 4), tlMember("c-4", 4, 5)))
		if s := tlSummary(t, evs); s.MaxUnowned != time.Second || s.PartitionsMoved != 1 {
			t.Fatalf("summary %+v", s)
		}
	})
}

// A topic the group stops consuming keeps its committed offsets; the
// rebalance must not wait for its partitions to find an owner.
func TestTimelineTopicDropped(t *testing.T) {
	t.Parallel()
	tl := NewTimeline(100)
	before := tlStable(0, 0)
	before.Members[0].Assigned = append(before.Members[0].Assigned, TopicPartition{"legacy", 0})
	before.Offsets = append(before.Offsets, PartitionOffsets{TopicPartition: TopicPartition{"legacy", 0}, Committed: 5, LogEnd: 5, Owner: "c-1"})
	tl.Observe(before)
	after := tlStable(500*time.Millisecond, 0)
	after.Generation = 5
	after.Offsets = append(after.Offsets, PartitionOffsets{TopicPartition: TopicPartition{"legacy", 0}, Committed: 5, LogEnd: 5})
	evs := tl.Observe(after)
	tlExpect(t, "dropped", evs,
		"rebalance #1 started",
		"generation 4 → 5",
		"legacy/0: inventory-sync-1 → (unowned)",
		"rebalance #1 done within 500ms: 1 partition moved, 1 without a consumer, peak lag 0",
	)
}

func TestTimelineBounded(t *testing.T) {
	t.Parallel()
	tl := NewTimeline(5)
	var all []TimelineEvent
	for i := range 6 {
		g := tlStable(time.Duration(i)*500*time.Millisecond, 0)
		g.Generation = int32(4 + i)
		if i%2 == 1 {
			g.Members[0].Assigned, g.Members[1].Assigned = g.Members[1].Assigned, g.Members[0].Assigned
		}
		evs := tl.Observe(g)
		if i > 0 && len(evs) != 7 {
			t.Fatalf("observation %d: %q", i, tlTexts(evs))
		}
		all = append(all, evs...)
	}
	kept := tl.Events()
	if len(kept) != 5 || !slices.EqualFunc(kept, all[len(all)-5:], func(a, b TimelineEvent) bool { return a.Text() == b.Text() && a.At.Equal(b.At) }) {
		t.Fatalf("kept %q, want the newest 5 of %q", tlTexts(kept), tlTexts(all))
	}
	kept[0].Kind = EventError
	if tl.Events()[0].Kind == EventError {
		t.Fatal("Events shares its slice with the timeline")
	}
	if tl.Rebalances() != 5 {
		t.Fatalf("%d rebalances", tl.Rebalances())
	}
}

func TestTimelineEventText(t *testing.T) {
	t.Parallel()
	orders3 := TopicPartition{"orders", 3}
	long := &RebalanceSummary{Number: 3, Start: tlT0, End: tlT0.Add(2140 * time.Millisecond), Duration: 2140 * time.Millisecond,
		PartitionsMoved: 4, Unowned: 2, MaxUnowned: 1620 * time.Millisecond, PeakLag: 1234, MembersBefore: 3, MembersAfter: 3}
	for _, c := range []struct {
		e    TimelineEvent
		want string
	}{
		{TimelineEvent{Kind: EventMemberJoined, Member: "c-4-xyz", ClientID: "inventory-sync-4", Host: "/127.0.0.1"}, "member joined: inventory-sync-4 (/127.0.0.1) id c-4-xyz"},
		{TimelineEvent{Kind: EventMemberLeft, Member: "c-2-abc", ClientID: "inventory-sync-2", Host: "/127.0.0.1"}, "member left: inventory-sync-2 (/127.0.0.1) id c-2-abc"},
		{TimelineEvent{Kind: EventMemberLeft, Member: "c-2-abc"}, "member left: id c-2-abc"},
		{TimelineEvent{Kind: EventStateChanged, From: "Stable", To: "PreparingRebalance"}, "state Stable → PreparingRebalance"},
		{TimelineEvent{Kind: EventGenerationChanged, From: "4", To: "5"}, "generation 4 → 5"},
		{TimelineEvent{Kind: EventPartitionMoved, Partition: orders3, From: "c-2", To: "c-1", FromClient: "inventory-sync-2", ToClient: "inventory-sync-1"}, "orders/3: inventory-sync-2 → inventory-sync-1"},
		{TimelineEvent{Kind: EventPartitionMoved, Partition: orders3, From: "c-2", To: "c-1", FromClient: "consumer-1", ToClient: "consumer-1"}, "orders/3: c-2 → c-1"},
		{TimelineEvent{Kind: EventPartitionUnowned, Partition: orders3, From: "c-2", FromClient: "inventory-sync-2"}, "orders/3: inventory-sync-2 → (unowned)"},
		{TimelineEvent{Kind: EventPartitionAssigned, Partition: orders3, To: "c-1"}, "orders/3: (unowned) → c-1"},
		{TimelineEvent{Kind: EventRebalanceStarted, Rebalance: 3}, "rebalance #3 started"},
		{TimelineEvent{Kind: EventRebalanceEnded, Rebalance: 3, Summary: long}, "rebalance #3 done in 2.1s: 4 partitions moved, 2 without a consumer for up to 1.6s, peak lag 1,234"},
		{TimelineEvent{Kind: EventRebalanceEnded, Rebalance: 1, Summary: &RebalanceSummary{Number: 1, Start: tlT0, End: tlT0.Add(time.Second), Duration: time.Second, PartitionsMoved: 1, UnknownBefore: 5}},
			"rebalance #1 done in 1s: 1 partition moved (5 of unknown owner before), peak lag 0"},
		{TimelineEvent{Kind: EventPartitionMoved, Partition: orders3, From: "c-2", To: "c-1", FromClient: "inventory-sync-2", ToClient: "inventory-sync-1", Unowned: 1250 * time.Millisecond},
			"orders/3: inventory-sync-2 → (unowned) → inventory-sync-1, 1.3s without a consumer"},
		{TimelineEvent{Kind: EventPartitionAssigned, Partition: orders3, To: "c-1", ToClient: "inventory-sync-1", Unowned: 300 * time.Millisecond}, "orders/3: (unowned) → inventory-sync-1 after 300ms without a consumer"},
		{TimelineEvent{Kind: EventPartitionAssigned, Partition: orders3, To: "c-1", FromUnknown: true}, "orders/3: (unknown) → c-1"},
		{TimelineEvent{Kind: EventOwnersUnknown, Partitions: []TopicPartition{{"orders", 0}, {"orders", 1}, {"orders", 2}, {"orders", 5}, {"payments", 0}}},
			"owner not reported while the group rebalances: orders/0-2,5 payments/0"},
		{TimelineEvent{Kind: EventOffsetsReset, Offsets: []OffsetChange{{orders3, 1200, 0}, {TopicPartition{"orders", 4}, -1, 7}}}, "offsets reset: orders/3 1,200 → 0, orders/4 none → 7"},
		{TimelineEvent{Kind: EventOffsetsReset, Offsets: []OffsetChange{{orders3, 1200, -1}}}, "offsets deleted: orders/3 1,200 → none"},
		{TimelineEvent{Kind: EventUnobserved, Gap: 252 * time.Second}, "not observed for 4m12s: what changed meanwhile is not shown"},
		{TimelineEvent{Kind: EventRebalanceEnded, Rebalance: 4, Summary: &RebalanceSummary{Number: 4, Start: tlT0, End: tlT0, Duration: 480 * time.Millisecond, PartitionsMoved: 1, PeakLag: 1234567, MembersBefore: 2, MembersAfter: 3}},
			"rebalance #4 done within 480ms: 1 partition moved, peak lag 1,234,567, members 2 → 3"},
		{TimelineEvent{Kind: EventGroupGone}, "group gone (Dead)"},
		{TimelineEvent{Kind: EventGroupGone, Err: fmt.Errorf("%w: inventory-sync", ErrNoSuchGroup)}, "group gone: no such group: inventory-sync"},
		{TimelineEvent{Kind: EventError, Err: errors.New("request timed out")}, "poll failed: request timed out"},
	} {
		if got := c.e.Text(); got != c.want {
			t.Errorf("kind %d: %q, want %q", c.e.Kind, got, c.want)
		}
	}
}

func TestTimelineWindow(t *testing.T) {
	t.Parallel()
	tl := NewTimeline(10)
	for i := range 5 {
		tl.events = append(tl.events, TimelineEvent{From: strconv.Itoa(i)})
	}
	got := tl.Window(3, 99)
	if tl.Len() != 5 || len(got) != 2 || got[0].From != "3" || got[1].From != "4" {
		t.Errorf("window: %+v", got)
	}
	if w := tl.Window(-2, 1); len(w) != 1 || w[0].From != "0" {
		t.Errorf("clamped: %+v", w)
	}
	if w := tl.Window(4, 2); w != nil {
		t.Errorf("empty: %+v", w)
	}
}
