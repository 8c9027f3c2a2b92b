package views

import (
	"context"
	"testing"
	"testing/synctest"
	"time"

	tea "charm.land/bubbletea/v2"
)

// host stands in for the root in view tests: it keeps a stack, gives each
// pushed view its scope, routes answers, and runs Cmds as the program
// does. It is used inside a synctest bubble, so a Cmd still waiting once
// every goroutine is blocked (a cursor's blink, the next poll) is told from
// one that answered by synctest.Wait, never by a wall clock; such a Cmd's
// answer is simply not delivered.
type host struct {
	stack  []hostFrame
	lastID uint64
	// out are the messages for the root: notices, pushes and pops.
	out []tea.Msg
	// popped are the views that closed themselves.
	popped []View
}

type hostFrame struct {
	view   View
	id     uint64
	cancel context.CancelFunc
}

// inBubble runs f in a synctest bubble with a host, closing every view
// the host still holds when f returns.
func inBubble(t *testing.T, f func(t *testing.T, h *host)) {
	t.Helper()
	synctest.Test(t, func(t *testing.T) {
		h := &host{}
		defer func() {
			h.closeAll()
			// Time stops when f returns: let the timers still pending
			// (blinks, polls) fire, so their goroutines end inside the bubble.
			time.Sleep(24 * time.Hour)
		}()
		f(t, h)
	})
}

func (h *host) top() View { return h.stack[len(h.stack)-1].view }

// push opens v on top, as the root does.
func (h *host) push(v View) View {
	if len(h.stack) > 0 {
		if p, ok := h.top().(Pauser); ok {
			p.Pause()
		}
	}
	h.lastID++
	ctx, cancel := context.WithCancel(context.Background())
	h.stack = append(h.stack, hostFrame{view: v, id: h.lastID, cancel: cancel})
	v.SetSize(100, 24)
	h.run(v.Init(Scope{ID: h.lastID, Ctx: ctx}))
	return v
}

// send gives msg to the view on top and runs what it asks.
func (h *host) send(msg tea.Msg) {
	i := len(h.stack) - 1
	v, cmd := h.stack[i].view.Update(msg)
	h.stack[i].view = v
	h.run(cmd)
}

// keys sends each key of s as typed.
func (h *host) keys(s string) {
	for _, r := range s {
		h.send(tea.KeyPressMsg{Code: r, Text: string(r)})
	}
}

// run runs cmd; what answers before the bubble is idle is handled.
func (h *host) run(cmd tea.Cmd) {
	if cmd == nil {
		return
	}
	done := make(chan tea.Msg, 1)
	go func() { done <- cmd() }()
	synctest.Wait()
	select {
	case msg := <-done:
		h.handle(msg)
	default:
	}
}

func (h *host) handle(msg tea.Msg) {
	switch msg := msg.(type) {
	case nil:
	case tea.BatchMsg:
		for _, c := range msg {
			h.run(c)
		}
	case Answer:
		for i := range h.stack {
			if h.stack[i].id == msg.To {
				h.answer(i, msg.Msg)
				return
			}
		}
	case Push:
		h.out = append(h.out, msg)
		h.push(msg.View)
	case Pop:
		h.out = append(h.out, msg)
		f := h.stack[len(h.stack)-1]
		f.cancel()
		h.stack = h.stack[:len(h.stack)-1]
		h.popped = append(h.popped, f.view)
		if len(h.stack) > 0 {
			if p, ok := h.top().(Pauser); ok {
				h.run(p.Resume())
			}
		}
	case Notice:
		h.out = append(h.out, msg)
	case Changed:
		// The root gives it to every view, covered or not.
		h.out = append(h.out, msg)
		for i := range h.stack {
			v, cmd := h.stack[i].view.Update(msg)
			h.stack[i].view = v
			h.run(cmd)
		}
	}
}

func (h *host) answer(i int, msg tea.Msg) {
	switch msg.(type) {
	case Notice, Push, Pop:
		h.handle(msg)
		return
	}
	v, cmd := h.stack[i].view.Update(msg)
	h.stack[i].view = v
	h.run(cmd)
}

func (h *host) closeAll() {
	for _, f := range h.stack {
		f.cancel()
	}
	h.stack = nil
}

// notices are the texts of the notices the views sent.
func (h *host) notices() []string {
	var out []string
	for _, m := range h.out {
		if n, ok := m.(Notice); ok {
			out = append(out, n.Text)
		}
	}
	return out
}
