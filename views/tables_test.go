package views

import (
	"errors"
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"

	"kscope/kafkaclient"
)

// clusterSnapshot is a cluster with the names tables find hard: long
// ones that differ only at the end, an internal topic, a broker down.
func clusterSnapshot() *kafkaclient.Snapshot {
	parts := func(n int, high int64, offline bool) []kafkaclient.PartitionInfo {
		ps := make([]kafkaclient.PartitionInfo, n)
		for i := range ps {
			ps[i] = kafkaclient.PartitionInfo{ID: int32(i), Leader: int32(1 + i%3), Replicas: []int32{int32(1 + i%3), int32(1 + (i+1)%3), int32(1 + (i+2)%3)},
				ISR: []int32{int32(1 + i%3), int32(1 + (i+1)%3), int32(1 + (i+2)%3)}, Low: 100, High: high + int64(i)*1000, WatermarksKnown: true}
		}
		if offline {
			ps[1].Leader, ps[1].ISR, ps[1].Offline = -1, nil, []int32{2, 3}
		}
		return ps
	}
	return &kafkaclient.Snapshot{WatermarksAt: t0, Brokers: []kafkaclient.BrokerInfo{
		{ID: 1, Addr: "kafka-1.eu-west-1.prod.internal.example.com:9093", Rack: "eu-west-1a", Controller: true, Up: true, Leaders: 9, Replicas: 27},
		{ID: 2, Addr: "kafka-2.eu-west-1.prod.internal.example.com:9093", Rack: "eu-west-1b", Up: true, Leaders: 9, Replicas: 27},
		{ID: 3, Addr: "kafka-3.eu-west-1.prod.internal.example.com:9093", Rack: "eu-west-1c", Err: errors.New("dial tcp 10.0.3.7:9093: connect: connection refused"), Leaders: 2, Replicas: 26},
	}, Topics: []kafkaclient.TopicInfo{
		{Name: "__consumer_offsets", Internal: true, Partitions: parts(50, 0, false)},
		{Name: "orders", Partitions: parts(12, 1_234_567, false)},
		{Name: "payments.settlements.eu-west-1.v2", Partitions: parts(6, 88_000, true)},
		{Name: "payments.settlements.eu-west-1.v3", Partitions: parts(6, 1_000, false)},
		{Name: "user-events", Partitions: parts(24, 52_113_009, false)},
	}}
}

// clusterDisk is the log dirs of snap as brokers 1 and 2 report them
// (broker 3 is down): 120 bytes a record on every replica, and the
// followers of partition 3 of each topic 250 offsets behind.
func clusterDisk(snap *kafkaclient.Snapshot) *kafkaclient.LogDirs {
	replicas := map[kafkaclient.TopicPartition][]kafkaclient.ReplicaSize{}
	perBroker := map[int32]int64{}
	for _, t := range snap.Topics {
		for _, p := range t.Partitions {
			for _, b := range p.Replicas {
				if b == 3 {
					continue
				}
				r := kafkaclient.ReplicaSize{Broker: b, Dir: "/data/kafka", Size: 120 * p.Messages()}
				if p.ID == 3 && b != p.Leader {
					r.OffsetLag = 250
				}
				tp := kafkaclient.TopicPartition{Topic: t.Name, Partition: p.ID}
				replicas[tp] = append(replicas[tp], r)
				perBroker[b] += r.Size
			}
		}
	}
	var brokers []kafkaclient.BrokerLogDirs
	for _, b := range []int32{1, 2} {
		brokers = append(brokers, kafkaclient.BrokerLogDirs{Broker: b, Dirs: []kafkaclient.LogDir{{Path: "/data/kafka", TotalBytes: -1, UsableBytes: -1, Size: perBroker[b]}}})
	}
	brokers = append(brokers, kafkaclient.BrokerLogDirs{Broker: 3, Err: errors.New("connection refused")})
	d := kafkaclient.NewLogDirs(brokers, replicas)
	return &d
}

func TestTopicsGolden(t *testing.T) {
	c := testCommon(t)
	c.Snapshot = clusterSnapshot()
	c.Disk = clusterDisk(c.Snapshot)
	requireGolden(t, func(w, h int) string {
		v := NewTopics(c)
		v.SetSize(w, h)
		return v.View()
	})
}

func TestPartitionsGolden(t *testing.T) {
	c := testCommon(t)
	c.Snapshot = clusterSnapshot()
	c.Disk = clusterDisk(c.Snapshot)
	requireGolden(t, func(w, h int) string {
		v := NewPartitions(c, "payments.settlements.eu-west-1.v2")
		// An open transaction holds partition 2 750 offsets back.
		lso := map[int32]int64{}
		for _, p := range c.Snapshot.Topic("payments.settlements.eu-west-1.v2").Partitions {
			lso[p.ID] = p.High
		}
		lso[2] -= 750
		v.Update(stableRead{offsets: lso, at: t0})
		v.SetSize(w, h)
		return v.View()
	})
}

func TestBrokersGolden(t *testing.T) {
	c := testCommon(t)
	c.Snapshot = clusterSnapshot()
	c.Disk = clusterDisk(c.Snapshot)
	requireGolden(t, func(w, h int) string {
		v := NewBrokers(c)
		v.SetSize(w, h)
		return v.View()
	})
}

func TestTailGolden(t *testing.T) {
	v := openTestTail(t, 1000)
	feed(v, orders(0, 40)...)
	feed(v, kafkaclient.Record{Topic: "orders", Partition: 3, Offset: 77, Timestamp: t0, Key: []byte{0xde, 0xad}, Value: []byte("plain text \x1b[31m line")})
	v.Update(press("up"))
	requireGolden(t, func(w, h int) string {
		v.SetSize(w, h)
		return v.View()
	})
}

// TestColumnsFollowTheirValues: names are whole where there is room and
// cut in the middle where there is not, numbers are never cut, no column
// that matters is dropped at 80 columns, and a wide terminal does not
// stretch the name column over the room the values do not need.
func TestColumnsFollowTheirValues(t *testing.T) {
	c := testCommon(t)
	c.Snapshot = clusterSnapshot()
	v := NewTopics(c)

	v.SetSize(80, 10)
	s := plain(v)
	for _, want := range []string{"TOPIC", "PARTITIONS", "RF", "MESSAGES", "UNDER-REPL", "payments.settlements.eu-west-1.v2", "1,250,985,816"} {
		if !strings.Contains(s, want) {
			t.Errorf("at 80 columns the topics lack %q:\n%s", want, s)
		}
	}

	v.SetSize(50, 10)
	s = plain(v)
	if !strings.Contains(s, "payments.…west-1.v2") || !strings.Contains(s, "payments.…west-1.v3") || !strings.Contains(s, "1,250,985,816") {
		t.Errorf("at 50 columns names must keep both ends and numbers all digits:\n%s", s)
	}
	for _, l := range strings.Split(s, "\n") {
		if ansi.StringWidth(l) > 50 {
			t.Errorf("line wider than 50: %q", l)
		}
	}

	v.SetSize(200, 10)
	header := strings.Split(plain(v), "\n")[0]
	if i := strings.Index(header, "PARTITIONS"); i > len("payments.settlements.eu-west-1.v2")+6 {
		t.Errorf("at 200 columns TOPIC takes %d cells for names of 33:\n%s", i, header)
	}

	b := NewBrokers(c)
	for _, size := range []struct {
		w    int
		want []string
	}{
		{80, []string{"ID", "ADDRESS", "CTRL", "LEADERS", "STATUS", "down: dial tcp", "kafka-1.e", "com:9093"}},
		{120, []string{"ID", "ADDRESS", "CTRL", "LEADERS", "STATUS", "connect: connection refused", "kafka-1.eu-west-1", "example.com:9093"}},
	} {
		b.SetSize(size.w, 10)
		s = plain(b)
		for _, want := range size.want {
			if !strings.Contains(s, want) {
				t.Errorf("brokers at %d lack %q:\n%s", size.w, want, s)
			}
		}
	}
}
