package kafkaclient

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/IBM/sarama"
	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// watch feeds a timeline with observations of group every 100 ms until
// done accepts the events or the deadline passes.
func watch(t *testing.T, cl *Client, tl *Timeline, group string, timeout time.Duration, done func([]TimelineEvent) bool) []TimelineEvent {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		g, _ := cl.Group(context.Background(), group)
		tl.Observe(g)
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
		watch(t, cl, tl, "shop", 20*time.Second, stable(i+1))
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

	// A clean close: LeaveGroup, then a rebalance.
	closed := time.Now()
	members["shop-0"].stop()
	delete(members, "shop-0")
	events := watch(t, cl, tl, "shop", 20*time.Second, ended(tl.Rebalances()+1))[before:]
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
	if summary == nil || summary.PartitionsMoved != len(leaving.Assigned) || summary.MembersBefore != 3 || summary.MembersAfter != 2 {
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
	events = watch(t, cl, tl, "shop", 20*time.Second, ended(tl.Rebalances()+1))[before:]
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

func texts(es []TimelineEvent) []string {
	out := make([]string, len(es))
	for i, e := range es {
		out[i] = e.Text()
	}
	return out
}
