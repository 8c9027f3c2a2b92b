package ui

import (
	"slices"
	"strings"

	"github.com/charmbracelet/x/ansi"

	"kscope/themes"
	"kscope/views"
	"kscope/views/sanitize"
)

// complete extends the word being typed in the ':' bar: a command name,
// or the argument of a command that has a completion source. With one
// candidate the word is finished; with several it grows to what they
// share and the status line lists them.
func (m *Model) complete() {
	value := m.input.Value()
	fields := strings.Fields(value)
	ended := strings.HasSuffix(value, " ")
	var head, word string
	var candidates []string
	switch {
	case len(fields) == 0 || len(fields) == 1 && !ended:
		if len(fields) == 1 {
			word = fields[0]
		}
		for _, e := range registry {
			candidates = append(candidates, e.name)
		}
	case len(fields) == 1 && ended || len(fields) == 2 && !ended:
		e, ok := lookup(fields[0])
		if !ok || e.complete == nil {
			return
		}
		head = fields[0] + " "
		if len(fields) == 2 {
			word = fields[1]
		}
		candidates = e.complete(m)
	default:
		return
	}
	var matches []string
	for _, c := range candidates {
		if strings.HasPrefix(c, word) {
			matches = append(matches, c)
		}
	}
	slices.Sort(matches)
	switch len(matches) {
	case 0:
		m.notice = views.Notice{Text: "nothing to complete " + plain(word) + " with"}
		return
	case 1:
		m.input.SetValue(head + matches[0] + " ")
	default:
		m.input.SetValue(head + sharedPrefix(matches))
		shown := matches[:min(len(matches), 12)]
		for i := range shown {
			shown[i] = plain(shown[i])
		}
		text := strings.Join(shown, "  ")
		if len(matches) > len(shown) {
			text += "  …"
		}
		m.notice = views.Notice{Text: text}
	}
	m.input.CursorEnd()
}

func sharedPrefix(words []string) string {
	p := words[0]
	for _, w := range words[1:] {
		for !strings.HasPrefix(w, p) {
			p = p[:len(p)-1]
		}
	}
	return p
}

func plain(s string) string {
	p, _ := sanitize.Plain(s)
	return p
}

// commandHelp lists the registered commands for the help screen, one a
// line, or in two columns, their descriptions cut to fit, when one a line
// would take more than lines of the screen width wide.
func commandHelp(st *themes.Styles, width, lines int) string {
	call := func(e command) string { return strings.TrimSpace(":" + e.name + " " + e.arg) }
	callWidth := 0
	for _, e := range registry {
		callWidth = max(callWidth, len(call(e)))
	}
	entry := func(e command, width int) string {
		desc := e.help
		if e.options != "" {
			desc += " " + e.options
		}
		desc = ansi.Truncate(desc, max(width-callWidth-2, 1), "…")
		return st.HelpKey.Render(call(e)) + strings.Repeat(" ", callWidth-len(call(e))+2) + st.HelpDesc.Render(desc)
	}
	if len(registry) <= lines {
		out := make([]string, len(registry))
		for i, e := range registry {
			out[i] = entry(e, width)
		}
		return strings.Join(out, "\n")
	}
	half := (len(registry) + 1) / 2
	colWidth := (width - 2) / 2
	out := make([]string, half)
	for i := range half {
		left := entry(registry[i], colWidth)
		out[i] = left
		if j := i + half; j < len(registry) {
			out[i] += strings.Repeat(" ", max(colWidth-ansi.StringWidth(left), 0)+2) + entry(registry[j], colWidth)
		}
	}
	return strings.Join(out, "\n")
}
