package widget

import "charm.land/bubbles/v2/key"

// ListKeys are the bindings a Table moves its cursor by and a List sorts
// by. Screens keep them in their keymap and hand tables a pointer, so help
// and the keys that act are the same bindings.
type ListKeys struct {
	Up, Down, PageUp, PageDown, Top, Bottom key.Binding
	// Sort moves a List to its next order; Reverse turns the order round.
	Sort, Reverse key.Binding
}

// Movement lists the movement bindings, for help.
func (k *ListKeys) Movement() []key.Binding {
	return []key.Binding{k.Up, k.Down, k.PageUp, k.PageDown, k.Top, k.Bottom}
}
