package ui

import (
	"context"
	"slices"
	"time"

	tea "charm.land/bubbletea/v2"

	"kscope/views"
)

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
	if e.check != nil {
		return m.checkThenOpen(e, c)
	}
	return m.open(e, c)
}

// checked answers a command's check.
type checked struct {
	seq int
	c   Command
	err error
}

// checkTimeout bounds a command's check as the user waits for it.
const checkTimeout = 15 * time.Second

// checkThenOpen asks the cluster whether c names something that exists,
// off the event loop; the stack stays as it is until the answer. Starting
// with such a command, the topics list is shown meanwhile, so the screen
// is never empty.
func (m *Model) checkThenOpen(e *command, c Command) tea.Cmd {
	var first tea.Cmd
	if len(m.stack) == 0 {
		first = m.open(&registry[0], Command{Name: registry[0].name})
	}
	m.checks++
	seq, check, client := m.checks, e.check, m.c.Client
	m.notice = views.Notice{Text: "opening " + plain(c.Name+" "+c.Arg) + "…"}
	return tea.Batch(first, func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), checkTimeout)
		defer cancel()
		return checked{seq: seq, c: c, err: check(ctx, client, c)}
	})
}

// opened takes a check's answer: an error leaves the stack as it was; a
// command typed since then wins over this one.
func (m *Model) opened(msg checked) tea.Cmd {
	if msg.seq != m.checks {
		return nil
	}
	if msg.err != nil {
		m.notice = views.Notice{Text: msg.err.Error(), Error: true}
		return nil
	}
	e, _ := lookup(msg.c.Name)
	return m.open(e, msg.c)
}

// open replaces the stack with the views e opens for c.
func (m *Model) open(e *command, c Command) tea.Cmd {
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
