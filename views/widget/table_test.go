package widget

import (
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"

	"kscope/views/sanitize"
)

// TestTableRowsWithEmojiKeepTheirWidth: names holding emoji whose width
// terminals disagree on, sanitized as every view sanitizes its cells, fit
// their column whether it is cut or not, so the next column starts at the
// same cell in every row and no row is wider than the table, whether the
// terminal draws grapheme clusters or code points.
func TestTableRowsWithEmojiKeepTheirWidth(t *testing.T) {
	names := []string{"plain", "x👍🏽y", "x👨\u200d👩\u200d👧\u200d👦y", "x❤️y", "x☀️y", "🇫🇷🇫", strings.Repeat("👍🏽❤️", 8)}
	for _, width := range []int{40, 24} {
		tb := NewTable(testStyles(t), testKeys(), []Column{
			{Title: "NAME", Cut: CutMiddle, Essential: true, Priority: 2},
			{Title: "SIZE", Right: true, Cut: CutNever, Essential: true, Priority: 1},
		})
		tb.SetSize(width, len(names)+1)
		var rows []Row
		for _, n := range names {
			name, _ := sanitize.Plain(n)
			rows = append(rows, Row{Key: n, Cells: FixedCells(name, "12 B")})
		}
		tb.SetRows(rows)
		lines := strings.Split(ansi.Strip(tb.View()), "\n")
		sizeEnd := strings.Index(lines[0], "SIZE") + len("SIZE")
		for i, line := range lines[1:] {
			for _, m := range []ansi.Method{ansi.GraphemeWidth, ansi.WcWidth} {
				k := strings.LastIndex(line, "12 B")
				if w := m.StringWidth(line); w > width || k < 0 || m.StringWidth(line[:k])+len("12 B") != sizeEnd {
					t.Errorf("width %d, method %d: the row of %q is %d cells, its SIZE ends at %d, not %d:\n%s\n%s",
						width, m, names[i], w, m.StringWidth(line[:max(k, 0)])+len("12 B"), sizeEnd, lines[0], line)
				}
			}
		}
	}
}
