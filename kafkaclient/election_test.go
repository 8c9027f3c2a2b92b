package kafkaclient

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"

	"github.com/IBM/sarama"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// TestPreferredMoves lists the partitions led off their preferred
// replica, whether that replica is in sync, and leaderless ones, within
// the scope asked.
func TestPreferredMoves(t *testing.T) {
	s := &Snapshot{Topics: []TopicInfo{
		{Name: "a", Partitions: []PartitionInfo{
			{ID: 0, Leader: 1, Replicas: []int32{1, 2, 3}, ISR: []int32{1, 2, 3}},
			{ID: 1, Leader: 3, Replicas: []int32{2, 3, 1}, ISR: []int32{3, 1, 2}},
			{ID: 2, Leader: 1, Replicas: []int32{3, 1, 2}, ISR: []int32{1, 2}},
			{ID: 3, Leader: -1, Replicas: []int32{2}, ISR: nil},
		}},
		{Name: "b", Partitions: []PartitionInfo{{ID: 0, Leader: 2, Replicas: []int32{1, 2}, ISR: []int32{1, 2}}}},
	}}
	all := func(string, PartitionInfo) bool { return true }
	got := fmt.Sprint(s.PreferredMoves(all))
	if want := "[{{a 1} 3 2 true} {{a 2} 1 3 false} {{a 3} -1 2 false} {{b 0} 2 1 true}]"; got != want {
		t.Errorf("moves %s, want %s", got, want)
	}
	onlyB := s.PreferredMoves(func(topic string, _ PartitionInfo) bool { return topic == "b" })
	if len(onlyB) != 1 || onlyB[0].Topic != "b" {
		t.Errorf("scoped to b: %v", onlyB)
	}
}

// TestElectPreferredLeaders sends one preferred election naming exactly
// the partitions asked, and gives each its own answer.
func TestElectPreferredLeaders(t *testing.T) {
	t.Parallel()
	c := newCluster(t, 3, kfake.SeedTopics(3, "orders"))
	var sent []string
	c.ControlKey(int16(kmsg.ElectLeaders), func(req kmsg.Request) (kmsg.Response, error, bool) {
		c.KeepControl()
		r := req.(*kmsg.ElectLeadersRequest)
		for _, tp := range r.Topics {
			for _, p := range tp.Partitions {
				sent = append(sent, fmt.Sprintf("%s/%d type %d", tp.Topic, p, r.ElectionType))
			}
		}
		return nil, nil, false
	})
	c.Fault(kfake.Fault{Keys: []kmsg.Key{kmsg.ElectLeaders}, Topic: "orders", Partitions: []int32{2}, Err: kerr.PreferredLeaderNotAvailable})
	cl := connect(t, c)
	results, err := cl.ElectPreferredLeaders(context.Background(), []TopicPartition{{"orders", 2}, {"orders", 0}})
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(sent)
	if fmt.Sprint(sent) != "[orders/0 type 0 orders/2 type 0]" {
		t.Errorf("sent %v, want a preferred election of orders/0 and orders/2", sent)
	}
	if len(results) != 2 || results[0].Partition != 0 || results[0].Err != nil ||
		results[1].Partition != 2 || !errors.Is(results[1].Err, sarama.ErrPreferredLeaderNotAvailable) {
		t.Errorf("results %+v", results)
	}
	if _, err := cl.ElectPreferredLeaders(context.Background(), nil); err == nil {
		t.Error("an election of no partition was sent: Kafka reads it as every partition")
	}
}

// TestPreferredMovesFromTheMetadata: kfake lists a partition's leader
// first among its replicas, so that its leaders are always preferred; the
// Metadata answer is rewritten (serveSickMetadata) to lead partition 1
// off its preferred replica and to leave partition 2 without a leader.
func TestPreferredMovesFromTheMetadata(t *testing.T) {
	t.Parallel()
	c := newCluster(t, 3)
	serveSickMetadata(t, c, 3)
	cl := connect(t, c)
	s := waitSnapshot(t, cl, func(*Snapshot) bool { return true })
	got := fmt.Sprint(s.PreferredMoves(func(string, PartitionInfo) bool { return true }))
	if want := "[{{sick 1} 2 1 true} {{sick 2} -1 3 false}]"; got != want {
		t.Errorf("moves %s, want %s", got, want)
	}
}
