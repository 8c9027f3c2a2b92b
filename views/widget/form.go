package widget

import (
	"strings"

	"charm.land/bubbles/v2/cursor"
	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"

	"kscope/themes"
)

// formKeys are a Form's bindings; the footer and help are made from them.
type formKeys struct {
	Next, Prev, Down, Up, Enter key.Binding
	Change, ChangeBack          key.Binding
	Submit, Cancel              key.Binding
}

func newFormKeys(submitLabel string) formKeys {
	return formKeys{
		Next:       key.NewBinding(key.WithKeys("tab"), key.WithHelp("tab", "next field")),
		Prev:       key.NewBinding(key.WithKeys("shift+tab"), key.WithHelp("shift+tab", "previous field")),
		Down:       key.NewBinding(key.WithKeys("down"), key.WithHelp("↓", "next field")),
		Up:         key.NewBinding(key.WithKeys("up"), key.WithHelp("↑", "previous field")),
		Enter:      key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "next field or "+submitLabel)),
		Change:     key.NewBinding(key.WithKeys("right", "space"), key.WithHelp("←/→", "change")),
		ChangeBack: key.NewBinding(key.WithKeys("left")),
		Submit:     key.NewBinding(key.WithKeys("ctrl+s"), key.WithHelp("ctrl+s", submitLabel)),
		Cancel:     key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "cancel")),
	}
}

// Form is a dialog of fields for the actions that change the cluster.
// It returns what was typed as is: the caller parses and validates it and
// reports back with SetError and SetFormError.
type Form struct {
	st      *themes.Styles
	title   string
	fields  []*formField
	focus   int
	keys    formKeys
	cursor  cursor.Model
	formErr string
	// extra are the keys the form's owner answers, shown in its footer.
	extra []key.Binding
	// enterSubmits makes enter submit from any field.
	enterSubmits bool
	width        int
	height       int
}

// NewForm makes a form; submitLabel names the action in the footer ("create").
func NewForm(st *themes.Styles, title string, fields []Field, submitLabel string) *Form {
	f := &Form{st: st, title: title, keys: newFormKeys(submitLabel), cursor: cursor.New()}
	for _, fd := range fields {
		ff := &formField{Field: fd}
		switch fd.Kind {
		case FieldText, FieldNumber:
			ff.input = textinput.New()
			ff.input.Prompt = ""
			// The form draws fields itself, sanitized, and its own cursor.
			ff.input.SetVirtualCursor(false)
		case FieldMultiline:
			ff.area = newFormArea()
		}
		ff.set(fd.Value)
		f.fields = append(f.fields, ff)
	}
	return f
}

// SetSize gives the form its whole box, border included.
func (f *Form) SetSize(w, h int) {
	f.width, f.height = w, h
	_, valueW := f.columns()
	rows := f.areaRows()
	for _, ff := range f.fields {
		if ff.Kind == FieldMultiline {
			ff.area.SetWidth(max(valueW-2, 1))
			ff.area.SetHeight(rows)
			ff.follow(rows)
		}
	}
}

// Focus focuses the first field and returns the cursor's blink.
func (f *Form) Focus() tea.Cmd {
	return f.focusField(0)
}

func (f *Form) focusField(i int) tea.Cmd {
	if len(f.fields) == 0 {
		return nil
	}
	switch old := f.fields[f.focus]; old.Kind {
	case FieldText, FieldNumber:
		old.input.Blur()
	case FieldMultiline:
		old.area.Blur()
	}
	f.focus = i
	ff := f.fields[i]
	switch ff.Kind {
	case FieldText, FieldNumber:
		ff.input.Focus()
	case FieldMultiline:
		ff.area.Focus()
	default:
		f.cursor.Blur()
		return nil
	}
	return f.cursor.Focus()
}

func (f *Form) move(step int) tea.Cmd {
	n := len(f.fields)
	return f.focusField((f.focus + step + n) % n)
}

// Update handles a message. done is true once the user submitted
// (submitted true) or cancelled.
func (f *Form) Update(msg tea.Msg) (cmd tea.Cmd, done, submitted bool) {
	switch msg := msg.(type) {
	case tea.KeyPressMsg:
		return f.updateKey(msg)
	case tea.MouseMsg:
		return nil, false, false
	}
	// Blinks, pastes and the clipboard's answers.
	var blink tea.Cmd
	f.cursor, blink = f.cursor.Update(msg)
	return tea.Batch(blink, f.edit(msg)), false, false
}

func (f *Form) updateKey(km tea.KeyPressMsg) (tea.Cmd, bool, bool) {
	k := &f.keys
	switch {
	case key.Matches(km, k.Submit):
		return f.submit()
	case key.Matches(km, k.Cancel):
		return nil, true, false
	case len(f.fields) == 0:
		return nil, false, false
	case key.Matches(km, k.Next):
		return f.move(1), false, false
	case key.Matches(km, k.Prev):
		return f.move(-1), false, false
	}
	ff := f.fields[f.focus]
	if ff.Kind == FieldMultiline {
		return f.edit(km), false, false
	}
	switch {
	case key.Matches(km, k.Down):
		return f.move(1), false, false
	case key.Matches(km, k.Up):
		return f.move(-1), false, false
	case key.Matches(km, k.Enter):
		if f.focus == len(f.fields)-1 || f.enterSubmits {
			return f.submit()
		}
		return f.move(1), false, false
	// Only choices change with space and the arrows: in a text field they
	// are a space and cursor moves ("has space" must not become hasspace).
	case !ff.editsText() && key.Matches(km, k.Change):
		ff.change(1)
		return nil, false, false
	case !ff.editsText() && key.Matches(km, k.ChangeBack):
		ff.change(-1)
		return nil, false, false
	}
	return f.edit(km), false, false
}

// edit passes msg to the focused field's editor.
func (f *Form) edit(msg tea.Msg) tea.Cmd {
	if len(f.fields) == 0 || !f.fields[f.focus].editsText() {
		return nil
	}
	ff := f.fields[f.focus]
	before := ff.value()
	var cmd tea.Cmd
	if ff.Kind == FieldMultiline {
		ff.area, cmd = ff.area.Update(msg)
		ff.follow(f.areaRows())
	} else {
		pos := ff.input.Position()
		ff.input, cmd = ff.input.Update(msg)
		// Checked after the edit rather than per key so that pastes are
		// held to it too; a value that was no number to begin with may be
		// edited freely until it is one.
		if ff.Kind == FieldNumber && numeric(before) && !numeric(ff.input.Value()) {
			ff.input.SetValue(before)
			ff.input.SetCursor(pos)
		}
	}
	if ff.value() != before {
		ff.err = ""
	}
	if _, ok := msg.(tea.KeyPressMsg); ok {
		// A cursor that blinks out while the user types is hard to follow.
		f.cursor.IsBlinked = false
		cmd = tea.Batch(cmd, f.cursor.Blink())
	}
	return cmd
}

func numeric(s string) bool {
	s = strings.TrimPrefix(s, "-")
	return strings.IndexFunc(s, func(r rune) bool { return r < '0' || r > '9' }) < 0
}

func (f *Form) submit() (tea.Cmd, bool, bool) {
	blank := -1
	for i, ff := range f.fields {
		if ff.Required && strings.TrimSpace(ff.value()) == "" {
			ff.err = "required"
			if blank < 0 {
				blank = i
			}
		}
	}
	if blank >= 0 {
		return f.focusField(blank), false, false
	}
	f.formErr = ""
	return nil, true, true
}

// Values returns every field's value by name, as typed.
func (f *Form) Values() map[string]string {
	out := make(map[string]string, len(f.fields))
	for _, ff := range f.fields {
		out[ff.Name] = ff.value()
	}
	return out
}

// Value returns the value of the field called name, "" if there is none.
func (f *Form) Value(name string) string {
	if ff := f.field(name); ff != nil {
		return ff.value()
	}
	return ""
}

func (f *Form) field(name string) *formField {
	for _, ff := range f.fields {
		if ff.Name == name {
			return ff
		}
	}
	return nil
}

// SetValue replaces the value of the field called name (with what an
// editor returned, say) and clears its error.
func (f *Form) SetValue(name, value string) {
	if ff := f.field(name); ff != nil {
		ff.set(value)
		if ff.Kind == FieldMultiline {
			ff.follow(f.areaRows())
		}
	}
}

// SetError shows msg under the field called name until the field is
// edited; "" clears it. An error for a name the form has no field for is
// shown as the form's error, so that it is not lost.
func (f *Form) SetError(name, msg string) {
	if ff := f.field(name); ff != nil {
		ff.err = msg
	} else if msg != "" {
		f.formErr = name + ": " + msg
	}
}

// SetFormError shows msg (the broker's answer, say) above the footer until
// the next submission; "" clears it.
func (f *Form) SetFormError(msg string) {
	f.formErr = msg
}

// ShortHelp implements help.KeyMap.
func (f *Form) ShortHelp() []key.Binding {
	k := &f.keys
	bs := []key.Binding{k.Submit, k.Cancel, k.Next}
	if f.enterSubmits {
		bs[0] = k.Enter
	}
	if len(f.fields) > 0 {
		if kind := f.fields[f.focus].Kind; kind == FieldChoice || kind == FieldBool {
			bs = append(bs, k.Change)
		}
	}
	return append(bs, f.extra...)
}

// EnterSubmits makes enter submit the form from any field, rather than
// move to the next, for a short form whose first answer may be enough.
func (f *Form) EnterSubmits() {
	f.enterSubmits = true
	f.keys.Enter.SetHelp("enter", f.keys.Submit.Help().Desc)
}

// ShowKeys adds bindings the form's owner answers to its footer and help.
func (f *Form) ShowKeys(bs ...key.Binding) { f.extra = append(f.extra, bs...) }

// FullHelp implements help.KeyMap.
func (f *Form) FullHelp() [][]key.Binding {
	k := &f.keys
	return [][]key.Binding{{k.Next, k.Prev, k.Down, k.Up, k.Enter}, append([]key.Binding{k.Change, k.Submit, k.Cancel}, f.extra...)}
}
