package main

import (
	"math"
	"runtime/debug"
	"testing"

	"kscope/views"
)

func TestTuneGCLeavesTheUsersSettings(t *testing.T) {
	oldPercent := debug.SetGCPercent(100)
	oldLimit := debug.SetMemoryLimit(math.MaxInt64)
	defer func() { debug.SetGCPercent(oldPercent); debug.SetMemoryLimit(oldLimit) }()

	user := func(k string) string { return map[string]string{"GOGC": "50", "GOMEMLIMIT": "1GiB"}[k] }
	tuneGC(user, false)
	fitMemoryLimit(user, false, 1_000_000, 256<<20)
	if p := debug.SetGCPercent(100); p != 100 {
		t.Errorf("GOGC set by the user was replaced: %d", p)
	}
	if l := debug.SetMemoryLimit(-1); l != math.MaxInt64 {
		t.Errorf("GOMEMLIMIT set by the user was replaced: %d", l)
	}

	none := func(string) string { return "" }
	tuneGC(none, false)
	if p := debug.SetGCPercent(100); p != tunedGCPercent {
		t.Errorf("GOGC = %d, want %d", p, tunedGCPercent)
	}
	if l, want := debug.SetMemoryLimit(-1), memoryLimit(false, views.DefaultTailRecords, views.DefaultTailBytes); l != want {
		t.Errorf("memory limit = %d, want %d", l, want)
	}
	fitMemoryLimit(none, false, 1_000_000, 256<<20)
	if l, want := debug.SetMemoryLimit(-1), memoryLimit(false, 1_000_000, 256<<20); l != want {
		t.Errorf("memory limit with big tail flags = %d, want %d", l, want)
	}

	// The demo keeps Go's pace.
	tuneGC(none, runsDemo([]string{"--demo"}))
	if p := debug.SetGCPercent(100); p != 100 {
		t.Errorf("demo GOGC = %d, want 100", p)
	}
	if !runsDemo([]string{"demo", "--listen", ":9092"}) || runsDemo([]string{"-b", "a:1"}) {
		t.Error("runsDemo misreads the command line")
	}
}

// TestMemoryLimitFollowsTheTailFlags: the limit is never below what a
// full tail buffer holds, so a full buffer does not keep the collector
// running, and it stays within the memory budgets at default settings.
func TestMemoryLimitFollowsTheTailFlags(t *testing.T) {
	const MiB = 1 << 20
	tests := []struct {
		demo           bool
		records, bytes int
		atMost         int64 // the budget the limit must respect; 0 for none
	}{
		{records: views.DefaultTailRecords, bytes: views.DefaultTailBytes, atMost: 200 * MiB},
		{demo: true, records: views.DefaultTailRecords, bytes: views.DefaultTailBytes, atMost: 150 * MiB},
		{records: 1_000_000, bytes: 256 * MiB},
		{records: 1, bytes: 1 * MiB},
		{records: 10_000_000, bytes: 4096 * MiB},
	}
	for _, tt := range tests {
		limit := memoryLimit(tt.demo, tt.records, tt.bytes)
		// The ring keeps a Record per slot besides the bytes it counts.
		held := int64(tt.records)*tailSlot + int64(tt.bytes)
		if limit < held+demoHeadroom {
			t.Errorf("demo %v, %d records, %d MiB: limit %d MiB leaves less than %d MiB above the buffer's %d MiB",
				tt.demo, tt.records, tt.bytes/MiB, limit/MiB, demoHeadroom/MiB, held/MiB)
		}
		if tt.atMost > 0 && limit > tt.atMost {
			t.Errorf("demo %v at default settings: limit %d MiB over the %d MiB budget", tt.demo, limit/MiB, tt.atMost/MiB)
		}
	}
	if memoryLimit(true, 100, MiB) >= memoryLimit(false, 100, MiB) {
		t.Error("the demo's limit is not the tighter one")
	}
}
