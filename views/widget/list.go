package widget

import (
	"fmt"
	"slices"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

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
	if s, desc, ok := l.current(); ok {
		slices.SortStableFunc(l.items, func(a, b T) int {
			c := s.Compare(a, b)
			if desc {
				c = -c
			}
			if c == 0 {
				c = l.sorts[0].Compare(a, b)
			}
			return c
		})
	}
	rows := make([]Row, len(l.items))
	for i, it := range l.items {
		rows[i] = l.row(it)
	}
	l.SetRows(rows)
}

// current is the order in force, found from the table's sort mark.
func (l *List[T]) current() (Sort[T], bool, bool) {
	col, desc := l.Sort()
	i := slices.IndexFunc(l.sorts, func(s Sort[T]) bool { return s.Column == col })
	if i < 0 {
		return Sort[T]{}, false, false
	}
	return l.sorts[i], desc, true
}

// Update handles the sort keys, when the list offers orders, and the
// Table's movement; it reports whether msg was for the list.
func (l *List[T]) Update(msg tea.Msg) bool {
	km, isKey := msg.(tea.KeyPressMsg)
	if !isKey || len(l.sorts) == 0 {
		return l.Table.Update(msg)
	}
	col, desc := l.Sort()
	switch {
	case key.Matches(km, l.keys.Sort):
		// From no order (-1) or the last, round to the first.
		i := slices.IndexFunc(l.sorts, func(s Sort[T]) bool { return s.Column == col })
		next := l.sorts[(i+1)%len(l.sorts)]
		l.SetSort(next.Column, next.Desc)
	case key.Matches(km, l.keys.Reverse):
		l.SetSort(col, !desc)
	default:
		return l.Table.Update(msg)
	}
	l.order()
	return true
}

// SetFilter shows only the rows whose search text holds f, ignoring
// case. Such a filter is never refused: the error is for the screens'
// filter contract.
func (l *List[T]) SetFilter(f string) error {
	l.Table.SetFilter(f)
	return nil
}

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
