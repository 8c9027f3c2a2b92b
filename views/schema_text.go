package views

import (
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"kscope/kafkaclient"
	"kscope/views/decode"
	"kscope/views/sanitize"
	"kscope/views/widget"
)

// maxReferenceLines bounds the references listed above a schema's text.
const maxReferenceLines = 6

// SchemaText shows one schema whole: its type, id, the subject versions
// that use it and its references, above its text (Avro and JSON Schema
// pretty-printed, Protobuf as .proto), scrolled in a viewport.
type SchemaText struct {
	c      *Common
	schema *kafkaclient.Schema
	name   string
	doc    decode.Document
	lines  decode.Document
	scroll int
	width  int
	height int
}

// NewSchemaText shows sch, named in the title as name ("orders-value v3").
func NewSchemaText(c *Common, sch *kafkaclient.Schema, name string) *SchemaText {
	v := &SchemaText{c: c, schema: sch, name: name}
	v.layout()
	return v
}

// showSchema shows the schema r's key or value was decoded with, from
// the record's detail.
func showSchema(c *Common, r *kafkaclient.Record, key bool) tea.Cmd {
	sch := c.Client.Schemas.SchemaOf(r, key)
	if sch == nil {
		what := "value"
		if key {
			what = "key"
		}
		return notify("the "+what+" was not decoded with a schema from the registry", true)
	}
	return push(NewSchemaText(c, sch, fmt.Sprintf("schema id %d", sch.ID)))
}

func (v *SchemaText) layout() {
	v.doc = decode.SchemaDocument(v.schema, v.c.Styles)
	v.lines = v.doc.Wrap(v.width)
}

// Init implements View.
func (v *SchemaText) Init(Scope) tea.Cmd { return nil }

// Title implements View.
func (v *SchemaText) Title() string {
	name, _ := sanitize.Plain(v.name)
	return name
}

// SetSize implements View.
func (v *SchemaText) SetSize(w, h int) {
	if w != v.width {
		v.lines = v.doc.Wrap(w)
	}
	v.width, v.height = w, h
	v.scrollBy(0)
}

// header is what is said of the schema above its text.
func (v *SchemaText) header() []string {
	st := v.c.Styles
	s := v.schema
	label := func(l string) string { return st.Muted.Render(widget.Fit(l, 12, false)) }
	id := fmt.Sprintf("%s · id %d", schemaTypeName(s.Type), s.ID)
	if s.GUID != "" {
		id += " · guid " + s.GUID
	}
	id, _ = sanitize.Styled(id, st.Escape) // the GUID is the registry's text
	lines := []string{label("schema") + id}
	if len(s.Uses) > 0 {
		uses, _ := sanitize.Styled(decode.Uses(s.Uses, 5), st.Escape)
		lines = append(lines, label("used by")+uses)
	}
	if len(s.References) == 0 {
		return append(lines, label("references")+st.Muted.Render("none"))
	}
	for i, r := range s.References {
		l := label("")
		if i == 0 {
			l = label("references")
		}
		if i == maxReferenceLines-1 && len(s.References) > maxReferenceLines {
			lines = append(lines, l+st.Muted.Render(fmt.Sprintf("… %d more", len(s.References)-i)))
			break
		}
		ref, _ := sanitize.Styled(fmt.Sprintf("%s → %s v%d", r.Name, r.Subject, r.Version), st.Escape)
		lines = append(lines, l+ref)
	}
	return lines
}

func (v *SchemaText) rows() int { return max(v.height-len(v.header())-1, 1) }

func (v *SchemaText) scrollBy(n int) {
	v.scroll = min(max(v.scroll+n, 0), max(v.lines.Len()-v.rows(), 0))
}

// Update implements View.
func (v *SchemaText) Update(msg tea.Msg) (View, tea.Cmd) {
	k := v.c.Keys
	switch msg := msg.(type) {
	case ThemeChanged:
		v.layout()
	case tea.KeyPressMsg:
		if delta, ok := k.Step(msg, v.rows(), v.lines.Len()); ok {
			v.scrollBy(delta)
			return v, nil
		}
		if key.Matches(msg, k.Copy) {
			return v, tea.Batch(tea.SetClipboard(v.schema.Text), notify("copied the schema to the clipboard", false))
		}
	case tea.MouseWheelMsg:
		switch msg.Button {
		case tea.MouseWheelUp:
			v.scrollBy(-3)
		case tea.MouseWheelDown:
			v.scrollBy(3)
		}
	}
	return v, nil
}

// View implements View: only the lines on screen are drawn.
func (v *SchemaText) View() string {
	st := v.c.Styles
	lines := v.header()
	end := min(v.scroll+v.rows(), v.lines.Len())
	lines = append(lines, st.TableHeader.Render(fmt.Sprintf("text · lines %d–%d of %d", min(v.scroll+1, end), end, v.lines.Len())))
	for i := v.scroll; i < end; i++ {
		lines = append(lines, v.lines.Line(i, v.width))
	}
	for i, l := range lines {
		lines[i] = ansi.Truncate(l, v.width, "…")
	}
	return strings.Join(lines, "\n")
}

// ShortHelp implements help.KeyMap.
func (v *SchemaText) ShortHelp() []key.Binding {
	return []key.Binding{withHelp(v.c.Keys.Copy, "copy schema")}
}

// FullHelp implements help.KeyMap.
func (v *SchemaText) FullHelp() [][]key.Binding {
	return [][]key.Binding{{withHelp(v.c.Keys.Copy, "copy schema")}, v.c.Keys.Movement()}
}
