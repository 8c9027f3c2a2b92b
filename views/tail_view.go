package views

import (
	"strconv"
	"strings"

	"github.com/charmbracelet/x/ansi"

	"kscope/kafkaclient"
	"kscope/views/sanitize"
	"kscope/views/widget"
)

// tailColumns are the list's columns: the time, partition and offset in
// full, the key by its values, and the value in what is left.
var tailColumns = []widget.Column{
	{Title: "TIME", Width: 12, Min: 12, Essential: true, Priority: 4},
	{Title: "P", Right: true, Cut: widget.CutNever, Essential: true, Priority: 6},
	{Title: "OFFSET", Right: true, Cut: widget.CutNever, Essential: true, Priority: 5},
	{Title: "KEY", Max: 32, Min: 6, Essential: true, Priority: 7},
	{Title: "VALUE", Min: 8, Essential: true, Priority: 9},
	{Title: "SIZE", Right: true, Cut: widget.CutNever, Priority: 1},
}

// View implements View. It costs O(rows on screen), however many records
// were seen.
func (v *Tail) View() string {
	st := v.c.Styles
	lines := []string{v.statusLine(), v.secondLine()}
	if v.start != nil {
		return strings.Join(append(lines, v.start.View()), "\n")
	}
	n := v.count()
	rows := v.rows()
	top, sel := v.window(n, rows)
	records := make([]*kafkaclient.Record, 0, rows)
	for i := top; i < min(top+rows, n); i++ {
		records = append(records, v.ring.Get(v.seqAt(i)))
	}
	widths := v.layout(records)
	gap := strings.Repeat(" ", widget.ColumnGap)
	titles := make([]string, 0, len(tailColumns))
	for i, c := range tailColumns {
		if widths[i] > 0 {
			titles = append(titles, widget.Fit(c.Title, widths[i], c.Right))
		}
	}
	lines = append(lines, st.TableHeader.Render(ansi.Truncate(strings.Join(titles, gap), v.width, "")))
	if n == 0 {
		empty, _ := sanitize.Plain(v.emptyText())
		lines = append(lines, st.Muted.Render(empty))
	}
	for k, r := range records {
		cells := []string{
			st.Muted.Render(r.Timestamp.In(v.c.Zone()).Format("15:04:05.000")),
			strconv.Itoa(int(r.Partition)),
			strconv.FormatInt(r.Offset, 10),
			v.c.Client.Schemas.Preview(r, true, v.keyMode, widths[3], st),
			v.c.Client.Schemas.Preview(r, false, v.valueMode, widths[4], st),
			st.Muted.Render(bytesize(int64(r.Size()))),
		}
		parts := make([]string, 0, len(cells))
		for i, c := range tailColumns {
			if widths[i] > 0 {
				parts = append(parts, widget.Fit(cells[i], widths[i], c.Right))
			}
		}
		line := ansi.Truncate(strings.Join(parts, gap), v.width, "")
		if top+k == sel && !v.follow {
			line = widget.Underlay(line, st.Selected, v.width)
		}
		lines = append(lines, line)
	}
	if v.export != nil {
		for len(lines) < v.height-1 {
			lines = append(lines, "")
		}
		lines = append(lines, v.export.view())
	}
	return strings.Join(lines, "\n")
}

// window is the list position of the first row shown and of the selected one.
func (v *Tail) window(n, rows int) (top, sel int) {
	sel = v.selected()
	top = max(n-rows, 0)
	if !v.follow && n > 0 { // with nothing listed (yet), sel is -1
		top = min(v.indexOf(v.top), max(n-1, 0))
		if sel < top {
			top = sel
		}
		if sel >= top+rows {
			top = sel - rows + 1
		}
	}
	return top, sel
}

// layout sizes the columns from the records on screen: partitions and
// offsets take their digits, keys their length up to a limit, and the
// value what is left.
func (v *Tail) layout(records []*kafkaclient.Record) []int {
	content := make([]int, len(tailColumns))
	for _, r := range records {
		content[1] = max(content[1], len(strconv.Itoa(int(r.Partition))))
		content[2] = max(content[2], len(strconv.FormatInt(r.Offset, 10)))
		content[3] = max(content[3], ansi.StringWidth(v.c.Client.Schemas.Preview(r, true, v.keyMode, tailColumns[3].Max, v.c.Styles)))
		content[5] = max(content[5], len(bytesize(int64(r.Size()))))
	}
	widths := widget.Layout(tailColumns, content, v.width, -1)
	// The value takes whatever the others leave.
	used := -widget.ColumnGap
	for _, w := range widths {
		if w > 0 {
			used += w + widget.ColumnGap
		}
	}
	widths[4] += max(v.width-used, 0)
	return widths
}

func (v *Tail) emptyText() string {
	switch {
	case v.err != nil:
		return "could not open the tail: " + v.err.Error()
	case v.ended != nil:
		return "the tail ended before any record arrived: " + v.ended.Error()
	case v.tail == nil:
		return "opening…"
	case v.filtering():
		return "filtering…"
	case v.filter != nil && v.ring.Len() > 0:
		return "no buffered record matches the filter"
	}
	return "waiting for records…"
}
