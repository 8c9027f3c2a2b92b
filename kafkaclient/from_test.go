package kafkaclient

import (
	"testing"
	"time"
)

func TestParseFrom(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 11, 21, 9, 30, 0, 0, time.UTC)
	tests := []struct {
		in   string
		want From
		err  bool
	}{
		{"", From{Kind: FromLatest}, false},
		{"latest", From{Kind: FromLatest}, false},
		{"earliest", From{Kind: FromEarliest}, false},
		{"42", From{Kind: FromOffset, Offset: 42}, false},
		{"-100", From{Kind: FromLast, Last: 100}, false},
		{"-15m", From{Kind: FromTime, Time: now.Add(-15 * time.Minute)}, false},
		{"2026-11-21T09:00:00Z", From{Kind: FromTime, Time: time.Date(2026, 11, 21, 9, 0, 0, 0, time.UTC)}, false},
		{"yesterday", From{}, true},
		{"-0s", From{}, true},
	}
	for _, tt := range tests {
		got, err := ParseFrom(tt.in, now)
		if (err != nil) != tt.err || (!tt.err && got != tt.want) {
			t.Errorf("ParseFrom(%q) = %+v, %v", tt.in, got, err)
		}
	}
}

func TestStartAt(t *testing.T) {
	t.Parallel()
	// The partition holds offsets 10..20 (20 is the next one to be written).
	const low, high = 10, 20
	tests := []struct {
		name string
		from From
		at   int64
		want int64
		note string
	}{
		{"latest", From{Kind: FromLatest}, -1, high, ""},
		{"earliest", From{Kind: FromEarliest}, -1, low, ""},
		{"offset inside", From{Kind: FromOffset, Offset: 15}, -1, 15, ""},
		{"offset at the start", From{Kind: FromOffset, Offset: low}, -1, low, ""},
		{"offset at the end", From{Kind: FromOffset, Offset: high}, -1, high, ""},
		{"offset deleted", From{Kind: FromOffset, Offset: 3}, -1, low, "offset 3 is outside 10..20; starting at 10"},
		{"offset beyond the end", From{Kind: FromOffset, Offset: 999}, -1, high, "offset 999 is outside 10..20; starting at 20"},
		{"time with a record after it", From{Kind: FromTime, Time: time.Unix(1, 0)}, 17, 17, ""},
		{"time after the last record", From{Kind: FromTime, Time: time.Unix(1, 0)}, -1, high, ""},
		{"last few", From{Kind: FromLast, Last: 4}, -1, 16, ""},
		{"last more than held", From{Kind: FromLast, Last: 100}, -1, low, ""},
		{"last none", From{Kind: FromLast, Last: 0}, -1, high, ""},
	}
	for _, tt := range tests {
		got, note := startAt(tt.from, low, high, tt.at)
		if got != tt.want || note != tt.note {
			t.Errorf("%s: startAt = %d, %q; want %d, %q", tt.name, got, note, tt.want, tt.note)
		}
	}
	empty, note := startAt(From{Kind: FromOffset, Offset: 5}, 0, 0, -1)
	if empty != 0 || note == "" {
		t.Errorf("offset 5 of an empty partition: %d, %q", empty, note)
	}
}
