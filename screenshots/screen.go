package main

import (
	"cmp"
	"fmt"
	"image/color"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/charmbracelet/x/ansi"
)

const (
	defaultFG = "#d0d0d0"
	defaultBG = "#1e1e2e"
)

// style is the look of one cell. Colours are "#rrggbb", or empty for the
// terminal's default: reverse video has to tell the two apart.
type style struct {
	fg, bg                                  string
	bold, faint, italic, underline, reverse bool
}

// colors resolves the defaults and reverse video into the colours to paint.
func (s style) colors() (fg, bg string) {
	fg, bg = cmp.Or(s.fg, defaultFG), cmp.Or(s.bg, defaultBG)
	if s.reverse {
		fg, bg = bg, fg
	}
	return fg, bg
}

// cell is one column of the screen. A wide grapheme sits in its first cell
// with width 2; the cell after it has width 0 and no text, so that column
// arithmetic stays simple.
type cell struct {
	text  string
	width int
	style style
}

// parseScreen lays the output of `tmux capture-pane -e` onto a cols×rows
// grid. Only SGR sequences matter there; anything else tmux may add (such as
// hyperlinks) is dropped. tmux carries the SGR state from one line into the
// next instead of resetting it, so the capture is decoded as one stream.
func parseScreen(capture string, cols, rows int) [][]cell {
	grid := make([][]cell, rows)
	for y := range grid {
		grid[y] = make([]cell, cols)
		for x := range grid[y] {
			grid[y][x] = cell{text: " ", width: 1}
		}
	}

	var (
		st       style
		row, col int
		state    byte
	)
	p := ansi.NewParser()
	// A stray invalid byte would make the whole SVG unreadable as XML.
	in := strings.ToValidUTF8(capture, "\uFFFD")
	for len(in) > 0 && row < rows {
		seq, width, n, next := ansi.DecodeSequence(in, state, p)
		in, state = in[n:], next
		switch {
		case seq == "\n":
			row, col = row+1, 0
		case seq == "\t":
			for stop := min((col/8+1)*8, cols); col < stop; col++ {
				grid[row][col] = cell{text: " ", width: 1, style: st}
			}
		case ansi.HasCsiPrefix(seq) && p.Command() == 'm':
			st = applySGR(st, p.Params())
		case width > 0:
			if col+width <= cols {
				grid[row][col] = cell{text: seq, width: width, style: st}
				for i := 1; i < width; i++ {
					grid[row][col+i] = cell{style: st}
				}
			}
			col += width
		case col > 0 && col <= cols && grid[row][col-1].width > 0 && isMark(seq):
			// The decoder hands out ASCII one byte at a time, so a mark
			// combining with an ASCII letter arrives on its own.
			grid[row][col-1].text += seq
		}
	}
	return grid
}

func isMark(s string) bool {
	r, _ := utf8.DecodeRuneInString(s)
	return unicode.Is(unicode.M, r)
}

// applySGR returns st changed by the parameters of one SGR sequence.
func applySGR(st style, params ansi.Params) style {
	if len(params) == 0 {
		return style{}
	}
	for i := 0; i < len(params); {
		used := 1
		switch code := params[i].Param(0); {
		case code == 0:
			st = style{}
		case code == 1:
			st.bold = true
		case code == 2:
			st.faint = true
		case code == 3:
			st.italic = true
		case code == 4:
			// 4:1 to 4:5 pick a line shape (curly, dotted, …); 4:0 means none.
			st.underline = !params[i].HasMore() || i+1 >= len(params) || params[i+1].Param(0) != 0
		case code == 7:
			st.reverse = true
		case code == 21: // double underline
			st.underline = true
		case code == 22:
			st.bold, st.faint = false, false
		case code == 23:
			st.italic = false
		case code == 24:
			st.underline = false
		case code == 27:
			st.reverse = false
		case code >= 30 && code <= 37:
			st.fg = xterm256(uint8(code - 30))
		case code == 39:
			st.fg = ""
		case code >= 40 && code <= 47:
			st.bg = xterm256(uint8(code - 40))
		case code == 49:
			st.bg = ""
		case code >= 90 && code <= 97:
			st.fg = xterm256(uint8(code - 90 + 8))
		case code >= 100 && code <= 107:
			st.bg = xterm256(uint8(code - 100 + 8))
		case code == 38, code == 48, code == 58:
			var c color.Color
			used = max(ansi.ReadStyleColor(params[i:], &c), 1)
			switch code {
			case 38:
				st.fg = hexColor(c)
			case 48:
				st.bg = hexColor(c)
			}
		}
		i += used
		// Colon-separated sub-parameters belong to the code just handled.
		for i < len(params) && params[i-1].HasMore() {
			i++
		}
	}
	return st
}

// hexColor turns a colour read from an SGR sequence into "#rrggbb"; no colour
// or a transparent one means the default.
func hexColor(c color.Color) string {
	switch c := c.(type) {
	case nil:
		return ""
	case ansi.IndexedColor:
		return xterm256(uint8(c))
	}
	r, g, b, a := c.RGBA()
	if a == 0 {
		return ""
	}
	return fmt.Sprintf("#%02x%02x%02x", r>>8, g>>8, b>>8)
}

// xterm16 is xterm's default palette for the first 16 colours.
var xterm16 = [16]string{
	"#000000", "#cd0000", "#00cd00", "#cdcd00", "#0000ee", "#cd00cd", "#00cdcd", "#e5e5e5",
	"#7f7f7f", "#ff0000", "#00ff00", "#ffff00", "#5c5cff", "#ff00ff", "#00ffff", "#ffffff",
}

// xterm256 returns the colour xterm shows for a palette index: the 16 system
// colours, then a 6×6×6 colour cube, then 24 greys.
func xterm256(n uint8) string {
	levels := [6]int{0, 95, 135, 175, 215, 255}
	switch {
	case n < 16:
		return xterm16[n]
	case n < 232:
		n -= 16
		return fmt.Sprintf("#%02x%02x%02x", levels[n/36], levels[n/6%6], levels[n%6])
	default:
		g := 8 + 10*(int(n)-232)
		return fmt.Sprintf("#%02x%02x%02x", g, g, g)
	}
}
