package views

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"kscope/views/sanitize"
	"kscope/views/widget"
)

// HistoryLoaded answers a History view's read of the audit file.
type HistoryLoaded struct {
	Entries []AuditEntry
	Err     error
}

// History lists the changes kscope made to clusters, newest first.
type History struct {
	c     *Common
	table *widget.Table
}

// NewHistory makes the history view; its Init reads the audit file.
func NewHistory(c *Common) *History {
	v := &History{c: c, table: widget.NewTable(c.Styles, &c.Keys.ListKeys, []widget.Column{
		{Title: "TIME", Width: 19},
		{Title: "CONTEXT", Width: 20},
		{Title: "ACTION", Width: 22},
		{Title: "TARGET", Width: 24},
		{Title: "RESULT"},
	})}
	v.table.Empty = "reading the audit file…"
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
func (v *History) Title() string {
	_, n := v.table.Counts()
	return fmt.Sprintf("history (%d changes)", n)
}

// SetSize implements View.
func (v *History) SetSize(w, h int) { v.table.SetSize(w, h) }

// Filter implements Filterable.
func (v *History) Filter() string { return v.table.Filter() }

// SetFilter implements Filterable.
func (v *History) SetFilter(f string) error {
	v.table.SetFilter(f)
	return nil
}

// Update implements View.
func (v *History) Update(msg tea.Msg) (View, tea.Cmd) {
	switch msg := msg.(type) {
	case HistoryLoaded:
		if msg.Err != nil {
			v.table.Empty = msg.Err.Error()
			return v, nil
		}
		v.table.Empty = "no changes recorded yet"
		st := v.c.Styles
		entries := slices.Clone(msg.Entries)
		slices.Reverse(entries)
		rows := make([]widget.Row, len(entries))
		for i, e := range entries {
			result := st.OK.Render(e.Result)
			if e.Result != "ok" {
				clean, _ := sanitize.Plain(e.Result)
				result = st.Error.Render(clean)
			}
			ctx, _ := sanitize.Plain(e.Context)
			target, _ := sanitize.Plain(e.Target)
			rows[i] = widget.Row{Key: fmt.Sprint(i), Search: strings.ToLower(e.Context + " " + e.Action + " " + e.Target + " " + e.Result),
				Cells: widget.FixedCells(e.Time.In(v.c.Zone()).Format(time.DateTime), ctx, e.Action, target, result)}
		}
		v.table.SetRows(rows)
	case tea.KeyPressMsg, tea.MouseWheelMsg:
		v.table.Update(msg)
	}
	return v, nil
}

// View implements View.
func (v *History) View() string { return v.table.View() }

// ShortHelp implements help.KeyMap.
func (v *History) ShortHelp() []key.Binding { return nil }

// FullHelp implements help.KeyMap.
func (v *History) FullHelp() [][]key.Binding { return [][]key.Binding{v.c.Keys.Movement()} }
