package views

import (
	"bytes"
	"context"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/twmb/franz-go/pkg/sr"
	"github.com/twmb/franz-go/pkg/sr/srfake"

	"kscope/kafkaclient"
	"kscope/views/decode"
)

// filtered does the filter's work as the program would, in order: it
// takes the wake-up the listener would deliver, evaluates each chunk and
// gives its answer to Update, until the filter has read the buffer.
func filtered(v *Tail) {
	select {
	case <-v.wake:
	default:
	}
	for cmd := v.scanNext(); cmd != nil; {
		_, cmd = v.Update(cmd().(Answer).Msg)
	}
}

// countingFilter is a real filter whose evaluations are counted, and
// which may stop each one until released.
type countingFilter struct {
	recordFilter
	evals atomic.Int64
	// hold, when set, makes each evaluation wait for it to close or for
	// the evaluation's context to end: a filter that never finishes.
	hold chan struct{}
}

func (f *countingFilter) Eval(ctx context.Context, r *kafkaclient.Record) (bool, error) {
	f.evals.Add(1)
	if f.hold != nil {
		select {
		case <-f.hold:
		case <-ctx.Done():
			return false, ctx.Err()
		}
	}
	return f.recordFilter.Eval(ctx, r)
}

// counting makes v's filters countingFilters, and returns the last made.
func counting(v *Tail, hold chan struct{}) *atomic.Pointer[countingFilter] {
	var last atomic.Pointer[countingFilter]
	v.parse = func(expr string) (recordFilter, error) {
		f, err := parseFilter(expr)
		if f == nil || err != nil {
			return f, err
		}
		c := &countingFilter{recordFilter: f, hold: hold}
		last.Store(c)
		return c, nil
	}
	return &last
}

// TestAFilterThatNeverFinishesDoesNotHoldKeys: a jq filter that runs to
// its step limit on every record, set on a full buffer of 20,000, costs
// Update no evaluation at all: setting it, the next key, and starting the
// first chunk each return without evaluating a record, so keys and
// ctrl+c are answered in the next frame. Esc (the empty filter) cancels
// the chunk under way.
func TestAFilterThatNeverFinishesDoesNotHoldKeys(t *testing.T) {
	v := openTestTail(t, 20_000)
	for i := int64(0); i < 20_000; i += 1000 {
		feed(v, orders(i, i+1000)...)
	}
	last := counting(v, nil)
	if err := v.SetFilter("jq:until(false; .)"); err != nil {
		t.Fatal(err)
	}
	f := last.Load()
	_, cmd := v.Update(press("space"))
	if n := f.evals.Load(); n != 0 || cmd != nil || v.follow {
		t.Fatalf("setting the filter and a key cost Update %d evaluations (paused: %v)", n, !v.follow)
	}
	if s := plain(v); !strings.Contains(s, "filtering 0 / 20,000…") {
		t.Errorf("no progress shown:\n%s", s)
	}
	// What it found so far is not what the filter selects: no export yet.
	if _, cmd := v.Update(press("w")); v.export != nil || cmd == nil || !strings.Contains(cmd().(Notice).Text, "read 0 of 20,000 records") {
		t.Error("export offered while the filter reads the buffer")
	}
	// The listener delivers the wake-up; Update starts a chunk, and only
	// copies its records.
	_, cmd = v.Update(v.listen()().(Answer).Msg)
	if n := f.evals.Load(); n != 0 || cmd == nil || !v.scan.busy {
		t.Fatalf("starting the filter cost Update %d evaluations, or started nothing", n)
	}
	ctx := v.scan.ctx
	if err := v.SetFilter(""); err != nil {
		t.Fatal(err)
	}
	if ctx.Err() == nil || f.evals.Load() != 0 {
		t.Error("esc did not cancel the filter's work, or evaluated in Update")
	}
}

// TestFilterRunsOffTheEventLoopAndIsCancellable: while a chunk is stuck in
// a filter that does not return, records keep arriving and keys keep
// being handled; a new filter cancels it, its late answer is dropped, and
// the new filter reads every record once, the new arrivals included.
func TestFilterRunsOffTheEventLoopAndIsCancellable(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		c := testCommon(t)
		c.TailRecords, c.TailBytes = 5000, 1<<30
		v := NewTail(c, kafkaclient.TailSpec{Topic: "orders"})
		v.SetSize(120, 20)
		v.Init(Scope{ID: 7, Ctx: ctx})
		v.Update(TailOpened{Tail: &kafkaclient.Tail{ID: 7}, gen: v.gen})
		feed(v, orders(0, 3000)...)

		hold := make(chan struct{})
		last := counting(v, hold)
		v.SetFilter("gold")
		stuck := last.Load()
		<-v.wake // what the listener takes before Update starts the chunk
		chunk := v.scanNext()
		answer := make(chan tea.Msg, 1)
		go func() { answer <- chunk() }()
		synctest.Wait()
		if stuck.evals.Load() != 1 {
			t.Fatalf("%d evaluations under way", stuck.evals.Load())
		}
		feed(v, orders(3000, 3500)...)
		v.Update(press("space"))
		if v.follow || stuck.evals.Load() != 1 {
			t.Fatal("a key waited for the filter, or Update evaluated")
		}

		counting(v, nil)
		v.SetFilter("silver")
		synctest.Wait()
		select {
		case msg := <-answer:
			v.Update(msg.(Answer).Msg) // the cancelled chunk's answer: dropped
		default:
			t.Fatal("the cancelled chunk is still evaluating")
		}
		filtered(v)
		s := plain(v)
		if want := "matched 1,167 / 3,500 scanned"; !strings.Contains(s, want) {
			t.Errorf("want %q:\n%s", want, s)
		}
		if len(v.matches) != 1167 || v.scan.next != 3500 {
			t.Errorf("%d matches, read to %d", len(v.matches), v.scan.next)
		}
		for i, seq := range v.matches {
			if r := v.ring.Get(seq); i > 0 && seq <= v.matches[i-1] || !strings.Contains(string(r.Value), "silver") {
				t.Fatalf("match %d is record %d: %s", i, seq, r.Value)
			}
		}
	})
}

// TestFilterKeepsRecordsItHasNotRead: records arriving while a chunk is
// read wait outside the buffer rather than evict records the filter has
// yet to read, and the view waits for no more of the tail meanwhile; once
// the chunk is read they come in, every record is read exactly once, and
// the matches still buffered are listed.
func TestFilterKeepsRecordsItHasNotRead(t *testing.T) {
	v := openTestTail(t, 100)
	feed(v, orders(0, 100)...)
	v.SetFilter("gold") // every third record
	<-v.wake
	chunk := v.scanNext() // records 0..99, copied
	feed(v, orders(100, 250)...)
	if !v.scan.busy {
		t.Fatal("records arriving while a chunk is read started another")
	}
	if v.ring.First() != 0 || v.ring.End() != 100 || v.hold == nil {
		t.Fatalf("buffer %d..%d, held %v: records the filter has yet to read were evicted, or the tail not held", v.ring.First(), v.ring.End(), v.hold != nil)
	}
	_, cmd := v.Update(chunk().(Answer).Msg)
	// The answer started the next chunk itself: the records it let in
	// woke no listener, which would cost a message for nothing.
	select {
	case <-v.wake:
		t.Error("the answer's held-back records woke the listener")
	default:
	}
	if !v.scan.busy || cmd == nil {
		t.Fatal("the answer did not start the next chunk")
	}
	for cmd != nil {
		_, cmd = v.Update(cmd().(Answer).Msg)
	}
	filtered(v)
	if v.scan.scanned != 250 || v.scan.next != 250 || v.hold != nil || len(v.backlog) != 0 {
		t.Errorf("scanned %d, read to %d, held %v, backlog %d; want 250, 250, released, none", v.scan.scanned, v.scan.next, v.hold != nil, len(v.backlog))
	}
	var want []uint64
	for seq := uint64(150); seq < 250; seq++ {
		if seq%3 == 0 {
			want = append(want, seq)
		}
	}
	if len(v.matches) != len(want) {
		t.Fatalf("matches %v, want %v", v.matches, want)
	}
	for i := range want {
		if v.matches[i] != want[i] {
			t.Fatalf("matches %v, want %v", v.matches, want)
		}
	}
}

// TestFilterCountsRecordsOverTheStepLimit: a jq filter that runs out of
// steps on some records says how many on the status line, and those
// records do not match, inverted or not.
func TestFilterCountsRecordsOverTheStepLimit(t *testing.T) {
	v := openTestTail(t, 100)
	feed(v, orders(0, 6)...)
	v.SetFilter(`!jq:if .customer.tier == "gold" then until(false; .) else false end`)
	filtered(v)
	s := plain(v)
	if !strings.Contains(s, "matched 4 / 6 scanned") || !strings.Contains(s, "2 records over the jq step limit") {
		t.Errorf("status:\n%s", s)
	}
	if rows := strings.SplitN(s, "\n", 4)[3]; strings.Contains(rows, "gold") {
		t.Errorf("a record over the limit is listed:\n%s", s)
	}
}

// TestAChunkReadInPlaceKeepsItsRecords: a filter reads its chunk in the
// buffer itself; cleared while it does, and with records arriving that
// would evict that chunk, the buffer keeps the chunk's records until the
// chunk answers, then takes the new ones. Run with -race, a record
// overwritten under the reader shows as a race.
func TestAChunkReadInPlaceKeepsItsRecords(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		v := openTestTail(t, 100)
		feed(v, orders(0, 100)...)
		release := make(chan struct{})
		last := counting(v, release)
		if err := v.SetFilter("gold"); err != nil {
			t.Fatal(err)
		}
		<-v.wake
		chunk := v.scanNext()
		answer := make(chan tea.Msg, 1)
		go func() { answer <- chunk() }()
		synctest.Wait()
		if last.Load().evals.Load() != 1 {
			t.Fatal("the chunk is not under way")
		}
		if err := v.SetFilter(""); err != nil {
			t.Fatal(err)
		}
		feed(v, orders(100, 250)...)
		if v.ring.First() != 0 || len(v.backlog) == 0 {
			t.Fatalf("buffer %d..%d with a backlog of %d while a chunk reads 0..99", v.ring.First(), v.ring.End(), len(v.backlog))
		}
		close(release)
		synctest.Wait()
		v.Update((<-answer).(Answer).Msg)
		if v.ring.First() != 150 || v.ring.End() != 250 || len(v.backlog) != 0 || v.hold != nil {
			t.Fatalf("after the answer: buffer %d..%d, backlog %d, held %v", v.ring.First(), v.ring.End(), len(v.backlog), v.hold != nil)
		}
	})
}

// evalGoroutines notes the goroutines a filter's evaluations ran on.
// Records shared among the processors are evaluated on several, whether
// or not a loaded machine runs them at the same moment; records kept on
// one processor are evaluated on the caller's alone.
type evalGoroutines struct{ ids sync.Map }

func (g *evalGoroutines) note() {
	buf := make([]byte, 32)
	buf = buf[:runtime.Stack(buf, false)] // "goroutine 42 [running]:…"
	id, _, _ := bytes.Cut(bytes.TrimPrefix(buf, []byte("goroutine ")), []byte(" "))
	g.ids.Store(string(id), true)
}

func (g *evalGoroutines) count() int {
	n := 0
	g.ids.Range(func(any, any) bool { n++; return true })
	return n
}

// costlyFilter matches records whose value ends in "7" after spinning
// for cost, says it is costly when it is, and notes where it ran.
type costlyFilter struct {
	recordFilter
	cost time.Duration
	evalGoroutines
}

func (f *costlyFilter) Costly() bool { return f.cost > 0 }

func (f *costlyFilter) Eval(ctx context.Context, r *kafkaclient.Record) (bool, error) {
	f.note()
	for end := time.Now().Add(f.cost); time.Now().Before(end); {
	}
	return strings.HasSuffix(string(r.Value), "7"), nil
}

// Records a costly filter evaluates are shared among the processors,
// those of a cheap one are not, and either way the matches come in the
// buffer's order, each once.
func TestFilterSharesCostlyRecords(t *testing.T) {
	recs := make([]kafkaclient.Record, 3000)
	var want []uint64
	for i := range recs {
		recs[i].Value = []byte(strconv.Itoa(i))
		if i%10 == 7 {
			want = append(want, uint64(1000+i))
		}
	}
	for _, tc := range []struct {
		cost   time.Duration
		shared bool
	}{{0, false}, {20 * time.Microsecond, runtime.GOMAXPROCS(0) > 1}} {
		f := &costlyFilter{cost: tc.cost}
		out := filterChunkDone{from: 1000}
		if !evalChunk(context.Background(), f, recs, &out, nil, time.Now()) && out.n == 0 {
			t.Fatalf("cost %v: nothing evaluated", tc.cost)
		}
		if !slices.Equal(out.matches, want[:len(out.matches)]) || len(out.matches) < out.n/10-1 {
			t.Errorf("cost %v: %d evaluated, matches %v…", tc.cost, out.n, out.matches[:min(5, len(out.matches))])
		}
		if n := f.count(); tc.shared != (n > 1) {
			t.Errorf("cost %v: %d evaluations ran on %d goroutines", tc.cost, out.n, n)
		}
	}
}

// A cancelled filter stops between rounds and says it did not finish,
// keeping nothing of the round it was cut short in, on one processor or
// several.
func TestFilterSharedStopsWhenCancelled(t *testing.T) {
	recs := make([]kafkaclient.Record, 3000)
	for i := range recs {
		recs[i].Value = []byte("7")
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	for _, cost := range []time.Duration{0, 20 * time.Microsecond} {
		f := &costlyFilter{cost: cost}
		out := filterChunkDone{}
		if evalChunk(ctx, f, recs, &out, nil, time.Now()) || out.n != 0 || len(out.matches) != 0 {
			t.Errorf("cost %v, cancelled: %d evaluated, %d matches kept", cost, out.n, len(out.matches))
		}
	}
}

// One chunk reads every record buffered when it starts: reading fewer
// would spare the buffer nothing, since it evicts only what the filter
// has read, and would cost the event loop more round trips. (In the
// bubble the clock stands still, so the time slice never cuts it short.)
func TestFilterChunkReadsTheBuffer(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		v := openTestTail(t, 50000)
		feed(v, orders(0, 40000)...)
		if err := v.SetFilter("gold"); err != nil {
			t.Fatal(err)
		}
		<-v.wake
		done := v.scanNext()().(Answer).Msg.(filterChunkDone)
		if done.n != 40000 || len(done.matches) != 13334 {
			t.Errorf("one chunk read %d records and matched %d, want 40000 and 13334", done.n, len(done.matches))
		}
	})
}

// sharedFilter is a real filter that notes where it ran.
type sharedFilter struct {
	recordFilter
	evalGoroutines
}

func (f *sharedFilter) Eval(ctx context.Context, r *kafkaclient.Record) (bool, error) {
	f.note()
	return f.recordFilter.Eval(ctx, r)
}

// Records decoded from a registry cost microseconds each: even a text
// search over them is shared among the processors, and matches what the
// records decode to, in order.
func TestFilterSharesDecodedRecords(t *testing.T) {
	fake := srfake.New()
	defer fake.Close()
	fake.SeedSchema("bench-avro-value", 1, 1, sr.Schema{Schema: benchAvro})
	reg, err := kafkaclient.NewRegistry(kafkaclient.RegistryConfig{URLs: []string{fake.URL()}})
	if err != nil {
		t.Fatal(err)
	}
	defer reg.Close()
	schemas := decode.NewSchemas(t.Context(), reg, decode.SchemasOptions{})
	values := avroValues(t)
	recs := make([]kafkaclient.Record, 3000)
	var want []uint64
	for i := range recs {
		recs[i].Value = slices.Clone(values[i%len(values)])
		if i%len(values)%3 == 2 {
			want = append(want, uint64(i))
		}
	}
	for schemas.Decoded(&recs[0]) == &recs[0] {
		time.Sleep(time.Millisecond) // the schema's first fetch
	}
	plain, err := parseFilter(`value:"tier":"GOLD"`)
	if err != nil {
		t.Fatal(err)
	}
	f := &sharedFilter{recordFilter: plain}
	out := filterChunkDone{}
	for out.n < len(recs) {
		evalChunk(t.Context(), f, recs[out.n:], &out, schemas, time.Now())
	}
	if !slices.Equal(out.matches, want) {
		t.Errorf("%d matches, want %d; first %v", len(out.matches), len(want), out.matches[:min(5, len(out.matches))])
	}
	if n := f.count(); runtime.GOMAXPROCS(0) > 1 && n < 2 {
		t.Errorf("evaluated on %d goroutine: decoded records were not shared", n)
	}
}

// However few the records and many the processors, each record is
// evaluated once, in order.
func TestFilterSharedFewRecords(t *testing.T) {
	f := &costlyFilter{cost: time.Microsecond}
	for n := 1; n <= 9; n++ {
		for workers := 1; workers <= 8; workers++ {
			recs := make([]kafkaclient.Record, n)
			var want []uint64
			for i := range recs {
				recs[i].Value = []byte(strconv.Itoa(i + 3))
				if (i+3)%10 == 7 {
					want = append(want, uint64(10+i))
				}
			}
			out := filterChunkDone{from: 10}
			if _, ok := evalShared(context.Background(), f, recs, &out, nil, workers); !ok || out.n != n || !slices.Equal(out.matches, want) {
				t.Errorf("%d records, %d workers: evaluated %d, matches %v, want %v", n, workers, out.n, out.matches, want)
			}
		}
	}
}
