package views

import (
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"

	tea "charm.land/bubbletea/v2"

	"kscope/kafkaclient"
	"kscope/views/decode"
)

// copied runs the Cmd a copy key returned and gives what it asked the
// terminal's clipboard to hold, and the notice it showed.
func copied(t *testing.T, cmd tea.Cmd) (clip string, notice Notice) {
	t.Helper()
	if cmd == nil {
		t.Fatal("no command")
	}
	msgs := []tea.Msg{cmd()}
	if b, ok := msgs[0].(tea.BatchMsg); ok {
		msgs = msgs[:0]
		for _, c := range b {
			msgs = append(msgs, c())
		}
	}
	found := false
	for _, m := range msgs {
		switch m := m.(type) {
		case Notice:
			notice = m
		default:
			// tea.SetClipboard's message is a string type of its own.
			if v := reflect.ValueOf(m); v.Kind() == reflect.String {
				clip, found = v.String(), true
			}
		}
	}
	if !found {
		t.Fatalf("no clipboard message in %v", msgs)
	}
	return clip, notice
}

func openDetail(t *testing.T, value string) *Detail {
	t.Helper()
	v := openTestTail(t, 10)
	feed(v, kafkaclient.Record{Topic: "orders", Offset: 1, Timestamp: t0, Value: []byte(value)})
	_, cmd := v.Update(press("enter"))
	d := cmd().(Push).View.(*Detail)
	d.SetSize(120, 30)
	return d
}

// TestCopyIsSafeToPaste: y copies the value as the screen shows it, so a
// value that ends bracketed paste cannot run what follows it; Y copies the
// bytes as they are, and warns when they hold control characters. Neither
// claims the copy happened: OSC 52 gets no answer.
func TestCopyIsSafeToPaste(t *testing.T) {
	hostile := "ls\x1b[201~\ntouch /tmp/pwned\n\u202eevil"
	d := openDetail(t, hostile)
	_, cmd := d.Update(press("y"))
	clip, n := copied(t, cmd)
	if want := `ls\x1b[201~\ntouch /tmp/pwned\n\u202eevil`; clip != want {
		t.Errorf("y copied %q, want %q", clip, want)
	}
	if n.Error || !strings.Contains(n.Text, "sent the value as shown") || !strings.Contains(n.Text, "to the terminal's clipboard (OSC 52)") || strings.Contains(n.Text, "copied") {
		t.Errorf("y said %+v", n)
	}

	_, cmd = d.Update(tea.KeyPressMsg{Code: 'Y', Text: "Y"})
	clip, n = copied(t, cmd)
	if clip != hostile {
		t.Errorf("Y copied %q, want the raw bytes", clip)
	}
	if !n.Error || !strings.Contains(n.Text, "control characters") || !strings.Contains(n.Text, "(OSC 52)") {
		t.Errorf("Y did not warn: %+v", n)
	}

	_, cmd = openDetail(t, "plain text").Update(tea.KeyPressMsg{Code: 'Y', Text: "Y"})
	if clip, n = copied(t, cmd); clip != "plain text" || n.Error {
		t.Errorf("Y of clean text: %q, %+v", clip, n)
	}

	for _, tc := range []struct{ value, want string }{
		{"{\n  \"cmd\": \"\\u001b[201~\",\n  \"rtl\": \"\u202e\"\n}", `{"cmd":"\u001b[201~","rtl":"\u202e"}`},
		{"\x00\x01\xff", "0001ff"},
		{"", ""},
	} {
		_, cmd := openDetail(t, tc.value).Update(press("y"))
		if clip, _ := copied(t, cmd); clip != tc.want {
			t.Errorf("y of %q copied %q, want %q", tc.value, clip, tc.want)
		}
	}
}

// FuzzClipboardText: whatever the value and however it is decoded, what y
// copies holds no C0 or C1 control, ESC, DEL, bidi control or invalid
// UTF-8.
func FuzzClipboardText(f *testing.F) {
	for _, s := range []string{"ls\x1b[201~\nrm -rf ~\n", `{"a":"\u001b]52;c;x\u0007"}`, "\u202e\u2066\u200f", "\xc2\x9b31m", "\x7f\xff", "[1,2]", "日本語\t"} {
		f.Add([]byte(s), uint8(0))
	}
	st := testCommon(f).Styles
	f.Fuzz(func(t *testing.T, value []byte, mode uint8) {
		m := decode.Mode(int(mode) % 5)
		clip := clipboardText(decode.NewDocument(value, m, st), m, value)
		if !utf8.ValidString(clip) {
			t.Fatalf("invalid UTF-8: %q", clip)
		}
		for _, r := range clip {
			if r < 0x20 || r >= 0x7f && r < 0xa0 || r >= 0x202a && r <= 0x202e || r >= 0x2066 && r <= 0x2069 || r == 0x200e || r == 0x200f || r == 0x061c {
				t.Fatalf("%U in the clipboard text %q of %q", r, clip, value)
			}
		}
	})
}
