package widget

import (
	"slices"

	"github.com/charmbracelet/x/ansi"
)

// Cut is how a value too wide for its column is shortened.
type Cut int

const (
	// CutEnd keeps the start and ends in "…": text, states, errors.
	CutEnd Cut = iota
	// CutMiddle keeps both ends with "…" between them, for names whose
	// ends tell them apart: user-events-v2 and user-events-v3 cut to
	// user-ev…v2 and user-ev…v3, not to the same user-eve….
	CutMiddle
	// CutNever is for numbers: a cut number is a wrong number, so the
	// column keeps what its values need or is hidden as a whole.
	CutNever
)

// Column describes one table column and how it is given room. By default
// a column is as wide as its widest value (or its title), may shrink to
// its title when space is short, and gives way from the right.
type Column struct {
	Title string
	// Short is a shorter title used when the column gets less room than
	// Title needs ("PARTS" for "PARTITIONS"); "" cuts Title instead.
	Short string
	// Width, when set, is the width the column wants whatever its values
	// (a sparkline of that many samples, say); 0 sizes it by its values.
	Width int
	// Min is the narrowest the column is drawn before it is hidden; 0 is
	// the width of its shortest title. Essential columns are cut below it
	// only when nothing else is left to take from.
	Min int
	// Max caps the width the values may claim; 0 is no cap.
	Max   int
	Right bool
	// Priority decides who gives way when the columns do not fit: the
	// lowest shrinks first, to Min, and is hidden first. Names get a high
	// priority, so they keep their room longest.
	Priority int
	// Essential columns are never hidden.
	Essential bool
	// Cut is how a value wider than the column is shortened.
	Cut Cut
}

// titleWidth is the width of the column's title, with the sort mark when
// the rows are sorted by it; short is that of the shortest title.
func (c Column) titleWidth(sorted bool) (full, short int) {
	mark := 0
	if sorted {
		mark = 1
	}
	full = ansi.StringWidth(c.Title) + mark
	short = full
	if c.Short != "" {
		short = min(full, ansi.StringWidth(c.Short)+mark)
	}
	return full, short
}

// wants is the width the column asks for given its widest value, and the
// narrowest it may be drawn.
func (c Column) wants(content int, sorted bool) (want, least int) {
	full, short := c.titleWidth(sorted)
	switch {
	case c.Width > 0:
		want = c.Width
	case c.Max > 0:
		want = max(min(content, c.Max), min(full, c.Max))
	default:
		want = max(content, full)
	}
	least = short
	if c.Min > 0 {
		least = c.Min
	}
	if c.Cut == CutNever && c.Width == 0 {
		// Numbers keep all their digits; only the title may shorten.
		least = max(least, min(content, want))
	}
	return want, min(least, want)
}

// Layout gives each column its width in width cells, ColumnGap between
// columns, from content, the width of each column's widest value; sorted
// is the column the rows are sorted by (-1 for none), whose title carries
// a mark. A hidden column gets 0.
//
// Every column first asks for what its values need; room left over stays
// free. When they need more than width, columns give way by priority,
// lowest first and from the right among equals: each shrinks to its
// minimum and, unless essential, is then hidden, before a column of
// higher priority gives anything. Room a hidden column leaves goes back
// to the columns that shrank, highest priority first. If the essential
// columns alone do not fit at their minimum, they shrink further.
func Layout(cols []Column, content []int, width, sorted int) []int {
	n := len(cols)
	want, least := make([]int, n), make([]int, n)
	for i, c := range cols {
		cw := 0
		if i < len(content) {
			cw = content[i]
		}
		want[i], least[i] = c.wants(cw, i == sorted)
	}
	order := make([]int, n)
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int {
		if pa, pb := cols[a].Priority, cols[b].Priority; pa != pb {
			return pa - pb
		}
		return b - a
	})

	widths := slices.Clone(want)
	over := ColumnGap*max(n-1, 0) - width
	for _, w := range widths {
		over += w
	}
	for _, i := range order {
		if over <= 0 {
			break
		}
		give := min(over, widths[i]-least[i])
		widths[i] -= give
		over -= give
		if over > 0 && !cols[i].Essential {
			over -= widths[i] + ColumnGap
			widths[i] = 0
		}
	}
	// What a hidden column freed goes back to those that shrank.
	for k := n - 1; k >= 0 && over < 0; k-- {
		if i := order[k]; widths[i] > 0 {
			back := min(-over, want[i]-widths[i])
			widths[i] += back
			over += back
		}
	}
	// Essential columns that still do not fit give way to one cell each.
	for _, i := range order {
		if over <= 0 {
			break
		}
		if widths[i] > 0 {
			give := min(over, widths[i]-1)
			widths[i] -= give
			over -= give
		}
	}
	return widths
}

// FitCut pads or shortens s to exactly w cells, shortening as cut says.
func FitCut(s string, w int, right bool, cut Cut) string {
	if cut == CutMiddle && w >= 3 {
		if sw := ansi.StringWidth(s); sw > w {
			s = middle(s, sw, w)
		}
	}
	return Fit(s, w, right)
}

// middle cuts s, sw cells wide, to w cells with "…" in the middle; the
// head gets the odd cell, since names are read from the start.
func middle(s string, sw, w int) string {
	tail := (w - 1) / 2
	head := w - 1 - tail
	h := ansi.Truncate(s, head, "")
	t := ansi.TruncateLeft(s, sw-tail, "")
	// A wide character at either cut can leave the parts a cell short.
	return h + "…" + t
}
