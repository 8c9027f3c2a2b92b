package ui

import (
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"kscope/views"
)

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
	m.recall = len(m.history)
	return m.input.Focus()
}

// historyLoaded brings the commands of earlier runs.
type historyLoaded struct{ lines []string }

// loadHistory reads the commands of earlier runs off the event loop.
func (m *Model) loadHistory() tea.Cmd {
	store := m.store
	if store == nil {
		return nil
	}
	return func() tea.Msg {
		lines, err := store.Lines()
		if err != nil {
			return views.Notice{Text: err.Error(), Error: true}
		}
		return historyLoaded{lines}
	}
}

// remember keeps a command that ran, here and, off the event loop, in the store.
func (m *Model) remember(line string) tea.Cmd {
	if n := len(m.history); n > 0 && m.history[n-1] == line {
		return nil
	}
	m.history = append(m.history, line)
	store := m.store
	if store == nil {
		return nil
	}
	return func() tea.Msg {
		if err := store.Add(line); err != nil {
			return views.Notice{Text: err.Error(), Error: true}
		}
		return nil
	}
}

// recallCommand steps through the history: ↑ older, ↓ newer, past the
// newest back to an empty line.
func (m *Model) recallCommand(step int) {
	m.recall = min(max(m.recall+step, 0), len(m.history))
	line := ""
	if m.recall < len(m.history) {
		line = m.history[m.recall]
	}
	m.input.SetValue(line)
	m.input.CursorEnd()
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
	case m.mode == inputCommand && key.Matches(msg, m.keys.Older):
		m.recallCommand(-1)
		return nil
	case m.mode == inputCommand && key.Matches(msg, m.keys.Newer):
		m.recallCommand(1)
		return nil
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
		return tea.Batch(m.remember(value), m.run(c))
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
