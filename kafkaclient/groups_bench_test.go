package kafkaclient

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"
	"github.com/twmb/franz-go/pkg/kversion"
)

const (
	// benchTopics × benchPartitions are the partitions the groups consume,
	// the same whatever the number of groups, so that only groups vary.
	benchTopics, benchPartitions = 1000, 10
	// benchSession keeps the members joined through the measurement
	// without heartbeats, whose requests would be counted with the refresh.
	benchSession = 30 * time.Minute
)

// BenchmarkGroupsRefresh observes 1,000 and 10,000 classic consumer groups
// on a 3-broker kfake cluster, each with one joined member that was
// assigned its topic's 10 partitions and with committed offsets, and
// reports the time of one refresh and the requests it sent per API key,
// which must not grow with the number of groups. The cluster runs in a
// process of its own: in this one, its work and the garbage collector's
// scans of its heap would be timed as the refresh's.
//
//	go test -run '^$' -bench GroupsRefresh -benchtime 5x ./kafkaclient/
func BenchmarkGroupsRefresh(b *testing.B) {
	var first map[string]float64 // requests a refresh at the first size
	for _, groups := range []int{1000, 10000} {
		b.Run(fmt.Sprintf("groups=%d", groups), func(b *testing.B) {
			addrs, sentSoFar := startGroupsCluster(b, groups)
			cl, err := Connect(context.Background(), Config{Brokers: addrs, ConnectTimeout: 5 * time.Second, RefreshInterval: time.Hour, DiskInterval: -1})
			if err != nil {
				b.Fatal(err)
			}
			defer cl.Close()
			waitSnapshot(b, cl, func(*Snapshot) bool { return true })

			// The first refresh also opens the connections to the
			// coordinators; the figures are those of a refresh after it.
			gs, err := cl.Groups(context.Background())
			checkSeeded(b, gs, err, groups)

			var ms, cpu []float64
			var perRefresh map[string]float64
			for b.Loop() {
				before := sentSoFar()
				start, cpuStart := time.Now(), cpuTime(b)
				gs, err := cl.Groups(context.Background())
				ms = append(ms, float64(time.Since(start).Microseconds())/1000)
				cpu = append(cpu, float64((cpuTime(b)-cpuStart).Microseconds())/1000)
				checkSeeded(b, gs, err, groups)
				sent := sentSoFar()
				for k := range sent {
					if sent[k] -= before[k]; sent[k] == 0 {
						delete(sent, k)
					}
				}
				if perRefresh != nil && !equalCounts(sent, perRefresh) {
					b.Fatalf("one refresh sent %v, another %v", sent, perRefresh)
				}
				perRefresh = sent
			}
			s := spreadMs(ms)
			budget := "—"
			if groups == 10000 {
				budget = "budget ≤ 250 ms"
			}
			perfRow(b, fmt.Sprintf("groups refresh, %s groups with members", thousands(int64(groups))), s, "—", budget)
			// The CPU kscope spent, which other work on the machine
			// inflates much less than the wall time.
			perfRow(b, fmt.Sprintf("groups refresh CPU, %s groups with members", thousands(int64(groups))), spreadMs(cpu), "—", "—")
			constant := "the reference for the next size"
			if first == nil {
				first = perRefresh
			} else if equalCounts(first, perRefresh) {
				constant = "same as at the size before"
			} else {
				constant = fmt.Sprintf("DIFFERS from the size before: %s", formatCounts(first))
			}
			perfRow(b, fmt.Sprintf("groups refresh requests, %s groups", thousands(int64(groups))), formatCounts(perRefresh), "—", constant)
			slices.Sort(ms)
			b.ReportMetric(ms[len(ms)/2], "ms/refresh")
			for k, n := range perRefresh {
				b.ReportMetric(n, k+"/refresh")
			}
			b.ReportMetric(0, "ns/op")
		})
	}
}

const groupsClusterEnv = "KSCOPE_TEST_GROUPS_CLUSTER"

// startGroupsCluster runs TestGroupsClusterProcess in a child process
// (this test binary again) with groups groups, and returns its bootstrap
// and a function that asks it how many requests it was sent so far, by
// API key.
func startGroupsCluster(b *testing.B, groups int) ([]string, func() map[string]float64) {
	b.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestGroupsClusterProcess$", "-test.timeout=0")
	cmd.Env = append(os.Environ(), fmt.Sprintf("%s=%d", groupsClusterEnv, groups))
	cmd.Stderr = os.Stderr
	ask, err := cmd.StdinPipe()
	if err != nil {
		b.Fatal(err)
	}
	answers, err := cmd.StdoutPipe()
	if err != nil {
		b.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	lines := bufio.NewScanner(answers)
	line := func() string {
		if !lines.Scan() {
			b.Fatalf("groups cluster process: %v", lines.Err())
		}
		return lines.Text()
	}
	addrs := strings.Split(line(), ",")
	return addrs, func() map[string]float64 {
		if _, err := io.WriteString(ask, "count\n"); err != nil {
			b.Fatal(err)
		}
		counts := map[string]float64{}
		for f := range strings.FieldsSeq(line()) {
			name, n, _ := strings.Cut(f, "=")
			v, err := strconv.ParseFloat(n, 64)
			if err != nil {
				b.Fatalf("groups cluster process answered %q", f)
			}
			counts[name] = v
		}
		return counts
	}
}

// TestGroupsClusterProcess is the child of startGroupsCluster: it seeds
// the groups, prints the bootstrap, then answers each line read with the
// requests received so far. Run on its own it does nothing.
func TestGroupsClusterProcess(t *testing.T) {
	spec := os.Getenv(groupsClusterEnv)
	if spec == "" {
		return
	}
	groups, err := strconv.Atoi(spec)
	if err != nil {
		t.Fatal(err)
	}
	topics := make([]string, benchTopics)
	for i := range topics {
		topics[i] = fmt.Sprintf("t-%04d", i)
	}
	c := newCluster(t, 3, kfake.SeedTopics(benchPartitions, topics...), kfake.GroupMaxSessionTimeout(time.Hour))
	seedGroups(t, c, groups, topics)
	var counts [kmsg.MaxKey + 1]atomic.Int64
	for key := range counts {
		c.ControlKey(int16(key), func(kmsg.Request) (kmsg.Response, error, bool) {
			c.KeepControl()
			counts[key].Add(1)
			return nil, nil, false
		})
	}
	fmt.Println(strings.Join(c.ListenAddrs(), ","))
	in := bufio.NewScanner(os.Stdin)
	for in.Scan() {
		var sb strings.Builder
		for key := range counts {
			if n := counts[key].Load(); n > 0 {
				fmt.Fprintf(&sb, "%s=%d ", kmsg.Key(key).Name(), n)
			}
		}
		fmt.Println(sb.String())
	}
}

// seedGroups commits offsets for groups groups g-00000… on topics (group i
// on topic i mod len(topics)), then joins one member to each and has it
// assign itself all the topic's partitions.
func seedGroups(b testing.TB, c *kfake.Cluster, groups int, topics []string) {
	b.Helper()
	// Kafka 3.6's versions: kfake's newest OffsetCommit names topics by id.
	kc, err := kgo.NewClient(kgo.SeedBrokers(c.ListenAddrs()...), kgo.MaxVersions(kversion.V3_6_0()), kgo.RequestTimeoutOverhead(time.Minute))
	if err != nil {
		b.Fatal(err)
	}
	defer kc.Close()
	ctx := context.Background()
	work := make(chan int)
	var wg sync.WaitGroup
	var failed atomic.Value
	for range 64 {
		wg.Go(func() {
			for i := range work {
				if err := seedGroup(ctx, kc, fmt.Sprintf("g-%05d", i), topics[i%len(topics)]); err != nil {
					failed.CompareAndSwap(nil, err)
				}
			}
		})
	}
	for i := range groups {
		work <- i
	}
	close(work)
	wg.Wait()
	if err, _ := failed.Load().(error); err != nil {
		b.Fatal(err)
	}
}

func seedGroup(ctx context.Context, kc *kgo.Client, group, topic string) error {
	partitions := make([]int32, benchPartitions)
	commit := kmsg.NewPtrOffsetCommitRequest()
	commit.Group, commit.Generation = group, -1
	ct := kmsg.NewOffsetCommitRequestTopic()
	ct.Topic = topic
	for p := range int32(benchPartitions) {
		partitions[p] = p
		cp := kmsg.NewOffsetCommitRequestTopicPartition()
		cp.Partition, cp.Offset = p, 0
		ct.Partitions = append(ct.Partitions, cp)
	}
	commit.Topics = append(commit.Topics, ct)
	cresp, err := commit.RequestWith(ctx, kc)
	if err != nil {
		return err
	}
	for _, t := range cresp.Topics {
		for _, p := range t.Partitions {
			if err := kerr.ErrorForCode(p.ErrorCode); err != nil {
				return fmt.Errorf("%s: commit: %w", group, err)
			}
		}
	}

	meta := kmsg.NewConsumerMemberMetadata()
	meta.Topics = []string{topic}
	join := kmsg.NewPtrJoinGroupRequest()
	join.Group, join.ProtocolType = group, "consumer"
	join.SessionTimeoutMillis = int32(benchSession.Milliseconds())
	join.RebalanceTimeoutMillis = 60_000
	proto := kmsg.NewJoinGroupRequestProtocol()
	proto.Name, proto.Metadata = "range", meta.AppendTo(nil)
	join.Protocols = append(join.Protocols, proto)
	var jresp *kmsg.JoinGroupResponse
	for range 2 { // the first join may only be given a member id
		if jresp, err = join.RequestWith(ctx, kc); err != nil {
			return err
		}
		if jresp.ErrorCode != kerr.MemberIDRequired.Code {
			break
		}
		join.MemberID = jresp.MemberID
	}
	if err := kerr.ErrorForCode(jresp.ErrorCode); err != nil {
		return fmt.Errorf("%s: join: %w", group, err)
	}

	assignment := kmsg.NewConsumerMemberAssignment()
	at := kmsg.NewConsumerMemberAssignmentTopic()
	at.Topic, at.Partitions = topic, partitions
	assignment.Topics = append(assignment.Topics, at)
	sync := kmsg.NewPtrSyncGroupRequest()
	sync.Group, sync.Generation, sync.MemberID = group, jresp.Generation, jresp.MemberID
	sync.ProtocolType, sync.Protocol = kmsg.StringPtr("consumer"), kmsg.StringPtr("range")
	sa := kmsg.NewSyncGroupRequestGroupAssignment()
	sa.MemberID, sa.MemberAssignment = jresp.MemberID, assignment.AppendTo(nil)
	sync.GroupAssignment = append(sync.GroupAssignment, sa)
	sresp, err := sync.RequestWith(ctx, kc)
	if err != nil {
		return err
	}
	if err := kerr.ErrorForCode(sresp.ErrorCode); err != nil {
		return fmt.Errorf("%s: sync: %w", group, err)
	}
	return nil
}

// checkSeeded fails unless a refresh saw every group stable, with its
// member, the member's assignment and the group's offsets.
func checkSeeded(b *testing.B, gs []GroupInfo, err error, groups int) {
	b.Helper()
	if err != nil || len(gs) != groups {
		b.Fatalf("%d groups, %v", len(gs), err)
	}
	for _, g := range gs {
		if g.Err != nil || g.State != "Stable" || len(g.Members) != 1 || len(g.Members[0].Assigned) != benchPartitions ||
			len(g.Offsets) != benchPartitions || g.Offsets[0].LogEnd < 0 {
			b.Fatalf("%s: %+v", g.Name, g)
		}
	}
}

func equalCounts(a, b map[string]float64) bool {
	for k, n := range a {
		if b[k] != n {
			return false
		}
	}
	for k, n := range b {
		if a[k] != n {
			return false
		}
	}
	return true
}

// formatCounts lists the requests of one refresh by API key, in name order.
func formatCounts(counts map[string]float64) string {
	var parts []string
	for k, n := range counts {
		parts = append(parts, fmt.Sprintf("%s %g", k, n))
	}
	sort.Strings(parts)
	return strings.Join(parts, ", ")
}

// spreadMs formats the refresh times as median, min and max.
func spreadMs(ms []float64) string {
	s := slices.Sorted(slices.Values(ms))
	med := s[len(s)/2]
	if len(s)%2 == 0 {
		med = (s[len(s)/2-1] + med) / 2
	}
	return fmt.Sprintf("%.0f ms (min %.0f, max %.0f)", med, s[0], s[len(s)-1])
}

// cpuTime is the user and system CPU time this process used so far.
func cpuTime(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// perfRow prints one row of the performance table in the format of the
// root package's perfRow, which `.ci/perf` collects.
func perfRow(tb testing.TB, metric, kscope, competitor, ratio string) {
	tb.Helper()
	fmt.Printf("PERF\t%s\t%s\t%s\t%s\n", metric, kscope, competitor, ratio)
}
