package views

import (
	"context"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"kscope/views/sanitize"
	"kscope/views/widget"
)

// ReadList is a list the cluster gives in one read: read at Init, again
// on r and after a change, and saying why when the read fails. The
// :acls, :users, :quotas and :transactions views are ReadLists.
type ReadList[T any] struct {
	*widget.List[T]
	c     *Common
	scope Scope
	// read is nil in a session that cannot read the list.
	read func(context.Context) ([]T, error)
	row  func(T) widget.Row
	// what names the items in messages; none is said when there are none.
	what, none string
	seq        int
	// byKey are the items shown, by row key, so that an action on the row
	// under the cursor acts on the item as the cluster gave it, not as
	// drawn.
	byKey map[string]T
}

// readDone answers a ReadList's read.
type readDone[T any] struct {
	seq   int
	items []T
	err   error
}

// Init implements View.
func (v *ReadList[T]) Init(s Scope) tea.Cmd {
	v.scope = s
	return v.load()
}

func (v *ReadList[T]) load() tea.Cmd {
	if v.read == nil {
		v.Empty = "this session cannot read " + v.what
		return nil
	}
	v.seq++
	seq, read := v.seq, v.read
	return v.scope.Do(func(ctx context.Context) tea.Msg {
		items, err := read(ctx)
		return readDone[T]{seq: seq, items: items, err: err}
	})
}

// Update implements View.
func (v *ReadList[T]) Update(msg tea.Msg) (View, tea.Cmd) {
	switch msg := msg.(type) {
	case readDone[T]:
		if msg.seq != v.seq {
			return v, nil
		}
		v.Empty = v.none
		if msg.err != nil {
			text, _ := sanitize.Plain(msg.err.Error())
			v.Empty = "could not list the " + v.what + ": " + text
			// A partial answer (brokers that answered, beside one that
			// did not) stays on screen, with the error on the status line.
			if len(msg.items) > 0 {
				v.show(msg.items)
			}
			return v, notify(text, true)
		}
		v.show(msg.items)
	case Changed:
		return v, v.load()
	case tea.KeyPressMsg:
		if key.Matches(msg, v.c.Keys.Reload) {
			return v, v.load()
		}
		v.List.Update(msg)
	case tea.MouseWheelMsg:
		v.List.Update(msg)
	}
	return v, nil
}

// show makes items the list's.
func (v *ReadList[T]) show(items []T) {
	v.byKey = make(map[string]T, len(items))
	for _, it := range items {
		v.byKey[v.row(it).Key] = it
	}
	v.SetItems(items, v.row)
}

// SelectedItem is the item of the row under the cursor.
func (v *ReadList[T]) SelectedItem() (T, bool) {
	var it T
	r, ok := v.Selected()
	if ok {
		it, ok = v.byKey[r.Key]
	}
	return it, ok
}

// ShortHelp implements help.KeyMap.
func (v *ReadList[T]) ShortHelp() []key.Binding {
	k := v.c.Keys
	return []key.Binding{k.Reload, k.Sort}
}

// FullHelp implements help.KeyMap.
func (v *ReadList[T]) FullHelp() [][]key.Binding {
	k := v.c.Keys
	return [][]key.Binding{{k.Reload}, k.Sorting(), k.Movement()}
}
