package widget

import (
	"strings"

	"charm.land/bubbles/v2/cursor"
	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"

	"kscope/themes"
	"kscope/views/sanitize"
)

// confirmKeys are a Confirm's bindings.
type confirmKeys struct {
	Confirm, Cancel key.Binding
}

// Confirm guards a destructive action: the user types the target's name
// (a topic's or a group's) to go ahead.
type Confirm struct {
	st          *themes.Styles
	title       string
	explanation string
	word        string
	input       textinput.Model
	cursor      cursor.Model
	keys        confirmKeys
	mismatch    bool
	width       int
	height      int
}

// NewConfirm makes a confirmation that asks for word, or only for enter
// when word is "". title and
// explanation say what will happen to what; explanation is plain text,
// possibly several lines (a preview the caller drew, say). All three are
// shown escaped, since names come from the cluster.
func NewConfirm(st *themes.Styles, title, explanation, word string) *Confirm {
	in := textinput.New()
	in.Prompt = ""
	in.SetVirtualCursor(false)
	return &Confirm{
		st: st, title: title, explanation: explanation, word: word, input: in, cursor: cursor.New(),
		keys: confirmKeys{
			Confirm: key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "confirm")),
			Cancel:  key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "cancel")),
		},
	}
}

// Focus focuses the input and returns the cursor's blink.
func (d *Confirm) Focus() tea.Cmd {
	d.input.Focus()
	return d.cursor.Focus()
}

// SetSize gives the dialog its whole box, border included.
func (d *Confirm) SetSize(w, h int) {
	d.width, d.height = w, h
}

// Update handles a message. done is true once the user confirmed (enter
// on exactly the word) or cancelled.
func (d *Confirm) Update(msg tea.Msg) (cmd tea.Cmd, done, confirmed bool) {
	switch msg := msg.(type) {
	case tea.KeyPressMsg:
		switch {
		case key.Matches(msg, d.keys.Cancel):
			return nil, true, false
		case key.Matches(msg, d.keys.Confirm):
			if d.input.Value() == d.word {
				return nil, true, true
			}
			d.mismatch = true
			return nil, false, false
		}
		before := d.input.Value()
		d.input, cmd = d.input.Update(msg)
		if d.input.Value() != before {
			d.mismatch = false
		}
		d.cursor.IsBlinked = false
		return tea.Batch(cmd, d.cursor.Blink()), false, false
	case tea.MouseMsg:
		return nil, false, false
	}
	var blink tea.Cmd
	d.cursor, blink = d.cursor.Update(msg)
	d.input, cmd = d.input.Update(msg)
	return tea.Batch(blink, cmd), false, false
}

// ShortHelp implements help.KeyMap.
func (d *Confirm) ShortHelp() []key.Binding {
	return []key.Binding{d.keys.Confirm, d.keys.Cancel}
}

// FullHelp implements help.KeyMap.
func (d *Confirm) FullHelp() [][]key.Binding {
	return [][]key.Binding{d.ShortHelp()}
}

// View draws the dialog in exactly the size given.
func (d *Confirm) View() string {
	if d.width <= 0 || d.height <= 0 {
		return ""
	}
	st := d.st
	inner := max(d.width-4, 1)
	word, _ := sanitize.Styled(d.word, st.Escape)
	word = Underlay(word, st.Warn.Bold(true), 0)

	tail := []string{
		"",
		"Type " + word + " to confirm:",
		st.Prompt.Render("› ") + editLine(st, d.input.Value(), d.input.Position(), max(inner-2, 1), !d.cursor.IsBlinked),
		"",
		helpLine(st, d.ShortHelp(), inner),
	}
	switch {
	case d.word == "":
		tail = []string{"", "Press enter to confirm.", helpLine(st, d.ShortHelp(), inner)}
	case d.mismatch:
		tail[3] = Underlay("does not match: type "+word+" to confirm", st.Error, 0)
	}
	room := max(d.height-2-len(tail), 0)
	var lines []string
	for _, l := range strings.Split(d.explanation, "\n") {
		lines = append(lines, sanitize.Line(l, inner, "…", st.Escape))
	}
	if len(lines) > room && room > 0 {
		lines = append(lines[:room-1], st.Muted.Render("…"))
	}
	lines = lines[:min(len(lines), room)]
	for len(lines) < room {
		lines = append(lines, "")
	}
	lines = append(lines, tail...)
	lines = lines[max(len(lines)-(d.height-2), 0):]
	return dialogBox(st, d.width, d.height, d.title, lines)
}
