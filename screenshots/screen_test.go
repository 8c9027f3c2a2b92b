package main

import (
	"slices"
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"
)

func TestApplySGR(t *testing.T) {
	red, green := xterm16[1], xterm16[2]
	tests := []struct {
		name  string
		start style
		sgr   string
		want  style
	}{
		{"bold and red", style{}, "\x1b[1;31m", style{fg: red, bold: true}},
		{"empty resets", style{fg: red, bold: true}, "\x1b[m", style{}},
		{"zero resets", style{fg: red, reverse: true}, "\x1b[0m", style{}},
		{"missing first parameter resets", style{bold: true}, "\x1b[;32m", style{fg: green}},
		{"background", style{}, "\x1b[42m", style{bg: green}},
		{"bright", style{}, "\x1b[91;102m", style{fg: xterm16[9], bg: xterm16[10]}},
		{"default colours", style{fg: red, bg: green}, "\x1b[39;49m", style{}},
		{"faint italic underline reverse", style{}, "\x1b[2;3;4;7m", style{faint: true, italic: true, underline: true, reverse: true}},
		{"attributes off", style{bold: true, faint: true, italic: true, underline: true, reverse: true, fg: red}, "\x1b[22;23;24;27m", style{fg: red}},
		{"curly underline", style{}, "\x1b[4:3m", style{underline: true}},
		{"underline shape none", style{underline: true}, "\x1b[4:0m", style{}},
		{"curly underline then bold", style{}, "\x1b[4:3;1m", style{underline: true, bold: true}},
		{"double underline", style{}, "\x1b[21m", style{underline: true}},
		{"256-colour cube", style{}, "\x1b[38;5;196m", style{fg: "#ff0000"}},
		{"256-colour system colour", style{}, "\x1b[38;5;4m", style{fg: xterm16[4]}},
		{"256-colour grey", style{}, "\x1b[48;5;244m", style{bg: "#808080"}},
		{"256-colour with colons", style{}, "\x1b[38:5:100m", style{fg: "#878700"}},
		{"truecolor", style{}, "\x1b[38;2;10;20;30;48;2;255;128;0m", style{fg: "#0a141e", bg: "#ff8000"}},
		{"truecolor with colour space", style{}, "\x1b[38:2::1:2:3;1m", style{fg: "#010203", bold: true}},
		{"underline colour is ignored", style{}, "\x1b[58;5;196;1m", style{bold: true}},
		{"unknown codes are ignored", style{}, "\x1b[5;53;31m", style{fg: red}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := ansi.NewParser()
			seq, _, _, _ := ansi.DecodeSequence(tt.sgr, ansi.NormalState, p)
			if seq != tt.sgr || p.Command() != 'm' {
				t.Fatalf("%q does not decode as one SGR sequence", tt.sgr)
			}
			if got := applySGR(tt.start, p.Params()); got != tt.want {
				t.Errorf("applySGR(%+v, %q) = %+v, want %+v", tt.start, tt.sgr, got, tt.want)
			}
		})
	}
}

func TestXterm256(t *testing.T) {
	for n, want := range map[uint8]string{
		0: "#000000", 1: "#cd0000", 7: "#e5e5e5", 8: "#7f7f7f", 12: "#5c5cff", 15: "#ffffff",
		16: "#000000", 21: "#0000ff", 100: "#878700", 196: "#ff0000", 231: "#ffffff",
		232: "#080808", 244: "#808080", 255: "#eeeeee",
	} {
		if got := xterm256(n); got != want {
			t.Errorf("xterm256(%d) = %s, want %s", n, got, want)
		}
	}
}

// texts returns the grid as lines of cell texts, with "·" marking the cell a
// wide grapheme covers.
func texts(grid [][]cell) []string {
	lines := make([]string, len(grid))
	for y, row := range grid {
		for _, c := range row {
			if c.width == 0 {
				lines[y] += "·"
			} else {
				lines[y] += c.text
			}
		}
	}
	return lines
}

func TestParseScreenLayout(t *testing.T) {
	tests := []struct {
		name    string
		capture string
		want    []string
	}{
		{"plain", "ab\ncd\n", []string{"ab", "cd"}},
		{"wide graphemes take two cells", "日本x\n😀y\n", []string{"日·本·x", "😀·y"}},
		{"combining mark stays in its cell", "e\u0301z\n", []string{"e\u0301z", ""}},
		{"long lines are cut", "abcdefghijkl\n", []string{"abcdefghij", ""}},
		{"a wide grapheme that does not fit is dropped", "abcdefghi日x\n", []string{"abcdefghi", ""}},
		{"extra lines are dropped", "a\nb\nc\n", []string{"a", "b"}},
		{"tabs reach the next stop", "a\tb\n", []string{"a       b", ""}},
		{"other sequences are ignored", "\x1b[?25l\x1b]8;;https://example.com\x1b\\ab\x1b]8;;\x1b\\\x0ec\x0f\n", []string{"abc", ""}},
		{"invalid UTF-8 is replaced", "a\xffb\n", []string{"a\ufffdb", ""}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := texts(parseScreen(tt.capture, 10, 2))
			for i, line := range got {
				got[i] = strings.TrimRight(line, " ")
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("parseScreen(%q) = %q, want %q", tt.capture, got, tt.want)
			}
		})
	}
}

func TestParseScreenStyles(t *testing.T) {
	red, blue := xterm16[1], xterm16[4]
	// tmux does not reset the style at the end of a line.
	grid := parseScreen("\x1b[31ma\x1b[44m日\nb\x1b[0mc\t", 10, 2)
	want := [][]style{
		{{fg: red}, {fg: red, bg: blue}, {fg: red, bg: blue}, {}},
		{{fg: red, bg: blue}, {}, {}, {}, {}, {}, {}, {}, {}, {}},
	}
	for y, row := range want {
		for x, w := range row {
			if got := grid[y][x].style; got != w {
				t.Errorf("cell %d,%d has style %+v, want %+v", x, y, got, w)
			}
		}
	}
	if w := grid[0][1].width; w != 2 {
		t.Errorf("日 has width %d, want 2", w)
	}
}

func TestStyleColors(t *testing.T) {
	tests := []struct {
		s              style
		wantFG, wantBG string
	}{
		{style{}, defaultFG, defaultBG},
		{style{fg: "#ff0000"}, "#ff0000", defaultBG},
		{style{reverse: true}, defaultBG, defaultFG},
		{style{fg: "#ff0000", bg: "#00ff00", reverse: true}, "#00ff00", "#ff0000"},
		{style{bg: "#00ff00", reverse: true}, "#00ff00", defaultFG},
	}
	for _, tt := range tests {
		if fg, bg := tt.s.colors(); fg != tt.wantFG || bg != tt.wantBG {
			t.Errorf("%+v.colors() = %s, %s, want %s, %s", tt.s, fg, bg, tt.wantFG, tt.wantBG)
		}
	}
}
