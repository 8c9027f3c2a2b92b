package main

import "testing"

func TestSpreadOf(t *testing.T) {
	for _, c := range []struct {
		in   []float64
		want spread
	}{
		{nil, spread{}},
		{[]float64{3}, spread{3, 3, 3}},
		{[]float64{5, 1, 3}, spread{1, 3, 5}},
		{[]float64{4, 1, 2, 3}, spread{1, 2.5, 4}},
	} {
		if got := spreadOf(c.in); got != c.want {
			t.Errorf("spreadOf(%v) = %+v, want %+v", c.in, got, c.want)
		}
	}
	in := []float64{2, 1}
	spreadOf(in)
	if in[0] != 2 {
		t.Error("spreadOf sorted its argument in place")
	}
}

func TestSpreadRatio(t *testing.T) {
	s := spread{0.5, 0.75, 1}
	if got, want := s.ratio("≥ 0.9"), "0.75 (min 0.50, max 1.00); budget ≥ 0.9"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	if got, want := s.ratio(""), "0.75 (min 0.50, max 1.00)"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestRatios(t *testing.T) {
	got := ratios([]float64{2, 9}, []float64{4, 3})
	if len(got) != 2 || got[0] != 0.5 || got[1] != 3 {
		t.Errorf("ratios = %v", got)
	}
}

const status = `Name:	kscope
VmPeak:	 2290548 kB
VmHWM:	  183456 kB
VmRSS:	   51200 kB
Threads:	9
`

func TestProcStatusBytes(t *testing.T) {
	for field, want := range map[string]int64{"VmHWM": 183456 << 10, "VmRSS": 51200 << 10, "VmPeak": 2290548 << 10} {
		got, err := procStatusBytes(status, field)
		if err != nil || got != want {
			t.Errorf("%s = %d, %v; want %d", field, got, err, want)
		}
	}
	for _, c := range []struct{ status, field string }{
		{status, "VmSwap"},
		{status, "Threads"},
		{"VmHWM:\tlots kB\n", "VmHWM"},
		{"", "VmHWM"},
	} {
		if got, err := procStatusBytes(c.status, c.field); err == nil {
			t.Errorf("%s in %q = %d, want an error", c.field, c.status, got)
		}
	}
}

func TestThousands(t *testing.T) {
	for n, want := range map[int]string{0: "0", 999: "999", 1000: "1,000", 1_000_000: "1,000,000", 5_000_000: "5,000,000", -1234: "-1,234", 123456: "123,456"} {
		if got := thousands(n); got != want {
			t.Errorf("thousands(%d) = %q, want %q", n, got, want)
		}
		if back := atoiCommas(want); back != n {
			t.Errorf("atoiCommas(%q) = %d", want, back)
		}
	}
}

func TestPercentile(t *testing.T) {
	xs := []float64{10, 1, 9, 2, 8, 3, 7, 4, 6, 5}
	for p, want := range map[float64]float64{50: 5, 90: 9, 100: 10, 1: 1, 10: 1, 11: 2} {
		if got := percentile(xs, p); got != want {
			t.Errorf("p%v = %v, want %v", p, got, want)
		}
	}
	if got := percentile(nil, 50); got != 0 {
		t.Errorf("p50 of nothing = %v", got)
	}
}
