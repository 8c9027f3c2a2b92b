package widget

import (
	"fmt"
	"strings"

	"charm.land/bubbles/v2/cursor"
	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"kscope/themes"
	"kscope/views/sanitize"
)

// confirmKeys are a Confirm's bindings.
type confirmKeys struct {
	Confirm, Cancel, Close key.Binding
	// Up and Down scroll an explanation longer than the box.
	Up, Down, PageUp, PageDown key.Binding
}

// Confirm guards a destructive action: the user types the target's name
// (a topic's or a group's) to go ahead. It can also only inform: of what
// will not be done and why, or of a change that failed, closing on enter
// or esc.
type Confirm struct {
	st          *themes.Styles
	title       string
	explanation string
	word        string
	// errText is shown under the explanation in the error style: why the
	// change is refused or failed.
	errText string
	// informs is set when there is nothing to confirm, only to read.
	informs  bool
	input    textinput.Model
	cursor   cursor.Model
	keys     confirmKeys
	mismatch bool
	scroll   int
	width    int
	height   int
}

// NewConfirm makes a confirmation that asks for word, or only for enter
// when word is "". title and explanation say what will happen to what;
// explanation is plain text, possibly several lines (a preview the caller
// drew, say), wrapped to the box and scrolled when longer. All three are
// shown escaped, since names come from the cluster.
func NewConfirm(st *themes.Styles, title, explanation, word string) *Confirm {
	in := textinput.New()
	in.Prompt = ""
	in.SetVirtualCursor(false)
	return &Confirm{
		st: st, title: title, explanation: explanation, word: word, input: in, cursor: cursor.New(),
		keys: confirmKeys{
			Confirm:  key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "confirm")),
			Cancel:   key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "cancel")),
			Close:    key.NewBinding(key.WithKeys("enter", "esc"), key.WithHelp("enter/esc", "close")),
			Up:       key.NewBinding(key.WithKeys("up"), key.WithHelp("↑/↓", "scroll")),
			Down:     key.NewBinding(key.WithKeys("down")),
			PageUp:   key.NewBinding(key.WithKeys("pgup")),
			PageDown: key.NewBinding(key.WithKeys("pgdown")),
		},
	}
}

// NewRefusal makes a box that only informs: explanation, then why (in
// the error style), closed with enter or esc. It is for a change that
// will not be made, so that nobody is asked to confirm it in vain.
func NewRefusal(st *themes.Styles, title, explanation, why string) *Confirm {
	d := NewConfirm(st, title, explanation, "")
	d.Fail(why)
	return d
}

// Fail turns the confirmation into a report of why the change failed or
// is refused: the explanation stays, the error follows it, and enter or
// esc closes.
func (d *Confirm) Fail(why string) {
	d.errText, d.informs = why, true
	d.input.Blur()
}

// Informs reports whether the box only informs, with nothing to confirm.
func (d *Confirm) Informs() bool { return d.informs }

// Focus focuses the input and returns the cursor's blink.
func (d *Confirm) Focus() tea.Cmd {
	if d.informs {
		return nil
	}
	d.input.Focus()
	return d.cursor.Focus()
}

// SetSize gives the dialog its whole box, border included.
func (d *Confirm) SetSize(w, h int) {
	d.width, d.height = w, h
	d.scrollBy(0)
}

// SetExplanation replaces the explanation (with what was learnt since
// the box opened, say).
func (d *Confirm) SetExplanation(explanation string) {
	d.explanation = explanation
	d.scrollBy(0)
}

// Update handles a message. done is true once the user confirmed (enter
// on exactly the word) or cancelled; for a box that only informs, done
// comes with confirmed false whichever key closed it.
func (d *Confirm) Update(msg tea.Msg) (cmd tea.Cmd, done, confirmed bool) {
	switch msg := msg.(type) {
	case tea.KeyPressMsg:
		if step, ok := d.step(msg); ok {
			d.scrollBy(step)
			return nil, false, false
		}
		switch {
		case d.informs:
			return nil, key.Matches(msg, d.keys.Close), false
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

// step is how far a scrolling key moves the explanation.
func (d *Confirm) step(msg tea.KeyPressMsg) (int, bool) {
	page := max(d.room()-1, 1)
	switch {
	case key.Matches(msg, d.keys.Up):
		return -1, true
	case key.Matches(msg, d.keys.Down):
		return 1, true
	case key.Matches(msg, d.keys.PageUp):
		return -page, true
	case key.Matches(msg, d.keys.PageDown):
		return page, true
	}
	return 0, false
}

func (d *Confirm) scrollBy(n int) {
	d.scroll = min(max(d.scroll+n, 0), max(len(d.body())-d.room(), 0))
}

// ShortHelp implements help.KeyMap.
func (d *Confirm) ShortHelp() []key.Binding {
	bs := []key.Binding{d.keys.Confirm, d.keys.Cancel}
	if d.informs {
		bs = []key.Binding{d.keys.Close}
	}
	if len(d.body()) > d.room() {
		bs = append(bs, d.keys.Up)
	}
	return bs
}

// FullHelp implements help.KeyMap.
func (d *Confirm) FullHelp() [][]key.Binding {
	return [][]key.Binding{d.ShortHelp()}
}

// inner is the width inside the border and its margins.
func (d *Confirm) inner() int { return max(d.width-4, 1) }

// body is the explanation and the error, wrapped to the box.
func (d *Confirm) body() []string {
	st := d.st
	lines := wrapText(st, d.explanation, d.inner(), st.Text)
	if d.errText != "" {
		if len(lines) > 0 {
			lines = append(lines, "")
		}
		lines = append(lines, wrapText(st, d.errText, d.inner(), st.Error)...)
	}
	return lines
}

// tail is what follows the body: the prompt and the keys.
func (d *Confirm) tail() []string {
	st := d.st
	inner := d.inner()
	if d.informs {
		return []string{"", helpLine(st, d.ShortHelp(), inner)}
	}
	if d.word == "" {
		return []string{"", "Press enter to confirm.", helpLine(st, d.ShortHelp(), inner)}
	}
	word, _ := sanitize.Styled(d.word, st.Escape)
	word = Underlay(word, st.Warn.Bold(true), 0)
	tail := []string{
		"",
		"Type " + word + " to confirm:",
		st.Prompt.Render("› ") + editLine(st, d.input.Value(), d.input.Position(), max(inner-2, 1), !d.cursor.IsBlinked),
		"",
		helpLine(st, d.ShortHelp(), inner),
	}
	if d.mismatch {
		tail[3] = Underlay("does not match: type "+word+" to confirm", st.Error, 0)
	}
	return tail
}

// tailLines is how many lines tail draws.
func (d *Confirm) tailLines() int {
	switch {
	case d.informs:
		return 2
	case d.word == "":
		return 3
	}
	return 5
}

// room is how many lines of the body the box shows at once.
func (d *Confirm) room() int { return max(d.height-2-d.tailLines(), 1) }

// View draws the dialog in exactly the size given. A body longer than
// the room scrolls; the lines out of sight are counted, never dropped.
func (d *Confirm) View() string {
	if d.width <= 0 || d.height <= 0 {
		return ""
	}
	st := d.st
	body, room := d.body(), d.room()
	var lines []string
	if len(body) > room {
		from := min(d.scroll, len(body)-room)
		lines = append(lines, body[from:from+room]...)
		if from > 0 {
			lines[0] = st.Muted.Render(fmt.Sprintf("↑ %d more above", from))
		}
		if below := len(body) - from - room; below > 0 {
			lines[room-1] = st.Muted.Render(fmt.Sprintf("↓ %d more below (↓ or pgdn)", below+1))
		}
	} else {
		lines = append(lines, body...)
	}
	for len(lines) < room {
		lines = append(lines, "")
	}
	lines = append(lines, d.tail()...)
	lines = lines[max(len(lines)-(d.height-2), 0):]
	return dialogBox(st, d.width, d.height, d.title, lines)
}

// wrapText sanitizes text and wraps each of its lines at width cells, at
// spaces where it can, drawn in style.
func wrapText(st *themes.Styles, text string, width int, style lipgloss.Style) []string {
	if text == "" {
		return nil
	}
	var out []string
	for _, l := range strings.Split(text, "\n") {
		clean, _ := sanitize.Styled(l, st.Escape)
		for _, row := range strings.Split(ansi.Wrap(clean, width, ""), "\n") {
			out = append(out, Underlay(row, style, 0))
		}
	}
	return out
}
