package decode

import (
	"fmt"
	"strings"

	"kscope/kafkaclient"
	"kscope/themes"
	"kscope/views/sanitize"
)

// noRegistry is what the schema mode says in a session without a registry.
const noRegistry = "no schema registry configured (-r URL, or a context's schemaRegistry)"

// notFramed is what the schema mode says of a field no serializer framed.
const notFramed = "not framed for a schema registry (no magic byte 0 and schema id, no schema-id header)"

// Preview is the package's Preview for r's key (key set) or value, with
// the registry's schemas: in Auto and Schema modes a framed field is
// previewed decoded, a field whose schema is on its way says so, and one
// that cannot be decoded gives the reason before its bytes. Schema mode
// also says why a field that is not framed is not decoded. It never
// waits for the registry.
func (s *Schemas) Preview(r *kafkaclient.Record, key bool, mode Mode, width int, st *themes.Styles) string {
	b := field(r, key)
	if width <= 0 || mode != Auto && mode != Schema {
		return Preview(b, mode, width, st)
	}
	if s == nil {
		if mode == Schema {
			return reasonPreview(noRegistry, b, width, st)
		}
		return Preview(b, Auto, width, st)
	}
	res := s.decodeField(s.ctx, r, key, false)
	switch {
	case res == nil && mode == Schema:
		return reasonPreview(notFramed, b, width, st)
	case res == nil:
		return Preview(b, Auto, width, st)
	case res.pending:
		return st.Muted.Render(sanitize.Line(res.waiting(), width, "…", st.Escape))
	case res.err != nil:
		return reasonPreview(res.err.Error(), b, width, st)
	}
	return Preview(res.json, JSON, width, st)
}

// waiting says what a pending field waits for.
func (res *result) waiting() string {
	if res.codec != nil {
		return "decoding…"
	}
	return "fetching " + res.frame.key.String() + "…"
}

// reasonPreview shows why a field is not decoded, then as much of its
// bytes as fits.
func reasonPreview(reason string, b []byte, width int, st *themes.Styles) string {
	text := "⚠ " + reason
	_, w := sanitize.Plain(text)
	if w+3 >= width || len(b) == 0 {
		return st.Error.Render(sanitize.Line(text, width, "…", st.Escape))
	}
	return st.Error.Render(sanitize.Line(text, w, "", st.Escape)) + st.Muted.Render(" · ") + Preview(b, Auto, width-w-3, st)
}

// Document is the package's NewDocument for r's key or value, with the
// registry's schemas: in Auto and Schema modes a framed field is its
// decoded JSON, pretty-printed under a line that names the schema (type,
// id, the subject versions that use it, the Protobuf message); a field
// whose schema is on its way, or that cannot be decoded, is its bytes
// under a line that says so. It never waits for the registry: the
// caller builds the Document again when SchemasChanged comes.
func (s *Schemas) Document(r *kafkaclient.Record, key bool, mode Mode, st *themes.Styles) Document {
	b := field(r, key)
	if mode != Auto && mode != Schema {
		return NewDocument(b, mode, st)
	}
	p := newPalette(st)
	var res *result
	if s != nil {
		res = s.decodeField(s.ctx, r, key, false)
	}
	raw := NewDocument(b, Auto, st)
	switch {
	case s == nil && mode == Schema:
		return newNoteDoc(noRegistry, p.lit, raw.Kind(), raw, p)
	case res == nil && mode == Schema:
		return newNoteDoc(notFramed, p.lit, raw.Kind(), raw, p)
	case res == nil:
		return raw
	case res.pending:
		return newNoteDoc(res.waiting(), p.muted, raw.Kind(), raw, p)
	case res.err != nil:
		return newNoteDoc("⚠ "+res.err.Error(), p.lit, raw.Kind(), raw, p)
	}
	doc, err := newJSONDoc(res.json, p)
	if err != nil {
		return newNoteDoc("⚠ the decoded value is not JSON: "+err.Error(), p.lit, raw.Kind(), raw, p)
	}
	return newNoteDoc(res.describe(), p.muted, res.codec.kind, doc, p)
}

// describe names a decoded field's schema: its type, its id (or GUID),
// the Protobuf message, and the subject versions that use it.
func (res *result) describe() string {
	sch := res.codec.schema
	parts := []string{res.codec.kind.String()}
	if res.frame.key.guid != "" {
		parts = append(parts, fmt.Sprintf("schema %s (id %d)", res.frame.key.guid, sch.ID))
	} else {
		parts = append(parts, fmt.Sprintf("schema id %d", res.frame.key.id))
	}
	if res.message != "" {
		parts = append(parts, "message "+res.message)
	}
	if len(sch.Uses) > 0 {
		parts = append(parts, Uses(sch.Uses, 3))
	}
	if res.frame.header {
		parts = append(parts, "id in a header")
	}
	return strings.Join(parts, " · ")
}

// Uses lists the subject versions that use a schema, the first most of
// them: "orders-value v2, audit-value v1 (+3 more)".
func Uses(uses []kafkaclient.SubjectVersion, most int) string {
	var names []string
	for i, u := range uses {
		if i == most {
			names[len(names)-1] += fmt.Sprintf(" (+%d more)", len(uses)-most)
			break
		}
		names = append(names, fmt.Sprintf("%s v%d", u.Subject, u.Version))
	}
	return strings.Join(names, ", ")
}

// SchemaOf is the schema r's key or value was decoded with, once it has
// been: nil for a field that is not framed, or whose schema is not here.
func (s *Schemas) SchemaOf(r *kafkaclient.Record, key bool) *kafkaclient.Schema {
	if s == nil {
		return nil
	}
	res := s.decodeField(s.ctx, r, key, false)
	if res == nil || res.codec == nil {
		return nil
	}
	return res.codec.schema
}

// SchemaDocument lays out a schema's text: Avro and JSON Schema
// pretty-printed as JSON, Protobuf as the .proto text it is.
func SchemaDocument(sch *kafkaclient.Schema, st *themes.Styles) Document {
	b := []byte(sch.Text)
	if sch.Type != kafkaclient.SchemaProtobuf {
		if d, err := newJSONDoc(b, newPalette(st)); err == nil {
			return d
		}
	}
	return NewDocument(b, Text, st)
}

// noteDoc is a Document under a line about it.
type noteDoc struct {
	note  string
	style sgr
	kind  Kind
	inner Document
	p     *palette
}

func newNoteDoc(note string, style sgr, kind Kind, inner Document, p *palette) *noteDoc {
	return &noteDoc{note: note, style: style, kind: kind, inner: inner, p: p}
}

func (d *noteDoc) Kind() Kind    { return d.kind }
func (d *noteDoc) Len() int      { return d.inner.Len() + 1 }
func (d *noteDoc) Plain() []byte { return d.inner.Plain() }

func (d *noteDoc) Line(i, width int) string {
	if i == 0 {
		return d.p.line([]span{d.p.dataSpan(d.note, d.style)}, false, width)
	}
	return d.inner.Line(i-1, width)
}

func (d *noteDoc) Wrap(width int) Document {
	return &noteDoc{note: d.note, style: d.style, kind: d.kind, inner: d.inner.Wrap(width), p: d.p}
}
