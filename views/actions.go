package views

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"kscope/kafkaclient"
	"kscope/views/sanitize"
)

// actionTimeout bounds one change as the user waits for it.
const actionTimeout = 30 * time.Second

// Pop asks the root to close the view on top: a dialog that is done.
type Pop struct{}

func pop() tea.Msg { return Pop{} }

// actionResult answers a dialog's change.
type actionResult struct {
	owner View
	text  string
	err   error
}

// act makes a change off the event loop: it records it in the audit file
// whatever the outcome, asks for a refresh after a success, and answers
// the dialog that asked.
func act(c *Common, owner View, action, target string, do func(ctx context.Context) (string, error)) tea.Cmd {
	cluster, audit, label := c.Cluster, c.Audit, c.Context
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), actionTimeout)
		defer cancel()
		text, err := do(ctx)
		result := "ok"
		if err != nil {
			result = err.Error()
		} else {
			cluster.Refresh()
		}
		if audit != nil {
			if aerr := audit.Record(kafkaclient.AuditEntry{Time: time.Now(), Context: label, Action: action, Target: target, Result: result}); aerr != nil && err == nil {
				text += " (not recorded in the audit file: " + aerr.Error() + ")"
			}
		}
		return actionResult{owner: owner, text: text, err: err}
	}
}

// dialog is a form or a confirmation pushed as a view of its own: it takes
// every key (esc cancels), runs its change on submit, and closes itself
// once the change is made; a refused change keeps it open with the error.
type dialog struct {
	c      *Common
	title  string
	form   *Form
	ask    *Confirm
	submit func(d *dialog) tea.Cmd
	busy   bool
	// failed is set when a confirmed change was refused: the dialog now
	// only shows why, and any answer closes it.
	failed bool
	width  int
	height int
}

// Init implements View.
func (d *dialog) Init() tea.Cmd {
	if d.ask != nil {
		return d.ask.Focus()
	}
	return d.form.Focus()
}

// Title implements View.
func (d *dialog) Title() string { return d.title }

// CapturesInput implements InputCapturer: the dialog owns every key.
func (d *dialog) CapturesInput() bool { return true }

// SetSize implements View.
func (d *dialog) SetSize(w, h int) {
	d.width, d.height = w, h
	if d.form != nil {
		d.form.SetSize(w, h)
	}
	if d.ask != nil {
		d.ask.SetSize(w, h)
	}
}

// Update implements View.
func (d *dialog) Update(msg tea.Msg) (View, tea.Cmd) {
	switch msg := msg.(type) {
	case actionResult:
		if msg.owner != d {
			return d, nil
		}
		d.busy = false
		if msg.err != nil {
			d.fail(msg.err)
			return d, nil
		}
		return d, tea.Batch(pop, notify(msg.text, false))
	case tea.KeyPressMsg, tea.PasteMsg:
		if d.busy {
			return d, nil
		}
		if d.ask != nil {
			cmd, done, ok := d.ask.Update(msg)
			switch {
			case done && d.failed:
				return d, pop
			case done && ok:
				d.busy = true
				return d, d.submit(d)
			case done:
				return d, tea.Batch(pop, notify("cancelled", false))
			}
			return d, cmd
		}
		cmd, done, ok := d.form.Update(msg)
		switch {
		case done && ok:
			if next := d.submit(d); next != nil {
				d.busy = true
				return d, next
			}
			return d, nil
		case done:
			return d, tea.Batch(pop, notify("cancelled", false))
		}
		return d, cmd
	}
	return d, nil
}

// fail shows an error where the user can act on it: beside the field a
// validation names, else for the whole dialog.
func (d *dialog) fail(err error) {
	if d.form == nil {
		d.ask = NewConfirm(d.c, d.title, "failed: "+err.Error(), "")
		d.ask.SetSize(d.width, d.height)
		d.failed = true
		return
	}
	if fes := kafkaclient.FieldErrors(err); len(fes) > 0 {
		for _, fe := range fes {
			d.form.SetError(fe.Field, fe.Msg)
		}
		return
	}
	d.form.SetFormError(err.Error())
}

// View implements View.
func (d *dialog) View() string {
	if d.ask != nil {
		return d.ask.View()
	}
	return d.form.View()
}

// ShortHelp implements help.KeyMap: the dialog draws its own keys.
func (d *dialog) ShortHelp() []key.Binding { return nil }

// FullHelp implements help.KeyMap.
func (d *dialog) FullHelp() [][]key.Binding { return nil }

func plainName(s string) string {
	p, _ := sanitize.Plain(s)
	return p
}

// newTopicDialog asks for a topic to create, checked before it is sent.
func newTopicDialog(c *Common) *dialog {
	brokers := 1
	if c.Snapshot != nil {
		brokers = max(c.Snapshot.BrokersUp(), 1)
	}
	return &dialog{c: c, title: "new topic", form: NewForm(c, "Create a topic", []Field{
		// Named as kafkaclient.ValidateTopic names them, so its errors land beside them.
		{Name: "Name", Label: "Name", Required: true, Help: "letters, digits, '.', '_' and '-'"},
		{Name: "Partitions", Label: "Partitions", Kind: FieldNumber, Value: "3", Required: true},
		{Name: "ReplicationFactor", Label: "Replication factor", Kind: FieldNumber, Value: strconv.Itoa(min(3, brokers)), Required: true,
			Help: fmt.Sprintf("at most %d (brokers up)", brokers)},
		{Name: "Configs", Label: "Configs", Kind: FieldMultiline, Help: "one key=value a line, e.g. retention.ms=86400000"},
	}, "create"), submit: func(d *dialog) tea.Cmd {
		spec, err := topicSpec(d.form)
		if err == nil {
			err = kafkaclient.ValidateTopic(spec, brokers)
		}
		if err != nil {
			d.fail(err)
			return nil
		}
		return act(c, d, "create topic", spec.Name, func(ctx context.Context) (string, error) {
			if err := c.Cluster.CreateTopic(ctx, spec); err != nil {
				return "", err
			}
			return fmt.Sprintf("created topic %s (%d partitions, RF %d)", plainName(spec.Name), spec.Partitions, spec.ReplicationFactor), nil
		})
	}}
}

func topicSpec(f *Form) (kafkaclient.TopicSpec, error) {
	parts, err := strconv.ParseInt(f.Value("Partitions"), 10, 32)
	if err != nil {
		return kafkaclient.TopicSpec{}, &kafkaclient.FieldError{Field: "Partitions", Msg: "a whole number"}
	}
	rf, err := strconv.ParseInt(f.Value("ReplicationFactor"), 10, 16)
	if err != nil {
		return kafkaclient.TopicSpec{}, &kafkaclient.FieldError{Field: "ReplicationFactor", Msg: "a whole number"}
	}
	spec := kafkaclient.TopicSpec{Name: strings.TrimSpace(f.Value("Name")), Partitions: int32(parts), ReplicationFactor: int16(rf)}
	for i, line := range strings.Split(f.Value("Configs"), "\n") {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		k, v, ok := strings.Cut(line, "=")
		if !ok {
			return spec, &kafkaclient.FieldError{Field: "Configs", Msg: fmt.Sprintf("line %d: want key=value", i+1)}
		}
		if spec.Configs == nil {
			spec.Configs = map[string]string{}
		}
		spec.Configs[strings.TrimSpace(k)] = strings.TrimSpace(v)
	}
	return spec, nil
}

// deleteTopicDialog asks for the topic's name to be typed before deleting it.
func deleteTopicDialog(c *Common, t *kafkaclient.TopicInfo) tea.Cmd {
	if t.Internal {
		return notify("internal topics cannot be deleted", true)
	}
	explanation := fmt.Sprintf("Delete topic %s and its %s records in %d partitions? This cannot be undone.",
		plainName(t.Name), count(t.Messages()), len(t.Partitions))
	d := &dialog{c: c, title: "delete topic", ask: NewConfirm(c, "Delete topic", explanation, t.Name)}
	name := t.Name
	d.submit = func(d *dialog) tea.Cmd {
		return act(c, d, "delete topic", name, func(ctx context.Context) (string, error) {
			return "deleted topic " + plainName(name), c.Cluster.DeleteTopic(ctx, name)
		})
	}
	return tea.Batch(push(d), d.Init())
}

// addPartitionsDialog asks for the new partition count.
func addPartitionsDialog(c *Common, t *kafkaclient.TopicInfo) tea.Cmd {
	current := len(t.Partitions)
	name := t.Name
	d := &dialog{c: c, title: "add partitions", form: NewForm(c, "Add partitions to "+plainName(name), []Field{
		{Name: "total", Label: "Partitions in all", Kind: FieldNumber, Value: strconv.Itoa(current + 1), Required: true,
			Help: fmt.Sprintf("now %d. Keyed records will map to different partitions from now on.", current)},
	}, "add")}
	d.submit = func(d *dialog) tea.Cmd {
		total, err := strconv.ParseInt(d.form.Value("total"), 10, 32)
		if err != nil || int(total) <= current {
			d.fail(&kafkaclient.FieldError{Field: "total", Msg: fmt.Sprintf("more than %d", current)})
			return nil
		}
		return act(c, d, "add partitions", fmt.Sprintf("%s %d→%d", name, current, total), func(ctx context.Context) (string, error) {
			return fmt.Sprintf("%s now has %d partitions", plainName(name), total), c.Cluster.AddPartitions(ctx, name, int32(total))
		})
	}
	return tea.Batch(push(d), d.Init())
}

// editConfigDialog asks for a new value of one topic config entry.
func editConfigDialog(c *Common, topic string, e kafkaclient.ConfigEntry) tea.Cmd {
	if e.ReadOnly {
		return notify(e.Name+" is read-only", true)
	}
	value := e.Value
	if e.Sensitive {
		value = ""
	}
	d := &dialog{c: c, title: "edit config", form: NewForm(c, "Set "+plainName(e.Name)+" on "+plainName(topic), []Field{
		{Name: "value", Label: "Value", Value: value, Required: true,
			Help: fmt.Sprintf("now %s (from %s); default %s", orDash(plainName(e.Value)), e.Source, orDash(plainName(e.Default)))},
	}, "set")}
	d.submit = func(d *dialog) tea.Cmd {
		v := d.form.Value("value")
		return act(c, d, "set config", topic+" "+e.Name, func(ctx context.Context) (string, error) {
			return fmt.Sprintf("%s of %s set", plainName(e.Name), plainName(topic)), c.Cluster.SetTopicConfig(ctx, topic, e.Name, &v)
		})
	}
	return tea.Batch(push(d), d.Init())
}

// resetConfigDialog returns a config entry to its default after a confirmation.
func resetConfigDialog(c *Common, topic string, e kafkaclient.ConfigEntry) tea.Cmd {
	if e.Source != "topic" {
		return notify(e.Name+" is not set on the topic: it already has its default", false)
	}
	explanation := fmt.Sprintf("Remove %s from %s, so that it returns to %s?", plainName(e.Name), plainName(topic), orDash(plainName(e.Default)))
	d := &dialog{c: c, title: "config default", ask: NewConfirm(c, "Return to default", explanation, e.Name)}
	d.submit = func(d *dialog) tea.Cmd {
		return act(c, d, "reset config", topic+" "+e.Name, func(ctx context.Context) (string, error) {
			return fmt.Sprintf("%s of %s is back to its default", plainName(e.Name), plainName(topic)), c.Cluster.SetTopicConfig(ctx, topic, e.Name, nil)
		})
	}
	return tea.Batch(push(d), d.Init())
}

func orDash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}

// editorDone brings back a value written in $EDITOR.
type editorDone struct {
	owner *dialog
	value string
	err   error
}

// produceDialog asks for a record to write to topic.
func produceDialog(c *Common, topic string) tea.Cmd {
	d := &dialog{c: c, title: "produce", form: NewForm(c, "Produce to "+plainName(topic), []Field{
		{Name: "key", Label: "Key", Help: "empty: no key"},
		{Name: "value", Label: "Value", Kind: FieldMultiline, Help: "ctrl+e opens $EDITOR"},
		{Name: "json", Label: "Value is JSON", Kind: FieldChoice, Choices: []string{"no", "yes: check it"}},
		{Name: "headers", Label: "Headers", Kind: FieldMultiline, Help: "one key: value a line"},
		{Name: "partition", Label: "Partition", Value: "by key", Help: "a number, or \"by key\" as producers hash keys"},
		{Name: "acks", Label: "Acks", Kind: FieldChoice, Choices: []string{"all", "1", "0"}},
	}, "send")}
	d.submit = func(d *dialog) tea.Cmd {
		req, err := produceRequest(topic, d.form)
		if err != nil {
			d.fail(err)
			return nil
		}
		return act(c, d, "produce", topic, func(ctx context.Context) (string, error) {
			res, err := c.Cluster.Produce(ctx, req)
			if err != nil {
				return "", err
			}
			if res.Offset < 0 {
				return fmt.Sprintf("sent to %s/%d (acks=0: no offset)", plainName(topic), res.Partition), nil
			}
			return fmt.Sprintf("written to %s/%d at offset %d", plainName(topic), res.Partition, res.Offset), nil
		})
	}
	return tea.Batch(push(&produceView{dialog: d}), d.Init())
}

// produceView is the produce dialog with ctrl+e for $EDITOR.
type produceView struct{ *dialog }

// Update implements View.
func (p *produceView) Update(msg tea.Msg) (View, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.KeyPressMsg:
		if msg.String() == "ctrl+e" && !p.busy {
			return p, p.edit()
		}
	case editorDone:
		if msg.owner != p.dialog {
			return p, nil
		}
		if msg.err != nil {
			p.form.SetError("value", "editor: "+msg.err.Error())
			return p, nil
		}
		p.form.SetValue("value", msg.value)
		return p, nil
	}
	_, cmd := p.dialog.Update(msg)
	return p, cmd
}

// edit hands the value to $EDITOR (vi when unset) in a temporary file.
func (p *produceView) edit() tea.Cmd {
	f, err := os.CreateTemp("", "kscope-value-*.txt")
	if err != nil {
		p.form.SetError("value", err.Error())
		return nil
	}
	name := f.Name()
	_, err = f.WriteString(p.form.Value("value"))
	f.Close()
	if err != nil {
		os.Remove(name)
		p.form.SetError("value", err.Error())
		return nil
	}
	editor := os.Getenv("EDITOR")
	if editor == "" {
		editor = "vi"
	}
	d := p.dialog
	return tea.ExecProcess(exec.Command("sh", "-c", editor+` "$1"`, "editor", name), func(err error) tea.Msg {
		defer os.Remove(name)
		if err != nil {
			return editorDone{owner: d, err: err}
		}
		b, err := os.ReadFile(name)
		return editorDone{owner: d, value: strings.TrimSuffix(string(b), "\n"), err: err}
	})
}

func produceRequest(topic string, f *Form) (kafkaclient.ProduceRequest, error) {
	req := kafkaclient.ProduceRequest{Topic: topic, Partition: -1, Acks: f.Value("acks")}
	if k := f.Value("key"); k != "" {
		req.Key = []byte(k)
	}
	req.Value = []byte(f.Value("value"))
	if strings.HasPrefix(f.Value("json"), "yes") && !json.Valid(req.Value) {
		var v any
		err := json.Unmarshal(req.Value, &v)
		return req, &kafkaclient.FieldError{Field: "value", Msg: "not valid JSON: " + err.Error()}
	}
	for i, line := range strings.Split(f.Value("headers"), "\n") {
		if strings.TrimSpace(line) == "" {
			continue
		}
		k, v, ok := strings.Cut(line, ":")
		if !ok {
			return req, &kafkaclient.FieldError{Field: "headers", Msg: fmt.Sprintf("line %d: want key: value", i+1)}
		}
		req.Headers = append(req.Headers, kafkaclient.Header{Key: []byte(strings.TrimSpace(k)), Value: []byte(strings.TrimSpace(v))})
	}
	if p := strings.TrimSpace(f.Value("partition")); p != "" && p != "by key" {
		n, err := strconv.ParseInt(p, 10, 32)
		if err != nil || n < 0 {
			return req, &kafkaclient.FieldError{Field: "partition", Msg: "a partition number, or \"by key\""}
		}
		req.Partition = int32(n)
	}
	return req, nil
}

// planned answers a reset dialog's preview request.
type planned struct {
	owner *dialog
	plan  kafkaclient.ResetPlan
	err   error
}

// resetOffsetsDialog asks where to move a group's offsets, shows every
// partition's current → new offset, and writes them only after the group's
// name is typed.
func resetOffsetsDialog(c *Common, g kafkaclient.GroupInfo) tea.Cmd {
	topics := g.Topics()
	if len(topics) == 0 {
		return notify("the group has no topics to reset", true)
	}
	d := &dialog{c: c, title: "reset offsets", form: NewForm(c, "Reset the offsets of "+plainName(g.Name), []Field{
		{Name: "topic", Label: "Topic", Kind: FieldChoice, Choices: topics},
		{Name: "partitions", Label: "Partitions", Value: "all", Help: "all, or a list such as 0,3,7"},
		{Name: "to", Label: "To", Kind: FieldChoice, Choices: []string{"earliest", "latest", "offset", "time", "shift"}},
		{Name: "value", Label: "Value", Help: "offset: 1234 · time: 2026-11-21T09:00:00Z or -15m · shift: -100 or +100"},
	}, "preview")}
	group := g.Name
	d.submit = func(d *dialog) tea.Cmd {
		parts, target, err := resetInput(d.form, c.Now())
		if err != nil {
			d.fail(err)
			return nil
		}
		topic := d.form.Value("topic")
		cluster := c.Cluster
		return func() tea.Msg {
			ctx, cancel := context.WithTimeout(context.Background(), actionTimeout)
			defer cancel()
			plan, err := cluster.PlanReset(ctx, group, topic, parts, target)
			return planned{owner: d, plan: plan, err: err}
		}
	}
	return tea.Batch(push(&resetView{dialog: d}), d.Init())
}

// resetView is the reset dialog, which turns into a preview to confirm.
type resetView struct{ *dialog }

// Update implements View.
func (r *resetView) Update(msg tea.Msg) (View, tea.Cmd) {
	if p, ok := msg.(planned); ok && p.owner == r.dialog {
		r.busy = false
		if p.err != nil {
			r.fail(p.err)
			return r, nil
		}
		plan := p.plan
		r.ask = NewConfirm(r.c, "Reset offsets: preview", previewText(plan), plan.Group)
		r.ask.SetSize(r.width, r.height)
		r.submit = func(d *dialog) tea.Cmd {
			return act(r.c, d, "reset offsets", plan.Group, func(ctx context.Context) (string, error) {
				return fmt.Sprintf("offsets of %s reset in %d partitions", plainName(plan.Group), len(plan.Rows)), r.c.Cluster.ApplyReset(ctx, plan)
			})
		}
		return r, r.ask.Focus()
	}
	_, cmd := r.dialog.Update(msg)
	return r, cmd
}

// previewText lists current → new per partition and what it means.
func previewText(p kafkaclient.ResetPlan) string {
	var b strings.Builder
	var skip, again int64
	fmt.Fprintf(&b, "%-28s %12s    %-12s %s\n", "PARTITION", "CURRENT", "NEW", "EFFECT")
	for _, r := range p.Rows {
		current := "—"
		if r.Current >= 0 {
			current = count(r.Current)
		}
		effect := "no change"
		switch {
		case r.Current < 0:
			effect = "first commit"
		case r.Delta > 0:
			effect = fmt.Sprintf("skips %s", count(r.Delta))
			skip += r.Delta
		case r.Delta < 0:
			effect = fmt.Sprintf("re-reads %s", count(-r.Delta))
			again += -r.Delta
		}
		fmt.Fprintf(&b, "%-28s %12s → %-12s %s\n", plainName(r.Topic)+"/"+strconv.Itoa(int(r.Partition)), current, count(r.New), effect)
	}
	fmt.Fprintf(&b, "\nIn all: %s records re-consumed, %s skipped.", count(again), count(skip))
	if len(p.Members) > 0 {
		var names []string
		for _, m := range p.Members {
			names = append(names, plainName(m.ClientID)+" ("+plainName(m.Host)+")")
		}
		fmt.Fprintf(&b, "\nThe group has members: %s. Kafka resets only an empty group: stop them first.", strings.Join(names, ", "))
	}
	return b.String()
}

func resetInput(f *Form, now time.Time) ([]int32, kafkaclient.ResetTarget, error) {
	var parts []int32
	if p := strings.TrimSpace(f.Value("partitions")); p != "" && p != "all" {
		for _, s := range strings.Split(p, ",") {
			n, err := strconv.ParseInt(strings.TrimSpace(s), 10, 32)
			if err != nil || n < 0 {
				return nil, kafkaclient.ResetTarget{}, &kafkaclient.FieldError{Field: "partitions", Msg: "all, or partition numbers such as 0,3,7"}
			}
			parts = append(parts, int32(n))
		}
	}
	v := strings.TrimSpace(f.Value("value"))
	var t kafkaclient.ResetTarget
	switch f.Value("to") {
	case "earliest":
		t.Kind = kafkaclient.ResetEarliest
	case "latest":
		t.Kind = kafkaclient.ResetLatest
	case "offset":
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 0 {
			return nil, t, &kafkaclient.FieldError{Field: "value", Msg: "an offset, such as 1234"}
		}
		t.Kind, t.Offset = kafkaclient.ResetOffset, n
	case "time":
		from, err := kafkaclient.ParseFrom(v, now)
		if err != nil || from.Kind != kafkaclient.FromTime {
			return nil, t, &kafkaclient.FieldError{Field: "value", Msg: "a time such as 2026-11-21T09:00:00Z, or -15m"}
		}
		t.Kind, t.Time = kafkaclient.ResetTime, from.Time
	case "shift":
		n, err := strconv.ParseInt(strings.TrimPrefix(v, "+"), 10, 64)
		if err != nil || n == 0 {
			return nil, t, &kafkaclient.FieldError{Field: "value", Msg: "a shift such as -100 or +100"}
		}
		t.Kind, t.Shift = kafkaclient.ResetShift, n
	}
	return parts, t, nil
}

// deleteOffsetsDialog removes a group's committed offsets for one topic.
func deleteOffsetsDialog(c *Common, group, topic string) tea.Cmd {
	explanation := fmt.Sprintf("Delete the committed offsets of group %s for topic %s? The group would start that topic again from its offset reset policy.",
		plainName(group), plainName(topic))
	d := &dialog{c: c, title: "delete offsets", ask: NewConfirm(c, "Delete committed offsets", explanation, group)}
	d.submit = func(d *dialog) tea.Cmd {
		return act(c, d, "delete offsets", group+" "+topic, func(ctx context.Context) (string, error) {
			return fmt.Sprintf("offsets of %s for %s deleted", plainName(group), plainName(topic)), c.Cluster.DeleteGroupOffsets(ctx, group, topic)
		})
	}
	return tea.Batch(push(d), d.Init())
}

// deleteGroupDialog deletes an empty group.
func deleteGroupDialog(c *Common, g kafkaclient.GroupInfo) tea.Cmd {
	if len(g.Members) > 0 {
		return notify(fmt.Sprintf("%s has %d members: only an empty group can be deleted", plainName(g.Name), len(g.Members)), true)
	}
	explanation := fmt.Sprintf("Delete group %s and its committed offsets in %d partitions?", plainName(g.Name), len(g.Offsets))
	d := &dialog{c: c, title: "delete group", ask: NewConfirm(c, "Delete group", explanation, g.Name)}
	name := g.Name
	d.submit = func(d *dialog) tea.Cmd {
		return act(c, d, "delete group", name, func(ctx context.Context) (string, error) {
			return "deleted group " + plainName(name), c.Cluster.DeleteGroup(ctx, name)
		})
	}
	return tea.Batch(push(d), d.Init())
}
