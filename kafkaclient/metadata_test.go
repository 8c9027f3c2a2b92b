package kafkaclient

import (
	"sync"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kfake"
)

// TestRefreshFailureMarksEveryUnreachableBrokerDown closes every listener
// of the cluster: the failed refresh must come with the last snapshot in
// which each broker is down with its error, its topics and watermarks
// kept as they were last read.
func TestRefreshFailureMarksEveryUnreachableBrokerDown(t *testing.T) {
	t.Parallel()
	c, err := kfake.NewCluster(kfake.NumBrokers(3), kfake.SeedTopics(2, "kept"))
	if err != nil {
		t.Fatal(err)
	}
	closeCluster := sync.OnceFunc(c.Close)
	defer closeCluster()
	produce(t, c, "kept", 2, 4)
	cl := connect(t, c)
	last := waitSnapshot(t, cl, func(s *Snapshot) bool { return s.BrokersUp() == 3 })

	closeCluster()
	cl.Refresh()
	var failed RefreshFailed
	deadline := time.After(30 * time.Second)
	for failed.Err == nil {
		select {
		case e := <-cl.Events():
			if f, ok := e.(RefreshFailed); ok {
				failed = f
			}
		case <-deadline:
			t.Fatal("no failed refresh within 30s of closing the cluster")
		}
	}
	s := failed.Snapshot
	if s == nil {
		t.Fatal("the failed refresh carries no snapshot")
	}
	if len(s.Brokers) != 3 || s.BrokersUp() != 0 {
		t.Fatalf("brokers %d, up %d; want 3 brokers, none up", len(s.Brokers), s.BrokersUp())
	}
	for _, b := range s.Brokers {
		if b.Err == nil {
			t.Errorf("broker %d is down without an error", b.ID)
		}
	}
	if !s.At.Equal(last.At) || !s.WatermarksAt.Equal(last.WatermarksAt) {
		t.Errorf("read at %s, watermarks at %s; want the last snapshot's %s and %s", s.At, s.WatermarksAt, last.At, last.WatermarksAt)
	}
	kept := s.Topic("kept")
	if kept == nil || !kept.WatermarksKnown() || kept.Messages() != 8 {
		t.Fatalf("topic kept = %+v, want its 8 messages as last read", kept)
	}
	for _, b := range last.Brokers {
		if !b.Up {
			t.Fatal("the failed refresh changed the snapshot it started from")
		}
	}
}
