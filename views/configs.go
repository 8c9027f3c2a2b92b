package views

import (
	"context"
	"fmt"
	"slices"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

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

// Configs shows one topic's configuration, overrides first in colour.
type Configs struct {
	*widget.List[kafkaclient.ConfigEntry]
	c       *Common
	scope   Scope
	configs ConfigReader
	admin   TopicAdmin
	topic   string
	seq     int
	entries []kafkaclient.ConfigEntry
	err     error
	loading bool
	// nested is set for configs opened from the topic's partitions, whose
	// title already names the topic.
	nested bool
}

// NewConfigs makes the configs view of topic; its Init loads them.
func NewConfigs(c *Common, topic string) *Configs {
	name, _ := sanitize.Plain(topic)
	list := newList[kafkaclient.ConfigEntry](c, "configs of "+name, []widget.Column{
		{Title: "NAME", Essential: true, Priority: 10, Min: 16, Cut: widget.CutMiddle},
		{Title: "VALUE", Essential: true, Priority: 9, Min: 8},
		{Title: "DEFAULT", Priority: 2, Min: 8},
		{Title: "SOURCE", Priority: 3},
	})
	list.Empty = "loading…"
	return &Configs{List: list, c: c, configs: c.Client.Configs, admin: c.Client.TopicAdmin, topic: topic}
}

// Init implements View: it starts the first load.
func (v *Configs) Init(s Scope) tea.Cmd {
	v.scope = s
	return v.load()
}

func (v *Configs) load() tea.Cmd {
	v.seq++
	v.loading = true
	seq, topic, configs := v.seq, v.topic, v.configs
	return v.scope.Do(func(ctx context.Context) tea.Msg {
		ctx, cancel := context.WithTimeout(ctx, configTimeout)
		defer cancel()
		entries, err := configs.TopicConfig(ctx, topic)
		return ConfigsLoaded{Seq: seq, Entries: entries, Err: err}
	})
}

// Title implements View: the count says how many of the configs are
// overridden. Under the topic's partitions it does not name the topic.
func (v *Configs) Title() string {
	overridden := 0
	for _, e := range v.entries {
		if e.Overridden {
			overridden++
		}
	}
	s := "configs"
	if !v.nested {
		name, _ := sanitize.Plain(v.topic)
		s += " of " + name
	}
	return fmt.Sprintf("%s (%d, %d overridden)", s, len(v.entries), overridden)
}

// Update implements View.
func (v *Configs) Update(msg tea.Msg) (View, tea.Cmd) {
	switch msg := msg.(type) {
	case Changed:
		if msg.Topic == v.topic {
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
					return v, editConfigDialog(v.c, v.admin, v.topic, e)
				}
				return v, resetConfigDialog(v.c, v.admin, v.topic, e)
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
	// Overrides first: they are what someone opening this view looks for.
	entries := slices.Clone(v.entries)
	slices.SortStableFunc(entries, func(a, b kafkaclient.ConfigEntry) int {
		switch {
		case a.Overridden == b.Overridden:
			return 0
		case a.Overridden:
			return -1
		}
		return 1
	})
	v.SetItems(entries, func(e kafkaclient.ConfigEntry) widget.Row {
		name, _ := sanitize.Styled(e.Name, st.Escape)
		value, _ := sanitize.Styled(humanConfig(e.Name, e.Value), st.Escape)
		def, _ := sanitize.Styled(humanConfig(e.Name, e.Default), st.Escape)
		switch {
		case e.Sensitive:
			value = st.Muted.Render("(sensitive)")
		case e.Overridden:
			name, value = st.Accent.Render(name), st.Accent.Render(value)
		default:
			value = st.Text.Render(value)
		}
		return widget.Row{
			Key:    e.Name,
			Search: e.Name + " " + e.Value + " " + humanConfig(e.Name, e.Value),
			Cells:  widget.FixedCells(name, value, st.Muted.Render(def), e.Source),
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
