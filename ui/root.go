// Package ui is the root model: it routes kafkaclient events to every
// open view, owns the view stack, the header, the footer, the ':' command
// and '/' filter bars, and help.
package ui

import (
	"context"
	"strings"
	"time"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"

	"kscope/kafkaclient"
	"kscope/themes"
	"kscope/views"
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
	// TailRecords and TailBytes bound each tail's buffer (0: the defaults);
	// TailReset is where a tail restarts when its offset is gone.
	TailRecords, TailBytes int
	TailReset              kafkaclient.OutOfRange
	// GroupsEvery and GroupEvery are how often the groups list and an open
	// group are observed (0: the defaults).
	GroupsEvery, GroupEvery time.Duration
	// DiskOff says the client does not read the brokers' log dirs.
	DiskOff bool
	// Audit records every change made to a cluster; nil keeps no record.
	Audit views.Audit
	// Warnings are shown on the status line when the program starts (what
	// the config file's loading ignored, say).
	Warnings []string
	// History keeps the ':' commands across runs; nil keeps them for this run.
	History CommandHistory
	// Connect, when given, opens the first session off the event loop
	// while a screen shows Target and Brokers being tried; Session is then
	// left empty.
	Connect func(ctx context.Context) (Session, error)
	Target  string
	Brokers []string
}

// CommandHistory keeps the ':' commands typed, oldest first.
type CommandHistory interface {
	Lines() ([]string, error)
	Add(line string) error
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
	// checks numbers the commands checked with the cluster before they
	// open, so only the latest one opens.
	checks int
	// history are the commands typed, oldest first; recall is where ↑/↓
	// are in it (len(history): the line being typed).
	history []string
	recall  int
	store   CommandHistory
	// startCmd is what opening the first view asked for, run by Init.
	startCmd tea.Cmd
	// connecting is set until the first session opens; connectErr says
	// why it did not.
	connecting *connecting
	connectErr error
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
		TailReset:   opts.TailReset,
		TailBytes:   opts.TailBytes,
		GroupsEvery: opts.GroupsEvery,
		DiskOff:     opts.DiskOff,
		GroupEvery:  opts.GroupEvery,
		Audit:       opts.Audit,
		Context:     opts.Session.Label,

		GroupHistory: kafkaclient.NewGroupHistory(0),
	}
	m := &Model{
		c:          c,
		session:    opts.Session,
		contexts:   opts.Contexts,
		switchTo:   opts.Switch,
		themeFixed: opts.ThemeFixed,
		store:      opts.History,
		keys:       newGlobalKeys(),
		help:       help.New(),
		input:      textinput.New(),
	}
	m.applyStyles()
	c.Keys.SetReadOnly(c.ReadOnly)
	if opts.Connect != nil {
		m.connecting = &connecting{target: opts.Target, brokers: opts.Brokers, start: opts.Start, connect: opts.Connect}
	} else {
		m.startCmd = m.run(opts.Start)
	}
	if len(opts.Warnings) > 0 && !m.notice.Error {
		m.notice = views.Notice{Text: "warning: " + strings.Join(opts.Warnings, "; "), Error: true}
	}
	return m
}

// Init implements tea.Model.
func (m *Model) Init() tea.Cmd {
	cmds := []tea.Cmd{m.waitEvent()}
	if !m.themeFixed {
		cmds = append(cmds, tea.RequestBackgroundColor)
	}
	cmds = append(cmds, m.startCmd, m.loadHistory())
	m.startCmd = nil
	if m.connecting != nil {
		cmds = append(cmds, m.startConnecting())
	}
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
	wait := m.begin(s)
	for i := range m.contexts {
		m.contexts[i].Current = m.contexts[i].Name == name
	}
	cmds := []tea.Cmd{m.run(Command{Name: "topics"}), wait}
	if old != nil {
		cmds = append(cmds, func() tea.Msg { old(); return nil })
	}
	m.notice = views.Notice{Text: "switched to " + name}
	return tea.Batch(cmds...)
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
	case checked:
		return m, m.opened(msg)
	case connected:
		return m, m.onConnected(msg)
	case connectTick:
		if m.connecting != nil {
			return m, tickConnecting()
		}
		return m, nil
	case historyLoaded:
		// Commands typed while it loaded come after the ones of earlier runs.
		m.history = append(msg.lines, m.history...)
		return m, nil
	case views.SwitchContext:
		return m, m.switchContext(msg.Name)
	case kafkaclient.ClusterUpdated:
		m.c.Snapshot = msg.Snapshot
		m.refreshErr = nil
		m.c.EvaluateHealth()
		return m, m.broadcast(msg)
	case kafkaclient.DiskUpdated:
		m.c.Disk = msg.Disk
		m.c.EvaluateHealth()
		return m, m.broadcast(msg)
	case kafkaclient.HealthRead:
		m.c.HealthRead(msg)
		m.c.EvaluateHealth()
		return m, m.broadcast(msg)
	case kafkaclient.RefreshFailed:
		wasStale := m.refreshErr != nil
		m.refreshErr = msg.Err
		m.notice = views.Notice{Text: msg.Err.Error(), Error: true}
		cmds := []tea.Cmd{m.broadcast(msg)}
		if msg.Snapshot != nil {
			// The last data, with the brokers that did not answer marked
			// down: views redraw from it, and the header stays stale.
			m.c.Snapshot = msg.Snapshot
			cmds = append(cmds, m.broadcast(kafkaclient.ClusterUpdated{Snapshot: msg.Snapshot}))
		}
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
		if !m.showHelp && len(m.stack) > 0 {
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
	switch {
	case m.connecting != nil && key.Matches(msg, m.keys.ForceQuit):
		return m.giveUp()
	case m.connecting != nil:
		m.notice = connectingNotice
		return nil
	case key.Matches(msg, m.keys.ForceQuit):
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
	case key.Matches(msg, m.keys.Quit) && len(m.stack) > 1:
		// Inside a nested view q goes back: quitting from there would throw
		// away a tail's buffer or a timeline by a slip of the finger.
		m.notice = views.Notice{}
		return m.pop()
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
