//go:build realkafka

package integration

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"kscope/kafkaclient"
)

// TestPartitions compares every partition's leader, replicas and ISR with
// kafka-topics --describe on a whole cluster, with a broker paused
// (SIGSTOP: its replicas fall out of the ISRs), and with another killed
// (SIGKILL: leaders move, a partition whose only replica it held goes
// offline), and after each recovers.
func TestPartitions(t *testing.T) {
	restoreNodes(t)
	others := otherNodes(activeController(t))
	pausedID, killedID := others[0], others[1]
	rf3, rf2, rf1 := name("parts-rf3"), name("parts-rf2"), name("parts-rf1")
	createTopic(t, rf3, 6, 3, "")
	createTopic(t, rf2, 4, 2, "")
	// Partition 0 has its only replica on the broker that will be killed.
	createTopic(t, rf1, 3, 1, fmt.Sprintf("%d,%d,%d", killedID, pausedID, killedID))
	produceCounts(t, rf3, []int{5, 4, 3, 2, 1, 0})
	produceCounts(t, rf1, []int{7, 8, 9})

	s := connect(t, config())
	admin := fastAdmin(t)
	// describe runs kafka-topics --describe (all topics, internal ones
	// included), the output or the failure as text.
	describe := func(t testing.TB, args ...string) string {
		return toolText(t, "kafka-topics", append([]string{"--bootstrap-server", bootstrapArg(), "--command-config", admin, "--describe"}, args...)...)
	}
	toolPartitions := func(t testing.TB) string { return orFailure(describe(t), partitionLines) }
	kscopePartitions := func(t testing.TB) string { return snapshotPartitionLines(s.fresh(t)) }
	toolUnder := func(t testing.TB) string {
		return orFailure(describe(t, "--under-replicated-partitions"), partitionLines)
	}
	kscopeUnder := func(t testing.TB) string {
		return snapshotPartitionLines(s.fresh(t), kafkaclient.PartitionInfo.IsUnderReplicated)
	}
	toolUnderCounts := func(t testing.TB) string {
		return orFailure(describe(t, "--under-replicated-partitions"), countsByTopic)
	}
	kscopeUnderCounts := func(t testing.TB) string {
		var ls []string
		for _, tp := range s.fresh(t).Topics {
			if n := tp.UnderReplicated(); n > 0 {
				ls = append(ls, fmt.Sprintf("%s under-replicated=%d", tp.Name, n))
			}
		}
		return lines(ls)
	}
	toolUnavailable := func(t testing.TB) string {
		return orFailure(describe(t, "--unavailable-partitions"), partitionNames)
	}
	kscopeOffline := func(t testing.TB) string {
		var ls []string
		for _, tp := range s.fresh(t).Topics {
			for _, p := range tp.Partitions {
				if p.IsOffline() {
					ls = append(ls, fmt.Sprintf("%s/%d", tp.Name, p.ID))
				}
			}
		}
		return lines(ls)
	}

	agree(t, "partitions of a whole cluster", time.Minute, kscopePartitions, toolPartitions)
	if got := agree(t, "under-replicated partitions of a whole cluster", time.Minute, kscopeUnder, toolUnder); got != "" {
		t.Errorf("a whole cluster has under-replicated partitions:\n%s", got)
	}

	t.Run("broker paused", func(t *testing.T) {
		node(t, "pause", pausedID)
		pausedAt := time.Now()
		// Within the lowered replica.lag.time.max.ms (and the broker
		// session timeout for the partitions it led) every partition with
		// a replica on the paused broker drops it from its ISR.
		eventually(t, "ISRs without the paused broker", 90*time.Second, func() string {
			out := describe(t)
			if strings.HasPrefix(out, "tool failed") {
				return out
			}
			for _, p := range parseTopicsDescribe(out) {
				if slices.Contains(p.Replicas, pausedID) && slices.Contains(p.ISR, pausedID) {
					return fmt.Sprintf("%s/%d isr %v", p.Topic, p.Partition, p.ISR)
				}
			}
			return ""
		})
		t.Logf("ISRs shrank %s after SIGSTOP (replica.lag.time.max.ms 3s, broker.session.timeout.ms 6s)", time.Since(pausedAt).Round(100*time.Millisecond))
		under := agree(t, "under-replicated partitions with a broker paused", 90*time.Second, kscopeUnder, toolUnder)
		if !strings.Contains(under, rf3+"/0 ") {
			t.Errorf("%s/0 is not under-replicated with broker %d paused:\n%s", rf3, pausedID, under)
		}
		agree(t, "under-replicated counts per topic (topics list)", time.Minute, kscopeUnderCounts, toolUnderCounts)
		agree(t, "partitions with a broker paused", time.Minute, kscopePartitions, toolPartitions)
		expect(t, "the paused broker shown down", 30*time.Second, func() string { return brokerDown(t, s, pausedID) })

		node(t, "resume", pausedID)
		if err := waitHealthy(2 * time.Minute); err != nil {
			t.Fatalf("no recovery after SIGCONT: %v", err)
		}
		if got := agree(t, "under-replicated partitions after SIGCONT", time.Minute, kscopeUnder, toolUnder); got != "" {
			t.Errorf("still under-replicated after recovery:\n%s", got)
		}
		agree(t, "partitions after SIGCONT", time.Minute, kscopePartitions, toolPartitions)
	})

	t.Run("broker killed", func(t *testing.T) {
		node(t, "kill", killedID)
		killedAt := time.Now()
		// The controller fences the broker after broker.session.timeout.ms:
		// its partitions get other leaders, rf1/0 has none.
		eventually(t, "leaders moved off the killed broker", 90*time.Second, func() string {
			out := describe(t)
			if strings.HasPrefix(out, "tool failed") {
				return out
			}
			for _, p := range parseTopicsDescribe(out) {
				if p.Leader == killedID {
					return fmt.Sprintf("%s/%d still led by %d", p.Topic, p.Partition, killedID)
				}
			}
			return ""
		})
		t.Logf("leaders moved %s after SIGKILL", time.Since(killedAt).Round(100*time.Millisecond))
		unavailable := agree(t, "offline partitions with a broker killed", time.Minute, kscopeOffline, toolUnavailable)
		if !slices.Contains(strings.Split(unavailable, "\n"), rf1+"/0") {
			t.Errorf("kafka-topics --unavailable-partitions says %q, without %s/0", unavailable, rf1)
		}
		agree(t, "partitions with a broker killed", time.Minute, kscopePartitions, toolPartitions)
		// Offline replicas: those on the dead broker, for every partition
		// that has one there.
		agree(t, "offline replicas with a broker killed", time.Minute, func(t testing.TB) string {
			var ls []string
			for _, tp := range s.fresh(t).Topics {
				for _, p := range tp.Partitions {
					if len(p.Offline) > 0 {
						ls = append(ls, fmt.Sprintf("%s/%d offline=%s", tp.Name, p.ID, sortedInts(p.Offline)))
					}
				}
			}
			return lines(ls)
		}, func(t testing.TB) string {
			out := describe(t)
			if strings.HasPrefix(out, "tool failed") {
				return out
			}
			var ls []string
			for _, p := range parseTopicsDescribe(out) {
				if slices.Contains(p.Replicas, killedID) {
					ls = append(ls, fmt.Sprintf("%s/%d offline=%d", p.Topic, p.Partition, killedID))
				}
			}
			return lines(ls)
		})
		// The header counts brokers up out of brokers known: the dead one
		// must count as known and down, not vanish.
		expect(t, "the killed broker shown down", 30*time.Second, func() string { return brokerDown(t, s, killedID) })

		node(t, "start", killedID)
		if err := waitHealthy(2 * time.Minute); err != nil {
			t.Fatalf("no recovery after the restart: %v", err)
		}
		agree(t, "partitions after the restart", time.Minute, kscopePartitions, toolPartitions)
		if got := agree(t, "offline partitions after the restart", time.Minute, kscopeOffline, toolUnavailable); got != "" {
			t.Errorf("offline after recovery: %s", got)
		}
		eventually(t, "every broker shown up after the restart", 30*time.Second, func() string {
			snap := s.fresh(t)
			if snap.BrokersUp() != 3 || len(snap.Brokers) != 3 {
				return fmt.Sprintf("%d/%d brokers up", snap.BrokersUp(), len(snap.Brokers))
			}
			return ""
		})
	})
}

// brokerDown says what is wrong with how kscope's snapshot shows a broker
// that is stopped: it must be among the brokers, marked down, with the
// other two up ("" when all is well).
func brokerDown(t testing.TB, s *session, id int32) string {
	snap := s.fresh(t)
	var brokers []string
	for _, b := range snap.Brokers {
		brokers = append(brokers, fmt.Sprintf("%d up=%v", b.ID, b.Up))
	}
	i := slices.IndexFunc(snap.Brokers, func(b kafkaclient.BrokerInfo) bool { return b.ID == id })
	switch {
	case i < 0:
		return fmt.Sprintf("broker %d is not in the snapshot at all (brokers: %s; the header reads %d/%d up)",
			id, strings.Join(brokers, ", "), snap.BrokersUp(), len(snap.Brokers))
	case snap.Brokers[i].Up:
		return fmt.Sprintf("broker %d shown up (brokers: %s)", id, strings.Join(brokers, ", "))
	case snap.BrokersUp() != 2 || len(snap.Brokers) != 3:
		return fmt.Sprintf("the header reads %d/%d up, want 2/3", snap.BrokersUp(), len(snap.Brokers))
	}
	return ""
}

// orFailure applies canonical to a tool's output, or passes its failure on.
func orFailure(out string, canonical func([]describedPartition) string) string {
	if strings.HasPrefix(out, "tool failed") {
		return out
	}
	return canonical(parseTopicsDescribe(out))
}

// partitionLines is the canonical text of partitions: one line each with
// leader, replicas in order (the first is the preferred leader) and the
// ISR as a set.
func partitionLines(ps []describedPartition) string {
	ls := make([]string, 0, len(ps))
	for _, p := range ps {
		ls = append(ls, fmt.Sprintf("%s/%d leader=%d replicas=%s isr=%s", p.Topic, p.Partition, p.Leader, ints(p.Replicas), sortedInts(p.ISR)))
	}
	return lines(ls)
}

// snapshotPartitionLines is partitionLines of kscope's snapshot, of the
// partitions every filter accepts.
func snapshotPartitionLines(snap *kafkaclient.Snapshot, filters ...func(kafkaclient.PartitionInfo) bool) string {
	var ls []string
	for _, tp := range snap.Topics {
	next:
		for _, p := range tp.Partitions {
			for _, f := range filters {
				if !f(p) {
					continue next
				}
			}
			ls = append(ls, fmt.Sprintf("%s/%d leader=%d replicas=%s isr=%s", tp.Name, p.ID, p.Leader, ints(p.Replicas), sortedInts(p.ISR)))
		}
	}
	return lines(ls)
}

func partitionNames(ps []describedPartition) string {
	ls := make([]string, 0, len(ps))
	for _, p := range ps {
		ls = append(ls, fmt.Sprintf("%s/%d", p.Topic, p.Partition))
	}
	return lines(ls)
}

func countsByTopic(ps []describedPartition) string {
	n := map[string]int{}
	for _, p := range ps {
		n[p.Topic]++
	}
	var ls []string
	for topic, c := range n {
		ls = append(ls, fmt.Sprintf("%s under-replicated=%d", topic, c))
	}
	return lines(ls)
}
