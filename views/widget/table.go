package widget

import (
	"slices"
	"strings"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"kscope/themes"
	"kscope/views/sanitize"
)

// Row is one table row: a key that keeps the cursor on the same row
// across updates, the plain text the filter matches, and a function that
// draws its cells, sanitized and styled. Cells are drawn only for rows on
// screen, so a table of 10,000 rows costs no more to show than one of 40.
type Row struct {
	Key    string
	Search string
	Cells  func() []string
}

// FixedCells is a Row's Cells for cells drawn ahead of time.
func FixedCells(cells ...string) func() []string {
	return func() []string { return cells }
}

// ColumnGap is the blank between two columns, for lists drawn like a Table.
const ColumnGap = 2

// measureRows bounds how many rows a Table measures when its rows change,
// so that a table of 10,000 rows costs no more to lay out than one of
// 200. Tables that long are measured from rows spread over them, and the
// rows on screen are measured again when they are drawn.
const measureRows = 200

// Matcher turns a filter as typed into a test of a row's search text; an
// expression it cannot use is an error, and the filter in force stays.
type Matcher func(expr string) (func(search string) bool, error)

// Substring is the Matcher tables start with: the search text holds the
// filter, ignoring case.
func Substring(expr string) (func(string) bool, error) {
	f := strings.ToLower(expr)
	return func(s string) bool { return strings.Contains(strings.ToLower(s), f) }, nil
}

// Table is the rows and columns every list draws with. It draws only the
// rows on screen, so its cost does not grow with the number of rows.
type Table struct {
	st      *themes.Styles
	keys    *ListKeys
	cols    []Column
	content []int // the widest value measured in each column
	rows    []Row
	visible []int
	match   Matcher
	filter  func(string) bool
	typed   string // the filter as typed
	cursor  int    // index into visible
	offset  int
	width   int
	height  int
	sortCol int
	desc    bool
	// Empty is shown when no row is visible.
	Empty string
	// Blurred hides the cursor, for a table beside the one keys move.
	Blurred bool
}

// NewTable makes a table with the given columns, moved by keys' movement
// bindings. Both pointers are read at each use, so a theme or keymap changed
// in place takes effect at once.
func NewTable(st *themes.Styles, keys *ListKeys, cols []Column) *Table {
	return &Table{st: st, keys: keys, cols: cols, sortCol: -1, match: Substring}
}

// SetMatcher sets the filter language, and clears the filter made in
// the one before.
func (t *Table) SetMatcher(m Matcher) {
	t.match = m
	_ = t.SetFilter("")
}

// SetSize gives the table its area, header line included.
func (t *Table) SetSize(w, h int) {
	t.width, t.height = w, h
	t.clamp()
}

// Columns are the table's columns as declared.
func (t *Table) Columns() []Column { return t.cols }

// measure records the widest value of each column over the rows, or over
// measureRows of them spread evenly when there are more.
func (t *Table) measure() {
	t.content = make([]int, len(t.cols))
	step := max(len(t.rows)/measureRows, 1)
	for i := 0; i < len(t.rows); i += step {
		t.widen(t.content, t.rows[i].Cells())
	}
}

// widen raises widths to those of cells.
func (t *Table) widen(widths []int, cells []string) {
	for i := range min(len(cells), len(widths)) {
		widths[i] = max(widths[i], ansi.StringWidth(cells[i]))
	}
}

// SetSort marks the column the rows are sorted by; -1 marks none.
func (t *Table) SetSort(col int, desc bool) { t.sortCol, t.desc = col, desc }

// Sort is the column marked as the rows' order (-1 for none) and its direction.
func (t *Table) Sort() (col int, desc bool) { return t.sortCol, t.desc }

// SetRows replaces the rows, keeping the cursor on the row with the same key.
func (t *Table) SetRows(rows []Row) {
	var selKey string
	if r, ok := t.Selected(); ok {
		selKey = r.Key
	}
	t.rows = rows
	t.measure()
	t.refilter(selKey)
}

// SetFilter shows only the rows whose search text passes f, in the
// table's filter language (a substring, ignoring case, unless SetMatcher
// gave it another); a filter the language refuses is returned as an
// error and the one in force stays.
func (t *Table) SetFilter(f string) error {
	var test func(string) bool
	if f != "" {
		var err error
		if test, err = t.match(f); err != nil {
			return err
		}
	}
	var selKey string
	if r, ok := t.Selected(); ok {
		selKey = r.Key
	}
	t.typed, t.filter = f, test
	t.refilter(selKey)
	return nil
}

// Filter is the filter in force, as typed.
func (t *Table) Filter() string { return t.typed }

func (t *Table) refilter(selKey string) {
	t.visible = t.visible[:0]
	cursor := -1
	for i, r := range t.rows {
		if t.filter != nil && !t.filter(r.Search) {
			continue
		}
		if r.Key == selKey && selKey != "" {
			cursor = len(t.visible)
		}
		t.visible = append(t.visible, i)
	}
	if cursor >= 0 {
		t.cursor = cursor
	}
	t.clamp()
}

// Counts returns the number of rows shown and held.
func (t *Table) Counts() (shown, total int) { return len(t.visible), len(t.rows) }

// Selected returns the row under the cursor.
func (t *Table) Selected() (Row, bool) {
	if t.cursor < 0 || t.cursor >= len(t.visible) {
		return Row{}, false
	}
	return t.rows[t.visible[t.cursor]], true
}

func (t *Table) bodyHeight() int { return max(t.height-1, 1) }

func (t *Table) clamp() {
	n := len(t.visible)
	t.cursor = min(max(t.cursor, 0), max(n-1, 0))
	h := t.bodyHeight()
	if t.cursor < t.offset {
		t.offset = t.cursor
	}
	if t.cursor >= t.offset+h {
		t.offset = t.cursor - h + 1
	}
	t.offset = min(max(t.offset, 0), max(n-h, 0))
}

// Move moves the cursor by delta rows.
func (t *Table) Move(delta int) {
	t.cursor += delta
	t.clamp()
}

// Update handles movement keys and the mouse wheel; it reports whether
// the message was for the table.
func (t *Table) Update(msg tea.Msg) bool {
	switch msg := msg.(type) {
	case tea.KeyPressMsg:
		delta, ok := t.keys.Step(msg, t.bodyHeight(), len(t.visible))
		t.Move(delta)
		return ok
	case tea.MouseWheelMsg:
		switch msg.Button {
		case tea.MouseWheelUp:
			t.Move(-3)
		case tea.MouseWheelDown:
			t.Move(3)
		default:
			return false
		}
		return true
	}
	return false
}

// View draws the header and the visible rows. The columns are laid out
// from the widths measured when the rows were set and from the rows on
// screen, so it costs O(rows on screen).
func (t *Table) View() string {
	st := t.st
	end := min(t.offset+t.bodyHeight(), len(t.visible))
	cells := make([][]string, 0, end-t.offset)
	content := slices.Clone(t.content)
	for vi := t.offset; vi < end; vi++ {
		c := t.rows[t.visible[vi]].Cells()
		t.widen(content, c)
		cells = append(cells, c)
	}
	widths := Layout(t.cols, content, t.width, t.sortCol)

	var b strings.Builder
	b.WriteString(t.header(widths))
	if len(t.visible) == 0 {
		// The message may quote a name or an error from the cluster.
		empty, _ := sanitize.Plain(t.Empty)
		b.WriteString("\n")
		b.WriteString(st.Muted.Render(Fit(empty, t.width, false)))
		return b.String()
	}
	for k, row := range cells {
		b.WriteString("\n")
		s := ansi.Truncate(t.line(row, widths), t.width, "")
		if t.offset+k == t.cursor && !t.Blurred {
			s = Underlay(s, st.Selected, t.width)
		}
		b.WriteString(s)
	}
	return b.String()
}

// header draws the column titles, the short ones where the long do not fit.
func (t *Table) header(widths []int) string {
	titles := make([]string, len(t.cols))
	for i, c := range t.cols {
		title := c.Title
		if full, _ := c.titleWidth(i == t.sortCol); full > widths[i] && c.Short != "" {
			title = c.Short
		}
		if i == t.sortCol {
			if t.desc {
				title += "▼"
			} else {
				title += "▲"
			}
		}
		titles[i] = t.st.TableHeader.Render(Fit(title, widths[i], c.Right))
	}
	return ansi.Truncate(t.join(titles, widths), t.width, "")
}

// line draws one row's cells in their columns.
func (t *Table) line(cells []string, widths []int) string {
	out := make([]string, len(t.cols))
	for i, c := range t.cols {
		if i < len(cells) {
			out[i] = FitCut(cells[i], widths[i], c.Right, c.Cut)
		} else {
			out[i] = strings.Repeat(" ", widths[i])
		}
	}
	return t.join(out, widths)
}

// join puts the shown columns side by side, ColumnGap apart.
func (t *Table) join(parts []string, widths []int) string {
	var b strings.Builder
	first := true
	for i, p := range parts {
		if widths[i] == 0 {
			continue
		}
		if !first {
			b.WriteString(strings.Repeat(" ", ColumnGap))
		}
		first = false
		b.WriteString(p)
	}
	return b.String()
}
