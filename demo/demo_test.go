package demo

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/IBM/sarama"
	"go.uber.org/goleak"

	"kscope/kafkaclient"
)

// ignoreMetrics skips the ticker goroutine of go-metrics, which sarama's
// meters start on first use and which never ends: it belongs to the process,
// not to the demo.
var ignoreMetrics = goleak.IgnoreTopFunction("github.com/rcrowley/go-metrics.(*meterArbiter).tick")

// checkLeaks fails t if goroutines started during it outlive its cleanups,
// the test's own clients included.
func checkLeaks(t testing.TB) {
	before := goleak.IgnoreCurrent()
	t.Cleanup(func() { goleak.VerifyNone(t, before, ignoreMetrics) })
}

func startDemo(t testing.TB, opts Options) *Cluster {
	t.Helper()
	opts.Logf = t.Logf
	c, err := Start(t.Context(), opts)
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	t.Cleanup(c.Close)
	return c
}

func testConfig() *sarama.Config {
	cfg := sarama.NewConfig()
	cfg.Version = sarama.V2_8_0_0
	cfg.ClientID = "demo-test"
	return cfg
}

func newAdmin(t testing.TB, c *Cluster) (sarama.Client, sarama.ClusterAdmin) {
	t.Helper()
	client, err := sarama.NewClient(c.Addrs(), testConfig())
	if err != nil {
		t.Fatalf("client: %v", err)
	}
	admin, err := sarama.NewClusterAdminFromClient(client)
	if err != nil {
		t.Fatalf("admin: %v", err)
	}
	t.Cleanup(func() { admin.Close() })
	return client, admin
}

// eventually polls check until it passes or timeout runs out.
func eventually(t *testing.T, timeout time.Duration, check func() error) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		err := check()
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("after %v: %v", timeout, err)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// topicEnds returns the sum of the high watermarks of each topic.
func topicEnds(t testing.TB, client sarama.Client, topics ...string) map[string]int64 {
	t.Helper()
	ends := make(map[string]int64)
	for _, topic := range topics {
		partitions, err := client.Partitions(topic)
		if err != nil {
			t.Fatalf("partitions of %s: %v", topic, err)
		}
		for _, p := range partitions {
			off, err := client.GetOffset(topic, p, sarama.OffsetNewest)
			if err != nil {
				t.Fatalf("offset of %s/%d: %v", topic, p, err)
			}
			ends[topic] += off
		}
	}
	return ends
}

// groupLag is a group's high watermarks minus its committed offsets, over topics.
func groupLag(t *testing.T, client sarama.Client, admin sarama.ClusterAdmin, group string, topics ...string) int64 {
	t.Helper()
	ends := topicEnds(t, client, topics...)
	resp, err := admin.ListConsumerGroupOffsets(group, nil)
	if err != nil {
		t.Fatalf("offsets of %s: %v", group, err)
	}
	var lag int64
	for _, topic := range topics {
		lag += ends[topic]
		for _, b := range resp.Blocks[topic] {
			lag -= max(b.Offset, 0)
		}
	}
	return lag
}

func TestDemo(t *testing.T) {
	checkLeaks(t)

	began := time.Now()
	c := startDemo(t, Options{})
	t.Logf("Start took %v", time.Since(began))
	if got := len(c.Addrs()); got != 3 {
		t.Fatalf("Addrs() = %v, want 3 brokers", c.Addrs())
	}
	client, admin := newAdmin(t, c)

	// First, before the groups have had time to form on their own: a
	// command given with --demo asks for its group as soon as kscope
	// connects.
	t.Run("live groups exist when Start returns", func(t *testing.T) {
		kc, err := kafkaclient.Connect(t.Context(), kafkaclient.Config{Brokers: c.Addrs(), DiskInterval: -1})
		if err != nil {
			t.Fatal(err)
		}
		defer kc.Close()
		for _, name := range liveGroups {
			if g, err := kc.Group(t.Context(), name); err != nil || g.State == "Dead" {
				t.Errorf("group %s: state %q, err %v", name, g.State, err)
			}
		}
	})

	t.Run("topics", func(t *testing.T) {
		topics, err := admin.ListTopics()
		if err != nil {
			t.Fatal(err)
		}
		want := map[string]int32{
			"orders": 12, "payments": 6, "app-logs": 3, "sensor-readings": 24, "user-events": 8, "audit": 1,
		}
		for name, partitions := range want {
			d, ok := topics[name]
			switch {
			case !ok:
				t.Errorf("topic %s missing", name)
			case d.NumPartitions != partitions:
				t.Errorf("topic %s has %d partitions, want %d", name, d.NumPartitions, partitions)
			case d.ReplicationFactor != 3:
				t.Errorf("topic %s has replication factor %d, want 3", name, d.ReplicationFactor)
			}
		}
		entries, err := admin.DescribeConfig(sarama.ConfigResource{Type: sarama.TopicResource, Name: "audit"})
		if err != nil {
			t.Fatal(err)
		}
		var policy string
		for _, e := range entries {
			if e.Name == "cleanup.policy" {
				policy = e.Value
			}
		}
		if policy != "compact" {
			t.Errorf("audit cleanup.policy = %q, want compact", policy)
		}
	})

	t.Run("ACLs", func(t *testing.T) {
		acls, err := admin.ListAcls(sarama.AclFilter{ResourceType: sarama.AclResourceAny, ResourcePatternTypeFilter: sarama.AclPatternAny,
			Operation: sarama.AclOperationAny, PermissionType: sarama.AclPermissionAny})
		if err != nil {
			t.Fatal(err)
		}
		if len(acls) != len(demoACLs) {
			t.Errorf("%d resources with ACLs, want %d", len(acls), len(demoACLs))
		}
	})

	t.Run("quotas", func(t *testing.T) {
		entries, err := admin.DescribeClientQuotas(nil, false)
		if err != nil {
			t.Fatal(err)
		}
		limits := 0
		for _, e := range entries {
			limits += len(e.Values)
		}
		if limits != len(demoQuotas) {
			t.Errorf("%d quota limits, want %d", limits, len(demoQuotas))
		}
	})

	// Groups first: inventory-sync loses a member for the first time 30 s
	// after Start.
	t.Run("groups", func(t *testing.T) {
		want := map[string]int{groupBilling: 2, groupAnalytics: 1, groupInventory: 3, groupLegacy: 0}
		eventually(t, 20*time.Second, func() error {
			listed, err := admin.ListConsumerGroups()
			if err != nil {
				return err
			}
			var names []string
			for name := range want {
				if _, ok := listed[name]; !ok {
					return fmt.Errorf("group %s not listed in %v", name, listed)
				}
				names = append(names, name)
			}
			described, err := admin.DescribeConsumerGroups(names)
			if err != nil {
				return err
			}
			for _, g := range described {
				wantState := "Stable"
				if want[g.GroupId] == 0 {
					wantState = "Empty"
				}
				if len(g.Members) != want[g.GroupId] || g.State != wantState {
					return fmt.Errorf("group %s: %s with %d members, want %s with %d", g.GroupId, g.State, len(g.Members), wantState, want[g.GroupId])
				}
				if g.ProtocolType != "consumer" {
					return fmt.Errorf("group %s has protocol type %q, want consumer", g.GroupId, g.ProtocolType)
				}
			}
			return nil
		})

		resp, err := admin.ListConsumerGroupOffsets(groupLegacy, nil)
		if err != nil {
			t.Fatal(err)
		}
		for _, topic := range []string{"payments", "audit"} {
			blocks := resp.Blocks[topic]
			if len(blocks) == 0 {
				t.Errorf("%s has no committed offsets on %s", groupLegacy, topic)
			}
			for p, b := range blocks {
				if b.Offset <= 0 {
					t.Errorf("%s committed %d on %s/%d, want an offset inside the history", groupLegacy, b.Offset, topic, p)
				}
			}
		}
	})

	// The settlers' ids, one of them holding its transaction open.
	t.Run("transactions", func(t *testing.T) {
		kc, err := kafkaclient.Connect(t.Context(), kafkaclient.Config{Brokers: c.Addrs(), DiskInterval: -1})
		if err != nil {
			t.Fatal(err)
		}
		defer kc.Close()
		eventually(t, 20*time.Second, func() error {
			txns, err := kc.Transactions(t.Context())
			if err != nil {
				return err
			}
			open := map[string]bool{}
			for _, tx := range txns {
				open[tx.ID] = tx.Open()
			}
			if len(open) != len(settlers) || !open["ledger-close"] {
				return fmt.Errorf("transactions %v, want %d ids with ledger-close open", open, len(settlers))
			}
			return nil
		})
	})

	// Through kscope's own client: sarama lists neither group type.
	t.Run("consumer-protocol and share groups", func(t *testing.T) {
		kc, err := kafkaclient.Connect(t.Context(), kafkaclient.Config{Brokers: c.Addrs()})
		if err != nil {
			t.Fatal(err)
		}
		defer kc.Close()
		eventually(t, 20*time.Second, func() error {
			shipping, err := kc.Group(t.Context(), groupShipping)
			if err != nil {
				return err
			}
			// The roller may have one of its three away.
			if shipping.Type != kafkaclient.TypeConsumer || shipping.Protocol != "uniform" || len(shipping.Members) < 2 || len(shipping.Offsets) != 12 {
				return fmt.Errorf("%s: %s group by %q with %d members on %d partitions", groupShipping, shipping.Type, shipping.Protocol, len(shipping.Members), len(shipping.Offsets))
			}
			notify, err := kc.Group(t.Context(), groupNotify)
			if err != nil {
				return err
			}
			if notify.Type != kafkaclient.TypeShare || len(notify.Members) != 2 || len(notify.Offsets) != 8 {
				return fmt.Errorf("%s: %s group with %d members on %d partitions", groupNotify, notify.Type, len(notify.Members), len(notify.Offsets))
			}
			return nil
		})
	})

	names := []string{"orders", "payments", "app-logs", "sensor-readings", "user-events", "audit"}
	t.Run("watermarks grow", func(t *testing.T) {
		first := topicEnds(t, client, names...)
		for _, name := range names {
			if first[name] == 0 {
				t.Errorf("topic %s has no history", name)
			}
		}
		eventually(t, 10*time.Second, func() error {
			now := topicEnds(t, client, names...)
			for _, name := range names {
				if now[name] <= first[name] {
					return fmt.Errorf("%s still at %d records", name, now[name])
				}
			}
			return nil
		})
	})

	t.Run("records", func(t *testing.T) {
		consumer, err := sarama.NewConsumer(c.Addrs(), testConfig())
		if err != nil {
			t.Fatal(err)
		}
		defer consumer.Close()
		first := func(topic string, p int32) *sarama.ConsumerMessage {
			pc, err := consumer.ConsumePartition(topic, p, sarama.OffsetOldest)
			if err != nil {
				t.Fatal(err)
			}
			defer pc.Close()
			return <-pc.Messages()
		}
		order := first("orders", 0)
		var v struct {
			Customer struct{ Tier string }
		}
		if err := json.Unmarshal(order.Value, &v); err != nil || v.Customer.Tier == "" {
			t.Errorf("orders value %q: %v, want JSON with customer.tier", order.Value, err)
		}
		headers := map[string]bool{}
		for _, h := range order.Headers {
			headers[string(h.Key)] = true
		}
		if !headers["trace-id"] || !headers["source"] || !headers["content-type"] {
			t.Errorf("orders headers %v, want trace-id, source, content-type", headers)
		}
		sensor := first("sensor-readings", 0)
		if len(sensor.Key) != 8 || len(sensor.Value) < 32 || len(sensor.Value) > 64 {
			t.Errorf("sensor-readings key %x value %x: want 8-byte key and 32 to 64-byte value", sensor.Key, sensor.Value)
		}

		// The history holds hostile log lines for kscope to render safely.
		var hostile int
		for p := int32(0); p < 3; p++ {
			end, err := client.GetOffset("app-logs", p, sarama.OffsetNewest)
			if err != nil {
				t.Fatal(err)
			}
			pc, err := consumer.ConsumePartition("app-logs", p, sarama.OffsetOldest)
			if err != nil {
				t.Fatal(err)
			}
			for m := range pc.Messages() {
				if m.Key == nil && bytes.Contains(m.Value, []byte("\x1b]0;pwned\x07\x1b[2J")) && bytes.Contains(m.Value, []byte("\u202e")) {
					hostile++
				}
				if m.Offset >= end-1 {
					break
				}
			}
			pc.Close()
		}
		if hostile == 0 {
			t.Error("no unkeyed hostile line in the history of app-logs")
		}
	})

	t.Run("lag", func(t *testing.T) {
		analytics := groupLag(t, client, admin, groupAnalytics, "orders", "user-events")
		eventually(t, 10*time.Second, func() error {
			if now := groupLag(t, client, admin, groupAnalytics, "orders", "user-events"); now <= analytics {
				return fmt.Errorf("%s lag went from %d to %d, want it growing", groupAnalytics, analytics, now)
			}
			return nil
		})
		eventually(t, 10*time.Second, func() error {
			// Billing commits every second behind fetches that wait up to
			// half a second: a few seconds of records at most.
			if lag := groupLag(t, client, admin, groupBilling, "orders", "payments"); lag > 1000 {
				return fmt.Errorf("%s lag %d, want it keeping up", groupBilling, lag)
			}
			return nil
		})
	})

	t.Run("analytics survives deleted records", func(t *testing.T) {
		committed := func() (int64, error) {
			resp, err := admin.ListConsumerGroupOffsets(groupAnalytics, map[string][]int32{"orders": {0}})
			if err != nil {
				return 0, err
			}
			if b := resp.GetBlock("orders", 0); b != nil {
				return b.Offset, nil
			}
			return -1, nil
		}
		eventually(t, 10*time.Second, func() error {
			if off, err := committed(); err != nil || off < 0 {
				return fmt.Errorf("%s has not committed on orders/0: %d, %v", groupAnalytics, off, err)
			}
			return nil
		})
		// Deleting what analytics-etl has not read yet puts its position
		// off the log, as retention does after a long run.
		end, err := client.GetOffset("orders", 0, sarama.OffsetNewest)
		if err != nil {
			t.Fatal(err)
		}
		if err := admin.DeleteRecords("orders", map[int32]int64{0: end}); err != nil {
			t.Fatal(err)
		}
		began := time.Now()
		eventually(t, 20*time.Second, func() error {
			if off, err := committed(); err != nil || off < end {
				return fmt.Errorf("%s committed %d on orders/0, before the end %d of the deleted records (%v)", groupAnalytics, off, end, err)
			}
			return nil
		})
		t.Logf("recovered in %v", time.Since(began))
	})

	began = time.Now()
	c.Close()
	c.Close()
	t.Logf("Close took %v", time.Since(began))
}

func TestListen(t *testing.T) {
	checkLeaks(t)

	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	_, port, _ := net.SplitHostPort(busy.Addr().String())

	_, err = Start(t.Context(), Options{Listen: busy.Addr().String(), Brokers: 1})
	if err == nil || !strings.Contains(err.Error(), "port "+port) {
		t.Errorf("Start on busy port %s: error %v, want one naming the port", port, err)
	}

	for _, listen := range []string{"0.0.0.0:9092", "192.168.1.1:9092", "9092", "127.0.0.1:x", "127.0.0.1:65535"} {
		if _, err := Start(t.Context(), Options{Listen: listen}); err == nil {
			t.Errorf("Start with Listen %q succeeded, want an error", listen)
		}
	}

	// A port that was free a moment ago, with the next one, which the
	// schema registry takes.
	p := freePorts(t, 2)
	port = strconv.Itoa(p)
	c := startDemo(t, Options{Listen: "localhost:" + port, Brokers: 1})
	if got, want := c.Addrs(), []string{"127.0.0.1:" + strconv.Itoa(p)}; len(got) != 1 || got[0] != want[0] {
		t.Errorf("Addrs() = %v, want %v", got, want)
	}
	c.Close()
}

// freePorts returns the first of n consecutive ports that were free a
// moment ago: another process may take an ephemeral port's neighbour, so
// each is tried.
func freePorts(t *testing.T, n int) int {
	t.Helper()
	for range 100 {
		first, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		base := first.Addr().(*net.TCPAddr).Port
		held := []net.Listener{first}
		for i := 1; i < n; i++ {
			ln, err := net.Listen("tcp", "127.0.0.1:"+strconv.Itoa(base+i))
			if err != nil {
				break
			}
			held = append(held, ln)
		}
		for _, ln := range held {
			ln.Close()
		}
		if len(held) == n {
			return base
		}
	}
	t.Fatalf("no %d consecutive free ports", n)
	return 0
}

// TestContextDone checks that the workload stops with Start's context
// while the cluster stays up for Close.
func TestContextDone(t *testing.T) {
	checkLeaks(t)

	ctx, cancel := context.WithCancel(t.Context())
	c, err := Start(ctx, Options{Brokers: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	client, _ := newAdmin(t, c)
	cancel()
	// Quiet means no record across more than a producer tick and flush.
	eventually(t, 10*time.Second, func() error {
		before := topicEnds(t, client, "orders")["orders"]
		time.Sleep(3 * tick)
		if after := topicEnds(t, client, "orders")["orders"]; after != before {
			return fmt.Errorf("orders still growing: %d records, then %d", before, after)
		}
		return nil
	})
}
