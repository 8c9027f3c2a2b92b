package widget

import (
	"strings"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"kscope/themes"
	"kscope/views/sanitize"
)

// Column describes one table column. Width 0 makes it share the space the
// fixed columns leave.
type Column struct {
	Title string
	Width int
	Right bool
}

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

// Table is the rows and columns every list draws with. It draws only the
// rows on screen, so its cost does not grow with the number of rows.
type Table struct {
	st      *themes.Styles
	keys    *ListKeys
	cols    []Column
	widths  []int
	rows    []Row
	visible []int
	filter  string
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
	return &Table{st: st, keys: keys, cols: cols, sortCol: -1}
}

// SetSize gives the table its area, header line included.
func (t *Table) SetSize(w, h int) {
	t.width, t.height = w, h
	t.layout()
	t.clamp()
}

func (t *Table) layout() {
	t.widths = make([]int, len(t.cols))
	fixed, flex := ColumnGap*max(len(t.cols)-1, 0), 0
	for i, c := range t.cols {
		t.widths[i] = c.Width
		fixed += c.Width
		if c.Width == 0 {
			flex++
		}
	}
	const flexMin = 8
	if over := fixed + flex*flexMin - t.width; over > 0 {
		t.shrink(over)
		fixed -= over
	}
	if flex == 0 {
		return
	}
	share := max((t.width-fixed)/flex, flexMin)
	for i, c := range t.cols {
		if c.Width == 0 {
			t.widths[i] = share
		}
	}
}

// shrink takes n cells from the fixed columns on a narrow terminal, always
// from the one with the most room above its title, so every column keeps
// at least its title's width where possible.
func (t *Table) shrink(n int) {
	for ; n > 0; n-- {
		best, room := -1, 0
		for i, c := range t.cols {
			if c.Width == 0 {
				continue
			}
			if r := t.widths[i] - max(len(c.Title)+1, 3); r > room {
				best, room = i, r
			}
		}
		if best < 0 {
			return
		}
		t.widths[best]--
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
	t.refilter(selKey)
}

// SetFilter shows only rows whose search text contains f, ignoring case.
func (t *Table) SetFilter(f string) {
	var selKey string
	if r, ok := t.Selected(); ok {
		selKey = r.Key
	}
	t.typed, t.filter = f, strings.ToLower(f)
	t.refilter(selKey)
}

// Filter is the filter in force, as typed.
func (t *Table) Filter() string { return t.typed }

func (t *Table) refilter(selKey string) {
	t.visible = t.visible[:0]
	cursor := -1
	for i, r := range t.rows {
		if t.filter != "" && !strings.Contains(r.Search, t.filter) {
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

// View draws the header and the visible rows.
func (t *Table) View() string {
	st := t.st
	var b strings.Builder
	for i, c := range t.cols {
		title := c.Title
		if i == t.sortCol {
			if t.desc {
				title += "▼"
			} else {
				title += "▲"
			}
		}
		if i > 0 {
			b.WriteString(strings.Repeat(" ", ColumnGap))
		}
		b.WriteString(st.TableHeader.Render(Fit(title, t.widths[i], c.Right)))
	}
	header := ansi.Truncate(b.String(), t.width, "")
	b.Reset()
	b.WriteString(header)
	if len(t.visible) == 0 {
		// The message may quote a name or an error from the cluster.
		empty, _ := sanitize.Plain(t.Empty)
		b.WriteString("\n")
		b.WriteString(st.Muted.Render(Fit(empty, t.width, false)))
		return b.String()
	}
	end := min(t.offset+t.bodyHeight(), len(t.visible))
	for vi := t.offset; vi < end; vi++ {
		b.WriteString("\n")
		cells := t.rows[t.visible[vi]].Cells()
		var line strings.Builder
		for i := range t.cols {
			if i > 0 {
				line.WriteString(strings.Repeat(" ", ColumnGap))
			}
			cell := ""
			if i < len(cells) {
				cell = cells[i]
			}
			line.WriteString(Fit(cell, t.widths[i], t.cols[i].Right))
		}
		s := ansi.Truncate(line.String(), t.width, "")
		if vi == t.cursor && !t.Blurred {
			s = Underlay(s, st.Selected, t.width)
		}
		b.WriteString(s)
	}
	return b.String()
}
