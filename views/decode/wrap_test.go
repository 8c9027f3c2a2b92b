package decode

import (
	"strings"
	"testing"
)

func TestTextWrapsAtSpacesAndKeepsEveryCharacter(t *testing.T) {
	st := styles(t, "dark")
	text := "The quick brown fox jumps over the lazy dog, and then it jumps again.\nshort\n" +
		strings.Repeat("x", 25) + "\n日本語のテキストも折り返されます"
	d := NewDocument([]byte(text), Text, st).Wrap(20)
	want := []string{
		"The quick brown fox", "jumps over the lazy", "dog, and then it", "jumps again.",
		"short",
		"xxxxxxxxxxxxxxxxxxxx", "xxxxx",
		"日本語のテキストも折", "り返されます",
	}
	var got []string
	for i := range d.Len() {
		line := d.Line(i, 20)
		checkSafe(t, line, 20)
		got = append(got, strip(line))
	}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("wrapped at 20:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if string(d.Plain()) != text || d.Kind() != KindText {
		t.Error("wrapping changed what is copied or the kind")
	}
}

func TestWrappedTextStaysSafe(t *testing.T) {
	st := styles(t, "dark")
	hostile := strings.Repeat("ab\x1b[2J\u202e\xff\tcd e\u0301 ", 40)
	for _, width := range []int{1, 5, 13, 80} {
		d := NewDocument([]byte(hostile), Text, st).Wrap(width)
		if d.Len() < len(hostile)/(4*width+64) {
			t.Errorf("width %d: %d rows", width, d.Len())
		}
		for i := range d.Len() {
			line := d.Line(i, width)
			checkSafe(t, line, width)
			if width >= 13 && strings.HasSuffix(strip(line), "…") {
				t.Errorf("width %d: row %d is cut instead of wrapped: %q", width, i, strip(line))
			}
		}
	}
}

func TestOnlyTextWraps(t *testing.T) {
	st := styles(t, "dark")
	long := `{"a":"` + strings.Repeat("b", 300) + `"}`
	for _, mode := range []Mode{JSON, Hex, Base64} {
		d := NewDocument([]byte(long), mode, st)
		if w := d.Wrap(40); w.Len() != d.Len() {
			t.Errorf("%v: %d lines wrapped, %d before", mode, w.Len(), d.Len())
		}
	}
	if d := NewDocument([]byte(long), Text, st).Wrap(40); d.Len() != 8 {
		t.Errorf("text of %d bytes at 40 is %d rows", len(long), d.Len())
	}
}
