package views

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"kscope/kafkaclient"
	"kscope/views/sanitize"
	"kscope/views/widget"
)

// ConfigsLoaded answers a Configs view's request; Seq tells a stale answer
// from the latest one.
type ConfigsLoaded struct {
	Seq     int
	Entries []kafkaclient.ConfigEntry
	Err     error
}

// configTimeout bounds one DescribeConfigs round trip as seen from the view.
const configTimeout = 15 * time.Second

// configResource is what a Configs view shows the configuration of, a
// topic or a broker: how it is read and changed, and how its entries are
// ordered and labelled.
type configResource interface {
	// name is how titles name it: "orders", "broker 1" (sanitized).
	name() string
	read(ctx context.Context) ([]kafkaclient.ConfigEntry, error)
	// edit and reset open the dialogs that change entry e.
	edit(c *Common, e kafkaclient.ConfigEntry) tea.Cmd
	reset(c *Common, e kafkaclient.ConfigEntry) tea.Cmd
	// changedBy reports whether a change made from another view touched it.
	changedBy(Changed) bool
	// rank orders the entries, what a reader looks for first lowest; rank
	// 0 is a value set on the resource itself, and is shown in colour.
	rank(e kafkaclient.ConfigEntry) int
	// source is how the SOURCE column says where e's value comes from.
	source(e kafkaclient.ConfigEntry) string
}

// topicConfigs is a topic's configuration; its overrides come first.
type topicConfigs struct {
	reader ConfigReader
	admin  TopicAdmin
	topic  string
}

func (t topicConfigs) name() string { return plainName(t.topic) }

func (t topicConfigs) read(ctx context.Context) ([]kafkaclient.ConfigEntry, error) {
	return t.reader.TopicConfig(ctx, t.topic)
}

func (t topicConfigs) edit(c *Common, e kafkaclient.ConfigEntry) tea.Cmd {
	return editConfigDialog(c, t.admin, t.topic, e)
}

func (t topicConfigs) reset(c *Common, e kafkaclient.ConfigEntry) tea.Cmd {
	return resetConfigDialog(c, t.admin, t.topic, e)
}

func (t topicConfigs) changedBy(msg Changed) bool { return msg.Topic == t.topic }

func (t topicConfigs) rank(e kafkaclient.ConfigEntry) int {
	if e.Overridden {
		return 0
	}
	return 1
}

func (t topicConfigs) source(e kafkaclient.ConfigEntry) string { return e.Source }

// Configs shows the configuration of a topic or a broker, what is set on
// it first in colour.
type Configs struct {
	*widget.List[kafkaclient.ConfigEntry]
	c       *Common
	scope   Scope
	res     configResource
	seq     int
	entries []kafkaclient.ConfigEntry
	err     error
	loading bool
	// nested is set for configs shown under a view that already names
	// what they belong to: a topic's partitions, a broker.
	nested bool
}

// NewConfigs makes the configs view of topic; its Init loads them.
func NewConfigs(c *Common, topic string) *Configs {
	return newConfigs(c, topicConfigs{reader: c.Client.Configs, admin: c.Client.TopicAdmin, topic: topic})
}

func newConfigs(c *Common, res configResource) *Configs {
	list := newList[kafkaclient.ConfigEntry](c, "configs of "+res.name(), []widget.Column{
		{Title: "NAME", Essential: true, Priority: 10, Min: 16, Cut: widget.CutMiddle},
		{Title: "VALUE", Essential: true, Priority: 9, Min: 8},
		{Title: "DEFAULT", Priority: 2, Min: 8},
		{Title: "SOURCE", Priority: 3},
	})
	list.Empty = "loading…"
	return &Configs{List: list, c: c, res: res}
}

// Init implements View: it starts the first load.
func (v *Configs) Init(s Scope) tea.Cmd {
	v.scope = s
	return v.load()
}

func (v *Configs) load() tea.Cmd {
	v.seq++
	v.loading = true
	seq, res := v.seq, v.res
	return v.scope.Do(func(ctx context.Context) tea.Msg {
		ctx, cancel := context.WithTimeout(ctx, configTimeout)
		defer cancel()
		entries, err := res.read(ctx)
		return ConfigsLoaded{Seq: seq, Entries: entries, Err: err}
	})
}

// Title implements View: the count says how many of the configs are
// overridden. Nested, it does not name what they belong to.
func (v *Configs) Title() string {
	overridden := 0
	for _, e := range v.entries {
		if e.Overridden {
			overridden++
		}
	}
	s := "configs"
	if !v.nested {
		s += " of " + v.res.name()
	}
	return fmt.Sprintf("%s (%d, %d overridden)", s, len(v.entries), overridden)
}

// Update implements View.
func (v *Configs) Update(msg tea.Msg) (View, tea.Cmd) {
	switch msg := msg.(type) {
	case Changed:
		if v.res.changedBy(msg) {
			return v, v.load()
		}
	case ConfigsLoaded:
		if msg.Seq != v.seq {
			return v, nil
		}
		v.loading = false
		v.err = msg.Err
		if msg.Err == nil {
			v.entries = msg.Entries
		}
		v.rebuild()
		if msg.Err != nil {
			return v, notify(msg.Err.Error(), true)
		}
	case ThemeChanged:
		v.rebuild()
	case tea.KeyPressMsg:
		k := v.c.Keys
		if cmd := k.refused(msg, v.FullHelp()); cmd != nil {
			return v, cmd
		}
		switch {
		case key.Matches(msg, k.Reload):
			return v, v.load()
		case key.Matches(msg, k.EditConfig), key.Matches(msg, k.ResetConfig):
			r, ok := v.Selected()
			if !ok {
				return v, nil
			}
			for _, e := range v.entries {
				if e.Name != r.Key {
					continue
				}
				if key.Matches(msg, k.EditConfig) {
					return v, v.res.edit(v.c, e)
				}
				return v, v.res.reset(v.c, e)
			}
			return v, nil
		}
		v.List.Update(msg)
	case tea.MouseWheelMsg:
		v.List.Update(msg)
	}
	return v, nil
}

func (v *Configs) rebuild() {
	st := v.c.Styles
	if v.err != nil && len(v.entries) == 0 {
		v.Empty = "could not load configs: " + v.err.Error()
	} else {
		v.Empty = "no configs"
	}
	// What is set on the resource first: it is what someone opening this
	// view looks for.
	entries := slices.Clone(v.entries)
	slices.SortStableFunc(entries, func(a, b kafkaclient.ConfigEntry) int { return cmp.Compare(v.res.rank(a), v.res.rank(b)) })
	v.SetItems(entries, func(e kafkaclient.ConfigEntry) widget.Row {
		if e.Sensitive {
			// Not even the filter may match a secret the client let through.
			e.Value, e.Default = "", ""
		}
		name, _ := sanitize.Styled(e.Name, st.Escape)
		value, _ := sanitize.Styled(humanConfig(e.Name, e.Value), st.Escape)
		def, _ := sanitize.Styled(humanConfig(e.Name, e.Default), st.Escape)
		switch {
		case e.Sensitive:
			value = st.Muted.Render("(sensitive)")
		case v.res.rank(e) == 0:
			name, value = st.Accent.Render(name), st.Accent.Render(value)
		default:
			value = st.Text.Render(value)
		}
		return widget.Row{
			Key:    e.Name,
			Search: e.Name + " " + e.Value + " " + humanConfig(e.Name, e.Value),
			Cells:  widget.FixedCells(name, value, st.Muted.Render(def), v.res.source(e)),
		}
	})
}

// ShortHelp implements help.KeyMap.
func (v *Configs) ShortHelp() []key.Binding {
	return []key.Binding{v.c.Keys.Reload, v.c.Keys.EditConfig, v.c.Keys.ResetConfig}
}

// FullHelp implements help.KeyMap.
func (v *Configs) FullHelp() [][]key.Binding {
	return [][]key.Binding{{v.c.Keys.Reload, v.c.Keys.EditConfig, v.c.Keys.ResetConfig}, v.c.Keys.Sorting(), v.c.Keys.Movement()}
}

// brokerConfigs is a broker's configuration. What kscope changes on it is
// the broker's own dynamic value, which overrides the cluster-wide one,
// server.properties and the default on this broker alone.
type brokerConfigs struct {
	reader BrokerConfigReader
	admin  BrokerAdmin
	id     int32
}

// brokerSources names where a broker's value comes from, in the order
// the list shows them: set on this broker, on every broker, in
// server.properties, Kafka's default.
var brokerSources = []struct{ source, label string }{
	{"broker", "per-broker"}, {"cluster", "cluster-wide"}, {"static", "static"}, {"default", "default"},
}

func newBrokerConfigs(c *Common, id int32) *Configs {
	v := newConfigs(c, brokerConfigs{reader: c.Client.BrokerConfigs, admin: c.Client.BrokerAdmin, id: id})
	v.nested = true
	return v
}

func (b brokerConfigs) name() string { return fmt.Sprintf("broker %d", b.id) }

func (b brokerConfigs) read(ctx context.Context) ([]kafkaclient.ConfigEntry, error) {
	return b.reader.BrokerConfig(ctx, b.id)
}

// changedBy is false: a change to a broker is made from its own view,
// which reads the configs again when the dialog closes.
func (b brokerConfigs) changedBy(Changed) bool { return false }

func (b brokerConfigs) rank(e kafkaclient.ConfigEntry) int {
	for i, s := range brokerSources {
		if s.source == e.Source {
			return i
		}
	}
	return len(brokerSources)
}

func (b brokerConfigs) source(e kafkaclient.ConfigEntry) string {
	if r := b.rank(e); r < len(brokerSources) {
		return brokerSources[r].label
	}
	return e.Source
}

// refuse answers the change of an entry kscope does not change: a secret
// (it would be typed, shown and kept in the audit file) or a setting the
// broker reads only at start.
func (b brokerConfigs) refuse(e kafkaclient.ConfigEntry) tea.Cmd {
	switch {
	case e.Sensitive:
		return notify(fmt.Sprintf("%s is a secret: kscope does not show or set secrets; use kafka-configs --entity-type brokers --entity-name %d", plainName(e.Name), b.id), true)
	case e.ReadOnly:
		return notify(plainName(e.Name)+" cannot be changed while the broker runs: it is read from server.properties at start", true)
	}
	return nil
}

// brokerConfigRead answers the edit dialog's second look at the setting.
type brokerConfigRead struct {
	entries []kafkaclient.ConfigEntry
	err     error
}

// edit asks for the new value; the setting is then read again at the
// broker, so that the preview and the audit entry have the value it has
// now rather than when the list was loaded, and shown old → new. The value
// is set once the setting's name is typed.
func (b brokerConfigs) edit(c *Common, e kafkaclient.ConfigEntry) tea.Cmd {
	if cmd := b.refuse(e); cmd != nil {
		return cmd
	}
	d := &dialog{c: c, title: "edit broker config", form: widget.NewForm(c.Styles, fmt.Sprintf("Set %s on broker %d", plainName(e.Name), b.id), []widget.Field{
		{Name: "value", Label: "Value", Value: e.Value, Required: true,
			Help: fmt.Sprintf("now %s (%s); the new value is broker %d's own", rawAndHuman(e.Name, e.Value), b.source(e), b.id)},
	}, "preview")}
	d.submit = func(d *dialog) tea.Cmd {
		return d.scope.Do(func(ctx context.Context) tea.Msg {
			ctx, cancel := context.WithTimeout(ctx, configTimeout)
			defer cancel()
			entries, err := b.read(ctx)
			return brokerConfigRead{entries: entries, err: err}
		})
	}
	d.answer = func(d *dialog, msg tea.Msg) (tea.Cmd, bool) {
		read, ok := msg.(brokerConfigRead)
		if !ok {
			return nil, false
		}
		d.busy = false
		i := slices.IndexFunc(read.entries, func(x kafkaclient.ConfigEntry) bool { return x.Name == e.Name })
		switch {
		case read.err != nil:
			d.fail(read.err)
			return nil, true
		case i < 0:
			d.fail(fmt.Errorf("broker %d no longer reports %s", b.id, plainName(e.Name)))
			return nil, true
		}
		now, v := read.entries[i], d.form.Value("value")
		if cmd := b.refuse(now); cmd != nil {
			return tea.Batch(pop, cmd), true
		}
		if now.Source == "broker" && now.Value == v {
			d.fail(&kafkaclient.FieldError{Field: "value", Msg: "broker " + strconv.Itoa(int(b.id)) + " already has this value"})
			return nil, true
		}
		entry := kafkaclient.AuditEntry{Action: "set broker config", Target: fmt.Sprintf("broker %d %s", b.id, e.Name), Broker: &b.id,
			Changes: []kafkaclient.Change{kafkaclient.ConfigChange(e.Name, b.own(now), &v)}}
		d.submit = func(d *dialog) tea.Cmd {
			return d.act(entry, func(ctx context.Context) (string, error) {
				return fmt.Sprintf("%s of broker %d set", plainName(e.Name), b.id), b.admin.SetBrokerConfig(ctx, b.id, e.Name, &v)
			})
		}
		return d.confirm(fmt.Sprintf("Set %s on broker %d: preview", plainName(e.Name), b.id), b.preview(now, v), e.Name), true
	}
	return push(d)
}

// preview shows a change of now's value to v: both values and where
// they come from, and what the change touches.
func (b brokerConfigs) preview(now kafkaclient.ConfigEntry, v string) string {
	var s strings.Builder
	fmt.Fprintf(&s, "%s on broker %d\n", plainName(now.Name), b.id)
	old, next := rawAndHuman(now.Name, now.Value), rawAndHuman(now.Name, v)
	w := max(ansi.StringWidth(old), ansi.StringWidth(next))
	fmt.Fprintf(&s, "  now  %s  (%s)\n", widget.Fit(old, w, false), b.source(now))
	fmt.Fprintf(&s, "  new  %s  (per-broker)\n", widget.Fit(next, w, false))
	fmt.Fprintf(&s, "The broker applies it at once, without a restart; the other brokers keep theirs. "+
		"Removing it later (del) brings back %s.", rawAndHuman(now.Name, now.Default))
	return s.String()
}

// own is the broker's own value of e, or nil when it has none: what
// putting the setting back means.
func (b brokerConfigs) own(e kafkaclient.ConfigEntry) *string {
	if e.Source != "broker" || e.Sensitive {
		return nil
	}
	v := e.Value
	return &v
}

// reset removes the broker's own value after a confirmation, so that the
// cluster-wide, static or default one applies again.
func (b brokerConfigs) reset(c *Common, e kafkaclient.ConfigEntry) tea.Cmd {
	if cmd := b.refuse(e); cmd != nil {
		return cmd
	}
	if e.Source != "broker" {
		return notify(fmt.Sprintf("%s is not set on broker %d itself (it is %s): there is nothing to remove", plainName(e.Name), b.id, b.source(e)), false)
	}
	explanation := fmt.Sprintf("Remove broker %d's own value of %s (now %s), so that it returns to %s?",
		b.id, plainName(e.Name), rawAndHuman(e.Name, e.Value), rawAndHuman(e.Name, e.Default))
	entry := kafkaclient.AuditEntry{Action: "reset broker config", Target: fmt.Sprintf("broker %d %s", b.id, e.Name), Broker: &b.id,
		Changes: []kafkaclient.Change{kafkaclient.ConfigChange(e.Name, b.own(e), nil)}}
	return confirmChange(c, "broker config default", "Remove the per-broker value", explanation, e.Name, entry, func(ctx context.Context) (string, error) {
		return fmt.Sprintf("%s of broker %d is back to %s", plainName(e.Name), b.id, rawAndHuman(e.Name, e.Default)), b.admin.SetBrokerConfig(ctx, b.id, e.Name, nil)
	})
}
