//go:build realkafka

package integration

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"kscope/kafkaclient"
)

// TestController compares the controller kscope shows (the header's
// "controller N" and the brokers view's mark) with the active KRaft
// controller kafka-metadata-quorum names, over several refreshes: the
// cluster is quiet, so the answer must not change from one to the next.
// Every snapshot published names it, but for the first, which may be out
// before the quorum answers and then says it is unknown.
func TestController(t *testing.T) {
	s := connect(t, config())
	leader := activeController(t)
	var seen []string
	wrong := 0
	for range 6 {
		snap := s.fresh(t)
		var marked []string
		for _, b := range snap.Brokers {
			if b.Controller {
				marked = append(marked, fmt.Sprint(b.ID))
			}
		}
		seen = append(seen, fmt.Sprintf("controller=%d marked=%s", snap.ControllerID, strings.Join(marked, ",")))
		if snap.ControllerID != leader || len(marked) != 1 || marked[0] != fmt.Sprint(leader) {
			wrong++
		}
	}
	if now := activeController(t); now != leader {
		t.Fatalf("the active controller moved from %d to %d during the test", leader, now)
	}
	// The first snapshot may be published before the quorum answers, with
	// the controller unknown; none ever names another node.
	s.mu.Lock()
	published := slices.Clone(s.controllers)
	s.mu.Unlock()
	for i, id := range published {
		if id != leader && (i > 0 || id != kafkaclient.ControllerUnknown) {
			t.Errorf("snapshot %d of %d named controller %d; kafka-metadata-quorum says %d", i+1, len(published), id, leader)
		}
	}
	if wrong > 0 {
		t.Errorf("kafka-metadata-quorum says node %d is the active controller; kscope's %d refreshes said:\n  %s",
			leader, len(seen), strings.Join(seen, "\n  "))
	}
}
