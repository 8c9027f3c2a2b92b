package kafkaclient

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/IBM/sarama"
	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// resetBase is when the first record of each partition of resetCluster was written.
var resetBase = time.Date(2026, 11, 21, 9, 0, 0, 0, time.UTC)

// resetCluster holds "events" with 3 partitions of 10 records each, one
// second apart from resetBase; partition 0 starts at offset 3 because
// records before it were deleted. Group "billing" committed offset 5 in
// partitions 0 and 1 and nothing in partition 2.
func resetCluster(t *testing.T) (*kfake.Cluster, *Client) {
	t.Helper()
	c := groupCluster(t, 3, kfake.SeedTopics(3, "events"))
	vals := strings.Split("0 1 2 3 4 5 6 7 8 9", " ")
	for p := range int32(3) {
		produceValues(t, c, "events", p, resetBase, vals...)
	}
	admin, err := sarama.NewClusterAdminFromClient(mustClient(t, c))
	if err != nil {
		t.Fatal(err)
	}
	if err := admin.DeleteRecords("events", map[int32]int64{0: 3}); err != nil {
		t.Fatal(err)
	}
	commitAt(t, c, "billing", "events", 2, 5)
	return c, connect(t, c)
}

// rowsOf renders a plan as partition:current→new(delta) low..high.
func rowsOf(p ResetPlan) string {
	var out []string
	for _, r := range p.Rows {
		out = append(out, fmt.Sprintf("%d:%d→%d(%+d) %d..%d", r.Partition, r.Current, r.New, r.Delta, r.Low, r.High))
	}
	return strings.Join(out, " ")
}

func TestPlanReset(t *testing.T) {
	t.Parallel()
	_, cl := resetCluster(t)
	at := func(d time.Duration) time.Time { return resetBase.Add(d) }
	tests := []struct {
		name       string
		partitions []int32
		target     ResetTarget
		want       string
	}{
		{"earliest", nil, ResetTarget{Kind: ResetEarliest},
			"0:5→3(-2) 3..10 1:5→0(-5) 0..10 2:-1→0(+0) 0..10"},
		{"latest", nil, ResetTarget{Kind: ResetLatest},
			"0:5→10(+5) 3..10 1:5→10(+5) 0..10 2:-1→10(+0) 0..10"},
		{"offset inside", nil, ResetTarget{Kind: ResetOffset, Offset: 7},
			"0:5→7(+2) 3..10 1:5→7(+2) 0..10 2:-1→7(+0) 0..10"},
		{"offset below, clamped to low", nil, ResetTarget{Kind: ResetOffset, Offset: 1},
			"0:5→3(-2) 3..10 1:5→1(-4) 0..10 2:-1→1(+0) 0..10"},
		{"offset above, clamped to high", nil, ResetTarget{Kind: ResetOffset, Offset: 100},
			"0:5→10(+5) 3..10 1:5→10(+5) 0..10 2:-1→10(+0) 0..10"},
		{"time between records", nil, ResetTarget{Kind: ResetTime, Time: at(4500 * time.Millisecond)},
			"0:5→5(+0) 3..10 1:5→5(+0) 0..10 2:-1→5(+0) 0..10"},
		{"time of deleted records", nil, ResetTarget{Kind: ResetTime, Time: at(time.Second)},
			"0:5→3(-2) 3..10 1:5→1(-4) 0..10 2:-1→1(+0) 0..10"},
		{"time after every record", nil, ResetTarget{Kind: ResetTime, Time: at(time.Hour)},
			"0:5→10(+5) 3..10 1:5→10(+5) 0..10 2:-1→10(+0) 0..10"},
		{"shift back", []int32{0, 1}, ResetTarget{Kind: ResetShift, Shift: -1},
			"0:5→4(-1) 3..10 1:5→4(-1) 0..10"},
		{"shift back, clamped to low", []int32{1, 0}, ResetTarget{Kind: ResetShift, Shift: -4},
			"0:5→3(-2) 3..10 1:5→1(-4) 0..10"},
		{"shift forward, clamped to high", []int32{0, 1}, ResetTarget{Kind: ResetShift, Shift: 7},
			"0:5→10(+5) 3..10 1:5→10(+5) 0..10"},
		{"one partition", []int32{2}, ResetTarget{Kind: ResetLatest},
			"2:-1→10(+0) 0..10"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := cl.PlanReset(context.Background(), "billing", "events", tt.partitions, tt.target)
			if err != nil {
				t.Fatal(err)
			}
			if got := rowsOf(p); got != tt.want {
				t.Errorf("plan\n got %s\nwant %s", got, tt.want)
			}
			if p.Group != "billing" || len(p.Members) != 0 {
				t.Errorf("plan group %q members %+v", p.Group, p.Members)
			}
		})
	}

	for _, bad := range []struct {
		partitions []int32
		target     ResetTarget
		want       string
	}{
		{nil, ResetTarget{Kind: ResetShift, Shift: 1}, "without a committed offset: 2"},
		{[]int32{3}, ResetTarget{Kind: ResetEarliest}, "no partition 3 (it has 3)"},
		{nil, ResetTarget{Kind: ResetTime}, "no time given"},
		{nil, ResetTarget{Kind: ResetKind(99)}, "unknown reset kind"},
	} {
		_, err := cl.PlanReset(context.Background(), "billing", "events", bad.partitions, bad.target)
		if err == nil || !strings.Contains(err.Error(), bad.want) {
			t.Errorf("%+v: err = %v, want %q", bad.target, err, bad.want)
		}
	}
	if _, err := cl.PlanReset(context.Background(), "billing", "nosuch", nil, ResetTarget{Kind: ResetEarliest}); !errors.Is(err, ErrNoSuchTopic) {
		t.Errorf("unknown topic: %v", err)
	}
}

// committed is the group's committed offsets on topic, by partition.
func committed(t *testing.T, cl *Client, group, topic string) map[int32]int64 {
	t.Helper()
	g, err := cl.Group(context.Background(), group)
	if err != nil {
		t.Fatal(err)
	}
	out := map[int32]int64{}
	for _, o := range g.Offsets {
		if o.Topic == topic && o.Committed >= 0 {
			out[o.Partition] = o.Committed
		}
	}
	return out
}

func TestApplyResetCommitsThePlan(t *testing.T) {
	t.Parallel()
	_, cl := resetCluster(t)
	ctx := context.Background()
	for _, group := range []string{"billing", "newcomer"} {
		p, err := cl.PlanReset(ctx, group, "events", nil, ResetTarget{Kind: ResetOffset, Offset: 1})
		if err != nil {
			t.Fatal(err)
		}
		if err := cl.ApplyReset(ctx, p); err != nil {
			t.Fatal(err)
		}
		want := map[int32]int64{0: 3, 1: 1, 2: 1}
		if got := committed(t, cl, group, "events"); fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("%s committed %v, want %v", group, got, want)
		}
	}
	if err := cl.ApplyReset(ctx, ResetPlan{Group: "billing"}); err == nil {
		t.Error("an empty plan was applied")
	}
}

// waitMembers polls the group until it has n members.
func waitMembers(t *testing.T, cl *Client, group string, n int, also func(GroupInfo) bool) GroupInfo {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		g, err := cl.Group(context.Background(), group)
		if err == nil && len(g.Members) == n && g.State == "Stable" && also(g) {
			return g
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("group %s never had %d members", group, n)
	return GroupInfo{}
}

func TestResetAndDeletionsRefusedWhileMembersRun(t *testing.T) {
	t.Parallel()
	c, cl := resetCluster(t)
	ctx := context.Background()
	m := startMember(t, c, "live", "billing-worker", "events")
	defer m.stop()
	waitMembers(t, cl, "live", 1, func(g GroupInfo) bool {
		return len(g.Offsets) == 3 && !slices.ContainsFunc(g.Offsets, func(o PartitionOffsets) bool { return o.Committed != 10 })
	})
	groupDeletes := countRequests(c, kmsg.DeleteGroups)

	p, err := cl.PlanReset(ctx, "live", "events", nil, ResetTarget{Kind: ResetEarliest})
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Members) != 1 || p.Members[0].ClientID != "billing-worker" {
		t.Fatalf("plan members %+v", p.Members)
	}
	for name, err := range map[string]error{
		"reset":        cl.ApplyReset(ctx, p),
		"delete group": cl.DeleteGroup(ctx, "live"),
	} {
		if !errors.Is(err, ErrGroupNotEmpty) || !strings.Contains(err.Error(), "billing-worker on 127.0.0.1") {
			t.Errorf("%s: %v", name, err)
		}
	}
	if n := groupDeletes.Load(); n != 0 {
		t.Errorf("%d DeleteGroups requests sent for a group with members", n)
	}
	if got := committed(t, cl, "live", "events"); got[1] != 10 {
		t.Errorf("the running group's offsets changed: %v", got)
	}

	err = cl.DeleteGroupOffsets(ctx, "live", "events")
	if !errors.Is(err, sarama.ErrGroupSubscribedToTopic) || !strings.Contains(err.Error(), "subscribed") || !strings.Contains(err.Error(), "billing-worker") {
		t.Errorf("delete offsets of a consumed topic: %v", err)
	}
	if got := committed(t, cl, "live", "events"); len(got) != 3 {
		t.Errorf("offsets deleted anyway: %v", got)
	}
}

func TestDeleteGroupOffsets(t *testing.T) {
	t.Parallel()
	c, cl := resetCluster(t)
	commitAt(t, c, "billing", "orders", 2, 0)
	deletes := countRequests(c, kmsg.OffsetDelete)
	if err := cl.DeleteGroupOffsets(context.Background(), "billing", "events"); err != nil {
		t.Fatal(err)
	}
	if got := committed(t, cl, "billing", "events"); len(got) != 0 {
		t.Errorf("offsets left on events: %v", got)
	}
	if got := committed(t, cl, "billing", "orders"); len(got) != 2 {
		t.Errorf("offsets on orders should stay: %v", got)
	}
	if n := deletes.Load(); n != 1 {
		t.Errorf("%d OffsetDelete requests, want 1 for every partition", n)
	}
	if err := cl.DeleteGroupOffsets(context.Background(), "billing", "events"); err == nil || !strings.Contains(err.Error(), "no committed offsets") {
		t.Errorf("nothing left to delete: %v", err)
	}
}

func TestDeleteGroup(t *testing.T) {
	t.Parallel()
	_, cl := resetCluster(t)
	ctx := context.Background()
	if err := cl.DeleteGroup(ctx, "billing"); err != nil {
		t.Fatal(err)
	}
	gs, err := cl.Groups(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if slices.ContainsFunc(gs, func(g GroupInfo) bool { return g.Name == "billing" }) {
		t.Errorf("billing still listed: %+v", gs)
	}
	if err := cl.DeleteGroup(ctx, "billing"); !errors.Is(err, ErrNoSuchGroup) {
		t.Errorf("deleting it again: %v", err)
	}
}
