// Package ui is the root model: it routes kafkaclient events to every
// open view, owns the view stack, the header, the footer, the ':' command
// and '/' filter bars, and help.
package ui

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"kscope/kafkaclient"
	"kscope/themes"
	"kscope/views"
	"kscope/views/sanitize"
	"kscope/views/widget"
)

// Smallest terminal the layout is drawn in.
const (
	MinWidth  = 60
	MinHeight = 15
)

// chromeLines are the header, title, status and footer lines around a view.
const chromeLines = 4

// Session is one connection to a cluster as the root model uses it.
type Session struct {
	Events <-chan kafkaclient.Event
	Client views.Client
	// Label names what kscope is connected to in the header (a context,
	// the bootstrap list, user@mechanism); it never holds a secret.
	Label    string
	ReadOnly bool
	// Insecure is set while TLS certificates go unchecked; the header says so.
	Insecure bool
	// Close ends the session; it may block, so the root calls it off the event loop.
	Close func()
}

// Options wire the root model to a cluster.
type Options struct {
	Session Session
	// Contexts are offered by :contexts; Switch connects to one of them.
	Contexts []views.ContextInfo
	Switch   func(ctx context.Context, name string) (Session, error)
	// Theme is the palette to start with; ThemeFixed keeps it even when the
	// terminal reports a background it does not suit.
	Theme      themes.Palette
	ThemeFixed bool
	// Start is the command whose view opens first (default: topics).
	Start Command
	Now   func() time.Time
	// TailRecords and TailBytes bound each tail's buffer (0: the defaults).
	TailRecords, TailBytes int
	// GroupsEvery and GroupEvery are how often the groups list and an open
	// group are observed (0: the defaults).
	GroupsEvery, GroupEvery time.Duration
	// Audit records every change made to a cluster; nil keeps no record.
	Audit views.Audit
}

type inputMode int

const (
	inputNone inputMode = iota
	inputCommand
	inputFilter
)

// Model is the root bubbletea model.
type Model struct {
	c        *views.Common
	session  Session
	contexts []views.ContextInfo
	switchTo func(ctx context.Context, name string) (Session, error)
	// gen counts sessions, so events still on their way from a closed
	// session are told apart and dropped.
	gen        int
	themeFixed bool
	keys       globalKeys
	help       help.Model
	showHelp   bool

	stack  []frame
	lastID uint64

	input textinput.Model
	mode  inputMode

	notice     views.Notice
	refreshErr error

	width, height int
	quitting      bool
	// startCmd is what opening the first view asked for, run by Init.
	startCmd tea.Cmd
}

// New builds the root model, opening the view opts.Start names.
func New(opts Options) *Model {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Start.Name == "" {
		opts.Start = Command{Name: "topics"}
	}
	c := &views.Common{
		Styles:   themes.New(opts.Theme),
		Keys:     views.DefaultKeyMap(),
		Client:   opts.Session.Client,
		ReadOnly: opts.Session.ReadOnly,
		Now:      opts.Now,

		TailRecords: opts.TailRecords,
		TailBytes:   opts.TailBytes,
		GroupsEvery: opts.GroupsEvery,
		GroupEvery:  opts.GroupEvery,
		Audit:       opts.Audit,
		Context:     opts.Session.Label,
	}
	m := &Model{
		c:          c,
		session:    opts.Session,
		contexts:   opts.Contexts,
		switchTo:   opts.Switch,
		themeFixed: opts.ThemeFixed,
		keys:       newGlobalKeys(),
		help:       help.New(),
		input:      textinput.New(),
	}
	m.applyStyles()
	c.Keys.SetReadOnly(c.ReadOnly)
	m.startCmd = m.run(opts.Start)
	return m
}

// Init implements tea.Model.
func (m *Model) Init() tea.Cmd {
	cmds := []tea.Cmd{m.waitEvent()}
	if !m.themeFixed {
		cmds = append(cmds, tea.RequestBackgroundColor)
	}
	cmds = append(cmds, m.startCmd)
	m.startCmd = nil
	return tea.Batch(cmds...)
}

type eventsClosed struct{}

type staleTickMsg struct{}

func staleTick() tea.Cmd {
	return tea.Tick(time.Second, func(time.Time) tea.Msg { return staleTickMsg{} })
}

// sessionEvent is an event of the session numbered gen.
type sessionEvent struct {
	gen int
	e   kafkaclient.Event
}

// switched answers a switch of context.
type switched struct {
	name    string
	session Session
	err     error
}

// waitEvent turns the session's channel into messages, one at a time; it
// is issued again after each event.
func (m *Model) waitEvent() tea.Cmd {
	ch, gen := m.session.Events, m.gen
	if ch == nil {
		return nil
	}
	return func() tea.Msg {
		e, ok := <-ch
		if !ok {
			return eventsClosed{}
		}
		return sessionEvent{gen, e}
	}
}

// switchContext connects to context name off the event loop.
func (m *Model) switchContext(name string) tea.Cmd {
	if m.switchTo == nil {
		m.notice = views.Notice{Text: "no contexts to switch to: kscope was started with -b or --demo", Error: true}
		return nil
	}
	connect := m.switchTo
	m.notice = views.Notice{Text: "connecting to " + name + "…"}
	return func() tea.Msg {
		s, err := connect(context.Background(), name)
		return switched{name, s, err}
	}
}

// adopt makes s the current session: the old one is closed, the views
// start again on the new cluster.
func (m *Model) adopt(name string, s Session) tea.Cmd {
	old := m.session.Close
	m.closeAll()
	m.session, m.gen = s, m.gen+1
	m.c.Client, m.c.ReadOnly, m.c.Snapshot, m.c.Context = s.Client, s.ReadOnly, nil, s.Label
	m.c.Keys.SetReadOnly(s.ReadOnly)
	m.refreshErr = nil
	for i := range m.contexts {
		m.contexts[i].Current = m.contexts[i].Name == name
	}
	cmds := []tea.Cmd{m.run(Command{Name: "topics"}), m.waitEvent()}
	if old != nil {
		cmds = append(cmds, func() tea.Msg { old(); return nil })
	}
	m.notice = views.Notice{Text: "switched to " + name}
	return tea.Batch(cmds...)
}

// frame is a view on the stack with what it owns: the id its answers are
// routed by and the cancel of its context.
type frame struct {
	view   views.View
	id     uint64
	cancel context.CancelFunc
}

func (m *Model) top() views.View { return m.stack[len(m.stack)-1].view }

func (m *Model) setTop(v views.View) { m.stack[len(m.stack)-1].view = v }

func (m *Model) bodySize() (int, int) { return m.width, max(m.height-chromeLines, 1) }

// pushView puts v on the stack, pausing the view it covers, and starts it
// with a scope of its own.
func (m *Model) pushView(v views.View) tea.Cmd {
	if len(m.stack) > 0 {
		if p, ok := m.top().(views.Pauser); ok {
			p.Pause()
		}
	}
	m.lastID++
	ctx, cancel := context.WithCancel(context.Background())
	m.stack = append(m.stack, frame{view: v, id: m.lastID, cancel: cancel})
	v.SetSize(m.bodySize())
	return v.Init(views.Scope{ID: m.lastID, Ctx: ctx})
}

// pop closes the view on top, ending its work, and resumes the one below.
func (m *Model) pop() tea.Cmd {
	if len(m.stack) <= 1 {
		return nil
	}
	m.stack[len(m.stack)-1].cancel()
	m.stack = m.stack[:len(m.stack)-1]
	if p, ok := m.top().(views.Pauser); ok {
		return p.Resume()
	}
	return nil
}

// closeAll ends the work of every view and empties the stack.
func (m *Model) closeAll() {
	for _, f := range m.stack {
		f.cancel()
	}
	m.stack = nil
}

// quit closes every view, then ends the program.
func (m *Model) quit() tea.Cmd {
	m.quitting = true
	m.closeAll()
	return tea.Quit
}

// run carries out a parsed command: the stack it opens replaces the one
// shown, unless it cannot be opened, and then nothing changes.
func (m *Model) run(c Command) tea.Cmd {
	e, ok := lookup(c.Name)
	if !ok {
		m.notice = views.Notice{Text: "unknown command " + c.Name + "; known: " + KnownCommands(), Error: true}
		return nil
	}
	if e.open == nil {
		return m.quit()
	}
	opened, err := e.open(m, c)
	if err != nil {
		m.notice = views.Notice{Text: err.Error(), Error: true}
		return nil
	}
	m.closeAll()
	cmds := make([]tea.Cmd, 0, len(opened))
	for _, v := range opened {
		cmds = append(cmds, m.pushView(v))
	}
	m.notice = views.Notice{}
	return tea.Batch(cmds...)
}

// deliver gives an answer to the view that asked for it, if it is still
// open; what it answered with is for the root when it is a notice or a
// change of the stack.
func (m *Model) deliver(a views.Answer) tea.Cmd {
	i := slices.IndexFunc(m.stack, func(f frame) bool { return f.id == a.To })
	if i < 0 {
		return nil // the view is gone, and its work with it
	}
	switch a.Msg.(type) {
	case views.Notice, views.Push, views.Pop:
		_, cmd := m.Update(a.Msg)
		return cmd
	}
	v, cmd := m.stack[i].view.Update(a.Msg)
	m.stack[i].view = v
	return cmd
}

// broadcast gives msg to every view on the stack, covered or not, so a
// view keeps its data fresh while another is on top of it.
func (m *Model) broadcast(msg tea.Msg) tea.Cmd {
	cmds := make([]tea.Cmd, 0, len(m.stack))
	for i, f := range m.stack {
		nv, cmd := f.view.Update(msg)
		m.stack[i].view = nv
		cmds = append(cmds, cmd)
	}
	return tea.Batch(cmds...)
}

func (m *Model) applyStyles() {
	st := m.c.Styles
	m.help.Styles.ShortKey = st.HelpKey
	m.help.Styles.ShortDesc = st.HelpDesc
	m.help.Styles.ShortSeparator = st.HelpSep
	m.help.Styles.FullKey = st.HelpKey
	m.help.Styles.FullDesc = st.HelpDesc
	m.help.Styles.FullSeparator = st.HelpSep
	m.help.Styles.Ellipsis = st.HelpSep
	is := m.input.Styles()
	is.Focused.Prompt = st.Prompt
	is.Blurred.Prompt = st.Prompt
	is.Focused.Text = st.Text
	m.input.SetStyles(is)
}

// Update implements tea.Model.
func (m *Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.width, m.height = msg.Width, msg.Height
		m.help.SetWidth(msg.Width)
		m.input.SetWidth(max(msg.Width-4, 1))
		for _, f := range m.stack {
			f.view.SetSize(m.bodySize())
		}
		return m, nil
	case tea.BackgroundColorMsg:
		if m.themeFixed {
			return m, nil
		}
		*m.c.Styles = *themes.New(themes.ForBackground(msg.IsDark()))
		m.applyStyles()
		return m, m.broadcast(views.ThemeChanged{})
	case sessionEvent:
		if msg.gen != m.gen {
			return m, nil // from a session already closed
		}
		_, cmd := m.Update(msg.e)
		return m, tea.Batch(cmd, m.waitEvent())
	case switched:
		if msg.err != nil {
			m.notice = views.Notice{Text: "could not switch to " + msg.name + ": " + msg.err.Error(), Error: true}
			return m, nil
		}
		return m, m.adopt(msg.name, msg.session)
	case views.SwitchContext:
		return m, m.switchContext(msg.Name)
	case kafkaclient.ClusterUpdated:
		m.c.Snapshot = msg.Snapshot
		m.refreshErr = nil
		return m, m.broadcast(msg)
	case kafkaclient.RefreshFailed:
		wasStale := m.refreshErr != nil
		m.refreshErr = msg.Err
		m.notice = views.Notice{Text: msg.Err.Error(), Error: true}
		cmds := []tea.Cmd{m.broadcast(msg)}
		if !wasStale {
			cmds = append(cmds, staleTick())
		}
		return m, tea.Batch(cmds...)
	case staleTickMsg:
		// The header counts the age of stale data up each second until a refresh succeeds.
		if m.refreshErr != nil {
			return m, staleTick()
		}
		return m, nil
	case eventsClosed:
		return m, nil
	case views.Answer:
		return m, m.deliver(msg)
	case views.Push:
		return m, m.pushView(msg.View)
	case views.Pop:
		return m, m.pop()
	case views.Notice:
		m.notice = msg
		return m, nil
	case tea.KeyPressMsg:
		return m, m.handleKey(msg)
	case tea.MouseWheelMsg:
		if !m.showHelp {
			v, cmd := m.top().Update(msg)
			m.setTop(v)
			return m, cmd
		}
		return m, nil
	}
	// What is left is for every view (cursor blinks carry their own ids).
	return m, m.broadcast(msg)
}

func (m *Model) handleKey(msg tea.KeyPressMsg) tea.Cmd {
	if key.Matches(msg, m.keys.ForceQuit) {
		return m.quit()
	}
	if m.mode != inputNone {
		return m.handleInput(msg)
	}
	if ic, ok := m.top().(views.InputCapturer); ok && ic.CapturesInput() {
		v, cmd := m.top().Update(msg)
		m.setTop(v)
		return cmd
	}
	if m.showHelp {
		if key.Matches(msg, m.keys.Help, m.keys.Back, m.keys.Quit) {
			m.showHelp = false
		}
		return nil
	}
	switch {
	case key.Matches(msg, m.keys.Quit):
		return m.quit()
	case key.Matches(msg, m.keys.Help):
		m.showHelp = true
		return nil
	case key.Matches(msg, m.keys.Refresh):
		if r := m.c.Client.Refresher; r != nil {
			r.Refresh()
		}
		return nil
	case key.Matches(msg, m.keys.Command):
		return m.openInput(inputCommand, "")
	case key.Matches(msg, m.keys.Filter):
		if fv, ok := m.top().(views.Filterable); ok {
			return m.openInput(inputFilter, fv.Filter())
		}
		return nil
	case key.Matches(msg, m.keys.Back):
		if fv, ok := m.top().(views.Filterable); ok && fv.Filter() != "" {
			m.setFilter("")
			return nil
		}
		m.notice = views.Notice{}
		return m.pop()
	}
	v, cmd := m.top().Update(msg)
	m.setTop(v)
	return cmd
}

func (m *Model) openInput(mode inputMode, value string) tea.Cmd {
	m.mode = mode
	m.notice = views.Notice{}
	m.input.Prompt = ":"
	m.input.Placeholder = KnownCommands()
	if mode == inputFilter {
		m.input.Prompt = "/"
		m.input.Placeholder = "text to match"
	}
	m.input.SetValue(value)
	m.input.CursorEnd()
	return m.input.Focus()
}

// setFilter applies f to the current view; a filter the view rejects
// is reported and the one in force stays.
func (m *Model) setFilter(f string) bool {
	fv, ok := m.top().(views.Filterable)
	if !ok {
		return false
	}
	if err := fv.SetFilter(f); err != nil {
		m.notice = views.Notice{Text: "filter not applied: " + err.Error(), Error: true}
		return false
	}
	return true
}

func (m *Model) handleInput(msg tea.KeyPressMsg) tea.Cmd {
	switch {
	case key.Matches(msg, m.keys.Complete):
		if m.mode == inputCommand {
			m.complete()
		}
		return nil
	case key.Matches(msg, m.keys.Dismiss):
		if m.mode == inputFilter {
			m.setFilter("")
		}
		m.closeInput()
		return nil
	case key.Matches(msg, m.keys.Submit):
		mode, value := m.mode, strings.TrimSpace(m.input.Value())
		if mode == inputFilter {
			// A rejected filter keeps the bar open so it can be corrected.
			if m.setFilter(value) {
				m.closeInput()
				m.notice = views.Notice{}
			}
			return nil
		}
		m.closeInput()
		c, err := ParseCommand(value)
		if err != nil {
			m.notice = views.Notice{Text: err.Error(), Error: true}
			return nil
		}
		return m.run(c)
	}
	var cmd tea.Cmd
	m.input, cmd = m.input.Update(msg)
	if _, onSubmit := m.top().(views.SubmitFilter); m.mode == inputFilter && !onSubmit {
		// The filter follows each keystroke, as in k9s.
		m.setFilter(m.input.Value())
	}
	return cmd
}

func (m *Model) closeInput() {
	m.mode = inputNone
	m.input.Blur()
}

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
	_, bh := m.bodySize()
	var body string
	if m.showHelp {
		groups := append(m.top().FullHelp(), m.keys.full())
		body = st.Title.Render("Keys") + "\n\n" + m.help.FullHelpView(groups) + "\n\n" + st.Title.Render("Commands") + "\n" + commandHelp(st)
	} else {
		body = m.top().View()
	}
	lines := make([]string, 0, m.height)
	lines = append(lines, m.header(), m.titleLine())
	bodyLines := strings.Split(body, "\n")
	if len(bodyLines) > bh {
		bodyLines = bodyLines[:bh]
	}
	lines = append(lines, bodyLines...)
	for range bh - len(bodyLines) {
		lines = append(lines, "")
	}
	lines = append(lines, m.statusLine(), m.footer())
	return strings.Join(lines, "\n")
}

func (m *Model) header() string {
	st := m.c.Styles
	sep := " │ "
	label, _ := sanitize.Plain(m.session.Label)
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
	case m.notice.Text != "":
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
	bindings := append(m.top().ShortHelp(), m.keys.short()...)
	switch m.mode {
	case inputCommand:
		bindings = []key.Binding{m.keys.Submit, m.keys.Complete, m.keys.Dismiss}
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
