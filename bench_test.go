package main

import (
	"strconv"

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

// BenchmarkTail5M runs the binary in a terminal at default settings, lets
// it settle on the topics screen, then tails 5,000,000 records of 100
// bytes from the earliest offset. It reports the resident memory at idle,
// the peak the kernel recorded (VmHWM, over the process's whole life: idle
// comes first, so it is the tail's peak, with no sample to miss it) and
// their difference, which the budget bounds.
//
//	go test -run '^$' -bench Tail5M -benchtime 1x .
func BenchmarkTail5M(b *testing.B) {
	const records = 5_000_000
	bootstrap := startClusterProcess(b, 1, 6, records)
	var idle, peak, above []float64
	for b.Loop() {
		tm := startTerm(b, "-b", bootstrap, "-c", "topics")
		tm.waitText("topic-00000", 30*time.Second)
		pid := kscopePID(tm)
		time.Sleep(time.Second)
		before := procStatusField(b, pid, "VmRSS")

		tm.keys(":tail topic-00000 --from earliest", "Enter")
		tm.waitEvery("the whole backlog", 10*time.Minute, func(s string) bool {
			return strings.Contains(s, "LIVE · 5,000,000 records")
		})
		hwm := procStatusField(b, pid, "VmHWM")
		tm.close()
		mb := func(n int64) float64 { return float64(n) / 1e6 }
		idle, peak, above = append(idle, mb(before)), append(peak, mb(hwm)), append(above, mb(hwm-before))
	}
	perfRow(b, "tail 5M: RSS at idle", fmt.Sprintf("%.0f MB", spreadOf(idle).median), "—", "—")
	perfRow(b, "tail 5M: peak RSS (VmHWM)", fmt.Sprintf("%.0f MB", spreadOf(peak).median), "—", "—")
	a := spreadOf(above)
	perfRow(b, "tail 5M: peak RSS above idle", fmt.Sprintf("%.0f MB (min %.0f, max %.0f)", a.median, a.min, a.max), "—", "budget ≤ 200 MB")
	b.ReportMetric(a.median, "rss-above-idle-MB")
	b.ReportMetric(spreadOf(idle).median, "idle-rss-MB")
	b.ReportMetric(spreadOf(peak).median, "peak-rss-MB")
	b.ReportMetric(0, "ns/op")
}

// kscopePID is the process of the binary running in tm's pane, checked to
// be kscope itself rather than a shell around it.
func kscopePID(tm *term) int {
	tm.t.Helper()
	pid, err := strconv.Atoi(strings.TrimSpace(tm.tmux("display-message", "-p", "#{pane_pid}")))
	if err != nil {
		tm.t.Fatal(err)
	}
	comm, err := os.ReadFile(fmt.Sprintf("/proc/%d/comm", pid))
	if err != nil || strings.TrimSpace(string(comm)) != "kscope" {
		tm.t.Fatalf("pane process %d is %q (%v), not kscope", pid, comm, err)
	}
	return pid
}

// procStatusField reads a size field of a process's /proc status.
func procStatusField(tb testing.TB, pid int, field string) int64 {
	tb.Helper()
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		tb.Fatal(err)
	}
	n, err := procStatusBytes(string(data), field)
	if err != nil {
		tb.Fatalf("pid %d: %v", pid, err)
	}
	return n
}
