package widget

import (
	"strings"

	"charm.land/bubbles/v2/key"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"kscope/themes"
	"kscope/views/sanitize"
)

// helpLine is a footer made from bindings: "ctrl+s create · esc cancel".
func helpLine(st *themes.Styles, bindings []key.Binding, width int) string {
	parts := make([]string, 0, len(bindings))
	for _, b := range bindings {
		if h := b.Help(); b.Enabled() && h.Key != "" {
			parts = append(parts, st.HelpKey.Render(h.Key)+" "+st.HelpDesc.Render(h.Desc))
		}
	}
	return ansi.Truncate(strings.Join(parts, st.HelpSep.Render(" · ")), width, "…")
}

// dialogBox draws lines inside a rounded border of exactly w×h cells, the
// title set in the top edge.
func dialogBox(st *themes.Styles, w, h int, title string, lines []string) string {
	if w < 5 || h < 2 {
		blank := strings.Repeat(" ", max(w, 0))
		return strings.TrimSuffix(strings.Repeat(blank+"\n", max(h, 0)), "\n")
	}
	b := lipgloss.RoundedBorder()
	edge := st.Border.Render
	inner := w - 4
	out := make([]string, 0, h)

	top := edge(b.TopLeft + strings.Repeat(b.Top, w-2) + b.TopRight)
	if t := sanitize.Line(title, w-6, "…", st.Escape); t != "" {
		t = Underlay(t, st.Title, 0)
		tw := ansi.StringWidth(t)
		top = edge(b.TopLeft+b.Top+" ") + t + edge(" "+strings.Repeat(b.Top, w-5-tw)+b.TopRight)
	}
	out = append(out, top)
	for i := range h - 2 {
		line := ""
		if i < len(lines) {
			line = lines[i]
		}
		out = append(out, edge(b.Left)+" "+Fit(line, inner, false)+" "+edge(b.Right))
	}
	out = append(out, edge(b.BottomLeft+strings.Repeat(b.Bottom, w-2)+b.BottomRight))
	return strings.Join(out, "\n")
}
