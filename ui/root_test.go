package ui

import (
	"context"
	"errors"
	"regexp"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"kscope/kafkaclient"
	"kscope/themes"
	"kscope/views"
	"kscope/views/viewtest"
)

var fixedNow = time.Date(2026, 11, 21, 9, 30, 0, 0, time.UTC)

// configs is the cluster of the root tests: it answers TopicConfig from a
// map, and the last stable offsets of snapshot's topics (an open
// transaction holds orders/1 two offsets back), and nothing else.
func configs(entries map[string][]kafkaclient.ConfigEntry) *viewtest.Fake {
	return &viewtest.Fake{
		StableFn: func(_ context.Context, topic string) (map[int32]int64, error) {
			t := snapshot().Topic(topic)
			if t == nil {
				return nil, kafkaclient.ErrNoSuchTopic
			}
			out := map[int32]int64{}
			for _, p := range t.Partitions {
				if p.WatermarksKnown {
					out[p.ID] = p.High
				}
			}
			if topic == "orders" {
				out[1] -= 2
			}
			return out, nil
		},
		TopicConfigFn: func(_ context.Context, topic string) ([]kafkaclient.ConfigEntry, error) {
			e, ok := entries[topic]
			if !ok {
				return nil, kafkaclient.ErrNoSuchTopic
			}
			return e, nil
		},
	}
}

func part(id, leader int32, replicas, isr []int32, low, high int64) kafkaclient.PartitionInfo {
	return kafkaclient.PartitionInfo{ID: id, Leader: leader, Replicas: replicas, ISR: isr, Low: low, High: high, WatermarksKnown: true}
}

// snapshot is a cluster with one healthy topic, one with a replica out of
// the ISR and a non-preferred leader, one offline partition, an internal
// topic and a topic whose name carries terminal escapes.
func snapshot() *kafkaclient.Snapshot {
	r := []int32{1, 2, 3}
	return &kafkaclient.Snapshot{
		ClusterID:    "test-cluster",
		ControllerID: 2,
		At:           fixedNow,
		WatermarksAt: fixedNow,
		Brokers: []kafkaclient.BrokerInfo{
			{ID: 1, Addr: "127.0.0.1:9092", Rack: "rack-a", Up: true, Leaders: 5, Replicas: 9},
			{ID: 2, Addr: "127.0.0.1:9093", Rack: "rack-b", Up: true, Controller: true, Leaders: 1, Replicas: 8},
			{ID: 3, Addr: "127.0.0.1:9094", Up: false, Err: errors.New("connection refused"), Leaders: 0, Replicas: 7},
		},
		Topics: []kafkaclient.TopicInfo{
			{Name: "__consumer_offsets", Internal: true, Partitions: []kafkaclient.PartitionInfo{part(0, 1, r, r, 0, 10)}},
			{Name: "evil\x1b]0;pwned\x07\x1b[2J", Partitions: []kafkaclient.PartitionInfo{part(0, 1, r, r, 0, 1)}},
			{Name: "logs", Partitions: []kafkaclient.PartitionInfo{
				part(0, 1, r, r, 0, 1000),
				{ID: 1, Leader: -1, Replicas: []int32{3}, Offline: []int32{3}},
			}},
			{Name: "orders", Partitions: []kafkaclient.PartitionInfo{
				part(0, 1, r, r, 5, 1234567),
				part(1, 2, []int32{1, 2, 3}, []int32{2, 1}, 0, 42),
				part(2, 1, []int32{2, 1, 3}, r, 0, 7),
			}},
		},
	}
}

func newModel(t *testing.T, start Command) *Model {
	t.Helper()
	p, err := themes.Builtin("dark")
	if err != nil {
		t.Fatal(err)
	}
	m := New(Options{
		Session: Session{Label: "127.0.0.1:9092", Client: views.ClientOf(configs(map[string][]kafkaclient.ConfigEntry{"orders": {
			{Name: "cleanup.policy", Value: "delete", Default: "delete", Source: "default"},
			{Name: "retention.ms", Value: "3600000", Default: "604800000", Source: "topic", Overridden: true},
			{Name: "sasl.jaas.config", Value: "", Source: "topic", Sensitive: true},
		}}))},
		Theme:      p,
		ThemeFixed: true,
		Start:      start,
		Now:        func() time.Time { return fixedNow },
	})
	send(m, tea.WindowSizeMsg{Width: 100, Height: 24})
	return m
}

// send delivers msg and runs the Cmds it returns, as the program would,
// feeding their messages back in (batches included).
func send(m *Model, msg tea.Msg) {
	_, cmd := m.Update(msg)
	runCmd(m, cmd, 0)
}

// runCmd runs cmd as the program would. Tests run in a synctest bubble:
// a Cmd still waiting once every goroutine is blocked waits on a timer (a
// blink, a poll), and its message is delivered only when advance moves the
// bubble's clock past it; nothing here is told apart by a wall clock.
func runCmd(m *Model, cmd tea.Cmd, depth int) {
	if cmd == nil || depth > 8 {
		return
	}
	done := make(chan tea.Msg, 1)
	go func() { done <- cmd() }()
	synctest.Wait()
	select {
	case msg := <-done:
		handle(m, msg, depth)
	default:
		pending[m] = append(pending[m], done)
	}
}

// pending are the Cmds of each model still waiting on a timer.
var pending = map[*Model][]chan tea.Msg{}

func handle(m *Model, msg tea.Msg, depth int) {
	switch msg := msg.(type) {
	case nil:
	case tea.BatchMsg:
		for _, c := range msg {
			runCmd(m, c, depth+1)
		}
	case tea.QuitMsg:
	default:
		_, next := m.Update(msg)
		runCmd(m, next, depth+1)
	}
}

// advance moves the bubble's clock on by d, a tenth of a second at a
// time, delivering what the timers that fire meanwhile answer.
func advance(m *Model, d time.Duration) {
	for range d / (100 * time.Millisecond) {
		time.Sleep(100 * time.Millisecond)
		synctest.Wait()
		old, waiting := pending[m], []chan tea.Msg(nil)
		pending[m] = nil
		for _, ch := range old {
			select {
			case msg := <-ch:
				handle(m, msg, 0)
			default:
				waiting = append(waiting, ch)
			}
		}
		pending[m] = append(waiting, pending[m]...)
	}
}

// inBubble runs f in a synctest bubble, then lets the timers still pending
// fire so that their goroutines end inside it.
func inBubble(t *testing.T, f func(t *testing.T)) {
	t.Helper()
	synctest.Test(t, func(t *testing.T) {
		defer func() {
			clear(pending)
			time.Sleep(24 * time.Hour)
		}()
		f(t)
	})
}

func press(m *Model, keys ...string) {
	for _, k := range keys {
		var msg tea.KeyPressMsg
		switch k {
		case "enter":
			msg = tea.KeyPressMsg{Code: tea.KeyEnter}
		case "esc":
			msg = tea.KeyPressMsg{Code: tea.KeyEscape}
		case "down":
			msg = tea.KeyPressMsg{Code: tea.KeyDown}
		case "ctrl+c":
			msg = tea.KeyPressMsg{Code: 'c', Mod: tea.ModCtrl}
		default:
			r := []rune(k)[0]
			msg = tea.KeyPressMsg{Code: r, Text: k}
		}
		send(m, msg)
	}
}

func typeText(m *Model, s string) {
	for _, r := range s {
		send(m, tea.KeyPressMsg{Code: r, Text: string(r)})
	}
}

func screen(m *Model) string { return ansi.Strip(m.render()) }

func withSnapshot(t *testing.T, start Command) *Model {
	m := newModel(t, start)
	send(m, kafkaclient.ClusterUpdated{Snapshot: snapshot()})
	send(m, kafkaclient.DiskUpdated{Disk: disk(), At: fixedNow})
	return m
}

// disk is the log dirs of snapshot's cluster: brokers 1 and 2 answered,
// broker 3 is down, and a follower of orders/1 lags.
func disk() *kafkaclient.LogDirs {
	const mib = 1 << 20
	replica := func(broker int32, size, lag int64) kafkaclient.ReplicaSize {
		return kafkaclient.ReplicaSize{Broker: broker, Dir: "/var/lib/kafka", Size: size, OffsetLag: lag}
	}
	replicas := map[kafkaclient.TopicPartition][]kafkaclient.ReplicaSize{
		{Topic: "orders", Partition: 0}: {replica(1, 120*mib, 0), replica(2, 120*mib, 0)},
		{Topic: "orders", Partition: 1}: {replica(1, 3*mib, 37), replica(2, 3*mib, 0)},
		{Topic: "orders", Partition: 2}: {replica(1, 900, 0), replica(2, 900, 0)},
		{Topic: "logs", Partition: 0}:   {replica(1, 2*mib, 0), replica(2, 2*mib, 0)},
	}
	dir := func(size int64) []kafkaclient.LogDir {
		return []kafkaclient.LogDir{{Path: "/var/lib/kafka", TotalBytes: -1, UsableBytes: -1, Size: size}}
	}
	d := kafkaclient.NewLogDirs([]kafkaclient.BrokerLogDirs{
		{Broker: 1, Dirs: dir(125*mib + 900)},
		{Broker: 2, Dirs: dir(125*mib + 900)},
		{Broker: 3, Err: errors.New("connection refused")},
	}, replicas)
	return &d
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

func TestTopicsListHidesInternalUntilToggled(t *testing.T) {
	inBubble(t, func(t *testing.T) {
		m := withSnapshot(t, Command{Name: "topics"})
		s := screen(m)
		if strings.Contains(s, "__consumer_offsets") {
			t.Error("internal topic shown by default")
		}
		if l := lineWith(t, s, "orders"); !regexp.MustCompile(`orders\s+3\s+3\s+1,234,611\s+≥246 MiB\s+1`).MatchString(l) {
			t.Errorf("orders row = %q", l)
		}
		if l := lineWith(t, s, "logs"); !strings.Contains(l, "1 (1 offline)") {
			t.Errorf("logs row = %q", l)
		}
		press(m, "i")
		if !strings.Contains(screen(m), "__consumer_offsets (internal)") {
			t.Error("internal topic not shown after i")
		}
	})
}

func TestTopicsSortByColumn(t *testing.T) {
	inBubble(t, func(t *testing.T) {
		m := withSnapshot(t, Command{Name: "topics"})
		press(m, "s") // partitions, descending
		s := screen(m)
		if !strings.Contains(s, "PARTITIONS▼") {
			t.Fatalf("no sort mark:\n%s", s)
		}
		if strings.Index(s, "orders") > strings.Index(s, "logs") {
			t.Error("orders (3 partitions) should come before logs (2)")
		}
		press(m, "S")
		s = screen(m)
		if !strings.Contains(s, "PARTITIONS▲") || strings.Index(s, "orders") < strings.Index(s, "logs") {
			t.Errorf("reverse did not flip the order:\n%s", s)
		}
	})
}

func TestEnterOpensPartitionsInKcatOrderAndEscReturns(t *testing.T) {
	inBubble(t, func(t *testing.T) {
		m := withSnapshot(t, Command{Name: "topics"})
		press(m, "/")
		typeText(m, "orders")
		press(m, "enter", "enter")
		s := screen(m)
		header := lineWith(t, s, "PARTITION")
		cols := strings.Fields(header)
		if strings.Join(cols[:4], " ") != "PARTITION LEADER REPLICAS ISR" {
			t.Fatalf("columns = %v", cols)
		}
		// Partition 1: replica 3 is out of the ISR, and its leader (2) is not the preferred replica (1).
		if l := lineWith(t, s, "1,2,3!"); !strings.Contains(l, "2*") {
			t.Errorf("partition 1 row = %q", l)
		}
		if !strings.Contains(s, "topic orders (3 partitions)") {
			t.Errorf("title missing:\n%s", s)
		}
		press(m, "esc", "esc")
		s = screen(m)
		if !strings.Contains(s, "topics (3, 1 internal hidden)") || strings.Contains(s, "PARTITION ") {
			t.Errorf("esc did not return to the topic list:\n%s", s)
		}
	})
}

func TestOfflinePartitionIsMarked(t *testing.T) {
	inBubble(t, func(t *testing.T) {
		m := withSnapshot(t, Command{Name: "topic", Arg: "logs"})
		l := lineWith(t, screen(m), "none")
		if !strings.Contains(l, "3") {
			t.Errorf("offline row = %q", l)
		}
		// The marks must be coloured too, not only text.
		if !strings.Contains(m.render(), m.c.Styles.Error.Render("none")) {
			t.Error("offline leader not styled as an error")
		}
	})
}

func TestFilterNarrowsAndEscClears(t *testing.T) {
	inBubble(t, func(t *testing.T) {
		m := withSnapshot(t, Command{Name: "topics"})
		press(m, "/")
		typeText(m, "ORD")
		s := screen(m)
		if strings.Contains(s, "logs") || !strings.Contains(s, "orders") {
			t.Fatalf("filter while typing:\n%s", s)
		}
		press(m, "enter")
		if s := screen(m); !strings.Contains(s, "filter: ORD") || !strings.Contains(s, "topics (1 of 3, 1 internal hidden)") {
			t.Fatalf("applied filter not shown:\n%s", s)
		}
		press(m, "esc")
		if s := screen(m); !strings.Contains(s, "logs") || strings.Contains(s, "filter:") {
			t.Fatalf("esc did not clear the filter:\n%s", s)
		}
	})
}

func TestUnknownCommandShowsErrorAndChangesNothing(t *testing.T) {
	inBubble(t, func(t *testing.T) {
		m := withSnapshot(t, Command{Name: "topic", Arg: "orders"})
		before := strings.Split(screen(m), "\n")
		press(m, ":")
		typeText(m, "frobnicate")
		press(m, "enter")
		after := strings.Split(screen(m), "\n")
		status := after[len(after)-2]
		if !strings.Contains(status, `unknown command "frobnicate"; known: topics, topic NAME, brokers`) {
			t.Errorf("status = %q", status)
		}
		// Everything but the status line is as it was.
		before[len(before)-2], after[len(after)-2] = "", ""
		if strings.Join(before, "\n") != strings.Join(after, "\n") {
			t.Errorf("screen changed:\nbefore:\n%s\nafter:\n%s", strings.Join(before, "\n"), strings.Join(after, "\n"))
		}
	})
}

func TestCommandsSwitchViews(t *testing.T) {
	inBubble(t, func(t *testing.T) {
		m := withSnapshot(t, Command{Name: "topics"})
		press(m, ":")
		typeText(m, "brokers")
		press(m, "enter")
		if s := screen(m); !strings.Contains(s, "brokers (3)") {
			t.Fatalf(":brokers did not open brokers:\n%s", s)
		}
		press(m, ":")
		typeText(m, "topic orders")
		press(m, "enter")
		if s := screen(m); !strings.Contains(s, "topics (3, 1 internal hidden) › topic orders (3 partitions)") {
			t.Fatalf(":topic orders:\n%s", s)
		}
	})
}

func TestNoSuchTopic(t *testing.T) {
	inBubble(t, func(t *testing.T) {
		m := withSnapshot(t, Command{Name: "topic", Arg: "nosuch"})
		s := screen(m)
		if strings.Count(s, "no such topic: nosuch") < 2 {
			t.Errorf("want the message in the view and the status line:\n%s", s)
		}
	})
}

func TestEventsReachCoveredViews(t *testing.T) {
	inBubble(t, func(t *testing.T) {
		m := withSnapshot(t, Command{Name: "topic", Arg: "orders"})
		snap := snapshot()
		snap.Topics = append(snap.Topics, kafkaclient.TopicInfo{Name: "zz-new", Partitions: []kafkaclient.PartitionInfo{part(0, 1, []int32{1}, []int32{1}, 0, 0)}})
		send(m, kafkaclient.ClusterUpdated{Snapshot: snap})
		press(m, "esc")
		if !strings.Contains(screen(m), "zz-new") {
			t.Error("the covered topic list missed an update")
		}
	})
}

func TestMouseWheelMovesSelection(t *testing.T) {
	inBubble(t, func(t *testing.T) {
		m := withSnapshot(t, Command{Name: "topics"})
		send(m, tea.MouseWheelMsg{Button: tea.MouseWheelDown})
		press(m, "enter")
		if !strings.Contains(screen(m), "topic orders") {
			t.Errorf("wheel down should land on the last topic:\n%s", screen(m))
		}
	})
}

func TestBrokersShowSkewAndDownBroker(t *testing.T) {
	inBubble(t, func(t *testing.T) {
		m := withSnapshot(t, Command{Name: "brokers"})
		send(m, tea.WindowSizeMsg{Width: 120, Height: 24})
		s := screen(m)
		if l := lineWith(t, s, "9093"); !strings.Contains(l, "●") {
			t.Errorf("controller not marked: %q", l)
		}
		if l := lineWith(t, s, "9094"); !strings.Contains(l, "down: connection refused") {
			t.Errorf("down broker: %q", l)
		}
		if l := lineWith(t, s, "rack-a"); !strings.Contains(l, "5  83%") {
			t.Errorf("leader share: %q", l)
		}
		if !strings.Contains(m.render(), m.c.Styles.Warn.Render("5  83%")) {
			t.Error("leader skew not highlighted")
		}
	})
}

func TestConfigsView(t *testing.T) {
	inBubble(t, func(t *testing.T) {
		m := withSnapshot(t, Command{Name: "topic", Arg: "orders"})
		press(m, "c")
		s := screen(m)
		if !strings.Contains(s, "configs (3, 1 overridden)") {
			t.Fatalf("title:\n%s", s)
		}
		lines := strings.Split(s, "\n")
		if !strings.Contains(lines[3], "retention.ms") || !strings.Contains(lines[3], "7d") {
			t.Errorf("override should be listed first with its default: %q", lines[3])
		}
		if l := lineWith(t, s, "sasl.jaas.config"); !strings.Contains(l, "(sensitive)") {
			t.Errorf("sensitive entry: %q", l)
		}
	})
}

func TestCtrlRRefreshesNow(t *testing.T) {
	inBubble(t, func(t *testing.T) {
		m := withSnapshot(t, Command{Name: "topics"})
		refreshes := 0
		m.c.Client.Refresher = &viewtest.Fake{RefreshFn: func() { refreshes++ }}
		send(m, tea.KeyPressMsg{Code: 'r', Mod: tea.ModCtrl})
		if refreshes != 1 {
			t.Errorf("ctrl+r made %d refresh requests", refreshes)
		}
	})
}

func TestQuitKeys(t *testing.T) {
	inBubble(t, func(t *testing.T) {
		for _, k := range []string{"q", "ctrl+c"} {
			m := withSnapshot(t, Command{Name: "topics"})
			_, cmd := m.Update(keyMsg(k))
			if cmd == nil {
				t.Fatalf("%s: no command", k)
			}
			if _, ok := cmd().(tea.QuitMsg); !ok {
				t.Errorf("%s did not quit", k)
			}
		}
		// Inside a nested view q goes back; only ctrl+c quits from there.
		m := withSnapshot(t, Command{Name: "topic", Arg: "orders"})
		press(m, "q")
		if m.quitting || len(m.stack) != 1 {
			t.Errorf("q in a nested view: quitting %v, stack %d", m.quitting, len(m.stack))
		}
		// While typing a filter, q is a letter.
		m = withSnapshot(t, Command{Name: "topics"})
		press(m, "/")
		typeText(m, "q")
		if !strings.Contains(screen(m), "/q") {
			t.Error("q while filtering should be typed")
		}
	})
}

func keyMsg(k string) tea.KeyPressMsg {
	if k == "ctrl+c" {
		return tea.KeyPressMsg{Code: 'c', Mod: tea.ModCtrl}
	}
	return tea.KeyPressMsg{Code: []rune(k)[0], Text: k}
}

func TestRejectedFilterKeepsTheBarOpenAndTheOldFilter(t *testing.T) {
	inBubble(t, func(t *testing.T) {
		m := withSnapshot(t, Command{Name: "tail", Arg: "orders"})
		press(m, "/")
		typeText(m, "gold")
		press(m, "enter")
		if s := screen(m); !strings.Contains(s, "filter: gold") {
			t.Fatalf("filter not applied:\n%s", s)
		}
		press(m, "/")
		for range len("gold") {
			send(m, tea.KeyPressMsg{Code: tea.KeyBackspace})
		}
		typeText(m, "re:(")
		press(m, "enter")
		lines := strings.Split(screen(m), "\n")
		if status := lines[len(lines)-2]; !strings.HasPrefix(status, "/") {
			t.Errorf("the filter bar closed on a bad expression: %q", status)
		}
		if !strings.Contains(screen(m), "filter not applied: re: error parsing regexp") {
			t.Errorf("no error shown:\n%s", screen(m))
		}
		press(m, "esc")
		if f := m.top().(views.Filterable).Filter(); f != "" {
			t.Errorf("esc in the bar should clear the filter, got %q", f)
		}
	})
}

func TestSwitchingContextsStartsAgainOnTheNewCluster(t *testing.T) {
	inBubble(t, func(t *testing.T) {
		p, _ := themes.Builtin("dark")
		oldEvents := make(chan kafkaclient.Event, 1)
		closed := false
		m := New(Options{
			Session: Session{Label: "prod (ops@PLAIN)", Client: views.ClientOf(&viewtest.Fake{}), Events: oldEvents, Close: func() { closed = true; close(oldEvents) }},
			Contexts: []views.ContextInfo{
				{Name: "prod", Brokers: "p1:9092", Auth: "ops@PLAIN", Current: true},
				{Name: "staging", Brokers: "s1:9092", TLS: true, ReadOnly: true},
				{Name: "broken", Brokers: "b1:9092"},
			},
			Switch: func(_ context.Context, name string) (Session, error) {
				if name == "broken" {
					return Session{}, errors.New("no broker answered within 10s")
				}
				return Session{Label: name, Client: views.ClientOf(&viewtest.Fake{}), ReadOnly: true}, nil
			},
			Theme: p, ThemeFixed: true, Start: Command{Name: "contexts"},
		})
		send(m, tea.WindowSizeMsg{Width: 120, Height: 20})
		send(m, kafkaclient.ClusterUpdated{Snapshot: snapshot()})
		s := screen(m)
		if l := lineWith(t, s, "staging"); !strings.Contains(l, "read-only") || !strings.Contains(l, "on") {
			t.Errorf("staging row: %q", l)
		}
		press(m, "down", "down", "enter")
		if s := screen(m); !strings.Contains(s, "could not switch to broken: no broker answered") || !strings.Contains(s, "contexts (3)") {
			t.Fatalf("a failed switch must say why and change nothing:\n%s", s)
		}
		press(m, "up", "enter")
		s = screen(m)
		if !strings.HasPrefix(s, "kscope │ staging │  READ-ONLY") || !strings.Contains(s, "waiting for metadata") {
			t.Errorf("after switching:\n%s", s)
		}
		if !closed {
			t.Error("the old session was not closed")
		}
		// An event the old session sent before it closed is not the new cluster's.
		send(m, sessionEvent{gen: 0, e: kafkaclient.ClusterUpdated{Snapshot: snapshot()}})
		if strings.Contains(screen(m), "orders") {
			t.Error("an event of the closed session reached the new one")
		}
	})
}
