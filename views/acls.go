package views

import (
	"strings"

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

// NewACLs makes the :acls view: the cluster's access-control bindings,
// as kafka-acls --list gives them; / filters them by principal, resource
// or anything else shown.
func NewACLs(c *Common) *ReadList[kafkaclient.ACL] {
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
	v := &ReadList[kafkaclient.ACL]{List: list, c: c, row: aclRow(c.Styles), what: "ACLs", none: "the cluster has no ACLs"}
	if c.Client.ACLs != nil {
		v.read = c.Client.ACLs.ACLs
	}
	return v
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
			Key:    strings.Join([]string{a.ResourceType, a.PatternType, a.Resource, a.Principal, a.Host, a.Operation, a.Permission}, "\x00"),
			Search: strings.Join([]string{a.Principal, a.Host, a.Operation, a.Permission, a.ResourceType, a.PatternType, a.Resource}, " "),
			Cells: widget.FixedCells(principal, host, a.Operation, perm, st.Muted.Render(a.ResourceType),
				st.Muted.Render(a.PatternType), name),
		}
	}
}
