package views

import (
	"context"
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"kscope/kafkaclient"
	"kscope/themes"
	"kscope/views/sanitize"
	"kscope/views/widget"
)

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

// ACLs is the :acls view: the cluster's access-control bindings, as
// kafka-acls --list gives them, with keys to add a binding and to delete
// the one under the cursor.
type ACLs struct {
	*ReadList[kafkaclient.ACL]
}

// NewACLs makes the :acls view; / filters the bindings by principal,
// resource or anything else shown.
func NewACLs(c *Common) *ACLs {
	v := newACLList(c, "acls")
	v.none = "the cluster has no ACLs"
	if c.Client.ACLs != nil {
		v.read = c.Client.ACLs.ACLs
	}
	return &ACLs{ReadList: v}
}

// newACLList is a list of bindings titled title, with nothing to read yet.
func newACLList(c *Common, title string) *ReadList[kafkaclient.ACL] {
	type acl = kafkaclient.ACL
	by := func(col int, field func(acl) string) widget.Sort[acl] {
		return widget.Sort[acl]{Column: col, Compare: func(a, b acl) int { return strings.Compare(field(a), field(b)) }}
	}
	list := newList(c, title, []widget.Column{
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
	return &ReadList[kafkaclient.ACL]{List: list, c: c, row: aclRow(c.Styles), what: "ACLs"}
}

// NewACLsOf makes the list of the bindings that apply to one topic or
// group (resourceType TOPIC or GROUP): its own, the wildcard's and those
// of the prefixes it begins with. It only reads; :acls changes them.
func NewACLsOf(c *Common, resourceType, name string) *ReadList[kafkaclient.ACL] {
	plain, _ := sanitize.Plain(name)
	v := newACLList(c, "acls of "+strings.ToLower(resourceType)+" "+plain)
	v.none = "no ACL applies to it"
	if c.Client.ACLs != nil {
		read := c.Client.ACLs.ACLsFor
		v.read = func(ctx context.Context) ([]kafkaclient.ACL, error) { return read(ctx, resourceType, name) }
	}
	return v
}

// Update implements View: n and ctrl+d here, the rest as a ReadList.
func (v *ACLs) Update(msg tea.Msg) (View, tea.Cmd) {
	k := v.c.Keys
	if msg, ok := msg.(tea.KeyPressMsg); ok {
		if cmd := k.refused(msg, v.FullHelp()); cmd != nil {
			return v, cmd
		}
		switch {
		case key.Matches(msg, k.NewACL):
			return v, newACLDialog(v.c)
		case key.Matches(msg, k.DeleteACL):
			if a, ok := v.SelectedItem(); ok {
				return v, deleteACLDialog(v.c, a)
			}
			return v, nil
		}
	}
	_, cmd := v.ReadList.Update(msg)
	return v, cmd
}

// ShortHelp implements help.KeyMap.
func (v *ACLs) ShortHelp() []key.Binding {
	k := v.c.Keys
	return []key.Binding{k.Reload, k.Sort, k.NewACL, k.DeleteACL}
}

// FullHelp implements help.KeyMap.
func (v *ACLs) FullHelp() [][]key.Binding {
	k := v.c.Keys
	return [][]key.Binding{{k.Reload, k.NewACL, k.DeleteACL}, k.Sorting(), k.Movement()}
}

// aclKey tells bindings apart by all seven fields, each quoted: with a
// plain separator, names holding it could make two bindings one key, and
// ctrl+d on one row would then name another binding.
func aclKey(a kafkaclient.ACL) string {
	return fmt.Sprintf("%q", []string{a.ResourceType, a.PatternType, a.Resource, a.Principal, a.Host, a.Operation, a.Permission})
}

// aclRow is a binding as the list shows it.
func aclRow(st *themes.Styles) func(kafkaclient.ACL) widget.Row {
	return func(a kafkaclient.ACL) widget.Row {
		principal, _ := sanitize.Styled(a.Principal, st.Escape)
		host, _ := sanitize.Styled(a.Host, st.Escape)
		name, _ := sanitize.Styled(a.Resource, st.Escape)
		perm := st.OK.Render(a.Permission)
		if a.Permission == "DENY" {
			perm = st.Error.Render(a.Permission)
		}
		return widget.Row{
			Key:    aclKey(a),
			Search: strings.Join([]string{a.Principal, a.Host, a.Operation, a.Permission, a.ResourceType, a.PatternType, a.Resource}, " "),
			Cells: widget.FixedCells(principal, host, a.Operation, perm, st.Muted.Render(a.ResourceType),
				st.Muted.Render(a.PatternType), name),
		}
	}
}
