package views

import (
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"

	"kscope/kafkaclient"
)

// rowEmoji are values whose width terminals disagree on when drawn whole:
// a skin tone, a ZWJ sequence, emoji selectors on narrow symbols, a lone
// regional indicator.
var rowEmoji = []string{"x👍🏽y", "x👨\u200d👩\u200d👧\u200d👦y", "x❤️y", "x☀️y", "x🇫y", `{"msg":"x👍🏽y ❤️"}`}

// TestRowsWithEmojiKeepTheirWidth: a row holding any of rowEmoji, in its
// key or its value, is exactly as wide as the screen and has its SIZE
// column where a plain row has it, whether the terminal draws grapheme
// clusters or code points (bubbletea measures one way or the other,
// depending on what the terminal says it does).
func TestRowsWithEmojiKeepTheirWidth(t *testing.T) {
	for _, mode := range []string{"auto", "text"} {
		v := openTestTail(t, 100)
		recs := []kafkaclient.Record{{Topic: "orders", Timestamp: t0, Key: []byte("plain-key"), Value: []byte("plain value")}}
		for i, s := range rowEmoji {
			recs = append(recs,
				kafkaclient.Record{Topic: "orders", Offset: int64(2*i + 1), Timestamp: t0, Key: []byte("k"), Value: []byte(s)},
				kafkaclient.Record{Topic: "orders", Offset: int64(2*i + 2), Timestamp: t0, Key: []byte(s), Value: []byte("v")})
		}
		feed(v, recs...)
		if mode == "text" {
			v.Update(press("V"))
			v.Update(press("V"))
		}
		lines := strings.Split(v.View(), "\n")
		header := ansi.Strip(lines[2])
		sizeAt := strings.Index(header, "SIZE")
		for i, r := range recs {
			line := ansi.Strip(lines[3+i])
			size := bytesize(int64(r.Size()))
			k := strings.LastIndex(line, size)
			for _, m := range []ansi.Method{ansi.GraphemeWidth, ansi.WcWidth} {
				if w := m.StringWidth(line); w != 120 {
					t.Errorf("%s, method %d: the row of %q is %d cells wide:\n%s", mode, m, r.Value, w, line)
				}
				if k < 0 || m.StringWidth(line[:k])+len(size) != sizeAt+len("SIZE") {
					t.Errorf("%s, method %d: the SIZE of %q (%s) is not where the header says:\n%s\n%s", mode, m, r.Value, size, header, line)
				}
			}
		}
	}
}
