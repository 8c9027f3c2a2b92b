package ui

import (
	"testing"

	tea "charm.land/bubbletea/v2"
)

// memHistory is a command history kept in memory.
type memHistory struct{ lines []string }

func (h *memHistory) Lines() ([]string, error) { return h.lines, nil }
func (h *memHistory) Add(l string) error       { h.lines = append(h.lines, l); return nil }

func TestUpAndDownRecallCommands(t *testing.T) {
	inBubble(t, func(t *testing.T) {
		m := withSnapshot(t, Command{Name: "topics"})
		store := &memHistory{lines: []string{"groups", "topic logs"}}
		m.store = store
		runCmd(m, m.loadHistory(), 0)
		press(m, ":")
		typeText(m, "brokers")
		press(m, "enter")
		if got := store.lines; len(got) != 3 || got[2] != "brokers" {
			t.Fatalf("stored %q", got)
		}
		press(m, ":")
		up, down := tea.KeyPressMsg{Code: tea.KeyUp}, tea.KeyPressMsg{Code: tea.KeyDown}
		for _, want := range []string{"brokers", "topic logs", "groups", "groups"} {
			send(m, up)
			if got := m.input.Value(); got != want {
				t.Errorf("up: %q, want %q", got, want)
			}
		}
		send(m, down)
		send(m, down)
		send(m, down)
		if got := m.input.Value(); got != "" {
			t.Errorf("down past the newest: %q", got)
		}
	})
}
