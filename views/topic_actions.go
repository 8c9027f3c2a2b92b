package views

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"kscope/kafkaclient"
	"kscope/views/widget"
)

// newTopicDialog asks for a topic to create, checked before it is sent.
func newTopicDialog(c *Common, admin TopicAdmin) tea.Cmd {
	brokers := 1
	if c.Snapshot != nil {
		brokers = max(c.Snapshot.BrokersUp(), 1)
	}
	var warned int64
	return push(&dialog{c: c, title: "new topic", form: widget.NewForm(c.Styles, "Create a topic", []widget.Field{
		// Named as kafkaclient.ValidateTopic names them, so its errors land beside them.
		{Name: "Name", Label: "Name", Required: true, Help: "letters, digits, '.', '_' and '-'"},
		{Name: "Partitions", Label: "Partitions", Kind: widget.FieldNumber, Value: "3", Required: true,
			Help: fmt.Sprintf("at most %d with %d replicas each on %d brokers", kafkaclient.MaxPartitions(int16(min(3, brokers)), brokers), min(3, brokers), brokers)},
		{Name: "ReplicationFactor", Label: "Replication factor", Kind: widget.FieldNumber, Value: strconv.Itoa(min(3, brokers)), Required: true,
			Help: fmt.Sprintf("at most %d (brokers up)", brokers)},
		{Name: "Configs", Label: "Configs", Kind: widget.FieldMultiline, Help: "one key=value a line, e.g. retention.ms=86400000"},
	}, "create"), submit: func(d *dialog) tea.Cmd {
		spec, err := topicSpec(d.form)
		if err == nil {
			err = kafkaclient.ValidateTopic(spec, brokers)
		}
		if err == nil {
			err = confirmMany("Partitions", int64(spec.Partitions), &warned)
		}
		if err != nil {
			d.fail(err)
			return nil
		}
		entry := kafkaclient.AuditEntry{Action: "create topic", Target: spec.Name, Topic: spec.Name, Changes: []kafkaclient.Change{
			{What: "partitions", After: numberText(int64(spec.Partitions))},
			{What: "replication factor", After: numberText(int64(spec.ReplicationFactor))},
		}}
		for _, k := range slices.Sorted(maps.Keys(spec.Configs)) {
			v := spec.Configs[k]
			entry.Changes = append(entry.Changes, kafkaclient.ConfigChange(k, nil, &v))
		}
		return d.act(entry, func(ctx context.Context) (string, error) {
			if err := admin.CreateTopic(ctx, spec); err != nil {
				return "", err
			}
			return fmt.Sprintf("created topic %s (%s, RF %d)", plainName(spec.Name), plural(int64(spec.Partitions), "partition", "partitions"), spec.ReplicationFactor), nil
		})
	}})
}

func topicSpec(f *widget.Form) (kafkaclient.TopicSpec, error) {
	parts, err := strconv.ParseInt(f.Value("Partitions"), 10, 32)
	if err != nil {
		return kafkaclient.TopicSpec{}, &kafkaclient.FieldError{Field: "Partitions", Msg: "a whole number"}
	}
	rf, err := strconv.ParseInt(f.Value("ReplicationFactor"), 10, 16)
	if err != nil {
		return kafkaclient.TopicSpec{}, &kafkaclient.FieldError{Field: "ReplicationFactor", Msg: "a whole number"}
	}
	spec := kafkaclient.TopicSpec{Name: f.Value("Name"), Partitions: int32(parts), ReplicationFactor: int16(rf)}
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

// consumersFound answers a delete dialog's look-up of the groups that
// have committed offsets on the topic.
type consumersFound struct {
	groups []string
	err    error
}

// groupsTimeout bounds the look-up of a topic's consumer groups.
const groupsTimeout = 15 * time.Second

// deleteTopicDialog asks for the topic's name to be typed before deleting
// it. As it opens it asks the cluster, once, which groups consume the
// topic, and names them: their committed offsets go with the topic.
func deleteTopicDialog(c *Common, admin TopicAdmin, groups GroupReader, t *kafkaclient.TopicInfo) tea.Cmd {
	if t.Internal {
		return notify("internal topics cannot be deleted", true)
	}
	name := t.Name
	explanation := fmt.Sprintf("Delete topic %s and its %s in %s? This cannot be undone.",
		plainName(name), plural(t.Messages(), "record", "records"), plural(int64(len(t.Partitions)), "partition", "partitions"))
	d := &dialog{c: c, title: "delete topic", ask: widget.NewConfirm(c.Styles, "Delete topic", explanation, name)}
	d.submit = func(d *dialog) tea.Cmd {
		entry := kafkaclient.AuditEntry{Action: "delete topic", Target: name, Topic: name,
			Changes: []kafkaclient.Change{{What: "partitions", Before: numberText(int64(len(t.Partitions)))}}}
		return d.act(entry, func(ctx context.Context) (string, error) {
			return "deleted topic " + plainName(name), admin.DeleteTopic(ctx, name)
		})
	}
	if groups == nil {
		return push(d)
	}
	d.ask.SetExplanation(explanation + "\n\nConsumer groups: looking…")
	d.start = func(d *dialog) tea.Cmd {
		return d.scope.Do(func(ctx context.Context) tea.Msg {
			ctx, cancel := context.WithTimeout(ctx, groupsTimeout)
			defer cancel()
			gs, err := groups.Groups(ctx)
			var names []string
			for _, g := range gs {
				if slices.Contains(g.Topics(), name) {
					names = append(names, g.Name)
				}
			}
			return consumersFound{groups: names, err: err}
		})
	}
	d.answer = func(d *dialog, msg tea.Msg) (tea.Cmd, bool) {
		found, ok := msg.(consumersFound)
		if !ok {
			return nil, false
		}
		d.ask.SetExplanation(explanation + "\n\n" + consumersText(found))
		return nil, true
	}
	return push(d)
}

// consumersText names the groups that would lose their offsets.
func consumersText(f consumersFound) string {
	switch {
	case f.err != nil && len(f.groups) == 0:
		return "Consumer groups: could not be listed (" + f.err.Error() + ")."
	case len(f.groups) == 0:
		return "No consumer group has committed offsets on it."
	}
	names := make([]string, len(f.groups))
	for i, g := range f.groups {
		names[i] = plainName(g)
	}
	return fmt.Sprintf("Consumed by %s: %s. Their committed offsets on it are deleted with it.",
		plural(int64(len(names)), "group", "groups"), strings.Join(names, ", "))
}

// addPartitionsDialog asks for the new partition count.
func addPartitionsDialog(c *Common, admin TopicAdmin, t *kafkaclient.TopicInfo) tea.Cmd {
	current := len(t.Partitions)
	name := t.Name
	d := &dialog{c: c, title: "add partitions", form: widget.NewForm(c.Styles, "Add partitions to "+plainName(name), []widget.Field{
		{Name: "total", Label: "Partitions in all", Kind: widget.FieldNumber, Value: strconv.Itoa(current + 1), Required: true,
			Help: fmt.Sprintf("now %d. Keyed records will map to different partitions from now on.", current)},
	}, "add")}
	var warned int64
	d.submit = func(d *dialog) tea.Cmd {
		total, err := strconv.ParseInt(d.form.Value("total"), 10, 32)
		if err != nil || int(total) <= current {
			d.fail(&kafkaclient.FieldError{Field: "total", Msg: fmt.Sprintf("more than %d", current)})
			return nil
		}
		if err := confirmMany("total", total, &warned); err != nil {
			d.fail(err)
			return nil
		}
		entry := kafkaclient.AuditEntry{Action: "add partitions", Target: name, Topic: name,
			Changes: []kafkaclient.Change{{What: "partitions", Before: numberText(int64(current)), After: numberText(total)}}}
		return d.act(entry, func(ctx context.Context) (string, error) {
			return fmt.Sprintf("%s now has %s", plainName(name), plural(total, "partition", "partitions")), admin.AddPartitions(ctx, name, int32(total))
		})
	}
	return push(d)
}

// editConfigDialog asks for a new value of one topic config entry.
func editConfigDialog(c *Common, admin TopicAdmin, topic string, e kafkaclient.ConfigEntry) tea.Cmd {
	switch {
	case e.ReadOnly:
		return notify(e.Name+" is read-only", true)
	case e.Sensitive:
		// Typed here it would be on screen and in the audit file.
		return notify(fmt.Sprintf("%s is a secret: kscope does not show or set secrets; use kafka-configs --entity-type topics --entity-name %s",
			plainName(e.Name), plainName(topic)), true)
	}
	value := e.Value
	d := &dialog{c: c, title: "edit config", form: widget.NewForm(c.Styles, "Set "+plainName(e.Name)+" on "+plainName(topic), []widget.Field{
		{Name: "value", Label: "Value", Value: value, Required: true,
			Help: fmt.Sprintf("now %s (from %s); default %s", rawAndHuman(e.Name, e.Value), e.Source, rawAndHuman(e.Name, e.Default))},
	}, "set")}
	warned := ""
	d.submit = func(d *dialog) tea.Cmd {
		v := d.form.Value("value")
		if w := unwritable(c.Snapshot, topic, e.Name, v); w != "" && warned != v {
			// Asked once per value: the same value submitted again is meant.
			warned = v
			d.fail(&kafkaclient.FieldError{Field: "value", Msg: w + "; submit again to set it anyway"})
			return nil
		}
		entry := kafkaclient.AuditEntry{Action: "set config", Target: topic + " " + e.Name, Topic: topic,
			Changes: []kafkaclient.Change{kafkaclient.ConfigChange(e.Name, overrideOf(e), &v)}}
		return d.act(entry, func(ctx context.Context) (string, error) {
			return fmt.Sprintf("%s of %s set", plainName(e.Name), plainName(topic)), admin.SetTopicConfig(ctx, topic, e.Name, &v)
		})
	}
	return push(d)
}

// resetConfigDialog returns a config entry to its default after a confirmation.
func resetConfigDialog(c *Common, admin TopicAdmin, topic string, e kafkaclient.ConfigEntry) tea.Cmd {
	if e.Source != "topic" {
		return notify(e.Name+" is not set on the topic: it already has its default", false)
	}
	explanation := fmt.Sprintf("Remove %s (now %s) from %s, so that it returns to %s?",
		plainName(e.Name), rawAndHuman(e.Name, e.Value), plainName(topic), rawAndHuman(e.Name, e.Default))
	entry := kafkaclient.AuditEntry{Action: "reset config", Target: topic + " " + e.Name, Topic: topic,
		Changes: []kafkaclient.Change{kafkaclient.ConfigChange(e.Name, overrideOf(e), nil)}}
	return confirmChange(c, "config default", "Return to default", explanation, e.Name, entry, func(ctx context.Context) (string, error) {
		return fmt.Sprintf("%s of %s is back to its default", plainName(e.Name), plainName(topic)), admin.SetTopicConfig(ctx, topic, e.Name, nil)
	})
}

// confirmMany asks once for a partition count above what is usual, by
// refusing it the first time with the reason: the same count submitted
// again is meant. The client refuses counts the brokers cannot hold.
func confirmMany(field string, n int64, warned *int64) error {
	if n <= kafkaclient.PartitionWarning || *warned == n {
		return nil
	}
	*warned = n
	return &kafkaclient.FieldError{Field: field, Msg: fmt.Sprintf("%s is many: every partition costs the brokers memory and file handles, and it cannot be undone; submit again to go ahead", count(n))}
}

// overrideOf is the value set on the topic, or nil when the entry has the
// default: what setting it back means.
func overrideOf(e kafkaclient.ConfigEntry) *string {
	if e.Source != "topic" || e.Sensitive {
		return nil
	}
	v := e.Value
	return &v
}

func numberText(n int64) *string {
	s := strconv.FormatInt(n, 10)
	return &s
}

// unwritable warns of a value that would make the topic refuse writes:
// min.insync.replicas above its replication factor refuses every acks=all
// producer.
func unwritable(snap *kafkaclient.Snapshot, topic, name, value string) string {
	if name != "min.insync.replicas" || snap == nil {
		return ""
	}
	t := snap.Topic(topic)
	n, err := strconv.Atoi(strings.TrimSpace(value))
	if t == nil || len(t.Partitions) == 0 || err != nil {
		return ""
	}
	if rf := len(t.Partitions[0].Replicas); n > rf {
		return fmt.Sprintf("%d is above the replication factor %d: every producer with acks=all would be refused", n, rf)
	}
	return ""
}

// rawAndHuman is a config value as Kafka has it, with how it reads when
// that differs: "259200000 (3d)".
func rawAndHuman(name, value string) string {
	raw := orDash(plainName(value))
	if h := humanConfig(name, value); h != value {
		return raw + " (" + h + ")"
	}
	return raw
}

// The steps of editing a value in $EDITOR, each answered to the dialog:
// the file is written and read back off the event loop.
type (
	editorFile struct {
		name string
		err  error
	}
	editorExited struct {
		name string
		err  error
	}
	editorDone struct {
		value string
		err   error
	}
)

// produceDialog asks for a record to write to topic; the value can be
// written in $EDITOR.
func produceDialog(c *Common, producer Producer, topic string) tea.Cmd {
	form := widget.NewForm(c.Styles, "Produce to "+plainName(topic), schemaFields(c, topic, []widget.Field{
		{Name: "key", Label: "Key", Help: "empty: no key"},
		{Name: "value", Label: "Value", Kind: widget.FieldMultiline, Help: c.Keys.Editor.Help().Key + " opens $EDITOR"},
		{Name: "json", Label: "Value is JSON", Kind: widget.FieldChoice, Choices: []string{"no", "yes: check it"}},
		{Name: "headers", Label: "Headers", Kind: widget.FieldMultiline, Help: "one key: value a line"},
		{Name: "partition", Label: "Partition", Value: "by key", Help: "a number, or \"by key\" as producers hash keys"},
		{Name: "acks", Label: "Acks", Kind: widget.FieldChoice, Choices: []string{"all", "1", "0"}},
	}), "send")
	form.ShowKeys(c.Keys.Editor)
	d := &dialog{c: c, title: "produce", form: form, answer: editorStep}
	d.submit = func(d *dialog) tea.Cmd {
		req, err := produceRequest(topic, d.form)
		if err != nil {
			d.fail(err)
			return nil
		}
		encode := schemaEncoding(c, d.form)
		return d.act(kafkaclient.AuditEntry{Action: "produce", Target: topic, Topic: topic}, func(ctx context.Context) (string, error) {
			req, err := encode(ctx, req)
			if err != nil {
				return "", err
			}
			res, err := producer.Produce(ctx, req)
			if err != nil {
				return "", err
			}
			if res.Offset < 0 {
				return fmt.Sprintf("sent to %s/%d (acks=0: no offset)", plainName(topic), res.Partition), nil
			}
			return fmt.Sprintf("written to %s/%d at offset %d", plainName(topic), res.Partition, res.Offset), nil
		})
	}
	return push(d)
}

// editorStep hands the produce form's value to $EDITOR (vi when unset)
// through a temporary file, and brings back what was written.
func editorStep(d *dialog, msg tea.Msg) (tea.Cmd, bool) {
	switch msg := msg.(type) {
	case tea.KeyPressMsg:
		if d.busy || !key.Matches(msg, d.c.Keys.Editor) {
			return nil, false
		}
		value := d.form.Value("value")
		return d.scope.Do(func(context.Context) tea.Msg {
			f, err := os.CreateTemp("", "kscope-value-*.txt")
			if err != nil {
				return editorFile{err: err}
			}
			_, err = f.WriteString(value)
			if cerr := f.Close(); err == nil {
				err = cerr
			}
			if err != nil {
				os.Remove(f.Name())
				return editorFile{err: err}
			}
			return editorFile{name: f.Name()}
		}), true
	case editorFile:
		if msg.err != nil {
			d.form.SetError("value", "editor: "+msg.err.Error())
			return nil, true
		}
		editor := os.Getenv("EDITOR")
		if editor == "" {
			editor = "vi"
		}
		s, name := d.scope, msg.name
		return tea.ExecProcess(exec.Command("sh", "-c", editor+` "$1"`, "editor", name), func(err error) tea.Msg {
			return s.answer(editorExited{name: name, err: err})
		}), true
	case editorExited:
		name, runErr := msg.name, msg.err
		return d.scope.Do(func(context.Context) tea.Msg {
			defer os.Remove(name)
			if runErr != nil {
				return editorDone{err: runErr}
			}
			b, err := os.ReadFile(name)
			return editorDone{value: strings.TrimSuffix(string(b), "\n"), err: err}
		}), true
	case editorDone:
		if msg.err != nil {
			d.form.SetError("value", "editor: "+msg.err.Error())
		} else {
			d.form.SetValue("value", msg.value)
		}
		return nil, true
	}
	return nil, false
}

func produceRequest(topic string, f *widget.Form) (kafkaclient.ProduceRequest, error) {
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
