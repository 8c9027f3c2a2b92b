package main

import (
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// BenchmarkStartup runs the binary in a terminal on kfake clusters of
// 1,000 to 100,000 partitions (topics × 10, one cluster process per size)
// and times it beside `kcat -L` run in the same terminal harness, the
// runs alternating within each round. Both are timed the same way: from
// starting a tmux session running the command to a capture of its pane
// showing a text, polled as fast as tmux answers. For kscope the text is
// the first topic's row (its first frame listing topics); for kcat it is
// a line a shell prints once kcat has exited, so all its output is on
// screen. It also reports the time until every visible message count is
// filled in, a keypress answered while they load, and what the harness
// costs on its own (a shell echoing a line). Both also run in a bare
// pseudo-terminal outside tmux (ptyFirst), timed to the same text in
// their output. With KSCOPE_BENCH_BASELINE
// naming another kscope binary (an older build), that one runs in the
// same rounds too, for a before-and-after in one run.
//
//	go test -run '^$' -bench 'Startup$' -benchtime 5x -timeout 30m .
func BenchmarkStartup(b *testing.B) {
	kcat, err := exec.LookPath("kcat")
	if err != nil {
		b.Fatal("kcat is needed for the comparison (apt-get install kcat)")
	}
	baseline := os.Getenv("KSCOPE_BENCH_BASELINE")
	for _, size := range []struct{ topics, partitions int }{{100, 10}, {1000, 10}, {5000, 10}, {10000, 10}} {
		label := fmt.Sprintf("%dk partitions", size.topics*size.partitions/1000)
		b.Run(strings.ReplaceAll(label, " ", "-"), func(b *testing.B) {
			if probeRun(b) {
				return
			}
			bootstrap := startClusterProcess(b, size.topics, size.partitions, 0)
			var now, before startupRuns
			var kcatL, ratios, harness, bare, bareKcat, bareRatios []time.Duration
			runs := []func(){
				func() { bare = append(bare, ptyFirst(b, "topic-00000", kscopeBin, "-b", bootstrap)) },
				func() {
					bareKcat = append(bareKcat, ptyFirst(b, "kcat-exited", "sh", "-c", kcat+" -b "+bootstrap+" -L; echo kcat-exited"))
				},
				func() { now.time(b, kscopeBin, bootstrap) },
				func() {
					start := time.Now()
					tm := startTermCmd(b, "sh", "-c", kcat+" -b "+bootstrap+" -L; echo kcat-exited $?; exec sleep 60")
					screenShows(tm, "kcat -L", 60*time.Second, func(s string) bool { return strings.Contains(s, "kcat-exited") })
					kcatL = append(kcatL, time.Since(start))
					if s := tm.screen(); !strings.Contains(s, "kcat-exited 0") {
						b.Fatalf("kcat -L failed:\n%s", s)
					}
					tm.close()
				},
			}
			if baseline != "" {
				runs = append(runs, func() { before.time(b, baseline, bootstrap) })
			}
			for round := range b.N {
				// Each round starts with another of them, so none always
				// runs first or after the same neighbour.
				for i := range runs {
					runs[(i+round)%len(runs)]()
				}
				ratios = append(ratios, now.first[round]*1000/kcatL[round])
				bareRatios = append(bareRatios, bare[round]*1000/bareKcat[round])

				start := time.Now()
				tm := startTermCmd(b, "sh", "-c", "echo harness-ready; exec sleep 60")
				screenShows(tm, "the shell's line", 10*time.Second, func(s string) bool { return strings.Contains(s, "harness-ready") })
				harness = append(harness, time.Since(start))
				tm.close()
			}
			first, kc, ratio := medianDuration(now.first), medianDuration(kcatL), float64(medianDuration(ratios))/1000
			perfRow(b, "startup first frame, "+label, fmt.Sprintf("%.0f ms", millis(first)), fmt.Sprintf("%.0f ms (kcat -L)", millis(kc)),
				fmt.Sprintf("%.2f× (lower is better; kscope − kcat %+.0f ms)", ratio, millis(first-kc)))
			bf, bk := medianDuration(bare), medianDuration(bareKcat)
			perfRow(b, "startup first frame, "+label+", bare pty (no tmux)", fmt.Sprintf("%.0f ms", millis(bf)), fmt.Sprintf("%.0f ms (kcat -L)", millis(bk)),
				fmt.Sprintf("%.2f× (kscope − kcat %+.0f ms)", float64(medianDuration(bareRatios))/1000, millis(bf-bk)))
			perfRow(b, "startup message counts filled, "+label, fmt.Sprintf("%.0f ms", millis(medianDuration(now.counts))), "-", "-")
			perfRow(b, "startup key answered during load, "+label, fmt.Sprintf("%.0f ms", millis(medianDuration(now.keys))), "-", "-")
			b.ReportMetric(millis(first), "first-frame-ms")
			b.ReportMetric(millis(kc), "kcat-L-ms")
			b.ReportMetric(ratio, "first-frame/kcat")
			b.ReportMetric(millis(medianDuration(now.counts)), "counts-filled-ms")
			b.ReportMetric(millis(medianDuration(now.keys)), "key-during-load-ms")
			b.ReportMetric(millis(medianDuration(harness)), "terminal-baseline-ms")
			if baseline != "" {
				paired := make([]time.Duration, len(now.first))
				for i := range paired {
					paired[i] = now.first[i] * 1000 / before.first[i]
				}
				b.ReportMetric(float64(medianDuration(paired))/1000, "first-frame/baseline")
				b.ReportMetric(millis(medianDuration(before.first)), "baseline-first-frame-ms")
				b.ReportMetric(millis(medianDuration(before.counts)), "baseline-counts-filled-ms")
				b.ReportMetric(millis(medianDuration(before.keys)), "baseline-key-during-load-ms")
			}
			b.ReportMetric(0, "ns/op")
		})
	}
}

// startupRuns are the times of one kscope binary's starts.
type startupRuns struct {
	first, keys, counts []time.Duration
}

// time starts bin in a terminal on bootstrap and notes when the first
// frame listing topics shows, how long a keypress takes to be answered
// while the message counts load, and when they are all filled in.
func (r *startupRuns) time(b *testing.B, bin, bootstrap string) {
	start := time.Now()
	tm := startTermCmd(b, bin, "-b", bootstrap)
	defer tm.close()
	screenShows(tm, "the first frame", 60*time.Second, func(s string) bool { return strings.Contains(s, "topic-00000") })
	r.first = append(r.first, time.Since(start))
	keyStart := time.Now()
	tm.keys("/")
	screenShows(tm, "the filter prompt", 10*time.Second, func(s string) bool {
		lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
		return len(lines) > 2 && strings.HasPrefix(lines[len(lines)-2], "/")
	})
	r.keys = append(r.keys, time.Since(keyStart))
	screenShows(tm, "message counts", 60*time.Second, countsFilled)
	r.counts = append(r.counts, time.Since(start))
}

// countsFilled tells whether the topic rows on screen all show their
// message counts: the fourth column (topic names here have no spaces);
// the disk sizes after it come on their own, later.
func countsFilled(s string) bool {
	rows := 0
	for _, l := range strings.Split(s, "\n") {
		if strings.HasPrefix(l, "topic-") {
			if f := strings.Fields(l); len(f) < 4 || f[3] == "…" {
				return false
			}
			rows++
		}
	}
	return rows > 0
}

// screenShows polls the pane until ok accepts it. The figures are tens of
// milliseconds, so it pauses only briefly; without a pause the captures
// would take a whole core of the two here from what they time.
func screenShows(tm *term, what string, timeout time.Duration, ok func(string) bool) {
	tm.t.Helper()
	deadline := time.Now().Add(timeout)
	for s := tm.screen(); !ok(s); s = tm.screen() {
		if time.Now().After(deadline) {
			tm.t.Fatalf("waiting for %s: gave up after %s; screen:\n%s", what, timeout, s)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

func medianDuration(ds []time.Duration) time.Duration { return nearestRank(ds, 50) }
