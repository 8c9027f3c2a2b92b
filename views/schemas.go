package views

import (
	"cmp"
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"kscope/kafkaclient"
	"kscope/views/sanitize"
	"kscope/views/widget"
)

// registryTimeout bounds one look-up in the Schema Registry as the view
// waits for it; the client's own request timeout is shorter.
const registryTimeout = 30 * time.Second

// noRegistryText is what the schema views say in a session without one.
const noRegistryText = "no schema registry configured: start kscope with -r URL or -X schema.registry.url=URL, or give the context a schemaRegistry"

// subjectsLoaded answers a Schemas view's load.
type subjectsLoaded struct {
	seq      int
	subjects []kafkaclient.SubjectInfo
	err      error
}

// Schemas lists the subjects of the session's Schema Registry with their
// type, latest version and compatibility level; enter opens a subject's
// versions.
type Schemas struct {
	*widget.List[kafkaclient.SubjectInfo]
	c        *Common
	scope    Scope
	registry SchemaRegistry
	seq      int
}

// The subjects list's columns.
const (
	subjectColName = iota
	subjectColType
	subjectColLatest
	subjectColID
	subjectColCompat
)

// NewSchemas makes the :schemas view; its Init loads the subjects.
func NewSchemas(c *Common) *Schemas {
	type si = kafkaclient.SubjectInfo
	list := newList(c, "schemas", []widget.Column{
		{Title: "SUBJECT", Essential: true, Priority: 10, Min: 12, Cut: widget.CutMiddle},
		{Title: "TYPE", Essential: true, Priority: 6},
		{Title: "LATEST", Right: true, Cut: widget.CutNever, Essential: true, Priority: 8},
		{Title: "ID", Right: true, Cut: widget.CutNever, Priority: 3},
		{Title: "COMPATIBILITY", Short: "COMPAT", Priority: 5},
	},
		widget.Sort[si]{Column: subjectColName, Compare: func(a, b si) int { return strings.Compare(a.Subject, b.Subject) }},
		widget.Sort[si]{Column: subjectColType, Compare: func(a, b si) int { return strings.Compare(string(a.Type), string(b.Type)) }},
		widget.Sort[si]{Column: subjectColLatest, Desc: true, Compare: func(a, b si) int { return cmp.Compare(a.Latest, b.Latest) }},
		widget.Sort[si]{Column: subjectColID, Desc: true, Compare: func(a, b si) int { return cmp.Compare(a.ID, b.ID) }},
		widget.Sort[si]{Column: subjectColCompat, Compare: func(a, b si) int { return strings.Compare(a.Compatibility, b.Compatibility) }},
	)
	list.Empty = "loading…"
	if c.Client.Registry == nil {
		list.Empty = noRegistryText
	}
	return &Schemas{List: list, c: c, registry: c.Client.Registry}
}

// Init implements View.
func (v *Schemas) Init(s Scope) tea.Cmd {
	v.scope = s
	return v.load()
}

func (v *Schemas) load() tea.Cmd {
	if v.registry == nil {
		return nil
	}
	v.seq++
	seq, reg := v.seq, v.registry
	return v.scope.Do(func(ctx context.Context) tea.Msg {
		ctx, cancel := context.WithTimeout(ctx, registryTimeout)
		defer cancel()
		subjects, err := reg.Subjects(ctx)
		return subjectsLoaded{seq: seq, subjects: subjects, err: err}
	})
}

// Update implements View.
func (v *Schemas) Update(msg tea.Msg) (View, tea.Cmd) {
	k := v.c.Keys
	switch msg := msg.(type) {
	case subjectsLoaded:
		if msg.seq != v.seq {
			return v, nil
		}
		if msg.err != nil {
			v.Empty = "could not list the subjects: " + msg.err.Error()
			return v, notify(msg.err.Error(), true)
		}
		v.Empty = "the registry has no subjects"
		v.rebuild(msg.subjects)
	case Changed:
		return v, v.load()
	case tea.KeyPressMsg:
		switch {
		case key.Matches(msg, k.Reload):
			return v, v.load()
		case key.Matches(msg, k.Open):
			if r, ok := v.Selected(); ok {
				return v, push(NewSchemaVersions(v.c, r.Key))
			}
			return v, nil
		}
		v.List.Update(msg)
	case tea.MouseWheelMsg:
		v.List.Update(msg)
	}
	return v, nil
}

func (v *Schemas) rebuild(subjects []kafkaclient.SubjectInfo) {
	st := v.c.Styles
	v.SetItems(subjects, func(s kafkaclient.SubjectInfo) widget.Row {
		name, _ := sanitize.Styled(s.Subject, st.Escape)
		compat, _ := sanitize.Styled(cmp.Or(s.Compatibility, "?"), st.Escape)
		return widget.Row{
			Key:    s.Subject,
			Search: s.Subject + " " + string(s.Type) + " " + s.Compatibility,
			Cells: widget.FixedCells(name, st.Muted.Render(schemaTypeName(s.Type)), strconv.Itoa(s.Latest),
				st.Muted.Render(strconv.Itoa(s.ID)), compat),
		}
	})
}

// schemaTypeName is a schema type as people say it.
func schemaTypeName(t kafkaclient.SchemaType) string {
	switch t {
	case kafkaclient.SchemaProtobuf:
		return "protobuf"
	case kafkaclient.SchemaJSON:
		return "json schema"
	}
	return "avro"
}

// ShortHelp implements help.KeyMap.
func (v *Schemas) ShortHelp() []key.Binding {
	k := v.c.Keys
	return []key.Binding{withHelp(k.Open, "versions"), k.Reload, k.Sort}
}

// FullHelp implements help.KeyMap.
func (v *Schemas) FullHelp() [][]key.Binding {
	k := v.c.Keys
	return [][]key.Binding{{withHelp(k.Open, "versions"), k.Reload}, k.Sorting(), k.Movement()}
}

// withHelp is b described as what it does here.
func withHelp(b key.Binding, desc string) key.Binding {
	b.SetHelp(b.Help().Key, desc)
	return b
}

// versionsLoaded answers a SchemaVersions view's load.
type versionsLoaded struct {
	seq      int
	versions []kafkaclient.SubjectVersionInfo
	err      error
}

// SchemaVersions lists one subject's versions; enter shows a version's
// schema, ctrl+d deletes it (soft: records written with it still
// decode), after the subject's name is typed.
type SchemaVersions struct {
	*widget.List[kafkaclient.SubjectVersionInfo]
	c        *Common
	scope    Scope
	registry SchemaRegistry
	subject  string
	versions []kafkaclient.SubjectVersionInfo
	seq      int
}

// NewSchemaVersions makes the view of subject's versions.
func NewSchemaVersions(c *Common, subject string) *SchemaVersions {
	type vi = kafkaclient.SubjectVersionInfo
	name, _ := sanitize.Plain(subject)
	list := newList(c, "versions of "+name, []widget.Column{
		{Title: "VERSION", Right: true, Cut: widget.CutNever, Essential: true, Priority: 10},
		{Title: "ID", Right: true, Cut: widget.CutNever, Essential: true, Priority: 8},
		{Title: "TYPE", Essential: true, Priority: 6},
		{Title: "REFERENCES", Short: "REFS", Priority: 4, Min: 8},
	},
		widget.Sort[vi]{Column: 0, Desc: true, Compare: func(a, b vi) int { return cmp.Compare(a.Version, b.Version) }},
		widget.Sort[vi]{Column: 1, Desc: true, Compare: func(a, b vi) int { return cmp.Compare(a.Schema.ID, b.Schema.ID) }},
	)
	list.Empty = "loading…"
	return &SchemaVersions{List: list, c: c, registry: c.Client.Registry, subject: subject}
}

// Init implements View.
func (v *SchemaVersions) Init(s Scope) tea.Cmd {
	v.scope = s
	return v.load()
}

func (v *SchemaVersions) load() tea.Cmd {
	if v.registry == nil {
		v.Empty = noRegistryText
		return nil
	}
	v.seq++
	seq, reg, subject := v.seq, v.registry, v.subject
	return v.scope.Do(func(ctx context.Context) tea.Msg {
		ctx, cancel := context.WithTimeout(ctx, registryTimeout)
		defer cancel()
		versions, err := reg.Versions(ctx, subject)
		return versionsLoaded{seq: seq, versions: versions, err: err}
	})
}

// Update implements View.
func (v *SchemaVersions) Update(msg tea.Msg) (View, tea.Cmd) {
	k := v.c.Keys
	switch msg := msg.(type) {
	case versionsLoaded:
		if msg.seq != v.seq {
			return v, nil
		}
		if msg.err != nil {
			v.Empty = "could not list the versions: " + msg.err.Error()
			return v, notify(msg.err.Error(), true)
		}
		v.versions = msg.versions
		v.Empty = "the subject has no versions left"
		v.rebuild()
	case Changed:
		return v, v.load()
	case tea.KeyPressMsg:
		if cmd := k.refused(msg, v.FullHelp()); cmd != nil {
			return v, cmd
		}
		switch {
		case key.Matches(msg, k.Reload):
			return v, v.load()
		case key.Matches(msg, k.Open), key.Matches(msg, k.DeleteSchema):
			sv := v.selected()
			if sv == nil {
				return v, nil
			}
			if key.Matches(msg, k.Open) {
				return v, push(NewSchemaText(v.c, sv.Schema, fmt.Sprintf("%s v%d", v.subject, sv.Version)))
			}
			return v, deleteSchemaDialog(v.c, v.registry, v.subject, sv.Version)
		}
		v.List.Update(msg)
	case tea.MouseWheelMsg:
		v.List.Update(msg)
	}
	return v, nil
}

func (v *SchemaVersions) selected() *kafkaclient.SubjectVersionInfo {
	r, ok := v.Selected()
	if !ok {
		return nil
	}
	for i := range v.versions {
		if strconv.Itoa(v.versions[i].Version) == r.Key {
			return &v.versions[i]
		}
	}
	return nil
}

func (v *SchemaVersions) rebuild() {
	st := v.c.Styles
	v.SetItems(v.versions, func(sv kafkaclient.SubjectVersionInfo) widget.Row {
		var refs []string
		for _, r := range sv.Schema.References {
			refs = append(refs, fmt.Sprintf("%s (%s v%d)", r.Name, r.Subject, r.Version))
		}
		refText, _ := sanitize.Styled(strings.Join(refs, ", "), st.Escape)
		if len(refs) == 0 {
			refText = st.Muted.Render("none")
		}
		return widget.Row{
			Key:    strconv.Itoa(sv.Version),
			Search: strconv.Itoa(sv.Version) + " " + strings.Join(refs, " "),
			Cells:  widget.FixedCells(strconv.Itoa(sv.Version), strconv.Itoa(sv.Schema.ID), st.Muted.Render(schemaTypeName(sv.Schema.Type)), refText),
		}
	})
}

// deleteSchemaDialog soft-deletes version of subject once the subject's
// name is typed; the audit file records it.
func deleteSchemaDialog(c *Common, reg SchemaRegistry, subject string, version int) tea.Cmd {
	target := fmt.Sprintf("%s v%d", subject, version)
	explanation := fmt.Sprintf("Delete version %d of subject %s? Producers can no longer use it; "+
		"records written with it still decode by their schema id (a soft delete).", version, plainName(subject))
	entry := kafkaclient.AuditEntry{Action: "delete schema version", Target: target}
	return confirmChange(c, "delete schema version", "Delete schema version", explanation, subject, entry, func(ctx context.Context) (string, error) {
		return "deleted " + plainName(target), reg.DeleteSchemaVersion(ctx, subject, version)
	})
}

// ShortHelp implements help.KeyMap.
func (v *SchemaVersions) ShortHelp() []key.Binding {
	k := v.c.Keys
	return []key.Binding{withHelp(k.Open, "schema"), k.Reload, k.DeleteSchema}
}

// FullHelp implements help.KeyMap.
func (v *SchemaVersions) FullHelp() [][]key.Binding {
	k := v.c.Keys
	return [][]key.Binding{{withHelp(k.Open, "schema"), k.Reload, k.DeleteSchema}, k.Sorting(), k.Movement()}
}
