// Package sanitize makes bytes from Kafka safe to put on a terminal.
//
// Everything a broker hands us (record keys, values and headers, topic and
// group names, client ids, hostnames) is written by someone else, and a
// terminal obeys what it is given: an ESC can move the cursor or retitle the
// window, a BEL rings, a bidi override reorders the line, an invisible format
// character hides text, a stray combining mark draws over our borders. So
// every byte goes through this package, which shows the dangerous ones as
// visible escapes and lets everything else through untouched:
//
//   - C0 controls and DEL become \x1b, \x07, \x7f, with \n, \r and \t for
//     the three everyone recognises; a whole escape sequence is not
//     interpreted, only its control bytes are escaped, so ESC [2J shows as
//     \x1b[2J.
//   - C1 controls become \u009b and the like.
//   - Each invalid UTF-8 byte becomes \xff, as Go's %q does.
//   - Format characters (general category Cf: bidi embeddings, overrides and
//     isolates, U+061C, U+200E/F, zero-width space and non-joiner, U+FEFF,
//     word joiner and the invisible operators, soft hyphen, …), other default
//     ignorables (Hangul fillers and the like), the line and paragraph
//     separators U+2028/U+2029 and the noncharacters become \u202e or
//     \U000e0001. The prepended concatenation marks (U+0600, …) are format
//     characters too, and worth escaping for their own sake: ansi.StringWidth
//     counts one together with the digits after it as zero cells. The
//     exception: tag characters continuing a 🏴 flag; anywhere else they are
//     invisible text.
//   - The parts of an emoji that terminals draw in different widths: the
//     zero-width joiner (👨\u200d👩), skin tones (👍\U0001f3fd), a
//     variation selector that makes a narrow symbol a wide emoji
//     (❤\ufe0f) or the reverse, and a regional indicator that is not half
//     of a flag. A terminal that draws grapheme clusters (mode 2027) gives
//     👍🏽 two cells, one that draws code points, as most do, four, and tmux
//     3.3 draws whatever follows a joiner in the cell before it; bubbletea
//     itself measures the one way or the other depending on what the
//     terminal announces. Shown whole, such an emoji would shift every
//     column after it on some terminals; escaped, the text is as wide on
//     every terminal as the layout says. Emoji that need none of these (👍,
//     🇯🇵, a 🏴 tag flag, ⌚ with its selector) are shown as they are.
//   - A mark that would attach to the character before it (combining marks,
//     variation selectors, spacing marks) is escaped when
//     there is nothing of the text's own for it to attach to: at the start of
//     the text or right after an escape. Otherwise it would combine with
//     whatever the screen has there (a border, the previous cell) or with
//     the last character of an escape.
//   - A prepend mark (U+0D4E, U+111C2, …) is escaped when no character of the
//     text's own follows it, for the same reason in the other direction.
//
// Display widths are those of ansi.StringWidth, which is what lipgloss v2
// measures with, so layouts built from these strings line up; for emoji
// they are also those of ansi.WcWidth, by the rule above. The last two
// rules keep every escape a grapheme cluster of its own; that is what lets
// styles be wrapped around escapes, and lines be cut at escapes, without
// changing the width.
package sanitize

import (
	"strings"

	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"
)

// Plain returns s with every unsafe rune replaced by a visible escape, and
// its display width. Clean input is returned as is, without allocating.
func Plain(s string) (string, int) {
	out, w := sanitize(s, writer{s: s, size: len(s) + 32})
	return out, w
}

// Styled is Plain with each run of escapes wrapped in style's colours and
// attributes (a dim or inverse style, say), so that escapes stand out from
// text that merely looks like one. Only style's SGR attributes are used:
// padding, margins, borders, alignment and widths would add cells. The
// returned width is the display width, which the styling does not change.
func Styled(s string, style lipgloss.Style) (string, int) {
	out, w := sanitize(s, writer{s: s, style: style, styled: true, size: len(s) + 32})
	return out, w
}

// Line sanitizes s like Styled and cuts it to at most width cells. When it
// cuts, it appends tail (e.g. "…") within the width; a tail wider than
// width is left out. It cuts only between grapheme clusters and escapes,
// never inside one. tail is the caller's own text and is not sanitized.
func Line(s string, width int, tail string, style lipgloss.Style) string {
	if width <= 0 {
		return ""
	}
	// Printable ASCII is one cell per byte, so width+1 bytes decide it.
	head := s[:min(len(s), width)]
	fast := printable(head)
	if fast && len(head) == len(s) {
		return s
	}
	budget := width - ansi.StringWidth(tail)
	if budget < 0 {
		tail, budget = "", width
	}
	if fast && printableByte(s[width]) {
		return s[:budget] + tail
	}

	sc := scanner{s: s}
	w := writer{s: s, style: style, styled: true, size: 4*min(len(s), width) + len(tail) + 32}
	used := 0
	for i := 0; i < len(s); {
		n, cells, esc := sc.piece(i)
		if used+cells > budget {
			// Past the room left for the tail; if the rest fits in width
			// there is no need for a tail at all.
			if ahead := sc; !ahead.fits(i+n, used+cells, width) {
				return w.finish(i, tail)
			}
			budget = width
		}
		if esc {
			w.escape(i, n)
		}
		used += cells
		i += n
	}
	return w.finish(len(s), "")
}

// sanitize is Plain and Styled, writing to w.
func sanitize(s string, w writer) (out string, width int) {
	sc := scanner{s: s}
	span, ascii := 0, true // the verbatim text since the last escape
	for i := 0; i < len(s); {
		if printableByte(s[i]) {
			i++
			continue
		}
		n, esc := sc.step(i)
		if !esc {
			ascii = false
			i += n
			continue
		}
		width += spanWidth(s[span:i], ascii) + escapeLen(s[i:i+n])
		w.escape(i, n)
		i += n
		span, ascii = i, true
	}
	width += spanWidth(s[span:], ascii)
	return w.finish(len(s), ""), width
}

// spanWidth is the width of verbatim text between escapes. Escapes are
// clusters of their own, so the widths of the pieces add up to the width
// of the whole.
func spanWidth(s string, ascii bool) int {
	if ascii {
		return len(s)
	}
	return ansi.StringWidth(s)
}

// printable reports whether s is all printable ASCII: text that is clean and
// one cell per byte.
func printable(s string) bool {
	for i := 0; i < len(s); i++ {
		if !printableByte(s[i]) {
			return false
		}
	}
	return true
}

// printableByte reports whether c is printable ASCII, space to tilde.
func printableByte(c byte) bool {
	return c-' ' < '\x7f'-' '
}

// writer builds the output. Until the first escape the output is a prefix
// of the input, so nothing is copied and clean input costs nothing.
type writer struct {
	s       string
	style   lipgloss.Style
	styled  bool // wrap escapes in style
	size    int  // a guess at the output's length, to allocate once
	b       strings.Builder
	mark    int  // s[:mark] has been dealt with
	dirty   bool // something was escaped, so b holds the output
	open    bool // b ends inside a styled run of escapes
	on, off string
}

// escape writes s[mark:i] as is and s[i:i+n] as an escape.
func (w *writer) escape(i, n int) {
	if !w.dirty {
		w.dirty = true
		w.b.Grow(w.size)
		if w.styled {
			w.on, w.off = SGR(w.style)
		}
	}
	w.text(i)
	if !w.open {
		w.b.WriteString(w.on)
		w.open = true
	}
	var buf [10]byte
	w.b.Write(appendEscape(buf[:0], w.s[i:i+n]))
	w.mark = i + n
}

// text writes s[mark:end] as is, closing any open run of escapes first.
func (w *writer) text(end int) {
	if w.mark >= end {
		return
	}
	if w.open {
		w.b.WriteString(w.off)
		w.open = false
	}
	w.b.WriteString(w.s[w.mark:end])
	w.mark = end
}

// finish returns the output for s[:end] followed by tail.
func (w *writer) finish(end int, tail string) string {
	if !w.dirty {
		if tail == "" {
			return w.s[:end]
		}
		return w.s[:end] + tail
	}
	w.text(end)
	if w.open {
		w.b.WriteString(w.off)
	}
	w.b.WriteString(tail)
	return w.b.String()
}

// SGR returns the SGR sequences style starts and ends its text with, taken
// from a rendering of a single cell and stripped of everything else, so
// that no layout property of style can add cells. Drawing code that
// styles many small pieces uses it to pay for a lipgloss render once.
func SGR(style lipgloss.Style) (on, off string) {
	r := style.Render("x")
	var state byte
	seen := false
	for r != "" {
		seq, cells, n, next := ansi.DecodeSequence(r, state, nil)
		state, r = next, r[n:]
		switch {
		case cells > 0:
			seen, off = true, ""
		case !isSGR(seq):
		case seen:
			off += seq
		default:
			on += seq
		}
	}
	return on, off
}

// isSGR reports whether seq is a Select Graphic Rendition sequence, which
// changes colours and attributes and nothing else.
func isSGR(seq string) bool {
	if len(seq) < 3 || seq[0] != ansi.ESC || seq[1] != '[' || seq[len(seq)-1] != 'm' {
		return false
	}
	for i := 2; i < len(seq)-1; i++ {
		if c := seq[i]; (c < '0' || c > '9') && c != ';' && c != ':' {
			return false
		}
	}
	return true
}
