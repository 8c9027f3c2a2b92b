package widget

import (
	"strings"

	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"
)

// Fit truncates or pads s to exactly w cells.
func Fit(s string, w int, right bool) string {
	if w <= 0 {
		return ""
	}
	sw := ansi.StringWidth(s)
	if sw > w {
		s = ansi.Truncate(s, w, "…")
		sw = ansi.StringWidth(s)
	}
	pad := strings.Repeat(" ", w-sw)
	if right {
		return pad + s
	}
	return s + pad
}

// Underlay lays style under a line whose parts carry their own styles:
// every reset inside the line re-opens style, so the parts keep their
// colours and the background runs the full width.
func Underlay(line string, style lipgloss.Style, width int) string {
	if w := ansi.StringWidth(line); w < width {
		line += strings.Repeat(" ", width-w)
	}
	rendered := style.Render("\x00")
	i := strings.IndexByte(rendered, 0)
	if i <= 0 {
		return line
	}
	open := rendered[:i]
	return open + strings.ReplaceAll(line, "\x1b[m", "\x1b[m"+open) + "\x1b[m"
}
