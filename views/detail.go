package views

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"kscope/kafkaclient"
	"kscope/views/decode"
	"kscope/views/sanitize"
	"kscope/views/widget"
)

// maxHeaderLines bounds the headers table so the value keeps the screen.
const maxHeaderLines = 8

// Detail shows one record whole: its coordinates, timestamp, key, headers
// and value, the value decoded and scrolled in a viewport drawn lazily so
// a 10 MB value opens at once.
type Detail struct {
	c         *Common
	src       RecordSource
	seq       uint64
	rec       kafkaclient.Record
	valueMode decode.Mode
	keyMode   decode.Mode
	// doc is the value decoded; lines is doc laid out for the width.
	doc    decode.Document
	lines  decode.Document
	scroll int
	width  int
	height int
}

// RecordSource is the list of records a detail view steps through.
type RecordSource interface {
	// Record is the record numbered seq.
	Record(seq uint64) *kafkaclient.Record
	// Step is the record dir places from seq in the list, or nil at its ends.
	Step(seq uint64, dir int) (uint64, *kafkaclient.Record)
}

// NewDetail opens the record seq of src, decoded as the list showed it.
func NewDetail(c *Common, src RecordSource, seq uint64, keyMode, valueMode decode.Mode) *Detail {
	d := &Detail{c: c, src: src, seq: seq, valueMode: valueMode, keyMode: keyMode}
	d.load(*src.Record(seq))
	return d
}

func (d *Detail) load(r kafkaclient.Record) {
	d.rec = r
	d.decode()
	d.scroll = 0
}

// decode decodes the value as the mode says and lays it out.
func (d *Detail) decode() {
	d.doc = d.c.Client.Schemas.Document(&d.rec, false, d.valueMode, d.c.Styles)
	d.lines = d.doc.Wrap(d.width)
}

// Init implements View.
func (d *Detail) Init(Scope) tea.Cmd { return nil }

// Title implements View. The tail beneath names the topic, so the
// record is named by where it is in it.
func (d *Detail) Title() string {
	return fmt.Sprintf("partition %d · offset %d", d.rec.Partition, d.rec.Offset)
}

// SetSize implements View: text is wrapped again at the new width.
func (d *Detail) SetSize(w, h int) {
	if w != d.width {
		d.lines = d.doc.Wrap(w)
	}
	d.width, d.height = w, h
	d.scrollBy(0)
}

// Update implements View.
func (d *Detail) Update(msg tea.Msg) (View, tea.Cmd) {
	k := d.c.Keys
	switch msg := msg.(type) {
	case ThemeChanged, decode.SchemasChanged:
		d.decode()
	case tea.KeyPressMsg:
		if delta, ok := k.Step(msg, d.valueRows(), d.lines.Len()); ok {
			d.scrollBy(delta)
			return d, nil
		}
		switch {
		case key.Matches(msg, k.Next), key.Matches(msg, k.Prev):
			dir := 1
			if key.Matches(msg, k.Prev) {
				dir = -1
			}
			seq, r := d.src.Step(d.seq, dir)
			if r == nil {
				return d, notify("no more records that way", false)
			}
			d.seq = seq
			d.load(*r)
		case key.Matches(msg, k.ValueDecoder):
			d.valueMode = d.valueMode.Next()
			d.decode()
			d.scroll = 0
		case key.Matches(msg, k.KeyDecoder):
			d.keyMode = d.keyMode.Next()
		case key.Matches(msg, k.ShowSchema):
			return d, showSchema(d.c, &d.rec, false)
		case key.Matches(msg, k.Copy):
			text := clipboardText(d.doc, d.valueMode, d.rec.Value)
			return d, tea.Batch(tea.SetClipboard(text), notify(fmt.Sprintf(
				"sent the value as shown (%s, escapes visible) %s", bytesize(int64(len(text))), osc52), false))
		case key.Matches(msg, k.CopyRaw):
			raw := string(d.rec.Value)
			text := fmt.Sprintf("sent the raw value (%s) %s", bytesize(int64(len(raw))), osc52)
			if safe, _ := sanitize.Plain(raw); safe != raw {
				return d, tea.Batch(tea.SetClipboard(raw), notify(text+
					": it holds control characters or escapes, which can run commands when pasted into a terminal", true))
			}
			return d, tea.Batch(tea.SetClipboard(raw), notify(text, false))
		}
	case tea.MouseWheelMsg:
		switch msg.Button {
		case tea.MouseWheelUp:
			d.scrollBy(-3)
		case tea.MouseWheelDown:
			d.scrollBy(3)
		}
	}
	return d, nil
}

// osc52 says where a copy went: OSC 52 asks the terminal to set its
// clipboard and nothing answers, so whether it did is not known.
const osc52 = "to the terminal's clipboard (OSC 52)"

// clipboardText is the value as the screen shows it, on one line and safe
// to paste anywhere: no control character, escape sequence, bidi override
// or invalid byte, each shown as its visible escape (\x1b, \u202e) as in
// the tail's rows. A value holding "\x1b[201~" would otherwise end a
// shell's bracketed paste and run the rest as typed. JSON is copied
// compact, binary as its base64 or its hex digits, text as it is.
func clipboardText(doc decode.Document, mode decode.Mode, value []byte) string {
	plain := doc.Plain()
	switch doc.Kind() {
	case decode.KindJSON:
		var b bytes.Buffer
		if json.Compact(&b, value) == nil {
			plain = b.Bytes()
		}
	case decode.KindBinary:
		if mode != decode.Base64 {
			plain = []byte(hex.EncodeToString(value))
		}
	}
	text, _ := sanitize.Plain(string(plain))
	return text
}

func (d *Detail) scrollBy(n int) {
	d.scroll = min(max(d.scroll+n, 0), max(d.lines.Len()-d.valueRows(), 0))
}

func (d *Detail) headerLines() int {
	n := len(d.rec.Headers)
	if n == 0 {
		return 1
	}
	return min(n, maxHeaderLines) + 1
}

func (d *Detail) valueRows() int { return max(d.height-5-d.headerLines(), 1) }

// View implements View: only the value lines on screen are decoded.
func (d *Detail) View() string {
	st := d.c.Styles
	w := d.width
	label := func(s string) string { return st.Muted.Render(widget.Fit(s, 10, false)) }
	r := &d.rec
	tsType := "CreateTime"
	if r.LogAppendTime {
		tsType = "LogAppendTime"
	}
	topic, _ := sanitize.Styled(r.Topic, st.Escape)
	lines := []string{
		label("record") + topic + fmt.Sprintf("  partition %d  offset %d  %s", r.Partition, r.Offset, bytesize(int64(r.Size()))),
		label("timestamp") + r.Timestamp.UTC().Format(timestampLayout) + st.Muted.Render(" ("+tsType+", "+r.Timestamp.In(d.c.Zone()).Format("15:04:05.000 MST")+")"),
		label("key") + st.Muted.Render("["+d.keyMode.String()+"] ") + d.c.Client.Schemas.Preview(r, true, d.keyMode, max(w-20, 8), st),
	}
	if len(r.Headers) == 0 {
		lines = append(lines, label("headers")+st.Muted.Render("none"))
	} else {
		lines = append(lines, label("headers")+st.Muted.Render(strconv.Itoa(len(r.Headers))))
		kw := 0
		for _, h := range r.Headers[:min(len(r.Headers), maxHeaderLines)] {
			_, hw := sanitize.Plain(string(h.Key))
			kw = max(kw, min(hw, 30))
		}
		for i, h := range r.Headers {
			if i == maxHeaderLines-1 && len(r.Headers) > maxHeaderLines {
				lines = append(lines, strings.Repeat(" ", 10)+st.Muted.Render(fmt.Sprintf("… %d more", len(r.Headers)-i)))
				break
			}
			hk := sanitize.Line(string(h.Key), kw, "…", st.Escape)
			lines = append(lines, strings.Repeat(" ", 10)+st.Accent.Render(widget.Fit(hk, kw, false))+"  "+
				decode.Preview(h.Value, decode.Auto, max(w-kw-14, 8), st))
		}
	}
	rows := d.valueRows()
	end := min(d.scroll+rows, d.lines.Len())
	lines = append(lines, st.TableHeader.Render(fmt.Sprintf("value  %s · %s · lines %d–%d of %d",
		d.doc.Kind(), d.valueMode, min(d.scroll+1, end), end, d.lines.Len())))
	for i := d.scroll; i < end; i++ {
		lines = append(lines, d.lines.Line(i, w))
	}
	for i, l := range lines {
		lines[i] = ansi.Truncate(l, w, "…")
	}
	return strings.Join(lines, "\n")
}

// ShortHelp implements help.KeyMap.
func (d *Detail) ShortHelp() []key.Binding {
	k := d.c.Keys
	return []key.Binding{k.Next, k.Prev, k.ValueDecoder, k.ShowSchema, k.Copy, k.CopyRaw}
}

// FullHelp implements help.KeyMap.
func (d *Detail) FullHelp() [][]key.Binding {
	k := d.c.Keys
	return [][]key.Binding{{k.Next, k.Prev, k.ValueDecoder, k.KeyDecoder, k.ShowSchema, k.Copy, k.CopyRaw}, k.Movement()}
}
