package views

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"kscope/kafkaclient"
)

// recorder is a cluster that records the changes asked of it; reads it
// does not need fail.
type recorder struct {
	calls   []string
	created []kafkaclient.TopicSpec
	applied []kafkaclient.ResetPlan
	plan    kafkaclient.ResetPlan
	err     error
}

var errUnused = errors.New("not used in this test")

func (r *recorder) TopicConfig(context.Context, string) ([]kafkaclient.ConfigEntry, error) {
	return nil, errUnused
}
func (r *recorder) Tail(context.Context, kafkaclient.TailSpec) (*kafkaclient.Tail, error) {
	return nil, errUnused
}
func (r *recorder) Groups(context.Context) ([]kafkaclient.GroupInfo, error) { return nil, errUnused }
func (r *recorder) Group(context.Context, string) (kafkaclient.GroupInfo, error) {
	return kafkaclient.GroupInfo{}, errUnused
}
func (r *recorder) Refresh() { r.calls = append(r.calls, "refresh") }
func (r *recorder) CreateTopic(_ context.Context, s kafkaclient.TopicSpec) error {
	r.calls = append(r.calls, "create "+s.Name)
	r.created = append(r.created, s)
	return r.err
}
func (r *recorder) DeleteTopic(_ context.Context, name string) error {
	r.calls = append(r.calls, "delete "+name)
	return r.err
}
func (r *recorder) AddPartitions(_ context.Context, topic string, total int32) error {
	r.calls = append(r.calls, "partitions "+topic)
	return r.err
}
func (r *recorder) SetTopicConfig(_ context.Context, topic, name string, value *string) error {
	r.calls = append(r.calls, "config "+name)
	return r.err
}
func (r *recorder) Produce(_ context.Context, p kafkaclient.ProduceRequest) (kafkaclient.ProduceResult, error) {
	r.calls = append(r.calls, "produce "+string(p.Value))
	return kafkaclient.ProduceResult{Partition: 2, Offset: 41}, r.err
}
func (r *recorder) PlanReset(context.Context, string, string, []int32, kafkaclient.ResetTarget) (kafkaclient.ResetPlan, error) {
	r.calls = append(r.calls, "plan")
	return r.plan, nil
}
func (r *recorder) ApplyReset(_ context.Context, p kafkaclient.ResetPlan) error {
	r.calls = append(r.calls, "apply")
	r.applied = append(r.applied, p)
	return r.err
}
func (r *recorder) DeleteGroupOffsets(context.Context, string, string) error { return errUnused }
func (r *recorder) DeleteGroup(context.Context, string) error                { return errUnused }

// quick runs cmd and returns its message if it answers at once: a
// cursor's blink waits, and nothing here needs it.
func quick(cmd tea.Cmd) (tea.Msg, bool) {
	done := make(chan tea.Msg, 1)
	go func() { done <- cmd() }()
	select {
	case msg := <-done:
		return msg, true
	case <-time.After(50 * time.Millisecond):
		return nil, false
	}
}

// drive delivers msg to v and runs the Cmds it returns, feeding their
// messages back, and returns the messages meant for the root.
func drive(v View, msg tea.Msg) (View, []tea.Msg) {
	var out []tea.Msg
	var run func(tea.Cmd)
	run = func(cmd tea.Cmd) {
		if cmd == nil {
			return
		}
		msg, ok := quick(cmd)
		if !ok {
			return
		}
		switch m := msg.(type) {
		case tea.BatchMsg:
			for _, c := range m {
				run(c)
			}
		case Push, Pop, Notice:
			out = append(out, m)
		case actionResult, planned:
			var next tea.Cmd
			v, next = v.Update(m)
			run(next)
		}
	}
	var cmd tea.Cmd
	v, cmd = v.Update(msg)
	run(cmd)
	return v, out
}

// pushed is the view a dialog-opening Cmd pushes.
func pushed(t *testing.T, cmd tea.Cmd) View {
	t.Helper()
	var found View
	var look func(tea.Cmd)
	look = func(cmd tea.Cmd) {
		if cmd == nil || found != nil {
			return
		}
		msg, _ := quick(cmd)
		switch m := msg.(type) {
		case Push:
			found = m.View
		case tea.BatchMsg:
			for _, c := range m {
				look(c)
			}
		}
	}
	look(cmd)
	if found == nil {
		t.Fatal("no view pushed")
	}
	return found
}

func typeInto(v View, s string) View {
	for _, r := range s {
		v, _ = drive(v, tea.KeyPressMsg{Code: r, Text: string(r)})
	}
	return v
}

func actionCommon(t *testing.T, r *recorder) (*Common, *memAudit) {
	c := testCommon(t)
	audit := &memAudit{}
	c.Cluster, c.Audit, c.Context = r, audit, "prod"
	c.Snapshot = &kafkaclient.Snapshot{Brokers: []kafkaclient.BrokerInfo{{ID: 1, Up: true}, {ID: 2, Up: true}}}
	return c, audit
}

func TestCreateTopicValidatesBeforeSending(t *testing.T) {
	r := &recorder{}
	c, audit := actionCommon(t, r)
	var v View = newTopicDialog(c)
	v.SetSize(80, 20)
	v.Init()
	v = typeInto(v, "bad!name")
	v, _ = drive(v, tea.KeyPressMsg{Code: 's', Mod: tea.ModCtrl})
	if s := plain(v); !strings.Contains(s, "'!' is not allowed") || len(r.calls) != 0 {
		t.Fatalf("an invalid name was sent (%v) or not reported:\n%s", r.calls, s)
	}
	for range len("bad!name") {
		v, _ = drive(v, tea.KeyPressMsg{Code: tea.KeyBackspace})
	}
	v = typeInto(v, "payments.v2")
	v, _ = drive(v, tea.KeyPressMsg{Code: tea.KeyTab})
	v, _ = drive(v, tea.KeyPressMsg{Code: tea.KeyTab})
	v, _ = drive(v, tea.KeyPressMsg{Code: tea.KeyBackspace}) // RF 2 → empty
	v = typeInto(v, "3")                                     // more than the 2 brokers up
	v, _ = drive(v, tea.KeyPressMsg{Code: 's', Mod: tea.ModCtrl})
	if len(r.calls) != 0 {
		t.Fatalf("RF above the live brokers was sent: %v", r.calls)
	}
	v, _ = drive(v, tea.KeyPressMsg{Code: tea.KeyBackspace})
	v = typeInto(v, "2")
	v, _ = drive(v, tea.KeyPressMsg{Code: tea.KeyTab})
	v = typeInto(v, "retention.ms=3600000")
	_, out := drive(v, tea.KeyPressMsg{Code: 's', Mod: tea.ModCtrl})
	if len(r.created) != 1 || r.created[0].Name != "payments.v2" || r.created[0].ReplicationFactor != 2 || r.created[0].Configs["retention.ms"] != "3600000" {
		t.Fatalf("created %+v", r.created)
	}
	if len(out) != 2 || out[0] != (Pop{}) || !strings.Contains(out[1].(Notice).Text, "created topic payments.v2") {
		t.Errorf("after creating: %+v", out)
	}
	if len(*audit) != 1 || (*audit)[0].Action != "create topic" || (*audit)[0].Result != "ok" || (*audit)[0].Context != "prod" {
		t.Errorf("audit %+v", *audit)
	}
}

func TestDeleteTopicWantsItsName(t *testing.T) {
	r := &recorder{}
	c, audit := actionCommon(t, r)
	topic := &kafkaclient.TopicInfo{Name: "orders", Partitions: []kafkaclient.PartitionInfo{{ID: 0}}}
	v := pushed(t, deleteTopicDialog(c, topic))
	v.SetSize(80, 20)
	if !strings.Contains(plain(v), "Delete topic orders") {
		t.Fatalf("the confirmation does not name the topic:\n%s", plain(v))
	}
	v = typeInto(v, "order")
	v, _ = drive(v, tea.KeyPressMsg{Code: tea.KeyEnter})
	if len(r.calls) != 0 {
		t.Fatal("deleted without the exact name")
	}
	v = typeInto(v, "s")
	drive(v, tea.KeyPressMsg{Code: tea.KeyEnter})
	if len(r.calls) == 0 || r.calls[0] != "delete orders" || len(*audit) != 1 {
		t.Errorf("calls %v, audit %v", r.calls, *audit)
	}
	if cmd := deleteTopicDialog(c, &kafkaclient.TopicInfo{Name: "__consumer_offsets", Internal: true}); cmd().(Notice).Error != true {
		t.Error("an internal topic was offered for deletion")
	}
}

func TestRefusedChangeKeepsTheDialogAndIsAudited(t *testing.T) {
	r := &recorder{err: errors.New("delete topic orders: read-only mode: kscope does not change the cluster")}
	c, audit := actionCommon(t, r)
	v := pushed(t, deleteTopicDialog(c, &kafkaclient.TopicInfo{Name: "orders"}))
	v.SetSize(80, 20)
	v = typeInto(v, "orders")
	v, out := drive(v, tea.KeyPressMsg{Code: tea.KeyEnter})
	if len(out) != 0 || !strings.Contains(plain(v), "read-only mode") {
		t.Errorf("out %v, view:\n%s", out, plain(v))
	}
	if len(*audit) != 1 || !strings.Contains((*audit)[0].Result, "read-only") {
		t.Errorf("audit %+v", *audit)
	}
	// Enter on the error closes the dialog; it does not try again.
	_, out = drive(v, tea.KeyPressMsg{Code: tea.KeyEnter})
	if len(r.calls) != 1 || len(out) != 1 || out[0] != (Pop{}) {
		t.Errorf("after the error: calls %v, out %v", r.calls, out)
	}
}

func TestResetOffsetsPreviewThenApply(t *testing.T) {
	r := &recorder{plan: kafkaclient.ResetPlan{Group: "shop", Rows: []kafkaclient.ResetPlanRow{
		{TopicPartition: tp(0), Current: 100, New: 40, Delta: -60},
		{TopicPartition: tp(1), Current: 100, New: 150, Delta: 50},
		{TopicPartition: tp(2), Current: -1, New: 0},
	}}}
	c, _ := actionCommon(t, r)
	g := shop(t0, 100, "Empty")
	v := pushed(t, resetOffsetsDialog(c, g))
	v.SetSize(100, 24)
	_, _ = drive(v, tea.KeyPressMsg{Code: 's', Mod: tea.ModCtrl}) // earliest
	s := plain(v)
	for _, want := range []string{"orders/0", "100 → 40", "re-reads 60", "skips 50", "first commit", "60 records re-consumed, 50 skipped"} {
		if !strings.Contains(s, want) {
			t.Errorf("preview lacks %q:\n%s", want, s)
		}
	}
	if len(r.applied) != 0 {
		t.Fatal("applied before confirmation")
	}
	v = typeInto(v, "shop")
	drive(v, tea.KeyPressMsg{Code: tea.KeyEnter})
	if len(r.applied) != 1 || len(r.applied[0].Rows) != 3 || r.applied[0].Rows[0].New != 40 {
		t.Errorf("applied %+v", r.applied)
	}
}

func TestProduceChecksJSONAndHeaders(t *testing.T) {
	c, _ := actionCommon(t, &recorder{})
	f := NewForm(c, "p", []Field{{Name: "key"}, {Name: "value", Kind: FieldMultiline}, {Name: "json"},
		{Name: "headers", Kind: FieldMultiline}, {Name: "partition"}, {Name: "acks"}}, "send")
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

func TestReadOnlyRemovesDangerousKeys(t *testing.T) {
	c, _ := actionCommon(t, &recorder{})
	c.Keys.SetReadOnly(true)
	v := NewTopics(c)
	if _, cmd := v.Update(press("n")); cmd != nil {
		t.Error("n opened a dialog in read-only mode")
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
