package decode

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
)

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
