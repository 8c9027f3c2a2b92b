package sanitize

import (
	"sync/atomic"
	"unicode"
	"unicode/utf8"

	"github.com/charmbracelet/x/ansi"
)

// scanner decides, rune by rune and left to right, what is shown as is and
// what is escaped.
type scanner struct {
	s string

	// escEnd is where the last escape ended. It starts at 0 because the
	// start of the text, like an escape, leaves a mark nothing to attach to.
	escEnd int

	// Runes before hold share one verdict, holdEsc: a run of prepend marks
	// is kept or escaped as a whole, depending on what follows it.
	hold    int
	holdEsc bool

	// Line's lookahead: the text from its current piece up to runEnd has
	// been decided, and is verbatim.
	runEnd int

	// partner is where the regional indicator that completes a flag begun
	// by a kept one starts (0: none pending).
	partner int
}

// step decides the rune (or invalid byte) at i and records an escape.
func (sc *scanner) step(i int) (n int, esc bool) {
	n, esc = sc.decide(i)
	if esc {
		sc.escEnd = i + n
	}
	return n, esc
}

// decide reports the length of the rune (or invalid byte) at i and whether
// it must be escaped, given that everything before i has been decided.
func (sc *scanner) decide(i int) (n int, esc bool) {
	s := sc.s
	if c := s[i]; c < utf8.RuneSelf {
		return 1, c < ' ' || c == '\x7f'
	}
	r, n := utf8.DecodeRuneInString(s[i:])
	switch {
	case i < sc.hold:
		return n, sc.holdEsc
	case r == utf8.RuneError && n == 1:
		return 1, true
	case isTag(r):
		return n, !sc.flagged(i)
	case isRegional(r):
		return n, !sc.paired(i, n)
	}
	switch c := class(r); {
	case c&hidden != 0:
		return n, true
	case c&extends != 0:
		return n, i == sc.escEnd || isSelector(r) && sc.widens(i, r)
	case c&prepends != 0:
		return n, sc.prepend(i)
	}
	return n, false
}

// paired reports whether the regional indicator at i, n bytes long, is
// half of a flag: the second of a pair, or the first with its partner
// right after it. A lone one is two cells to a terminal that draws
// clusters and one to a terminal that draws code points.
func (sc *scanner) paired(i, n int) bool {
	if i == sc.partner && i > 0 {
		sc.partner = 0
		return true
	}
	next, _ := utf8.DecodeRuneInString(sc.s[i+n:])
	if isRegional(next) {
		sc.partner = i + n
		return true
	}
	return false
}

// widens reports whether the variation selector vs at i changes the width
// of the rune before it, as U+FE0F makes ❤ an emoji two cells wide. A
// terminal that draws code points gives the selector no width, so such a
// selector is escaped; so is one after a mark, whose cluster it is not
// worth working out.
func (sc *scanner) widens(i int, vs rune) bool {
	prev, _ := utf8.DecodeLastRuneInString(sc.s[:i])
	c := class(prev)
	switch vs {
	case 0xfe0f:
		return c&(extends|prepends|resizedByVS16) != 0
	case 0xfe0e:
		return c&(extends|prepends|resizedByVS15) != 0
	}
	return c&(extends|prepends|resizedByVS) != 0
}

// flagged reports whether the tag character at i continues an emoji tag
// sequence (🏴 followed by tags), the one place tags are visible. Anywhere
// else they are invisible text.
func (sc *scanner) flagged(i int) bool {
	if i == sc.escEnd {
		return false
	}
	r, _ := utf8.DecodeLastRuneInString(sc.s[:i])
	return r == 0x1f3f4 || isTag(r) && r != 0xe007f
}

// prepend decides the run of prepend marks starting at i: it is kept only if
// a character of the text's own follows for it to attach to, since an escape
// or whatever comes after the text would otherwise join its cluster.
func (sc *scanner) prepend(i int) bool {
	s := sc.s
	k := i
	for k < len(s) {
		r, n := utf8.DecodeRuneInString(s[k:])
		if class(r)&(hidden|prepends) != prepends {
			break
		}
		k += n
	}
	esc := k == len(s)
	if !esc {
		_, esc = sc.decide(k)
	}
	sc.hold, sc.holdEsc = k, esc
	return esc
}

// piece returns the next unit Line may keep or drop at i: an escape or a
// grapheme cluster of verbatim text, with its width.
func (sc *scanner) piece(i int) (n, cells int, esc bool) {
	s := sc.s
	if i >= sc.runEnd {
		n, esc = sc.step(i)
		if esc {
			return n, escapeLen(s[i : i+n]), true
		}
		sc.runEnd = i + n
	}
	if s[i] < utf8.RuneSelf && (i+1 == len(s) || s[i+1] < utf8.RuneSelf) {
		return 1, 1, false
	}
	// Segment only text known to be verbatim: an escaped rune inside an
	// input cluster cuts it short, and segmenting all of a long input
	// cluster again for every piece would make Line quadratic. A cluster
	// that reaches the end of what is known may go on; look further.
	for ahead := 64; ; ahead *= 2 {
		end, final := sc.verbatimTo(i + ahead)
		c, cells := ansi.FirstGraphemeCluster(s[i:end], ansi.GraphemeWidth)
		if i+len(c) < end || final {
			return len(c), cells, false
		}
	}
}

// verbatimTo decides runes from runEnd on, until limit or an escape. It
// returns where the verbatim text is known to reach and whether it ends
// there (at an escape or the end of s).
func (sc *scanner) verbatimTo(limit int) (end int, final bool) {
	for sc.runEnd < min(limit, len(sc.s)) {
		n, esc := sc.decide(sc.runEnd)
		if esc {
			return sc.runEnd, true
		}
		sc.runEnd += n
	}
	return sc.runEnd, sc.runEnd == len(sc.s)
}

// fits reports whether the pieces from i on, added to used, stay within
// limit. It stops as soon as they do not, so a long input costs little.
func (sc *scanner) fits(i, used, limit int) bool {
	for used <= limit {
		if i == len(sc.s) {
			return true
		}
		n, cells, _ := sc.piece(i)
		used += cells
		i += n
	}
	return false
}

// isTag reports whether r is a tag character (U+E0020–U+E007F).
func isTag(r rune) bool {
	return r >= 0xe0020 && r <= 0xe007f
}

// isRegional reports whether r is a regional indicator, half of a flag.
func isRegional(r rune) bool {
	return r >= 0x1f1e6 && r <= 0x1f1ff
}

// isSelector reports whether r is a variation selector (U+FE00–U+FE0F,
// U+E0100–U+E01EF), which picks how the rune before it is drawn.
func isSelector(r rune) bool {
	return r >= 0xfe00 && r <= 0xfe0f || r >= 0xe0100 && r <= 0xe01ef
}

// isModifier reports whether r is an emoji skin tone modifier.
func isModifier(r rune) bool {
	return r >= 0x1f3fb && r <= 0x1f3ff
}

// Rune classes. extends and prepends are the segmenter's own view (the one
// ansi.StringWidth uses), learnt by asking it, so they agree with it whatever
// Unicode version either side was built with.
const (
	hidden   uint8 = 1 << iota // escaped wherever it is
	extends                    // Extend, ZWJ, SpacingMark: joins the cluster before it
	prepends                   // Prepend: joins the cluster after it

	// The rune followed by U+FE0F, U+FE0E or another variation selector
	// (U+FE00 stands for them) is not as wide as the rune alone.
	resizedByVS16
	resizedByVS15
	resizedByVS
)

// classes holds the class of every rune, a 256-rune page at a time, each
// page filled on first use so that nobody pays for all of Unicode.
var classes [(unicode.MaxRune + 1) >> 8]atomic.Pointer[[256]uint8]

func class(r rune) uint8 {
	page := &classes[r>>8]
	p := page.Load()
	if p == nil {
		// Two goroutines may fill the same page; they agree, so either wins.
		p = classify(r &^ 0xff)
		page.Store(p)
	}
	return p[r&0xff]
}

// classify works out the classes of the 256 runes from base on.
func classify(base rune) *[256]uint8 {
	p := new([256]uint8)
	probe := make([]byte, 0, 2*utf8.UTFMax)
	for k := range p {
		r := base + rune(k)
		if !utf8.ValidRune(r) {
			continue
		}
		if isHidden(r) {
			p[k] |= hidden
		}
		probe = utf8.AppendRune(append(probe[:0], 'x'), r)
		if c, _ := ansi.FirstGraphemeCluster(probe, ansi.GraphemeWidth); len(c) > 1 {
			p[k] |= extends
		}
		probe = append(utf8.AppendRune(probe[:0], r), 'x')
		if c, _ := ansi.FirstGraphemeCluster(probe, ansi.GraphemeWidth); len(c) == len(probe) {
			p[k] |= prepends
		}
		_, alone := ansi.FirstGraphemeCluster(utf8.AppendRune(probe[:0], r), ansi.GraphemeWidth)
		for _, sel := range []struct {
			vs  rune
			bit uint8
		}{{0xfe0f, resizedByVS16}, {0xfe0e, resizedByVS15}, {0xfe00, resizedByVS}} {
			probe = utf8.AppendRune(utf8.AppendRune(probe[:0], r), sel.vs)
			if c, w := ansi.FirstGraphemeCluster(probe, ansi.GraphemeWidth); len(c) == len(probe) && w != alone {
				p[k] |= sel.bit
			}
		}
	}
	return p
}

// isHidden reports whether r could, shown as is, control the terminal,
// break the line, reorder or hide text, or be drawn in a width terminals
// disagree on.
func isHidden(r rune) bool {
	switch {
	case r < 0xa0:
		return r < ' ' || r >= 0x7f // C0, DEL, C1
	case isTag(r):
		return false // decided where they are
	case r == 0x200d, isModifier(r):
		// A zero-width joiner and a skin tone make one emoji of two where
		// the terminal draws clusters; elsewhere each half takes its cells
		// (and tmux 3.3 draws whatever follows a joiner in the cell before).
		return true
	case r == 0x2028, r == 0x2029:
		return true
	case r >= 0xfdd0 && r <= 0xfdef, r&0xfffe == 0xfffe:
		return true // noncharacters
	}
	return unicode.In(r, unicode.Cf, unicode.Other_Default_Ignorable_Code_Point)
}

const hexDigits = "0123456789abcdef"

// appendEscape appends the escape for e, a control or invalid byte or an
// escaped rune.
func appendEscape(dst []byte, e string) []byte {
	if len(e) == 1 {
		switch c := e[0]; c {
		case '\n':
			return append(dst, `\n`...)
		case '\r':
			return append(dst, `\r`...)
		case '\t':
			return append(dst, `\t`...)
		default:
			return append(dst, '\\', 'x', hexDigits[c>>4], hexDigits[c&0xf])
		}
	}
	r, _ := utf8.DecodeRuneInString(e)
	digits := 4
	if len(e) == 4 {
		dst = append(dst, '\\', 'U')
		digits = 8
	} else {
		dst = append(dst, '\\', 'u')
	}
	for shift := 4 * (digits - 1); shift >= 0; shift -= 4 {
		dst = append(dst, hexDigits[r>>shift&0xf])
	}
	return dst
}

// escapeLen is len(appendEscape(nil, e)), which is also its width.
func escapeLen(e string) int {
	switch len(e) {
	case 1:
		if c := e[0]; c == '\n' || c == '\r' || c == '\t' {
			return 2
		}
		return 4
	case 4:
		return 10
	default:
		return 6
	}
}
