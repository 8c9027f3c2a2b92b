package decode

import (
	"bytes"
	"strings"

	"kscope/themes"
)

// Document is a decoded field laid out as lines for the detail view's
// viewport. Building one does the O(n) work once; each line is styled,
// sanitized and cut when it is asked for, at a cost that depends on the
// width, not on the size of the field.
type Document interface {
	// Kind is what the field was decoded as: KindJSON, KindText,
	// KindBinary for hex and base64, or KindEmpty.
	Kind() Kind
	// Len is the number of lines.
	Len() int
	// Line returns line i, styled and sanitized, in at most width cells,
	// ending in "…" when cut. It returns "" for an i outside [0, Len).
	Line(i int, width int) string
	// Plain returns the field as decoded, unstyled, for copying: pretty
	// JSON, the text, a hex dump, or base64 on one line (which every
	// decoder accepts, and which pastes into a command line or a JSON
	// string as it is). The caller must not modify it.
	Plain() []byte
	// Wrap lays the document out for width cells: text is broken into
	// rows that fit, at spaces where it can, so long text can be read by
	// scrolling rather than cut at the edge; JSON, hex and base64, whose
	// lines have a shape of their own, are returned as they are. It costs
	// O(size of the text), once per width.
	Wrap(width int) Document
}

// NewDocument decodes b as mode says. Auto decodes as Detect finds, with
// binary shown as hex. JSON mode shows invalid JSON as text, under a note
// saying what is wrong with it. An empty b is one muted line whatever the
// mode. The Document keeps b, which must not change while it is in use.
func NewDocument(b []byte, mode Mode, st *themes.Styles) Document {
	p := newPalette(st)
	if len(b) == 0 {
		return emptyDoc{p}
	}
	switch mode {
	case JSON:
		d, err := newJSONDoc(b, p)
		if err != nil {
			return newTextDoc(b, "not valid JSON: "+err.Error(), p)
		}
		return d
	case Text:
		return newTextDoc(b, "", p)
	case Hex:
		return hexDoc{b, p}
	case Base64:
		return base64Doc{b, p}
	}
	if looksJSON(b) {
		if d, err := newJSONDoc(b, p); err == nil {
			return d
		}
	}
	if isText(b, false) {
		return newTextDoc(b, "", p)
	}
	return hexDoc{b, p}
}

// emptyDoc is a field with no bytes.
type emptyDoc struct{ p *palette }

func (emptyDoc) Kind() Kind    { return KindEmpty }
func (emptyDoc) Len() int      { return 1 }
func (emptyDoc) Plain() []byte { return nil }

func (d emptyDoc) Line(i, width int) string {
	if i != 0 {
		return ""
	}
	return d.p.line([]span{d.p.dataSpan("∅ empty", d.p.muted)}, false, width)
}

// textDoc is text split at newlines, and at the width it was wrapped
// at, with an optional note above it.
type textDoc struct {
	b      []byte
	starts []uint32 // where each line (or row, once wrapped) starts in b
	note   string
	p      *palette
	// wrapped rows may end in the space they were broken after, which
	// may lie past the edge: it is not drawn.
	wrapped bool
}

func newTextDoc(b []byte, note string, p *palette) *textDoc {
	d := &textDoc{b: b, note: note, p: p, starts: []uint32{0}}
	// A final newline ends the last line rather than starting an empty one.
	for i := 0; ; {
		k := bytes.IndexByte(b[i:], '\n')
		if k < 0 || i+k+1 == len(b) {
			break
		}
		i += k + 1
		d.starts = append(d.starts, uint32(i))
	}
	return d
}

func (d *textDoc) Kind() Kind    { return KindText }
func (d *textDoc) Plain() []byte { return d.b }

func (d *textDoc) Len() int {
	if d.note != "" {
		return len(d.starts) + 1
	}
	return len(d.starts)
}

// tabStop is the column multiple a tab advances to: tabs become spaces,
// since an escaped \t would clutter tab-separated text.
const tabStop = 4

func (d *textDoc) Line(i, width int) string {
	if d.note != "" {
		if i == 0 {
			return d.p.line([]span{d.p.dataSpan(d.note, d.p.muted)}, false, width)
		}
		i--
	}
	if i < 0 || i >= len(d.starts) || width <= 0 {
		return ""
	}
	end := len(d.b)
	if i+1 < len(d.starts) {
		end = int(d.starts[i+1])
	}
	// A line ends with its newline; a row cut from a longer line does not.
	raw := bytes.TrimSuffix(d.b[d.starts[i]:end], []byte{'\n'})
	if d.wrapped {
		raw = bytes.TrimRight(raw, " ")
	}
	h, more := head(raw, textHead(width))
	text := string(h)
	var spans []span
	col := 0
	for {
		k := strings.IndexByte(text, '\t')
		if k < 0 {
			spans = append(spans, d.p.dataSpan(text, d.p.text))
			break
		}
		s := d.p.dataSpan(text[:k], d.p.text)
		col += s.cells
		n := tabStop - col%tabStop
		col += n
		spans = append(spans, s, asciiSpan(spaces(n), sgr{}))
		text = text[k+1:]
	}
	return d.p.line(spans, more, width)
}

func spaces(n int) string {
	return strings.Repeat(" ", n)
}
