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

// TestPreferredElectionMovesWhatThePreviewListed restarts a broker, so
// that it leads none of the partitions whose preferred replica it is,
// then checks that the partitions kscope's preview lists are exactly
// those kafka-topics --describe shows led off their preferred replica,
// and that the election moves exactly those back.
func TestPreferredElectionMovesWhatThePreviewListed(t *testing.T) {
	restoreNodes(t)
	topic := name("elect")
	// Each broker is the preferred replica of two partitions.
	createTopic(t, topic, 6, 3, "1:2:3,2:3:1,3:1:2,1:3:2,2:1:3,3:2:1")
	describeTopic := func(t testing.TB) []describedPartition {
		return parseTopicsDescribe(toolText(t, "kafka-topics", "--bootstrap-server", bootstrapArg(), "--describe", "--topic", topic))
	}
	victim := int32(1)
	if activeController(t) == victim {
		victim = 2
	}
	node(t, "kill", victim)
	eventually(t, "leaders moved off the killed broker", 90*time.Second, func() string {
		for _, p := range describeTopic(t) {
			if p.Leader == victim || p.Leader < 0 {
				return fmt.Sprintf("partition %d leader %d", p.Partition, p.Leader)
			}
		}
		return ""
	})
	node(t, "start", victim)
	if err := waitHealthy(2 * time.Minute); err != nil {
		t.Fatalf("no recovery after the restart: %v", err)
	}

	s := connect(t, config())
	mine := func(topic0 string, _ kafkaclient.PartitionInfo) bool { return topic0 == topic }
	previewText := func(moves []kafkaclient.ElectionMove) string {
		var out []string
		for _, m := range moves {
			out = append(out, fmt.Sprintf("%d: %d -> %d", m.Partition, m.Leader, m.Preferred))
		}
		return lines(out)
	}
	offPreferred := func(t testing.TB) string {
		var out []string
		for _, p := range describeTopic(t) {
			if p.Leader != p.Replicas[0] {
				out = append(out, fmt.Sprintf("%d: %d -> %d", p.Partition, p.Leader, p.Replicas[0]))
			}
		}
		return lines(out)
	}
	var moves []kafkaclient.ElectionMove
	listed := agree(t, "partitions off their preferred leader", time.Minute, func(t testing.TB) string {
		moves = s.fresh(t).PreferredMoves(mine)
		return previewText(moves)
	}, offPreferred)
	if len(moves) != 2 {
		t.Fatalf("the preview lists %d partitions, want the 2 the restarted broker %d prefers:\n%s", len(moves), victim, listed)
	}
	for _, m := range moves {
		if m.Preferred != victim || !m.PreferredInSync {
			t.Errorf("move %+v: want broker %d, in sync", m, victim)
		}
	}

	before := describeTopic(t)
	parts := make([]kafkaclient.TopicPartition, len(moves))
	for i, m := range moves {
		parts[i] = m.TopicPartition
	}
	results, err := s.ElectPreferredLeaders(t.Context(), parts)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range results {
		if r.Err != nil {
			t.Errorf("%v: %v", r.TopicPartition, r.Err)
		}
	}
	eventually(t, "the listed partitions led by their preferred replica", time.Minute, func() string {
		if off := offPreferred(t); off != "" {
			return "still off: " + off
		}
		return ""
	})
	// Nothing else moved.
	for _, p := range describeTopic(t) {
		moved := slices.ContainsFunc(moves, func(m kafkaclient.ElectionMove) bool { return m.Partition == p.Partition })
		was := before[slices.IndexFunc(before, func(b describedPartition) bool { return b.Partition == p.Partition })]
		if !moved && p.Leader != was.Leader {
			t.Errorf("partition %d moved from %d to %d though the preview did not list it", p.Partition, was.Leader, p.Leader)
		}
	}
	if strings.TrimSpace(previewText(s.fresh(t).PreferredMoves(mine))) != "" {
		t.Error("kscope still lists moves after the election")
	}
}
