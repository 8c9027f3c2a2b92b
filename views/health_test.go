package views

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"kscope/kafkaclient"
	"kscope/views/viewtest"
)

// healthCluster has one of each thing the checks look for: a broker
// down, an offline partition, partitions under min ISR and
// under-replicated, a leader off its preferred replica, a topic with too
// few replicas, an offline log dir, a nearly full one and a hanging
// transaction.
func healthCluster() healthInput {
	r := []int32{1, 2, 3}
	snap := &kafkaclient.Snapshot{
		Brokers: []kafkaclient.BrokerInfo{
			{ID: 1, Up: true, Leaders: 4}, {ID: 2, Up: true, Leaders: 2}, {ID: 3, Up: false, Err: errors.New("connection refused")},
		},
		Topics: []kafkaclient.TopicInfo{
			{Name: "orders", Partitions: []kafkaclient.PartitionInfo{
				{ID: 0, Leader: 1, Replicas: r, ISR: []int32{1, 2}},
				{ID: 1, Leader: 2, Replicas: []int32{3, 2, 1}, ISR: []int32{2}},
				{ID: 2, Leader: -1, Replicas: []int32{3}, ISR: nil},
			}},
			{Name: "scratch", Partitions: []kafkaclient.PartitionInfo{{ID: 0, Leader: 1, Replicas: []int32{1}, ISR: []int32{1}}}},
			{Name: "healthy", Partitions: []kafkaclient.PartitionInfo{{ID: 0, Leader: 1, Replicas: r, ISR: r}, {ID: 1, Leader: 2, Replicas: []int32{2, 3, 1}, ISR: r}}},
		},
	}
	disk := kafkaclient.NewLogDirs([]kafkaclient.BrokerLogDirs{
		{Broker: 1, Dirs: []kafkaclient.LogDir{{Path: "/data/a", TotalBytes: 100 << 30, UsableBytes: 3 << 30}, {Path: "/data/b", Err: errors.New("KAFKA_STORAGE_ERROR")}}},
		{Broker: 2, Dirs: []kafkaclient.LogDir{{Path: "/data/a", TotalBytes: 100 << 30, UsableBytes: 60 << 30}}},
	}, nil)
	return healthInput{
		snap: snap, disk: &disk, now: t0,
		req: &kafkaclient.Requirements{DefaultReplicationFactor: 3, DefaultMinISR: 2, MinISR: map[string]int{"orders": 2, "scratch": 1, "healthy": 2}},
		txns: []kafkaclient.Transaction{
			{ID: "stuck", State: "Ongoing", Timeout: time.Minute, Started: t0.Add(-10 * time.Minute), Partitions: []kafkaclient.TopicPartition{{Topic: "orders", Partition: 0}}},
			{ID: "fine", State: "Ongoing", Timeout: time.Minute, Started: t0.Add(-time.Second)},
			{ProducerID: 9001, Coordinator: -1, HangingAt: []kafkaclient.ProducerAt{
				{TopicPartition: kafkaclient.TopicPartition{Topic: "orders", Partition: 1}, Producer: kafkaclient.ActiveProducer{ProducerID: 9001, LastTimestamp: t0.Add(-time.Hour), TxnStartOffset: 40}},
				{TopicPartition: kafkaclient.TopicPartition{Topic: "orders", Partition: 2}, Producer: kafkaclient.ActiveProducer{ProducerID: 9001, LastTimestamp: t0.Add(-time.Hour), TxnStartOffset: 7}},
			}},
		},
		groups: map[string]kafkaclient.Status{"billing": kafkaclient.StatusStall, "analytics": kafkaclient.StatusOK, "etl": kafkaclient.StatusWarn},
	}
}

// TestHealthFindsEachProblemWorstFirst checks every check against a
// cluster made to fail it, and the order: critical first, what is down
// before what is degraded.
func TestHealthFindsEachProblemWorstFirst(t *testing.T) {
	var got []string
	for _, f := range evaluateHealth(healthCluster()) {
		got = append(got, f.Severity.String()+" "+f.Check+" "+f.Subject+": "+f.Detail)
	}
	want := []string{
		"CRIT broker down broker 3: connection refused",
		"CRIT offline partitions orders: 1 partition 2: no leader; nothing can be read or written",
		"CRIT under min ISR orders: 2 partitions 1,2: fewer in-sync replicas than min.insync.replicas=2; acks=all writes fail",
		"CRIT log dir offline broker 1 /data/b: KAFKA_STORAGE_ERROR",
		"CRIT hanging transaction producer 9001: open at orders/1 since offset 40, last written 1h ago, and no coordinator will end it (and at 1 partition more); read_committed consumers wait",
		"CRIT hanging transaction stuck: open 10m, timeout 1m; read_committed consumers of 1 partition wait",
		"CRIT group STALL billing: committed offsets not moving while there is lag",
		"CRIT log dir near full broker 1 /data/a: 3.0 GiB free of 100 GiB (3%)",
		"WARN group WARN etl: lag grew across the whole window",
		"WARN under-replicated orders: 3 partitions 0,1,2: replicas out of the ISR",
		"WARN replication factor scratch: replication factor 1, below the default.replication.factor 3; below min.insync.replicas+1 = 2: one broker down stops acks=all writes",
		"WARN preferred leaders the cluster: 1 partition is not led by its preferred replica; E here elects them all, or on a topic, partition or broker",
		"WARN leader skew broker 1: leads 4 of 6 partitions, an even share is 2",
		"WARN leader skew broker 3: leads 0 of 6 partitions, an even share is 2",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("findings:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if s, worst := healthSummary(evaluateHealth(healthCluster())); s != "CRIT 8" || worst != SeverityCrit {
		t.Errorf("summary %q", s)
	}
	if s, _ := healthSummary(evaluateHealth(healthInput{snap: &kafkaclient.Snapshot{}})); s != "OK" {
		t.Errorf("an empty cluster: %q", s)
	}
}

// TestHealthViewObservesGroupsAndDrillsDown: the view observes the
// groups, shows findings with hostile names escaped, and enter opens the
// view of the finding under the cursor.
func TestHealthViewObservesGroupsAndDrillsDown(t *testing.T) {
	inBubble(t, func(t *testing.T, h *host) {
		asked := 0
		fake := &viewtest.Fake{GroupsFn: func(context.Context) ([]kafkaclient.GroupInfo, error) {
			asked++
			return nil, nil
		}}
		c := testCommon(t)
		c.Client = ClientOf(fake)
		in := healthCluster()
		c.Snapshot, c.Disk = in.snap, in.disk
		c.Snapshot.Topics = append(c.Snapshot.Topics, kafkaclient.TopicInfo{Name: "ev\x1b]0;x\x07il", Partitions: []kafkaclient.PartitionInfo{{ID: 0, Leader: -1, Replicas: []int32{3}}}})
		c.HealthRead(kafkaclient.HealthRead{Requirements: in.req, Transactions: in.txns, At: t0})
		v := NewHealth(c)
		h.push(v)
		v.SetSize(160, 30)
		if asked != 1 {
			t.Errorf("groups observed %d times at open", asked)
		}
		got := plain(h.top())
		for _, want := range []string{"CRIT", "broker down", "hanging transaction", `ev\x1b]0;x\x07il`} {
			if !strings.Contains(got, want) {
				t.Errorf("lacks %q:\n%s", want, got)
			}
		}
		if strings.Contains(h.top().View(), "\x1b]0;x") {
			t.Error("a raw escape from a topic name reached the screen")
		}
		if c.Health.Summary != "CRIT 8" {
			t.Errorf("summary %q", c.Health.Summary)
		}
		h.send(press("enter"))
		if _, ok := h.top().(*Brokers); !ok || len(h.stack) != 2 {
			t.Errorf("enter on the broker finding opened %T", h.top())
		}
	})
}
