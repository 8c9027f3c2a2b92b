package views

import (
	"context"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"

	"kscope/kafkaclient"
	"kscope/views/decode"
	"kscope/views/viewtest"
)

// tailer opens fake tails and remembers what each was asked and under
// which context, so a test can see the one before a seek closed.
type tailer struct {
	specs []kafkaclient.TailSpec
	ctxs  []context.Context
}

func (r *tailer) common(t *testing.T) *Common {
	c := testCommon(t)
	c.Client = ClientOf(&viewtest.Fake{TailFn: func(ctx context.Context, spec kafkaclient.TailSpec) (*kafkaclient.Tail, error) {
		r.specs = append(r.specs, spec)
		r.ctxs = append(r.ctxs, ctx)
		return &kafkaclient.Tail{ID: 100 + len(r.specs)}, nil
	}})
	return c
}

func TestTailKeyAsksWhereToStartFirst(t *testing.T) {
	inBubble(t, func(t *testing.T, h *host) {
		r := &tailer{}
		c := r.common(t)
		c.Snapshot = &kafkaclient.Snapshot{Topics: []kafkaclient.TopicInfo{{Name: "orders", Partitions: []kafkaclient.PartitionInfo{{ID: 0}}}}}
		h.push(NewTopics(c))
		h.send(press("t"))
		v := h.top().(*Tail)
		if s := plain(v); !strings.Contains(s, "where to start") || !strings.Contains(s, "◂ latest ▸") || len(r.specs) != 0 {
			t.Fatalf("t opened a tail (%v) without asking:\n%s", r.specs, s)
		}
		if got := v.Title(); got != "tail orders" {
			t.Errorf("title before starting %q", got)
		}
		for range 2 {
			h.send(tea.KeyPressMsg{Code: tea.KeyRight}) // earliest, last N
		}
		h.send(tea.KeyPressMsg{Code: tea.KeyTab})
		h.keys("x")
		h.send(tea.KeyPressMsg{Code: tea.KeyEnter})
		if s := plain(v); len(r.specs) != 0 || !strings.Contains(s, "a number of records") {
			t.Fatalf("a bad N was accepted (%v) or not explained:\n%s", r.specs, s)
		}
		h.send(tea.KeyPressMsg{Code: tea.KeyBackspace})
		h.keys("50")
		h.send(tea.KeyPressMsg{Code: tea.KeyEnter})
		if len(r.specs) != 1 || r.specs[0].From != (kafkaclient.From{Kind: kafkaclient.FromLast, Last: 50}) {
			t.Fatalf("opened %+v", r.specs)
		}
		if got := v.Title(); got != "tail orders from -50" || v.CapturesInput() {
			t.Errorf("after starting: title %q, form still open %v", got, v.CapturesInput())
		}
	})
}

func TestTailStartFormEscLeavesTheView(t *testing.T) {
	inBubble(t, func(t *testing.T, h *host) {
		r := &tailer{}
		h.push(askingTail(r.common(t), kafkaclient.TailSpec{Topic: "orders"}, false))
		h.send(press("esc"))
		if len(h.stack) != 0 || len(r.specs) != 0 {
			t.Errorf("esc on the start form: stack %d, tails opened %v", len(h.stack), r.specs)
		}
	})
}

func TestTailSeeksWithoutLeavingTheView(t *testing.T) {
	inBubble(t, func(t *testing.T, h *host) {
		r := &tailer{}
		v := h.push(NewTail(r.common(t), kafkaclient.TailSpec{Topic: "orders"})).(*Tail)
		if len(r.specs) != 1 {
			t.Fatalf("opened %v", r.specs)
		}
		h.send(kafkaclient.RecordBatch{Tail: 101, Records: [][]kafkaclient.Record{orders(0, 5)}, Received: 5, At: t0})
		if !strings.Contains(plain(v), "o-4") {
			t.Fatalf("records not shown:\n%s", plain(v))
		}
		h.send(press("t"))
		if s := plain(v); !strings.Contains(s, "Seek") {
			t.Fatalf("t did not ask where to seek:\n%s", s)
		}
		for range 4 {
			h.send(tea.KeyPressMsg{Code: tea.KeyRight}) // to offset
		}
		h.send(tea.KeyPressMsg{Code: tea.KeyTab})
		h.keys("1000")
		h.send(tea.KeyPressMsg{Code: tea.KeyEnter})
		if len(r.specs) != 2 || r.specs[1].From != (kafkaclient.From{Kind: kafkaclient.FromOffset, Offset: 1000}) {
			t.Fatalf("seek opened %+v", r.specs)
		}
		if r.ctxs[0].Err() == nil || r.ctxs[1].Err() != nil {
			t.Errorf("the tail before the seek is still open (%v), or the new one is not (%v)", r.ctxs[0].Err(), r.ctxs[1].Err())
		}
		if len(h.stack) != 1 || h.top() != v {
			t.Fatal("the seek left the view")
		}
		// What the closed tail still delivers is not mixed in.
		h.send(kafkaclient.RecordBatch{Tail: 101, Records: [][]kafkaclient.Record{orders(5, 6)}, Received: 6, At: t0})
		h.send(kafkaclient.RecordBatch{Tail: 102, Records: [][]kafkaclient.Record{orders(1000, 1001)}, Received: 1, At: t0})
		s := plain(v)
		if strings.Contains(s, "o-4 ") || strings.Contains(s, "o-5 ") || !strings.Contains(s, "o-1000") || !strings.Contains(s, "1 record ·") {
			t.Errorf("after the seek:\n%s", s)
		}
		if got := v.Title(); got != "tail orders from 1000" {
			t.Errorf("title %q", got)
		}
	})
}

func TestTailFromPartitionsDoesNotRepeatTheTopic(t *testing.T) {
	c := testCommon(t)
	c.Snapshot = &kafkaclient.Snapshot{Topics: []kafkaclient.TopicInfo{{Name: "orders", Partitions: []kafkaclient.PartitionInfo{{ID: 0}, {ID: 3}}}}}
	p := NewPartitions(c, "orders")
	p.SetSize(100, 10)
	p.Update(press("j"))
	_, cmd := p.Update(press("t"))
	v := cmd().(Push).View.(*Tail)
	v.spec.From = kafkaclient.From{Kind: kafkaclient.FromEarliest}
	v.gen = 1
	if got := v.Title(); got != "tail partition 3 from earliest" {
		t.Errorf("title under the partitions view %q", got)
	}
	if got := p.Title(); got != "topic orders (2 partitions)" {
		t.Errorf("partitions title %q", got)
	}
}

func TestEndedTailSaysSoInsteadOfWaiting(t *testing.T) {
	v := openTestTail(t, 10)
	v.Update(kafkaclient.TailEnded{Tail: 7, Err: errString("topic orders was deleted")})
	s := plain(v)
	if strings.Contains(s, "waiting for records") || !strings.Contains(s, "ENDED") || !strings.Contains(s, "topic orders was deleted") {
		t.Errorf("ended tail:\n%s", s)
	}
}

type errString string

func (e errString) Error() string { return string(e) }

func TestTailColumnsKeepKeysAndOffsetsWhole(t *testing.T) {
	v := openTestTail(t, 10)
	v.SetSize(80, 10)
	rec := order(11, 1234567, "gold")
	rec.Key = []byte("customer")
	feed(v, rec)
	line := lineWith(t, plain(v), "customer")
	for _, want := range []string{"09:20:34.567", "11", "1234567", "customer", `{"order_id"`} {
		if !strings.Contains(line, want) {
			t.Errorf("row at 80 columns lacks %q: %q", want, line)
		}
	}
}

func TestExportPromptSitsAtTheFootAndLeavesLaterKeys(t *testing.T) {
	v := openTestTail(t, 100)
	v.SetSize(100, 12)
	feed(v, orders(0, 30)...)
	v.Update(press("w"))
	lines := strings.Split(plain(v), "\n")
	if len(lines) != 12 || !strings.HasPrefix(lines[11], "export to: ") {
		t.Fatalf("prompt not on the last line:\n%s", strings.Join(lines, "\n"))
	}
	// The file existed: the question comes back after the prompt closed.
	v.Update(exportExists{prompt: v.export, path: "/tmp/x.jsonl"})
	_, cmd := v.Update(press("space"))
	if v.export != nil || !strings.Contains(plain(v), "PAUSED") {
		t.Errorf("space after the question was swallowed:\n%s", plain(v))
	}
	if n, ok := cmd().(Notice); !ok || !strings.Contains(n.Text, "export cancelled") {
		t.Errorf("no word that the export was cancelled: %+v", cmd())
	}
}

func TestDetailWrapsAndScrollsText(t *testing.T) {
	v := openTestTail(t, 10)
	rec := order(0, 1, "gold")
	rec.Value = []byte(longText + "\nTHE END")
	feed(v, rec)
	d := NewDetail(v.c, v, v.ring.First(), v.keyMode, decode.Text)
	d.SetSize(60, 10)
	s := plain(d)
	if !strings.Contains(s, "lines 1–3 of 8") || !strings.Contains(s, "2026-11-21 09:00:04.710 WARN [payments-worker-3]") {
		t.Fatalf("text not wrapped:\n%s", s)
	}
	for _, l := range strings.Split(s, "\n")[6:] { // the value's rows
		if strings.HasSuffix(l, "…") {
			t.Errorf("a line is cut instead of wrapped: %q", l)
		}
	}
	d.Update(press("G"))
	if s := plain(d); !strings.Contains(s, "THE END") || !strings.Contains(s, "of 8") {
		t.Errorf("G did not scroll to the end:\n%s", s)
	}
	if got := d.Title(); got != "partition 0 · offset 1" {
		t.Errorf("title %q repeats the tail's topic or lacks the record's place", got)
	}
	if !strings.Contains(s, "2026-11-21T09:00:00.001Z") {
		t.Errorf("timestamp without its three digits:\n%s", s)
	}
}
