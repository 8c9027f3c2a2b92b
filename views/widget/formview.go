package widget

import (
	"strings"

	"github.com/charmbracelet/x/ansi"

	"kscope/themes"
	"kscope/views/sanitize"
)

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

// note is what is shown under a field, wrapped to width: its error, else
// its help.
func (f *Form) note(ff *formField, width int) []string {
	switch {
	case ff.err != "":
		return wrapText(f.st, ff.err, width, f.st.Error)
	case ff.Help != "":
		return wrapText(f.st, ff.Help, width, f.st.Muted)
	}
	return nil
}

// areaRows is how many rows each multiline field shows.
func (f *Form) areaRows() int {
	_, valueW := f.columns()
	fixed, areas := 0, 0
	for _, ff := range f.fields {
		if ff.Kind == FieldMultiline {
			areas++
		} else {
			fixed++
		}
		fixed += len(f.note(ff, valueW))
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
	st := f.st
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
	st := f.st
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
		for _, l := range f.note(ff, valueW) {
			lines = append(lines, indent+l)
		}
		if focused {
			from, to = start, len(lines)
		}
	}
	return lines, from, to
}

func (f *Form) fieldRows(ff *formField, width, rows int, focused bool) []string {
	st := f.st
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
	st := f.st
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
