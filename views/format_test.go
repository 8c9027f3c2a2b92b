package views

import (
	"math"
	"strings"
	"testing"
)

// TestBytesizeFitsItsColumn: a size is at most four characters of number
// and a unit, so the SIZE column never cuts one; a value that would round
// to 1000 of a unit is shown in the next.
func TestBytesizeFitsItsColumn(t *testing.T) {
	for _, tc := range []struct {
		n    int64
		want string
	}{
		{0, "0 B"},
		{1, "1 B"},
		{999, "999 B"},
		{1023, "1023 B"},
		{1024, "1.0 KiB"},
		{1536, "1.5 KiB"},
		{10*1024 - 1, "10.0 KiB"},
		{102348, "99.9 KiB"}, // 99.949 KiB
		{102349, "100 KiB"},  // 99.950 KiB
		{999 * 1024, "999 KiB"},
		{1023488, "1.0 MiB"}, // 999.5 KiB
		{1048474, "1.0 MiB"}, // 1,023.9 KiB
		{1<<20 - 1, "1.0 MiB"},
		{1 << 20, "1.0 MiB"},
		{10<<20 - 1, "10.0 MiB"},
		{1000 << 20, "1.0 GiB"},
		{1<<30 + 1<<29, "1.5 GiB"},
		{1 << 40, "1.0 TiB"},
		{1 << 50, "1.0 PiB"},
		{math.MaxInt64, "8.0 EiB"},
	} {
		if got := bytesize(tc.n); got != tc.want {
			t.Errorf("bytesize(%d) = %q, want %q", tc.n, got, tc.want)
		}
	}
	// Every power of two and its neighbours, in every unit.
	for shift := range 63 {
		for _, n := range []int64{1<<shift - 1, 1 << shift, 1<<shift + 1, 1000 << max(shift-10, 0), 1000<<max(shift-10, 0) - 1} {
			s := bytesize(n)
			num, unit, _ := strings.Cut(s, " ")
			if len(num) > 4 || len(s) > 8 || (len(num) == 4 && !strings.Contains(num, ".") && unit != "B") {
				t.Errorf("bytesize(%d) = %q: wider than its column", n, s)
			}
		}
	}
}
