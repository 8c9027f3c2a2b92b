package kafkaclient

import (
	"math/rand/v2"
	"testing"
	"time"
)

// A healthy consumer that commits every 5 s (Java's default) while
// records arrive at 100/s, observed every 500 ms as a group's view does:
// until its samples span half the window there is no verdict and no rate,
// only "measuring"; after, it is OK and keeping up, never falling behind.
func TestJudgeWarmsUpWithoutFalseAlarms(t *testing.T) {
	t.Parallel()
	for _, every := range []time.Duration{500 * time.Millisecond, 5 * time.Second} {
		w := NewWindow(DefaultHealthWindow, DefaultHealthSamples)
		start := healthStart
		for at := start.Add(1300 * time.Millisecond); at.Before(start.Add(2 * time.Minute)); at = at.Add(every) {
			elapsed := at.Sub(start)
			logEnd := int64(elapsed / (10 * time.Millisecond))
			committed := int64(elapsed/(5*time.Second)) * 500
			w.Add(LagSample{At: at, Committed: committed, LogEnd: logEnd})
			v := w.Judge(at, true)
			seen := elapsed - 1300*time.Millisecond
			switch {
			case seen < DefaultHealthWindow/2:
				if v.Status != StatusUnknown || !v.Measuring || v.RatesKnown || v.CatchUp != CatchUpMeasuring {
					t.Fatalf("every %s, after %s: %+v, want measuring", every, seen, v)
				}
			case v.Status != StatusOK || v.CatchUp != CatchUpKeepingUp || !v.RatesKnown:
				t.Fatalf("every %s, after %s: %+v, want OK and keeping up", every, seen, v)
			}
		}
	}
}

// An empty group with lag and nothing produced reads "no consumer" from
// the first sample on, never keeping up, and its status follows Burrow.
func TestJudgeWithoutConsumers(t *testing.T) {
	t.Parallel()
	w := NewWindow(DefaultHealthWindow, DefaultHealthSamples)
	last := fill(w, 5, [2]int64{750, 1000})
	if v := w.Judge(last, false); v.CatchUp != CatchUpNoConsumer || v.Status != StatusUnknown {
		t.Errorf("first sample: %+v", v)
	}
	for i := range 8 {
		last = sec(float64(i) * 5)
		w.Add(LagSample{At: last, Committed: 750, LogEnd: 1000})
	}
	if v := w.Judge(last, false); v.CatchUp != CatchUpNoConsumer || v.Status != StatusStall || v.Consume != 0 || v.Produce != 0 || !v.RatesKnown {
		t.Errorf("after 35 s: %+v", v)
	}
}

func TestJudge(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		pairs   [][2]int64
		status  Status
		catchUp CatchUp
		eta     time.Duration
	}{
		{name: "nothing known", pairs: [][2]int64{{-1, 100}}, catchUp: CatchUpUnknown},
		{name: "no lag", pairs: [][2]int64{{100, 100}}, catchUp: CatchUpDone},
		{name: "too few samples", pairs: steady(3), catchUp: CatchUpMeasuring},
		{name: "keeping up", pairs: steady(5), status: StatusOK, catchUp: CatchUpKeepingUp},
		{name: "catching up", pairs: [][2]int64{{0, 1000}, {200, 1100}, {400, 1200}, {600, 1300}, {800, 1400}}, status: StatusOK, catchUp: CatchUpIn, eta: 60 * time.Second},
		{name: "falling behind", pairs: [][2]int64{{100, 110}, {110, 130}, {120, 150}, {130, 170}, {140, 190}}, status: StatusWarn, catchUp: CatchUpFallingBehind},
		// The lag rose overall but fell once: Burrow's OK, so the rates'
		// "consuming slower than produced" must not say falling behind.
		{name: "OK despite slower rates", pairs: [][2]int64{{100, 110}, {110, 140}, {120, 140}, {130, 170}, {140, 180}}, status: StatusOK, catchUp: CatchUpKeepingUp},
		{name: "stalled", pairs: constant(5, 100), status: StatusStall, catchUp: CatchUpStuck},
		{name: "stopped", pairs: constant(8, 100), status: StatusStop, catchUp: CatchUpStuck},
		{name: "rewound, measuring", pairs: [][2]int64{{100, 150}, {90, 160}}, status: StatusRewind, catchUp: CatchUpMeasuring},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := NewWindow(DefaultHealthWindow, DefaultHealthSamples)
			v := w.Judge(fill(w, 10, tt.pairs...), true)
			if v.Status != tt.status || v.CatchUp != tt.catchUp || v.ETA != tt.eta {
				t.Errorf("Judge = %+v, want %s, catch-up %d, ETA %s", v, tt.status, tt.catchUp, tt.eta)
			}
		})
	}
}

// Whatever the samples, the status and the catch-up agree, and no rate
// or catch-up time is given before the window is ready.
func TestJudgeNeverContradicts(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(1, 2))
	for run := range 2000 {
		w := NewWindow(DefaultHealthWindow, DefaultHealthSamples)
		committed, end := int64(rng.IntN(100)), int64(100)
		at := healthStart
		for range 1 + rng.IntN(40) {
			at = at.Add(time.Duration(1+rng.IntN(8000)) * time.Millisecond)
			end += int64(rng.IntN(50))
			switch rng.IntN(6) {
			case 0: // stuck
			case 1:
				committed = max(committed-int64(rng.IntN(30)), 0)
			default:
				committed = min(committed+int64(rng.IntN(60)), end)
			}
			w.Add(LagSample{At: at, Committed: committed, LogEnd: end})
			v := w.Judge(at, true)
			bad := ""
			switch {
			case v.Status == StatusOK && (v.CatchUp == CatchUpFallingBehind || v.CatchUp == CatchUpStuck):
				bad = "OK beside a consumer not keeping up"
			case v.Status == StatusWarn && v.CatchUp != CatchUpFallingBehind:
				bad = "WARN beside a consumer not falling behind"
			case (v.Status == StatusStall || v.Status == StatusStop) && v.CatchUp != CatchUpStuck:
				bad = "a stuck consumer's lag said to move"
			case !v.RatesKnown && (v.CatchUp == CatchUpIn || v.CatchUp == CatchUpKeepingUp):
				bad = "a rate-based catch-up without rates"
			case v.Measuring && v.Status != StatusUnknown:
				bad = "measuring beside a verdict"
			}
			if bad != "" {
				t.Fatalf("run %d: %s: %+v over %+v", run, bad, v, w.Samples())
			}
		}
	}
}
