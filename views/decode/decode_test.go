package decode

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"regexp"
	"strings"
	"sync"
	"testing"
	"unicode/utf8"

	"github.com/charmbracelet/x/ansi"

	"kscope/themes"
)

func styles(t testing.TB, name string) *themes.Styles {
	t.Helper()
	p, err := themes.Builtin(name)
	if err != nil {
		t.Fatal(err)
	}
	return themes.New(p)
}

var sgrRE = regexp.MustCompile(`\x1b\[[0-9;]*m`)

// strip removes SGR sequences, the only escape sequences output may hold.
func strip(s string) string {
	return sgrRE.ReplaceAllString(s, "")
}

// checkSafe fails unless s fits in width cells and, once its SGR sequences
// are gone, holds no control byte, no invalid UTF-8 and no bidi control.
func checkSafe(t *testing.T, s string, width int) {
	t.Helper()
	if w := ansi.StringWidth(s); w > width {
		t.Errorf("%q is %d cells wide, more than %d", s, w, width)
	}
	plain := strip(s)
	for i := 0; i < len(plain); i++ {
		if c := plain[i]; c < 0x20 || c == 0x7f {
			t.Errorf("%q holds control byte %#x", s, c)
		}
	}
	if !utf8.ValidString(plain) {
		t.Errorf("%q is not valid UTF-8", s)
	}
	if strings.ContainsAny(plain, "\u202e\u202d\u2066\u2067\u2068\u2069\u200f") {
		t.Errorf("%q holds a bidi control", s)
	}
}

func TestMode(t *testing.T) {
	want := []string{"auto", "json", "text", "hex", "base64", "schema"}
	m := Auto
	for i, name := range want {
		if m.String() != name {
			t.Errorf("mode %d is %q, want %q", i, m, name)
		}
		m = m.Next()
	}
	if m != Auto {
		t.Errorf("Next after schema is %v, want auto", m)
	}
	if s := Mode(9).String(); s != "Mode(9)" {
		t.Errorf("Mode(9) = %q", s)
	}
}

// TestAutoDecodeKinds: only objects and arrays count as JSON, text may
// hold a few ANSI colour codes, and anything else is binary.
func TestAutoDecodeKinds(t *testing.T) {
	st := styles(t, "dark")
	tests := []struct {
		in   string
		want Kind
	}{
		{"", KindEmpty},
		{`{"a":1}`, KindJSON},
		{" \n[1, 2, {\"b\": null}]\n", KindJSON},
		{`[]`, KindJSON},
		{`{"a":`, KindText},
		{`{"a":1} {"b":2}`, KindText},
		{`42`, KindText},
		{`"quoted"`, KindText},
		{`true`, KindText},
		{"hello\tworld\r\n", KindText},
		{"héllo wörld ✓", KindText},
		{"\x1b[31mERROR\x1b[0m connection refused", KindText},
		{"\x00\x00\x00\x2a", KindBinary},
		{"a\x00", KindBinary},
		{"\xff\xfe\xfd", KindBinary},
		{"\x0a\x05hello\x10\x2a", KindBinary},
		{"{\xff", KindBinary},
	}
	for _, tt := range tests {
		if got := NewDocument([]byte(tt.in), Auto, st).Kind(); got != tt.want {
			t.Errorf("auto decode of %q is %v, want %v", tt.in, got, tt.want)
		}
	}
}

func TestKindString(t *testing.T) {
	for k, want := range map[Kind]string{KindEmpty: "empty", KindJSON: "json", KindText: "text", KindBinary: "binary", 7: "Kind(7)"} {
		if k.String() != want {
			t.Errorf("%d.String() = %q, want %q", int(k), k, want)
		}
	}
}

func TestPreview(t *testing.T) {
	st := styles(t, "dark")
	tests := []struct {
		name  string
		in    string
		mode  Mode
		width int
		want  string // with SGR sequences stripped
	}{
		{"compact", "{ \"a\" : [1, 2],\n  \"b\": null }", Auto, 80, `{"a":[1,2],"b":null}`},
		{"compact cut", "{ \"a\" : [1, 2],\n  \"b\": null }", Auto, 10, `{"a":[1,2…`},
		{"json mode", `[ "x" ]`, JSON, 80, `["x"]`},
		{"json mode scalar", ` 42 `, JSON, 80, `42`},
		{"json mode invalid", "not json\n", JSON, 80, `not json\n`},
		{"text", "hello\nworld\t!", Auto, 80, `hello\nworld\t!`},
		{"text cut", "hello world", Auto, 8, `hello w…`},
		{"text fits", "hello", Auto, 5, `hello`},
		{"text mode", `{ "a": 1 }`, Text, 80, `{ "a": 1 }`},
		{"binary", "\x0a\xff\x12", Auto, 80, "0a ff 12"},
		{"hex", "abc", Hex, 80, "61 62 63"},
		{"hex exact", "abc", Hex, 8, "61 62 63"},
		{"hex cut", "abcd", Hex, 8, "61 62 …"},
		{"hex tiny", "abcd", Hex, 3, "…"},
		{"base64", "hello", Base64, 80, "aGVsbG8="},
		{"base64 exact", "hello", Base64, 8, "aGVsbG8="},
		{"base64 cut", "hello", Base64, 5, "aGVs…"},
		{"empty", "", Hex, 80, "∅"},
		{"zero width", "hello", Auto, 0, ""},
		{"wide", "日本語のテキスト", Auto, 7, "日本語…"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Preview([]byte(tt.in), tt.mode, tt.width, st)
			if strip(got) != tt.want {
				t.Errorf("Preview(%q, %v, %d) = %q, want %q", tt.in, tt.mode, tt.width, got, tt.want)
			}
			checkSafe(t, got, tt.width)
		})
	}
}

// hostile holds what a record could use against a terminal: an OSC title
// sequence, BEL, CR, a bidi override, a clear screen, raw invalid bytes.
var hostile = []string{
	"a\x1b]0;pwned\x07b\rc\u202edef\x1b[2J",
	"\xff\xfeabc\xc3",
	"\u202e\u0301\u0600",
	"{\"t\":\"\\u001b]0;x\\u0007\",\"raw\":\"\xff\xfe\",\"bidi\":\"\u202eabc\",\"esc\":\"\x1b\"}",
	"{\"t\":\"\\u001b]0;x\\u0007\",\"raw\":\"\xff\xfe\",\"bidi\":\"\u202eabc\"}",
	"line\u2028sep\tand\ttabs\x7f",
}

func TestPreviewHostile(t *testing.T) {
	st := styles(t, "dark")
	for _, in := range hostile {
		for mode := range modes {
			for width := 1; width <= 60; width++ {
				checkSafe(t, Preview([]byte(in), mode, width, st), width)
			}
		}
	}
}

func TestPreviewJSONEscapes(t *testing.T) {
	st := styles(t, "dark")
	in := "{\"t\": \"\\u001b]0;x\\u0007\", \"raw\": \"\xff\", \"bidi\": \"\u202eabc\"}"
	got := strip(Preview([]byte(in), Auto, 200, st))
	want := `{"t":"\u001b]0;x\u0007","raw":"\xff","bidi":"\u202eabc"}`
	if got != want {
		t.Errorf("Preview = %q, want %q", got, want)
	}
}

func TestPreviewHostileText(t *testing.T) {
	st := styles(t, "dark")
	got := Preview([]byte("a\x1b]0;pwned\x07b\rc\u202ed"), Text, 80, st)
	checkSafe(t, got, 80)
	if want := `a\x1b]0;pwned\x07b\rc\u202ed`; strip(got) != want {
		t.Errorf("Preview = %q, want %q", strip(got), want)
	}
	if esc := sgrOf(st.Escape).on; !strings.Contains(got, esc+`\x1b`) {
		t.Errorf("Preview = %q, want escapes styled with %q", got, esc)
	}
}

func TestPreviewLong(t *testing.T) {
	st := styles(t, "dark")
	for name, in := range map[string][]byte{
		"json":      jsonArray(1 << 20),
		"text":      bytes.Repeat([]byte("lorem ipsum "), 1<<16),
		"binary":    randomBytes(1 << 20),
		"indented":  []byte("[" + strings.Repeat("\n"+strings.Repeat(" ", 100)+"1,", 1000) + "1]"),
		"zerowidth": []byte("e" + strings.Repeat("\u0301", 1<<16)),
		"spaces":    bytes.Repeat([]byte(" "), 1<<20),
	} {
		for mode := range modes {
			got := Preview(in, mode, 40, st)
			checkSafe(t, got, 40)
			if !strings.HasSuffix(got, "…") {
				t.Errorf("%s in %v: Preview = %q, want it cut", name, mode, got)
			}
		}
	}
}

// A value that starts as JSON and goes wrong further on than Preview reads
// is previewed as JSON, yet shown as text in a Document.
func TestPreviewJudgesByHead(t *testing.T) {
	st := styles(t, "dark")
	in := []byte(`{"a": "` + strings.Repeat("x", 10000) + `"} trailing`)
	if got := strip(Preview(in, Auto, 20, st)); got != `{"a":"xxxxxxxxxxxxx…` {
		t.Errorf("Preview = %q", got)
	}
	if k := NewDocument(in, Auto, st).Kind(); k != KindText {
		t.Errorf("Document kind = %v, want text", k)
	}
}

func FuzzJSON(f *testing.F) {
	for _, s := range append(hostile, `{"a":[1,2,{"b":null}],"c":"d"}`, ` [ ] `, `-0.5e+10`, `"\ud800"`, `{"a" 1}`, `[1,]`, `01`, `[1e]`) {
		f.Add([]byte(s))
	}
	st := styles(f, "dark")
	f.Fuzz(func(t *testing.T, in []byte) {
		valid := json.Valid(in)
		if _, err := newJSONDoc(in, newPalette(st)); (err == nil) != valid {
			t.Fatalf("the scanner says %q is valid: %v; json.Valid says %v", in, err == nil, valid)
		}
		d := NewDocument(in, JSON, st)
		for i := range d.Len() {
			checkSafe(t, d.Line(i, 30), 30)
		}
		checkSafe(t, Preview(in, JSON, 30, st), 30)
		if !valid {
			return
		}
		var want bytes.Buffer
		_ = json.Indent(&want, in, "", "  ")
		if got, w := string(d.Plain()), strings.TrimRight(want.String(), " \t\r\n")+"\n"; got != w {
			t.Errorf("Plain(%q) = %q, want %q", in, got, w)
		}
		want.Reset()
		_ = json.Compact(&want, in)
		s := jsonScan{src: in, layout: compact}
		if err := s.run(); err != nil || string(s.out) != strings.TrimRight(want.String(), " \t\r\n") {
			t.Errorf("compact(%q) = %q, %v, want %q", in, s.out, err, want.String())
		}
	})
}

// jsonArray is an array of small objects, compact as producers send it,
// of about size bytes.
func jsonArray(size int) []byte {
	var b bytes.Buffer
	b.WriteByte('[')
	for i := 0; b.Len() < size; i++ {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"id":%d,"user":"user-%d","tags":["a","b"],"ok":true,"score":%d.5,"geo":{"lat":52.5,"lon":13.4}}`, i, i, i)
	}
	b.WriteByte(']')
	return b.Bytes()
}

// randomBytes is size bytes of noise, the same every run.
func randomBytes(size int) []byte {
	b := make([]byte, size)
	_, _ = rand.NewChaCha8([32]byte{}).Read(b)
	return b
}

var (
	bigJSON   = sync.OnceValue(func() []byte { return jsonArray(10 << 20) })
	bigBinary = sync.OnceValue(func() []byte { return randomBytes(10 << 20) })
)

func benchmarkDocument(b *testing.B, in []byte, want Kind) {
	st := styles(b, "dark")
	b.SetBytes(int64(len(in)))
	for b.Loop() {
		d := NewDocument(in, Auto, st)
		for i := range 40 {
			_ = d.Line(i, 120)
		}
		if d.Kind() != want {
			b.Fatalf("Kind = %v, want %v", d.Kind(), want)
		}
	}
}

func BenchmarkNewDocument10MBJSON(b *testing.B) {
	benchmarkDocument(b, bigJSON(), KindJSON)
}

func BenchmarkNewDocument10MBBinary(b *testing.B) {
	benchmarkDocument(b, bigBinary(), KindBinary)
}

func BenchmarkPreview10MB(b *testing.B) {
	st := styles(b, "dark")
	for name, in := range map[string][]byte{
		"json":   bigJSON(),
		"text":   bytes.Repeat([]byte("lorem ipsum "), 10<<20/12),
		"binary": bigBinary(),
	} {
		b.Run(name, func(b *testing.B) {
			for b.Loop() {
				_ = Preview(in, Auto, 120, st)
			}
		})
	}
}

func BenchmarkPreview100B(b *testing.B) {
	st := styles(b, "dark")
	in := []byte(`{"id":12345,"user":"user-12345","event":"login","ok":true,"ts":"2024-05-01T12:00:00Z","n":[1,2,3]}`)
	for b.Loop() {
		_ = Preview(in, Auto, 120, st)
	}
}
