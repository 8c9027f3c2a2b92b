package widget

import (
	"strings"
	"unicode/utf8"

	"github.com/charmbracelet/x/ansi"

	"kscope/themes"
	"kscope/views/sanitize"
)

// piece is one grapheme cluster as drawn: sanitized, perhaps under the cursor.
type piece struct {
	text string
	w    int
}

// pieces cuts s into drawn grapheme clusters and says which one the
// cursor, at rune col, is on; a cursor past the end gets a blank of its
// own. col -1 is no cursor.
func pieces(st *themes.Styles, s string, col int, showCursor bool) ([]piece, int) {
	ps := make([]piece, 0, len(s)+1)
	cur, r := -1, 0
	for s != "" {
		cl, _ := ansi.FirstGraphemeCluster(s, ansi.GraphemeWidth)
		if cl == "" {
			cl = s[:1]
		}
		s = s[len(cl):]
		n := utf8.RuneCountInString(cl)
		if col >= r && col < r+n {
			cur = len(ps)
			ps = append(ps, cursorPiece(st, cl, showCursor))
		} else {
			text, w := sanitize.Styled(cl, st.Escape)
			ps = append(ps, piece{text, w})
		}
		r += n
	}
	if col >= r {
		cur = len(ps)
		ps = append(ps, cursorPiece(st, " ", showCursor))
	}
	return ps, cur
}

func cursorPiece(st *themes.Styles, cl string, show bool) piece {
	if !show {
		text, w := sanitize.Styled(cl, st.Escape)
		return piece{text, w}
	}
	text, w := sanitize.Plain(cl)
	return piece{st.Text.Reverse(true).Render(text), w}
}

// wrapPieces breaks pieces into rows of at most width cells and says which
// row the cursor piece is on (-1 if none).
func wrapPieces(ps []piece, cur, width int) ([]string, int) {
	var rows []string
	var b strings.Builder
	used, at := 0, -1
	for i, p := range ps {
		if used > 0 && used+p.w > width {
			rows = append(rows, b.String())
			b.Reset()
			used = 0
		}
		if i == cur {
			at = len(rows)
		}
		b.WriteString(p.text)
		used += p.w
	}
	return append(rows, b.String()), at
}

// editLine draws a one-line value with its cursor in at most width cells,
// scrolled so the cursor is in sight; "…" marks text cut off either side.
func editLine(st *themes.Styles, value string, pos, width int, showCursor bool) string {
	ps, cur := pieces(st, value, pos, showCursor)
	total := 0
	for _, p := range ps {
		total += p.w
	}
	lo, hi := 0, len(ps)
	if total > width {
		lo, hi = cur, cur+1
		used := ps[cur].w
		ellipsis := func(hidden bool) int {
			if hidden {
				return 1
			}
			return 0
		}
		// Text before the cursor first, so typing at the end shows what was typed.
		for lo > 0 && used+ps[lo-1].w+ellipsis(lo > 1)+ellipsis(hi < len(ps)) <= width {
			lo--
			used += ps[lo].w
		}
		for hi < len(ps) && used+ps[hi].w+ellipsis(lo > 0)+ellipsis(hi+1 < len(ps)) <= width {
			used += ps[hi].w
			hi++
		}
	}
	var b strings.Builder
	if lo > 0 {
		b.WriteString(st.Muted.Render("…"))
	}
	for _, p := range ps[lo:hi] {
		b.WriteString(p.text)
	}
	if hi < len(ps) {
		b.WriteString(st.Muted.Render("…"))
	}
	// Only a cursor on an escape wider than the field is still too wide.
	return ansi.Truncate(b.String(), width, "")
}
