package decode

import (
	"github.com/charmbracelet/x/ansi"

	"kscope/views/sanitize"
)

// Wrap implements Document: each line is broken into rows of at most
// width cells, after the last space that leaves the row at least half
// full, else between grapheme clusters. A row holds at most
// textHead(width) bytes, so drawing it stays O(width).
func (d *textDoc) Wrap(width int) Document {
	if width <= 0 {
		return d
	}
	w := &textDoc{b: d.b, note: d.note, p: d.p, starts: make([]uint32, 0, len(d.starts)), wrapped: true}
	for i, start := range d.starts {
		end := len(d.b)
		if i+1 < len(d.starts) {
			end = int(d.starts[i+1])
		}
		if end > int(start) && d.b[end-1] == '\n' {
			end--
		}
		w.starts = wrapLine(d.b, int(start), end, width, w.starts)
	}
	return w
}

// wrapLine appends the starts of the rows b[start:end], one line without
// its newline, breaks into at width cells.
func wrapLine(b []byte, start, end, width int, rows []uint32) []uint32 {
	limit := textHead(width)
	for {
		rows = append(rows, uint32(start))
		next, done := rowEnd(b, start, end, width, limit)
		if done {
			return rows
		}
		start = next
	}
}

// rowEnd finds where the row starting at start ends: the start of the
// next row, or done when the rest of the line fits.
func rowEnd(b []byte, start, end, width, limit int) (next int, done bool) {
	// Printable ASCII, the common case, is a cell a byte.
	i, space := start, -1
	for i < end && i-start < width && b[i] >= ' ' && b[i] < 0x7f {
		if b[i] == ' ' {
			space = i + 1
		}
		i++
	}
	switch {
	case i == end:
		return end, true
	case i-start == width && b[i] < 0x80:
		if b[i] == ' ' {
			return i + 1, i+1 == end
		}
		if space-start >= width/2 {
			return space, false
		}
		return i, false
	}
	// Something else is on the row: measured a unit at a time, from one
	// string of the row's bytes.
	chunk := string(b[start:min(end, start+limit)])
	col, spaceCol := 0, 0
	space = -1
	for j := 0; j < len(chunk); {
		n, w := unit(chunk, j, col)
		if col+w > width && j > 0 && chunk[j] == ' ' {
			// A space past the edge ends the row and is not drawn.
			return start + j + 1, start+j+1 == end
		}
		if col+w > width && j > 0 {
			// Break after the last space, if that keeps half the row.
			if space > 0 && spaceCol >= width/2 {
				return start + space, false
			}
			return start + j, false
		}
		col += w
		j += n
		if chunk[j-1] == ' ' {
			space, spaceCol = j, col
		}
	}
	if start+len(chunk) == end {
		return end, true
	}
	return start + len(chunk), false
}

// unit is the length in bytes and the width in cells, as drawn at column
// col, of what starts at s[i]: a tab (to the next tab stop), a byte of
// printable ASCII, an escaped control byte, or a grapheme cluster.
func unit(s string, i, col int) (n, w int) {
	c := s[i]
	switch {
	case c == '\t':
		return 1, tabStop - col%tabStop
	case c >= ' ' && c < 0x7f && (i+1 == len(s) || s[i+1] < 0x80):
		return 1, 1
	case c < ' ' || c == 0x7f:
		_, w = sanitize.Plain(s[i : i+1])
		return 1, w
	}
	cluster, _ := ansi.FirstGraphemeCluster(s[i:], ansi.GraphemeWidth)
	if cluster == "" {
		cluster = s[i : i+1]
	}
	_, w = sanitize.Plain(cluster)
	return len(cluster), w
}

func (d emptyDoc) Wrap(int) Document  { return d }
func (d *jsonDoc) Wrap(int) Document  { return d }
func (d hexDoc) Wrap(int) Document    { return d }
func (d base64Doc) Wrap(int) Document { return d }
