package widget

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"kscope/themes"
)

// Sort is one order a List offers: its items compared by Compare, the
// column at Column marked.
type Sort[T any] struct {
	Column  int
	Compare func(a, b T) int
	// Desc is the direction the order starts in when the sort key picks
	// it: counts read best largest first, names from A.
	Desc bool
}

// List is what every list screen shares: a Table of items of one type,
// the filter as typed, the order picked with the sort keys, and a title
// with the count. A screen embeds it, keeps its own data, and hands the
// list its items whenever they change.
//
// The order is kept only in the table's sort mark, so what the header
// shows and how the rows are sorted cannot disagree.
type List[T any] struct {
	*Table
	title string
	sorts []Sort[T]
	items []T
	row   func(T) Row
}

// NewList makes a list titled title (a count is added) with the given
// columns, offering sorts in the order the sort key cycles through them;
// the first is the starting order and breaks ties in every other.
func NewList[T any](st *themes.Styles, keys *ListKeys, title string, cols []Column, sorts ...Sort[T]) *List[T] {
	l := &List[T]{Table: NewTable(st, keys, cols), title: title, sorts: sorts}
	if len(sorts) > 0 {
		l.SetSort(sorts[0].Column, sorts[0].Desc)
	}
	return l
}

// SetItems replaces the items, drawn as rows by row, in the list's order;
// the cursor stays on the row with the same key.
func (l *List[T]) SetItems(items []T, row func(T) Row) {
	// A copy, so that sorting leaves the caller's slice as it was.
	l.items, l.row = slices.Clone(items), row
	l.order()
}

// order sorts the items and shows them.
func (l *List[T]) order() {
	col, desc := l.Sort()
	switch i := l.declared(col); {
	case i >= 0:
		by := l.sorts[i].Compare
		slices.SortStableFunc(l.items, func(a, b T) int { return l.tie(a, b, direct(by(a, b), desc)) })
	case col >= 0:
		l.sortByCell(col, desc)
	}
	rows := make([]Row, len(l.items))
	for i, it := range l.items {
		rows[i] = l.row(it)
	}
	l.SetRows(rows)
}

// declared is the index of the order declared for column col, or -1.
func (l *List[T]) declared(col int) int {
	return slices.IndexFunc(l.sorts, func(s Sort[T]) bool { return s.Column == col })
}

// tie breaks a tie (c == 0) with the first declared order.
func (l *List[T]) tie(a, b T, c int) int {
	if c == 0 && len(l.sorts) > 0 {
		return l.sorts[0].Compare(a, b)
	}
	return c
}

func direct(c int, desc bool) int {
	if desc {
		return -c
	}
	return c
}

// sortByCell sorts the items by their values in column col as the table
// draws them, numbers by their value: the order of a column no order was
// declared for. Each item's value is drawn once per sort.
func (l *List[T]) sortByCell(col int, desc bool) {
	type keyed struct {
		item T
		key  cellKey
	}
	ks := make([]keyed, len(l.items))
	for i, it := range l.items {
		ks[i].item = it
		if cells := l.row(it).Cells(); col < len(cells) {
			ks[i].key = newCellKey(cells[col])
		}
	}
	slices.SortStableFunc(ks, func(a, b keyed) int { return l.tie(a.item, b.item, direct(a.key.compare(b.key), desc)) })
	for i := range ks {
		l.items[i] = ks[i].item
	}
}

// cellKey is a cell's text as a sort key: a number when the text starts
// with one (thousands separators allowed), else the text ignoring case.
type cellKey struct {
	num    float64
	isNum  bool
	folded string
}

func newCellKey(cell string) cellKey {
	text := strings.TrimSpace(ansi.Strip(cell))
	k := cellKey{folded: strings.ToLower(text)}
	digits := strings.ReplaceAll(text, ",", "")
	end := 0
	for end < len(digits) && strings.IndexByte("0123456789.-+", digits[end]) >= 0 {
		end++
	}
	if n, err := strconv.ParseFloat(digits[:end], 64); err == nil {
		k.num, k.isNum = n, true
	}
	return k
}

// compare puts numbers before text, numbers by value and text by letters.
func (k cellKey) compare(o cellKey) int {
	switch {
	case k.isNum && o.isNum:
		return cmp.Compare(k.num, o.num)
	case k.isNum != o.isNum:
		if k.isNum {
			return -1
		}
		return 1
	}
	return strings.Compare(k.folded, o.folded)
}

// Update handles the sort keys and the Table's movement; it reports
// whether msg was for the list.
func (l *List[T]) Update(msg tea.Msg) bool {
	km, isKey := msg.(tea.KeyPressMsg)
	if !isKey {
		return l.Table.Update(msg)
	}
	col, desc := l.Sort()
	switch {
	case key.Matches(km, l.keys.Sort) && len(l.sorts) > 0:
		// From no order (-1) or the last, round to the first.
		next := l.sorts[(l.declared(col)+1)%len(l.sorts)]
		l.SetSort(next.Column, next.Desc)
	case key.Matches(km, l.keys.Sort), key.Matches(km, l.keys.SortNext):
		l.sortBy(col, 1)
	case key.Matches(km, l.keys.SortPrev):
		l.sortBy(col, -1)
	case key.Matches(km, l.keys.Reverse) && col >= 0:
		l.SetSort(col, !desc)
	default:
		return l.Table.Update(msg)
	}
	l.order()
	return true
}

// sortBy sorts by the titled column step places from col, round the
// ends, in the direction its declared order starts in (ascending for
// columns without one).
func (l *List[T]) sortBy(col, step int) {
	cols := l.Columns()
	n := len(cols)
	if col < 0 && step < 0 {
		col = n
	}
	for range n {
		col = ((col+step)%n + n) % n
		if cols[col].Title != "" {
			break
		}
	}
	desc := false
	if i := l.declared(col); i >= 0 {
		desc = l.sorts[i].Desc
	}
	l.SetSort(col, desc)
}

// SetFilter shows only the rows whose search text passes f, in the
// table's filter language; a filter it refuses is returned as an error
// and the one in force stays.
func (l *List[T]) SetFilter(f string) error { return l.Table.SetFilter(f) }

// Title is the list's title with its count: "topics (3 of 12)" while a
// filter hides some rows, "topics (12)" otherwise.
func (l *List[T]) Title() string { return l.title + " (" + l.Count() + ")" }

// Count is the number of rows, and of those shown while a filter hides some.
func (l *List[T]) Count() string {
	shown, total := l.Counts()
	if shown != total {
		return fmt.Sprintf("%d of %d", shown, total)
	}
	return fmt.Sprint(total)
}
