package ui

import (
	"testing"

	"kscope/themes"
	"kscope/views"
	"kscope/views/viewtest"
)

// What kscope learned of a cluster's groups lasts for its session: views
// reopened share it, and a switch to another cluster starts afresh.
func TestEachSessionHasItsOwnGroupHistory(t *testing.T) {
	inBubble(t, func(t *testing.T) {
		p, _ := themes.Builtin("dark")
		m := New(Options{
			Session: Session{Label: "prod", Client: views.ClientOf(&viewtest.Fake{})},
			Theme:   p, ThemeFixed: true, Start: Command{Name: "topics"},
		})
		first := m.c.GroupHistory
		if first == nil {
			t.Fatal("the first session has no group history")
		}
		first.Group("shop")
		send(m, switched{name: "staging", session: Session{Label: "staging", Client: views.ClientOf(&viewtest.Fake{})}})
		if h := m.c.GroupHistory; h == nil || h == first || h.Len() != 0 {
			t.Errorf("after a switch the history is %p, the one before %p", h, first)
		}
	})
}
