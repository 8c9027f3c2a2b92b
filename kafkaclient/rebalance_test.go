package kafkaclient

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/IBM/sarama"
	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// syncHold keeps every SyncGroup waiting until an observation showed the
// group between generations. Without it that middle of a rebalance may
// pass between two polls, and a test of what the timeline draws then
// would pass without drawing it.
type syncHold struct {
	once    sync.Once
	release chan struct{}
}

func holdSync(c *kfake.Cluster) *syncHold {
	h := &syncHold{release: make(chan struct{})}
	c.ControlKey(int16(kmsg.SyncGroup), func(kmsg.Request) (kmsg.Response, error, bool) {
		select {
		case <-h.release:
			c.DropControl()
		default:
			c.KeepControl()
			c.SleepControl(func() { <-h.release })
		}
		return nil, nil, false
	})
	return h
}

// seen releases the held SyncGroups once g shows the group rebalancing.
func (h *syncHold) seen(g GroupInfo) {
	if h != nil && g.Rebalancing() {
		h.once.Do(func() { close(h.release) })
	}
}

// watch feeds a timeline with observations of group every 100 ms until
// done accepts the events or the deadline passes.
func watch(t *testing.T, cl *Client, tl *Timeline, group string, hold *syncHold, timeout time.Duration, done func([]TimelineEvent) bool) []TimelineEvent {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		g, _ := cl.Group(context.Background(), group)
		tl.Observe(g)
		hold.seen(g)
		if done(tl.Events()) {
			return tl.Events()
		}
		time.Sleep(100 * time.Millisecond)
	}
	var lines []string
	for _, e := range tl.Events() {
		lines = append(lines, e.At.Format("15:04:05.000")+" "+e.Text())
	}
	t.Fatalf("timeline after %s:\n%s", timeout, fmt.Sprint(lines))
	return nil
}

func ended(n int) func([]TimelineEvent) bool {
	return func(es []TimelineEvent) bool {
		count := 0
		for _, e := range es {
			if e.Kind == EventRebalanceEnded {
				count++
			}
		}
		return count >= n
	}
}

func cooperativeMember(t *testing.T, c *kfake.Cluster, group, clientID string) *member {
	t.Helper()
	conf := groupConfig(clientID)
	// Cooperative sticky moves only the partitions it must, so the count
	// is exact, and its members tell their generation when they rejoin.
	conf.Consumer.Group.Rebalance.GroupStrategies = []sarama.BalanceStrategy{sarama.NewBalanceStrategyCooperativeSticky()}
	return startMemberWith(t, c, group, conf, "orders")
}

// TestTimelineOfAConsumerShutdown runs three sarama members on a
// 6-partition topic, closes one, then kills another without a goodbye,
// and reads what the timeline recorded.
func TestTimelineOfAConsumerShutdown(t *testing.T) {
	t.Parallel()
	c := groupCluster(t, 3)
	produce(t, c, "orders", 6, 5)
	members := map[string]*member{}
	defer func() {
		for _, m := range members {
			m.stop()
		}
	}()
	cl := connect(t, c)
	tl := NewTimeline(1000)
	stable := func(members int) func([]TimelineEvent) bool {
		return func([]TimelineEvent) bool {
			g, err := cl.Group(context.Background(), "shop")
			if err != nil || g.State != "Stable" || len(g.Members) != members {
				return false
			}
			for _, m := range g.Members {
				if len(m.Assigned) != 6/members {
					return false
				}
			}
			return !tl.Rebalancing()
		}
	}
	// The members join one at a time, each once the group settled with
	// the ones before it. Members that all join the first generation
	// together hold nothing yet, so none tells a generation (KIP-792) and
	// the group's stays unknown, leaving the timeline no generation to
	// report a change from; a member that joins holding partitions tells
	// the one it holds them in.
	for i := range 3 {
		id := fmt.Sprintf("shop-%d", i)
		members[id] = cooperativeMember(t, c, "shop", id)
		watch(t, cl, tl, "shop", nil, 20*time.Second, stable(i+1))
	}
	before := len(tl.Events())
	g, _ := cl.Group(context.Background(), "shop")
	if g.Generation < 0 {
		t.Fatalf("generation unknown after members joined holding partitions: %+v", g)
	}
	var leaving GroupMember
	for _, m := range g.Members {
		if m.ClientID == "shop-0" {
			leaving = m
		}
	}

	// A clean close: LeaveGroup, then a rebalance, whose middle is held
	// until it has been observed.
	hold := holdSync(c)
	closed := time.Now()
	members["shop-0"].stop()
	delete(members, "shop-0")
	events := watch(t, cl, tl, "shop", hold, 20*time.Second, ended(tl.Rebalances()+1))[before:]
	// The members that stay are cooperative: they keep their partitions
	// through the rebalance, while the coordinator reports no owner for
	// any. Only the partitions of the member that left were unowned.
	if !slices.ContainsFunc(events, func(e TimelineEvent) bool { return e.Kind == EventOwnersUnknown }) {
		t.Errorf("the rebalance was not observed between generations: %v", texts(events))
	}
	for _, e := range events {
		if strings.Contains(e.Text(), "(unowned)") && !slices.Contains(leaving.Assigned, e.Partition) {
			t.Errorf("a partition of a member that stayed drawn without owner: %q in %v", e.Text(), texts(events))
		}
	}
	linesAgree(t, events)
	order := []TimelineKind{}
	for _, e := range events {
		if !slices.Contains(order, e.Kind) {
			order = append(order, e.Kind)
		}
	}
	index := func(k TimelineKind) int { return slices.Index(order, k) }
	for _, k := range []TimelineKind{EventRebalanceStarted, EventMemberLeft, EventGenerationChanged, EventRebalanceEnded} {
		if index(k) < 0 {
			t.Fatalf("no %v event in %v", k, texts(events))
		}
	}
	if !(index(EventRebalanceStarted) < index(EventMemberLeft) && index(EventMemberLeft) < index(EventRebalanceEnded)) {
		t.Errorf("events out of order: %v", texts(events))
	}
	left := events[slices.IndexFunc(events, func(e TimelineEvent) bool { return e.Kind == EventMemberLeft })]
	if left.Member != leaving.ID || left.ClientID != "shop-0" {
		t.Errorf("left: %+v, want %s", left, leaving.ID)
	}
	moved := map[TopicPartition]bool{}
	for _, e := range events {
		if e.Kind == EventPartitionAssigned || e.Kind == EventPartitionMoved {
			moved[e.Partition] = true
		}
	}
	for _, tp := range leaving.Assigned {
		if !moved[tp] {
			t.Errorf("%v of the member that left was not reassigned: %v", tp, texts(events))
		}
	}
	summary := events[len(events)-1].Summary
	if summary == nil || summary.PartitionsMoved != len(leaving.Assigned) || summary.Unowned != len(leaving.Assigned) || summary.MembersBefore != 3 || summary.MembersAfter != 2 {
		t.Fatalf("summary %+v", summary)
	}
	if took := summary.End.Sub(closed); took > 10*time.Second {
		t.Errorf("a clean close took %s to settle", took)
	}
	final, _ := cl.Group(context.Background(), "shop")
	if final.State != "Stable" || final.Generation < 1 {
		t.Errorf("after: state %s generation %d", final.State, final.Generation)
	}

	// A kill: the member's goodbye is swallowed, so the coordinator only
	// notices when its session times out.
	var victim GroupMember
	for _, m := range final.Members {
		if m.ClientID == "shop-1" {
			victim = m
		}
	}
	c.ControlKey(int16(kmsg.LeaveGroup), func(r kmsg.Request) (kmsg.Response, error, bool) {
		c.KeepControl()
		req := r.(*kmsg.LeaveGroupRequest)
		resp := req.ResponseKind().(*kmsg.LeaveGroupResponse)
		resp.Version = req.Version
		for _, m := range req.Members {
			resp.Members = append(resp.Members, kmsg.LeaveGroupResponseMember{MemberID: m.MemberID})
		}
		return resp, nil, true
	})
	before = len(tl.Events())
	killed := time.Now()
	members["shop-1"].stop()
	delete(members, "shop-1")
	events = watch(t, cl, tl, "shop", nil, 20*time.Second, ended(tl.Rebalances()+1))[before:]
	i := slices.IndexFunc(events, func(e TimelineEvent) bool { return e.Kind == EventMemberLeft })
	if i < 0 || events[i].Member != victim.ID {
		t.Fatalf("the killed member never left: %v", texts(events))
	}
	// The session timeout is 2 s: a clean leave would show well before.
	if after := events[i].At.Sub(killed); after < 1500*time.Millisecond {
		t.Errorf("killed member left after %s, before its session could time out", after)
	}
	if s := events[len(events)-1].Summary; s == nil || s.MembersAfter != 1 || s.PartitionsMoved != len(victim.Assigned) {
		t.Errorf("summary after the kill: %+v", s)
	}
}

// linesAgree checks that a rebalance's summary, its last event, says what
// its lines say: as many partitions without a consumer as are drawn so,
// and as many moved as end with another owner than they started with.
func linesAgree(t *testing.T, events []TimelineEvent) {
	t.Helper()
	s := events[len(events)-1].Summary
	if s == nil {
		t.Fatalf("no summary last in %v", texts(events))
	}
	unowned := map[TopicPartition]bool{}
	first, last := map[TopicPartition]string{}, map[TopicPartition]string{}
	for _, e := range events {
		switch e.Kind {
		case EventPartitionUnowned, EventPartitionAssigned, EventPartitionMoved:
		default:
			continue
		}
		if strings.Contains(e.Text(), "(unowned)") {
			unowned[e.Partition] = true
		}
		if _, ok := first[e.Partition]; !ok {
			first[e.Partition] = e.From
		}
		last[e.Partition] = e.To
	}
	moved := 0
	for p, from := range first {
		if last[p] != from {
			moved++
		}
	}
	if s.Unowned != len(unowned) || s.PartitionsMoved != moved {
		t.Errorf("summary says %d moved, %d without a consumer; the lines %d and %d: %v", s.PartitionsMoved, s.Unowned, moved, len(unowned), texts(events))
	}
}

// An eager group (sarama's default, range) gives every partition up when
// a rebalance starts: while it rebalances, every partition is without a
// consumer, and the timeline says so.
func TestTimelineOfAnEagerRebalance(t *testing.T) {
	t.Parallel()
	c := groupCluster(t, 1)
	produce(t, c, "orders", 6, 5)
	members := map[string]*member{}
	defer func() {
		for _, m := range members {
			m.stop()
		}
	}()
	cl := connect(t, c)
	tl := NewTimeline(1000)
	for i := range 3 {
		id := fmt.Sprintf("eager-%d", i)
		members[id] = startMember(t, c, "eager", id, "orders")
		watch(t, cl, tl, "eager", nil, 20*time.Second, func([]TimelineEvent) bool {
			g, err := cl.Group(context.Background(), "eager")
			return err == nil && g.State == "Stable" && len(g.Members) == i+1 && len(g.Members[i].Assigned) > 0 && !tl.Rebalancing()
		})
	}
	if a := tl.Assignor(); a != "range" {
		t.Fatalf("assignor %q", a)
	}
	before := tl.Len()
	hold := holdSync(c)
	members["eager-2"].stop()
	delete(members, "eager-2")
	events := watch(t, cl, tl, "eager", hold, 20*time.Second, ended(tl.Rebalances()+1))[before:]
	unowned := map[TopicPartition]bool{}
	for _, e := range events {
		if e.Kind == EventPartitionUnowned {
			unowned[e.Partition] = true
		}
		if e.Kind == EventOwnersUnknown {
			t.Errorf("an eager group's owners are known to be none: %q", e.Text())
		}
	}
	if len(unowned) != 6 {
		t.Errorf("%d partitions drawn without owner, want all 6: %v", len(unowned), texts(events))
	}
	linesAgree(t, events)
	if s := events[len(events)-1].Summary; s.Unowned != 6 || s.MaxUnowned <= 0 || s.MembersAfter != 2 {
		t.Errorf("summary %+v", s)
	}
}

func texts(es []TimelineEvent) []string {
	out := make([]string, len(es))
	for i, e := range es {
		out[i] = e.Text()
	}
	return out
}
