package ui

import (
	"context"
	"fmt"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"

	"kscope/kafkaclient"
	"kscope/views"
)

// connecting is the state of a model whose first session is not open yet:
// the screen says what is tried and for how long, and ctrl+c gives up.
type connecting struct {
	target  string
	brokers []string
	since   time.Time
	start   Command
	cancel  context.CancelFunc
	connect func(ctx context.Context) (Session, error)
}

// connected answers the first connection.
type connected struct {
	session Session
	err     error
}

// connectTick redraws the elapsed time of the connecting screen.
type connectTick struct{}

func tickConnecting() tea.Cmd {
	return tea.Tick(time.Second, func(time.Time) tea.Msg { return connectTick{} })
}

// startConnecting connects off the event loop.
func (m *Model) startConnecting() tea.Cmd {
	cn := m.connecting
	ctx, cancel := context.WithCancel(context.Background())
	cn.cancel, cn.since = cancel, m.c.Now()
	connect := cn.connect
	return tea.Batch(tickConnecting(), func() tea.Msg {
		s, err := connect(ctx)
		return connected{s, err}
	})
}

// onConnected starts the views on the session that opened, or ends the
// program with the reason none did; main reports it.
func (m *Model) onConnected(msg connected) tea.Cmd {
	cn := m.connecting
	if cn == nil {
		return nil
	}
	m.connecting = nil
	cn.cancel()
	if msg.err != nil {
		m.connectErr = msg.err
		m.quitting = true
		return tea.Quit
	}
	return tea.Batch(m.begin(msg.session), m.run(cn.start))
}

// giveUp ends the program while it is still connecting.
func (m *Model) giveUp() tea.Cmd {
	cn := m.connecting
	// The connecting's own answer, an error now that it is cancelled, may
	// still arrive before the program ends: it is not why kscope stopped.
	m.connecting = nil
	cn.cancel()
	m.connectErr = fmt.Errorf("gave up connecting to %s after %s", cn.target, m.c.Now().Sub(cn.since).Truncate(time.Second))
	m.quitting = true
	return tea.Quit
}

// ConnectErr is why the first connection failed, or nil.
func (m *Model) ConnectErr() error { return m.connectErr }

// connectingScreen is the body shown while the first session opens.
func (m *Model) connectingScreen() string {
	cn := m.connecting
	st := m.c.Styles
	elapsed := m.c.Now().Sub(cn.since).Truncate(time.Second)
	lines := []string{
		st.Title.Render("Connecting to " + plain(cn.target)),
		"",
		fmt.Sprintf("trying %d bootstrap broker%s for %s:", len(cn.brokers), plural(len(cn.brokers)), elapsed),
	}
	for _, b := range cn.brokers {
		lines = append(lines, "  "+plain(b))
	}
	lines = append(lines, "", st.Muted.Render("ctrl+c gives up"))
	return strings.Join(lines, "\n")
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

// begin makes s the session the views work on.
func (m *Model) begin(s Session) tea.Cmd {
	m.session, m.gen = s, m.gen+1
	m.c.Client, m.c.ReadOnly, m.c.Snapshot, m.c.Disk, m.c.Context = s.Client, s.ReadOnly, nil, nil, s.Label
	// Group health and timelines are the cluster's: a new session starts them afresh.
	m.c.GroupHistory = kafkaclient.NewGroupHistory(0)
	m.c.Health = nil
	m.c.Keys.SetReadOnly(s.ReadOnly)
	m.refreshErr = nil
	return m.waitEvent()
}

// connectingNotice is what a key other than ctrl+c says while connecting.
var connectingNotice = views.Notice{Text: "still connecting: ctrl+c gives up"}
