//go:build unix

package demo

import (
	"runtime"
	"syscall"
	"testing"
	"time"
)

// BenchmarkCPUAtRest measures what the running demo costs the process that
// hosts it: CPU time over a window after the groups have settled, as a
// share of one core (the budget is 10%), with the records/s it produced
// meanwhile. It takes half a minute:
//
//	go test -run '^$' -bench CPUAtRest -benchtime 1x -v ./demo/
func BenchmarkCPUAtRest(b *testing.B) {
	for range b.N {
		cpuAtRest(b)
	}
}

func cpuAtRest(t *testing.B) {
	const settle, window = 10 * time.Second, 20 * time.Second

	c := startDemo(t, Options{})
	client, _ := newAdmin(t, c)
	time.Sleep(settle)

	names := make([]string, len(topicSpecs))
	for i, s := range topicSpecs {
		names[i] = s.name
	}
	sum := func(m map[string]int64) (n int64) {
		for _, v := range m {
			n += v
		}
		return n
	}
	var mem0, mem1 runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&mem0)
	ends0 := topicEnds(t, client, names...)
	cpu0, wall0 := cpuTime(t), time.Now()
	time.Sleep(window)
	cpu1, wall1 := cpuTime(t), time.Now()
	ends1 := topicEnds(t, client, names...)
	runtime.GC()
	runtime.ReadMemStats(&mem1)

	wall := wall1.Sub(wall0)
	share := float64(cpu1-cpu0) / float64(wall) * 100
	t.Logf("CPU: %v over %v = %.1f%% of one core (GOMAXPROCS %d)", (cpu1 - cpu0).Round(time.Millisecond), wall.Round(time.Millisecond), share, runtime.GOMAXPROCS(0))
	t.Logf("records: %.0f/s in total", float64(sum(ends1)-sum(ends0))/wall.Seconds())
	for _, name := range names {
		t.Logf("  %-16s %6.1f/s", name, float64(ends1[name]-ends0[name])/wall.Seconds())
	}
	t.Logf("live heap: %d MiB, growing %.0f KiB/s", mem1.HeapAlloc>>20, float64(int64(mem1.HeapAlloc)-int64(mem0.HeapAlloc))/1024/wall.Seconds())
	t.ReportMetric(share, "%-of-a-core")
	t.ReportMetric(float64(sum(ends1)-sum(ends0))/wall.Seconds(), "records/s")
	t.ReportMetric(0, "ns/op")
}

// cpuTime is the user and system CPU time the process has used.
func cpuTime(t testing.TB) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		t.Fatalf("getrusage: %v", err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
