package kafkaclient

import (
	"context"
	"testing"

	"github.com/twmb/franz-go/pkg/kfake"
)

// The first screen does not wait for the quorum to name the controller:
// the metadata is published at once with the controller unknown, and the
// snapshot with the watermarks names it. A quorum that cannot be asked
// leaves the Metadata answer's controller.
func TestFirstSnapshotDoesNotWaitForTheQuorum(t *testing.T) {
	t.Parallel()
	c := newCluster(t, 3, kfake.SeedTopics(2, "orders"))
	cl := connect(t, c)
	waitSnapshot(t, cl, func(*Snapshot) bool { return true })
	meta, err := cl.metadata()
	if err != nil {
		t.Fatal(err)
	}
	next := func() *Snapshot {
		t.Helper()
		for e := range cl.Events() {
			if u, ok := e.(ClusterUpdated); ok {
				return u.Snapshot
			}
		}
		t.Fatal("events closed")
		return nil
	}
	marked := func(s *Snapshot) (ids []int32) {
		for _, b := range s.Brokers {
			if b.Controller {
				ids = append(ids, b.ID)
			}
		}
		return ids
	}
	for _, tc := range []struct {
		name string
		q    controller
		want int32
	}{
		{"the quorum names 2", controller{id: 2, ok: true}, 2},
		{"no quorum", controller{}, meta.ControllerID},
	} {
		asked := make(chan bool, 2)
		go cl.refreshWith(context.Background(), nil, meta, func(wait bool) (controller, bool) {
			asked <- wait
			return tc.q, wait
		})
		first := next()
		if first.ControllerID != ControllerUnknown || len(marked(first)) != 0 || !first.WatermarksAt.IsZero() {
			t.Errorf("%s: the first snapshot names controller %d, marks %v", tc.name, first.ControllerID, marked(first))
		}
		second := next()
		if second.ControllerID != tc.want || len(marked(second)) != 1 || marked(second)[0] != tc.want || second.WatermarksAt.IsZero() {
			t.Errorf("%s: the snapshot with watermarks names controller %d, marks %v; want %d", tc.name, second.ControllerID, marked(second), tc.want)
		}
		if a, b := <-asked, <-asked; a || !b {
			t.Errorf("%s: asked the quorum with wait %v then %v", tc.name, a, b)
		}
	}
}
