package widget

import (
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
)

// ListKeys are the bindings a Table moves its cursor by and a List sorts
// by. Screens keep them in their keymap and hand tables a pointer, so help
// and the keys that act are the same bindings.
type ListKeys struct {
	Up, Down, PageUp, PageDown, Top, Bottom key.Binding
	// Sort moves a List to its next declared order (or column, for a
	// list that declares none); Reverse turns the order round; SortPrev
	// and SortNext sort by the column left or right of the sorted one,
	// so that every column can be sorted by.
	Sort, Reverse, SortPrev, SortNext key.Binding
}

// Movement lists the movement bindings, for help.
func (k *ListKeys) Movement() []key.Binding {
	return []key.Binding{k.Up, k.Down, k.PageUp, k.PageDown, k.Top, k.Bottom}
}

// Step is how far a movement key moves, in lines: one, a page, or all
// the way (to either end); ok is false for any other key.
func (k *ListKeys) Step(msg tea.KeyPressMsg, page, all int) (delta int, ok bool) {
	switch {
	case key.Matches(msg, k.Up):
		return -1, true
	case key.Matches(msg, k.Down):
		return 1, true
	case key.Matches(msg, k.PageUp):
		return -page, true
	case key.Matches(msg, k.PageDown):
		return page, true
	case key.Matches(msg, k.Top):
		return -all, true
	case key.Matches(msg, k.Bottom):
		return all, true
	}
	return 0, false
}
