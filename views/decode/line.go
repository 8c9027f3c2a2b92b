package decode

import (
	"strings"

	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"kscope/themes"
	"kscope/views/sanitize"
)

// sgr is a style as the SGR sequences that turn it on and off.
type sgr struct{ on, off string }

func sgrOf(style lipgloss.Style) sgr {
	on, off := sanitize.SGR(style)
	return sgr{on, off}
}

// palette is the Styles a Document draws with, turned into SGR sequences
// once when the Document is built, so that drawing a line costs string
// concatenation instead of lipgloss renders.
type palette struct {
	text, muted        sgr
	key, str, num, lit sgr
	escape             lipgloss.Style
	escapeOff          string
}

func newPalette(st *themes.Styles) *palette {
	return &palette{
		text:      sgrOf(st.Text),
		muted:     sgrOf(st.Muted),
		key:       sgrOf(st.Accent),
		str:       sgrOf(st.OK),
		num:       sgrOf(st.Warn),
		lit:       sgrOf(st.Error),
		escape:    st.Escape,
		escapeOff: sgrOf(st.Escape).off,
	}
}

// A span is a run of a line drawn in one style. Record data is sanitized
// when the span is made; text the decoder wrote itself (indentation, hex
// digits, base64) is printable ASCII and is kept as is.
type span struct {
	raw   string // as given, to cut from
	shown string // as drawn, escapes included
	cells int
	style sgr
	safe  bool // raw is printable ASCII
}

// dataSpan is a span of record data.
func (p *palette) dataSpan(raw string, style sgr) span {
	shown, cells := sanitize.Styled(raw, p.escape)
	return span{raw: raw, shown: shown, cells: cells, style: style}
}

// asciiSpan is a span of printable ASCII the decoder wrote.
func asciiSpan(raw string, style sgr) span {
	return span{raw: raw, shown: raw, cells: len(raw), style: style, safe: true}
}

// line joins spans into at most width cells. more says the spans are only
// the start of the line; the line is then cut with "…" even if they fit.
// Pieces of record data are cut between escapes and grapheme clusters,
// never inside one.
func (p *palette) line(spans []span, more bool, width int) string {
	if width <= 0 {
		return ""
	}
	total := 0
	for _, s := range spans {
		total += s.cells
	}
	var b strings.Builder
	if !more && total <= width {
		for _, s := range spans {
			p.write(&b, s.style, s.shown)
		}
		return b.String()
	}
	room := width - 1 // for the "…"
	for _, s := range spans {
		if s.cells <= room {
			p.write(&b, s.style, s.shown)
			room -= s.cells
			continue
		}
		if s.safe {
			p.write(&b, s.style, s.raw[:room])
		} else {
			p.write(&b, s.style, sanitize.Line(s.raw, room, "", p.escape))
		}
		break
	}
	b.WriteString("…")
	return b.String()
}

// write writes s in style. The sanitizer ends each run of escapes by
// resetting all attributes, so style is turned on again after each.
func (p *palette) write(b *strings.Builder, style sgr, s string) {
	if s == "" {
		return
	}
	if style.on == "" {
		b.WriteString(s)
		return
	}
	if p.escapeOff != "" && strings.IndexByte(s, ansi.ESC) >= 0 {
		s = strings.ReplaceAll(s, p.escapeOff, p.escapeOff+style.on)
	}
	b.WriteString(style.on)
	b.WriteString(s)
	b.WriteString(style.off)
}
