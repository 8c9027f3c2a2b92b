package views

import (
	"context"
	"slices"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"kscope/kafkaclient"
)

// batchOf is recs as the tail delivers them, in chunks of per records,
// each marked by m when there is one, as the tail's fetchers mark them.
func batchOf(v *Tail, m *kafkaclient.Marker, per int, recs []kafkaclient.Record) kafkaclient.RecordBatch {
	v.received += int64(len(recs))
	b := kafkaclient.RecordBatch{Tail: 7, Received: v.received, At: t0,
		Progress: []kafkaclient.PartitionProgress{{Partition: 0, Start: 0, Target: 1, Next: 1, High: 1, CaughtUpAt: t0, MovedAt: t0}}}
	for len(recs) > 0 {
		n := min(per, len(recs))
		b.Records = append(b.Records, recs[:n])
		if m != nil {
			marks := m.Mark(recs[:n])
			marks.Tag = m.Tag
			b.Marks = append(b.Marks, marks)
		}
		recs = recs[n:]
	}
	return b
}

// woken reports whether a wake-up for the filter's listener is pending,
// and takes it.
func woken(v *Tail) bool {
	select {
	case <-v.wake:
		return true
	default:
		return false
	}
}

// goldIn is the sequence numbers of the gold orders buffered, in order.
func goldIn(v *Tail) []uint64 {
	var out []uint64
	for seq := v.ring.First(); seq < v.ring.End(); seq++ {
		if strings.Contains(string(v.ring.Get(seq).Value), `"gold"`) {
			out = append(out, seq)
		}
	}
	return out
}

// Records the tail marked with the filter in force, once the filter has
// read the buffer, go in read: Update takes them with their matches,
// evaluates nothing, starts no chunk and wakes no listener, and the tail
// is never held, however much the buffer evicts.
func TestMarkedRecordsGoInRead(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		v := openTestTail(t, 1000)
		last := counting(v, nil)
		if err := v.SetFilter("gold"); err != nil {
			t.Fatal(err)
		}
		filtered(v)
		f, m := last.Load(), v.marker()
		if m == nil || m.Tag != v.scan.gen {
			t.Fatal("no marker for the filter in force")
		}
		for i := range int64(5) {
			b := batchOf(v, m, 300, orders(i*1000, i*1000+1000))
			evals := f.evals.Load()
			if evals != (i+1)*1000 {
				t.Fatalf("batch %d: %d evaluations marking it, want %d", i, evals, (i+1)*1000)
			}
			_, cmd := v.Update(b)
			if f.evals.Load() != evals || woken(v) || v.scan.busy || v.hold != nil {
				t.Fatalf("batch %d: Update evaluated %d, woke the listener %v, chunk %v, held %v",
					i, f.evals.Load()-evals, !woken(v), v.scan.busy, v.hold != nil)
			}
			if cmd == nil {
				t.Fatalf("batch %d: Update does not wait for the next event", i)
			}
		}
		if v.scan.scanned != 5000 || v.scan.matched != 1667 || v.scan.next != v.ring.End() {
			t.Errorf("scanned %d, matched %d, read to %d of %d; want 5000, 1667, all", v.scan.scanned, v.scan.matched, v.scan.next, v.ring.End())
		}
		if want := goldIn(v); !slices.Equal(v.matches, want) {
			t.Errorf("%d matches listed, want the %d gold orders buffered", len(v.matches), len(want))
		}
		if s := plain(v); !strings.Contains(s, "matched 1,667 / 5,000 scanned") {
			t.Errorf("status:\n%s", s)
		}
	})
}

// Records marked by a filter replaced since, or while the filter was
// still reading the buffer, are read again in chunks, each match found
// once.
func TestMarksTheFilterCannotUse(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		v := openTestTail(t, 1000)
		if err := v.SetFilter("silver"); err != nil {
			t.Fatal(err)
		}
		filtered(v)
		old := v.marker()
		if err := v.SetFilter("gold"); err != nil {
			t.Fatal(err)
		}
		filtered(v)
		v.Update(batchOf(v, old, 300, orders(0, 600)))
		if v.scan.scanned != 0 || len(v.matches) != 0 || !woken(v) {
			t.Fatalf("the replaced filter's marks counted: scanned %d, %d matches", v.scan.scanned, len(v.matches))
		}
		// A new filter reads the 600 buffered; records marked meanwhile
		// come after records it has not read.
		if err := v.SetFilter("gold"); err != nil {
			t.Fatal(err)
		}
		v.Update(batchOf(v, v.marker(), 300, orders(600, 900)))
		if v.scan.scanned != 0 {
			t.Fatalf("records marked behind unread ones counted: scanned %d", v.scan.scanned)
		}
		filtered(v)
		if want := goldIn(v); v.scan.scanned != 900 || !slices.Equal(v.matches, want) {
			t.Errorf("scanned %d with %d matches, want 900 with the %d gold orders", v.scan.scanned, len(v.matches), len(want))
		}
	})
}

// slowFilter is a real filter that takes a millisecond a record and does
// not say it is costly.
type slowFilter struct{ recordFilter }

func (f slowFilter) Eval(ctx context.Context, r *kafkaclient.Record) (bool, error) {
	time.Sleep(time.Millisecond)
	return f.recordFilter.Eval(ctx, r)
}

// A slow filter marks a chunk for a time slice at most; the records it did
// not reach, and those after them, are read in chunks.
func TestFilterReadsWhatItDidNotMark(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		v := openTestTail(t, 1000)
		v.parse = func(expr string) (recordFilter, error) {
			p, err := parseFilter(expr)
			return slowFilter{p}, err
		}
		if err := v.SetFilter("gold"); err != nil {
			t.Fatal(err)
		}
		filtered(v)
		v.Update(batchOf(v, v.marker(), 150, orders(0, 300)))
		read := v.scan.scanned
		if read == 0 || read >= 150 || !woken(v) {
			t.Fatalf("%d of 300 records went in read; want part of the first chunk, and a wake-up for the rest", read)
		}
		filtered(v)
		if want := goldIn(v); v.scan.scanned != 300 || !slices.Equal(v.matches, want) {
			t.Errorf("scanned %d with %d matches; want 300 with %d", v.scan.scanned, len(v.matches), len(want))
		}
	})
}

// A costly filter, a jq program, marks nothing: chunks share its
// evaluations among the processors. No filter marks nothing either.
func TestNoMarker(t *testing.T) {
	v := openTestTail(t, 1000)
	if v.marker() != nil {
		t.Error("a marker without a filter")
	}
	if err := v.SetFilter("jq:.amount > 1"); err != nil {
		t.Fatal(err)
	}
	if v.marker() != nil {
		t.Error("a jq filter marks records")
	}
}

// Records the buffer takes only in part keep what the filter found in
// the rest.
func TestArrivalSkip(t *testing.T) {
	a := arrival{recs: orders(0, 10), read: 8, matches: []int{1, 4, 7}}
	a.skip(3)
	if len(a.recs) != 7 || a.read != 5 || !slices.Equal(a.matches, []int{1, 4}) || a.recs[0].Offset != 3 {
		t.Errorf("after skipping 3: %d records from offset %d, read %d, matches %v", len(a.recs), a.recs[0].Offset, a.read, a.matches)
	}
	a.skip(6)
	if a.read != 0 || len(a.matches) != 0 {
		t.Errorf("after skipping past what was read: read %d, matches %v", a.read, a.matches)
	}
}
