package views

import (
	"slices"
	"strings"
	"testing"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"kscope/kafkaclient"
)

// openShop is the detail of shop at 120×32, fed nothing yet.
func openShop(t *testing.T, c *Common) *Group {
	t.Helper()
	g := NewGroup(c, "shop")
	g.SetSize(120, 32)
	g.Init(Scope{ID: 1, Ctx: t.Context()})
	return g
}

// While the group rebalances, the partitions of members that stay show
// their owner as not reported, never as without one.
func TestGroupDetailRebalancingOwnersAreUnknown(t *testing.T) {
	c := testCommon(t)
	g := openShop(t, c)
	g.Update(GroupLoaded{Info: shop(t0, 600, "Stable", joined(alice, 0, 1), joined(bob, 2, 3))})
	aliceAlone := alice
	aliceAlone.Assigned = nil
	preparing := shop(t0.Add(500*time.Millisecond), 600, "PreparingRebalance", aliceAlone)
	preparing.Protocol, preparing.Generation = "", -1
	g.Update(GroupLoaded{Info: preparing})
	s := plain(g)
	for _, p := range []int{0, 1} {
		if l := partitionLine(t, s, p); !strings.Contains(l, "(unknown)") || strings.Contains(l, "(none)") {
			t.Errorf("orders/%d mid-rebalance: %q", p, l)
		}
	}
	if l := partitionLine(t, s, 2); !strings.Contains(l, "(none)") {
		t.Errorf("orders/2 of the member that left: %q", l)
	}
	if l := lineWith(t, s, "shop-a"); !strings.Contains(l, "not reported while rebalancing") || strings.Contains(l, "none") {
		t.Errorf("member mid-rebalance: %q", l)
	}
	// The summary shows the assignor and generation last seen, as such.
	if l := lineWith(t, s, "1 member"); !strings.Contains(l, "consumer/cooperative-sticky") || !strings.Contains(l, "after generation 4") ||
		!strings.Contains(l, "⟳ PreparingRebalance") || strings.Contains(l, "generation ?") || strings.Contains(l, "1 members") {
		t.Errorf("summary mid-rebalance: %q", l)
	}
}

// Opened fresh, the view measures before it judges: no status, rate or
// catch-up from a few samples, and never "falling behind" beside "OK".
func TestGroupDetailWarmsUp(t *testing.T) {
	c := testCommon(t)
	g := openShop(t, c)
	for i := range 61 {
		at := t0.Add(time.Duration(i) * 500 * time.Millisecond)
		// A consumer that commits every 5 s, 100 records behind the log
		// end then, while 100 records a second arrive: healthy.
		committed := 900 + int64(i/10)*500
		info := shop(at, committed, "Stable", alice, bob)
		for j := range info.Offsets {
			info.Offsets[j].LogEnd = 1000 + int64(i)*50
		}
		g.Update(GroupLoaded{Info: info})
		l := partitionLine(t, plain(g), 0)
		f := strings.Fields(l)
		if i < 60 {
			if !strings.Contains(l, "measuring…") || f[len(f)-1] != "…" || f[7] != "…" || f[8] != "…" {
				t.Fatalf("after %s: %q, want measuring", at.Sub(t0), l)
			}
			continue
		}
		if !strings.Contains(l, "keeping up") || f[len(f)-1] != "OK" {
			t.Fatalf("after 30 s: %q", l)
		}
	}
}

// A group without members reads "no consumers" however its rates look:
// its lag will not shrink.
func TestGroupDetailWithoutConsumers(t *testing.T) {
	c := testCommon(t)
	g := openShop(t, c)
	for i := range 61 {
		info := shop(t0.Add(time.Duration(i)*500*time.Millisecond), 750, "Empty")
		info.Protocol = ""
		g.Update(GroupLoaded{Info: info})
		s := plain(g)
		if l := partitionLine(t, s, 0); !strings.Contains(l, "no consumers") || strings.Contains(l, "keeping up") {
			t.Fatalf("sample %d: %q", i, l)
		}
		if i == 0 {
			if l := lineWith(t, s, "0 members"); strings.Contains(l, "consumer/") || strings.Contains(l, "generation ?") {
				t.Errorf("summary of an empty group: %q", l)
			}
		}
	}
	if l := partitionLine(t, plain(g), 0); !strings.Contains(l, "STALL") {
		t.Errorf("after 30 s without progress: %q", l)
	}
}

func TestGroupDetailShowsOffsetResets(t *testing.T) {
	c := testCommon(t)
	g := openShop(t, c)
	g.Update(GroupLoaded{Info: shop(t0, 700, "Empty")})
	g.Update(GroupLoaded{Info: shop(t0.Add(time.Second), 0, "Empty")})
	if s := plain(g); !strings.Contains(s, "offsets reset: orders/0 700 → 0, orders/1 700 → 0, orders/2 700 → 0") {
		t.Errorf("no reset in the timeline:\n%s", s)
	}
}

// Health, trend and timeline belong to the session: a view opened again
// goes on from them, and the timeline says how long nobody watched.
func TestGroupHistoryOutlivesTheViews(t *testing.T) {
	c := testCommon(t)
	list := NewGroups(c)
	list.SetSize(120, 10)
	for i := range 7 {
		at := t0.Add(time.Duration(i) * 5 * time.Second)
		list.Update(GroupsLoaded{Groups: []kafkaclient.GroupInfo{shop(at, 600+int64(i)*10, "Stable", alice, bob)}, At: at})
	}
	before := lineWith(t, plain(list), "shop")
	again := NewGroups(c)
	again.SetSize(120, 10)
	at := t0.Add(35 * time.Second)
	again.Update(GroupsLoaded{Groups: []kafkaclient.GroupInfo{shop(at, 670, "Stable", alice, bob)}, At: at})
	if l := lineWith(t, plain(again), "shop"); !strings.Contains(l, "OK") || !strings.Contains(before, "OK") {
		t.Errorf("reopened list: %q (before %q)", l, before)
	}

	g := openShop(t, c)
	g.Update(GroupLoaded{Info: shop(at, 670, "Stable", alice, bob)})
	// The list's samples are the view's: a verdict and rates at once.
	if l := partitionLine(t, plain(g), 0); !strings.Contains(l, "OK") || strings.Contains(l, "measuring") {
		t.Errorf("group opened after the list: %q", l)
	}
	g.Update(GroupLoaded{Info: shop(at.Add(time.Second), 680, "Stable", alice, idle)})
	events := g.timeline.Len()
	c.Now = func() time.Time { return at.Add(5 * time.Minute) }
	reopened := openShop(t, c)
	if reopened.timeline.Len() != events+1 || !strings.Contains(plain(reopened), "not observed for 4m59s") {
		t.Errorf("reopened timeline (%d events, had %d):\n%s", reopened.timeline.Len(), events, plain(reopened))
	}
}

func TestGroupMemberDetail(t *testing.T) {
	c := testCommon(t)
	g := openShop(t, c)
	odd := joined(alice, 0, 1)
	odd.ID, odd.InstanceID = "m-a\x1b]0;pwned\x07", "shop-a-static"
	odd.Assigned = nil
	for p := range int32(40) {
		odd.Assigned = append(odd.Assigned, kafkaclient.TopicPartition{Topic: "orders", Partition: p})
	}
	g.Update(GroupLoaded{Info: shop(t0, 600, "Stable", odd, bob)})
	if _, cmd := g.Update(press("enter")); cmd != nil {
		t.Fatal("enter on the partitions opened something")
	}
	g.Update(tea.KeyPressMsg{Code: tea.KeyTab})
	_, cmd := g.Update(press("enter"))
	if cmd == nil {
		t.Fatal("enter on a member did nothing")
	}
	push, ok := cmd().(Push)
	if !ok {
		t.Fatalf("enter answered %T", cmd())
	}
	v := push.View
	v.SetSize(60, 20)
	s := v.View()
	if strings.ContainsRune(s, '\x07') || strings.Contains(s, "\x1b]") {
		t.Fatalf("a member ID reached the screen raw: %q", s)
	}
	out := plain(v)
	for _, want := range []string{"member id     m-a\\x1b]0;pwned\\x07", "client id     shop-a", "host          /10.0.0.1",
		"instance id   shop-a-static", "assigned      40 partitions", "orders: 0 1 2", "38 39", "owned on join orders/0-1", "generation    had 3"} {
		if !strings.Contains(out, want) {
			t.Errorf("member detail lacks %q:\n%s", want, out)
		}
	}
	if v.Title() != "member shop-a" {
		t.Errorf("title %q", v.Title())
	}
}

// At 80 columns the partitions keep their owner, lag, catch-up and
// status whole.
func TestGroupDetailAt80Columns(t *testing.T) {
	g := watchShop(t)
	g.SetSize(80, 20)
	s := plain(g)
	header := lineWith(t, s, "TOPIC")
	for _, col := range []string{"OWNER", "LAG", "CATCH-UP", "STATUS"} {
		if !strings.Contains(header, col) {
			t.Errorf("header at 80 lacks %s: %q", col, header)
		}
	}
	if f := strings.Fields(partitionLine(t, s, 0)); f[len(f)-1] != "OK" || f[len(f)-2] != "27s" {
		t.Errorf("partition 0 at 80: %q", f)
	}
	g.SetSize(120, 32)
	if !strings.Contains(plain(g), "COMMITTED") {
		t.Error("the offsets did not come back at 120 columns")
	}
}

// The help says what the statuses and the row marks mean, and those
// lines of help never act as keys.
func TestGroupHelpExplainsStatusesAndMarks(t *testing.T) {
	c := testCommon(t)
	g := openShop(t, c)
	var keys, meanings []string
	for _, col := range g.FullHelp() {
		for _, b := range col {
			keys = append(keys, b.Help().Key)
			meanings = append(meanings, b.Help().Desc)
			for _, k := range []string{"o", "k", "enter", "?", "space"} {
				if strings.HasPrefix(b.Keys()[0], "legend") && b.Keys()[0] == press(k).String() {
					t.Errorf("legend %q answers %q", b.Help().Key, k)
				}
			}
		}
	}
	all := strings.Join(keys, " ")
	for _, want := range []string{"OK", "WARN", "STALL", "STOP", "REWIND", "…", "(none)", "(unknown)", "⟳"} {
		if !strings.Contains(all, want) {
			t.Errorf("help does not explain %s: %v", want, keys)
		}
	}
	list := NewGroups(c)
	if col := list.FullHelp(); len(col) < 2 || !slices.ContainsFunc(col[0], func(b key.Binding) bool { return b.Help().Key == "OK" }) {
		t.Errorf("groups help: %v", col)
	}
}
