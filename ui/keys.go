package ui

import "charm.land/bubbles/v2/key"

// globalKeys work in every view.
type globalKeys struct {
	Quit, ForceQuit, Help, Command, Filter, Back, Refresh key.Binding
	// The ':' and '/' bar's own keys.
	Submit, Dismiss, Complete, Older, Newer key.Binding
}

func newGlobalKeys() globalKeys {
	return globalKeys{
		Quit:      key.NewBinding(key.WithKeys("q"), key.WithHelp("q", "quit")),
		ForceQuit: key.NewBinding(key.WithKeys("ctrl+c"), key.WithHelp("ctrl+c", "quit")),
		Help:      key.NewBinding(key.WithKeys("?"), key.WithHelp("?", "help")),
		Command:   key.NewBinding(key.WithKeys(":"), key.WithHelp(":", "command")),
		Filter:    key.NewBinding(key.WithKeys("/"), key.WithHelp("/", "filter")),
		Back:      key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "back")),
		Refresh:   key.NewBinding(key.WithKeys("ctrl+r"), key.WithHelp("ctrl+r", "refresh now")),
		Submit:    key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "run / apply")),
		Dismiss:   key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "close the bar")),
		Complete:  key.NewBinding(key.WithKeys("tab"), key.WithHelp("tab", "complete")),
		Older:     key.NewBinding(key.WithKeys("up"), key.WithHelp("↑/↓", "history")),
		Newer:     key.NewBinding(key.WithKeys("down")),
	}
}

// quit is q as it acts: back inside a nested view, quit at the bottom one.
func (k globalKeys) quit(nested bool) key.Binding {
	q := k.Quit
	if nested {
		q.SetHelp("q", "back")
	}
	return q
}

func (k globalKeys) short(nested bool) []key.Binding {
	return []key.Binding{k.Command, k.Filter, k.Back, k.Help, k.quit(nested)}
}

func (k globalKeys) full(nested bool) []key.Binding {
	return []key.Binding{k.Command, k.Filter, k.Back, k.Refresh, k.Help, k.quit(nested), k.ForceQuit}
}
