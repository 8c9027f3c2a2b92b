package kafkaclient

import (
	"context"
	"testing"
)

// A reset made through kscope, and a deletion of committed offsets, show
// in the timeline of the group with each partition's from → to.
func TestTimelineSeesOffsetResets(t *testing.T) {
	t.Parallel()
	c, cl := resetCluster(t)
	ctx := context.Background()
	tl := NewTimeline(100)
	observe := func() []TimelineEvent {
		t.Helper()
		g, err := cl.Group(ctx, "billing")
		if err != nil {
			t.Fatal(err)
		}
		return tl.Observe(g)
	}
	observe()
	plan, err := cl.PlanReset(ctx, "billing", "events", nil, ResetTarget{Kind: ResetEarliest})
	if err != nil {
		t.Fatal(err)
	}
	if err := cl.ApplyReset(ctx, plan); err != nil {
		t.Fatal(err)
	}
	evs := observe()
	if len(evs) != 1 || evs[0].Kind != EventOffsetsReset {
		t.Fatalf("after the reset: %q", texts(evs))
	}
	// Partition 0 starts at 3 (records deleted), 2 had no commit before.
	if got, want := evs[0].Text(), "offsets reset: events/0 5 → 3, events/1 5 → 0, events/2 none → 0"; got != want {
		t.Errorf("reset event %q, want %q", got, want)
	}
	commitAt(t, c, "billing", "events", 1, 9)
	if evs := observe(); len(evs) != 1 || evs[0].Text() != "offsets reset: events/0 3 → 9" {
		t.Errorf("a commit by another tool while nobody consumes: %q", texts(evs))
	}
	if err := cl.DeleteGroupOffsets(ctx, "billing", "events"); err != nil {
		t.Fatal(err)
	}
	if evs := observe(); len(evs) != 1 || evs[0].Text() != "offsets deleted: events/0 9 → none, events/1 0 → none, events/2 0 → none" {
		t.Errorf("after deleting the offsets: %q", texts(evs))
	}
}
