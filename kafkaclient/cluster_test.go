package kafkaclient

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net"
	"runtime"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/IBM/sarama"
	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kmsg"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) {
	flag.Parse()
	// Most tests here wait on brokers' timers (sessions, rebalances, fetch
	// waits) rather than on the CPU, so more of them run at once than the
	// default of one per CPU, unless -parallel says otherwise.
	parallelSet := false
	flag.Visit(func(f *flag.Flag) { parallelSet = parallelSet || f.Name == "test.parallel" })
	if !parallelSet {
		_ = flag.Set("test.parallel", strconv.Itoa(max(4, runtime.GOMAXPROCS(0))))
	}
	// go-metrics starts one process-wide meter goroutine on first use and never stops it.
	goleak.VerifyTestMain(m, ignoreMetrics)
}

// newCluster starts a kfake cluster of n brokers that is closed with the test.
func newCluster(t testing.TB, n int, opts ...kfake.Opt) *kfake.Cluster {
	t.Helper()
	c, err := kfake.NewCluster(append([]kfake.Opt{kfake.NumBrokers(n), kfake.ClusterID("test-cluster")}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	return c
}

// connect opens a Client on the cluster that is closed with the test.
func connect(t testing.TB, c *kfake.Cluster) *Client {
	t.Helper()
	cl, err := Connect(context.Background(), Config{Brokers: c.ListenAddrs(), ConnectTimeout: 5 * time.Second, RefreshInterval: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(cl.Close)
	return cl
}

// syncProducer writes to the partitions its messages name; it is closed with the test.
func syncProducer(t testing.TB, c *kfake.Cluster, set ...func(*sarama.Config)) sarama.SyncProducer {
	t.Helper()
	p := newSyncProducer(t, c, set...)
	t.Cleanup(func() { p.Close() })
	return p
}

// newSyncProducer is syncProducer for a caller that closes it, set up
// further by set. It is idempotent: a retry after an answer lost to a
// timeout under load would otherwise write the record twice and throw off
// the counts tests expect.
func newSyncProducer(t testing.TB, c *kfake.Cluster, set ...func(*sarama.Config)) sarama.SyncProducer {
	t.Helper()
	conf := sarama.NewConfig()
	conf.Version = sarama.V2_8_0_0
	conf.Producer.Return.Successes = true
	conf.Producer.Partitioner = sarama.NewManualPartitioner
	conf.Producer.Idempotent = true
	conf.Producer.RequiredAcks = sarama.WaitForAll
	conf.Net.MaxOpenRequests = 1
	for _, s := range set {
		s(conf)
	}
	p, err := sarama.NewSyncProducer(c.ListenAddrs(), conf)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// openBroker is a connection to c's first broker, for the admin requests
// a test makes itself; it closes with the test.
func openBroker(t testing.TB, c *kfake.Cluster) *sarama.Broker {
	t.Helper()
	b := sarama.NewBroker(c.ListenAddrs()[0])
	conf := sarama.NewConfig()
	conf.Version = sarama.V2_8_0_0
	if err := b.Open(conf); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = b.Close() })
	return b
}

// produce writes n records to each partition of topic.
func produce(t testing.TB, c *kfake.Cluster, topic string, partitions int32, n int) {
	t.Helper()
	p := newSyncProducer(t, c)
	defer p.Close()
	var msgs []*sarama.ProducerMessage
	for part := range partitions {
		for range n {
			msgs = append(msgs, &sarama.ProducerMessage{Topic: topic, Partition: part, Value: sarama.StringEncoder("v")})
		}
	}
	if err := p.SendMessages(msgs); err != nil {
		t.Fatal(err)
	}
}

// waitSnapshot returns the first snapshot with watermarks that satisfies ok.
func waitSnapshot(t testing.TB, cl *Client, ok func(*Snapshot) bool) *Snapshot {
	t.Helper()
	// Generous: under the race detector on a loaded machine a refresh that
	// meets a cut-off broker can take seconds.
	deadline := time.After(30 * time.Second)
	for {
		select {
		case e := <-cl.Events():
			if u, isSnap := e.(ClusterUpdated); isSnap && !u.Snapshot.WatermarksAt.IsZero() && ok(u.Snapshot) {
				return u.Snapshot
			}
		case <-deadline:
			t.Fatal("no matching snapshot within 30s")
			return nil
		}
	}
}

func TestSnapshotHasBrokersTopicsAndWatermarks(t *testing.T) {
	t.Parallel()
	c := newCluster(t, 3, kfake.SeedTopics(4, "orders"), kfake.SeedTopics(1, "logs"))
	produce(t, c, "orders", 4, 5)
	cl := connect(t, c)

	s := waitSnapshot(t, cl, func(*Snapshot) bool { return true })
	if s.ClusterID != "test-cluster" {
		t.Errorf("cluster id = %q", s.ClusterID)
	}
	if len(s.Brokers) != 3 || s.BrokersUp() != 3 {
		t.Fatalf("brokers = %+v", s.Brokers)
	}
	controllers, leaders, replicas := 0, 0, 0
	for _, b := range s.Brokers {
		if b.Controller {
			controllers++
			if b.ID != s.ControllerID {
				t.Errorf("broker %d marked controller, controller is %d", b.ID, s.ControllerID)
			}
		}
		leaders += b.Leaders
		replicas += b.Replicas
	}
	if controllers != 1 {
		t.Errorf("%d controllers marked", controllers)
	}
	orders := s.Topic("orders")
	if orders == nil || s.Topic("logs") == nil {
		t.Fatalf("topics = %v", s.Topics)
	}
	if len(orders.Partitions) != 4 || orders.ReplicationFactor() != 3 {
		t.Fatalf("orders: %d partitions, rf %d", len(orders.Partitions), orders.ReplicationFactor())
	}
	// Every partition of every topic has one leader and RF replicas spread over the brokers.
	if want := 4 + 1; leaders != want {
		t.Errorf("leaders summed over brokers = %d, want %d", leaders, want)
	}
	if want := (4 + 1) * 3; replicas != want {
		t.Errorf("replicas summed over brokers = %d, want %d", replicas, want)
	}
	for _, p := range orders.Partitions {
		if !p.WatermarksKnown || p.Low != 0 || p.High != 5 {
			t.Errorf("partition %d watermarks = %d..%d known=%v", p.ID, p.Low, p.High, p.WatermarksKnown)
		}
		if len(p.ISR) != len(p.Replicas) || p.IsUnderReplicated() || p.IsOffline() {
			t.Errorf("partition %d unexpectedly unhealthy: %+v", p.ID, p)
		}
		if p.Leader != c.LeaderFor("orders", p.ID) {
			t.Errorf("partition %d leader %d, cluster says %d", p.ID, p.Leader, c.LeaderFor("orders", p.ID))
		}
	}
	if got := orders.Messages(); got != 20 {
		t.Errorf("orders messages = %d, want 20", got)
	}
}

func TestMetadataIsPublishedBeforeWatermarks(t *testing.T) {
	t.Parallel()
	c := newCluster(t, 1, kfake.SeedTopics(2, "a"))
	cl := connect(t, c)
	first := (<-cl.Events()).(ClusterUpdated).Snapshot
	if !first.WatermarksAt.IsZero() || first.Topic("a").WatermarksKnown() {
		t.Fatal("first snapshot should carry metadata only")
	}
	second := (<-cl.Events()).(ClusterUpdated).Snapshot
	if second.WatermarksAt.IsZero() || !second.Topic("a").WatermarksKnown() {
		t.Fatal("second snapshot should carry watermarks")
	}
}

func TestLeaderMoveShowsAtNextRefresh(t *testing.T) {
	t.Parallel()
	c := newCluster(t, 3, kfake.SeedTopics(3, "t"))
	cl := connect(t, c)
	s := waitSnapshot(t, cl, func(*Snapshot) bool { return true })
	old := s.Topic("t").Partitions[1].Leader
	target := (old + 1) % 3 // kfake numbers nodes from 0
	if err := c.MoveTopicPartition("t", 1, target); err != nil {
		t.Fatal(err)
	}
	cl.Refresh()
	s = waitSnapshot(t, cl, func(s *Snapshot) bool { return s.Topic("t").Partitions[1].Leader != old })
	if got := s.Topic("t").Partitions[1].Leader; got != target {
		t.Fatalf("leader = %d, want %d", got, target)
	}
}

func TestOneRefreshSendsAtMostTwoListOffsetsPerBroker(t *testing.T) {
	t.Parallel()
	names := make([]string, 200)
	for i := range names {
		names[i] = fmt.Sprintf("topic-%03d", i)
	}
	c := newCluster(t, 3, kfake.SeedTopics(10, names...))
	var listOffsets atomic.Int64
	c.ControlKey(int16(kmsg.ListOffsets), func(kmsg.Request) (kmsg.Response, error, bool) {
		c.KeepControl()
		listOffsets.Add(1)
		return nil, nil, false
	})
	cl := connect(t, c)
	s := waitSnapshot(t, cl, func(*Snapshot) bool { return true })
	if len(s.Topics) != 200 {
		t.Fatalf("%d topics", len(s.Topics))
	}
	for _, tp := range s.Topics {
		if !tp.WatermarksKnown() {
			t.Fatalf("topic %s watermarks missing", tp.Name)
		}
	}
	if got, budget := listOffsets.Load(), int64(2*len(s.Brokers)); got > budget {
		t.Fatalf("one refresh sent %d ListOffsets requests for 2000 partitions; budget %d", got, budget)
	}
}

func mustAtoi(t testing.TB, s string) int {
	n, err := strconv.Atoi(s)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// TestUnhealthyPartitionsFromMetadata rewrites Metadata responses because
// kfake never reports missing ISR members or leaderless partitions itself.
func TestUnhealthyPartitionsFromMetadata(t *testing.T) {
	t.Parallel()
	c := newCluster(t, 3)
	serveSickMetadata(t, c, 3)
	cl := connect(t, c)
	s := waitSnapshot(t, cl, func(*Snapshot) bool { return true })
	sick := s.Topic("sick")
	if sick == nil {
		t.Fatal("topic missing")
	}
	if got := sick.UnderReplicated(); got != 2 {
		t.Errorf("under-replicated = %d, want 2 (the ISR-short one and the offline one)", got)
	}
	if got := sick.OfflinePartitions(); got != 1 {
		t.Errorf("offline = %d, want 1", got)
	}
	if got := sick.Partitions[1].OutOfSync(); len(got) != 1 || got[0] != 3 {
		t.Errorf("out of sync = %v, want [3]", got)
	}
	if p := sick.Partitions[1]; p.PreferredLeader() != 1 || p.Leader == p.PreferredLeader() {
		t.Errorf("partition 1 should be led by a non-preferred replica: %+v", p)
	}
	if got := sick.Partitions[2].Offline; len(got) != 1 || got[0] != 3 {
		t.Errorf("offline replicas = %v", got)
	}
}

// TestAFencedBrokerStaysListedAsDown: real KRaft clusters stop listing a
// broker they fenced; its replicas still name it, and it must read down,
// not vanish (the header said 2/2 up with a broker killed).
func TestAFencedBrokerStaysListedAsDown(t *testing.T) {
	t.Parallel()
	c := newCluster(t, 3)
	serveSickMetadata(t, c, 2)
	cl := connect(t, c)
	s := waitSnapshot(t, cl, func(s *Snapshot) bool { return !s.WatermarksAt.IsZero() })
	b := s.Broker(3)
	if len(s.Brokers) != 3 || s.BrokersUp() != 2 || b == nil || b.Up || !errors.Is(b.Err, ErrBrokerNotRegistered) {
		t.Errorf("brokers %+v", s.Brokers)
	}
}

// serveSickMetadata answers Metadata with the first listed of the
// cluster's brokers and a topic "sick" with a healthy, an under-replicated
// and an offline partition; kfake never reports missing ISR members,
// leaderless partitions or fenced brokers itself.
func serveSickMetadata(t *testing.T, c *kfake.Cluster, listed int) {
	var brokers []kmsg.MetadataResponseBroker
	for i, a := range c.ListenAddrs()[:listed] {
		host, port, _ := net.SplitHostPort(a)
		b := kmsg.NewMetadataResponseBroker()
		b.NodeID, b.Host, b.Port = int32(i+1), host, int32(mustAtoi(t, port))
		brokers = append(brokers, b)
	}
	c.ControlKey(int16(kmsg.Metadata), func(req kmsg.Request) (kmsg.Response, error, bool) {
		c.KeepControl()
		resp := req.ResponseKind().(*kmsg.MetadataResponse)
		resp.Version = req.GetVersion()
		resp.ControllerID = 1
		resp.Brokers = brokers
		topic := kmsg.NewMetadataResponseTopic()
		name := "sick"
		topic.Topic = &name
		healthy := kmsg.NewMetadataResponseTopicPartition()
		healthy.Partition, healthy.Leader, healthy.Replicas, healthy.ISR = 0, 1, []int32{1, 2, 3}, []int32{1, 2, 3}
		under := kmsg.NewMetadataResponseTopicPartition()
		under.Partition, under.Leader, under.Replicas, under.ISR = 1, 2, []int32{1, 2, 3}, []int32{2, 1}
		offline := kmsg.NewMetadataResponseTopicPartition()
		offline.Partition, offline.Leader, offline.Replicas, offline.ISR, offline.OfflineReplicas = 2, -1, []int32{3}, nil, []int32{3}
		offline.ErrorCode = 5 // LEADER_NOT_AVAILABLE
		topic.Partitions = append(topic.Partitions, healthy, under, offline)
		resp.Topics = append(resp.Topics, topic)
		return resp, nil, true
	})
}

func TestTopicConfigShowsOverridesAndDefaults(t *testing.T) {
	t.Parallel()
	c := newCluster(t, 1)
	admin, err := sarama.NewClusterAdmin(c.ListenAddrs(), func() *sarama.Config {
		conf := sarama.NewConfig()
		conf.Version = sarama.V2_8_0_0
		return conf
	}())
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	retention := "3600000"
	if err := admin.CreateTopic("cfg", &sarama.TopicDetail{NumPartitions: 1, ReplicationFactor: 1,
		ConfigEntries: map[string]*string{"retention.ms": &retention}}, false); err != nil {
		t.Fatal(err)
	}
	cl := connect(t, c)
	entries, err := cl.TopicConfig(context.Background(), "cfg")
	if err != nil {
		t.Fatal(err)
	}
	byName := map[string]ConfigEntry{}
	for _, e := range entries {
		byName[e.Name] = e
	}
	r, ok := byName["retention.ms"]
	if !ok {
		t.Fatalf("retention.ms missing from %d entries", len(entries))
	}
	if r.Value != retention || r.Source != "topic" || !r.Overridden || r.Default == "" || r.Default == retention {
		t.Errorf("retention.ms = %+v", r)
	}
	for name, e := range byName {
		if name != "retention.ms" && e.Overridden {
			t.Errorf("%s reported as overridden: %+v", name, e)
		}
	}

	if _, err := cl.TopicConfig(context.Background(), "nosuch"); !errors.Is(err, ErrNoSuchTopic) {
		t.Errorf("unknown topic: err = %v, want ErrNoSuchTopic", err)
	}
}

// TestConnectNamesEveryBrokerTried is not parallel: it times Connect.
func TestConnectNamesEveryBrokerTried(t *testing.T) {
	// One address refuses connections, the other accepts and never answers.
	refused, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	refusedAddr := refused.Addr().String()
	refused.Close()
	silent, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer silent.Close()
	go func() {
		for {
			conn, err := silent.Accept()
			if err != nil {
				return
			}
			defer conn.Close()
		}
	}()

	start := time.Now()
	_, err = Connect(context.Background(), Config{Brokers: []string{refusedAddr, silent.Addr().String()}, ConnectTimeout: 500 * time.Millisecond})
	var ce *ConnectError
	if !errors.As(err, &ce) {
		t.Fatalf("err = %v, want *ConnectError", err)
	}
	if took := time.Since(start); took > 3*time.Second {
		t.Errorf("Connect took %s with a 500ms timeout", took)
	}
	msg := err.Error()
	for _, want := range []string{"no broker answered within 500ms", refusedAddr, silent.Addr().String(), "refused", "no answer before the timeout"} {
		if !strings.Contains(msg, want) {
			t.Errorf("error %q does not mention %q", msg, want)
		}
	}

	// Refused at once: the message does not blame a timeout it never waited for.
	_, err = Connect(context.Background(), Config{Brokers: []string{refusedAddr}, ConnectTimeout: 10 * time.Second})
	if msg := fmt.Sprint(err); !strings.HasPrefix(msg, "no bootstrap broker could be reached:") || !strings.Contains(msg, "refused") {
		t.Errorf("all refused: %q", msg)
	}
}

func TestConnectRejectsBadVersion(t *testing.T) {
	t.Parallel()
	_, err := Connect(context.Background(), Config{Brokers: []string{"127.0.0.1:1"}, Version: "banana"})
	if err == nil || !strings.Contains(err.Error(), "banana") {
		t.Fatalf("err = %v", err)
	}
}

// TestBrokerLossAndRecovery cuts one broker off: the snapshot says which
// broker is down, keeps the last watermarks of the partitions it leads, and
// everything comes back once the broker answers again.
func TestBrokerLossAndRecovery(t *testing.T) {
	t.Parallel()
	c := newCluster(t, 3, kfake.SeedTopics(6, "t"))
	produce(t, c, "t", 6, 3)
	cl := connect(t, c)
	waitSnapshot(t, cl, func(s *Snapshot) bool { return s.BrokersUp() == 3 })

	const lost = int32(1)
	var down atomic.Bool
	down.Store(true)
	c.Control(func(kmsg.Request) (kmsg.Response, error, bool) {
		c.KeepControl()
		if down.Load() && c.CurrentNode() == lost {
			return nil, errors.New("cut off by the test"), true
		}
		return nil, nil, false
	})
	cl.Refresh()
	s := waitSnapshot(t, cl, func(s *Snapshot) bool { return s.BrokersUp() == 2 })
	for _, b := range s.Brokers {
		if (b.ID == lost) == b.Up {
			t.Errorf("broker %d up=%v", b.ID, b.Up)
		}
	}
	for _, p := range s.Topic("t").Partitions {
		if !p.WatermarksKnown || p.High != 3 {
			t.Errorf("partition %d (leader %d) lost its watermarks: %+v", p.ID, p.Leader, p)
		}
	}

	down.Store(false)
	cl.Refresh()
	waitSnapshot(t, cl, func(s *Snapshot) bool { return s.BrokersUp() == 3 })
}
