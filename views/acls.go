package views

import (
	"context"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"kscope/kafkaclient"
	"kscope/views/sanitize"
	"kscope/views/widget"
)

// aclsLoaded answers an ACLs view's load.
type aclsLoaded struct {
	seq  int
	acls []kafkaclient.ACL
	err  error
}

// ACLs lists the cluster's access-control bindings, as kafka-acls --list
// does; / filters them by principal, resource or anything else shown.
type ACLs struct {
	*widget.List[kafkaclient.ACL]
	c      *Common
	scope  Scope
	reader ACLReader
	seq    int
}

// The ACL list's columns.
const (
	aclColPrincipal = iota
	aclColHost
	aclColOperation
	aclColPermission
	aclColType
	aclColPattern
	aclColName
)

// NewACLs makes the :acls view; its Init loads the bindings.
func NewACLs(c *Common) *ACLs {
	type acl = kafkaclient.ACL
	by := func(col int, field func(acl) string) widget.Sort[acl] {
		return widget.Sort[acl]{Column: col, Compare: func(a, b acl) int { return strings.Compare(field(a), field(b)) }}
	}
	list := newList(c, "acls", []widget.Column{
		{Title: "PRINCIPAL", Essential: true, Priority: 10, Min: 12, Cut: widget.CutMiddle},
		{Title: "HOST", Priority: 3, Cut: widget.CutMiddle},
		{Title: "OPERATION", Short: "OP", Essential: true, Priority: 8},
		{Title: "PERMISSION", Short: "PERM", Essential: true, Priority: 9},
		{Title: "RESOURCE", Short: "TYPE", Essential: true, Priority: 7},
		{Title: "PATTERN", Priority: 4},
		{Title: "NAME", Essential: true, Priority: 6, Min: 10, Cut: widget.CutMiddle},
	},
		by(aclColPrincipal, func(a acl) string { return a.Principal }),
		by(aclColHost, func(a acl) string { return a.Host }),
		by(aclColOperation, func(a acl) string { return a.Operation }),
		by(aclColPermission, func(a acl) string { return a.Permission }),
		by(aclColType, func(a acl) string { return a.ResourceType }),
		by(aclColPattern, func(a acl) string { return a.PatternType }),
		by(aclColName, func(a acl) string { return a.Resource }),
	)
	list.Empty = "loading…"
	return &ACLs{List: list, c: c, reader: c.Client.ACLs}
}

// Init implements View.
func (v *ACLs) Init(s Scope) tea.Cmd {
	v.scope = s
	return v.load()
}

func (v *ACLs) load() tea.Cmd {
	if v.reader == nil {
		v.Empty = "this session cannot read ACLs"
		return nil
	}
	v.seq++
	seq, reader := v.seq, v.reader
	return v.scope.Do(func(ctx context.Context) tea.Msg {
		acls, err := reader.ACLs(ctx)
		return aclsLoaded{seq: seq, acls: acls, err: err}
	})
}

// Update implements View.
func (v *ACLs) Update(msg tea.Msg) (View, tea.Cmd) {
	switch msg := msg.(type) {
	case aclsLoaded:
		if msg.seq != v.seq {
			return v, nil
		}
		if msg.err != nil {
			text, _ := sanitize.Plain(msg.err.Error())
			v.Empty = "could not list the ACLs: " + text
			return v, notify(text, true)
		}
		v.Empty = "the cluster has no ACLs"
		v.rebuild(msg.acls)
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

func (v *ACLs) rebuild(acls []kafkaclient.ACL) {
	st := v.c.Styles
	v.SetItems(acls, func(a kafkaclient.ACL) widget.Row {
		principal, _ := sanitize.Styled(a.Principal, st.Escape)
		host, _ := sanitize.Styled(a.Host, st.Escape)
		name, _ := sanitize.Styled(a.Resource, st.Escape)
		perm := st.OK.Render(a.Permission)
		if a.Permission == "DENY" {
			perm = st.Error.Render(a.Permission)
		}
		return widget.Row{
			Key:    strings.Join([]string{a.ResourceType, a.PatternType, a.Resource, a.Principal, a.Host, a.Operation, a.Permission}, "\x00"),
			Search: strings.Join([]string{a.Principal, a.Host, a.Operation, a.Permission, a.ResourceType, a.PatternType, a.Resource}, " "),
			Cells: widget.FixedCells(principal, host, a.Operation, perm, st.Muted.Render(a.ResourceType),
				st.Muted.Render(a.PatternType), name),
		}
	})
}

// ShortHelp implements help.KeyMap.
func (v *ACLs) ShortHelp() []key.Binding {
	k := v.c.Keys
	return []key.Binding{k.Reload, k.Sort}
}

// FullHelp implements help.KeyMap.
func (v *ACLs) FullHelp() [][]key.Binding {
	k := v.c.Keys
	return [][]key.Binding{{k.Reload}, k.Sorting(), k.Movement()}
}
