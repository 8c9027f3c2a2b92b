package views

import (
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"charm.land/bubbles/v2/cursor"
	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textarea"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"kscope/themes"
	"kscope/views/sanitize"
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
	c       *Common
	title   string
	fields  []*formField
	focus   int
	keys    formKeys
	cursor  cursor.Model
	formErr string
	// extra are the keys the form's owner answers, shown in its footer.
	extra  []key.Binding
	width  int
	height int
}

type formField struct {
	Field
	input  textinput.Model // FieldText, FieldNumber
	area   textarea.Model  // FieldMultiline
	choice int             // FieldChoice: index into Choices
	on     bool            // FieldBool
	err    string
	top    int // FieldMultiline: the first line in sight
}

// NewForm makes a form; submitLabel names the action in the footer ("create").
func NewForm(c *Common, title string, fields []Field, submitLabel string) *Form {
	f := &Form{c: c, title: title, keys: newFormKeys(submitLabel), cursor: cursor.New()}
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
		if f.focus == len(f.fields)-1 {
			return f.submit()
		}
		return f.move(1), false, false
	case key.Matches(km, k.Change):
		ff.change(1)
		return nil, false, false
	case key.Matches(km, k.ChangeBack):
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
	if len(f.fields) > 0 {
		if kind := f.fields[f.focus].Kind; kind == FieldChoice || kind == FieldBool {
			bs = append(bs, k.Change)
		}
	}
	return append(bs, f.extra...)
}

// ShowKeys adds bindings the form's owner answers to its footer and help.
func (f *Form) ShowKeys(bs ...key.Binding) { f.extra = append(f.extra, bs...) }

// FullHelp implements help.KeyMap.
func (f *Form) FullHelp() [][]key.Binding {
	k := &f.keys
	return [][]key.Binding{{k.Next, k.Prev, k.Down, k.Up, k.Enter}, append([]key.Binding{k.Change, k.Submit, k.Cancel}, f.extra...)}
}

// columns splits the inside of the box into labels and values.
func (f *Form) columns() (labelW, valueW int) {
	inner := max(f.width-4, 1)
	for _, ff := range f.fields {
		_, w := sanitize.Plain(f.labelText(ff))
		labelW = max(labelW, w)
	}
	labelW = min(labelW, inner/3)
	return labelW, max(inner-labelW-4, 1)
}

func (f *Form) labelText(ff *formField) string {
	if ff.Required {
		return ff.Label + " *"
	}
	return ff.Label
}

// areaRows is how many rows each multiline field shows.
func (f *Form) areaRows() int {
	fixed, areas := 0, 0
	for _, ff := range f.fields {
		if ff.Kind == FieldMultiline {
			areas++
		} else {
			fixed++
		}
		if ff.Help != "" || ff.err != "" {
			fixed++
		}
	}
	if areas == 0 {
		return minAreaRows
	}
	// Border, a blank line above the fields and one below them, footer.
	free := f.height - 5 - fixed
	return min(max(free/areas, minAreaRows), maxAreaRows)
}

// View draws the form in exactly the size given.
func (f *Form) View() string {
	if f.width <= 0 || f.height <= 0 {
		return ""
	}
	st := f.c.Styles
	inner := max(f.width-4, 1)
	body, from, to := f.body()

	// The form's error may take three lines, but not the focused field's last.
	tail := errorLines(st, f.formErr, inner, min(3, max(f.height-5, 1)))
	tail = append(tail, helpLine(st, f.ShortHelp(), inner))
	room := max(f.height-2-len(tail)-1, 0)
	lines := make([]string, 0, f.height)
	if len(body) < room {
		lines = append(lines, "")
	}
	lines = append(lines, window(body, from, to, room)...)
	for len(lines) < f.height-2-len(tail) {
		lines = append(lines, "")
	}
	lines = append(lines, tail...)
	// Too short for everything: the footer and the form's error stay.
	lines = lines[max(len(lines)-(f.height-2), 0):]
	return dialogBox(st, f.width, f.height, f.title, lines)
}

// body draws the fields; from and to bound the focused one's lines.
func (f *Form) body() (lines []string, from, to int) {
	st := f.c.Styles
	labelW, valueW := f.columns()
	indent := strings.Repeat(" ", labelW+4)
	rows := f.areaRows()
	for i, ff := range f.fields {
		focused := i == f.focus
		start := len(lines)
		marker, labelStyle := "  ", st.Text
		if focused {
			marker, labelStyle = st.Accent.Render("› "), st.Accent
		}
		label := Underlay(sanitize.Line(f.labelText(ff), labelW, "…", st.Escape), labelStyle, labelW)
		for j, r := range f.fieldRows(ff, valueW, rows, focused) {
			if j == 0 {
				lines = append(lines, marker+label+"  "+r)
			} else {
				lines = append(lines, indent+r)
			}
		}
		switch {
		case ff.err != "":
			lines = append(lines, indent+Underlay(sanitize.Line(ff.err, valueW, "…", st.Escape), st.Error, 0))
		case ff.Help != "":
			lines = append(lines, indent+Underlay(sanitize.Line(ff.Help, valueW, "…", st.Escape), st.Muted, 0))
		}
		if focused {
			from, to = start, len(lines)
		}
	}
	return lines, from, to
}

func (f *Form) fieldRows(ff *formField, width, rows int, focused bool) []string {
	st := f.c.Styles
	showCursor := focused && !f.cursor.IsBlinked
	switch ff.Kind {
	case FieldChoice:
		mark := st.Muted
		if focused {
			mark = st.Accent
		}
		if len(ff.Choices) == 0 {
			return []string{st.Muted.Render("(no choices)")}
		}
		choice := sanitize.Line(ff.Choices[ff.choice], max(width-4, 1), "…", st.Escape)
		return []string{mark.Render("◂ ") + choice + mark.Render(" ▸")}
	case FieldBool:
		box := "[ ]"
		if ff.on {
			box = "[x]"
		}
		if focused {
			box = st.Accent.Render(box)
		}
		return []string{box}
	case FieldMultiline:
		gutter := st.Border.Render("┃ ")
		out := f.areaLines(ff, max(width-2, 1), rows, focused, showCursor)
		for i := range out {
			out[i] = gutter + out[i]
		}
		return out
	}
	if focused {
		return []string{editLine(st, ff.input.Value(), ff.input.Position(), width, showCursor)}
	}
	return []string{sanitize.Line(ff.input.Value(), width, "…", st.Escape)}
}

// areaLines draws rows rows of a multiline field from its top line,
// wrapped at width, with the cursor in sight when focused.
func (f *Form) areaLines(ff *formField, width, rows int, focused, showCursor bool) []string {
	st := f.c.Styles
	lines := strings.Split(ff.area.Value(), "\n")
	line, col := -1, -1
	if focused {
		line, col = ff.area.Line(), ff.area.Column()
	}
	var out []string
	at := -1 // the row the cursor is on
	for i := min(ff.top, len(lines)-1); i < len(lines); i++ {
		c := -1
		if i == line {
			c = col
		}
		ps, cur := pieces(st, lines[i], c, showCursor)
		wrapped, r := wrapPieces(ps, cur, width)
		if r >= 0 {
			at = len(out) + r
		}
		out = append(out, wrapped...)
		if len(out) >= rows && i >= line {
			break
		}
	}
	// Lines that wrap can push the cursor below the rows shown.
	if at >= rows {
		out = out[at-rows+1:]
	}
	out = out[:min(len(out), rows)]
	for len(out) < rows {
		out = append(out, "")
	}
	return out
}

// piece is one grapheme cluster as drawn: sanitized, perhaps under the cursor.
type piece struct {
	text string
	w    int
}

// pieces cuts s into drawn grapheme clusters and says which one the
// cursor, at rune col, is on; a cursor past the end gets a blank of its
// own. col -1 is no cursor.
func pieces(st *themes.Styles, s string, col int, showCursor bool) ([]piece, int) {
	ps := make([]piece, 0, len(s)+1)
	cur, r := -1, 0
	for s != "" {
		cl, _ := ansi.FirstGraphemeCluster(s, ansi.GraphemeWidth)
		if cl == "" {
			cl = s[:1]
		}
		s = s[len(cl):]
		n := utf8.RuneCountInString(cl)
		if col >= r && col < r+n {
			cur = len(ps)
			ps = append(ps, cursorPiece(st, cl, showCursor))
		} else {
			text, w := sanitize.Styled(cl, st.Escape)
			ps = append(ps, piece{text, w})
		}
		r += n
	}
	if col >= r {
		cur = len(ps)
		ps = append(ps, cursorPiece(st, " ", showCursor))
	}
	return ps, cur
}

func cursorPiece(st *themes.Styles, cl string, show bool) piece {
	if !show {
		text, w := sanitize.Styled(cl, st.Escape)
		return piece{text, w}
	}
	text, w := sanitize.Plain(cl)
	return piece{st.Text.Reverse(true).Render(text), w}
}

// wrapPieces breaks pieces into rows of at most width cells and says which
// row the cursor piece is on (-1 if none).
func wrapPieces(ps []piece, cur, width int) ([]string, int) {
	var rows []string
	var b strings.Builder
	used, at := 0, -1
	for i, p := range ps {
		if used > 0 && used+p.w > width {
			rows = append(rows, b.String())
			b.Reset()
			used = 0
		}
		if i == cur {
			at = len(rows)
		}
		b.WriteString(p.text)
		used += p.w
	}
	return append(rows, b.String()), at
}

// editLine draws a one-line value with its cursor in at most width cells,
// scrolled so the cursor is in sight; "…" marks text cut off either side.
func editLine(st *themes.Styles, value string, pos, width int, showCursor bool) string {
	ps, cur := pieces(st, value, pos, showCursor)
	total := 0
	for _, p := range ps {
		total += p.w
	}
	lo, hi := 0, len(ps)
	if total > width {
		lo, hi = cur, cur+1
		used := ps[cur].w
		ellipsis := func(hidden bool) int {
			if hidden {
				return 1
			}
			return 0
		}
		// Text before the cursor first, so typing at the end shows what was typed.
		for lo > 0 && used+ps[lo-1].w+ellipsis(lo > 1)+ellipsis(hi < len(ps)) <= width {
			lo--
			used += ps[lo].w
		}
		for hi < len(ps) && used+ps[hi].w+ellipsis(lo > 0)+ellipsis(hi+1 < len(ps)) <= width {
			used += ps[hi].w
			hi++
		}
	}
	var b strings.Builder
	if lo > 0 {
		b.WriteString(st.Muted.Render("…"))
	}
	for _, p := range ps[lo:hi] {
		b.WriteString(p.text)
	}
	if hi < len(ps) {
		b.WriteString(st.Muted.Render("…"))
	}
	// Only a cursor on an escape wider than the field is still too wide.
	return ansi.Truncate(b.String(), width, "")
}

// window picks at most room lines, keeping lines[from:to] in sight.
func window(lines []string, from, to, room int) []string {
	if len(lines) <= room {
		return lines
	}
	start := min(max(to-room, 0), from)
	return lines[start:min(start+room, len(lines))]
}

// errorLines wraps an error (which may quote the broker) into at most
// most lines of width cells.
func errorLines(st *themes.Styles, msg string, width, most int) []string {
	if msg == "" {
		return nil
	}
	var out []string
	for _, l := range strings.Split(msg, "\n") {
		clean, _ := sanitize.Plain(l)
		out = append(out, strings.Split(ansi.Wrap(clean, width, ""), "\n")...)
	}
	if len(out) > most {
		out = out[:most]
		out[most-1] = ansi.Truncate(out[most-1], width-1, "") + "…"
	}
	for i, l := range out {
		out[i] = st.Error.Render(l)
	}
	return out
}

// helpLine is a footer made from bindings: "ctrl+s create · esc cancel".
func helpLine(st *themes.Styles, bindings []key.Binding, width int) string {
	parts := make([]string, 0, len(bindings))
	for _, b := range bindings {
		if h := b.Help(); b.Enabled() && h.Key != "" {
			parts = append(parts, st.HelpKey.Render(h.Key)+" "+st.HelpDesc.Render(h.Desc))
		}
	}
	return ansi.Truncate(strings.Join(parts, st.HelpSep.Render(" · ")), width, "…")
}

// dialogBox draws lines inside a rounded border of exactly w×h cells, the
// title set in the top edge.
func dialogBox(st *themes.Styles, w, h int, title string, lines []string) string {
	if w < 5 || h < 2 {
		blank := strings.Repeat(" ", max(w, 0))
		return strings.TrimSuffix(strings.Repeat(blank+"\n", max(h, 0)), "\n")
	}
	b := lipgloss.RoundedBorder()
	edge := st.Border.Render
	inner := w - 4
	out := make([]string, 0, h)

	top := edge(b.TopLeft + strings.Repeat(b.Top, w-2) + b.TopRight)
	if t := sanitize.Line(title, w-6, "…", st.Escape); t != "" {
		t = Underlay(t, st.Title, 0)
		tw := ansi.StringWidth(t)
		top = edge(b.TopLeft+b.Top+" ") + t + edge(" "+strings.Repeat(b.Top, w-5-tw)+b.TopRight)
	}
	out = append(out, top)
	for i := range h - 2 {
		line := ""
		if i < len(lines) {
			line = lines[i]
		}
		out = append(out, edge(b.Left)+" "+fit(line, inner, false)+" "+edge(b.Right))
	}
	out = append(out, edge(b.BottomLeft+strings.Repeat(b.Bottom, w-2)+b.BottomRight))
	return strings.Join(out, "\n")
}

// confirmKeys are a Confirm's bindings.
type confirmKeys struct {
	Confirm, Cancel key.Binding
}

// Confirm guards a destructive action: the user types the target's name
// (a topic's or a group's) to go ahead.
type Confirm struct {
	c           *Common
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
func NewConfirm(c *Common, title, explanation, word string) *Confirm {
	in := textinput.New()
	in.Prompt = ""
	in.SetVirtualCursor(false)
	return &Confirm{
		c: c, title: title, explanation: explanation, word: word, input: in, cursor: cursor.New(),
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
	st := d.c.Styles
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
