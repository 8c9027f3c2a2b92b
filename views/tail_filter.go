package views

import (
	"context"
	"errors"
	"runtime"
	"slices"
	"sync"
	"time"

	tea "charm.land/bubbletea/v2"

	"kscope/kafkaclient"
	"kscope/views/decode"
	"kscope/views/filter"
)

// A filter is never evaluated in Update: a jq expression may take
// milliseconds a record, and a buffer holds a hundred thousand. The
// records are read in chunks, in the buffer itself, in a Cmd under a
// context of the filter's own, which a new filter, esc (the empty
// filter), a seek and the view's closing cancel. Its answer is merged in
// Update, and the next chunk starts from there, so records that arrive
// meanwhile are read in their turn, each record once; none leaves the
// buffer unread (see admit). The tail also marks its records with the
// filter as it reads them (see marker): once the filter has read the
// buffer, chunks read only what the marks do not cover.
//
// A chunk reads every record buffered when it starts, for as long as
// filterSlice allows. Reading fewer would not spare the buffer: it may
// evict only the records the filter has read, wherever a chunk ends. It
// would only cost more round trips through a busy event loop, while the
// records arriving wait for the filter (see waitOrHold): with chunks of
// 16,384 records, a 5M-record tail was held 0.2–0.5 s of its 2 s, and
// 0.1–0.16 s with chunks of all that is buffered.
const (
	// filterBehind is how far behind the records arriving the filter may
	// be and still count as keeping up with them.
	filterBehind = 16384
	// filterSlice is about how long a chunk evaluates before it answers,
	// so that a slow filter still shows its progress several times a second.
	filterSlice = 50 * time.Millisecond
	// filterListen is the longest listen waits before it is issued again.
	filterListen = time.Minute
)

// recordFilter is what the tail needs of a filter: *filter.Filter, or in
// tests one that counts where it is evaluated.
type recordFilter interface {
	Eval(context.Context, *kafkaclient.Record) (bool, error)
	Describe() string
}

// costly reports a filter whose every evaluation costs microseconds, a jq
// program (see filter.Filter.Costly).
func costly(f recordFilter) bool {
	c, ok := f.(interface{ Costly() bool })
	return ok && c.Costly()
}

// parseFilter is filter.Parse, giving no recordFilter at all for the
// empty expression.
func parseFilter(expr string) (recordFilter, error) {
	f, err := filter.Parse(expr)
	if f == nil || err != nil {
		return nil, err
	}
	return f, nil
}

// filterScan is where the filter in force has got to in the buffer.
type filterScan struct {
	ctx    context.Context
	cancel context.CancelFunc
	// gen numbers the scans, so that the answer of a chunk of a scan
	// cancelled since is dropped.
	gen int
	// next is the sequence number of the first record not yet read: every
	// record before it was evaluated, or evicted before its turn.
	next uint64
	// busy is set while a chunk is evaluated.
	busy bool
	// catchingUp is set until the scan first reaches the end of the buffer:
	// the records buffered when the filter was set are still being read.
	catchingUp bool

	scanned, matched int64
	// limited counts the records whose evaluation ran out of steps.
	limited int64
}

// filterWake asks the view to start reading the buffer: a filter was just
// set, or records arrived while it was idle. SetFilter cannot return a
// Cmd, so it wakes the listener the view keeps waiting, whose answer comes
// back to Update like any other.
type filterWake struct{}

// filterChunkDone is the answer of one chunk: of the records from seq from on,
// n were evaluated, these matched, and limited ran out of steps.
type filterChunkDone struct {
	gen     int
	from    uint64
	n       int
	matches []uint64
	limited int64
}

// SetFilter implements Filterable: the filter applies to the buffer, read
// off the event loop, and to every record that arrives after. An
// expression that does not parse leaves the filter in force as it is.
func (v *Tail) SetFilter(expr string) error {
	f, err := v.parse(expr)
	if err != nil {
		return err
	}
	v.filter, v.expr = f, expr
	v.startScan()
	return nil
}

// FilterFirst sets the filter a tail opens with, before Init: it reads
// every record the tail reads, from the first.
func (v *Tail) FilterFirst(expr string) error {
	f, err := v.parse(expr)
	if err != nil {
		return err
	}
	v.filter, v.expr = f, expr
	return nil
}

// Filter implements Filterable.
func (v *Tail) Filter() string { return v.expr }

// startScan drops what the scan before found and, with a filter in force,
// starts reading the buffer from its oldest record.
func (v *Tail) startScan() {
	s := &v.scan
	if s.cancel != nil {
		s.cancel()
	}
	*s = filterScan{gen: s.gen + 1, next: v.ring.First()}
	v.matches = v.matches[:0]
	if v.filter == nil {
		v.mark()
		v.admitted(v.admit())
		v.release(false)
		return
	}
	s.ctx, s.cancel = context.WithCancel(v.scope.Ctx)
	s.catchingUp = true
	v.mark() // with the new scan's context and number
	v.wakeFilter()
}

// wakeFilter has the listener start the filter reading; Update is not
// always where a Cmd can be returned (SetFilter), and this way chunks start
// from one place.
func (v *Tail) wakeFilter() {
	select {
	case v.wake <- struct{}{}:
	default: // a wake-up is pending already
	}
}

// listen waits for a wake-up; it is issued again with each. It also
// answers after filterListen without one, so that it never outlives a view
// whose context nobody cancels (a test's) by more than that; Update takes
// that answer as a wake-up too, which finds nothing to do.
func (v *Tail) listen() tea.Cmd {
	wake := v.wake
	return v.scope.Do(func(ctx context.Context) tea.Msg {
		timer := time.NewTimer(filterListen)
		defer timer.Stop()
		select {
		case <-wake:
		case <-timer.C:
		case <-ctx.Done():
			return nil
		}
		return filterWake{}
	})
}

// scanNext starts evaluating the next chunk, if the filter has records
// left to read and no chunk is being evaluated.
func (v *Tail) scanNext() tea.Cmd {
	s := &v.scan
	if v.filter == nil || s.busy {
		return nil
	}
	from, end := max(s.next, v.ring.First()), v.ring.End()
	s.next = from
	if from >= end {
		s.catchingUp = false
		return nil
	}
	// Read in place: the buffer evicts none of these records until the
	// answer is in (see readTo), and writes only the slots of evicted ones.
	head, tail := v.ring.Range(from, end)
	s.busy = true
	v.reading = append(v.reading, from)
	f, ctx, gen, schemas := v.filter, s.ctx, s.gen, v.c.Client.Schemas
	return v.scope.Do(func(context.Context) tea.Msg {
		out := filterChunkDone{gen: gen, from: from}
		start := time.Now()
		if evalChunk(ctx, f, head, &out, schemas, start) {
			evalChunk(ctx, f, tail, &out, schemas, start)
		}
		return out
	})
}

// evalCheck is how many records a chunk evaluates between looks at the
// clock and its context, which cost more than a substring search.
const evalCheck = 64

// evalChunk evaluates recs, which follow the out.n records of the chunk
// evaluated so far, until they are done, filterSlice has passed since
// start or ctx ends; it reports whether it evaluated them all. Records
// framed for a Schema Registry are matched as the JSON they decode to,
// as they are shown. Records that cost microseconds each, those decoded
// from a registry or run through jq, are shared among the processors;
// a text search over plain records, bound by memory, stays on one.
func evalChunk(ctx context.Context, f recordFilter, recs []kafkaclient.Record, out *filterChunkDone, schemas *decode.Schemas, start time.Time) bool {
	slow := costly(f)
	workers := 1
	for len(recs) > 0 {
		if out.n > 0 && (time.Since(start) > filterSlice || ctx.Err() != nil) {
			return false
		}
		if slow {
			workers = runtime.GOMAXPROCS(0)
		}
		n := min(len(recs), evalCheck*workers)
		decoded, ok := evalShared(ctx, f, recs[:n], out, schemas, workers)
		if !ok {
			return false
		}
		// Records decoded here are decoded in the next round too, for the
		// most part: a topic's records are framed alike.
		workers = 1
		if decoded*2 > n {
			workers = runtime.GOMAXPROCS(0)
		}
		recs = recs[n:]
	}
	return true
}

// evalShared evaluates recs, split among workers goroutines, and appends
// the matches in order. It returns how many records were decoded from a
// registry, and false when ctx ended meanwhile.
func evalShared(ctx context.Context, f recordFilter, recs []kafkaclient.Record, out *filterChunkDone, schemas *decode.Schemas, workers int) (int, bool) {
	if workers <= 1 || len(recs) <= 1 {
		// Straight into out: a plain text search costs tens of
		// nanoseconds a record, as much as setting up the workers would.
		matches, limited := len(out.matches), out.limited
		decoded := evalPart(ctx, f, recs, schemas, out.from+uint64(out.n), out)
		if ctx.Err() != nil {
			out.matches, out.limited = out.matches[:matches], limited
			return 0, false // cancelled: nobody wants the answer
		}
		out.n += len(recs)
		return decoded, true
	}
	parts := make([]filterChunkDone, min(workers, len(recs)))
	decoded := make([]int, len(parts))
	per := (len(recs) + len(parts) - 1) / len(parts)
	var wg sync.WaitGroup
	for w := range parts {
		lo, hi := min(len(recs), w*per), min(len(recs), (w+1)*per)
		eval := func() { decoded[w] = evalPart(ctx, f, recs[lo:hi], schemas, out.from+uint64(out.n+lo), &parts[w]) }
		if w == len(parts)-1 {
			eval()
		} else {
			wg.Go(eval)
		}
	}
	wg.Wait()
	if ctx.Err() != nil {
		return 0, false // cancelled: nobody wants the answer
	}
	n := 0
	for w, p := range parts {
		out.matches = append(out.matches, p.matches...)
		out.limited += p.limited
		n += decoded[w]
	}
	out.n += len(recs)
	return n, true
}

// evalPart evaluates recs, numbered from first, into dst's matches and
// count of records over the step limit. It returns how many of them were
// decoded from a registry.
func evalPart(ctx context.Context, f recordFilter, recs []kafkaclient.Record, schemas *decode.Schemas, first uint64, dst *filterChunkDone) int {
	decoded := 0
	for i := range recs {
		r := schemas.Decoded(&recs[i])
		if r != &recs[i] {
			decoded++
		}
		ok, err := f.Eval(ctx, r)
		if err != nil && errors.Is(err, filter.ErrStepLimit) {
			dst.limited++
		}
		if ok {
			dst.matches = append(dst.matches, first+uint64(i))
		}
	}
	return decoded
}

// merge takes in a chunk's answer and starts the next chunk.
func (v *Tail) merge(c filterChunkDone) tea.Cmd {
	if i := slices.Index(v.reading, c.from); i >= 0 {
		v.reading = slices.Delete(v.reading, i, i+1)
	}
	s := &v.scan
	if c.gen != s.gen {
		v.admitted(v.admit())
		v.release(false)
		return nil
	}
	first := v.ring.First()
	for _, seq := range c.matches {
		if seq >= first { // not evicted while the chunk was read
			v.matches = append(v.matches, seq)
		}
	}
	s.scanned += int64(c.n)
	s.matched += int64(len(c.matches))
	s.limited += c.limited
	s.next = c.from + uint64(c.n)
	// The records held back come in while the scan still counts as busy,
	// so they wake no listener: the next chunk starts here, and a wake-up
	// would only cost the event loop a message and a frame.
	v.admitted(v.admit())
	s.busy = false
	v.release(false)
	return v.scanNext()
}

// pending is how many buffered records the filter has yet to read.
func (v *Tail) pending() int64 {
	return int64(v.ring.End() - max(v.scan.next, v.ring.First()))
}

// filtering reports whether the filter is still reading the buffer it was
// set on, or has fallen more than filterBehind behind the records
// arriving: what it lists is not yet what it selects.
func (v *Tail) filtering() bool {
	left := v.pending()
	return v.filter != nil && left > 0 && (v.scan.catchingUp || left > filterBehind)
}

// waitOrHold waits for the tail's next event, once the backlog has gone
// into the buffer: the tail, whose events then wait, stops fetching once
// its own buffers are full, so the backlog is never more than a batch.
func (v *Tail) waitOrHold() tea.Cmd {
	if v.hold == nil && len(v.backlog) > 0 {
		v.hold = make(chan struct{})
	}
	return v.wait()
}

// release lets a held wait go on: always, or once the backlog has gone
// into the buffer.
func (v *Tail) release(always bool) {
	if v.hold == nil || !always && len(v.backlog) > 0 {
		return
	}
	close(v.hold)
	v.hold = nil
}
