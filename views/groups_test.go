package views

import (
	"strconv"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/exp/golden"

	"kscope/kafkaclient"
)

func tp(p int32) kafkaclient.TopicPartition {
	return kafkaclient.TopicPartition{Topic: "orders", Partition: p}
}

// shop is a group of two members on a 4-partition topic, one partition
// without a commit, observed at `at` with the given committed offset.
func shop(at time.Time, committed int64, state string, members ...kafkaclient.GroupMember) kafkaclient.GroupInfo {
	g := kafkaclient.GroupInfo{Name: "shop", State: state, ProtocolType: "consumer", Protocol: "cooperative-sticky",
		Generation: 4, Coordinator: 1, Members: members, At: at}
	owner := map[kafkaclient.TopicPartition]string{}
	for _, m := range members {
		for _, p := range m.Assigned {
			owner[p] = m.ID
		}
	}
	for p := range int32(4) {
		c := committed
		if p == 3 {
			c = -1
		}
		g.Offsets = append(g.Offsets, kafkaclient.PartitionOffsets{TopicPartition: tp(p), Committed: c, LogEnd: 1000, Owner: owner[tp(p)]})
	}
	return g
}

var (
	alice = kafkaclient.GroupMember{ID: "m-a", ClientID: "shop-a", Host: "/10.0.0.1", Assigned: []kafkaclient.TopicPartition{tp(0), tp(1)}}
	bob   = kafkaclient.GroupMember{ID: "m-b", ClientID: "shop-b", Host: "/10.0.0.2", Assigned: []kafkaclient.TopicPartition{tp(2), tp(3)}}
	idle  = kafkaclient.GroupMember{ID: "m-c", ClientID: "shop-c", Host: "/10.0.0.3"}
)

func TestGroupsList(t *testing.T) {
	c := testCommon(t)
	g := NewGroups(c)
	g.SetSize(120, 10)
	stopped := kafkaclient.GroupInfo{Name: "old-reports", State: "Empty", ProtocolType: "consumer", At: t0,
		Offsets: []kafkaclient.PartitionOffsets{{TopicPartition: tp(0), Committed: 10, LogEnd: 50}}}
	connect := kafkaclient.GroupInfo{Name: "connect-sink", State: "Stable", ProtocolType: "connect", Protocol: "sessioned", At: t0}
	// Seven refreshes: 30 s, the least a verdict on a trend rests on.
	for i := range 7 {
		at := t0.Add(time.Duration(i) * 5 * time.Second)
		rebalancing := shop(at, 700+int64(i)*100/3, "PreparingRebalance", alice, bob)
		stopped.At, connect.At = at, at
		g.Update(GroupsLoaded{Groups: []kafkaclient.GroupInfo{stopped, rebalancing, connect}, At: at})
	}
	s := plain(g)
	if l := lineWith(t, s, "shop"); !strings.Contains(l, "⟳ PreparingRebalance") || !strings.Contains(l, " classic ") || !strings.Contains(l, " cooperative-sticky ") || !strings.Contains(l, " 300 ") {
		t.Errorf("shop row: %q", l)
	}
	if l := lineWith(t, s, "old-reports"); !strings.Contains(l, "Empty") || !strings.Contains(l, " 40 ") || !strings.Contains(l, "STALL") {
		t.Errorf("stopped row: %q", l)
	}
	if l := lineWith(t, s, "connect-sink"); !strings.Contains(l, "connect/sessioned") || !strings.Contains(l, "—") {
		t.Errorf("connect row: %q", l)
	}
	g.Update(press("s")) // by state
	g.Update(press("s")) // by lag, most first
	if s := plain(g); strings.Index(s, "shop") > strings.Index(s, "old-reports") {
		t.Errorf("lag sort:\n%s", s)
	}
	g.Update(press("enter"))
}

// partitionLine is the row of orders/p in a group detail.
func partitionLine(t *testing.T, s string, p int) string {
	t.Helper()
	for _, l := range strings.Split(s, "\n") {
		if f := strings.Fields(l); len(f) > 1 && f[0] == "orders" && f[1] == strconv.Itoa(p) {
			return l
		}
	}
	t.Fatalf("no row for orders/%d in:\n%s", p, s)
	return ""
}

func lineWith(t *testing.T, s, sub string) string {
	t.Helper()
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(l, sub) {
			return l
		}
	}
	t.Fatalf("no line contains %q in:\n%s", sub, s)
	return ""
}

// joined is m as it reports itself having joined the generation still
// owning parts (KIP-429), as a cooperative member does.
func joined(m kafkaclient.GroupMember, parts ...int32) kafkaclient.GroupMember {
	m.Subscription = &kafkaclient.Subscription{Version: 1, Topics: []string{"orders"}, Generation: 3}
	for _, p := range parts {
		m.Subscription.Owned = append(m.Subscription.Owned, tp(p))
	}
	return m
}

// watchShop opens the detail of shop, watches it consume for 30 s, then
// feeds it a member leaving a cooperative group: the coordinator reports
// no assignment and no assignor while the group rebalances, and the
// members that stay report, once Stable, owning what they had.
func watchShop(t *testing.T) *Group {
	c := testCommon(t)
	g := NewGroup(c, "shop")
	g.SetSize(120, 32)
	g.Init(Scope{ID: 1, Ctx: t.Context()})
	at := t0
	feed := func(info kafkaclient.GroupInfo) {
		g.Update(GroupLoaded{Info: info})
		at = at.Add(500 * time.Millisecond)
	}
	for i := range int64(61) {
		feed(shop(at, 400+5*i, "Stable", joined(alice, 0, 1), joined(bob, 2, 3), joined(idle)))
	}
	aliceAlone := alice
	aliceAlone.Assigned = nil
	preparing := shop(at, 700, "PreparingRebalance", aliceAlone, idle)
	preparing.Protocol, preparing.Generation = "", -1
	feed(preparing)
	aliceAll := alice
	aliceAll.Assigned = []kafkaclient.TopicPartition{tp(0), tp(1), tp(2)}
	idleGets := idle
	idleGets.Assigned = []kafkaclient.TopicPartition{tp(3)}
	feed(shop(at, 720, "Stable", joined(aliceAll, 0, 1), joined(idleGets)))
	return g
}

func TestGroupDetail(t *testing.T) {
	g := watchShop(t)
	s := plain(g)
	for _, want := range []string{"Stable", "generation 4", "2 members", "rebalances seen 1"} {
		if !strings.Contains(lineWith(t, s, "members"), want) {
			t.Errorf("summary lacks %q:\n%s", want, s)
		}
	}
	// Partition 3 has no commit: its lag is a dash, never 0.
	if f := strings.Fields(partitionLine(t, s, 3)); f[3] != "—" || f[5] != "—" {
		t.Errorf("uncommitted partition: %q", f)
	}
	// Partition 0: committed 400 → 720 over 31 s, log end 1,000: 10.3/s
	// against nothing produced clears a lag of 280 in 27 s.
	if f := strings.Fields(partitionLine(t, s, 0)); f[2] != "shop-a" || f[5] != "280" || f[7] != "10.3" || f[8] != "0.0" || f[9] != "27s" || f[10] != "OK" {
		t.Errorf("partition 0: %q", f)
	}
	// Only the partitions of the member that left were without a consumer.
	for _, want := range []string{"orders/2: shop-b → (unowned)", "orders/3: (unowned) → shop-c after 500ms without a consumer",
		"owner not reported while the group rebalances: orders/0-1", "rebalance #1 done in 500ms: 2 partitions moved, 2 without a consumer"} {
		if !strings.Contains(s, want) {
			t.Errorf("timeline lacks %q:\n%s", want, s)
		}
	}
	for _, wrong := range []string{"orders/0: shop-a → (unowned)", "orders/1: (unowned)"} {
		if strings.Contains(s, wrong) {
			t.Errorf("timeline says %q:\n%s", wrong, s)
		}
	}
	// The start of the rebalance has scrolled out of the pane: tab to it and scroll back.
	g.Update(tea.KeyPressMsg{Code: tea.KeyTab})
	g.Update(tea.KeyPressMsg{Code: tea.KeyTab})
	for range 4 {
		g.Update(press("up"))
	}
	if s := plain(g); !strings.Contains(s, "member left: shop-b (/10.0.0.2) id m-b") || !strings.Contains(s, "4 newer below") {
		t.Errorf("scrolled timeline:\n%s", s)
	}
}

func TestGroupDetailHighlightsIdleMembers(t *testing.T) {
	c := testCommon(t)
	g := NewGroup(c, "shop")
	g.SetSize(120, 32)
	g.Update(GroupLoaded{Info: shop(t0, 10, "Stable", alice, bob, idle)})
	if l := lineWith(t, plain(g), "shop-c"); !strings.Contains(l, "none") {
		t.Errorf("idle member: %q", l)
	}
	if !strings.Contains(g.View(), c.Styles.Warn.Render("none")) {
		t.Error("a member without partitions is not highlighted")
	}
}

func TestGroupTimelineExport(t *testing.T) {
	g := watchShop(t)
	job := g.exportJob()
	var b strings.Builder
	if err := job.write(&b); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(b.String()), "\n")
	if job.noun != "events" || len(lines) != job.n || job.n < 5 {
		t.Fatalf("%d %s, %d lines", job.n, job.noun, len(lines))
	}
	last := lines[len(lines)-1]
	for _, want := range []string{`"kind":"rebalance_ended"`, `"group":"shop"`, `"PartitionsMoved":2`, `"Unowned":2`} {
		if !strings.Contains(last, want) {
			t.Errorf("last row %s lacks %s", last, want)
		}
	}
}

func TestGroupGolden(t *testing.T) {
	g := watchShop(t)
	requireGolden(t, func(w, h int) string {
		g.SetSize(w, h)
		return g.View()
	})
}

func TestGroupsGolden(t *testing.T) {
	c := testCommon(t)
	g := NewGroups(c)
	g.SetSize(120, 8)
	for i := range 4 {
		at := t0.Add(time.Duration(i) * 5 * time.Second)
		g.Update(GroupsLoaded{Groups: []kafkaclient.GroupInfo{shop(at, 600+int64(i)*80, "Stable", alice, bob)}, At: at})
	}
	golden.RequireEqual(t, g.View())
}

// TestGroupsSortWorstHealthFirst: sorted by STATUS, the groups in trouble
// come first.
func TestGroupsSortWorstHealthFirst(t *testing.T) {
	c := testCommon(t)
	g := NewGroups(c)
	g.SetSize(120, 10)
	for i := range 10 {
		at := t0.Add(time.Duration(i) * 5 * time.Second)
		stuck := kafkaclient.GroupInfo{Name: "a-stuck", State: "Empty", ProtocolType: "consumer", At: at,
			Offsets: []kafkaclient.PartitionOffsets{{TopicPartition: tp(0), Committed: 10, LogEnd: 50 + int64(i)}}}
		g.Update(GroupsLoaded{Groups: []kafkaclient.GroupInfo{stuck, shop(at, 600+int64(i)*80, "Stable", alice, bob)}, At: at})
	}
	for range 8 { // to the status column, whichever orders come before it
		if strings.Contains(strings.Split(plain(g), "\n")[0], "STATUS▼") {
			break
		}
		g.Update(press("s"))
	}
	s := plain(g)
	if !strings.Contains(lineWith(t, s, "a-stuck"), "STALL") || strings.Index(s, "a-stuck") > strings.Index(s, "shop") {
		t.Errorf("worst first:\n%s", s)
	}
	g.Update(press("S"))
	if s := plain(g); strings.Index(s, "a-stuck") < strings.Index(s, "shop") {
		t.Errorf("reversed:\n%s", s)
	}
}
