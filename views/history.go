package views

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"kscope/kafkaclient"
	"kscope/views/sanitize"
	"kscope/views/widget"
)

// HistoryLoaded answers a History view's read of the audit file.
type HistoryLoaded struct {
	Entries []kafkaclient.AuditEntry
	Err     error
}

// History lists the changes kscope made to clusters, newest first.
type History struct {
	*widget.List[kafkaclient.AuditEntry]
	c *Common
	// entries are the listed entries by row key, for undo.
	entries map[string]kafkaclient.AuditEntry
}

// NewHistory makes the history view; its Init reads the audit file.
func NewHistory(c *Common) *History {
	v := &History{c: c, List: newList[kafkaclient.AuditEntry](c, "history", []widget.Column{
		{Title: "TIME", Width: 19},
		{Title: "CONTEXT", Width: 20},
		{Title: "ACTION", Width: 22},
		{Title: "TARGET", Width: 24, Cut: widget.CutMiddle},
		{Title: "BEFORE → AFTER", Short: "CHANGE", Priority: 2, Min: 12},
		{Title: "RESULT", Priority: 1, Min: 6},
	})}
	v.Empty = "reading the audit file…"
	return v
}

// Init implements View.
func (v *History) Init(s Scope) tea.Cmd {
	audit := v.c.Audit
	return s.Do(func(context.Context) tea.Msg {
		if audit == nil {
			return HistoryLoaded{Err: fmt.Errorf("no audit file: kscope could not find a place for one")}
		}
		es, err := audit.Entries()
		return HistoryLoaded{Entries: es, Err: err}
	})
}

// Title implements View.
func (v *History) Title() string { return "history (" + v.Count() + " changes)" }

// Update implements View.
func (v *History) Update(msg tea.Msg) (View, tea.Cmd) {
	switch msg := msg.(type) {
	case HistoryLoaded:
		if msg.Err != nil {
			v.Empty = msg.Err.Error()
			return v, nil
		}
		v.Empty = "no changes recorded yet"
		st := v.c.Styles
		entries := slices.Clone(msg.Entries)
		slices.Reverse(entries)
		v.entries = make(map[string]kafkaclient.AuditEntry, len(entries))
		v.SetItems(entries, func(e kafkaclient.AuditEntry) widget.Row {
			result := st.OK.Render(e.Result)
			if e.Result != "ok" {
				clean, _ := sanitize.Plain(e.Result)
				result = st.Error.Render(clean)
			}
			ctx, _ := sanitize.Plain(e.Context)
			target, _ := sanitize.Plain(e.Target)
			// An entry is known by when it was made and what it did.
			rowKey := e.Time.Format(time.RFC3339Nano) + " " + e.Action + " " + e.Target
			v.entries[rowKey] = e
			change := changeSummary(e)
			return widget.Row{
				Key:    rowKey,
				Search: strings.ToLower(e.Context + " " + e.Action + " " + e.Target + " " + change + " " + e.Result),
				Cells:  widget.FixedCells(e.Time.In(v.c.Zone()).Format(time.DateTime), ctx, e.Action, target, change, result),
			}
		})
	case tea.KeyPressMsg:
		k := v.c.Keys
		if cmd := k.refused(msg, v.FullHelp()); cmd != nil {
			return v, cmd
		}
		if key.Matches(msg, k.Undo) {
			if r, ok := v.Selected(); ok {
				return v, undoDialog(v.c, v.entries[r.Key])
			}
			return v, nil
		}
		v.List.Update(msg)
	case tea.MouseWheelMsg:
		v.List.Update(msg)
	}
	return v, nil
}

// ShortHelp implements help.KeyMap.
func (v *History) ShortHelp() []key.Binding { return []key.Binding{v.c.Keys.Undo} }

// FullHelp implements help.KeyMap.
func (v *History) FullHelp() [][]key.Binding {
	return [][]key.Binding{append([]key.Binding{v.c.Keys.Undo}, v.c.Keys.Sorting()...), v.c.Keys.Movement()}
}
