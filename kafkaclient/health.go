package kafkaclient

import (
	"fmt"
	"slices"
	"time"
)

// DefaultHealthWindow is the span health is evaluated over. A minute holds
// a dozen samples at the groups list's five-second refresh, enough for a
// trend, while a consumer that stops is reported within about a minute.
const DefaultHealthWindow = time.Minute

// DefaultHealthSamples bounds a window's samples: a minute at the 500 ms
// rate a group's detail view samples at, so at kscope's fastest rate the
// count never cuts a DefaultHealthWindow short of its span.
const DefaultHealthSamples = 120

// Status is a partition's or group's health, ordered from best to worst,
// except that StatusUnknown sorts below StatusOK so that a partition still
// gathering samples does not hide the health of the others (see Worst).
type Status int

// The statuses, from best to worst.
const (
	// StatusUnknown: too few samples yet, no commit, or no known log end.
	StatusUnknown Status = iota
	StatusOK
	// StatusWarn: lag grew across the whole window.
	StatusWarn
	// StatusRewind: the committed offset went backwards.
	StatusRewind
	// StatusStall: the committed offset did not move across the window while
	// there was lag.
	StatusStall
	// StatusStop: no commit for longer than the window spans while there is
	// lag.
	StatusStop
)

var statusNames = [...]string{"UNKNOWN", "OK", "WARN", "REWIND", "STALL", "STOP"}

// String is the status's name in capitals, as Burrow spells them.
func (s Status) String() string {
	if s < 0 || int(s) >= len(statusNames) {
		return fmt.Sprintf("Status(%d)", int(s))
	}
	return statusNames[s]
}

// Worst returns the worst of statuses, StatusUnknown when there are none.
// Unknown ranks below OK: a group whose partitions are OK except one not yet
// evaluated is OK, and it is Unknown only when nothing could be evaluated.
func Worst(statuses ...Status) Status {
	w := StatusUnknown
	for _, s := range statuses {
		w = max(w, s)
	}
	return w
}

// LagSample is one observation of a group's position in a partition.
type LagSample struct {
	At        time.Time
	Committed int64 // -1: no commit
	LogEnd    int64 // -1: unknown
}

// lag is log-end − committed floored at 0; ok is false when either is unknown.
func (s LagSample) lag() (int64, bool) {
	return PartitionOffsets{Committed: s.Committed, LogEnd: s.LogEnd}.Lag()
}

// Window holds the samples of one partition within a time span, oldest
// first, bounded in count. It is not safe for concurrent use.
type Window struct {
	span       time.Duration
	maxSamples int
	samples    []LagSample
	// runCommitted is the newest committed offset added, -1 before any, and
	// runSince when it was first seen, counting samples already dropped: it
	// is how long the offset has not moved that tells a stopped consumer
	// from a stalled one, and that can be longer than the window.
	runCommitted int64
	runSince     time.Time
}

// NewWindow returns an empty window over span holding at most maxSamples.
// A span that is not positive is taken as DefaultHealthWindow, and
// maxSamples is raised to 2, the least a trend can be read from.
func NewWindow(span time.Duration, maxSamples int) *Window {
	if span <= 0 {
		span = DefaultHealthWindow
	}
	return &Window{span: span, maxSamples: max(maxSamples, 2), runCommitted: -1}
}

// Add appends s, then drops the samples older than the span before s and,
// beyond maxSamples, the oldest. A sample older than the newest is ignored:
// the rules compare consecutive samples, and a late answer would put them
// out of order.
func (w *Window) Add(s LagSample) {
	if n := len(w.samples); n > 0 && s.At.Before(w.samples[n-1].At) {
		return
	}
	if s.Committed >= 0 && s.Committed != w.runCommitted {
		w.runCommitted, w.runSince = s.Committed, s.At
	}
	w.samples = append(w.samples, s)
	from := s.At.Add(-w.span)
	drop := 0
	for drop < len(w.samples) && w.samples[drop].At.Before(from) {
		drop++
	}
	drop = max(drop, len(w.samples)-w.maxSamples)
	w.samples = slices.Delete(w.samples, 0, drop)
}

// Samples returns a copy of the window's samples, oldest first.
func (w *Window) Samples() []LagSample {
	return slices.Clone(w.samples)
}

// minTrendSamples is the fewest samples with a commit that a trend or a
// rate is read from, and they must span half the window. A consumer that
// commits every few seconds shows its offset stuck between commits and
// its lag rising meanwhile: judged on fewer samples, or a shorter span, a
// healthy consumer reads as stalled or falling behind (a freshly opened
// groups list showed WARN for ten seconds).
const minTrendSamples = 5

// windowStats is what the rules read from the samples within the span.
type windowStats struct {
	oldest, newest         LagSample // with a commit
	commits, lags          int
	oldestLag, newestLag   int64
	rewound, moved         bool
	caughtUp, lagDecreased bool
	// The rates' terms: the first and last samples with a known lag, and
	// the advances of the committed offset and of the log end between
	// consecutive ones.
	first, last        LagSample
	consumed, produced int64
}

func (w *Window) stats(now time.Time) windowStats {
	from := now.Add(-w.span)
	var st windowStats
	for _, s := range w.samples {
		if s.At.Before(from) || s.Committed < 0 {
			continue
		}
		if st.commits == 0 {
			st.oldest = s
		} else {
			st.rewound = st.rewound || s.Committed < st.newest.Committed
			st.moved = st.moved || s.Committed != st.newest.Committed
		}
		st.newest = s
		st.commits++
		lag, ok := s.lag()
		if !ok {
			continue
		}
		if st.lags == 0 {
			st.oldestLag, st.first = lag, s
		} else {
			st.lagDecreased = st.lagDecreased || lag < st.newestLag
			// Only advances count, so a rewind or a truncated log slows a
			// rate instead of making it negative.
			st.consumed += max(s.Committed-st.last.Committed, 0)
			st.produced += max(s.LogEnd-st.last.LogEnd, 0)
		}
		st.newestLag, st.last = lag, s
		st.caughtUp = st.caughtUp || lag == 0
		st.lags++
	}
	return st
}

// ready reports enough samples, over enough time, to read a trend or a
// rate from.
func (st *windowStats) ready(span time.Duration) bool {
	return st.commits >= minTrendSamples && st.lags >= 2 && st.newest.At.Sub(st.oldest.At) >= span/2
}

// Evaluate returns the partition's health at now from the samples no older
// than the span before now, so a partition no longer sampled fades to
// Unknown instead of keeping a stale verdict. Samples without a commit are
// skipped, and those without a known log end are skipped where lags are
// compared. The rules are Burrow's, adapted to offsets polled rather than
// commits seen, and the first that applies decides:
//
//  1. UNKNOWN when fewer than two samples have a commit, or none has a
//     known lag.
//  2. REWIND when the committed offset decreased between two consecutive
//     samples.
//  3. OK when the lag is 0 in any sample: the consumer caught up within the
//     window.
//  4. STOP when the committed offset has not changed for longer than the
//     window spans (its oldest to its newest sample), counting from when it
//     was first seen, which can predate the window: no commit for longer
//     than the window while there is lag. Only when the window spans at
//     least half its span, as shorter windows cannot tell a stop from a
//     pause.
//  5. UNKNOWN (measuring) while fewer than minTrendSamples samples have a
//     commit or they cover less than half the span: too little to call a
//     trend.
//  6. STALL when the committed offset is the same across the whole window
//     while there is lag in every sample.
//  7. WARN when the committed offset moved but the lag never decreased
//     between consecutive samples and is greater at the newest than at the
//     oldest: the consumer is falling behind.
//  8. OK otherwise.
//
// Polling cannot see a consumer that commits the same offset again, so a
// stall is reported while the window has watched an offset for no longer
// than it spans, and becomes a stop once the offset outlives the window.
func (w *Window) Evaluate(now time.Time) Status {
	st := w.stats(now)
	return w.evaluate(&st)
}

func (w *Window) evaluate(st *windowStats) Status {
	switch {
	case st.commits < 2 || st.lags == 0:
		return StatusUnknown
	case st.rewound:
		return StatusRewind
	case st.caughtUp:
		return StatusOK
	}
	spans := st.newest.At.Sub(st.oldest.At)
	unchanged := st.newest.At.Sub(w.runSince)
	switch {
	case spans >= w.span/2 && unchanged > spans:
		return StatusStop
	case !st.ready(w.span):
		return StatusUnknown
	case !st.moved:
		return StatusStall
	case !st.lagDecreased && st.newestLag > st.oldestLag:
		return StatusWarn
	}
	return StatusOK
}

// rates returns the consume rate, from the committed offset's advance,
// and the produce rate, from the log end's, in records per second over the
// samples where both are known; ok is false until the window is ready for
// a trend (see Evaluate's rule 5): a rate from two samples of a consumer
// that commits every few seconds is 0 or double.
func (st *windowStats) rates(span time.Duration) (consume, produce float64, ok bool) {
	secs := st.last.At.Sub(st.first.At).Seconds()
	if !st.ready(span) || secs <= 0 {
		return 0, 0, false
	}
	return float64(st.consumed) / secs, float64(st.produced) / secs, true
}

// CatchUp is what a partition's lag is doing, as far as the samples tell.
type CatchUp int

// The catch-up verdicts.
const (
	// CatchUpUnknown: the lag is not known (no commit, or no log end).
	CatchUpUnknown CatchUp = iota
	// CatchUpMeasuring: too few samples yet to tell.
	CatchUpMeasuring
	// CatchUpDone: there is no lag.
	CatchUpDone
	// CatchUpNoConsumer: there is lag and nobody to consume it, so it will
	// not shrink.
	CatchUpNoConsumer
	// CatchUpStuck: the consumer does not move (STALL or STOP).
	CatchUpStuck
	// CatchUpFallingBehind: the lag keeps growing (WARN).
	CatchUpFallingBehind
	// CatchUpKeepingUp: the consumer keeps pace with the producers.
	CatchUpKeepingUp
	// CatchUpIn: at the current rates the lag clears in Verdict.ETA.
	CatchUpIn
)

// Verdict is a partition's health and what its lag is doing, decided
// together so that they never contradict each other.
type Verdict struct {
	Status Status
	// Measuring is set while the window holds data but too little for a
	// verdict: the view says it is measuring rather than guessing.
	Measuring bool
	// Consume and Produce are records per second, set when RatesKnown.
	Consume, Produce float64
	RatesKnown       bool
	CatchUp          CatchUp
	// ETA is how long the lag takes to clear, with CatchUpIn.
	ETA time.Duration
}

// Judge decides the partition's health at now (Evaluate) and what its lag
// is doing; consumed says whether some member consumes the partition. The
// status decides the direction, the rates only when the lag clears:
// WARN is falling behind and OK never is, STALL and STOP are stuck. Rates
// measured from commits wobble by a commit's worth, so they alone would
// call an OK consumer falling behind; within 5% of each other they count
// as keeping up.
func (w *Window) Judge(now time.Time, consumed bool) Verdict {
	st := w.stats(now)
	v := Verdict{Status: w.evaluate(&st)}
	v.Consume, v.Produce, v.RatesKnown = st.rates(w.span)
	lagKnown := st.lags > 0
	v.Measuring = v.Status == StatusUnknown && lagKnown
	switch {
	case !lagKnown:
		v.CatchUp = CatchUpUnknown
	case st.newestLag == 0:
		v.CatchUp = CatchUpDone
	case !consumed:
		v.CatchUp = CatchUpNoConsumer
	case v.Status == StatusStall || v.Status == StatusStop:
		v.CatchUp = CatchUpStuck
	case v.Status == StatusWarn:
		v.CatchUp = CatchUpFallingBehind
	case v.Status == StatusUnknown || !v.RatesKnown:
		v.CatchUp = CatchUpMeasuring
	case v.Consume > v.Produce*1.05:
		v.CatchUp = CatchUpIn
		v.ETA = time.Duration(float64(st.newestLag) / (v.Consume - v.Produce) * float64(time.Second))
	case v.Status == StatusRewind && v.Consume < v.Produce*0.95:
		v.CatchUp = CatchUpFallingBehind
	default:
		v.CatchUp = CatchUpKeepingUp
	}
	return v
}

// Lags returns the lag at each sample, oldest first, -1 where it is not
// known.
func (w *Window) Lags() []int64 {
	out := make([]int64, len(w.samples))
	for i, s := range w.samples {
		lag, ok := s.lag()
		if !ok {
			lag = -1
		}
		out[i] = lag
	}
	return out
}

// GroupHealth tracks a window for every partition of one group. It is not
// safe for concurrent use.
type GroupHealth struct {
	span       time.Duration
	maxSamples int
	partitions map[TopicPartition]*partitionHealth
}

type partitionHealth struct {
	window *Window
	seen   time.Time
}

// NewGroupHealth returns a GroupHealth whose windows are NewWindow(span,
// maxSamples).
func NewGroupHealth(span time.Duration, maxSamples int) *GroupHealth {
	w := NewWindow(span, maxSamples)
	return &GroupHealth{span: w.span, maxSamples: w.maxSamples, partitions: map[TopicPartition]*partitionHealth{}}
}

// Observe adds a sample at at for every partition in offsets. Partitions
// absent from offsets for longer than the span are forgotten, so topics the
// group stopped consuming, or that were deleted, leave its health; a
// partition missing from one answer only keeps its history.
func (h *GroupHealth) Observe(at time.Time, offsets []PartitionOffsets) {
	for _, o := range offsets {
		p := h.partitions[o.TopicPartition]
		if p == nil {
			p = &partitionHealth{window: NewWindow(h.span, h.maxSamples)}
			h.partitions[o.TopicPartition] = p
		}
		p.window.Add(LagSample{At: at, Committed: o.Position(), LogEnd: o.LogEnd})
		p.seen = at
	}
	for tp, p := range h.partitions {
		if at.Sub(p.seen) > h.span {
			delete(h.partitions, tp)
		}
	}
}

// Partition returns tp's status at now and its window, which stays owned
// by h and changes with each Observe; StatusUnknown and nil when tp is not
// tracked.
func (h *GroupHealth) Partition(tp TopicPartition, now time.Time) (Status, *Window) {
	p := h.partitions[tp]
	if p == nil {
		return StatusUnknown, nil
	}
	return p.window.Evaluate(now), p.window
}

// Judge returns tp's Verdict at now (see Window.Judge); an untracked
// partition's is unknown.
func (h *GroupHealth) Judge(tp TopicPartition, now time.Time, consumed bool) Verdict {
	p := h.partitions[tp]
	if p == nil {
		return Verdict{}
	}
	return p.window.Judge(now, consumed)
}

// Status returns the worst status of the group's partitions at now.
func (h *GroupHealth) Status(now time.Time) Status {
	worst := StatusUnknown
	for _, p := range h.partitions {
		worst = Worst(worst, p.window.Evaluate(now))
	}
	return worst
}
