package ui

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"kscope/kafkaclient"
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
		keys := st.Title.Render("Keys") + "\n\n" + m.help.FullHelpView(groups) + "\n\n" + st.Title.Render("Commands")
		w, h := m.bodySize()
		body = keys + "\n" + commandHelp(st, w, h-strings.Count(keys, "\n")-1)
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

// headerPart is one piece of the header; when the terminal is too narrow
// for all, the pieces of least weight go first.
type headerPart struct {
	text   string
	weight int
}

func (m *Model) header() string {
	st := m.c.Styles
	sep := " │ "
	label, _ := sanitize.Plain(m.session.Label)
	if m.connecting != nil {
		label, _ = sanitize.Plain(m.connecting.target)
	}
	parts := []headerPart{{st.Title.Render("kscope"), 9}, {label, 6}}
	if m.c.ReadOnly {
		parts = append(parts, headerPart{st.Badge.Render(" READ-ONLY "), 10})
	}
	if m.session.Insecure {
		parts = append(parts, headerPart{st.Badge.Render(" TLS NOT VERIFIED "), 10})
	}
	snap := m.c.Snapshot
	if snap != nil {
		id, _ := sanitize.Plain(snap.ClusterID)
		if id == "" {
			id = "?"
		}
		parts = append(parts, headerPart{"cluster " + id, 2})
		up, total := snap.BrokersUp(), len(snap.Brokers)
		brokers, weight := fmt.Sprintf("brokers %d/%d", up, total), 5
		if up < total {
			var downs []string
			for _, b := range snap.Brokers {
				if !b.Up {
					downs = append(downs, strconv.Itoa(int(b.ID)))
				}
			}
			brokers, weight = st.Error.Render(brokers+" (down: "+strings.Join(downs, ",")+")"), 8
		}
		parts = append(parts, headerPart{brokers, weight})
		parts = append(parts, m.healthPart())
	}
	switch {
	case m.refreshErr != nil && snap != nil:
		// The data on screen is the last that could be read: say how old.
		age := m.c.Now().Sub(snap.At).Truncate(time.Second)
		parts = append(parts, headerPart{st.Error.Render(fmt.Sprintf("● stale %s (refresh failed)", age)), 8})
	case m.refreshErr != nil:
		parts = append(parts, headerPart{st.Error.Render("● refresh failed"), 8})
	case snap == nil:
		parts = append(parts, headerPart{st.Warn.Render("● connecting"), 7})
	default:
		parts = append(parts, headerPart{st.OK.Render("●") + " refreshed " + snap.At.In(m.c.Zone()).Format("15:04:05"), 7})
	}
	switch {
	case snap == nil:
	case snap.ControllerID == kafkaclient.ControllerUnknown:
		parts = append(parts, headerPart{"controller ?", 1})
	default:
		parts = append(parts, headerPart{fmt.Sprintf("controller %d", snap.ControllerID), 1})
	}
	line := strings.Join(fitHeader(parts, ansi.StringWidth(sep), m.width), sep)
	return widget.Underlay(ansi.Truncate(line, m.width, "…"), st.Header, m.width)
}

// healthPart is the health checks' one word (OK, WARN 3, CRIT 1), which
// :health explains; a problem outweighs the other parts.
func (m *Model) healthPart() headerPart {
	st := m.c.Styles
	h := m.c.Health
	switch {
	case h == nil:
		return headerPart{st.Muted.Render("health …"), 3}
	case h.Worst == views.SeverityCrit:
		return headerPart{st.Error.Render(h.Summary), 9}
	case h.Worst == views.SeverityWarn:
		return headerPart{st.Warn.Render(h.Summary), 6}
	}
	return headerPart{st.OK.Render(h.Summary), 3}
}

// fitHeader drops the lightest parts until the rest fit width, keeping
// their order.
func fitHeader(parts []headerPart, sep, width int) []string {
	for {
		used := -sep
		lightest := -1
		for i, p := range parts {
			used += sep + ansi.StringWidth(p.text)
			if lightest < 0 || p.weight < parts[lightest].weight {
				lightest = i
			}
		}
		if used <= width || len(parts) <= 2 {
			break
		}
		parts = slices.Delete(slices.Clone(parts), lightest, lightest+1)
	}
	out := make([]string, len(parts))
	for i, p := range parts {
		out[i] = p.text
	}
	return out
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
