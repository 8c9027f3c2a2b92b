package main

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kfake"
)

// BenchmarkStartup10kTopics measures, on a kfake cluster of 10,000 topics ×
// 10 partitions, the time from starting the binary in a terminal to (a) the
// first frame that lists topics and (b) every message count filled in,
// beside `kcat -L` on the same cluster in the same run. It also times a
// keypress answered while the counts are loading.
//
//	go test -run '^$' -bench Startup10k -benchtime 5x .
func BenchmarkStartup10kTopics(b *testing.B) {
	kcat, err := exec.LookPath("kcat")
	if err != nil {
		b.Fatal("kcat is needed for the comparison (apt-get install kcat)")
	}
	bootstrap := startClusterProcess(b, 10000, 10)

	var kcatTotal, baseTotal, firstTotal, countsTotal, keyTotal time.Duration
	for range b.N {
		start := time.Now()
		out, err := exec.Command(kcat, "-b", bootstrap, "-L").CombinedOutput()
		if err != nil || !strings.Contains(string(out), "topic-09999") {
			b.Fatalf("kcat -L: %v: %.500s", err, out)
		}
		kcatTotal += time.Since(start)

		// What the terminal and the polling cost on their own, for reading the figures.
		start = time.Now()
		base := startTermCmd(b, "sh", "-c", "echo topic-00000; sleep 60")
		base.waitText("topic-00000", 10*time.Second)
		baseTotal += time.Since(start)
		base.close()

		start = time.Now()
		tm := startTerm(b, "-b", bootstrap)
		tm.waitText("topic-00000", 30*time.Second)
		firstTotal += time.Since(start)

		// A keypress while the counts load must still be answered.
		keyStart := time.Now()
		tm.keys("/")
		tm.waitFor("the filter prompt", 10*time.Second, func(s string) bool {
			lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
			return len(lines) > 2 && strings.HasPrefix(lines[len(lines)-2], "/")
		})
		keyTotal += time.Since(keyStart)

		tm.waitFor("message counts", 30*time.Second, func(s string) bool {
			rows := 0
			for _, l := range strings.Split(s, "\n") {
				if strings.HasPrefix(l, "topic-") {
					if strings.Contains(l, "…") {
						return false
					}
					rows++
				}
			}
			return rows > 0
		})
		countsTotal += time.Since(start)
		tm.close()
	}
	n := time.Duration(b.N)
	ms := func(d time.Duration) float64 { return float64(d/n) / float64(time.Millisecond) }
	b.ReportMetric(ms(kcatTotal), "kcat-L-ms")
	b.ReportMetric(ms(baseTotal), "terminal-baseline-ms")
	b.ReportMetric(ms(firstTotal), "first-frame-ms")
	b.ReportMetric(float64(firstTotal)/float64(kcatTotal), "first-frame/kcat")
	b.ReportMetric(ms(countsTotal), "counts-filled-ms")
	b.ReportMetric(ms(keyTotal), "key-during-load-ms")
	b.ReportMetric(0, "ns/op")
}

// startClusterProcess runs a kfake cluster of topics × partitions in a
// child process (this test binary again), so the cluster's work does not
// share a Go runtime with the measuring code, and returns its bootstrap.
func startClusterProcess(tb testing.TB, topics, partitions int) string {
	tb.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestClusterProcess$")
	cmd.Env = append(os.Environ(), fmt.Sprintf("KSCOPE_TEST_CLUSTER=%d,%d", topics, partitions))
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		tb.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil {
		tb.Fatalf("cluster process: %v", err)
	}
	return strings.TrimSpace(line)
}

// TestClusterProcess is the child of startClusterProcess; run on its own
// it does nothing.
func TestClusterProcess(t *testing.T) {
	spec := os.Getenv("KSCOPE_TEST_CLUSTER")
	if spec == "" {
		return
	}
	var topics, partitions int
	if _, err := fmt.Sscanf(spec, "%d,%d", &topics, &partitions); err != nil {
		t.Fatal(err)
	}
	names := make([]string, topics)
	for i := range names {
		names[i] = fmt.Sprintf("topic-%05d", i)
	}
	c, err := kfake.NewCluster(kfake.NumBrokers(3), kfake.SeedTopics(int32(partitions), names...))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	fmt.Println(strings.Join(c.ListenAddrs(), ","))
	// The parent kills this process when it is done.
	select {}
}
