package decode

import (
	"bytes"
	"encoding/base64"
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
	want := []string{"auto", "json", "text", "hex", "base64"}
	m := Auto
	for i, name := range want {
		if m.String() != name {
			t.Errorf("mode %d is %q, want %q", i, m, name)
		}
		m = m.Next()
	}
	if m != Auto {
		t.Errorf("Next after base64 is %v, want auto", m)
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

func TestDocumentJSON(t *testing.T) {
	st := styles(t, "dark")
	in := `{"name":"kscope", "n":[1,2.5,-3e2], "ok":true,"none":null,"empty":{}, "arr":[ ],"nested":{"deep":[{"x":"y"}]}}`
	d := NewDocument([]byte(in), Auto, st)
	if d.Kind() != KindJSON {
		t.Fatalf("Kind = %v, want json", d.Kind())
	}
	var want bytes.Buffer
	if err := json.Indent(&want, []byte(in), "", "  "); err != nil {
		t.Fatal(err)
	}
	want.WriteByte('\n')
	if got := d.Plain(); string(got) != want.String() {
		t.Errorf("Plain =\n%s\nwant\n%s", got, want.String())
	}
	lines := strings.Split(strings.TrimSuffix(want.String(), "\n"), "\n")
	if d.Len() != len(lines) {
		t.Fatalf("Len = %d, want %d", d.Len(), len(lines))
	}
	for i, line := range lines {
		got := d.Line(i, 80)
		checkSafe(t, got, 80)
		if strip(got) != line {
			t.Errorf("line %d = %q, want %q", i, strip(got), line)
		}
	}
	for _, c := range []struct {
		line  int
		style string
		text  string
	}{
		{1, sgrOf(st.Accent).on, `"name"`},
		{1, sgrOf(st.OK).on, `"kscope"`},
		{3, sgrOf(st.Warn).on, `1`},
		{5, sgrOf(st.Warn).on, `-3e2`},
		{7, sgrOf(st.Error).on, `true`},
		{8, sgrOf(st.Error).on, `null`},
		{1, sgrOf(st.Muted).on, `: `},
	} {
		if got := d.Line(c.line, 80); !strings.Contains(got, c.style+c.text) {
			t.Errorf("line %d = %q, want %q styled %q", c.line, got, c.text, c.style)
		}
	}
	if got := strip(d.Line(1, 12)); got != `  "name": "…` {
		t.Errorf("line 1 at width 12 = %q", got)
	}
	for _, i := range []int{-1, d.Len()} {
		if got := d.Line(i, 80); got != "" {
			t.Errorf("Line(%d) = %q, want empty", i, got)
		}
	}
}

func TestDocumentJSONHostile(t *testing.T) {
	st := styles(t, "dark")
	in := "{\"t\":\"\\u001b]0;x\\u0007\",\"raw\":\"a\xffb\",\"bidi\":\"\u202eabc\"}"
	d := NewDocument([]byte(in), JSON, st)
	if d.Kind() != KindJSON {
		t.Fatalf("Kind = %v, want json", d.Kind())
	}
	want := []string{`{`, `  "t": "\u001b]0;x\u0007",`, `  "raw": "a\xffb",`, `  "bidi": "\u202eabc"`, `}`}
	for i, w := range want {
		got := d.Line(i, 80)
		checkSafe(t, got, 80)
		if strip(got) != w {
			t.Errorf("line %d = %q, want %q", i, strip(got), w)
		}
	}
	// After an escape the rest of the string keeps the string's colour.
	str, esc := sgrOf(st.OK), sgrOf(st.Escape)
	if got := d.Line(2, 80); !strings.Contains(got, esc.on+`\xff`+esc.off+str.on+`b"`) {
		t.Errorf("line 2 = %q, want the string style back after the escape", got)
	}
}

func TestDocumentInvalidJSON(t *testing.T) {
	st := styles(t, "dark")
	d := NewDocument([]byte("{\"a\": tru}\nsecond"), JSON, st)
	if d.Kind() != KindText || d.Len() != 3 {
		t.Fatalf("Kind, Len = %v, %d, want text, 3", d.Kind(), d.Len())
	}
	want := []string{`not valid JSON: unexpected '}' at offset 9`, `{"a": tru}`, `second`}
	for i, w := range want {
		if got := strip(d.Line(i, 80)); got != w {
			t.Errorf("line %d = %q, want %q", i, got, w)
		}
	}
	if got := strip(NewDocument([]byte(`[1,`), JSON, st).Line(0, 80)); got != "not valid JSON: unexpected end of input" {
		t.Errorf("note = %q", got)
	}
	if got := strip(NewDocument([]byte("[\x01]"), JSON, st).Line(0, 80)); got != "not valid JSON: unexpected byte 0x01 at offset 1" {
		t.Errorf("note = %q", got)
	}
	if got := string(d.Plain()); got != "{\"a\": tru}\nsecond" {
		t.Errorf("Plain = %q", got)
	}
}

// Nesting deep enough to make indentation gigabytes stays cheap to show,
// and copies as it came.
func TestDocumentDeepJSON(t *testing.T) {
	st := styles(t, "dark")
	const depth = 200000
	in := []byte(strings.Repeat("[", depth) + strings.Repeat("]", depth))
	d := NewDocument(in, Auto, st)
	if d.Kind() != KindJSON || d.Len() != 2*depth-1 {
		t.Fatalf("Kind, Len = %v, %d", d.Kind(), d.Len())
	}
	if got := strip(d.Line(depth-1, 20)); got != strings.Repeat(" ", 19)+"…" {
		t.Errorf("innermost line = %q", got)
	}
	if got := strip(d.Line(2, 20)); got != "    [" {
		t.Errorf("line 2 = %q", got)
	}
	if got := strip(d.Line(2*depth-2, 20)); got != "]" {
		t.Errorf("last line = %q", got)
	}
	if got := d.Plain(); !bytes.Equal(got, in) {
		t.Errorf("Plain is %d bytes, want the input's %d", len(got), len(in))
	}
}

// Depths are recorded every depthEvery lines; lines between are walked to.
func TestDocumentJSONDepths(t *testing.T) {
	st := styles(t, "dark")
	var in strings.Builder
	in.WriteString("[")
	for i := range 300 {
		if i > 0 {
			in.WriteString(",")
		}
		fmt.Fprintf(&in, `{"i":%d,"a":[[%d],{}]}`, i, i)
	}
	in.WriteString("]")
	var want bytes.Buffer
	if err := json.Indent(&want, []byte(in.String()), "", "  "); err != nil {
		t.Fatal(err)
	}
	d := NewDocument([]byte(in.String()), Auto, st)
	lines := strings.Split(want.String(), "\n")
	if d.Len() != len(lines) {
		t.Fatalf("Len = %d, want %d", d.Len(), len(lines))
	}
	for i := len(lines) - 1; i >= 0; i-- {
		if got := strip(d.Line(i, 200)); got != lines[i] {
			t.Fatalf("line %d = %q, want %q", i, got, lines[i])
		}
	}
}

func TestDocumentText(t *testing.T) {
	st := styles(t, "dark")
	d := NewDocument([]byte("one\ttwo\r\nthree\n\n\tabcd\te\x1b[2J\u202ef\n"), Auto, st)
	want := []string{`one two\r`, `three`, ``, `    abcd    e\x1b[2J\u202ef`}
	if d.Kind() != KindText || d.Len() != len(want) {
		t.Fatalf("Kind, Len = %v, %d, want text, %d", d.Kind(), d.Len(), len(want))
	}
	for i, w := range want {
		got := d.Line(i, 80)
		checkSafe(t, got, 80)
		if strip(got) != w {
			t.Errorf("line %d = %q, want %q", i, strip(got), w)
		}
	}
	if got := strip(d.Line(3, 10)); got != "    abcd …" {
		t.Errorf("line 3 at width 10 = %q", got)
	}
	if got := strip(d.Line(0, 7)); got != "one tw…" {
		t.Errorf("line 0 at width 7 = %q", got)
	}
	if got := string(NewDocument([]byte("a\nb"), Text, st).Plain()); got != "a\nb" {
		t.Errorf("Plain = %q", got)
	}
	if n := NewDocument([]byte("\n"), Text, st).Len(); n != 1 {
		t.Errorf("Len of a newline = %d, want 1", n)
	}
}

func TestDocumentHex(t *testing.T) {
	st := styles(t, "dark")
	d := NewDocument([]byte("Hello world\n\x00\x01\x02\x03\n"), Hex, st)
	want := []string{
		"00000000  48 65 6c 6c 6f 20 77 6f  72 6c 64 0a 00 01 02 03  |Hello world.....|",
		"00000010  0a                                                |.|",
	}
	if d.Kind() != KindBinary || d.Len() != len(want) {
		t.Fatalf("Kind, Len = %v, %d, want binary, %d", d.Kind(), d.Len(), len(want))
	}
	for i, w := range want {
		got := d.Line(i, 100)
		checkSafe(t, got, 100)
		if strip(got) != w {
			t.Errorf("line %d = %q, want %q", i, strip(got), w)
		}
	}
	if got := strip(d.Line(0, 20)); got != "00000000  48 65 6c …" {
		t.Errorf("line 0 at width 20 = %q", got)
	}
	if got := string(d.Plain()); got != strings.Join(want, "\n")+"\n" {
		t.Errorf("Plain = %q", got)
	}
	if got := strip(NewDocument([]byte{0xff, 0x00, 0x80}, Auto, st).Line(0, 100)); !strings.HasSuffix(got, "|...|") {
		t.Errorf("binary in auto = %q, want a hex dump", got)
	}
	big := NewDocument(randomBytes(1<<20+5), Hex, st)
	last := big.Len() - 1
	if got := strip(big.Line(last, 100)); !strings.HasPrefix(got, fmt.Sprintf("%08x  ", last*16)) {
		t.Errorf("last line = %q", got)
	}
}

func TestDocumentBase64(t *testing.T) {
	st := styles(t, "dark")
	in := make([]byte, 100)
	for i := range in {
		in[i] = byte(i * 7)
	}
	d := NewDocument(in, Base64, st)
	all := base64.StdEncoding.EncodeToString(in)
	want := []string{all[:76], all[76:]}
	if d.Kind() != KindBinary || d.Len() != len(want) {
		t.Fatalf("Kind, Len = %v, %d, want binary, %d", d.Kind(), d.Len(), len(want))
	}
	for i, w := range want {
		if got := strip(d.Line(i, 80)); got != w {
			t.Errorf("line %d = %q, want %q", i, got, w)
		}
	}
	if got := strip(d.Line(0, 10)); got != all[:9]+"…" {
		t.Errorf("line 0 at width 10 = %q", got)
	}
	if got := string(d.Plain()); got != all {
		t.Errorf("Plain = %q, want %q", got, all)
	}
}

func TestDocumentEmpty(t *testing.T) {
	st := styles(t, "dark")
	for mode := range modes {
		d := NewDocument(nil, mode, st)
		if d.Kind() != KindEmpty || d.Len() != 1 || len(d.Plain()) != 0 {
			t.Errorf("%v: Kind, Len, Plain = %v, %d, %q", mode, d.Kind(), d.Len(), d.Plain())
		}
		if got := strip(d.Line(0, 80)); got != "∅ empty" {
			t.Errorf("%v: line 0 = %q", mode, got)
		}
		if got := d.Line(1, 80); got != "" {
			t.Errorf("%v: line 1 = %q", mode, got)
		}
		for width := range 10 {
			checkSafe(t, d.Line(0, width), width)
		}
	}
}

func TestDocumentHostile(t *testing.T) {
	for _, theme := range []string{"dark", "mono"} {
		st := styles(t, theme)
		for _, in := range hostile {
			for mode := range modes {
				d := NewDocument([]byte(in), mode, st)
				for i := range d.Len() {
					for width := 1; width <= 90; width += 7 {
						checkSafe(t, d.Line(i, width), width)
					}
				}
			}
		}
	}
}

// FuzzJSON holds the scanner to encoding/json: the same verdict on
// validity, the same pretty and compact forms, and safe lines.
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
