package kafkaclient

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// TestGroupsOfEveryTypeSideBySide lists a classic group, a
// consumer-protocol group and a share group on one topic: each with its
// type, its state as its type has them, its assignor, its members and
// their assignments, and its lag.
func TestGroupsOfEveryTypeSideBySide(t *testing.T) {
	t.Parallel()
	c := newGroupsCluster(t, 3)
	produce(t, c, "orders", 6, 10)
	classic := startMember(t, c, "classic", "classic-a", "orders")
	defer classic.stop()
	startNextGen(t, c, "next", "next-a", "orders")
	startNextGen(t, c, "next", "next-b", "orders")
	startShare(t, c, "queue", "queue-a", "orders")
	commitAt(t, c, "stopped", "orders", 6, 4)
	cl := connect(t, c)

	gs := waitGroups(t, cl, "every group settled and caught up", func(gs map[string]GroupInfo) bool {
		next, queue, old := gs["next"], gs["queue"], gs["classic"]
		return len(gs) == 4 && old.State == "Stable" && old.TotalLag() == 0 && hasLags(old, 6) &&
			next.State == "Stable" && len(next.Members) == 2 && !next.Reconciling() && next.TotalLag() == 0 && hasLags(next, 6) &&
			queue.State == "Stable" && len(queue.Members) == 1 && hasLags(queue, 6)
	})
	for name, want := range map[string]struct{ typ, protocolType, assignor string }{
		"classic": {TypeClassic, "consumer", "range"},
		"next":    {TypeConsumer, "consumer", "uniform"},
		"queue":   {TypeShare, "share", "simple"},
		"stopped": {TypeClassic, "", ""},
	} {
		g := gs[name]
		if g.Type != want.typ || g.ProtocolType != want.protocolType || g.Protocol != want.assignor || g.Err != nil {
			t.Errorf("%s: type %q protocol type %q assignor %q err %v, want %+v", name, g.Type, g.ProtocolType, g.Protocol, g.Err, want)
		}
	}

	next := gs["next"]
	if next.Epoch < 1 || next.AssignmentEpoch != next.Epoch || next.Generation != -1 {
		t.Errorf("next: epoch %d, assignment epoch %d, generation %d", next.Epoch, next.AssignmentEpoch, next.Generation)
	}
	owned := map[TopicPartition]string{}
	for _, m := range next.Members {
		if len(m.Assigned) != 3 || !slices.Equal(m.Assigned, m.Target) || m.MemberEpoch != next.Epoch ||
			!slices.Equal(m.Subscribed, []string{"orders"}) || !strings.HasPrefix(m.ClientID, "next-") {
			t.Errorf("next member %+v", m)
		}
		for _, tp := range m.Assigned {
			owned[tp] = m.ID
		}
	}
	for _, o := range next.Offsets {
		if o.Owner == "" || o.Owner != owned[o.TopicPartition] || o.Target != o.Owner || o.Committed != 10 || o.LogEnd != 10 {
			t.Errorf("next %v: %+v", o.TopicPartition, o)
		}
	}

	queue := gs["queue"]
	member := queue.Members[0]
	if member.ClientID != "queue-a" || len(member.Assigned) != 6 || queue.Epoch < 1 {
		t.Errorf("queue: epoch %d member %+v", queue.Epoch, member)
	}
	// It joined after the records were written: its start offsets begin
	// at the log end (share.auto.offset.reset is latest by default).
	for _, o := range queue.Offsets {
		if lag, ok := o.Lag(); !ok || lag != 0 || o.Committed != 10 || !slices.Equal(o.Sharers, []string{member.ID}) {
			t.Errorf("queue %v: %+v", o.TopicPartition, o)
		}
	}
	if stopped := gs["stopped"]; stopped.State != "Empty" || stopped.TotalLag() != 6*6 {
		t.Errorf("stopped: %s lag %d", stopped.State, stopped.TotalLag())
	}

	// One group is described as the list describes it.
	for name, want := range gs {
		g, err := cl.Group(context.Background(), name)
		if err != nil || g.Type != want.Type || len(g.Members) != len(want.Members) || len(g.Offsets) != len(want.Offsets) {
			t.Errorf("Group(%s) = %s with %d members, %d offsets, err %v; the list had %s, %d, %d", name,
				g.Type, len(g.Members), len(g.Offsets), err, want.Type, len(want.Members), len(want.Offsets))
		}
	}
	if g, err := cl.Group(context.Background(), "nobody"); !errors.Is(err, ErrNoSuchGroup) || g.State != "Dead" {
		t.Errorf("a group nobody made: %s, %v", g.State, err)
	}
}

// hasLags reports n partitions whose lag is known.
func hasLags(g GroupInfo, n int) bool {
	known := 0
	for _, o := range g.Offsets {
		if _, ok := o.Lag(); ok {
			known++
		}
	}
	return known == n
}

// TestGroupsRequestsPerRefreshOfEveryType counts the requests of one
// refresh of groups of every type spread over three coordinators: one
// ListGroups per broker, and per coordinator one describe request per
// group type it coordinates, one OffsetFetch for its classic and
// consumer-protocol groups and one DescribeShareGroupOffsets for its
// share groups, however many groups each has.
func TestGroupsRequestsPerRefreshOfEveryType(t *testing.T) {
	t.Parallel()
	const perType = 6
	c := newGroupsCluster(t, 3)
	produce(t, c, "orders", 6, 2)
	for i := range perType {
		commitAt(t, c, fmt.Sprintf("classic-%d", i), "orders", 6, 1)
		startNextGen(t, c, fmt.Sprintf("next-%d", i), "next", "orders")
		startShare(t, c, fmt.Sprintf("queue-%d", i), "queue", "orders")
	}
	cl := connect(t, c)
	waitGroups(t, cl, "every group described", func(gs map[string]GroupInfo) bool {
		if len(gs) != 3*perType {
			return false
		}
		for _, g := range gs {
			if g.Err != nil || !hasLags(g, 6) || (g.Type != TypeClassic && len(g.Members) != 1) {
				return false
			}
		}
		return true
	})

	keys := []kmsg.Key{kmsg.ListGroups, kmsg.DescribeGroups, kmsg.ConsumerGroupDescribe, kmsg.ShareGroupDescribe,
		kmsg.DescribeShareGroupOffsets, kmsg.OffsetFetch, kmsg.ListOffsets, kmsg.Metadata, kmsg.FindCoordinator}
	counts := map[kmsg.Key]*atomic.Int64{}
	for _, k := range keys {
		counts[k] = countRequests(c, k)
	}
	gs, err := cl.Groups(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	coordinators := map[string]map[int32]bool{}
	for _, g := range gs {
		if g.Err != nil {
			t.Fatalf("%s: %v", g.Name, g.Err)
		}
		if coordinators[g.Type] == nil {
			coordinators[g.Type] = map[int32]bool{}
		}
		coordinators[g.Type][g.Coordinator] = true
	}
	var report []string
	for _, k := range keys {
		report = append(report, fmt.Sprintf("%s %d", k.Name(), counts[k].Load()))
	}
	refresh := map[kmsg.Key]int64{}
	for _, k := range keys {
		refresh[k] = counts[k].Load()
	}
	t.Logf("one refresh of %d groups (classic at %d coordinators, consumer at %d, share at %d): %s", len(gs),
		len(coordinators[TypeClassic]), len(coordinators[TypeConsumer]), len(coordinators[TypeShare]), strings.Join(report, ", "))
	// One observation of one group, as the group view makes every 500 ms:
	// the list told its coordinator and its type.
	for _, name := range []string{"classic-0", "next-0", "queue-0"} {
		for _, k := range keys {
			counts[k].Store(0)
		}
		if _, err := cl.Group(context.Background(), name); err != nil {
			t.Fatal(err)
		}
		report = report[:0]
		for _, k := range keys {
			if n := counts[k].Load(); n > 0 {
				report = append(report, fmt.Sprintf("%s %d", k.Name(), n))
			}
		}
		t.Logf("one observation of %s: %s", name, strings.Join(report, ", "))
		if counts[kmsg.ListGroups].Load()+counts[kmsg.FindCoordinator].Load()+counts[kmsg.Metadata].Load() > 0 {
			t.Errorf("%s: a known group's observation listed, looked up or read metadata: %s", name, strings.Join(report, ", "))
		}
	}
	budget := map[kmsg.Key]int{
		kmsg.ListGroups:                3,
		kmsg.DescribeGroups:            len(coordinators[TypeClassic]),
		kmsg.ConsumerGroupDescribe:     len(coordinators[TypeConsumer]),
		kmsg.ShareGroupDescribe:        len(coordinators[TypeShare]),
		kmsg.DescribeShareGroupOffsets: len(coordinators[TypeShare]),
		kmsg.OffsetFetch:               len(unionOf(coordinators[TypeClassic], coordinators[TypeConsumer])),
		kmsg.ListOffsets:               3,
		kmsg.FindCoordinator:           0,
	}
	for k, most := range budget {
		if got := refresh[k]; got > int64(most) {
			t.Errorf("%s: %d requests, at most %d", k.Name(), got, most)
		}
	}
}

func unionOf(a, b map[int32]bool) map[int32]bool {
	out := map[int32]bool{}
	for k := range a {
		out[k] = true
	}
	for k := range b {
		out[k] = true
	}
	return out
}

// settledNextGen waits until the timeline's last observation of group
// shows n members that each reached their target, no rebalance open.
func settledNextGen(t *testing.T, cl *Client, tl *Timeline, group string, n int) GroupInfo {
	t.Helper()
	watch(t, cl, tl, group, nil, 30*time.Second, func([]TimelineEvent) bool {
		return tl.last != nil && len(tl.last.Members) == n && !tl.last.Reconciling() && !tl.Rebalancing() &&
			!slices.ContainsFunc(tl.last.Members, func(m GroupMember) bool { return len(m.Assigned) == 0 })
	})
	return *tl.last
}

// watchAsTheView feeds a timeline with observations of group every 500 ms,
// as the group view makes them, until done accepts the events.
func watchAsTheView(t *testing.T, cl *Client, tl *Timeline, group string, done func([]TimelineEvent) bool) []TimelineEvent {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		g, _ := cl.Group(context.Background(), group)
		tl.Observe(g)
		if done(tl.Events()) {
			return tl.Events()
		}
		time.Sleep(500 * time.Millisecond)
	}
	t.Fatalf("timeline after 30s:\n%s", strings.Join(texts(tl.Events()), "\n"))
	return nil
}

// TestConsumerProtocolTimelineOfDepartures watches a consumer-protocol
// group of three members on six partitions, as the group view does, while
// one leaves cleanly and another stops heartbeating: each reads as member
// left → its partitions targeted to the survivors → each survivor
// assigned → converged.
func TestConsumerProtocolTimelineOfDepartures(t *testing.T) {
	t.Parallel()
	c := newGroupsCluster(t, 3)
	produce(t, c, "orders", 6, 5)
	members := map[string]*franzMember{}
	for _, id := range []string{"next-a", "next-b", "next-c"} {
		members[id] = startNextGen(t, c, "next", id, "orders")
	}
	cl := connect(t, c)
	tl := NewTimeline(1000)
	g := settledNextGen(t, cl, tl, "next", 3)

	// A clean leave.
	leaving := *g.Member(members["next-b"].memberID())
	before := tl.Len()
	stopped := time.Now()
	members["next-b"].stop()
	events := watchAsTheView(t, cl, tl, "next", ended(tl.Rebalances()+1))[before:]
	checkDeparture(t, events, leaving, 3)
	t.Logf("clean leave: member left shown %s after the consumer closed, converged %s after", firstOf(events, EventMemberLeft).At.Sub(stopped),
		events[len(events)-1].At.Sub(stopped))

	// A consumer that stops heartbeating: the coordinator fences it when
	// its 2 s session times out. Its heartbeats are refused on its way
	// (a goodbye is answered without reaching the group), as a killed
	// process's never arrive.
	g = settledNextGen(t, cl, tl, "next", 2)
	victim := *g.Member(members["next-c"].memberID())
	var cut atomic.Bool
	cut.Store(true)
	c.ControlKey(int16(kmsg.ConsumerGroupHeartbeat), func(r kmsg.Request) (kmsg.Response, error, bool) {
		c.KeepControl()
		req := r.(*kmsg.ConsumerGroupHeartbeatRequest)
		if !cut.Load() || req.MemberID != victim.ID {
			return nil, nil, false
		}
		resp := req.ResponseKind().(*kmsg.ConsumerGroupHeartbeatResponse)
		resp.Version = req.Version
		if req.MemberEpoch == -1 {
			resp.MemberID, resp.MemberEpoch = &req.MemberID, -1
		} else {
			resp.ErrorCode = kerrCoordinatorLoadInProgress
		}
		return resp, nil, true
	})
	before = tl.Len()
	killed := time.Now()
	events = watchAsTheView(t, cl, tl, "next", ended(tl.Rebalances()+1))[before:]
	members["next-c"].stop()
	cut.Store(false)
	checkDeparture(t, events, victim, 2)
	left := firstOf(events, EventMemberLeft)
	if after := left.At.Sub(killed); after < 1500*time.Millisecond {
		t.Errorf("the silent member left after %s, before its session could time out", after)
	}
	t.Logf("session timeout: member left shown %s after its heartbeats stopped, converged %s after", left.At.Sub(killed),
		events[len(events)-1].At.Sub(killed))
}

// kerrCoordinatorLoadInProgress is a heartbeat answer the member retries.
const kerrCoordinatorLoadInProgress = 14

func firstOf(events []TimelineEvent, k TimelineKind) TimelineEvent {
	if i := slices.IndexFunc(events, func(e TimelineEvent) bool { return e.Kind == k }); i >= 0 {
		return events[i]
	}
	return TimelineEvent{}
}

// checkDeparture checks the events of the rebalance that followed gone's
// departure from a group of before members.
func checkDeparture(t *testing.T, events []TimelineEvent, gone GroupMember, before int) {
	t.Helper()
	index := func(k TimelineKind) int {
		return slices.IndexFunc(events, func(e TimelineEvent) bool { return e.Kind == k })
	}
	for _, k := range []TimelineKind{EventRebalanceStarted, EventMemberLeft, EventEpochChanged, EventTargetChanged, EventMemberAssigned, EventMemberReconciled, EventRebalanceEnded} {
		if index(k) < 0 {
			t.Fatalf("no %v event in %q", k, texts(events))
		}
	}
	if l := events[index(EventMemberLeft)]; l.Member != gone.ID || l.ClientID != gone.ClientID {
		t.Errorf("left: %q, want %s", l.Text(), gone.ID)
	}
	if e := events[index(EventEpochChanged)]; e.Cause != "member left" {
		t.Errorf("epoch change: %q", e.Text())
	}
	if !(index(EventMemberLeft) < index(EventTargetChanged) && index(EventTargetChanged) < index(EventMemberAssigned) &&
		index(EventMemberAssigned) < index(EventRebalanceEnded)) {
		t.Errorf("out of order: %q", texts(events))
	}
	targeted, assigned := map[TopicPartition]string{}, map[TopicPartition]string{}
	for _, e := range events {
		switch e.Kind {
		case EventTargetChanged:
			if e.From != gone.ID || e.To == "" || e.To == gone.ID {
				t.Errorf("a target moved that was not the departed member's: %q", e.Text())
			}
			targeted[e.Partition] = e.To
		case EventMemberAssigned:
			for _, p := range e.Partitions {
				assigned[p] = e.Member
			}
		case EventMemberRevoked:
			t.Errorf("a survivor revoked: %q", e.Text())
		}
	}
	for _, p := range gone.Assigned {
		if targeted[p] == "" || assigned[p] != targeted[p] {
			t.Errorf("%v: targeted to %q, assigned to %q: %q", p, targeted[p], assigned[p], texts(events))
		}
	}
	if len(targeted) != len(gone.Assigned) || len(assigned) != len(gone.Assigned) {
		t.Errorf("%d targeted, %d assigned, want the %d of the departed member: %q", len(targeted), len(assigned), len(gone.Assigned), texts(events))
	}
	s := events[len(events)-1].Summary
	if s == nil || !s.Incremental || s.PartitionsMoved != len(gone.Assigned) || s.Unowned != len(gone.Assigned) ||
		s.MembersBefore != before || s.MembersAfter != before-1 || s.Duration <= 0 {
		t.Errorf("summary %+v of %q", s, texts(events))
	}
	if !strings.Contains(events[len(events)-1].Text(), "converged") {
		t.Errorf("end: %q", events[len(events)-1].Text())
	}
}

// TestShareGroupOffsetsAndLag reads a share group's start offsets and the
// records it has not delivered, alters and deletes its start offsets,
// which Kafka allows only while it has no members.
func TestShareGroupOffsetsAndLag(t *testing.T) {
	t.Parallel()
	c := newGroupsCluster(t, 3, kfake.SeedTopics(3, "jobs"))
	cl := connect(t, c)
	ctx := context.Background()
	worker := startShare(t, c, "queue", "worker-1", "jobs")
	// Its start offsets are set when it first fetches: at the log end.
	waitGroups(t, cl, "the worker fetching", func(gs map[string]GroupInfo) bool {
		return len(gs["queue"].Members) == 1 && hasLags(gs["queue"], 3)
	})
	produce(t, c, "jobs", 3, 10)
	waitGroups(t, cl, "every job delivered and acknowledged", func(gs map[string]GroupInfo) bool {
		q := gs["queue"]
		return hasLags(q, 3) && q.TotalLag() == 0 && !slices.ContainsFunc(q.Offsets, func(o PartitionOffsets) bool { return o.Committed != 10 })
	})

	// While it has a member, Kafka refuses to move its start offsets.
	plan, err := cl.PlanShareReset(ctx, "queue", "jobs", nil, ResetTarget{Kind: ResetEarliest})
	if err != nil {
		t.Fatal(err)
	}
	if !plan.Share || rowsOf(plan) != "0:10→0(-10) 0..10 1:10→0(-10) 0..10 2:10→0(-10) 0..10" || len(plan.Members) != 1 {
		t.Fatalf("plan %s, members %v", rowsOf(plan), plan.Members)
	}
	for name, err := range map[string]error{
		"alter":  cl.ApplyShareReset(ctx, plan),
		"delete": cl.DeleteShareGroupOffsets(ctx, "queue", "jobs"),
		"group":  cl.DeleteGroup(ctx, "queue"),
	} {
		if !errors.Is(err, ErrGroupNotEmpty) || !strings.Contains(err.Error(), "worker-1 on 127.0.0.1") {
			t.Errorf("%s with a member: %v", name, err)
		}
	}

	worker.stop()
	produce(t, c, "jobs", 3, 5)
	gs := waitGroups(t, cl, "the queue empty and 5 jobs waiting in each partition", func(gs map[string]GroupInfo) bool {
		q := gs["queue"]
		return q.State == "Empty" && len(q.Members) == 0 && hasLags(q, 3) && q.TotalLag() == 15
	})
	for _, o := range gs["queue"].Offsets {
		if o.Committed != 10 || o.LogEnd != 15 || o.Owner != "" {
			t.Errorf("queue %v: %+v", o.TopicPartition, o)
		}
	}
	if _, err := cl.PlanShareReset(ctx, "queue", "jobs", nil, ResetTarget{Kind: ResetShift, Shift: -1}); err == nil {
		t.Error("a share group's start offsets were shifted")
	}
	if _, err := cl.PlanReset(ctx, "queue", "jobs", nil, ResetTarget{Kind: ResetEarliest}); err == nil {
		t.Error("a share group planned as a consumer group")
	}
	if err := cl.ApplyReset(ctx, plan); err == nil {
		t.Error("a share plan applied as committed offsets")
	}

	plan, err = cl.PlanShareReset(ctx, "queue", "jobs", []int32{1}, ResetTarget{Kind: ResetOffset, Offset: 4})
	if err != nil {
		t.Fatal(err)
	}
	if err := cl.ApplyShareReset(ctx, plan); err != nil {
		t.Fatal(err)
	}
	g, err := cl.Group(ctx, "queue")
	if err != nil {
		t.Fatal(err)
	}
	starts := map[int32]int64{}
	for _, o := range g.Offsets {
		starts[o.Partition] = o.Committed
	}
	if fmt.Sprint(starts) != "map[0:10 1:4 2:10]" || g.TotalLag() != 5+11+5 {
		t.Errorf("after altering partition 1 to 4: %v, lag %d", starts, g.TotalLag())
	}

	if err := cl.DeleteShareGroupOffsets(ctx, "queue", "jobs"); err != nil {
		t.Fatal(err)
	}
	// Kafka keeps the empty group; kfake forgets a share group left with
	// neither members nor state.
	if g, err := cl.Group(ctx, "queue"); (err != nil && !errors.Is(err, ErrNoSuchGroup)) || len(g.Offsets) > 0 {
		t.Errorf("after deleting: %+v, %v", g.Offsets, err)
	}

	// Start offsets given to a group that does not exist make it, empty;
	// deleting it takes them along.
	plan, err = cl.PlanShareReset(ctx, "later", "jobs", nil, ResetTarget{Kind: ResetLatest})
	if err != nil {
		t.Fatal(err)
	}
	if err := cl.ApplyShareReset(ctx, plan); err != nil {
		t.Fatal(err)
	}
	if g, err := cl.Group(ctx, "later"); err != nil || g.Type != TypeShare || g.State != "Empty" || g.TotalLag() != 0 || !hasLags(g, 3) {
		t.Fatalf("a share group made by its start offsets: %s %s %+v, %v", g.Type, g.State, g.Offsets, err)
	}
	if err := cl.DeleteGroup(ctx, "later"); err != nil {
		t.Fatal(err)
	}
	if _, err := cl.Group(ctx, "later"); !errors.Is(err, ErrNoSuchGroup) {
		t.Errorf("after deleting the group: %v", err)
	}
}

// TestConsumerProtocolOffsetsReset resets a consumer-protocol group's
// offsets: refused while it has members, which are named, and applied
// once it is empty.
func TestConsumerProtocolOffsetsReset(t *testing.T) {
	t.Parallel()
	c := newGroupsCluster(t, 3)
	produce(t, c, "orders", 6, 8)
	m := startNextGen(t, c, "next", "next-a", "orders")
	cl := connect(t, c)
	ctx := context.Background()
	waitGroups(t, cl, "caught up", func(gs map[string]GroupInfo) bool {
		next := gs["next"]
		return len(next.Members) == 1 && hasLags(next, 6) && next.TotalLag() == 0
	})
	plan, err := cl.PlanReset(ctx, "next", "orders", nil, ResetTarget{Kind: ResetShift, Shift: -3})
	if err != nil {
		t.Fatal(err)
	}
	if err := cl.ApplyReset(ctx, plan); !errors.Is(err, ErrGroupNotEmpty) || !strings.Contains(err.Error(), "next-a on 127.0.0.1") {
		t.Errorf("reset with a member: %v", err)
	}
	if err := cl.DeleteGroupOffsets(ctx, "next", "orders"); err == nil || !strings.Contains(err.Error(), "next-a") {
		t.Errorf("delete offsets with a subscribed member: %v", err)
	}
	m.stop()
	waitGroups(t, cl, "empty", func(gs map[string]GroupInfo) bool { return gs["next"].State == "Empty" })
	if err := cl.ApplyReset(ctx, plan); err != nil {
		t.Fatal(err)
	}
	g, err := cl.Group(ctx, "next")
	if err != nil || g.Type != TypeConsumer || g.TotalLag() != 6*3 {
		t.Fatalf("after the reset: %s lag %d, %v", g.Type, g.TotalLag(), err)
	}
	if err := cl.DeleteGroupOffsets(ctx, "next", "orders"); err != nil {
		t.Fatal(err)
	}
	if g, _ := cl.Group(ctx, "next"); hasLags(g, 1) {
		t.Errorf("offsets left after deleting them: %+v", g.Offsets)
	}
}

// TestGroupUpgradedToTheConsumerProtocol watches a classic group with
// offsets and no members while a consumer-protocol member joins it, which
// upgrades it online: Kafka 4 then describes it as a classic group no
// more (kfake does not, so its answer is made Kafka's), and the next
// observation reads it as the consumer-protocol group it became.
func TestGroupUpgradedToTheConsumerProtocol(t *testing.T) {
	t.Parallel()
	c := newGroupsCluster(t, 3)
	produce(t, c, "orders", 6, 4)
	commitAt(t, c, "mig", "orders", 6, 2)
	cl := connect(t, c)
	ctx := context.Background()
	tl := NewTimeline(100)
	g, err := cl.Group(ctx, "mig")
	if err != nil || g.Type != TypeClassic || g.State != "Empty" {
		t.Fatalf("before: %s %s, %v", g.Type, g.State, err)
	}
	tl.Observe(g)

	var upgraded atomic.Bool
	c.ControlKey(int16(kmsg.DescribeGroups), func(r kmsg.Request) (kmsg.Response, error, bool) {
		c.KeepControl()
		req := r.(*kmsg.DescribeGroupsRequest)
		if !upgraded.Load() || !slices.Contains(req.Groups, "mig") {
			return nil, nil, false
		}
		resp := req.ResponseKind().(*kmsg.DescribeGroupsResponse)
		resp.Version = req.Version
		for _, name := range req.Groups {
			rg := kmsg.NewDescribeGroupsResponseGroup()
			rg.Group, rg.State = name, "Dead"
			resp.Groups = append(resp.Groups, rg)
		}
		return resp, nil, true
	})
	startNextGen(t, c, "mig", "next-a", "orders")
	coord := c.CoordinatorFor("mig")
	for deadline := time.Now().Add(20 * time.Second); !upgraded.Load(); time.Sleep(100 * time.Millisecond) {
		listed, err := cl.listAt(ctx, coord)
		if err == nil && slices.ContainsFunc(listed, func(l listedGroup) bool { return l.name == "mig" && l.typ == TypeConsumer }) {
			upgraded.Store(true)
		}
		if time.Now().After(deadline) {
			t.Fatal("the group never became a consumer-protocol group")
		}
	}
	g, err = cl.Group(ctx, "mig")
	if err != nil || g.Type != TypeConsumer || len(g.Members) != 1 {
		t.Fatalf("after: %s %s with %d members, %v", g.Type, g.State, len(g.Members), err)
	}
	if got := texts(tl.Observe(g)); len(got) == 0 || got[0] != "group type classic → consumer: what follows is observed afresh" {
		t.Errorf("timeline: %q", got)
	}
}
