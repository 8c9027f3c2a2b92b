package views

import (
	"context"
	"time"

	tea "charm.land/bubbletea/v2"
)

// Scope is what a view owns while it is on the stack: the id its answers
// are routed by and a context the root cancels when the view leaves, so
// every request and goroutine started for it ends with it.
type Scope struct {
	ID  uint64
	Ctx context.Context
}

// Answer carries a result to the view whose Cmd produced it. The root
// delivers it to that view alone, or drops it if the view is gone.
type Answer struct {
	To  uint64
	Msg tea.Msg
}

// Do runs fn off the event loop under the view's context and answers the
// view with its result. Nothing is answered once the view is gone.
func (s Scope) Do(fn func(ctx context.Context) tea.Msg) tea.Cmd {
	return func() tea.Msg {
		if s.Ctx.Err() != nil {
			return nil
		}
		return s.answer(fn(s.Ctx))
	}
}

// After answers the view with msg once d has passed.
func (s Scope) After(d time.Duration, msg tea.Msg) tea.Cmd {
	return tea.Tick(d, func(time.Time) tea.Msg { return s.answer(msg) })
}

func (s Scope) answer(msg tea.Msg) tea.Msg {
	if msg == nil {
		return nil
	}
	return Answer{To: s.ID, Msg: msg}
}
