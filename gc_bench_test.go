package main

import (
	"flag"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// gcSetting is one way of running the collector for BenchmarkGCTuning:
// the environment kscope starts with and its tail flags.
type gcSetting struct {
	name  string
	env   []string
	flags []string
}

// bigTail are the tail flags of issue 14.
var bigTail = []string{"--tail-records", "1000000", "--tail-mib", "256"}

// gcSettings are the settings compared. kscope's own tuning applies when
// neither GOGC nor GOMEMLIMIT is set; Go's defaults are GOGC=100 and no
// limit; "fixed 192 MiB" is the tuning that ignored the flags.
var gcSettings = []gcSetting{
	{name: "tuned"},
	{name: "Go defaults", env: []string{"GOGC=100", "GOMEMLIMIT=off"}},
	{name: "GOGC=200, no limit", env: []string{"GOGC=200", "GOMEMLIMIT=off"}},
	{name: "big flags, tuned", flags: bigTail},
	{name: "big flags, Go defaults", env: []string{"GOGC=100", "GOMEMLIMIT=off"}, flags: bigTail},
	{name: "big flags, fixed 192 MiB", env: []string{"GOGC=200", "GOMEMLIMIT=192MiB"}, flags: bigTail},
}

// gcRun is what one tail of the backlog measured.
type gcRun struct {
	mbps float64
	cpu  time.Duration // user and system time of the process, start to end of the tail
	peak int64         // peak resident set, bytes
	keys []time.Duration
}

// BenchmarkGCTuning runs the binary in a terminal and tails 5,000,000
// records of 100 bytes from the earliest offset under each gcSetting,
// the settings alternating within each round. For each it reports the
// end-to-end read rate, the CPU time the process used, its peak resident
// set, and keypress-to-frame times (the key decoder's cycle, pressed
// over and over while the backlog pours in), then PERF rows comparing
// kscope's tuning with Go's defaults and with the fixed limit it replaced.
//
//	go test -run '^$' -bench GCTuning -benchtime 5x -timeout 60m .
func BenchmarkGCTuning(b *testing.B) {
	if probeRun(b) {
		return
	}
	const records = 5_000_000
	bootstrap := startClusterProcess(b, 1, 6, records)
	runs := make(map[string][]gcRun)
	for round := range b.N {
		for i := range gcSettings {
			// Each round starts with a different setting, so none always
			// runs first or after the same neighbour.
			s := gcSettings[(i+round)%len(gcSettings)]
			runs[s.name] = append(runs[s.name], tailBacklog(b, bootstrap, s, records))
		}
	}

	for _, s := range gcSettings {
		rs := runs[s.name]
		var keys []time.Duration
		for _, r := range rs {
			keys = append(keys, r.keys...)
		}
		b.Logf("%-26s %6.0f MB/s  cpu %6.2f s  peak RSS %5.0f MiB  key p50 %5.1f ms p90 %5.1f ms (%d presses)", s.name,
			medianOf(rs, func(r gcRun) float64 { return r.mbps }), medianOf(rs, func(r gcRun) float64 { return r.cpu.Seconds() }),
			medianOf(rs, func(r gcRun) float64 { return float64(r.peak) / (1 << 20) }),
			millis(nearestRank(keys, 50)), millis(nearestRank(keys, 90)), len(keys))
	}
	compareGC(b, runs, "tuned", "Go defaults", "")
	compareGC(b, runs, "tuned", "GOGC=200, no limit", "")
	compareGC(b, runs, "big flags, tuned", "big flags, Go defaults", "big flags, ")
	compareGC(b, runs, "big flags, tuned", "big flags, fixed 192 MiB", "big flags, ")
	b.ReportMetric(0, "ns/op")
}

// compareGC prints PERF rows for setting a against setting c: medians of
// each, and the median of the ratios taken within each round.
func compareGC(b *testing.B, runs map[string][]gcRun, a, c, prefix string) {
	ra, rc := runs[a], runs[c]
	vs := strings.TrimPrefix(a, prefix) + " vs " + strings.TrimPrefix(c, prefix)
	if prefix != "" {
		vs = strings.TrimSuffix(prefix, ", ") + ": " + vs
	}
	row := func(metric, unit string, f func(gcRun) float64, better string) {
		ratios := make([]float64, len(ra))
		for i := range ra {
			ratios[i] = f(ra[i]) / f(rc[i])
		}
		slices.Sort(ratios)
		perfRow(b, "5M tail "+metric+", "+vs,
			fmt.Sprintf("%.1f %s", medianOf(ra, f), unit), fmt.Sprintf("%.1f %s", medianOf(rc, f), unit),
			fmt.Sprintf("%.2f× (%s is better)", ratios[len(ratios)/2], better))
	}
	row("MB/s", "MB/s", func(r gcRun) float64 { return r.mbps }, "higher")
	row("CPU s", "s", func(r gcRun) float64 { return r.cpu.Seconds() }, "lower")
	row("peak RSS", "MiB", func(r gcRun) float64 { return float64(r.peak) / (1 << 20) }, "lower")
	var ka, kc []time.Duration
	for i := range ra {
		ka, kc = append(ka, ra[i].keys...), append(kc, rc[i].keys...)
	}
	for _, p := range []int{50, 90} {
		pa, pc := nearestRank(ka, p), nearestRank(kc, p)
		perfRow(b, fmt.Sprintf("5M tail keypress p%d, %s", p, vs), fmt.Sprintf("%.1f ms", millis(pa)), fmt.Sprintf("%.1f ms", millis(pc)),
			fmt.Sprintf("%.2f× (lower is better)", float64(pa)/float64(pc)))
	}
}

// tailBacklog starts kscope under s, tails the whole backlog from the
// earliest offset while pressing K, and measures the run.
func tailBacklog(b *testing.B, bootstrap string, s gcSetting, records int) gcRun {
	args := append([]string{"-u", "GOGC", "-u", "GOMEMLIMIT"}, s.env...)
	args = append(append(args, kscopeBin, "-b", bootstrap, "-c", "topics"), s.flags...)
	tm := startTermCmd(b, "env", args...)
	defer tm.close()
	tm.waitText("topic-00000", 30*time.Second)
	// env execs kscope, so the pane's process is kscope.
	pid, err := strconv.Atoi(strings.TrimSpace(tm.tmux("display-message", "-p", "#{pane_pid}")))
	if err != nil {
		b.Fatal(err)
	}
	cpuBefore := cpuTime(b, pid)

	var r gcRun
	start := time.Now()
	tm.keys(":tail topic-00000 --from earliest", "Enter")
	tm.waitText("catching up", 30*time.Second)
	// Each K moves the key decoder to the next mode, which the status
	// line names: the frame that names another mode answers the press.
	mode := ""
	for !strings.Contains(tm.screen(), "LIVE") {
		t0 := time.Now()
		tm.keys("K")
		tm.waitFor("the next key decoder", 10*time.Second, func(s string) bool {
			m := keyDecoder(s)
			if m == "" || m == mode {
				return false
			}
			mode = m
			return true
		})
		r.keys = append(r.keys, time.Since(t0))
		// Polling the screen costs CPU the tail would use: pressing
		// without pause would measure the harness more than kscope.
		time.Sleep(100 * time.Millisecond)
	}
	want := fmt.Sprintf("LIVE · %s records", thousands(records))
	tm.waitFor("the whole backlog", 10*time.Minute, func(s string) bool { return strings.Contains(s, want) })
	took := time.Since(start)
	r.cpu = cpuTime(b, pid) - cpuBefore
	r.peak = procStatusField(b, pid, "VmHWM")
	r.mbps = float64(records) * 100 / 1e6 / took.Seconds()
	return r
}

// keyDecoder is the key decoder a screen names, or "".
func keyDecoder(screen string) string {
	_, rest, _ := strings.Cut(screen, "key decoder: ")
	if f := strings.Fields(rest); len(f) > 0 {
		return f[0]
	}
	return ""
}

// probeRun tells whether this call is the single iteration the testing
// package runs before the N asked for with -benchtime Nx; its figures are
// thrown away, so an expensive benchmark can skip it.
func probeRun(b *testing.B) bool {
	f := flag.Lookup("test.benchtime")
	if b.N != 1 || f == nil {
		return false
	}
	n, err := strconv.Atoi(strings.TrimSuffix(f.Value.String(), "x"))
	return err == nil && n > 1
}

// cpuTime is the user and system time process pid used so far.
func cpuTime(tb testing.TB, pid int) time.Duration {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		tb.Fatal(err)
	}
	// The fields after the command name, which is in parentheses and
	// may hold spaces: utime and stime are the 14th and 15th of the line.
	fields := strings.Fields(string(data[strings.LastIndexByte(string(data), ')')+1:]))
	utime, _ := strconv.ParseInt(fields[11], 10, 64)
	stime, _ := strconv.ParseInt(fields[12], 10, 64)
	// The kernel counts in clock ticks of 1/100 s (USER_HZ on Linux).
	return time.Duration(utime+stime) * 10 * time.Millisecond
}

func medianOf[T any](xs []T, f func(T) float64) float64 {
	v := make([]float64, len(xs))
	for i, x := range xs {
		v[i] = f(x)
	}
	return spreadOf(v).median
}

// nearestRank is the p-th percentile of ds, nearest rank.
func nearestRank(ds []time.Duration, p int) time.Duration {
	v := make([]float64, len(ds))
	for i, d := range ds {
		v[i] = float64(d)
	}
	return time.Duration(percentile(v, float64(p)))
}

func millis(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
