package ui

import (
	"slices"
	"strings"

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

// commandHelp lists the registered commands for the help screen.
func commandHelp(st *themes.Styles) string {
	call := func(e command) string { return strings.TrimSpace(":" + e.name + " " + e.arg) }
	width := 0
	for _, e := range registry {
		width = max(width, len(call(e)))
	}
	lines := make([]string, len(registry))
	for i, e := range registry {
		desc := e.help
		if e.options != "" {
			desc += " " + e.options
		}
		lines[i] = st.HelpKey.Render(call(e)) + strings.Repeat(" ", width-len(call(e))+2) + st.HelpDesc.Render(desc)
	}
	return strings.Join(lines, "\n")
}
