package views

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"

	"kscope/kafkaclient"
	"kscope/views/viewtest"
)

// brokerCluster is one broker's configuration as a cluster would keep it:
// setting a value makes it the broker's own, removing it brings back
// what server.properties or the default says.
type brokerCluster struct {
	entries map[string]kafkaclient.ConfigEntry
	order   []string
	asked   []int32
	set     []string
	err     error
}

func newBrokerCluster() *brokerCluster {
	b := &brokerCluster{entries: map[string]kafkaclient.ConfigEntry{}}
	for _, e := range []kafkaclient.ConfigEntry{
		{Name: "broker.id", Value: "2", Default: "2", Source: "static", ReadOnly: true},
		{Name: "log.retention.ms", Value: "604800000", Default: "604800000", Source: "static"},
		{Name: "message.max.bytes", Value: "1048588", Default: "1048588", Source: "default"},
		{Name: "num.io.threads", Value: "16", Default: "8", Source: "cluster"},
		{Name: "ssl.keystore.password", Sensitive: true, Source: "broker"},
		// A broker sends whatever its operators typed: escapes included.
		{Name: "listener.security.protocol.map", Value: "PLAIN:PLAINTEXT\x1b[2J\u202eevil", Default: "PLAIN:PLAINTEXT", Source: "broker", Overridden: true},
	} {
		b.entries[e.Name] = e
		b.order = append(b.order, e.Name)
	}
	return b
}

func (b *brokerCluster) fake() *viewtest.Fake {
	return &viewtest.Fake{
		BrokerConfigFn: func(_ context.Context, id int32) ([]kafkaclient.ConfigEntry, error) {
			b.asked = append(b.asked, id)
			var out []kafkaclient.ConfigEntry
			for _, n := range b.order {
				e := b.entries[n]
				if n == "broker.id" {
					e.Value, e.Default = fmt.Sprint(id), fmt.Sprint(id)
				}
				out = append(out, e)
			}
			return out, nil
		},
		SetBrokerConfigFn: func(_ context.Context, id int32, name string, v *string) error {
			if b.err != nil {
				return b.err
			}
			e := b.entries[name]
			if v == nil {
				b.set = append(b.set, fmt.Sprintf("%d %s removed", id, name))
				e.Value, e.Source, e.Overridden = e.Default, "static", false
			} else {
				b.set = append(b.set, fmt.Sprintf("%d %s=%s", id, name, *v))
				e.Value, e.Source, e.Overridden = *v, "broker", *v != e.Default
			}
			b.entries[name] = e
			return nil
		},
	}
}

// brokerCommon is a session on clusterSnapshot whose broker configs are b's.
func brokerCommon(t *testing.T, b *brokerCluster) (*Common, *memAudit) {
	c := testCommon(t)
	audit := &memAudit{}
	c.Client, c.Audit, c.Context = ClientOf(b.fake()), audit, "prod"
	c.Snapshot = clusterSnapshot()
	c.Disk = clusterDisk(c.Snapshot)
	return c, audit
}

var tabKey = tea.KeyPressMsg{Code: tea.KeyTab}

// selectConfig moves the configs' cursor to the entry named name.
func selectConfig(t *testing.T, h *host, v *Broker, name string) {
	t.Helper()
	h.send(press("g"))
	for range len(v.configs.entries) {
		if r, ok := v.configs.Selected(); ok && r.Key == name {
			return
		}
		h.send(press("j"))
	}
	t.Fatalf("no config %s in:\n%s", name, plain(v))
}

func TestBrokersEnterOpensTheBroker(t *testing.T) {
	inBubble(t, func(t *testing.T, h *host) {
		cluster := newBrokerCluster()
		c, _ := brokerCommon(t, cluster)
		h.push(NewBrokers(c))
		h.send(press("j"))
		h.send(press("enter"))
		v, ok := h.top().(*Broker)
		if !ok || v.Title() != "broker 2" || fmt.Sprint(cluster.asked) != "[2]" {
			t.Fatalf("enter on broker 2 opened %T %q, configs asked of %v", h.top(), h.top().Title(), cluster.asked)
		}
		s := plain(v)
		if !strings.HasPrefix(s, "broker 2 · up · rack eu-west-1b · kafka-2.eu-west-1.prod.internal.example.com:9093") {
			t.Errorf("headline:\n%s", s)
		}
	})
}

func TestBrokerConfigsBySourceSanitizedAndSecretsHidden(t *testing.T) {
	inBubble(t, func(t *testing.T, h *host) {
		cluster := newBrokerCluster()
		// A client that let a secret through must still not show it.
		cluster.entries["ssl.keystore.password"] = kafkaclient.ConfigEntry{Name: "ssl.keystore.password", Value: "hunter2", Default: "hunter1", Sensitive: true, Source: "broker"}
		c, _ := brokerCommon(t, cluster)
		v := h.push(NewBroker(c, 2))
		raw, s := v.View(), plain(v)
		if strings.Contains(raw, "\x1b[2J") || strings.Contains(raw, "\u202e") || !strings.Contains(s, `PLAIN:PLAINTEXT\x1b[2J\u202eevil`) {
			t.Errorf("the hostile value is not escaped:\n%s", s)
		}
		if strings.Contains(s, "hunter") || !strings.Contains(lineWith(t, s, "ssl.keystore.password"), "(sensitive)") {
			t.Errorf("the secret shows:\n%s", s)
		}
		if err := v.(*Broker).SetFilter("hunter2"); err != nil || !strings.Contains(plain(v), "no configs") {
			t.Errorf("the filter finds the secret:\n%s", plain(v))
		}
		v.(*Broker).SetFilter("")
		if !strings.Contains(s, "configs 6 (2 per-broker)") {
			t.Errorf("tab counts:\n%s", s)
		}
		// The broker's own values first, then cluster-wide, static, default.
		var order []string
		for _, name := range []string{"listener.security.protocol.map", "num.io.threads", "log.retention.ms", "message.max.bytes"} {
			fields := strings.Fields(lineWith(t, s, name))
			order = append(order, fields[len(fields)-1])
		}
		if fmt.Sprint(order) != "[per-broker cluster-wide static default]" || strings.Index(s, "num.io.threads") > strings.Index(s, "broker.id") ||
			strings.Index(s, "log.retention.ms") > strings.Index(s, "message.max.bytes") {
			t.Errorf("sources %v, order:\n%s", order, s)
		}
	})
}

func TestBrokerPartitionsAndLogDirs(t *testing.T) {
	inBubble(t, func(t *testing.T, h *host) {
		c, _ := brokerCommon(t, newBrokerCluster())
		// Broker 2's one dir is on a 1 TiB volume with 50 GiB free; a second one failed.
		c.Disk.Brokers[1].Dirs[0].TotalBytes, c.Disk.Brokers[1].Dirs[0].UsableBytes = 1<<40, 50<<30
		c.Disk.Brokers[1].Dirs = append(c.Disk.Brokers[1].Dirs, kafkaclient.LogDir{Path: "/data/kafka2", Err: errors.New("KAFKA_STORAGE_ERROR"), TotalBytes: -1, UsableBytes: -1})
		v := h.push(NewBroker(c, 2))
		v.SetSize(120, 36)
		h.send(tabKey)
		s := plain(v)
		// In clusterSnapshot broker 2 leads partition i when i%3 == 1,
		// but partition 1 of payments.settlements.eu-west-1.v2, which is
		// offline; it holds a replica of every partition.
		if !strings.Contains(s, "leads 32 · follows 66 · 1 out of sync") || !strings.Contains(s, "partitions 98") {
			t.Errorf("counts:\n%s", s)
		}
		if l := lineWith(t, s, "__consumer_offsets                         1"); !strings.Contains(l, "leader") || !strings.Contains(l, "in sync") {
			t.Errorf("a partition it leads: %q", l)
		}
		if err := v.(*Broker).SetFilter("v2"); err != nil {
			t.Fatal(err)
		}
		s = plain(v)
		if l := lineWith(t, s, "v2          1"); !strings.Contains(l, "follower") || !strings.Contains(l, "none") || !strings.Contains(l, "offline") {
			t.Errorf("the offline partition: %q", l)
		}
		if l := lineWith(t, s, "v2          3"); !strings.Contains(l, "follower") || !strings.Contains(l, "250") {
			t.Errorf("a follower 250 behind: %q", l)
		}
		h.send(press("enter"))
		if p, ok := h.top().(*Partitions); !ok || !strings.Contains(p.Title(), "payments.settlements.eu-west-1.v2") {
			t.Fatalf("enter opened %T %q", h.top(), h.top().Title())
		}
		h.handle(Pop{})
		h.send(tabKey)
		s = plain(v)
		if l := lineWith(t, s, "/data/kafka "); !strings.Contains(l, "50.0 GiB   5%") || !strings.Contains(l, "1.0 TiB") || !strings.Contains(l, "online") || !strings.Contains(l, " 98 ") {
			t.Errorf("the dir: %q", l)
		}
		if l := lineWith(t, s, "/data/kafka2"); !strings.Contains(l, "offline: KAFKA_STORAGE_ERROR") {
			t.Errorf("the failed dir: %q", l)
		}
		if !strings.Contains(s, "in 2 log dirs · 1 offline") || !strings.Contains(s, "log dirs 2") {
			t.Errorf("disk summary:\n%s", s)
		}
	})
}

func TestBrokerConfigEditPreviewConfirmAuditAndUndo(t *testing.T) {
	inBubble(t, func(t *testing.T, h *host) {
		cluster := newBrokerCluster()
		c, audit := brokerCommon(t, cluster)
		v := h.push(NewBroker(c, 2)).(*Broker)
		selectConfig(t, h, v, "log.retention.ms")
		h.send(press("e"))
		if s := plain(h.top()); len(h.stack) != 2 || !strings.Contains(s, "Set log.retention.ms on broker 2") || !strings.Contains(s, "now 604800000 (7d) (static)") {
			t.Fatalf("edit form (notices %v):\n%s", h.notices(), s)
		}
		for range len("604800000") {
			h.send(tea.KeyPressMsg{Code: tea.KeyBackspace})
		}
		h.keys("86400000")
		h.send(ctrlS)
		s := plain(h.top())
		for _, want := range []string{"now  604800000 (7d)  (static)", "new  86400000 (1d)   (per-broker)", "the other brokers keep theirs"} {
			if !strings.Contains(s, want) {
				t.Errorf("preview lacks %q:\n%s", want, s)
			}
		}
		if len(cluster.set) != 0 {
			t.Fatalf("set before the confirmation: %v", cluster.set)
		}
		h.keys("log.retention.ms")
		h.send(press("enter"))
		if fmt.Sprint(cluster.set) != "[2 log.retention.ms=86400000]" || len(h.stack) != 1 {
			t.Fatalf("set %v, %d views open", cluster.set, len(h.stack))
		}
		last := (*audit)[len(*audit)-1]
		if last.Action != "set broker config" || last.Target != "broker 2 log.retention.ms" || last.Broker == nil || *last.Broker != 2 ||
			last.Result != "ok" || len(last.Changes) != 1 || last.Changes[0].Before != nil || *last.Changes[0].After != "86400000" {
			t.Errorf("audit entry %+v", last)
		}
		// Back on top, the broker reads its configs again.
		if l := lineWith(t, plain(v), "log.retention.ms"); !strings.Contains(l, "1d") || !strings.Contains(l, "per-broker") {
			t.Errorf("after the change: %q", l)
		}

		h.push(NewHistory(c))
		h.send(press("u"))
		if s := plain(h.top()); !strings.Contains(s, "Set log.retention.ms of broker 2 from 86400000 (1d) back to its default?") {
			t.Fatalf("undo preview:\n%s", s)
		}
		h.keys("log.retention.ms")
		h.send(press("enter"))
		if fmt.Sprint(cluster.set) != "[2 log.retention.ms=86400000 2 log.retention.ms removed]" {
			t.Errorf("undo set %v", cluster.set)
		}
		last = (*audit)[len(*audit)-1]
		if last.Action != "undo broker config" || last.Broker == nil || *last.Broker != 2 || *last.Changes[0].Before != "86400000" || last.Changes[0].After != nil {
			t.Errorf("the undo was recorded as %+v", last)
		}
	})
}

func TestBrokerConfigResetAndRefusals(t *testing.T) {
	inBubble(t, func(t *testing.T, h *host) {
		cluster := newBrokerCluster()
		c, audit := brokerCommon(t, cluster)
		v := h.push(NewBroker(c, 2)).(*Broker)
		for name, want := range map[string]string{
			"broker.id":             "broker.id cannot be changed while the broker runs",
			"ssl.keystore.password": "ssl.keystore.password is a secret",
		} {
			selectConfig(t, h, v, name)
			h.send(press("e"))
			if n := h.notices(); len(h.stack) != 1 || !strings.Contains(n[len(n)-1], want) {
				t.Errorf("e on %s: notices %v", name, n)
			}
		}
		selectConfig(t, h, v, "num.io.threads")
		h.send(tea.KeyPressMsg{Code: tea.KeyDelete})
		if n := h.notices(); len(h.stack) != 1 || !strings.Contains(n[len(n)-1], "not set on broker 2 itself (it is cluster-wide)") {
			t.Errorf("del on a cluster-wide value: %v", n)
		}

		cluster.err = errors.New("the broker refused it: Cannot update these configs dynamically: Set(listeners)")
		selectConfig(t, h, v, "listener.security.protocol.map")
		h.send(tea.KeyPressMsg{Code: tea.KeyDelete})
		if s := plain(h.top()); !strings.Contains(s, "returns to PLAIN:PLAINTEXT?") {
			t.Fatalf("reset confirmation:\n%s", s)
		}
		h.keys("listener.security.protocol.map")
		h.send(press("enter"))
		if s := plain(h.top()); !strings.Contains(s, "Cannot update these configs dynamically") {
			t.Errorf("the refusal is not shown:\n%s", s)
		}
		last := (*audit)[len(*audit)-1]
		if last.Action != "reset broker config" || !strings.Contains(last.Result, "Cannot update") || last.Changes[0].After != nil ||
			*last.Changes[0].Before != "PLAIN:PLAINTEXT\x1b[2J\u202eevil" {
			t.Errorf("audit entry %+v", last)
		}
	})
}

func TestBrokerReadOnlyRefusesTheEditKeys(t *testing.T) {
	inBubble(t, func(t *testing.T, h *host) {
		cluster := newBrokerCluster()
		c, _ := brokerCommon(t, cluster)
		c.ReadOnly = true
		c.Keys.SetReadOnly(true)
		v := h.push(NewBroker(c, 2)).(*Broker)
		selectConfig(t, h, v, "log.retention.ms")
		for _, k := range []tea.KeyPressMsg{press("e"), {Code: tea.KeyDelete}} {
			h.send(k)
			if n := h.notices(); len(h.stack) != 1 || !strings.HasPrefix(n[len(n)-1], "read-only mode: ") {
				t.Errorf("%s: %d views, notices %v", k, len(h.stack), n)
			}
		}
		for _, b := range v.ShortHelp() {
			if b.Enabled() && (b.Help().Desc == "edit" || b.Help().Desc == "back to default") {
				t.Errorf("help offers %s in read-only mode", b.Help().Desc)
			}
		}
		if len(cluster.set) != 0 {
			t.Errorf("changed in read-only mode: %v", cluster.set)
		}
	})
}

func TestBrokerGolden(t *testing.T) {
	// Broker 1 is the controller; broker 3 is down.
	for _, tc := range []struct {
		name string
		id   int32
		tabs int
	}{{"configs", 1, 0}, {"partitions", 3, 1}} {
		t.Run(tc.name, func(t *testing.T) {
			requireGolden(t, func(w, hh int) (out string) {
				inBubble(t, func(t *testing.T, h *host) {
					c, _ := brokerCommon(t, newBrokerCluster())
					v := h.push(NewBroker(c, tc.id))
					for range tc.tabs {
						h.send(tabKey)
					}
					v.SetSize(w, hh)
					out = v.View()
				})
				return out
			})
		})
	}
}

func TestBrokerConfigsThatCannotBeRead(t *testing.T) {
	inBubble(t, func(t *testing.T, h *host) {
		c, _ := brokerCommon(t, newBrokerCluster())
		c.Client.BrokerConfigs = &viewtest.Fake{BrokerConfigFn: func(context.Context, int32) ([]kafkaclient.ConfigEntry, error) {
			return nil, errors.New("describe configs of broker 2: connection refused")
		}}
		v := h.push(NewBroker(c, 2))
		s := plain(v)
		if !strings.Contains(s, "configs (failed)") || !strings.Contains(s, "could not load configs: describe configs of broker 2: connection refused") {
			t.Errorf("a failed read:\n%s", s)
		}
		if n := h.notices(); len(n) != 1 || !strings.Contains(n[0], "connection refused") {
			t.Errorf("notices %v", n)
		}
		h.send(tabKey)
		if s := plain(v); !strings.Contains(s, "leads 32 · follows 66") || !strings.Contains(s, "__consumer_offsets") {
			t.Errorf("the partitions do not depend on the configs:\n%s", s)
		}
	})
}
