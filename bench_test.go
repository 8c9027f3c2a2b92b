package main

import (
	"strconv"
	"sync/atomic"

	"bufio"
	"fmt"
	"github.com/IBM/sarama"
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
	bootstrap := startClusterProcess(b, 10000, 10, 0)

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
// With fill > 0 it first writes fill records of 100 bytes round-robin into
// the first topic.
func startClusterProcess(tb testing.TB, topics, partitions, fill int) string {
	tb.Helper()
	return startMarkedCluster(tb, topics, partitions, fill, 0)
}

// startMarkedCluster is startClusterProcess with every markEvery-th record
// of the fill carrying filterMarker in its value (none when markEvery is 0),
// so that a filter has a known number of matches.
func startMarkedCluster(tb testing.TB, topics, partitions, fill, markEvery int) string {
	tb.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestClusterProcess$", "-test.timeout=0")
	cmd.Env = append(os.Environ(), fmt.Sprintf("KSCOPE_TEST_CLUSTER=%d,%d,%d", topics, partitions, fill),
		fmt.Sprintf("%s=%d", markEnv, markEvery))
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
	var topics, partitions, fill int
	if _, err := fmt.Sscanf(spec, "%d,%d,%d", &topics, &partitions, &fill); err != nil {
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
	if fill > 0 {
		every, _ := strconv.Atoi(os.Getenv(markEnv))
		fillTopicMarked(t, c.ListenAddrs(), names[0], fill, 100, every)
	}
	fmt.Println(strings.Join(c.ListenAddrs(), ","))
	// The parent kills this process when it is done.
	select {}
}

// fillTopic writes n records of size bytes round-robin over topic's partitions.
func fillTopic(t testing.TB, addrs []string, topic string, n, size int) {
	fillTopicMarked(t, addrs, topic, n, size, 0)
}

// fillTopicMarked is fillTopic with the value of every every-th record
// ending in filterMarker (none when every is 0).
func fillTopicMarked(t testing.TB, addrs []string, topic string, n, size, every int) {
	conf := sarama.NewConfig()
	conf.Version = sarama.V2_8_0_0
	conf.Producer.Return.Errors = true
	conf.Producer.Partitioner = sarama.NewRoundRobinPartitioner
	conf.Producer.Flush.Messages = 10000
	conf.Producer.Flush.Frequency = 50 * time.Millisecond
	conf.Producer.RequiredAcks = sarama.WaitForLocal
	p, err := sarama.NewAsyncProducer(addrs, conf)
	if err != nil {
		t.Fatal(err)
	}
	go func() {
		for err := range p.Errors() {
			t.Error(err)
		}
	}()
	value := sarama.ByteEncoder(strings.Repeat("v", size))
	marked := sarama.ByteEncoder(strings.Repeat("v", size-len(filterMarker)) + filterMarker)
	for i := range n {
		v := value
		if every > 0 && i%every == every-1 {
			v = marked
		}
		p.Input() <- &sarama.ProducerMessage{Topic: topic, Value: v}
	}
	if err := p.Close(); err != nil {
		t.Fatal(err)
	}
}

// BenchmarkTail5M runs the binary in a terminal and tails 5,000,000
// records of 100 bytes from the earliest offset at default settings. It
// reports the resident memory above what kscope used before the tail, the
// time a keypress takes to show on screen while records pour in, and the
// end-to-end read rate.
//
//	go test -run '^$' -bench Tail5M -benchtime 1x .
func BenchmarkTail5M(b *testing.B) {
	const records = 5_000_000
	bootstrap := startClusterProcess(b, 1, 6, records)
	for range b.N {
		tm := startTerm(b, "-b", bootstrap, "-c", "topics")
		tm.waitText("topic-00000", 30*time.Second)
		pid, err := strconv.Atoi(strings.TrimSpace(tm.tmux("display-message", "-p", "#{pane_pid}")))
		if err != nil {
			b.Fatal(err)
		}
		time.Sleep(time.Second)
		idle := rss(b, pid)

		var peak atomic.Int64
		stop := make(chan struct{})
		sampled := make(chan struct{})
		go func() {
			defer close(sampled)
			for {
				select {
				case <-stop:
					return
				case <-time.After(50 * time.Millisecond):
					if r := rssOrZero(pid); r > peak.Load() {
						peak.Store(r)
					}
				}
			}
		}()

		start := time.Now()
		tm.keys(":tail topic-00000 --from earliest", "Enter")
		tm.waitText("catching up", 30*time.Second)
		// Keypresses while the backlog pours in: each flips the key decoder.
		var keyTotal, keyMax time.Duration
		presses := 0
		modes := []string{"key decoder: json", "key decoder: text", "key decoder: hex", "key decoder: base64", "key decoder: auto"}
		for i := 0; i < len(modes); i++ {
			s := tm.screen()
			if strings.Contains(s, "LIVE") {
				break
			}
			t0 := time.Now()
			tm.keys("K")
			tm.waitText(modes[i], 10*time.Second)
			d := time.Since(t0)
			keyTotal += d
			keyMax = max(keyMax, d)
			presses++
			time.Sleep(200 * time.Millisecond)
		}
		tm.waitFor("the whole backlog", 10*time.Minute, func(s string) bool {
			return strings.Contains(s, "LIVE · 5,000,000 records")
		})
		took := time.Since(start)
		close(stop)
		<-sampled
		tm.close()

		b.ReportMetric(float64(peak.Load()-idle)/(1<<20), "rss-above-idle-MiB")
		b.ReportMetric(float64(idle)/(1<<20), "idle-rss-MiB")
		if presses > 0 {
			b.ReportMetric(float64(keyTotal.Milliseconds())/float64(presses), "key-frame-avg-ms")
			b.ReportMetric(float64(keyMax.Milliseconds()), "key-frame-max-ms")
		}
		b.ReportMetric(records*100/1e6/took.Seconds(), "end-to-end-MB/s")
		b.ReportMetric(0, "ns/op")
	}
}

// rss is a process's resident set size in bytes.
func rss(tb testing.TB, pid int) int64 {
	r := rssOrZero(pid)
	if r == 0 {
		tb.Fatalf("no RSS for pid %d", pid)
	}
	return r
}

func rssOrZero(pid int) int64 {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(data), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 10, 64)
			return kb << 10
		}
	}
	return 0
}
