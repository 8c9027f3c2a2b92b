package views

import (
	"reflect"
	"slices"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"kscope/views/widget"
)

// KeyMap holds every binding the views answer to; it lives in Common so
// help and footers are generated from the same bindings that act.
type KeyMap struct {
	// ListKeys move and sort every list; lists are handed a pointer to them.
	widget.ListKeys

	Open      key.Binding
	Inspect   key.Binding
	OpenGroup key.Binding
	Switch    key.Binding
	Focus     key.Binding
	Configs   key.Binding
	Internal  key.Binding
	Reload    key.Binding
	Tail      key.Binding

	Pause, Follow, KeyDecoder, ValueDecoder, Export, Seek key.Binding
	Next, Prev, Copy                                      key.Binding
	Editor                                                key.Binding
	// CopyRaw copies a value's bytes as they are, escapes and all: a key
	// of its own, since pasting them into a terminal can run commands.
	CopyRaw key.Binding

	// OpenMember shows the member under the cursor whole.
	OpenMember key.Binding
	// ShowSchema shows the schema a record was decoded with.
	ShowSchema key.Binding
	// ShowACLs lists the bindings that apply to a topic or group.
	ShowACLs key.Binding
	// OpenProducers lists the producers of a transaction's partition.
	OpenProducers key.Binding

	// Bindings tagged dangerous change the cluster; SetReadOnly disables them.
	NewTopic      key.Binding `kscope:"dangerous"`
	DeleteTopic   key.Binding `kscope:"dangerous"`
	AddPartitions key.Binding `kscope:"dangerous"`
	Produce       key.Binding `kscope:"dangerous"`
	EditConfig    key.Binding `kscope:"dangerous"`
	ResetConfig   key.Binding `kscope:"dangerous"`
	ResetOffsets  key.Binding `kscope:"dangerous"`
	DeleteOffsets key.Binding `kscope:"dangerous"`
	DeleteGroup   key.Binding `kscope:"dangerous"`
	Undo          key.Binding `kscope:"dangerous"`
	DeleteSchema  key.Binding `kscope:"dangerous"`
	ElectLeaders  key.Binding `kscope:"dangerous"`
	NewACL        key.Binding `kscope:"dangerous"`
	DeleteACL     key.Binding `kscope:"dangerous"`
	AbortTxn      key.Binding `kscope:"dangerous"`
}

// DefaultKeyMap is kscope's standard layout (vi keys and arrows).
func DefaultKeyMap() *KeyMap {
	return &KeyMap{
		ListKeys: widget.ListKeys{
			Up:       key.NewBinding(key.WithKeys("up", "k"), key.WithHelp("↑/k", "up")),
			Down:     key.NewBinding(key.WithKeys("down", "j"), key.WithHelp("↓/j", "down")),
			PageUp:   key.NewBinding(key.WithKeys("pgup", "ctrl+b"), key.WithHelp("pgup", "page up")),
			PageDown: key.NewBinding(key.WithKeys("pgdown", "ctrl+f"), key.WithHelp("pgdn", "page down")),
			Top:      key.NewBinding(key.WithKeys("home", "g"), key.WithHelp("g", "top")),
			Bottom:   key.NewBinding(key.WithKeys("end", "G"), key.WithHelp("G", "bottom")),
			Sort:     key.NewBinding(key.WithKeys("s"), key.WithHelp("s", "sort")),
			Reverse:  key.NewBinding(key.WithKeys("S"), key.WithHelp("S", "reverse")),
			SortPrev: key.NewBinding(key.WithKeys("<"), key.WithHelp("<", "sort by the column left")),
			SortNext: key.NewBinding(key.WithKeys(">"), key.WithHelp(">", "sort by the column right")),
		},
		Open:      key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "partitions")),
		Inspect:   key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "record detail")),
		OpenGroup: key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "group detail")),
		Switch:    key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "switch to")),
		Focus:     key.NewBinding(key.WithKeys("tab"), key.WithHelp("tab", "next pane")),
		Configs:   key.NewBinding(key.WithKeys("c"), key.WithHelp("c", "configs")),
		Internal:  key.NewBinding(key.WithKeys("i"), key.WithHelp("i", "internal topics")),
		Reload:    key.NewBinding(key.WithKeys("r"), key.WithHelp("r", "reload")),
		Tail:      key.NewBinding(key.WithKeys("t"), key.WithHelp("t", "tail")),

		Pause:        key.NewBinding(key.WithKeys("space"), key.WithHelp("space", "pause/resume")),
		Follow:       key.NewBinding(key.WithKeys("G", "F", "end"), key.WithHelp("G/F", "follow")),
		KeyDecoder:   key.NewBinding(key.WithKeys("K"), key.WithHelp("K", "key decoder")),
		ValueDecoder: key.NewBinding(key.WithKeys("V"), key.WithHelp("V", "value decoder")),
		Export:       key.NewBinding(key.WithKeys("w"), key.WithHelp("w", "export")),
		Seek:         key.NewBinding(key.WithKeys("t"), key.WithHelp("t", "seek: start again from…")),
		Next:         key.NewBinding(key.WithKeys("n"), key.WithHelp("n", "next record")),
		Prev:         key.NewBinding(key.WithKeys("p"), key.WithHelp("p", "previous record")),
		Copy:         key.NewBinding(key.WithKeys("y"), key.WithHelp("y", "copy value as shown")),
		CopyRaw:      key.NewBinding(key.WithKeys("Y"), key.WithHelp("Y", "copy raw bytes (unsafe to paste)")),
		Editor:       key.NewBinding(key.WithKeys("ctrl+e"), key.WithHelp("ctrl+e", "edit value in $EDITOR")),

		OpenMember: key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "member detail")),
		ShowSchema: key.NewBinding(key.WithKeys("s"), key.WithHelp("s", "schema")),
		ShowACLs:   key.NewBinding(key.WithKeys("a"), key.WithHelp("a", "ACLs that apply")),

		OpenProducers: key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "producers")),

		NewTopic:      key.NewBinding(key.WithKeys("n"), key.WithHelp("n", "new topic")),
		DeleteTopic:   key.NewBinding(key.WithKeys("ctrl+d"), key.WithHelp("ctrl+d", "delete topic")),
		AddPartitions: key.NewBinding(key.WithKeys("+"), key.WithHelp("+", "add partitions")),
		Produce:       key.NewBinding(key.WithKeys("P"), key.WithHelp("P", "produce")),
		EditConfig:    key.NewBinding(key.WithKeys("e"), key.WithHelp("e", "edit")),
		ResetConfig:   key.NewBinding(key.WithKeys("delete"), key.WithHelp("del", "back to default")),
		ResetOffsets:  key.NewBinding(key.WithKeys("R"), key.WithHelp("R", "reset offsets")),
		DeleteOffsets: key.NewBinding(key.WithKeys("D"), key.WithHelp("D", "delete offsets")),
		DeleteGroup:   key.NewBinding(key.WithKeys("ctrl+d"), key.WithHelp("ctrl+d", "delete group")),
		Undo:          key.NewBinding(key.WithKeys("u"), key.WithHelp("u", "undo")),
		DeleteSchema:  key.NewBinding(key.WithKeys("ctrl+d"), key.WithHelp("ctrl+d", "delete version")),
		ElectLeaders:  key.NewBinding(key.WithKeys("E"), key.WithHelp("E", "elect preferred leaders")),
		NewACL:        key.NewBinding(key.WithKeys("n"), key.WithHelp("n", "new ACL")),
		DeleteACL:     key.NewBinding(key.WithKeys("ctrl+d"), key.WithHelp("ctrl+d", "delete ACL")),
		AbortTxn:      key.NewBinding(key.WithKeys("A"), key.WithHelp("A", "abort transaction")),
	}
}

// Sorting lists the keys that sort a list, for help.
func (k *KeyMap) Sorting() []key.Binding {
	return []key.Binding{k.Sort, k.Reverse, k.SortPrev, k.SortNext}
}

// Dangerous returns the bindings that change the cluster, as tagged
// where they are declared.
func (k *KeyMap) Dangerous() []*key.Binding {
	v := reflect.ValueOf(k).Elem()
	var out []*key.Binding
	for i := range v.NumField() {
		if v.Type().Field(i).Tag.Get("kscope") == "dangerous" {
			out = append(out, v.Field(i).Addr().Interface().(*key.Binding))
		}
	}
	return out
}

// refused answers a key that does nothing because read-only mode
// disabled it: when msg is the key of a binding that changes the cluster,
// among those the view offers (its full help), and no binding still
// enabled there takes it, the notice says which action is disabled.
// Otherwise it is nil, and the key goes where it always goes.
func (k *KeyMap) refused(msg tea.KeyPressMsg, offered [][]key.Binding) tea.Cmd {
	var off *key.Binding
	for _, group := range offered {
		for i := range group {
			b := &group[i]
			if key.Matches(msg, *b) {
				return nil
			}
			if off == nil && !b.Enabled() && k.dangerous(*b) && slices.Contains(b.Keys(), msg.String()) {
				off = b
			}
		}
	}
	if off == nil {
		return nil
	}
	h := off.Help()
	return notify("read-only mode: "+h.Key+" ("+h.Desc+") is disabled", true)
}

// dangerous reports whether b is one of the bindings that change the
// cluster; views hold copies, so it is known by its keys and help.
func (k *KeyMap) dangerous(b key.Binding) bool {
	for _, d := range k.Dangerous() {
		if d.Help() == b.Help() && slices.Equal(d.Keys(), b.Keys()) {
			return true
		}
	}
	return false
}

// SetReadOnly makes the bindings that change the cluster disappear (from
// the keys and from help) in read-only mode, and brings them back.
func (k *KeyMap) SetReadOnly(ro bool) {
	for _, b := range k.Dangerous() {
		b.SetEnabled(!ro)
	}
}
