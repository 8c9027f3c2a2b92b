package widget

import "strings"

var sparkBlocks = []rune("▁▂▃▄▅▆▇█")

// Sparkline draws the last width values as block heights scaled to their
// maximum; unknown values (< 0) are blanks.
func Sparkline(values []int64, width int) string {
	if width <= 0 {
		return ""
	}
	if len(values) > width {
		values = values[len(values)-width:]
	}
	var top int64
	for _, v := range values {
		top = max(top, v)
	}
	var b strings.Builder
	b.WriteString(strings.Repeat(" ", width-len(values)))
	for _, v := range values {
		switch {
		case v < 0:
			b.WriteByte(' ')
		case top == 0:
			b.WriteRune(sparkBlocks[0])
		default:
			b.WriteRune(sparkBlocks[int(v*int64(len(sparkBlocks)-1)/top)])
		}
	}
	return b.String()
}
