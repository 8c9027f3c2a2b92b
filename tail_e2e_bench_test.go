package main

import (
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/IBM/sarama"
)

const (
	// markEnv tells the cluster child how often a filled record carries
	// filterMarker.
	markEnv = "KSCOPE_TEST_MARK"
	// rawEnv tells this test binary to run as the raw consumer child:
	// bootstrap, topic, partitions and records, separated by spaces.
	rawEnv = "KSCOPE_TEST_RAW"
	// filterMarker is what the filtered scan looks for; the filler values
	// are all "v", so nothing else matches it.
	filterMarker = "needle"
	// markEvery is one record in how many that the filtered scan matches.
	markEvery = 10_000
	// recordSize is the value size of the filled records.
	recordSize = 100
)

// childProcess reports whether this test binary was started by a benchmark
// as a cluster or a consumer of its own.
func childProcess() bool {
	return os.Getenv("KSCOPE_TEST_CLUSTER") != "" || os.Getenv(rawEnv) != ""
}

// kcatTuning is what made kcat fastest against kfake here, about 3× its
// defaults: most of the gain is the short fetch wait (librdkafka otherwise
// waits up to 500 ms on a partition that has run dry while others have
// not) and the deep prefetch queue; the bigger fetches add a little.
var kcatTuning = []string{
	"-X", "fetch.message.max.bytes=8388608",
	"-X", "fetch.max.bytes=104857600",
	"-X", "queued.min.messages=1000000",
	"-X", "queued.max.messages.kbytes=1048576",
	"-X", "fetch.wait.max.ms=10",
}

// BenchmarkTailEndToEnd tails 1M and 5M records of 100 bytes (6
// partitions, the cluster in a process of its own) from the earliest
// offset and times, in every round and in a rotating order:
//
//   - kscope, the built binary in a 120×40 terminal, from launch to the
//     screen saying LIVE with every record counted;
//   - the same with --filter matching one record in 10,000, until LIVE
//     and the filter has read every record;
//   - a raw sarama consumer (one Consumer, a PartitionConsumer a
//     partition, see rawConsume) in a process of its own, from its start
//     to the last record received;
//   - kcat -C -e with kcatTuning, writing to /dev/null, from start to exit.
//
// The ratios are taken round by round and reported as median, min and
// max, so that the noise of a shared machine shows instead of averaging
// away.
//
//	go test -run '^$' -bench TailEndToEnd -benchtime 5x .
func BenchmarkTailEndToEnd(b *testing.B) {
	kcat, err := exec.LookPath("kcat")
	if err != nil {
		b.Fatal("kcat is needed for the comparison (apt-get install kcat)")
	}
	for _, records := range []int{1_000_000, 5_000_000} {
		b.Run(fmt.Sprintf("records=%dM", records/1_000_000), func(b *testing.B) {
			bootstrap := startMarkedCluster(b, 1, 6, records, markEvery)
			mbps := func(d time.Duration) float64 { return float64(records*recordSize) / 1e6 / d.Seconds() }
			var plain, filtered, raw, kc []float64
			var lastScan filterCount
			runs := []func(){
				func() { plain = append(plain, mbps(kscopeTail(b, bootstrap, records, "").took)) },
				func() {
					r := kscopeTail(b, bootstrap, records, filterMarker)
					filtered, lastScan = append(filtered, mbps(r.took)), r.filterCount
				},
				func() { raw = append(raw, mbps(rawConsumeProcess(b, bootstrap, records))) },
				func() { kc = append(kc, mbps(kcatConsume(b, kcat, bootstrap))) },
			}
			round := 0
			for b.Loop() {
				for i := range runs {
					runs[(round+i)%len(runs)]()
				}
				round++
			}
			name := fmt.Sprintf("tail %dM×100 B e2e", records/1_000_000)
			ks := spreadOf(plain)
			perfRow(b, name+" vs raw sarama (MB/s)", mbRate(ks.median), mbRate(spreadOf(raw).median), spreadOf(ratios(plain, raw)).ratio("≥ 1.0"))
			perfRow(b, name+" vs tuned kcat (MB/s)", mbRate(ks.median), mbRate(spreadOf(kc).median), spreadOf(ratios(plain, kc)).ratio("≥ 1.0"))
			perfRow(b, name+" filtered 1/10,000 vs unfiltered (MB/s)", mbRate(spreadOf(filtered).median), mbRate(ks.median), spreadOf(ratios(filtered, plain)).ratio("≥ 0.9"))
			perfRow(b, name+" filter matched / scanned (last round)",
				fmt.Sprintf("%s / %s", thousands(lastScan.matched), thousands(lastScan.scanned)),
				fmt.Sprintf("%s / %s", thousands(records/markEvery), thousands(records)), "should be equal")
			b.ReportMetric(ks.median, "kscope-MB/s")
			b.ReportMetric(spreadOf(raw).median, "raw-MB/s")
			b.ReportMetric(spreadOf(kc).median, "kcat-MB/s")
			b.ReportMetric(spreadOf(filtered).median, "filtered-MB/s")
			b.ReportMetric(0, "ns/op")
		})
	}
}

func mbRate(v float64) string { return fmt.Sprintf("%.1f MB/s", v) }

// filterCount is what the tail's status line says a finished filter read.
type filterCount struct{ matched, scanned int }

type tailRun struct {
	took time.Duration
	filterCount
}

// finishedFilter is the status line's count once the filter has read the
// whole buffer (while it reads, it says "filtering N / M…").
var finishedFilter = regexp.MustCompile(`matched ([\d,]+) / ([\d,]+) scanned`)

// kscopeTail runs the binary in a terminal, tailing topic-00000 from the
// earliest offset, with --filter filter unless it is empty, and times it
// from launch to the screen saying every record was read (and, filtered,
// that the filter read them all).
func kscopeTail(b *testing.B, bootstrap string, records int, filter string) tailRun {
	b.Helper()
	command := "tail topic-00000 --from earliest"
	if filter != "" {
		command += " --filter " + filter
	}
	start := time.Now()
	tm := startTerm(b, "-b", bootstrap, "-c", command)
	defer tm.close()
	live := fmt.Sprintf("LIVE · %s records", thousands(records))
	var run tailRun
	tm.waitEvery(live, 10*time.Minute, func(s string) bool {
		if !strings.Contains(s, live) {
			return false
		}
		if filter == "" {
			return true
		}
		m := finishedFilter.FindStringSubmatch(s)
		if m == nil {
			return false
		}
		run.matched, run.scanned = atoiCommas(m[1]), atoiCommas(m[2])
		return run.scanned == records
	})
	run.took = time.Since(start)
	return run
}

// waitEvery is waitFor polling every 20 ms: each look runs tmux, and
// looking more often takes CPU from the program measured on two cores.
func (tm *term) waitEvery(what string, timeout time.Duration, ok func(string) bool) string {
	tm.t.Helper()
	return tm.poll(what, timeout, 20*time.Millisecond, ok)
}

// kcatConsume times tuned kcat reading topic-00000 to its end.
func kcatConsume(b *testing.B, kcat, bootstrap string) time.Duration {
	b.Helper()
	args := append([]string{"-C", "-b", bootstrap, "-t", "topic-00000", "-o", "beginning", "-e", "-q"}, kcatTuning...)
	cmd := exec.Command(kcat, args...) // stdout is /dev/null
	var stderr strings.Builder
	cmd.Stderr = &stderr
	start := time.Now()
	if err := cmd.Run(); err != nil {
		b.Fatalf("kcat: %v: %s", err, stderr.String())
	}
	return time.Since(start)
}

// rawConsumeProcess times the raw consumer child from its start to its
// exit, which it makes as soon as the last record arrives.
func rawConsumeProcess(b *testing.B, bootstrap string, records int) time.Duration {
	b.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestRawConsumerProcess$", "-test.timeout=0")
	cmd.Env = append(os.Environ(), fmt.Sprintf("%s=%s topic-00000 6 %d", rawEnv, bootstrap, records))
	var out strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &out
	start := time.Now()
	if err := cmd.Run(); err != nil {
		b.Fatalf("raw consumer: %v: %s", err, out.String())
	}
	return time.Since(start)
}

// TestRawConsumerProcess is the child of rawConsumeProcess; run on its
// own it does nothing.
func TestRawConsumerProcess(t *testing.T) {
	spec := os.Getenv(rawEnv)
	if spec == "" {
		return
	}
	var bootstrap, topic string
	var partitions int32
	var records int64
	if _, err := fmt.Sscan(spec, &bootstrap, &topic, &partitions, &records); err != nil {
		t.Fatal(err)
	}
	rawConsume(t, strings.Split(bootstrap, ","), topic, partitions, records)
	// Closing the consumers is not part of reading the records.
	os.Exit(0)
}

// rawConsume reads records records from partitions of topic from the
// oldest offset, as fast as sarama can. The settings are the fastest
// found here: 1 MiB fetches a partition and a channel of 1,024 records;
// 4, 8 and 16 MiB fetches, channels of 256, 512 or 4,096, a MaxWaitTime of
// 10 or 50 ms and protocol version 3.6 were no faster (no difference stood
// out of the machine's noise).
func rawConsume(t testing.TB, addrs []string, topic string, partitions int32, records int64) {
	conf := sarama.NewConfig()
	conf.Version = sarama.V2_8_0_0
	conf.Consumer.Fetch.Default = 1 << 20
	conf.ChannelBufferSize = 1024
	consumer, err := sarama.NewConsumer(addrs, conf)
	if err != nil {
		t.Fatal(err)
	}
	var got atomic.Int64
	var once sync.Once
	done := make(chan struct{})
	for p := range partitions {
		pc, err := consumer.ConsumePartition(topic, p, sarama.OffsetOldest)
		if err != nil {
			t.Fatal(err)
		}
		go func() {
			for range pc.Messages() {
				if got.Add(1) == records {
					once.Do(func() { close(done) })
				}
			}
		}()
	}
	select {
	case <-done:
	case <-time.After(10 * time.Minute):
		t.Fatalf("%d of %d records after 10 minutes", got.Load(), records)
	}
}

// thousands writes n with comma separators, as kscope's status line does.
func thousands(n int) string {
	s := strconv.Itoa(n)
	for i := len(s) - 3; i > 0 && s[i-1] != '-'; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

func atoiCommas(s string) int {
	n, _ := strconv.Atoi(strings.ReplaceAll(s, ",", ""))
	return n
}
