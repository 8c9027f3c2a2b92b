package widget

import "testing"

func TestSparkline(t *testing.T) {
	tests := []struct {
		in    []int64
		width int
		want  string
	}{
		{[]int64{0, 7, 14}, 3, "▁▄█"},
		{[]int64{0, 0}, 4, "  ▁▁"},
		{[]int64{1, -1, 2, 4}, 3, " ▄█"},
		{nil, 2, "  "},
		{[]int64{5}, 0, ""},
	}
	for _, tt := range tests {
		if got := Sparkline(tt.in, tt.width); got != tt.want {
			t.Errorf("Sparkline(%v, %d) = %q, want %q", tt.in, tt.width, got, tt.want)
		}
	}
}
