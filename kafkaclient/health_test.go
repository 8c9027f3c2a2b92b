package kafkaclient

import (
	"cmp"
	"slices"
	"testing"
	"time"
)

var healthStart = time.Date(2024, 5, 6, 7, 8, 9, 0, time.UTC)

// sec is healthStart plus s seconds.
func sec(s float64) time.Time {
	return healthStart.Add(time.Duration(s * float64(time.Second)))
}

// fill adds one sample per {committed, log end} pair, step seconds apart
// from healthStart, and returns the time of the last.
func fill(w *Window, step float64, pairs ...[2]int64) time.Time {
	var last time.Time
	for i, p := range pairs {
		last = sec(float64(i) * step)
		w.Add(LagSample{At: last, Committed: p[0], LogEnd: p[1]})
	}
	return last
}

// constant is n pairs committed at c with the log end growing from c+50.
func constant(n int, c int64) [][2]int64 {
	out := make([][2]int64, n)
	for i := range out {
		out[i] = [2]int64{c, c + 50 + int64(i)*10}
	}
	return out
}

// steady is n pairs of a consumer keeping a lag of 50 while both offsets
// advance by 10 a sample.
func steady(n int) [][2]int64 {
	out := make([][2]int64, n)
	for i := range out {
		out[i] = [2]int64{100 + int64(i)*10, 150 + int64(i)*10}
	}
	return out
}

// Samples are 10 s apart: five with a commit over 40 s are the fewest a
// trend is read from.
func TestWindowEvaluate(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		maxSamples int // 0: DefaultHealthSamples
		pairs      [][2]int64
		later      time.Duration // evaluated this long after the last sample
		want       Status
	}{
		{name: "no samples", want: StatusUnknown},
		{name: "one sample", pairs: [][2]int64{{100, 150}}, want: StatusUnknown},
		{name: "no commit", pairs: [][2]int64{{-1, 150}, {-1, 160}, {-1, 170}, {-1, 180}, {-1, 190}}, want: StatusUnknown},
		{name: "one commit", pairs: [][2]int64{{-1, 150}, {100, 160}, {-1, 170}}, want: StatusUnknown},
		{name: "log end never known", pairs: [][2]int64{{100, -1}, {110, -1}, {120, -1}, {130, -1}, {140, -1}}, want: StatusUnknown},
		{name: "caught up", pairs: [][2]int64{{100, 100}, {110, 110}}, want: StatusOK},
		{name: "steady lag", pairs: steady(5), want: StatusOK},
		{name: "steady lag, too few samples", pairs: steady(4), want: StatusUnknown},
		{name: "lag shrinking", pairs: [][2]int64{{100, 150}, {120, 160}, {140, 170}, {160, 180}, {180, 190}}, want: StatusOK},
		{name: "lag growing", pairs: [][2]int64{{100, 110}, {110, 130}, {120, 150}, {130, 170}, {140, 190}}, want: StatusWarn},
		{name: "lag growing over three samples is no trend yet", pairs: [][2]int64{{100, 110}, {110, 130}, {120, 150}}, want: StatusUnknown},
		{name: "lag grew with one dip", pairs: [][2]int64{{100, 110}, {110, 140}, {120, 140}, {130, 170}, {140, 180}}, want: StatusOK},
		{name: "lag flat, never decreasing", pairs: [][2]int64{{100, 110}, {110, 120}, {120, 130}, {130, 140}, {140, 150}}, want: StatusOK},
		{name: "zero lag in a growing window", pairs: [][2]int64{{100, 100}, {110, 120}, {120, 140}, {130, 160}, {140, 180}}, want: StatusOK},
		{name: "rewind", pairs: [][2]int64{{100, 150}, {90, 160}, {110, 170}}, want: StatusRewind},
		{name: "rewind wins over a stuck offset", pairs: [][2]int64{{100, 150}, {90, 160}, {90, 170}, {90, 180}, {90, 190}}, want: StatusRewind},
		{name: "rewind wins over zero lag", pairs: [][2]int64{{100, 100}, {50, 100}, {100, 100}}, want: StatusRewind},
		{name: "rewind across a sample without commit", pairs: [][2]int64{{100, 150}, {-1, 160}, {90, 170}}, want: StatusRewind},
		{name: "stall over half the window", pairs: constant(5, 100), want: StatusStall},
		{name: "stuck over four samples is no stall yet", pairs: constant(4, 100), want: StatusUnknown},
		{name: "stall over exactly the window", pairs: constant(7, 100), want: StatusStall},
		{name: "stall with zero lag once is OK", pairs: [][2]int64{{100, 100}, {100, 110}, {100, 120}, {100, 130}, {100, 140}}, want: StatusOK},
		{name: "commit older than the window", pairs: constant(8, 100), want: StatusStop},
		{name: "commit much older than the window", pairs: constant(20, 100), want: StatusStop},
		{name: "window too small for a verdict", maxSamples: 3, pairs: constant(8, 100), want: StatusUnknown},
		{name: "samples without commit skipped", pairs: [][2]int64{{-1, 10}, {100, 150}, {-1, 160}, {110, 170}, {120, 180}, {130, 190}, {140, 200}}, want: StatusWarn},
		{name: "samples without log end skipped", pairs: [][2]int64{{100, 150}, {110, -1}, {120, 180}, {130, 190}, {140, 200}}, want: StatusWarn},
		{name: "evaluated within the span", pairs: steady(5), later: 20 * time.Second, want: StatusOK},
		{name: "one sample left at now", pairs: steady(5), later: 58 * time.Second, want: StatusUnknown},
		{name: "stale", pairs: constant(5, 100), later: 2 * time.Minute, want: StatusUnknown},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := NewWindow(time.Minute, cmp.Or(tt.maxSamples, DefaultHealthSamples))
			last := fill(w, 10, tt.pairs...)
			if got := w.Evaluate(last.Add(tt.later)); got != tt.want {
				t.Errorf("Evaluate = %s, want %s; samples %+v", got, tt.want, w.Samples())
			}
		})
	}
}

// Samples close together are too few to call a consumer that commits
// every few seconds stalled: no verdict before half the window.
func TestWindowNeedsHalfItsSpan(t *testing.T) {
	t.Parallel()
	w := NewWindow(time.Minute, DefaultHealthSamples)
	last := fill(w, 1, constant(12, 100)...) // 11 s of a stuck offset
	if got := w.Evaluate(last); got != StatusUnknown {
		t.Errorf("after 11 s: %s", got)
	}
	last = fill(w, 1, constant(31, 100)...) // 30 s
	if got := w.Evaluate(last); got != StatusStall {
		t.Errorf("after 30 s: %s", got)
	}
}

// A consumer that stops while the producer goes on is first falling behind,
// then stalled once the window holds only its last commit, then stopped
// once that commit outlives the window.
func TestWindowStallBecomesStop(t *testing.T) {
	t.Parallel()
	w := NewWindow(time.Minute, DefaultHealthSamples)
	var got []Status
	for s := 0; s <= 100; s += 5 {
		committed := int64(min(s, 30)) * 10
		w.Add(LagSample{At: sec(float64(s)), Committed: committed, LogEnd: int64(s)*10 + 50})
		got = append(got, w.Evaluate(sec(float64(s))))
	}
	// Measuring until the samples span half the window.
	want := []Status{StatusUnknown, StatusUnknown, StatusUnknown, StatusUnknown, StatusUnknown, StatusUnknown, StatusOK}
	for len(want) < 18 { // through 85 s: the window still holds commits before 30 s
		want = append(want, StatusWarn)
	}
	want = append(want, StatusStall, StatusStop, StatusStop) // 90 s: the window starts at the last commit
	if !slices.Equal(got, want) {
		t.Errorf("statuses\n got %v\nwant %v", got, want)
	}
}

func TestWindowBounds(t *testing.T) {
	t.Parallel()
	times := func(w *Window) []time.Time {
		var out []time.Time
		for _, s := range w.Samples() {
			out = append(out, s.At)
		}
		return out
	}
	t.Run("span", func(t *testing.T) {
		w := NewWindow(10*time.Second, 100)
		fill(w, 1, constant(21, 100)...)
		got := times(w)
		if len(got) != 11 || !got[0].Equal(sec(10)) || !got[10].Equal(sec(20)) {
			t.Errorf("kept %v, want 10 s through 20 s", got)
		}
	})
	t.Run("count", func(t *testing.T) {
		w := NewWindow(time.Minute, 3)
		fill(w, 1, constant(5, 100)...)
		if got := times(w); !slices.EqualFunc(got, []time.Time{sec(2), sec(3), sec(4)}, time.Time.Equal) {
			t.Errorf("kept %v, want the newest three", got)
		}
	})
	t.Run("order", func(t *testing.T) {
		w := NewWindow(time.Minute, 10)
		w.Add(LagSample{At: sec(5), Committed: 1, LogEnd: 2})
		w.Add(LagSample{At: sec(3), Committed: 1, LogEnd: 2})
		w.Add(LagSample{At: sec(5), Committed: 2, LogEnd: 2})
		if got := w.Samples(); len(got) != 2 || got[1].Committed != 2 {
			t.Errorf("samples %+v, want the late one ignored and the simultaneous one kept", got)
		}
	})
	t.Run("copy", func(t *testing.T) {
		w := NewWindow(time.Minute, 10)
		fill(w, 1, constant(2, 100)...)
		w.Samples()[0].Committed = 7
		if got := w.Samples()[0].Committed; got != 100 {
			t.Errorf("Samples shares its storage: committed %d", got)
		}
	})
	t.Run("defaults", func(t *testing.T) {
		w := NewWindow(0, 0)
		if w.span != DefaultHealthWindow || w.maxSamples != 2 {
			t.Errorf("span %s max %d, want %s and 2", w.span, w.maxSamples, DefaultHealthWindow)
		}
	})
}

func TestWindowRates(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name             string
		step             float64
		pairs            [][2]int64
		consume, produce float64
		ok               bool
	}{
		{name: "steady", step: 10, pairs: [][2]int64{{100, 200}, {110, 220}, {120, 240}, {130, 260}, {140, 280}}, consume: 1, produce: 2, ok: true},
		{name: "rewind counts no progress", step: 10, pairs: [][2]int64{{100, 200}, {50, 210}, {60, 220}, {70, 230}, {80, 240}}, consume: 0.75, produce: 1, ok: true},
		{name: "unknowns skipped", step: 10, pairs: [][2]int64{{-1, 100}, {100, 200}, {110, -1}, {120, 220}, {130, 230}, {140, 240}, {150, 250}}, consume: 1, produce: 1, ok: true},
		{name: "too few samples", step: 10, pairs: [][2]int64{{100, 200}, {110, 220}, {120, 240}, {130, 260}}},
		{name: "too short a span", step: 1, pairs: [][2]int64{{100, 200}, {110, 220}, {120, 240}, {130, 260}, {140, 280}, {150, 300}}},
		{name: "same instant", step: 0, pairs: [][2]int64{{100, 200}, {110, 220}}},
		{name: "empty"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := NewWindow(time.Minute, 10)
			last := fill(w, tt.step, tt.pairs...)
			v := w.Judge(last, true)
			if consume, produce, ok := v.Consume, v.Produce, v.RatesKnown; consume != tt.consume || produce != tt.produce || ok != tt.ok {
				t.Errorf("Rates = %g, %g, %t; want %g, %g, %t", consume, produce, ok, tt.consume, tt.produce, tt.ok)
			}
		})
	}
}

func TestWindowLags(t *testing.T) {
	t.Parallel()
	w := NewWindow(time.Minute, 10)
	fill(w, 1, [][2]int64{{100, 150}, {-1, 160}, {120, -1}, {200, 150}}...)
	if got, want := w.Lags(), []int64{50, -1, -1, 0}; !slices.Equal(got, want) {
		t.Errorf("Lags = %v, want %v", got, want)
	}
}

func TestWorst(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   []Status
		want Status
	}{
		{nil, StatusUnknown},
		{[]Status{StatusUnknown}, StatusUnknown},
		{[]Status{StatusOK, StatusUnknown, StatusOK}, StatusOK},
		{[]Status{StatusOK, StatusWarn, StatusRewind}, StatusRewind},
		{[]Status{StatusStall, StatusWarn}, StatusStall},
		{[]Status{StatusStop, StatusStall, StatusUnknown}, StatusStop},
	}
	for _, tt := range tests {
		if got := Worst(tt.in...); got != tt.want {
			t.Errorf("Worst(%v) = %s, want %s", tt.in, got, tt.want)
		}
	}
}

func TestStatusString(t *testing.T) {
	t.Parallel()
	got := []string{}
	for s := StatusUnknown; s <= StatusStop+1; s++ {
		got = append(got, s.String())
	}
	want := []string{"UNKNOWN", "OK", "WARN", "REWIND", "STALL", "STOP", "Status(6)"}
	if !slices.Equal(got, want) {
		t.Errorf("names %v, want %v", got, want)
	}
}

func TestGroupHealth(t *testing.T) {
	t.Parallel()
	h := NewGroupHealth(time.Minute, DefaultHealthSamples)
	if got := h.Status(sec(0)); got != StatusUnknown {
		t.Errorf("empty group is %s, want UNKNOWN", got)
	}
	a := TopicPartition{Topic: "a", Partition: 0}
	b := TopicPartition{Topic: "b", Partition: 1}
	for s := 0; s <= 30; s += 5 {
		h.Observe(sec(float64(s)), []PartitionOffsets{
			{TopicPartition: a, Committed: int64(s), LogEnd: int64(s)},
			{TopicPartition: b, Committed: 100, LogEnd: 150 + int64(s)},
		})
	}
	if got := h.Status(sec(30)); got != StatusStall {
		t.Errorf("group is %s, want STALL from b", got)
	}
	if st, w := h.Partition(a, sec(30)); st != StatusOK || w == nil || len(w.Samples()) != 7 {
		t.Errorf("a is %s with window %v, want OK with seven samples", st, w)
	}
	if st, w := h.Partition(TopicPartition{Topic: "c"}, sec(30)); st != StatusUnknown || w != nil {
		t.Errorf("untracked partition is %s with window %v, want UNKNOWN and nil", st, w)
	}
	if v := h.Judge(b, sec(30), true); v.Status != StatusStall || v.CatchUp != CatchUpStuck {
		t.Errorf("b judged %+v", v)
	}
	if v := h.Judge(TopicPartition{Topic: "c"}, sec(30), true); v != (Verdict{}) {
		t.Errorf("untracked partition judged %+v", v)
	}

	// b stops appearing: it fades to unknown, which does not hide a's OK,
	// then is forgotten once absent for longer than the span.
	for s := 35; s <= 90; s += 5 {
		h.Observe(sec(float64(s)), []PartitionOffsets{{TopicPartition: a, Committed: int64(s), LogEnd: int64(s)}})
	}
	if st, w := h.Partition(b, sec(90)); st != StatusUnknown || w == nil {
		t.Errorf("b at 90 s is %s with window %v, want UNKNOWN and still tracked", st, w)
	}
	if got := h.Status(sec(90)); got != StatusOK {
		t.Errorf("group at 90 s is %s, want OK", got)
	}
	h.Observe(sec(95), []PartitionOffsets{{TopicPartition: a, Committed: 95, LogEnd: 95}})
	if st, w := h.Partition(b, sec(95)); st != StatusUnknown || w != nil {
		t.Errorf("b at 95 s is %s with window %v, want forgotten", st, w)
	}
}

// TestAShareGroupsLagIsTheBrokers: Kafka leaves a share partition's start
// offset at the last batch it handed out, so log end − start would show
// lag in a group that acknowledged everything; the broker's own count wins
// where it gives one.
func TestAShareGroupsLagIsTheBrokers(t *testing.T) {
	t.Parallel()
	reported := PartitionOffsets{Committed: 11, LogEnd: 15, Sharers: []string{"s1"}, LagReported: true}
	if lag, ok := reported.Lag(); !ok || lag != 0 || reported.Position() != 15 {
		t.Errorf("reported 0: lag %d %v, position %d", lag, ok, reported.Position())
	}
	unreported := PartitionOffsets{Committed: 11, LogEnd: 15, Sharers: []string{"s1"}}
	if lag, ok := unreported.Lag(); !ok || lag != 4 {
		t.Errorf("unreported: lag %d %v", lag, ok)
	}
}
