package kafkaclient

import (
	"strings"
	"testing"
	"time"
)

// coop is an observation of the group on the cooperative-sticky assignor.
func coop(at time.Duration, state string, gen int32, lag int64, members ...GroupMember) GroupInfo {
	return tlWith("cooperative-sticky", at, state, gen, lag, members...)
}

// tlNoUnowned fails if an event says a partition of parts lost its owner.
func tlNoUnowned(t *testing.T, evs []TimelineEvent, parts ...int32) {
	t.Helper()
	for _, e := range evs {
		for _, p := range parts {
			if e.Partition == (TopicPartition{"orders", p}) && strings.Contains(e.Text(), "(unowned)") {
				t.Errorf("orders/%d drawn without an owner: %q", p, e.Text())
			}
		}
	}
}

// The case: a cooperative group goes from three members to two.
// The coordinator reports no assignment while it rebalances, but the two
// members that stay keep consuming what they own, and say so when they
// join: only the partitions of the member that left were without one.
func TestTimelineCooperativeMemberLeaves(t *testing.T) {
	t.Parallel()
	tl := NewTimeline(100)
	tl.Observe(coop(0, "Stable", 4, 10, tlMember("c-1", 1, 0, 1), tlMember("c-2", 2, 2, 3), tlMember("c-3", 3, 4, 5)))

	evs := tl.Observe(coop(500*time.Millisecond, "PreparingRebalance", -1, 20, tlMember("c-1", 1), tlMember("c-2", 2)))
	tlExpect(t, "preparing", evs,
		"rebalance #1 started",
		"member left: inventory-sync-3 (/10.0.0.3) id c-3",
		"state Stable → PreparingRebalance",
		"orders/4: inventory-sync-3 → (unowned)",
		"orders/5: inventory-sync-3 → (unowned)",
		"owner not reported while the group rebalances: orders/0-3",
	)
	if owner, known := tl.Owner(TopicPartition{"orders", 3}); known || owner != "c-2" {
		t.Errorf("orders/3 mid-rebalance: owner %q known %v, want c-2 not known", owner, known)
	}
	if owner, known := tl.Owner(TopicPartition{"orders", 4}); !known || owner != "" {
		t.Errorf("orders/4 mid-rebalance: owner %q known %v, want known to have none", owner, known)
	}
	evs = tl.Observe(coop(time.Second, "CompletingRebalance", -1, 30, tlMember("c-1", 1), tlMember("c-2", 2)))
	tlExpect(t, "completing", evs, "state PreparingRebalance → CompletingRebalance")

	evs = tl.Observe(coop(2*time.Second, "Stable", 5, 20,
		tlOwning(tlMember("c-1", 1, 0, 1, 4), 0, 1), tlOwning(tlMember("c-2", 2, 2, 3, 5), 2, 3)))
	tlExpect(t, "stable", evs,
		"state CompletingRebalance → Stable",
		"generation 4 → 5",
		"orders/4: (unowned) → inventory-sync-1 after 1.5s without a consumer",
		"orders/5: (unowned) → inventory-sync-2 after 1.5s without a consumer",
		"rebalance #1 done in 1.5s: 2 partitions moved, 2 without a consumer for up to 1.5s, peak lag 180, members 3 → 2",
	)
	tlNoUnowned(t, tl.Events(), 0, 1, 2, 3)
	if s := tlSummary(t, evs); s.PartitionsMoved != 2 || s.Unowned != 2 || s.MaxUnowned != 1500*time.Millisecond {
		t.Fatalf("summary %+v", s)
	}
	if owner, known := tl.Owner(TopicPartition{"orders", 3}); !known || owner != "c-2" {
		t.Errorf("orders/3 after: owner %q known %v", owner, known)
	}
}

// A cooperative member that joins takes a partition in two generations:
// its owner gives it up in the first (the group is Stable, and nobody
// consumes it), the newcomer gets it in the second.
func TestTimelineCooperativeMemberJoins(t *testing.T) {
	t.Parallel()
	tl := NewTimeline(100)
	tl.Observe(coop(0, "Stable", 4, 0, tlMember("c-1", 1, 0, 1), tlMember("c-2", 2, 2, 3), tlMember("c-3", 3, 4, 5)))
	all := []GroupMember{tlMember("c-1", 1), tlMember("c-2", 2), tlMember("c-3", 3), tlMember("c-4", 4)}
	evs := tl.Observe(coop(500*time.Millisecond, "PreparingRebalance", -1, 0, all...))
	tlExpect(t, "preparing", evs,
		"rebalance #1 started",
		"member joined: inventory-sync-4 (/10.0.0.4) id c-4",
		"state Stable → PreparingRebalance",
		"owner not reported while the group rebalances: orders/0-5",
	)
	evs = tl.Observe(coop(time.Second, "Stable", 5, 0,
		tlOwning(tlMember("c-1", 1, 0, 1), 0, 1), tlOwning(tlMember("c-2", 2, 2, 3), 2, 3),
		tlOwning(tlMember("c-3", 3, 4), 4, 5), tlOwning(tlMember("c-4", 4))))
	tlExpect(t, "revoked", evs,
		"state PreparingRebalance → Stable",
		"generation 4 → 5",
		"orders/5: inventory-sync-3 → (unowned)",
	)
	if !tl.Rebalancing() {
		t.Fatal("over while orders/5 has no owner")
	}
	evs = tl.Observe(coop(1500*time.Millisecond, "PreparingRebalance", -1, 0, all...))
	tlExpect(t, "second round", evs,
		"state Stable → PreparingRebalance",
		"owner not reported while the group rebalances: orders/0-4",
	)
	evs = tl.Observe(coop(2*time.Second, "Stable", 6, 0,
		tlOwning(tlMember("c-1", 1, 0, 1), 0, 1), tlOwning(tlMember("c-2", 2, 2, 3), 2, 3),
		tlOwning(tlMember("c-3", 3, 4), 4), tlOwning(tlMember("c-4", 4, 5))))
	tlExpect(t, "assigned", evs,
		"state PreparingRebalance → Stable",
		"generation 5 → 6",
		"orders/5: (unowned) → inventory-sync-4 after 1s without a consumer",
		"rebalance #1 done in 1.5s: 1 partition moved, 1 without a consumer for up to 1s, peak lag 0, members 3 → 4",
	)
	tlNoUnowned(t, tl.Events(), 0, 1, 2, 3, 4)
}

// Clients that behave eagerly under an assignor that allows cooperation
// (a rolling upgrade lists cooperative-sticky beside range) report owning
// nothing: their partitions were without a consumer, and the timeline
// learns it when they report.
func TestTimelineEagerMembersOnCooperativeAssignor(t *testing.T) {
	t.Parallel()
	tl := NewTimeline(100)
	tl.Observe(coop(0, "Stable", 4, 0, tlMember("c-1", 1, 0, 1, 2), tlMember("c-2", 2, 3, 4, 5)))
	tl.Observe(coop(500*time.Millisecond, "PreparingRebalance", -1, 0, tlMember("c-1", 1), tlMember("c-2", 2), tlMember("c-3", 3)))
	evs := tl.Observe(coop(1500*time.Millisecond, "Stable", 5, 0,
		tlOwning(tlMember("c-1", 1, 0, 1)), tlOwning(tlMember("c-2", 2, 3, 4)), tlOwning(tlMember("c-3", 3, 2, 5))))
	tlExpect(t, "stable", evs,
		"state PreparingRebalance → Stable",
		"generation 4 → 5",
		"orders/0: inventory-sync-1 → (unowned) → inventory-sync-1, 1s without a consumer",
		"orders/1: inventory-sync-1 → (unowned) → inventory-sync-1, 1s without a consumer",
		"orders/2: inventory-sync-1 → (unowned) → inventory-sync-3, 1s without a consumer",
		"orders/3: inventory-sync-2 → (unowned) → inventory-sync-2, 1s without a consumer",
		"orders/4: inventory-sync-2 → (unowned) → inventory-sync-2, 1s without a consumer",
		"orders/5: inventory-sync-2 → (unowned) → inventory-sync-3, 1s without a consumer",
		"rebalance #1 done in 1s: 2 partitions moved, 6 without a consumer for up to 1s, peak lag 0, members 2 → 3",
	)
}

// A member whose partitions' owners are not reported can still leave: its
// partitions are then without a consumer from that observation on.
func TestTimelineUnknownOwnerLeaves(t *testing.T) {
	t.Parallel()
	tl := NewTimeline(100)
	tl.Observe(coop(0, "Stable", 4, 0, tlMember("c-1", 1, 0, 1, 2), tlMember("c-2", 2, 3, 4, 5)))
	tl.Observe(coop(500*time.Millisecond, "PreparingRebalance", -1, 0, tlMember("c-1", 1), tlMember("c-2", 2)))
	evs := tl.Observe(coop(time.Second, "CompletingRebalance", -1, 0, tlMember("c-1", 1)))
	tlExpect(t, "left", evs,
		"member left: inventory-sync-2 (/10.0.0.2) id c-2",
		"state PreparingRebalance → CompletingRebalance",
		"orders/3: inventory-sync-2 → (unowned)",
		"orders/4: inventory-sync-2 → (unowned)",
		"orders/5: inventory-sync-2 → (unowned)",
	)
	evs = tl.Observe(coop(1800*time.Millisecond, "Stable", 5, 0, tlOwning(tlMember("c-1", 1, 0, 1, 2, 3, 4, 5), 0, 1, 2)))
	if s := tlSummary(t, evs); s.PartitionsMoved != 3 || s.Unowned != 3 || s.MaxUnowned != 800*time.Millisecond {
		t.Fatalf("summary %+v in %q", s, tlTexts(evs))
	}
	tlNoUnowned(t, tl.Events(), 0, 1, 2)
}

// A group whose members' subscriptions cannot be read (not the consumer
// protocol) shows unknown owners while it rebalances and, after, only the
// changes the assignments show: nothing claims a time without consumer.
func TestTimelineOtherProtocol(t *testing.T) {
	t.Parallel()
	tl := NewTimeline(100)
	connect := func(at time.Duration, state string, members ...GroupMember) GroupInfo {
		g := tlObservation(at, state, -1, 0, members...)
		g.ProtocolType, g.Protocol = "connect", ""
		if state == "Stable" {
			g.Protocol = "sessioned"
		}
		return g
	}
	tl.Observe(connect(0, "Stable", tlMember("w-1", 1, 0, 1, 2), tlMember("w-2", 2, 3, 4, 5)))
	evs := tl.Observe(connect(500*time.Millisecond, "PreparingRebalance", tlMember("w-1", 1), tlMember("w-2", 2)))
	tlExpect(t, "preparing", evs,
		"rebalance #1 started",
		"state Stable → PreparingRebalance",
		"owner not reported while the group rebalances: orders/0-5",
	)
	evs = tl.Observe(connect(time.Second, "Stable", tlMember("w-1", 1, 0, 1, 2, 3), tlMember("w-2", 2, 4, 5)))
	tlExpect(t, "stable", evs,
		"state PreparingRebalance → Stable",
		"orders/3: inventory-sync-2 → inventory-sync-1",
		"rebalance #1 done in 500ms: 1 partition moved, peak lag 0",
	)
}

func TestTimelineOffsetReset(t *testing.T) {
	t.Parallel()
	at := func(g GroupInfo, committed ...int64) GroupInfo {
		for i, c := range committed {
			g.Offsets[i].Committed = c
		}
		return g
	}
	t.Run("empty group, by an admin", func(t *testing.T) {
		tl := NewTimeline(100)
		tl.Observe(at(tlObservation(0, "Empty", -1, 50), 1000, 1000, 1000, 1000, 1000, 1000))
		evs := tl.Observe(at(tlObservation(500*time.Millisecond, "Empty", -1, 50), 0, 0, 1200, 1000, 1000, 1000))
		tlExpect(t, "reset", evs, "offsets reset: orders/0 1,000 → 0, orders/1 1,000 → 0, orders/2 1,000 → 1,200")
		if evs[0].Kind != EventOffsetsReset || len(evs[0].Offsets) != 3 || evs[0].Offsets[2] != (OffsetChange{TopicPartition{"orders", 2}, 1000, 1200}) {
			t.Fatalf("event %+v", evs[0])
		}
		if tl.Rebalancing() {
			t.Fatal("a reset is no rebalance")
		}
		g := at(tlObservation(time.Second, "Empty", -1, 50), 0, 0, 1200, 1000, 1000)
		g.Offsets = g.Offsets[:5]
		tlExpect(t, "deleted", tl.Observe(g), "offsets deleted: orders/5 1,000 → none")
		evs = tl.Observe(at(tlObservation(1500*time.Millisecond, "Empty", -1, 50), 5, 5, 5, 5, 5, 5))
		tlExpect(t, "many", evs, "offsets reset: orders/0 0 → 5, orders/1 0 → 5, orders/2 1,200 → 5, orders/3 1,000 → 5, +2 more")
	})
	t.Run("consumers commit forward", func(t *testing.T) {
		tl := NewTimeline(100)
		tl.Observe(at(tlStable(0, 0), 1000, 1000, 1000, 1000, 1000, 1000))
		evs := tl.Observe(at(tlStable(500*time.Millisecond, 0), 1500, 1000, 1000, 1000, 1000, 900))
		tlExpect(t, "rewound", evs, "offsets reset: orders/5 1,000 → 900")
	})
}

// Reopened after a while, the timeline says how long nobody watched and
// starts afresh: changes in the gap cannot be dated.
func TestTimelineResume(t *testing.T) {
	t.Parallel()
	tl := NewTimeline(100)
	if evs := tl.Resume(tlT0); evs != nil {
		t.Fatalf("resumed before any observation: %q", tlTexts(evs))
	}
	tl.Observe(tlStable(0, 0))
	tlExpect(t, "resume", tl.Resume(tlT0.Add(252*time.Second)), "not observed for 4m12s: what changed meanwhile is not shown")
	evs := tl.Observe(tlObservation(253*time.Second, "Stable", 9, 0, tlMember("c-1", 1, 0, 1, 2), tlMember("c-9", 9, 3, 4, 5)))
	if len(evs) != 0 || tl.Rebalancing() {
		t.Fatalf("after the gap: %q", tlTexts(evs))
	}
	if tl.Len() != 1 || tl.Generation() != 9 || tl.Assignor() != "range" {
		t.Fatalf("kept %d events, generation %d, assignor %q", tl.Len(), tl.Generation(), tl.Assignor())
	}
	// An answer older than the last one (a slow poll) is ignored.
	if evs := tl.Observe(tlStable(200*time.Second, 0)); evs != nil {
		t.Fatalf("a late observation produced %q", tlTexts(evs))
	}
}

func TestPartitionsText(t *testing.T) {
	t.Parallel()
	tps := []TopicPartition{{"orders", 0}, {"orders", 1}, {"orders", 2}, {"orders", 3}, {"orders", 7}, {"orders", 9}, {"orders", 10}, {"payments", 2}}
	if got, want := PartitionsText(tps), "orders/0-3,7,9-10 payments/2"; got != want {
		t.Errorf("PartitionsText = %q, want %q", got, want)
	}
	if got := PartitionsText(nil); got != "" {
		t.Errorf("no partitions: %q", got)
	}
}
