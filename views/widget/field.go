package widget

import (
	"slices"
	"strconv"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textarea"
	"charm.land/bubbles/v2/textinput"
)

// FieldKind is how a field is edited.
type FieldKind int

const (
	// FieldText is one line of free text.
	FieldText FieldKind = iota
	// FieldNumber takes digits and an optional leading '-'.
	FieldNumber
	// FieldChoice is one of Choices, cycled with ←/→ or space.
	FieldChoice
	// FieldMultiline is text over several lines: enter adds a line,
	// ↑/↓ move inside the text, and tab or ctrl+s leaves.
	FieldMultiline
	// FieldBool is "true" or "false", toggled with ←/→ or space.
	FieldBool
)

// Field describes one field of a Form.
type Field struct {
	// Name is the key Values, Value and SetError know the field by.
	Name  string
	Label string
	Kind  FieldKind
	// Value is the initial value. A FieldChoice value missing from Choices
	// is offered as the first choice.
	Value   string
	Choices []string
	// Help is a muted hint shown under the field.
	Help string
	// Required fields left blank block submission.
	Required bool
}

// Areas of multiline fields share the rows the other fields leave, within these bounds.
const (
	minAreaRows = 3
	maxAreaRows = 12
)

type formField struct {
	Field
	input  textinput.Model // FieldText, FieldNumber
	area   textarea.Model  // FieldMultiline
	choice int             // FieldChoice: index into Choices
	on     bool            // FieldBool
	err    string
	top    int // FieldMultiline: the first line in sight
}

func newFormArea() textarea.Model {
	a := textarea.New()
	a.Prompt = ""
	a.ShowLineNumbers = false
	a.MaxHeight = 0
	a.SetVirtualCursor(false)
	// The form draws no selection, so keys must not make an invisible one
	// that the next keystroke would replace.
	km := &a.KeyMap
	for _, b := range []*key.Binding{
		&km.SelectCharacterForward, &km.SelectCharacterBackward, &km.SelectWordForward,
		&km.SelectWordBackward, &km.SelectLineUp, &km.SelectLineDown, &km.SelectAll, &km.CopySelection,
	} {
		b.SetEnabled(false)
	}
	return a
}

// set replaces the field's value, the cursor at its end.
func (ff *formField) set(v string) {
	switch ff.Kind {
	case FieldText, FieldNumber:
		ff.input.SetValue(v)
		ff.input.CursorEnd()
	case FieldMultiline:
		ff.area.SetValue(v)
		ff.top = 0
	case FieldChoice:
		ff.choice = slices.Index(ff.Choices, v)
		if ff.choice < 0 && v != "" {
			// A current value the caller did not list (set by another
			// tool, say) must not be replaced unseen by the first choice.
			ff.Choices = append([]string{v}, ff.Choices...)
		}
		ff.choice = max(ff.choice, 0)
	case FieldBool:
		ff.on, _ = strconv.ParseBool(v)
	}
	ff.err = ""
}

func (ff *formField) value() string {
	switch ff.Kind {
	case FieldChoice:
		if len(ff.Choices) == 0 {
			return ""
		}
		return ff.Choices[ff.choice]
	case FieldBool:
		return strconv.FormatBool(ff.on)
	case FieldMultiline:
		return ff.area.Value()
	}
	return ff.input.Value()
}

func (ff *formField) editsText() bool {
	return ff.Kind == FieldText || ff.Kind == FieldNumber || ff.Kind == FieldMultiline
}

// change steps a choice or flips a flag.
func (ff *formField) change(step int) {
	switch ff.Kind {
	case FieldChoice:
		if n := len(ff.Choices); n > 0 {
			ff.choice = (ff.choice + step + n) % n
		}
	case FieldBool:
		ff.on = !ff.on
	}
	ff.err = ""
}

// follow keeps the cursor's line of a multiline field among the rows shown.
func (ff *formField) follow(rows int) {
	line := ff.area.Line()
	ff.top = min(ff.top, line)
	if line >= ff.top+rows {
		ff.top = line - rows + 1
	}
}
