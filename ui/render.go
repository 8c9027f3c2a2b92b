package ui

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"kscope/views"
	"kscope/views/sanitize"
	"kscope/views/widget"
)

// View implements tea.Model.
func (m *Model) View() tea.View {
	v := tea.NewView(m.render())
	v.AltScreen = true
	v.MouseMode = tea.MouseModeCellMotion
	v.WindowTitle = "kscope"
	return v
}

// render lays out the screen; model tests read it directly.
func (m *Model) render() string {
	if m.quitting {
		return ""
	}
	st := m.c.Styles
	if m.width < MinWidth || m.height < MinHeight {
		return st.Warn.Render(fmt.Sprintf("terminal too small: %d×%d (kscope needs at least %d×%d)", m.width, m.height, MinWidth, MinHeight))
	}
	if m.connecting != nil {
		footer := m.help.ShortHelpView([]key.Binding{m.keys.ForceQuit})
		return m.layout(st.Title.Render("connecting"), m.connectingScreen(), m.statusLine(), footer)
	}
	var body string
	if m.showHelp {
		groups := append(m.top().FullHelp(), m.keys.full(len(m.stack) > 1))
		body = st.Title.Render("Keys") + "\n\n" + m.help.FullHelpView(groups) + "\n\n" + st.Title.Render("Commands") + "\n" + commandHelp(st)
	} else {
		body = m.top().View()
	}
	return m.layout(m.titleLine(), body, m.statusLine(), m.footer())
}

// layout stacks the header, the title line, the body cut or padded to
// its height, the status line and the footer.
func (m *Model) layout(title, body, status, footer string) string {
	_, bh := m.bodySize()
	lines := make([]string, 0, m.height)
	lines = append(lines, m.header(), title)
	bodyLines := strings.Split(body, "\n")
	if len(bodyLines) > bh {
		bodyLines = bodyLines[:bh]
	}
	lines = append(lines, bodyLines...)
	for range bh - len(bodyLines) {
		lines = append(lines, "")
	}
	lines = append(lines, status, footer)
	return strings.Join(lines, "\n")
}

func (m *Model) header() string {
	st := m.c.Styles
	sep := " │ "
	label, _ := sanitize.Plain(m.session.Label)
	if m.connecting != nil {
		label, _ = sanitize.Plain(m.connecting.target)
	}
	parts := []string{st.Title.Render("kscope"), label}
	if m.c.ReadOnly {
		parts = append(parts, st.Badge.Render(" READ-ONLY "))
	}
	if m.session.Insecure {
		parts = append(parts, st.Badge.Render(" TLS NOT VERIFIED "))
	}
	snap := m.c.Snapshot
	if snap != nil {
		id, _ := sanitize.Plain(snap.ClusterID)
		if id == "" {
			id = "?"
		}
		parts = append(parts, "cluster "+id)
		up, total := snap.BrokersUp(), len(snap.Brokers)
		brokers := fmt.Sprintf("brokers %d/%d", up, total)
		if up < total {
			var downs []string
			for _, b := range snap.Brokers {
				if !b.Up {
					downs = append(downs, strconv.Itoa(int(b.ID)))
				}
			}
			brokers = st.Error.Render(brokers + " (down: " + strings.Join(downs, ",") + ")")
		}
		parts = append(parts, brokers)
	}
	switch {
	case m.refreshErr != nil && snap != nil:
		// The data on screen is the last that could be read: say how old.
		age := m.c.Now().Sub(snap.At).Truncate(time.Second)
		parts = append(parts, st.Error.Render(fmt.Sprintf("● stale %s (refresh failed)", age)))
	case m.refreshErr != nil:
		parts = append(parts, st.Error.Render("● refresh failed"))
	case snap == nil:
		parts = append(parts, st.Warn.Render("● connecting"))
	default:
		parts = append(parts, st.OK.Render("●")+" refreshed "+snap.At.In(m.c.Zone()).Format("15:04:05"))
	}
	if snap != nil {
		// Last: the first thing to go when the terminal is narrow.
		parts = append(parts, fmt.Sprintf("controller %d", snap.ControllerID))
	}
	line := ansi.Truncate(strings.Join(parts, sep), m.width, "…")
	return widget.Underlay(line, st.Header, m.width)
}

func (m *Model) titleLine() string {
	st := m.c.Styles
	crumbs := make([]string, len(m.stack))
	for i, f := range m.stack {
		crumbs[i] = f.view.Title()
	}
	line := st.Title.Render(crumbs[len(crumbs)-1])
	if len(crumbs) > 1 {
		line = st.Muted.Render(strings.Join(crumbs[:len(crumbs)-1], " › ")+" › ") + line
	}
	return ansi.Truncate(line, m.width, "…")
}

func (m *Model) statusLine() string {
	st := m.c.Styles
	switch {
	case m.mode != inputNone:
		return m.input.View()
	case m.notice.Text != "" || len(m.stack) == 0:
		style := st.Text
		if m.notice.Error {
			style = st.Error
		}
		text, _ := sanitize.Plain(oneLine(m.notice.Text))
		return style.Render(ansi.Truncate(text, m.width, "…"))
	}
	if fv, ok := m.top().(views.Filterable); ok && fv.Filter() != "" {
		f, _ := sanitize.Plain(fv.Filter())
		return st.Muted.Render(ansi.Truncate("filter: "+f+"  (esc clears)", m.width, "…"))
	}
	return ""
}

func (m *Model) footer() string {
	if m.mode != inputNone && m.notice.Error {
		// The bar holds the status line; its error takes the footer's place.
		text, _ := sanitize.Plain(oneLine(m.notice.Text))
		return m.c.Styles.Error.Render(ansi.Truncate(text, m.width, "…"))
	}
	bindings := append(m.top().ShortHelp(), m.keys.short(len(m.stack) > 1)...)
	switch m.mode {
	case inputCommand:
		bindings = []key.Binding{m.keys.Submit, m.keys.Complete, m.keys.Older, m.keys.Dismiss}
	case inputFilter:
		bindings = []key.Binding{m.keys.Submit, m.keys.Dismiss}
	}
	// help.Model overruns its width when even its ellipsis does not fit.
	return ansi.Truncate(m.help.ShortHelpView(bindings), m.width, "…")
}

// oneLine joins the lines of a multi-line message (a connect error lists
// each broker on its own line) for the one-line status bar.
func oneLine(s string) string {
	lines := strings.Split(s, "\n")
	for i := range lines {
		lines[i] = strings.TrimSpace(lines[i])
	}
	return strings.Join(lines, " ")
}
