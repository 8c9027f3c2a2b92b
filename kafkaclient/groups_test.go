package kafkaclient

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/IBM/sarama"
	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kmsg"
	"go.uber.org/goleak"
)

// member is one sarama consumer-group member with its own client.
type member struct {
	group  sarama.ConsumerGroup
	cancel context.CancelFunc
	done   chan struct{}
}

type markAll struct{}

func (markAll) Setup(sarama.ConsumerGroupSession) error   { return nil }
func (markAll) Cleanup(sarama.ConsumerGroupSession) error { return nil }
func (markAll) ConsumeClaim(s sarama.ConsumerGroupSession, c sarama.ConsumerGroupClaim) error {
	for m := range c.Messages() {
		s.MarkMessage(m, "")
	}
	return nil
}

func groupConfig(clientID string) *sarama.Config {
	conf := sarama.NewConfig()
	conf.Version = sarama.V3_6_0_0
	conf.ClientID = clientID
	conf.Consumer.Offsets.Initial = sarama.OffsetOldest
	conf.Consumer.Offsets.AutoCommit.Interval = 100 * time.Millisecond
	conf.Consumer.Group.Session.Timeout = 2 * time.Second
	conf.Consumer.Group.Heartbeat.Interval = 200 * time.Millisecond
	conf.Consumer.Group.Rebalance.Timeout = 2 * time.Second
	// A member whose SyncGroup a newer rebalance cut short waits this long
	// before it joins again. sarama's default, 2 s, is the rebalance
	// timeout: members joining one after the other then lose the race
	// with the coordinator, which drops them and rebalances once more.
	conf.Consumer.Group.Rebalance.Retry.Backoff = 100 * time.Millisecond
	conf.Consumer.MaxWaitTime = 100 * time.Millisecond
	return conf
}

// startMember joins group on topics and consumes until stopped.
func startMember(t testing.TB, c *kfake.Cluster, group, clientID string, topics ...string) *member {
	t.Helper()
	return startMemberWith(t, c, group, groupConfig(clientID), topics...)
}

func startMemberWith(t testing.TB, c *kfake.Cluster, group string, conf *sarama.Config, topics ...string) *member {
	t.Helper()
	g, err := sarama.NewConsumerGroup(c.ListenAddrs(), group, conf)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	m := &member{group: g, cancel: cancel, done: make(chan struct{})}
	go func() {
		defer close(m.done)
		// Like any application, a member that lost its place in the group
		// (dropped by the coordinator, a rebalance that failed) joins again.
		for ctx.Err() == nil {
			if err := g.Consume(ctx, topics, markAll{}); errors.Is(err, sarama.ErrClosedConsumerGroup) {
				return
			}
		}
	}()
	return m
}

// stop leaves the group cleanly.
func (m *member) stop() {
	m.cancel()
	<-m.done
	m.group.Close()
}

// commitAt commits offset for every partition of topic as group, the way
// admin tools do (generation -1, no member), leaving no member behind.
func commitAt(t testing.TB, c *kfake.Cluster, group, topic string, partitions int32, offset int64) {
	t.Helper()
	client, err := sarama.NewClient(c.ListenAddrs(), groupConfig("committer"))
	if err != nil {
		t.Fatal(err)
	}
	defer client.Close()
	coord, err := client.Coordinator(group)
	if err != nil {
		t.Fatal(err)
	}
	req := &sarama.OffsetCommitRequest{Version: 2, ConsumerGroup: group, ConsumerGroupGeneration: -1, RetentionTime: -1}
	for p := range partitions {
		req.AddBlock(topic, p, offset, 0, "")
	}
	resp, err := coord.CommitOffset(req)
	if err != nil {
		t.Fatal(err)
	}
	for _, parts := range resp.Errors {
		for p, kerr := range parts {
			if kerr != sarama.ErrNoError {
				t.Fatalf("commit %s/%d: %v", topic, p, kerr)
			}
		}
	}
}

func groupCluster(t testing.TB, brokers int, opts ...kfake.Opt) *kfake.Cluster {
	return newCluster(t, brokers, append([]kfake.Opt{kfake.GroupMinSessionTimeout(time.Second), kfake.SeedTopics(6, "orders")}, opts...)...)
}

// waitGroups polls Groups until ok accepts the result.
func waitGroups(t testing.TB, cl *Client, what string, ok func(map[string]GroupInfo) bool) map[string]GroupInfo {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	var last map[string]GroupInfo
	for time.Now().Before(deadline) {
		gs, err := cl.Groups(context.Background())
		if err == nil {
			last = map[string]GroupInfo{}
			for _, g := range gs {
				last[g.Name] = g
			}
			if ok(last) {
				return last
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("waiting for %s: last %+v", what, last)
	return nil
}

func TestGroupsLagAndMembers(t *testing.T) {
	t.Parallel()
	c := groupCluster(t, 3, kfake.SeedTopics(2, "audit"))
	produce(t, c, "orders", 6, 10)
	produce(t, c, "audit", 2, 4)
	commitAt(t, c, "stopped", "orders", 6, 3)
	var members []*member
	for i := range 3 {
		members = append(members, startMember(t, c, "live", fmt.Sprintf("live-%d", i), "orders"))
	}
	defer func() {
		for _, m := range members {
			m.stop()
		}
	}()
	cl := connect(t, c)

	gs := waitGroups(t, cl, "live stable with 3 members of 2 partitions and caught up", func(gs map[string]GroupInfo) bool {
		g, ok := gs["live"]
		if !ok || g.State != "Stable" || len(g.Members) != 3 || g.TotalLag() != 0 || len(g.Offsets) != 6 {
			return false
		}
		for _, m := range g.Members {
			if len(m.Assigned) != 2 {
				return false
			}
		}
		for _, o := range g.Offsets {
			if _, ok := o.Lag(); !ok {
				return false // no commit yet is not caught up
			}
		}
		return true
	})
	live := gs["live"]
	if live.ProtocolType != "consumer" || live.Protocol == "" {
		t.Errorf("protocol %q / %q", live.ProtocolType, live.Protocol)
	}
	for _, o := range live.Offsets {
		if o.Owner == "" || o.Committed != 10 || o.LogEnd != 10 {
			t.Errorf("live %v: %+v", o.TopicPartition, o)
		}
	}

	stopped, ok := gs["stopped"]
	if !ok || stopped.State != "Empty" || len(stopped.Members) != 0 {
		t.Fatalf("stopped group = %+v", stopped)
	}
	// Lag computed independently: 10 records per partition, committed at 3.
	if got, want := stopped.TotalLag(), int64(6*(10-3)); got != want {
		t.Errorf("stopped lag = %d, want %d", got, want)
	}
	for _, o := range stopped.Offsets {
		if l, ok := o.Lag(); !ok || l != 7 || o.Owner != "" {
			t.Errorf("stopped %v: lag %d %v owner %q", o.TopicPartition, l, ok, o.Owner)
		}
	}

	// A partition without a commit has no lag, not zero lag.
	commitAt(t, c, "partial", "audit", 1, 2)
	g, err := cl.Group(context.Background(), "partial")
	if err != nil {
		t.Fatal(err)
	}
	if len(g.Offsets) != 1 || g.Offsets[0].Committed != 2 {
		t.Fatalf("partial = %+v", g.Offsets)
	}
	noCommit := PartitionOffsets{TopicPartition: TopicPartition{"audit", 1}, Committed: -1, LogEnd: 4}
	if _, ok := noCommit.Lag(); ok {
		t.Error("no commit must not be a lag")
	}
}

// TestOneGroupsRefreshRequestBudget counts requests at the cluster for one
// refresh of many groups.
func TestOneGroupsRefreshRequestBudget(t *testing.T) {
	t.Parallel()
	const groups = 60
	c := groupCluster(t, 3)
	produce(t, c, "orders", 6, 2)
	for i := range groups {
		commitAt(t, c, fmt.Sprintf("g-%03d", i), "orders", 6, 1)
	}
	cl := connect(t, c)
	waitSnapshot(t, cl, func(*Snapshot) bool { return true })

	var describe, offsets, fetches atomic.Int64
	count := func(key kmsg.Key, n *atomic.Int64) {
		c.ControlKey(int16(key), func(kmsg.Request) (kmsg.Response, error, bool) {
			c.KeepControl()
			n.Add(1)
			return nil, nil, false
		})
	}
	count(kmsg.DescribeGroups, &describe)
	count(kmsg.ListOffsets, &offsets)
	count(kmsg.OffsetFetch, &fetches)
	gs, err := cl.Groups(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(gs) != groups {
		t.Fatalf("%d groups", len(gs))
	}
	coordinators := map[int32]bool{}
	for _, g := range gs {
		coordinators[g.Coordinator] = true
		if g.Err != nil || g.TotalLag() != 6 {
			t.Fatalf("%s: lag %d err %v", g.Name, g.TotalLag(), g.Err)
		}
	}
	if got := describe.Load(); got > int64(len(coordinators)) {
		t.Errorf("DescribeGroups: %d requests for %d coordinators", got, len(coordinators))
	}
	if got := fetches.Load(); got > int64(len(coordinators)) {
		t.Errorf("OffsetFetch: %d requests for %d coordinators", got, len(coordinators))
	}
	if got := offsets.Load(); got > 2*3 {
		t.Errorf("ListOffsets: %d requests for 3 brokers", got)
	}
}

func TestGroupFollowsAMovedCoordinatorAndADeletedGroup(t *testing.T) {
	t.Parallel()
	c := groupCluster(t, 3)
	produce(t, c, "orders", 6, 2)
	commitAt(t, c, "wanderer", "orders", 6, 1)
	cl := connect(t, c)
	if _, err := cl.Group(context.Background(), "wanderer"); err != nil {
		t.Fatal(err)
	}
	before := c.CoordinatorFor("wanderer")
	for range 10 {
		c.RehashCoordinators()
		if c.CoordinatorFor("wanderer") != before {
			break
		}
	}
	g, err := cl.Group(context.Background(), "wanderer")
	if err != nil || g.TotalLag() != 6 {
		t.Fatalf("after the coordinator moved: %+v, %v", g, err)
	}

	admin, err := sarama.NewClusterAdminFromClient(mustClient(t, c))
	if err != nil {
		t.Fatal(err)
	}
	if err := admin.DeleteConsumerGroup("wanderer"); err != nil {
		t.Fatal(err)
	}
	g, err = cl.Group(context.Background(), "wanderer")
	if err == nil && g.State != "Dead" && len(g.Offsets) > 0 {
		t.Fatalf("deleted group still described: %+v", g)
	}
}

func mustClient(t testing.TB, c *kfake.Cluster) sarama.Client {
	client, err := sarama.NewClient(c.ListenAddrs(), groupConfig("admin"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { client.Close() })
	return client
}

// TestSlowCoordinatorDoesNotHoldUpTheOthers leaves one coordinator's
// DescribeGroups unanswered: its groups show an error, the others their lag.
func TestSlowCoordinatorDoesNotHoldUpTheOthers(t *testing.T) {
	t.Parallel()
	c := groupCluster(t, 3)
	produce(t, c, "orders", 6, 2)
	var names []string
	for i := range 12 {
		names = append(names, fmt.Sprintf("g-%02d", i))
		commitAt(t, c, names[i], "orders", 6, 1)
	}
	cl, err := Connect(context.Background(), Config{Brokers: c.ListenAddrs(), RequestTimeout: 7 * time.Second, RefreshInterval: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	waitSnapshot(t, cl, func(*Snapshot) bool { return true })
	slow := c.CoordinatorFor(names[0])
	c.ControlKey(int16(kmsg.DescribeGroups), func(kmsg.Request) (kmsg.Response, error, bool) {
		c.KeepControl()
		if c.CurrentNode() == slow {
			return nil, nil, true // never answered
		}
		return nil, nil, false
	})
	start := time.Now()
	gs, err := cl.Groups(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if took := time.Since(start); took > groupsPatience+2*time.Second {
		t.Errorf("refresh took %s", took)
	}
	for _, g := range gs {
		if g.Coordinator == slow {
			if g.Err == nil {
				t.Errorf("%s of the silent coordinator has no error", g.Name)
			}
			continue
		}
		if g.Err != nil {
			t.Errorf("%s held up: %v", g.Name, g.Err)
		}
		// The silent broker also leads partitions: their log ends, and so
		// their lags, are unknown; the others are there.
		for _, o := range g.Offsets {
			lag, ok := o.Lag()
			if onSlow := c.LeaderFor("orders", o.Partition) == slow; ok == onSlow || (ok && lag != 1) {
				t.Errorf("%s %v: lag %d known %v (leader on the silent broker: %v)", g.Name, o.TopicPartition, lag, ok, onSlow)
			}
		}
	}
}

// TestGroupsEndsWithItsContext cancels a refresh while a coordinator
// keeps it waiting: Groups returns at once, and closing the client ends
// every goroutine the refresh started. It is not parallel: goleak sees
// every goroutine of the process.
func TestGroupsEndsWithItsContext(t *testing.T) {
	before := goleak.IgnoreCurrent()
	c, err := kfake.NewCluster(kfake.NumBrokers(2), kfake.SeedTopics(2, "orders"))
	if err != nil {
		t.Fatal(err)
	}
	closeCluster := sync.OnceFunc(c.Close)
	defer closeCluster()
	commitAt(t, c, "g", "orders", 2, 0)
	// An hour: only the cancellation can end the wait.
	cl, err := Connect(context.Background(), Config{Brokers: c.ListenAddrs(), RequestTimeout: time.Hour, RefreshInterval: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	c.ControlKey(int16(kmsg.DescribeGroups), func(kmsg.Request) (kmsg.Response, error, bool) {
		cancel()
		return nil, nil, true // never answered
	})
	if _, err := cl.Groups(ctx); !errors.Is(err, context.Canceled) {
		t.Fatalf("Groups = %v, want the cancelled context", err)
	}
	if _, err := cl.Group(ctx, "g"); !errors.Is(err, context.Canceled) {
		t.Fatalf("Group = %v, want the cancelled context", err)
	}
	// The unanswered request ends with the cluster's connections.
	closeCluster()
	cl.Close()
	goleak.VerifyNone(t, before, ignoreMetrics)
}

// TestGroupsBeforeThePoolKnowsTheBrokers: asked before the first refresh
// has told the pool the brokers (a view opened at start), the groups are
// listed from metadata read then, not refused with an empty error.
func TestGroupsBeforeThePoolKnowsTheBrokers(t *testing.T) {
	t.Parallel()
	c := newCluster(t, 3, kfake.SeedTopics(1, "t"))
	cl := connect(t, c)
	waitSnapshot(t, cl, func(*Snapshot) bool { return true })
	cl.pool.update(nil)
	if _, err := cl.Groups(context.Background()); err != nil {
		t.Fatalf("groups before the pool knew the brokers: %v", err)
	}
}
