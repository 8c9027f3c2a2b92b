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
