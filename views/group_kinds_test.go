package views

import (
	"context"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"kscope/kafkaclient"
	"kscope/views/viewtest"
)

// nextMember is a consumer-protocol member of "next" at epoch, owning
// owned of "orders" and targeted target.
func nextMember(id string, epoch int32, owned, target []int32) kafkaclient.GroupMember {
	m := kafkaclient.GroupMember{ID: "m-" + id, ClientID: "app-" + id, Host: "10.0.1." + id, MemberEpoch: epoch,
		Subscribed: []string{"orders"}, Target: []kafkaclient.TopicPartition{}}
	for _, p := range owned {
		m.Assigned = append(m.Assigned, tp(p))
	}
	for _, p := range target {
		m.Target = append(m.Target, tp(p))
	}
	return m
}

// nextGen is the consumer-protocol group "next" on the 4 partitions of
// "orders" at epoch, committed at committed, log end 1000.
func nextGen(at time.Time, state string, epoch int32, committed int64, members ...kafkaclient.GroupMember) kafkaclient.GroupInfo {
	g := kafkaclient.GroupInfo{Name: "next", Type: kafkaclient.TypeConsumer, State: state, ProtocolType: "consumer", Protocol: "uniform",
		Generation: -1, Epoch: epoch, AssignmentEpoch: epoch, Coordinator: 2, Members: members, At: at}
	for p := range int32(4) {
		o := kafkaclient.PartitionOffsets{TopicPartition: tp(p), Committed: committed, LogEnd: 1000}
		for _, m := range members {
			for _, a := range m.Assigned {
				if a == tp(p) {
					o.Owner = m.ID
				}
			}
			for _, a := range m.Target {
				if a == tp(p) {
					o.Target = m.ID
				}
			}
		}
		g.Offsets = append(g.Offsets, o)
	}
	return g
}

// watchNextGen is the view of "next" after a minute of a settled group of
// two, then app-c joining: app-b gave orders/3 up to it, app-a has yet to
// give up orders/1, which app-c waits for.
func watchNextGen(t *testing.T) *Group {
	c := testCommon(t)
	g := NewGroup(c, "next")
	g.SetSize(120, 32)
	g.Init(Scope{ID: 1, Ctx: t.Context()})
	at := t0
	for i := range int64(61) {
		g.Update(GroupLoaded{Info: nextGen(at, "Stable", 5, 900+i, nextMember("a", 5, []int32{0, 1}, []int32{0, 1}), nextMember("b", 5, []int32{2, 3}, []int32{2, 3}))})
		at = at.Add(500 * time.Millisecond)
	}
	g.Update(GroupLoaded{Info: nextGen(at, "Reconciling", 6, 961,
		nextMember("a", 5, []int32{0, 1}, []int32{0}), nextMember("b", 6, []int32{2}, []int32{2}), nextMember("c", 6, []int32{3}, []int32{1, 3}))})
	return g
}

func TestConsumerGroupMidReconciliation(t *testing.T) {
	g := watchNextGen(t)
	s := plain(g)
	for _, want := range []string{
		"⟳ Reconciling", "3 members (2 reconciling)", "consumer protocol (uniform)", "epoch 6",
		"member joined: app-c (10.0.1.c) id m-c", "group epoch 5 → 6: member joined",
		"target orders/1: app-a → app-c", "target orders/3: app-b → app-c",
		"app-b (m-b) revoked orders/3", "app-c (m-c) assigned orders/3", "app-b (m-b) reconciled at epoch 6",
	} {
		if !strings.Contains(s, want) {
			t.Errorf("lacks %q:\n%s", want, s)
		}
	}
	g.SetSize(160, 32)
	if l := lineWith(t, plain(g), "members"); !strings.Contains(l, "epoch 6 · rebalances seen 1 · coordinator 2") {
		t.Errorf("summary: %q", l)
	}
	g.SetSize(120, 32)
	if l := partitionLine(t, s, 1); !strings.Contains(l, "app-a → app-c") {
		t.Errorf("orders/1 on its way: %q", l)
	}
	if l := lineWith(t, s, "10.0.1.a"); !strings.Contains(l, "⟳5") || !strings.Contains(l, "orders/0-1 −orders/1") {
		t.Errorf("app-a revoking: %q", l)
	}
	if l := lineWith(t, s, "10.0.1.c"); !strings.Contains(l, "⟳6") || !strings.Contains(l, "orders/3 +orders/1") {
		t.Errorf("app-c receiving: %q", l)
	}
	if l := lineWith(t, s, "10.0.1.b"); strings.Contains(l, "⟳") {
		t.Errorf("app-b reconciled: %q", l)
	}

	// Its member detail says what it waits for, and from whom.
	g.Update(tea.KeyPressMsg{Code: tea.KeyTab})
	g.Update(press("j"))
	g.Update(press("j"))
	_, cmd := g.Update(press("enter"))
	if cmd == nil {
		t.Fatal("enter on app-c did nothing")
	}
	v := cmd().(Push).View
	v.SetSize(100, 20)
	d := plain(v)
	for _, want := range []string{"epoch         6", "subscribed    orders", "assigned      1 partition", "target        2 partitions",
		"to receive    orders/1 once app-a revokes it"} {
		if !strings.Contains(d, want) {
			t.Errorf("member detail lacks %q:\n%s", want, d)
		}
	}
}

func TestConsumerGroupGolden(t *testing.T) {
	g := watchNextGen(t)
	requireGolden(t, func(w, h int) string {
		g.SetSize(w, h)
		return g.View()
	})
}

// sharing is the share group "queue" of workers, each assigned every
// partition of "orders", at start offset start with log end 1000.
func sharing(at time.Time, epoch int32, start int64, workers ...string) kafkaclient.GroupInfo {
	g := kafkaclient.GroupInfo{Name: "queue", Type: kafkaclient.TypeShare, State: "Stable", ProtocolType: "share", Protocol: "simple",
		Generation: -1, Epoch: epoch, AssignmentEpoch: epoch, Coordinator: 3, At: at}
	if len(workers) == 0 {
		g.State = "Empty"
	}
	var ids []string
	for _, w := range workers {
		m := kafkaclient.GroupMember{ID: "s-" + w, ClientID: w, Host: "10.0.2." + w, MemberEpoch: epoch, Subscribed: []string{"orders"}}
		for p := range int32(4) {
			m.Assigned = append(m.Assigned, tp(p))
		}
		g.Members = append(g.Members, m)
		ids = append(ids, m.ID)
	}
	for p := range int32(4) {
		o := kafkaclient.PartitionOffsets{TopicPartition: tp(p), Committed: start + int64(p)*10, LogEnd: 1000, Sharers: ids}
		if len(ids) > 0 {
			o.Owner = ids[0]
		}
		g.Offsets = append(g.Offsets, o)
	}
	return g
}

func watchShare(t *testing.T) *Group {
	c := testCommon(t)
	g := NewGroup(c, "queue")
	g.SetSize(120, 32)
	g.Init(Scope{ID: 1, Ctx: t.Context()})
	at := t0
	for i := range int64(61) {
		g.Update(GroupLoaded{Info: sharing(at, 2, 800+2*i, "worker-1")})
		at = at.Add(500 * time.Millisecond)
	}
	g.Update(GroupLoaded{Info: sharing(at, 3, 930, "worker-1", "worker-2")})
	return g
}

func TestShareGroupView(t *testing.T) {
	g := watchShare(t)
	s := plain(g)
	for _, want := range []string{"undelivered 220", "2 members", "share group (simple)", "epoch 3", "START", "UNDELIV.",
		"member joined: worker-2 (10.0.2.worker-2) id s-worker-2", "group epoch 2 → 3: member joined", "worker-2 (s-worker-2) assigned orders/0-3"} {
		if !strings.Contains(s, want) {
			t.Errorf("lacks %q:\n%s", want, s)
		}
	}
	if strings.Contains(s, "rebalance") || strings.Contains(s, "COMMITTED") {
		t.Errorf("a share group drawn as a consumer group:\n%s", s)
	}
	if l := partitionLine(t, s, 0); !strings.Contains(l, "worker-1 +1") || !strings.Contains(l, "930") || !strings.Contains(l, "70") {
		t.Errorf("orders/0: %q", l)
	}
}

func TestShareGroupGolden(t *testing.T) {
	g := watchShare(t)
	requireGolden(t, func(w, h int) string {
		g.SetSize(w, h)
		return g.View()
	})
}

func TestGroupsListShowsEveryType(t *testing.T) {
	c := testCommon(t)
	list := NewGroups(c)
	list.SetSize(120, 10)
	streams := kafkaclient.GroupInfo{Name: "wordcount", Type: "streams", State: "Stable", ProtocolType: "streams", Generation: -1, At: t0}
	list.Update(GroupsLoaded{At: t0, Groups: []kafkaclient.GroupInfo{
		shop(t0, 900, "Stable", alice, bob),
		nextGen(t0, "Reconciling", 6, 900, nextMember("a", 5, []int32{0, 1}, []int32{0})),
		sharing(t0, 3, 900, "worker-1", "worker-2"),
		streams,
	}})
	s := plain(list)
	for name, want := range map[string][]string{
		"shop":      {" classic ", " Stable ", " cooperative-sticky ", " 2 "},
		"next":      {" consumer ", "⟳ Reconciling", " uniform ", " 1 ", " 400 "},
		"queue":     {" share ", " Stable ", " simple ", " 2 ", " 340 "},
		"wordcount": {" streams ", " Stable ", " ? "},
	} {
		l := lineWith(t, s, name)
		for _, w := range want {
			if !strings.Contains(l, w) {
				t.Errorf("%s row lacks %q: %q", name, w, l)
			}
		}
	}
}

// The share group's keys alter and delete its start offsets, behind a
// preview and its name; a share group with members is refused at once,
// with the members named.
func TestShareGroupActions(t *testing.T) {
	inBubble(t, func(t *testing.T, h *host) {
		var calls []string
		plan := kafkaclient.ResetPlan{Group: "queue", Share: true, Rows: []kafkaclient.ResetPlanRow{
			{TopicPartition: tp(0), Current: 930, New: 0, Delta: -930}, {TopicPartition: tp(1), Current: 940, New: 1000, Delta: 60}}}
		fake := &viewtest.Fake{
			PlanShareResetFn: func(_ context.Context, group, topic string, _ []int32, target kafkaclient.ResetTarget) (kafkaclient.ResetPlan, error) {
				calls = append(calls, "plan "+group+" "+topic)
				return plan, nil
			},
			ApplyShareResetFn: func(_ context.Context, p kafkaclient.ResetPlan) error {
				calls = append(calls, "apply "+p.Group)
				return nil
			},
			DeleteShareOffsetsFn: func(_ context.Context, group, topic string) error {
				calls = append(calls, "delete "+group+" "+topic)
				return nil
			},
			DeleteGroupFn: func(_ context.Context, group string) error {
				calls = append(calls, "delete group "+group)
				return nil
			},
		}
		c, audit := actionCommon(t, &recorder{})
		c.Client = ClientOf(fake)
		g := NewGroup(c, "queue")
		g.SetSize(120, 32)
		g.Init(Scope{ID: 1, Ctx: t.Context()})
		g.Update(GroupLoaded{Info: sharing(t0, 3, 930, "worker-1")})
		_, cmd := g.Update(press("D"))
		if n := cmd().(Notice); !n.Error || !strings.Contains(n.Text, "worker-1 (10.0.2.worker-1)") {
			t.Errorf("delete with a member: %+v", n)
		}

		g.Update(GroupLoaded{Info: sharing(t0.Add(time.Second), 4, 930)})
		_, cmd = g.Update(press("R"))
		v := open(t, h, cmd)
		h.send(ctrlS) // earliest
		s := plain(v)
		for _, want := range []string{"START", "930 → 0", "delivers 930 again", "skips 60", "930 records delivered again, 60 skipped"} {
			if !strings.Contains(s, want) {
				t.Errorf("preview lacks %q:\n%s", want, s)
			}
		}
		h.keys("queue")
		h.send(tea.KeyPressMsg{Code: tea.KeyEnter})

		_, cmd = g.Update(press("D"))
		open(t, h, cmd)
		h.keys("queue")
		h.send(tea.KeyPressMsg{Code: tea.KeyEnter})

		list := NewGroups(c)
		list.SetSize(120, 10)
		list.Update(GroupsLoaded{At: t0, Groups: []kafkaclient.GroupInfo{sharing(t0, 4, 930)}})
		_, cmd = list.Update(tea.KeyPressMsg{Code: 'd', Mod: tea.ModCtrl})
		if v := open(t, h, cmd); !strings.Contains(plain(v), "Delete share group queue and its start offsets in 4 partitions") {
			t.Errorf("delete group:\n%s", plain(v))
		}
		h.keys("queue")
		h.send(tea.KeyPressMsg{Code: tea.KeyEnter})

		if got := strings.Join(calls, "; "); got != "plan queue orders; apply queue; delete queue orders; delete group queue" {
			t.Errorf("calls: %s", got)
		}
		var actions []string
		for _, e := range *audit {
			actions = append(actions, e.Action+" "+e.Target)
		}
		if got := strings.Join(actions, "; "); got != "alter share start offsets queue; delete share start offsets queue orders; delete group queue" {
			t.Errorf("audit: %s", got)
		}
	})
}

// In read-only mode the keys that change a share group do not exist.
func TestShareGroupKeysReadOnly(t *testing.T) {
	c := testCommon(t)
	c.Keys.SetReadOnly(true)
	g := NewGroup(c, "queue")
	g.SetSize(120, 32)
	g.Init(Scope{ID: 1, Ctx: t.Context()})
	g.Update(GroupLoaded{Info: sharing(t0, 4, 930)})
	for _, k := range []string{"R", "D"} {
		_, cmd := g.Update(press(k))
		if cmd == nil {
			t.Fatalf("%s says nothing in read-only mode", k)
		}
		if n, ok := cmd().(Notice); !ok || !strings.Contains(n.Text, "read-only mode") {
			t.Errorf("%s in read-only mode: %+v", k, cmd())
		}
	}
}

// What a broker names — a group's type, a member's client, its target's
// topics — reaches the screen only as visible escapes.
func TestNewGroupTypesAreSanitized(t *testing.T) {
	c := testCommon(t)
	evil := nextMember("a", 5, []int32{0}, []int32{0, 1})
	evil.ClientID = "app\x1b]0;pwned\x07"
	evil.Target = append(evil.Target, kafkaclient.TopicPartition{Topic: "or\x1b[2Jders", Partition: 0})
	odd := kafkaclient.GroupInfo{Name: "odd", Type: "str\x1b[31meams", State: "Stable", At: t0}
	list := NewGroups(c)
	list.SetSize(120, 10)
	list.Update(GroupsLoaded{At: t0, Groups: []kafkaclient.GroupInfo{nextGen(t0, "Reconciling", 6, 900, evil), odd}})
	g := NewGroup(c, "next")
	g.SetSize(120, 32)
	g.Init(Scope{ID: 1, Ctx: t.Context()})
	g.Update(GroupLoaded{Info: nextGen(t0, "Reconciling", 6, 900, evil)})
	other := NewGroup(c, "odd")
	other.SetSize(120, 32)
	other.Init(Scope{ID: 2, Ctx: t.Context()})
	other.Update(GroupLoaded{Info: odd})
	for _, v := range []View{list, g, other} {
		s := v.View()
		if strings.Contains(s, "\x1b]") || strings.Contains(s, "\x07") || strings.Contains(s, "\x1b[2J") || strings.Contains(s, "\x1b[31m") {
			t.Errorf("raw control sequence on screen: %q", s)
		}
	}
}
