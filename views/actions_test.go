package views

import (
	"context"
	"errors"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"

	"kscope/kafkaclient"
	"kscope/views/viewtest"
	"kscope/views/widget"
)

// recorder is a cluster that records the changes asked of it.
type recorder struct {
	calls   []string
	created []kafkaclient.TopicSpec
	applied []kafkaclient.ResetPlan
	plan    kafkaclient.ResetPlan
	err     error
}

func (r *recorder) fake() *viewtest.Fake {
	return &viewtest.Fake{
		RefreshFn: func() { r.calls = append(r.calls, "refresh") },
		CreateTopicFn: func(_ context.Context, s kafkaclient.TopicSpec) error {
			r.calls = append(r.calls, "create "+s.Name)
			r.created = append(r.created, s)
			return r.err
		},
		DeleteTopicFn: func(_ context.Context, name string) error {
			r.calls = append(r.calls, "delete "+name)
			return r.err
		},
		ProduceFn: func(_ context.Context, p kafkaclient.ProduceRequest) (kafkaclient.ProduceResult, error) {
			r.calls = append(r.calls, "produce "+string(p.Value))
			return kafkaclient.ProduceResult{Partition: 2, Offset: 41}, r.err
		},
		PlanResetFn: func(context.Context, string, string, []int32, kafkaclient.ResetTarget) (kafkaclient.ResetPlan, error) {
			r.calls = append(r.calls, "plan")
			return r.plan, nil
		},
		ApplyResetFn: func(_ context.Context, p kafkaclient.ResetPlan) error {
			r.calls = append(r.calls, "apply")
			r.applied = append(r.applied, p)
			return r.err
		},
	}
}

func actionCommon(t *testing.T, r *recorder) (*Common, *memAudit) {
	c := testCommon(t)
	audit := &memAudit{}
	c.Client, c.Audit, c.Context = ClientOf(r.fake()), audit, "prod"
	c.Snapshot = &kafkaclient.Snapshot{Brokers: []kafkaclient.BrokerInfo{{ID: 1, Up: true}, {ID: 2, Up: true}}}
	return c, audit
}

// open runs a Cmd that opens a dialog and returns the dialog.
func open(t *testing.T, h *host, cmd tea.Cmd) View {
	t.Helper()
	n := len(h.stack)
	h.run(cmd)
	if len(h.stack) != n+1 {
		t.Fatalf("no view pushed; notices %v", h.notices())
	}
	return h.top()
}

var ctrlS = tea.KeyPressMsg{Code: 's', Mod: tea.ModCtrl}

func TestCreateTopicValidatesBeforeSending(t *testing.T) {
	inBubble(t, func(t *testing.T, h *host) {
		r := &recorder{}
		c, audit := actionCommon(t, r)
		v := open(t, h, newTopicDialog(c, c.Client.TopicAdmin))
		h.keys("bad!name")
		h.send(ctrlS)
		if s := plain(v); !strings.Contains(s, "'!' is not allowed") || len(r.calls) != 0 {
			t.Fatalf("an invalid name was sent (%v) or not reported:\n%s", r.calls, s)
		}
		for range len("bad!name") {
			h.send(tea.KeyPressMsg{Code: tea.KeyBackspace})
		}
		h.keys("payments.v2")
		h.send(tea.KeyPressMsg{Code: tea.KeyTab})
		h.send(tea.KeyPressMsg{Code: tea.KeyTab})
		h.send(tea.KeyPressMsg{Code: tea.KeyBackspace}) // RF 2 → empty
		h.keys("3")                                     // more than the 2 brokers up
		h.send(ctrlS)
		if len(r.calls) != 0 {
			t.Fatalf("RF above the live brokers was sent: %v", r.calls)
		}
		h.send(tea.KeyPressMsg{Code: tea.KeyBackspace})
		h.keys("2")
		h.send(tea.KeyPressMsg{Code: tea.KeyTab})
		h.keys("retention.ms=3600000")
		h.send(ctrlS)
		if len(r.created) != 1 || r.created[0].Name != "payments.v2" || r.created[0].ReplicationFactor != 2 || r.created[0].Configs["retention.ms"] != "3600000" {
			t.Fatalf("created %+v", r.created)
		}
		if len(h.stack) != 0 || len(h.popped) != 1 || !strings.Contains(strings.Join(h.notices(), "\n"), "created topic payments.v2") {
			t.Errorf("after creating: stack %d, notices %q", len(h.stack), h.notices())
		}
		if len(*audit) != 1 || (*audit)[0].Action != "create topic" || (*audit)[0].Result != "ok" || (*audit)[0].Context != "prod" ||
			!(*audit)[0].Time.Equal(t0) {
			t.Errorf("audit %+v", *audit)
		}
	})
}

func TestDeleteTopicWantsItsName(t *testing.T) {
	inBubble(t, func(t *testing.T, h *host) {
		r := &recorder{}
		c, audit := actionCommon(t, r)
		topic := &kafkaclient.TopicInfo{Name: "orders", Partitions: []kafkaclient.PartitionInfo{{ID: 0}}}
		v := open(t, h, deleteTopicDialog(c, c.Client.TopicAdmin, nil, topic))
		if !strings.Contains(plain(v), "Delete topic orders") {
			t.Fatalf("the confirmation does not name the topic:\n%s", plain(v))
		}
		h.keys("order")
		h.send(tea.KeyPressMsg{Code: tea.KeyEnter})
		if len(r.calls) != 0 {
			t.Fatal("deleted without the exact name")
		}
		h.keys("s")
		h.send(tea.KeyPressMsg{Code: tea.KeyEnter})
		if len(r.calls) == 0 || r.calls[0] != "delete orders" || len(*audit) != 1 {
			t.Errorf("calls %v, audit %v", r.calls, *audit)
		}
		if cmd := deleteTopicDialog(c, c.Client.TopicAdmin, nil, &kafkaclient.TopicInfo{Name: "__consumer_offsets", Internal: true}); cmd().(Notice).Error != true {
			t.Error("an internal topic was offered for deletion")
		}
	})
}

func TestRefusedChangeKeepsTheDialogAndIsAudited(t *testing.T) {
	inBubble(t, func(t *testing.T, h *host) {
		r := &recorder{err: errors.New("delete topic orders: read-only mode: kscope does not change the cluster")}
		c, audit := actionCommon(t, r)
		v := open(t, h, deleteTopicDialog(c, c.Client.TopicAdmin, nil, &kafkaclient.TopicInfo{Name: "orders"}))
		h.keys("orders")
		h.send(tea.KeyPressMsg{Code: tea.KeyEnter})
		if len(h.stack) != 1 || !strings.Contains(plain(v), "read-only mode") {
			t.Errorf("stack %d, view:\n%s", len(h.stack), plain(v))
		}
		if len(*audit) != 1 || !strings.Contains((*audit)[0].Result, "read-only") {
			t.Errorf("audit %+v", *audit)
		}
		// Enter on the error closes the dialog; it does not try again.
		h.send(tea.KeyPressMsg{Code: tea.KeyEnter})
		if len(r.calls) != 1 || len(h.stack) != 0 {
			t.Errorf("after the error: calls %v, stack %d", r.calls, len(h.stack))
		}
	})
}

func TestResetOffsetsPreviewThenApply(t *testing.T) {
	inBubble(t, func(t *testing.T, h *host) {
		r := &recorder{plan: resetPlan()}
		c, _ := actionCommon(t, r)
		v := open(t, h, resetOffsetsDialog(c, c.Client.GroupAdmin, shop(t0, 100, "Empty")))
		h.send(ctrlS) // earliest
		s := plain(v)
		for _, want := range []string{"orders/0", "100 → 40", "re-reads 60", "skips 50", "first commit", "60 records re-consumed, 50 skipped"} {
			if !strings.Contains(s, want) {
				t.Errorf("preview lacks %q:\n%s", want, s)
			}
		}
		if len(r.applied) != 0 {
			t.Fatal("applied before confirmation")
		}
		h.keys("shop")
		h.send(tea.KeyPressMsg{Code: tea.KeyEnter})
		if len(r.applied) != 1 || len(r.applied[0].Rows) != 3 || r.applied[0].Rows[0].New != 40 {
			t.Errorf("applied %+v", r.applied)
		}
	})
}

func TestRefusedResetIsShownOnTheConfirmation(t *testing.T) {
	inBubble(t, func(t *testing.T, h *host) {
		r := &recorder{plan: resetPlan(), err: errors.New("reset offsets of shop: the group has members")}
		c, _ := actionCommon(t, r)
		v := open(t, h, resetOffsetsDialog(c, c.Client.GroupAdmin, shop(t0, 100, "Empty")))
		h.send(ctrlS)
		h.keys("shop")
		h.send(tea.KeyPressMsg{Code: tea.KeyEnter})
		if s := plain(v); !strings.Contains(s, "the group has members") {
			t.Errorf("the refusal is not on screen:\n%s", s)
		}
	})
}

func resetPlan() kafkaclient.ResetPlan {
	return kafkaclient.ResetPlan{Group: "shop", Rows: []kafkaclient.ResetPlanRow{
		{TopicPartition: tp(0), Current: 100, New: 40, Delta: -60},
		{TopicPartition: tp(1), Current: 100, New: 150, Delta: 50},
		{TopicPartition: tp(2), Current: -1, New: 0},
	}}
}

func TestProduceChecksJSONAndHeaders(t *testing.T) {
	c, _ := actionCommon(t, &recorder{})
	f := widget.NewForm(c.Styles, "p", []widget.Field{{Name: "key"}, {Name: "value", Kind: widget.FieldMultiline}, {Name: "json"},
		{Name: "headers", Kind: widget.FieldMultiline}, {Name: "partition"}, {Name: "acks"}}, "send")
	f.SetValue("value", `{"a":`)
	f.SetValue("json", "yes: check it")
	if _, err := produceRequest("t", f); err == nil || !strings.Contains(err.Error(), "not valid JSON") {
		t.Errorf("bad JSON: %v", err)
	}
	f.SetValue("value", `{"a":1}`)
	f.SetValue("headers", "trace-id: abc\nbroken")
	if _, err := produceRequest("t", f); err == nil || !strings.Contains(err.Error(), "line 2") {
		t.Errorf("bad header: %v", err)
	}
	f.SetValue("headers", "trace-id: abc")
	f.SetValue("partition", "3")
	f.SetValue("acks", "1")
	req, err := produceRequest("t", f)
	if err != nil || req.Partition != 3 || req.Acks != "1" || string(req.Headers[0].Value) != "abc" || req.Key != nil {
		t.Errorf("request %+v, %v", req, err)
	}
}

func TestProduceEditsTheValueInTheEditor(t *testing.T) {
	inBubble(t, func(t *testing.T, h *host) {
		c, _ := actionCommon(t, &recorder{})
		v := open(t, h, produceDialog(c, c.Client.Producer, "orders"))
		if !strings.Contains(plain(v), "ctrl+e") {
			t.Errorf("the form does not show the editor key:\n%s", plain(v))
		}
		h.send(editorDone{value: "from the editor"})
		if got := v.(*dialog).form.Value("value"); got != "from the editor" {
			t.Errorf("value %q", got)
		}
		// The key writes the value to a file off the event loop: Update
		// itself returns before any file exists.
		_, cmd := v.Update(tea.KeyPressMsg{Code: 'e', Mod: tea.ModCtrl})
		if cmd == nil {
			t.Fatal("ctrl+e did nothing")
		}
	})
}

func TestReadOnlyRemovesDangerousKeys(t *testing.T) {
	c, _ := actionCommon(t, &recorder{})
	c.Keys.SetReadOnly(true)
	v := NewTopics(c)
	_, cmd := v.Update(press("n"))
	if n, ok := cmd().(Notice); !ok || n.Text != "read-only mode: n (new topic) is disabled" {
		t.Errorf("n in read-only mode answered %+v, want a notice saying why nothing happens", cmd())
	}
	if _, cmd := v.Update(press("j")); cmd != nil {
		t.Error("a key that reads was answered as refused")
	}
	tail := openTestTail(t, 10)
	tail.c.Keys.SetReadOnly(true)
	if _, cmd := tail.Update(press("P")); cmd == nil || !strings.Contains(cmd().(Notice).Text, "P (produce) is disabled") {
		t.Error("P in a read-only tail says nothing")
	}
	feed(tail, order(0, 1, "gold"))
	d := NewDetail(tail.c, tail, tail.ring.First(), 0, 0)
	if _, cmd := d.Update(press("n")); cmd != nil && strings.Contains(cmd().(Notice).Text, "read-only") {
		t.Error("n (next record) in the detail was taken for new topic")
	}
	for _, b := range v.ShortHelp() {
		if b.Help().Desc == "new topic" && b.Enabled() {
			t.Error("help offers a change in read-only mode")
		}
	}
	c.Keys.SetReadOnly(false)
	if _, cmd := v.Update(press("n")); cmd == nil {
		t.Error("n does nothing outside read-only mode")
	}
}

func TestDangerousBindingsAreTheOnesThatChangeTheCluster(t *testing.T) {
	k := DefaultKeyMap()
	var names []string
	for _, b := range k.Dangerous() {
		names = append(names, b.Help().Desc)
	}
	want := "new topic,delete topic,add partitions,produce,edit,back to default,reset offsets,delete offsets,delete group,undo,delete version,elect preferred leaders,new ACL,delete ACL,abort transaction"
	if got := strings.Join(names, ","); got != want {
		t.Errorf("dangerous bindings %s, want %s", got, want)
	}
	k.SetReadOnly(true)
	if !k.Copy.Enabled() || !k.Tail.Enabled() || k.Produce.Enabled() {
		t.Error("read-only mode disabled a reading key or kept a writing one")
	}
}

// TestResetOffsetsOfAllTopics plans every topic of the group, as
// kafka-consumer-groups --all-topics does, and applies them as one.
func TestResetOffsetsOfAllTopics(t *testing.T) {
	inBubble(t, func(t *testing.T, h *host) {
		var applied []kafkaclient.ResetPlan
		fake := &viewtest.Fake{
			PlanResetFn: func(_ context.Context, group, topic string, _ []int32, _ kafkaclient.ResetTarget) (kafkaclient.ResetPlan, error) {
				return kafkaclient.ResetPlan{Group: group, Rows: []kafkaclient.ResetPlanRow{
					{TopicPartition: kafkaclient.TopicPartition{Topic: topic, Partition: 0}, Current: 10, New: 0, Delta: -10}}}, nil
			},
			ApplyResetFn: func(_ context.Context, p kafkaclient.ResetPlan) error { applied = append(applied, p); return nil },
		}
		c := testCommon(t)
		c.Client = ClientOf(fake)
		g := kafkaclient.GroupInfo{Name: "shop", State: "Empty", Offsets: []kafkaclient.PartitionOffsets{
			{TopicPartition: kafkaclient.TopicPartition{Topic: "orders"}, Committed: 10},
			{TopicPartition: kafkaclient.TopicPartition{Topic: "payments"}, Committed: 10},
		}}
		v := open(t, h, resetOffsetsDialog(c, c.Client.GroupAdmin, g))
		if !strings.Contains(plain(v), allTopics) {
			t.Fatalf("no all-topics choice:\n%s", plain(v))
		}
		h.send(ctrlS) // (all topics), earliest
		if s := plain(v); !strings.Contains(s, "orders/0") || !strings.Contains(s, "payments/0") {
			t.Fatalf("preview:\n%s", s)
		}
		h.keys("shop")
		h.send(tea.KeyPressMsg{Code: tea.KeyEnter})
		if len(applied) != 1 || len(applied[0].Rows) != 2 {
			t.Errorf("applied %+v", applied)
		}
	})
}

// TestManyPartitionsAreConfirmedAndTooManyRefused: above a thousand the
// dialog asks once more; above what the brokers should hold it refuses.
func TestManyPartitionsAreConfirmedAndTooManyRefused(t *testing.T) {
	inBubble(t, func(t *testing.T, h *host) {
		r := &recorder{}
		c, _ := actionCommon(t, r)
		v := open(t, h, newTopicDialog(c, c.Client.TopicAdmin))
		h.keys("big")
		h.send(tea.KeyPressMsg{Code: tea.KeyTab})
		h.send(tea.KeyPressMsg{Code: tea.KeyBackspace})
		h.keys("1000000000")
		h.send(ctrlS)
		if s := prose(v); len(r.calls) != 0 || !strings.Contains(s, "at most 4000 partitions") {
			t.Fatalf("a billion partitions: calls %v\n%s", r.calls, s)
		}
		for range len("1000000000") {
			h.send(tea.KeyPressMsg{Code: tea.KeyBackspace})
		}
		h.keys("2000")
		h.send(ctrlS)
		if s := prose(v); len(r.calls) != 0 || !strings.Contains(s, "2,000 is many") {
			t.Fatalf("2,000 partitions went without a question: calls %v\n%s", r.calls, s)
		}
		h.send(ctrlS)
		if len(r.created) != 1 || r.created[0].Partitions != 2000 {
			t.Errorf("confirmed: created %+v", r.created)
		}
	})
}

// TestAnUnusableContextSaysWhy: a context the config file could not make
// usable is listed with its reason, and choosing it says so instead of
// connecting.
func TestAnUnusableContextSaysWhy(t *testing.T) {
	c := testCommon(t)
	v := NewContexts(c, []ContextInfo{
		{Name: "good", Brokers: "g:1"},
		{Name: "kerberos", Brokers: "k:1", Unusable: `unknown SASL mechanism "GSSAPI"`},
	})
	v.SetSize(120, 6)
	if l := lineWith(t, plain(v), "kerberos"); !strings.Contains(l, "unusable: unknown SASL mechanism") {
		t.Errorf("row: %q", l)
	}
	v.Update(press("down"))
	_, cmd := v.Update(press("enter"))
	if n, ok := cmd().(Notice); !ok || !n.Error || !strings.Contains(n.Text, "kerberos cannot be used") {
		t.Errorf("enter on it: %+v", cmd())
	}
}

// TestSecretTopicConfigIsNotEdited: a sensitive topic setting is refused
// with where to set it instead, so no secret is typed on screen or kept
// in the audit file.
func TestSecretTopicConfigIsNotEdited(t *testing.T) {
	inBubble(t, func(t *testing.T, h *host) {
		r := &recorder{}
		c, audit := actionCommon(t, r)
		h.run(editConfigDialog(c, c.Client.TopicAdmin, "orders", kafkaclient.ConfigEntry{Name: "sasl.jaas.config", Source: "topic", Sensitive: true}))
		n := h.notices()
		if len(h.stack) != 0 || len(n) != 1 || !strings.Contains(n[0], "is a secret") || !strings.Contains(n[0], "kafka-configs") {
			t.Errorf("stack %d, notices %v", len(h.stack), n)
		}
		if len(r.calls) != 0 || len(*audit) != 0 {
			t.Errorf("calls %v, audit %v", r.calls, *audit)
		}
	})
}
