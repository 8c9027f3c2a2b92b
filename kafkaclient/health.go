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
//  5. UNKNOWN while fewer than three samples have a commit or they cover
//     less than a sixth of the span: too little to call a trend.
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
	from := now.Add(-w.span)
	var (
		oldest, newest         LagSample // with a commit
		commits, lags          int
		oldestLag, newestLag   int64
		rewound, moved         bool
		caughtUp, lagDecreased bool
	)
	for _, s := range w.samples {
		if s.At.Before(from) || s.Committed < 0 {
			continue
		}
		if commits == 0 {
			oldest = s
		} else {
			rewound = rewound || s.Committed < newest.Committed
			moved = moved || s.Committed != newest.Committed
		}
		newest = s
		commits++
		lag, ok := s.lag()
		if !ok {
			continue
		}
		if lags == 0 {
			oldestLag = lag
		} else {
			lagDecreased = lagDecreased || lag < newestLag
		}
		newestLag = lag
		caughtUp = caughtUp || lag == 0
		lags++
	}
	switch {
	case commits < 2 || lags == 0:
		return StatusUnknown
	case rewound:
		return StatusRewind
	case caughtUp:
		return StatusOK
	}
	spans := newest.At.Sub(oldest.At)
	unchanged := newest.At.Sub(w.runSince)
	switch {
	case spans >= w.span/2 && unchanged > spans:
		return StatusStop
	case commits < 3 || spans < w.span/6:
		// A few quick samples of a consumer that commits once a second
		// would call it stalled or falling behind: no verdict on a trend
		// until the window has seen a sixth of its span.
		return StatusUnknown
	case !moved:
		return StatusStall
	case !lagDecreased && newestLag > oldestLag:
		return StatusWarn
	}
	return StatusOK
}

// Rates returns the consume rate, from the committed offset's advance, and
// the produce rate, from the log end's, in records per second over the
// samples where both are known; ok is false when fewer than two are, or
// they were taken at the same instant. Only advances count, so a rewind or
// a truncated log slows a rate instead of making it negative.
func (w *Window) Rates() (consume, produce float64, ok bool) {
	var (
		first, prev        LagSample
		n                  int
		consumed, produced int64
	)
	for _, s := range w.samples {
		if _, known := s.lag(); !known {
			continue
		}
		if n > 0 {
			consumed += max(s.Committed-prev.Committed, 0)
			produced += max(s.LogEnd-prev.LogEnd, 0)
		} else {
			first = s
		}
		prev = s
		n++
	}
	secs := prev.At.Sub(first.At).Seconds()
	if n < 2 || secs <= 0 {
		return 0, 0, false
	}
	return float64(consumed) / secs, float64(produced) / secs, true
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
		p.window.Add(LagSample{At: at, Committed: o.Committed, LogEnd: o.LogEnd})
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

// Status returns the worst status of the group's partitions at now.
func (h *GroupHealth) Status(now time.Time) Status {
	worst := StatusUnknown
	for _, p := range h.partitions {
		worst = Worst(worst, p.window.Evaluate(now))
	}
	return worst
}
