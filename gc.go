package main

import (
	"runtime/debug"
	"slices"
	"unsafe"

	"kscope/kafkaclient"
	"kscope/views"
)

// The collector's settings, kept for what BenchmarkGCTuning measured
// while the binary tailed 5M records of 100 bytes in a terminal:
//
//   - GOGC=200: the tail used 10–13% less CPU than at Go's default pace
//     (median ratios 0.87 and 0.90 in two runs); read rate and
//     keypress-to-frame were within the noise of that harness. Earlier,
//     BenchmarkKeyFrameDuringTail saw collector assists at GOGC=100 stall
//     the UI goroutine for up to ~100 ms.
//   - The soft memory limit: without it GOGC=200 let the same tail peak at
//     282–334 MiB instead of ~210 MiB, past the budget of 200 MB above idle.
//
// The limit is derived from the tail flags. One below what the buffers
// hold keeps the collector running once they are full: with
// --tail-records 1000000 --tail-mib 256 the fixed 192 MiB limit it
// replaces made that tail 4.2× slower, with 3.6× the CPU. One below twice
// what they hold makes it run more often than Go's default pace would. So
// the limit leaves above the buffers at least as much again as they hold,
// and at least a headroom for what sarama, the fetches and rendering hold.
//
// The demo is the other way round: its embedded cluster churns through
// garbage at a steady rate while tails stay slow, so it keeps Go's pace
// and a tighter limit (at 200 a demo left running rose to its limit, its
// live heap being ~30 MB). GOGC or GOMEMLIMIT set by the user win.
const (
	tunedGCPercent = 200
	// gcHeadroom is what the process holds besides the tail's buffer:
	// the records a tail has read and not yet published (pendingBytes in
	// kafkaclient), sarama's fetches and channels, metadata, rendering.
	gcHeadroom = 96 << 20
	// demoHeadroom is smaller, and the demo's limit less than twice the
	// buffers: the demo's tails are slow, and its limit keeps a demo left
	// running within its budget.
	demoHeadroom = 48 << 20
	// tailSlot is what a tail's ring holds for each record besides the
	// bytes it carries: the Record itself and its size.
	tailSlot = int64(unsafe.Sizeof(kafkaclient.Record{}) + unsafe.Sizeof(int(0)))
)

// tuneGC sets the collector's pace and a memory limit for tails of the
// default size, before anything is allocated; fitMemoryLimit adjusts the
// limit once the flags are read.
func tuneGC(getenv func(string) string, demo bool) {
	if getenv("GOGC") == "" && !demo {
		debug.SetGCPercent(tunedGCPercent)
	}
	fitMemoryLimit(getenv, demo, views.DefaultTailRecords, views.DefaultTailBytes)
}

// fitMemoryLimit sets the soft memory limit for tails bounded by
// tailRecords and tailBytes, unless the user set GOMEMLIMIT.
func fitMemoryLimit(getenv func(string) string, demo bool, tailRecords, tailBytes int) {
	if getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(memoryLimit(demo, tailRecords, tailBytes))
	}
}

// memoryLimit is the soft memory limit for a tail buffer bounded by
// tailRecords and tailBytes: what the buffer may hold plus the headroom.
func memoryLimit(demo bool, tailRecords, tailBytes int) int64 {
	bound := tailBufferBound(tailRecords, tailBytes)
	if demo {
		return bound + demoHeadroom
	}
	return bound + max(bound, gcHeadroom)
}

// tailBufferBound is the most a tail's buffer can keep alive. A record's
// key and value are slices of the fetch response it came in, so the
// buffer keeps the framing around them too: a quarter more than the bytes
// it counts covers the framing of records of 100 bytes.
func tailBufferBound(tailRecords, tailBytes int) int64 {
	return int64(tailRecords)*tailSlot + int64(tailBytes)*5/4
}

// runsDemo tells whether the command line runs the demo cluster.
func runsDemo(args []string) bool {
	return len(args) > 0 && args[0] == "demo" || slices.Contains(args, "--demo") || slices.Contains(args, "-demo")
}
