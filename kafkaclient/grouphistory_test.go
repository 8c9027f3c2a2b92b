package kafkaclient

import (
	"fmt"
	"slices"
	"testing"
)

func TestGroupHistoryKeepsWhatViewsLearned(t *testing.T) {
	t.Parallel()
	h := NewGroupHistory(0)
	r := h.Group("shop")
	r.Health.Observe(sec(0), []PartitionOffsets{{TopicPartition: TopicPartition{"orders", 0}, Committed: 1, LogEnd: 5}})
	r.AddLag(4)
	tl := h.Timeline("shop")
	tl.Observe(tlStable(0, 0))
	// A view opened again finds the same record and timeline.
	if again := h.Group("shop"); again != r || len(again.Lags()) != 1 || h.Timeline("shop") != tl || tl.Len() != 0 {
		t.Fatalf("record %p (want %p), lags %v, timeline %p (want %p)", again, r, again.Lags(), h.Timeline("shop"), tl)
	}
	if _, w := r.Health.Partition(TopicPartition{"orders", 0}, sec(0)); w == nil || len(w.Samples()) != 1 {
		t.Fatalf("health lost its sample: %v", w)
	}
	h.Forget("shop")
	if h.Group("shop") == r || h.Len() != 1 {
		t.Fatal("a forgotten group kept its record")
	}
}

func TestGroupHistoryIsBounded(t *testing.T) {
	t.Parallel()
	h := NewGroupHistory(3)
	for _, n := range []string{"a", "b", "c"} {
		h.Group(n)
	}
	h.Group("a") // b is now the one used longest ago
	h.Group("d")
	if h.Len() != 3 || h.groups["b"] != nil || h.groups["a"] == nil {
		t.Fatalf("kept %v", keys(h))
	}

	h = NewGroupHistory(0)
	for i := range DefaultHistoryTimelines + 1 {
		h.Timeline(fmt.Sprint(i))
	}
	n := 0
	for _, r := range h.groups {
		if r.timeline != nil {
			n++
		}
	}
	if n != DefaultHistoryTimelines || h.groups["0"].timeline != nil {
		t.Fatalf("%d timelines kept, the oldest's %p", n, h.groups["0"].timeline)
	}

	r := h.Group("lags")
	for i := range DefaultHistoryLags + 5 {
		r.AddLag(int64(i))
	}
	if l := r.Lags(); len(l) != DefaultHistoryLags || l[0] != 5 {
		t.Fatalf("lags %v", l)
	}
}

func keys(h *GroupHistory) []string {
	var out []string
	for n := range h.groups {
		out = append(out, n)
	}
	slices.Sort(out)
	return out
}
