package kafkaclient

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// TestRequirementsReadsEachTopicsMinISR: a topic's own
// min.insync.replicas, the default for the others, and the broker
// defaults, in two DescribeConfigs requests whatever the topic count.
func TestRequirementsReadsEachTopicsMinISR(t *testing.T) {
	t.Parallel()
	c := newCluster(t, 3, kfake.SeedTopics(1, "plain"))
	cl := connect(t, c)
	spec := TopicSpec{Name: "strict", Partitions: 1, ReplicationFactor: 3, Configs: map[string]string{"min.insync.replicas": "2"}}
	if err := cl.CreateTopic(context.Background(), spec); err != nil {
		t.Fatal(err)
	}
	waitSnapshot(t, cl, func(s *Snapshot) bool { return s.Topic("strict") != nil })
	requests := countRequests(c, kmsg.DescribeConfigs)
	req, err := cl.Requirements(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if req.MinISR["strict"] != 2 || req.MinISR["plain"] != 1 || req.DefaultMinISR != 1 || req.DefaultReplicationFactor != 3 {
		t.Errorf("requirements %+v", req)
	}
	if n := requests.Load(); n != 2 {
		t.Errorf("%d DescribeConfigs requests, want 2: the topics, and one broker", n)
	}
}

// TestHealthReadIsPublished: with a health interval the client reads the
// requirements and the transactions on its own after the first counts.
func TestHealthReadIsPublished(t *testing.T) {
	t.Parallel()
	c := newCluster(t, 3, kfake.SeedTopics(1, "plain"))
	cl, err := Connect(context.Background(), Config{Brokers: c.ListenAddrs(), ConnectTimeout: 5 * time.Second, RefreshInterval: time.Hour,
		DiskInterval: -1, HealthInterval: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(cl.Close)
	deadline := time.After(30 * time.Second)
	for {
		select {
		case e := <-cl.Events():
			if r, ok := e.(HealthRead); ok {
				if r.RequirementsErr != nil || r.Requirements == nil || r.Requirements.MinISR["plain"] != 1 || r.TransactionsErr != nil {
					t.Errorf("health read %+v", r)
				}
				return
			}
		case <-deadline:
			t.Fatal("no health read within 30s")
		}
	}
}

// TestProblemsFromARewrittenMetadata: kfake never shrinks an ISR nor
// loses a leader, so its Metadata answer is rewritten (serveSickMetadata)
// to show a healthy, an under-replicated and an offline partition; the
// snapshot judges them as kafka-topics --describe would.
func TestProblemsFromARewrittenMetadata(t *testing.T) {
	t.Parallel()
	c := newCluster(t, 3)
	serveSickMetadata(t, c, 3)
	cl := connect(t, c)
	s := waitSnapshot(t, cl, func(*Snapshot) bool { return true })
	sick := s.Topic("sick")
	for minISR, want := range map[int]string{
		3: "{Offline:[2] UnderMinISR:[1 2] UnderReplicated:[1 2]}",
		2: "{Offline:[2] UnderMinISR:[2] UnderReplicated:[1 2]}",
		0: "{Offline:[2] UnderMinISR:[] UnderReplicated:[1 2]}",
	} {
		if got := fmt.Sprintf("%+v", sick.Problems(minISR)); got != want {
			t.Errorf("min.insync.replicas %d: %s, want %s", minISR, got, want)
		}
	}
}
