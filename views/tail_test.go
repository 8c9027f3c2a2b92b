package views

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"kscope/kafkaclient"
	"kscope/themes"
)

var t0 = time.Date(2026, 11, 21, 9, 0, 0, 0, time.UTC)

func testCommon(t testing.TB) *Common {
	t.Helper()
	p, err := themes.Builtin("dark")
	if err != nil {
		t.Fatal(err)
	}
	// Times are shown in one zone, whatever the machine's, for golden files.
	return &Common{Styles: themes.New(p), Keys: DefaultKeyMap(), Now: func() time.Time { return t0 }, Location: time.UTC}
}

// openTestTail is a tail view as it is once its tail opened; batches are
// then fed to it as the tail would deliver them.
func openTestTail(t testing.TB, maxRecords int) *Tail {
	t.Helper()
	c := testCommon(t)
	c.TailRecords, c.TailBytes = maxRecords, 1<<30
	v := NewTail(c, kafkaclient.TailSpec{Topic: "orders"})
	v.SetSize(120, 20)
	v.Init(Scope{ID: 7, Ctx: t.Context()}) // its Cmd would open a tail: the tests feed one instead
	v.Update(TailOpened{Tail: &kafkaclient.Tail{ID: 7}, gen: v.gen})
	return v
}

func order(p int32, off int64, tier string) kafkaclient.Record {
	return kafkaclient.Record{
		Topic: "orders", Partition: p, Offset: off, Timestamp: t0.Add(time.Duration(off) * time.Millisecond),
		Key:     []byte(fmt.Sprintf("o-%d", off)),
		Value:   []byte(fmt.Sprintf(`{"order_id":"o-%d","customer":{"tier":%q},"amount":%d}`, off, tier, off)),
		Headers: []kafkaclient.Header{{Key: []byte("trace-id"), Value: []byte(fmt.Sprint(off))}},
	}
}

// feed delivers records as one batch, with every partition caught up
// and live by the tests' clock.
func feed(v *Tail, recs ...kafkaclient.Record) {
	v.received += int64(len(recs))
	v.Update(kafkaclient.RecordBatch{Tail: 7, Records: [][]kafkaclient.Record{recs}, Received: v.received, At: t0,
		Progress: []kafkaclient.PartitionProgress{{Partition: 0, Start: 0, Target: 1, Next: 1, High: 1, CaughtUpAt: t0, MovedAt: t0}}})
}

func orders(from, to int64) []kafkaclient.Record {
	var out []kafkaclient.Record
	tiers := []string{"gold", "silver", "bronze"}
	for i := from; i < to; i++ {
		out = append(out, order(0, i, tiers[i%3]))
	}
	return out
}

func press(s string) tea.KeyPressMsg {
	switch s {
	case "enter":
		return tea.KeyPressMsg{Code: tea.KeyEnter}
	case "esc":
		return tea.KeyPressMsg{Code: tea.KeyEscape}
	case "space":
		return tea.KeyPressMsg{Code: tea.KeySpace, Text: " "}
	case "up":
		return tea.KeyPressMsg{Code: tea.KeyUp}
	}
	return tea.KeyPressMsg{Code: []rune(s)[0], Text: s}
}

func plain(v View) string { return ansi.Strip(v.View()) }

func TestTailFollowsPausesAndResumes(t *testing.T) {
	v := openTestTail(t, 1000)
	feed(v, orders(0, 100)...)
	s := plain(v)
	if !strings.Contains(s, "● LIVE") || !strings.Contains(s, "o-99") || strings.Contains(s, " o-50 ") {
		t.Fatalf("following should show the newest records:\n%s", s)
	}
	v.Update(press("space"))
	feed(v, orders(100, 110)...)
	s = plain(v)
	if !strings.Contains(s, "PAUSED +10 new") || strings.Contains(s, "o-109") {
		t.Fatalf("paused view moved or did not count:\n%s", s)
	}
	v.Update(press("up"))
	if !strings.Contains(plain(v), "o-99") {
		t.Error("scrolling up from the bottom lost the screen")
	}
	v.Update(press("G"))
	s = plain(v)
	if !strings.Contains(s, "o-109") || strings.Contains(s, "PAUSED") {
		t.Fatalf("G did not resume following:\n%s", s)
	}
}

func TestTailScrollPausesAndBufferIsBounded(t *testing.T) {
	v := openTestTail(t, 50)
	feed(v, orders(0, 200)...)
	if v.ring.Len() != 50 || v.ring.Get(v.ring.First()).Offset != 150 {
		t.Fatalf("ring holds %d records from %d", v.ring.Len(), v.ring.Get(v.ring.First()).Offset)
	}
	v.Update(tea.MouseWheelMsg{Button: tea.MouseWheelUp})
	if !strings.Contains(plain(v), "PAUSED") {
		t.Error("the wheel should pause following")
	}
	if s := plain(v); !strings.Contains(s, "buffer 50/50") {
		t.Errorf("buffer use not shown:\n%s", s)
	}
}

func TestTailFilter(t *testing.T) {
	v := openTestTail(t, 1000)
	feed(v, orders(0, 30)...)
	if err := v.SetFilter(`.customer.tier == "gold"`); err != nil {
		t.Fatal(err)
	}
	filtered(v)
	feed(v, orders(30, 33)...)
	filtered(v)
	s := plain(v)
	if !strings.Contains(s, "matched 11 / 33 scanned") {
		t.Fatalf("status:\n%s", s)
	}
	if strings.Contains(s, "silver") || !strings.Contains(s, "o-30") {
		t.Errorf("filter let through the wrong records:\n%s", s)
	}
	if err := v.SetFilter("re:("); err == nil {
		t.Fatal("a bad regexp was accepted")
	}
	if !strings.Contains(plain(v), "matched 11 / 33 scanned") {
		t.Error("a rejected filter must leave the old one in force")
	}
	if err := v.SetFilter("key:o-1"); err != nil {
		t.Fatal(err)
	}
	filtered(v)
	if !strings.Contains(plain(v), "matched 11 / 33 scanned") { // o-1, o-10..o-19
		t.Errorf("key filter:\n%s", plain(v))
	}
	v.SetFilter("")
	if strings.Contains(plain(v), "matched") {
		t.Error("empty filter should clear")
	}
}

func TestTailDecoderSwitching(t *testing.T) {
	v := openTestTail(t, 10)
	feed(v, order(0, 1, "gold"))
	v.Update(press("V")) // json
	v.Update(press("V")) // text
	v.Update(press("V")) // hex
	if s := plain(v); !strings.Contains(s, "value:hex") || !strings.Contains(s, "7b 22 6f 72") {
		t.Fatalf("hex decoder not applied:\n%s", s)
	}
	v.Update(press("K"))
	if !strings.Contains(plain(v), "key:json") {
		t.Error("key decoder did not change")
	}
}

func TestTailNeutralisesHostileRecords(t *testing.T) {
	v := openTestTail(t, 10)
	feed(v, kafkaclient.Record{Topic: "orders", Offset: 1, Timestamp: t0,
		Key: []byte("\x1b[2J"), Value: []byte("title\x1b]0;pwned\x07 bell\a rtl\u202eevil \xff\xfe 日本語")})
	// Auto shows bytes like these as hex; text mode is where escapes could do harm.
	v.Update(press("V"))
	v.Update(press("V"))
	v.Update(press("K"))
	v.Update(press("K"))
	out := v.View()
	sgr := regexp.MustCompile("\x1b\\[[0-9;]*m")
	rest := sgr.ReplaceAllString(out, "")
	for _, bad := range []string{"\x1b", "\x07", "\u202e", "\xff"} {
		if strings.Contains(rest, bad) {
			t.Errorf("%q reached the screen", bad)
		}
	}
	if !strings.Contains(ansi.Strip(out), `\x1b]0;pwned\x07`) {
		t.Errorf("escapes not shown:\n%s", ansi.Strip(out))
	}
	for i, l := range strings.Split(out, "\n") {
		if w := ansi.StringWidth(l); w > 120 {
			t.Errorf("line %d is %d wide", i, w)
		}
	}
}

func TestDetailShowsRecordAndSteps(t *testing.T) {
	v := openTestTail(t, 10)
	feed(v, orders(0, 3)...)
	_, cmd := v.Update(press("enter"))
	d := cmd().(Push).View.(*Detail)
	d.SetSize(120, 30)
	s := plain(d)
	for _, want := range []string{"offset 2", "trace-id", `"tier": "bronze"`, "value  json"} {
		if !strings.Contains(s, want) {
			t.Errorf("detail lacks %q:\n%s", want, s)
		}
	}
	d.Update(press("p"))
	if !strings.Contains(plain(d), "offset 1") {
		t.Error("p did not step back")
	}
	d.Update(press("n"))
	d.Update(press("n"))
	if !strings.Contains(plain(d), "offset 2") {
		t.Error("n past the end should stay on the last record")
	}
	_, cmd = d.Update(press("y"))
	if cmd == nil {
		t.Error("y gave no clipboard command")
	}
}

func TestDetailOfBinaryIsAHexDump(t *testing.T) {
	v := openTestTail(t, 10)
	feed(v, kafkaclient.Record{Topic: "orders", Offset: 5, Timestamp: t0, Value: []byte{0, 1, 2, 0xff, 'A', 'B'}})
	_, cmd := v.Update(press("enter"))
	d := cmd().(Push).View.(*Detail)
	d.SetSize(120, 30)
	if s := plain(d); !strings.Contains(s, "00000000  00 01 02 ff 41 42") || !strings.Contains(s, "|....AB|") {
		t.Fatalf("hex dump:\n%s", s)
	}
}

func TestExportWritesJSONLinesAndNeverOverwritesSilently(t *testing.T) {
	v := openTestTail(t, 100)
	recs := orders(0, 3)
	recs[1].Value = []byte{0xff, 0x00}
	recs[2].Key = nil
	feed(v, recs...)
	path := filepath.Join(t.TempDir(), "out.jsonl")

	export := func() tea.Msg {
		_, cmd := v.Update(press("w"))
		if cmd == nil || !v.CapturesInput() {
			t.Fatal("w did not open the export prompt")
		}
		v.export.input.SetValue(path)
		_, cmd = v.Update(press("enter"))
		return cmd().(Answer).Msg
	}
	msg := export()
	if n, ok := msg.(Notice); !ok || n.Error || !strings.Contains(n.Text, "wrote 3 records to "+path) {
		t.Fatalf("export result %+v", msg)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(data)), "\n")
	if len(lines) != 3 {
		t.Fatalf("%d lines", len(lines))
	}
	var row map[string]any
	if err := json.Unmarshal([]byte(lines[1]), &row); err != nil {
		t.Fatal(err)
	}
	if row["value"] != "/wA=" || row["value_encoding"] != "base64" || row["offset"] != 1.0 || row["topic"] != "orders" {
		t.Errorf("binary row = %v", row)
	}
	if err := json.Unmarshal([]byte(lines[2]), &row); err != nil || row["key"] != nil {
		t.Errorf("nil key row = %v (%v)", row, err)
	}
	hs := row["headers"].([]any)
	if h := hs[0].(map[string]any); h["key"] != "trace-id" || h["value"] != "2" {
		t.Errorf("headers = %v", hs)
	}

	// The file exists now: the prompt asks, and "n" leaves it alone.
	msg = export()
	if _, ok := msg.(exportExists); !ok {
		t.Fatalf("an existing file was written without asking: %+v", msg)
	}
	v.Update(msg)
	if !strings.Contains(plain(v), "exists. Replace it? (y/N)") {
		t.Fatalf("no confirmation shown:\n%s", plain(v))
	}
	_, cmd := v.Update(press("n"))
	if n := cmd().(Notice); !strings.Contains(n.Text, "export cancelled") {
		t.Errorf("answer n: %+v", n)
	}
	if after, _ := os.ReadFile(path); string(after) != string(data) {
		t.Error("file changed after declining")
	}
}

func TestTailReportsLeaderMoves(t *testing.T) {
	v := openTestTail(t, 10)
	snap := func(leader int32) *kafkaclient.Snapshot {
		return &kafkaclient.Snapshot{Topics: []kafkaclient.TopicInfo{{Name: "orders", Partitions: []kafkaclient.PartitionInfo{
			{ID: 0, Leader: 1}, {ID: 1, Leader: leader},
		}}}}
	}
	v.Update(kafkaclient.ClusterUpdated{Snapshot: snap(2)})
	if strings.Contains(plain(v), "leader moved") {
		t.Fatal("the first snapshot is no move")
	}
	v.Update(kafkaclient.ClusterUpdated{Snapshot: snap(3)})
	if s := plain(v); !strings.Contains(s, "partition 1: leader moved from broker 2 to 3") {
		t.Errorf("no notice of the move:\n%s", s)
	}
}

// TestLiveMeansEveryReaderReachedTheWatermarkLately: a partition whose
// reader stopped hearing from its leader takes LIVE away and says why,
// and a reset's notice is not hidden by a lesser one that follows.
func TestLiveMeansEveryReaderReachedTheWatermarkLately(t *testing.T) {
	v := openTestTail(t, 100)
	feed(v, orders(0, 3)...)
	if s := plain(v); !strings.Contains(s, "● LIVE") {
		t.Fatalf("a caught-up tail is not live:\n%s", s)
	}
	stalled := kafkaclient.PartitionProgress{Partition: 1, Next: 5, High: 9, State: kafkaclient.ReaderRunning,
		CaughtUpAt: t0.Add(-10 * time.Second), MovedAt: t0.Add(-5 * time.Second), Err: errors.New("read tcp: i/o timeout")}
	live := kafkaclient.PartitionProgress{Partition: 0, Next: 3, High: 3, State: kafkaclient.ReaderRunning, CaughtUpAt: t0, MovedAt: t0}
	v.Update(kafkaclient.RecordBatch{Tail: 7, Received: v.received, At: t0, Progress: []kafkaclient.PartitionProgress{live, stalled}})
	s := plain(v)
	if strings.Contains(s, "LIVE ·") || !strings.Contains(s, "NOT LIVE: 1 partition stalled") || !strings.Contains(s, "p1 stalled for 5s: read tcp: i/o timeout") {
		t.Errorf("a stalled partition:\n%s", s)
	}
	v.Update(kafkaclient.TailNotice{Tail: 7, Partition: 1, Level: kafkaclient.NoticeReset, Text: "records 3..9 were deleted before they were read"})
	v.Update(kafkaclient.TailNotice{Tail: 7, Partition: 1, Level: kafkaclient.NoticeRetrying, Text: "retrying"})
	if s := plain(v); !strings.Contains(s, "partition 1: records 3..9 were deleted") {
		t.Errorf("the reset notice was replaced:\n%s", s)
	}
}
