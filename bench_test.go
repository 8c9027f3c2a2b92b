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

// startClusterProcess runs a kfake cluster of topics × partitions in a
// child process (this test binary again), so the cluster's work does not
// share a Go runtime with the measuring code, and returns its bootstrap.
// With fill > 0 it first writes fill records of 100 bytes round-robin into
// the first topic.
func startClusterProcess(tb testing.TB, topics, partitions, fill int) string {
	tb.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestClusterProcess$", "-test.timeout=0")
	cmd.Env = append(os.Environ(), fmt.Sprintf("KSCOPE_TEST_CLUSTER=%d,%d,%d", topics, partitions, fill))
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
		fillTopic(t, c.ListenAddrs(), names[0], fill, 100)
	}
	fmt.Println(strings.Join(c.ListenAddrs(), ","))
	// The parent kills this process when it is done.
	select {}
}

// fillTopic writes n records of size bytes round-robin over topic's partitions.
func fillTopic(t testing.TB, addrs []string, topic string, n, size int) {
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
	for range n {
		p.Input() <- &sarama.ProducerMessage{Topic: topic, Value: value}
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
