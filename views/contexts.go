package views

import (
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"kscope/views/sanitize"
	"kscope/views/widget"
)

// ContextInfo is a context as :contexts lists it; it holds no secret.
type ContextInfo struct {
	Name    string
	Brokers string
	// Auth is "user@MECHANISM", or "" without SASL.
	Auth     string
	TLS      bool
	Insecure bool
	ReadOnly bool
	Source   string
	Current  bool
	// Unusable says why the context cannot be connected to, if it cannot.
	Unusable string
}

// SwitchContext asks the root to connect to another context.
type SwitchContext struct{ Name string }

// Contexts lists the configured clusters; enter switches to one.
type Contexts struct {
	*widget.List[ContextInfo]
	c        *Common
	unusable map[string]string
}

// NewContexts makes the contexts view.
func NewContexts(c *Common, infos []ContextInfo) *Contexts {
	v := &Contexts{c: c, List: newList[ContextInfo](c, "contexts", []widget.Column{
		{Title: "", Width: 1, Essential: true, Priority: 9},
		{Title: "CONTEXT", Essential: true, Priority: 10, Min: 10, Cut: widget.CutMiddle},
		{Title: "BROKERS", Essential: true, Priority: 5, Min: 12},
		{Title: "AUTH", Priority: 3, Cut: widget.CutMiddle},
		{Title: "TLS", Priority: 2},
		{Title: "MODE", Essential: true, Priority: 4},
		{Title: "FROM", Priority: 1, Cut: widget.CutMiddle},
	})}
	v.Empty = "no contexts: write ~/.config/kscope/config.yaml (see the README)"
	v.unusable = map[string]string{}
	for _, ci := range infos {
		v.unusable[ci.Name] = ci.Unusable
	}
	st := c.Styles
	v.SetItems(infos, func(ci ContextInfo) widget.Row {
		mark := ""
		if ci.Current {
			mark = st.Accent.Render("●")
		}
		tls := st.Muted.Render("off")
		switch {
		case ci.Insecure:
			tls = st.Warn.Render("unverified")
		case ci.TLS:
			tls = st.OK.Render("on")
		}
		mode := "read-write"
		switch {
		case ci.Unusable != "":
			reason, _ := sanitize.Plain(ci.Unusable)
			mode = st.Error.Render("unusable: " + reason)
		case ci.ReadOnly:
			mode = st.Warn.Render("read-only")
		}
		auth := ci.Auth
		if auth == "" {
			auth = st.Muted.Render("none")
		}
		name, _ := sanitize.Plain(ci.Name)
		brokers, _ := sanitize.Plain(ci.Brokers)
		source, _ := sanitize.Plain(ci.Source)
		return widget.Row{Key: ci.Name, Search: ci.Name + " " + ci.Brokers,
			Cells: widget.FixedCells(mark, name, brokers, auth, tls, mode, st.Muted.Render(source))}
	})
	return v
}

// Init implements View.
func (v *Contexts) Init(Scope) tea.Cmd { return nil }

// Update implements View.
func (v *Contexts) Update(msg tea.Msg) (View, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.KeyPressMsg:
		if key.Matches(msg, v.c.Keys.Switch) {
			if r, ok := v.Selected(); ok {
				if why := v.unusable[r.Key]; why != "" {
					return v, notify(plainName(r.Key)+" cannot be used: "+why, true)
				}
				return v, func() tea.Msg { return SwitchContext{Name: r.Key} }
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
func (v *Contexts) ShortHelp() []key.Binding { return []key.Binding{v.c.Keys.Switch} }

// FullHelp implements help.KeyMap.
func (v *Contexts) FullHelp() [][]key.Binding {
	return [][]key.Binding{{v.c.Keys.Switch}, v.c.Keys.Sorting(), v.c.Keys.Movement()}
}
