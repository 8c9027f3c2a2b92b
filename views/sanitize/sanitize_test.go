package sanitize

import (
	"math"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"
)

var plainTests = []struct {
	name, in, want string
	width          int
}{
	{"empty", "", "", 0},
	{"ascii", "orders-v2", "orders-v2", 9},
	{"backslash is text", `C:\x1b`, `C:\x1b`, 6},
	{"OSC title", "\x1b]0;title\x07", `\x1b]0;title\x07`, 16},
	{"clear screen", "\x1b[2J", `\x1b[2J`, 7},
	{"cursor home", "\x1b[H", `\x1b[H`, 6},
	{"bell", "ding\a", `ding\x07`, 8},
	{"CR LF TAB", "a\r\nb\tc", `a\r\nb\tc`, 9},
	{"NUL", "a\x00b", `a\x00b`, 6},
	{"DEL", "a\x7f", `a\x7f`, 5},
	{"C1 CSI", "\u009b2J", `\u009b2J`, 8},
	{"C1 NEL", "a\u0085b", `a\u0085b`, 8},
	{"invalid bytes", "\xff\xfe", `\xff\xfe`, 8},
	{"truncated sequence", "日\xe6\x97", `日\xe6\x97`, 10},
	{"truncated sequence before ascii", "\xe6\x97x", `\xe6\x97x`, 9},
	{"surrogate half", "\xed\xa0\x80", `\xed\xa0\x80`, 12},
	{"replacement char is text", "\ufffd", "\ufffd", 1},
	{"RLO", "\u202eevil", `\u202eevil`, 10},
	{"LRI PDI", "\u2066x\u2069", `\u2066x\u2069`, 13},
	{"ALM", "\u061c", `\u061c`, 6},
	{"LRM RLM", "\u200e\u200f", `\u200e\u200f`, 12},
	{"line separator", "a\u2028b", `a\u2028b`, 8},
	{"paragraph separator", "a\u2029b", `a\u2029b`, 8},
	{"zero width space", "a\u200bb", `a\u200bb`, 8},
	{"zero width non-joiner", "a\u200cb", `a\u200cb`, 8},
	{"BOM", "\ufeff{}", `\ufeff{}`, 8},
	{"word joiner", "a\u2060b", `a\u2060b`, 8},
	{"invisible plus", "a\u2064b", `a\u2064b`, 8},
	{"soft hyphen", "a\u00adb", `a\u00adb`, 8},
	{"hangul filler", "\u3164", `\u3164`, 6},
	{"noncharacter", "\ufffe\uffff", `\ufffe\uffff`, 12},
	{"plane 1 noncharacter", "\U0001fffe", `\U0001fffe`, 10},
	{"number sign", "\u0600\u0661\u0662", `\u0600١٢`, 8},
	// Terminals disagree on the width of these clusters: shown whole they
	// would move every column after them in some, so their joining parts
	// are escapes.
	{"emoji with skin tone", "👍🏽", `👍\U0001f3fd`, 12},
	{"ZWJ family", "👨\u200d👩\u200d👧", `👨\u200d👩\u200d👧`, 18},
	{"heart with emoji selector", "❤️", `❤\ufe0f`, 7},
	{"sun with emoji selector", "x☀️y", `x☀\ufe0fy`, 9},
	{"keycap", "1️⃣", `1\ufe0f\u20e3`, 13},
	{"rainbow flag", "🏳️\u200d🌈", `🏳\ufe0f\u200d🌈`, 15},
	{"emoji selector on a wide emoji", "⌚️", "⌚️", 2},
	{"text selector", "❤︎", "❤︎", 1},
	{"selector after a mark", "e\u0301\ufe0f", `e` + "\u0301" + `\ufe0f`, 7},
	{"flag", "🇯🇵", "🇯🇵", 2},
	{"lone regional indicator", "🇯", `\U0001f1ef`, 10},
	{"flag and a lone regional indicator", "🇯🇵🇯", `🇯🇵\U0001f1ef`, 12},
	{"subdivision flag", "🏴\U000e0067\U000e0062\U000e0065\U000e006e\U000e0067\U000e007f", "🏴\U000e0067\U000e0062\U000e0065\U000e006e\U000e0067\U000e007f", 2},
	{"tags hiding text", "ok\U000e0068\U000e0069", `ok\U000e0068\U000e0069`, 22},
	{"tags after cancel tag", "🏴\U000e007f\U000e0068", `🏴` + "\U000e007f" + `\U000e0068`, 12},
	{"CJK", "日本語", "日本語", 6},
	{"combining mark", "e\u0301", "e\u0301", 1},
	{"combining mark at start", "\u0301abc", `\u0301abc`, 9},
	{"combining marks at start", "\u0301\u0302a", `\u0301\u0302a`, 13},
	{"combining mark after escape", "\x1b\u0301", `\x1b\u0301`, 10},
	{"variation selector after escape", "\a\ufe0f", `\x07\ufe0f`, 10},
	{"ZWJ at start", "\u200d👍", `\u200d👍`, 8},
	{"skin tone at start", "🏽", `\U0001f3fd`, 10},
	{"spacing mark at start", "\u0903", `\u0903`, 6},
	{"prepend with base", "\u0d4eക", "\u0d4eക", 1},
	{"prepend at end", "ക\u0d4e", `ക\u0d4e`, 7},
	{"prepend before escape", "\u0d4e\u0d4e\x1b", `\u0d4e\u0d4e\x1b`, 16},
}

func TestPlain(t *testing.T) {
	for _, tt := range plainTests {
		t.Run(tt.name, func(t *testing.T) {
			got, w := Plain(tt.in)
			if got != tt.want || w != tt.width {
				t.Errorf("Plain(%q) = %q, %d; want %q, %d", tt.in, got, w, tt.want, tt.width)
			}
			if sw := ansi.StringWidth(got); sw != w {
				t.Errorf("Plain(%q) width %d, ansi.StringWidth %d", tt.in, w, sw)
			}
		})
	}
}

func TestCleanInputDoesNotAllocate(t *testing.T) {
	for _, in := range []string{strings.Repeat("k", 100), "日本語 👍 e\u0301 🇯🇵 ⌚️ ❤︎"} {
		if n := testing.AllocsPerRun(100, func() { Plain(in) }); n != 0 {
			t.Errorf("Plain(%q): %v allocations", in, n)
		}
		if n := testing.AllocsPerRun(100, func() { Line(in, 200, "…", lipgloss.NewStyle()) }); n != 0 {
			t.Errorf("Line(%q): %v allocations", in, n)
		}
	}
}

func TestStyled(t *testing.T) {
	style := lipgloss.NewStyle().Reverse(true).Foreground(lipgloss.Color("#ff0000"))
	on, off := SGR(style)
	if on == "" || off == "" {
		t.Fatalf("SGR(%v) = %q, %q", style, on, off)
	}
	for _, tt := range plainTests {
		got, w := Styled(tt.in, style)
		if w != tt.width {
			t.Errorf("Styled(%q) width %d, want %d", tt.in, w, tt.width)
		}
		if sw := ansi.StringWidth(got); sw != w {
			t.Errorf("Styled(%q) = %q: width %d, ansi.StringWidth %d", tt.in, got, w, sw)
		}
		if s := ansi.Strip(got); s != tt.want {
			t.Errorf("Styled(%q) without styling = %q, want %q", tt.in, s, tt.want)
		}
		if tt.in != tt.want && !strings.Contains(got, on) {
			t.Errorf("Styled(%q) = %q: escapes not styled with %q", tt.in, got, on)
		}
	}

	got, _ := Styled("a\x1b[2J\xff\xfeb", style)
	want := "a" + on + `\x1b` + off + "[2J" + on + `\xff\xfe` + off + "b"
	if got != want {
		t.Errorf("Styled = %q, want %q", got, want)
	}
}

func TestStyledIgnoresLayout(t *testing.T) {
	style := lipgloss.NewStyle().Faint(true).Padding(1, 2).Margin(1).Width(20).
		Border(lipgloss.NormalBorder()).Transform(strings.ToUpper)
	got, w := Styled("\x1bx", style)
	if w != 5 || ansi.StringWidth(got) != 5 || ansi.Strip(got) != `\x1bx` || strings.Contains(got, "\n") {
		t.Errorf("Styled = %q, %d; want \\x1bx in 5 cells", got, w)
	}
}

func TestLine(t *testing.T) {
	plain := lipgloss.NewStyle()
	tests := []struct {
		in    string
		width int
		tail  string
		want  string
	}{
		{"hello", 0, "…", ""},
		{"hello", -1, "…", ""},
		{"hello", 5, "…", "hello"},
		{"hello world", 5, "…", "hell…"},
		{"hello world", 1, "…", "…"},
		{"hello world", 1, "...", "h"},
		{"hello world", 3, "...", "..."},
		{"", 5, "…", ""},
		{"日本語", 0, "…", ""},
		{"日本語", 1, "…", "…"},
		{"日本語", 2, "…", "…"},
		{"日本語", 3, "…", "日…"},
		{"日本語", 5, "…", "日本…"},
		{"日本語", 6, "…", "日本語"},
		{"ab日本", 4, "…", "ab…"},
		{"a👍b", 1, "…", "…"},
		{"a👍b", 2, "…", "a…"},
		{"a👍b", 3, "…", "a…"},
		{"a👍b", 4, "…", "a👍b"},
		{"a👍🏽b", 4, "…", "a👍…"},
		{"a👍🏽b", 13, "…", "a👍…"},
		{"a👍🏽b", 14, "…", `a👍\U0001f3fdb`},
		{"🇯🇵🇯🇵", 3, "…", "🇯🇵…"},
		{"e\u0301e\u0301e\u0301", 2, "…", "e\u0301…"},
		{"\x1bxyz", 3, "…", "…"},
		{"\x1bxyz", 5, "…", `\x1b…`},
		{"\x1bxyz", 7, "…", `\x1bxyz`},
		{"\x1b[2J", 1, "…", "…"},
		{"\x1b[2J", 5, "…", `\x1b…`},
		{"\x1b[2J", 6, "…", `\x1b[…`},
		{"\x1b\a", 5, "…", `\x1b…`},
		{"\x1b\a", 8, "…", `\x1b\x07`},
		{"\u202e日本", 1, "…", "…"},
		{"\u202e日本", 5, "…", "…"},
		{"\u202e日本", 7, "…", `\u202e…`},
		{"\u202e日本", 9, "…", `\u202e日…`},
		{"\u202e日本", 10, "…", `\u202e日本`},
		{strings.Repeat("x", 1000) + "\x1b", 3, "…", "xx…"},
		{"abc\x1b", 3, "…", "ab…"},
		{"abce\u0301", 4, "…", "abce\u0301"},
		{"abce\u0301x", 4, "…", "abc…"},
		{"hello\x1b", math.MaxInt, "…", `hello\x1b`},
	}
	for _, tt := range tests {
		got := Line(tt.in, tt.width, tt.tail, plain)
		if got != tt.want {
			t.Errorf("Line(%q, %d, %q) = %q, want %q", tt.in, tt.width, tt.tail, got, tt.want)
		}
		if w := ansi.StringWidth(got); w > max(tt.width, 0) {
			t.Errorf("Line(%q, %d, %q) = %q is %d wide", tt.in, tt.width, tt.tail, got, w)
		}
	}
}

func TestLineStyled(t *testing.T) {
	style := lipgloss.NewStyle().Faint(true)
	on, off := SGR(style)
	got := Line("ab\x1b[2Jcd", 8, "…", style)
	if want := "ab" + on + `\x1b` + off + "[…"; got != want {
		t.Errorf("Line = %q, want %q", got, want)
	}
	got = Line("ab\x1b\x1bcd", 7, "…", style)
	if want := "ab" + on + `\x1b` + off + "…"; got != want {
		t.Errorf("Line = %q, want %q", got, want)
	}
	want, _ := Styled("ab\x1bcd", style)
	if got := Line("ab\x1bcd", 20, "…", style); got != want {
		t.Errorf("Line = %q, want Styled's %q", got, want)
	}
}

// TestHiddenTable pins the classification of the runes the package promises
// to escape, whatever the Unicode tables say.
func TestHiddenTable(t *testing.T) {
	for _, r := range forbidden {
		if class(r)&hidden == 0 {
			t.Errorf("U+%04X is not escaped", r)
		}
	}
	for _, r := range []rune{0xfffd, 'a', 0x3042, 0x1f44d, 0xfe0f} {
		if class(r)&hidden != 0 {
			t.Errorf("U+%04X is escaped", r)
		}
	}
}

// forbidden lists runes that must never reach the screen as they are.
var forbidden = []rune{
	0x061c, 0x200b, 0x200c, 0x200e, 0x200f, 0x2028, 0x2029,
	0x202a, 0x202b, 0x202c, 0x202d, 0x202e,
	0x2060, 0x2061, 0x2062, 0x2063, 0x2064,
	0x2066, 0x2067, 0x2068, 0x2069, 0xfeff, 0xfffe, 0xffff,
	0x200d, 0x1f3fb, 0x1f3ff,
}

// checkSafe fails t unless out is something the terminal can only print.
func checkSafe(t *testing.T, in, out string) {
	t.Helper()
	if !utf8.ValidString(out) {
		t.Fatalf("%q: output %q is not valid UTF-8", in, out)
	}
	prev := rune(-1)
	for _, r := range out {
		switch {
		case r < 0x20, r == 0x7f, r >= 0x80 && r <= 0x9f:
			t.Fatalf("%q: output %q contains control U+%04X", in, out, r)
		case unicode.Is(unicode.Cf, r) && !isTag(r):
			t.Fatalf("%q: output %q contains format character U+%04X", in, out, r)
		case isTag(r) && prev != 0x1f3f4 && !isTag(prev):
			t.Fatalf("%q: output %q contains a tag outside a flag", in, out)
		}
		for _, f := range forbidden {
			if r == f {
				t.Fatalf("%q: output %q contains U+%04X", in, out, r)
			}
		}
		prev = r
	}
}

func FuzzPlain(f *testing.F) {
	for _, tt := range plainTests {
		f.Add(tt.in)
	}
	for _, s := range []string{
		"\x1b]8;;http://evil\x1b\\link\x1b]8;;\x1b\\",
		"\x1bP+q544e\x1b\\", "\x1b[?1049h\x1b[31mred", "\x9b31m", "\xc2\x9b31m",
		"\x1b\x1b\x1b", "\r\n\r\n", "\xf4\x90\x80\x80", "\xc0\x80", "\xef\xbb\xbf",
		"a\u0300\u0301\u0302\u0303\u0304\u0305", "\u0d4e\u0d4e", "\u0d4e\u0301",
		"\u0d4e\U000e0041", "क्\u200dष", "🏳️\u200d🌈", "1\ufe0f\u20e3",
		"🇯🇵🇯", "\u1100\u1161\u11a8", "ﾊﾟ", "\x00\x01\x02\x03",
	} {
		f.Add(s)
	}
	plain := lipgloss.NewStyle()
	style := lipgloss.NewStyle().Reverse(true)
	f.Fuzz(func(t *testing.T, s string) {
		out, w := Plain(s)
		checkSafe(t, s, out)
		if sw := ansi.StringWidth(out); sw != w {
			t.Fatalf("Plain(%q) = %q: width %d, ansi.StringWidth %d", s, out, w, sw)
		}
		styled, sw := Styled(s, style)
		if sw != w || ansi.StringWidth(styled) != w || ansi.Strip(styled) != out {
			t.Fatalf("Styled(%q) = %q, %d; Plain = %q, %d", s, styled, sw, out, w)
		}
		for _, width := range []int{0, 1, 2, 3, 5, 8, 13, 40, math.MaxInt} {
			line := Line(s, width, "…", plain)
			checkSafe(t, s, line)
			if lw := ansi.StringWidth(line); lw > width {
				t.Fatalf("Line(%q, %d) = %q is %d wide", s, width, line, lw)
			}
			if w <= width && line != out {
				t.Fatalf("Line(%q, %d) = %q, but all of %q fits", s, width, line, out)
			}
			if w > width && !strings.HasPrefix(out, strings.TrimSuffix(line, "…")) {
				t.Fatalf("Line(%q, %d) = %q, not a prefix of %q", s, width, line, out)
			}
			styledLine := Line(s, width, "…", style)
			if lw := ansi.StringWidth(styledLine); lw > width || ansi.Strip(styledLine) != line {
				t.Fatalf("Line(%q, %d) styled = %q, plain %q", s, width, styledLine, line)
			}
		}
	})
}

var (
	sinkString string
	sinkInt    int
)

func BenchmarkPlainASCII(b *testing.B) {
	s := `{"id":1234567,"customer":"acme-corp","amount":99.95,"currency":"EUR","status":"settled"}` + "0123456789abc"
	b.SetBytes(int64(len(s)))
	b.ReportAllocs()
	for b.Loop() {
		sinkString, sinkInt = Plain(s)
	}
}

func BenchmarkPlainCJK(b *testing.B) {
	s := strings.Repeat("日本語のテキスト👍🏽", 5)
	b.SetBytes(int64(len(s)))
	b.ReportAllocs()
	for b.Loop() {
		sinkString, sinkInt = Plain(s)
	}
}

func BenchmarkPlainMixed(b *testing.B) {
	s := "user=\x1b[31mmallory\x1b[0m note=\u202eevil 日本語 👍🏽 tab\there\r\n bin:\x00\x01\xff\xfe end"
	b.SetBytes(int64(len(s)))
	b.ReportAllocs()
	for b.Loop() {
		sinkString, sinkInt = Plain(s)
	}
}

func BenchmarkStyledMixed(b *testing.B) {
	s := "user=\x1b[31mmallory\x1b[0m note=\u202eevil 日本語 👍🏽 tab\there\r\n bin:\x00\x01\xff\xfe end"
	style := lipgloss.NewStyle().Faint(true)
	b.SetBytes(int64(len(s)))
	b.ReportAllocs()
	for b.Loop() {
		sinkString, sinkInt = Styled(s, style)
	}
}

func BenchmarkPlainBinary(b *testing.B) {
	s := make([]byte, 100)
	for i := range s {
		s[i] = byte(i * 37)
	}
	b.SetBytes(int64(len(s)))
	b.ReportAllocs()
	for b.Loop() {
		sinkString, sinkInt = Plain(string(s))
	}
}

func BenchmarkLine(b *testing.B) {
	s := "user=\x1b[31mmallory\x1b[0m note=\u202eevil 日本語 👍🏽 tab\there\r\n bin:\x00\x01\xff\xfe end" + strings.Repeat("x", 10000)
	style := lipgloss.NewStyle().Faint(true)
	b.ReportAllocs()
	for b.Loop() {
		sinkString = Line(s, 40, "…", style)
	}
}

// BenchmarkLineHostile cuts a long input cluster that escapes split into
// short ones; Line must not segment the rest of the input for each.
func BenchmarkLineHostile(b *testing.B) {
	s := strings.Repeat("क्\U000e0041", 10000)
	style := lipgloss.NewStyle().Faint(true)
	b.ReportAllocs()
	for b.Loop() {
		sinkString = Line(s, 40, "…", style)
	}
}

func BenchmarkLineCJK(b *testing.B) {
	s := strings.Repeat("日本語のテキスト", 1000)
	style := lipgloss.NewStyle().Faint(true)
	b.ReportAllocs()
	for b.Loop() {
		sinkString = Line(s, 40, "…", style)
	}
}

func BenchmarkLineASCII(b *testing.B) {
	s := strings.Repeat(`{"id":1234567,"customer":"acme-corp"}`, 100)
	style := lipgloss.NewStyle().Faint(true)
	b.ReportAllocs()
	for b.Loop() {
		sinkString = Line(s, 40, "…", style)
	}
}

// emojiParts are the pieces emoji are built from, and some text around
// them, for FuzzWidthAgrees to combine.
var emojiParts = []rune{
	'a', 'e', '1', '#', ' ', 0x0301, 0x65e5, 0x1b, 0x202e,
	0x1f44d, 0x270c, 0x2764, 0x2600, 0x231a, 0x1f3f3, 0x1f308, 0x1f468, 0x1f469, 0x1f600, 0x1f5e8, 0x1f441, 0xa9,
	0x1f3f4, 0xe0067, 0xe0062, 0xe007f,
	0xfe0f, 0xfe0e, 0xfe00, 0xe0100, 0x200d, 0x1f3fb, 0x1f3fd, 0x1f1ef, 0x1f1f5, 0x20e3,
}

// FuzzWidthAgrees: text built from emoji and their joiners, selectors,
// skin tones and flags comes out as wide for a terminal that draws
// grapheme clusters as for one that draws code points (and for bubbletea,
// which measures one way or the other depending on the terminal), so no
// row holding it is drawn wider or narrower than it was laid out.
func FuzzWidthAgrees(f *testing.F) {
	for _, s := range []string{"\x09\x1e", "\x0a\x20\x1e", "\x0b\x1f\x0b", "\x16\x1d\x16", "\x16\x1f\x17\x1f\x18", "\x1f\x21\x20\x21", "\x16\x18\x19\x1a\x1b"} {
		f.Add([]byte(s))
	}
	plain := lipgloss.NewStyle()
	f.Fuzz(func(t *testing.T, picks []byte) {
		var b strings.Builder
		for _, p := range picks {
			b.WriteRune(emojiParts[int(p)%len(emojiParts)])
		}
		s := b.String()
		out, w := Plain(s)
		if g, wc := ansi.GraphemeWidth.StringWidth(out), ansi.WcWidth.StringWidth(out); g != w || wc != w {
			t.Fatalf("Plain(%q) = %q: width %d, by clusters %d, by code points %d", s, out, w, g, wc)
		}
		for _, width := range []int{1, 2, 3, 7, 12} {
			line := Line(s, width, "…", plain)
			if g, wc := ansi.GraphemeWidth.StringWidth(line), ansi.WcWidth.StringWidth(line); g != wc || g > width {
				t.Fatalf("Line(%q, %d) = %q: by clusters %d, by code points %d", s, width, line, g, wc)
			}
		}
	})
}
