//go:build realkafka

package integration

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"kscope/kafkaclient"
)

// TestHealthAgreesWithKafkaTopicsWhileABrokerIsDown stops a broker and
// compares the partitions kscope judges offline, under min ISR and
// under-replicated with what kafka-topics --describe lists with
// --unavailable-partitions, --under-min-isr-partitions and
// --under-replicated-partitions, for the topics this test made: one
// whose only replica is on the stopped broker, one with
// min.insync.replicas=3 and one with the default.
func TestHealthAgreesWithKafkaTopicsWhileABrokerIsDown(t *testing.T) {
	restoreNodes(t)
	victim := int32(3)
	if activeController(t) == victim {
		victim = 2
	}
	others := []int32{1, 2, 3}
	others = append(others[:victim-1:victim-1], others[victim:]...)
	lonely, strict, plain := name("health-lonely"), name("health-strict"), name("health-plain")
	createTopic(t, lonely, 2, 1, fmt.Sprintf("%d,%d", victim, others[0]))
	createTopic(t, strict, 3, 3, "", "min.insync.replicas=3")
	createTopic(t, plain, 3, 3, "")
	mine := map[string]bool{lonely: true, strict: true, plain: true}

	s := connect(t, config())
	node(t, "kill", victim)
	// Compare once the controller has fenced the broker: before that both
	// sides would agree that nothing is wrong.
	eventually(t, "the lonely partition offline", 2*time.Minute, func() string {
		for _, p := range parseTopicsDescribe(toolText(t, "kafka-topics", "--bootstrap-server", bootstrapArg(), "--describe", "--topic", lonely)) {
			if p.Partition == 0 && p.Leader < 0 {
				return ""
			}
		}
		return "still led"
	})
	kinds := []struct {
		flag string
		pick func(kafkaclient.PartitionProblems) []int32
	}{
		{"--unavailable-partitions", func(p kafkaclient.PartitionProblems) []int32 { return p.Offline }},
		{"--under-min-isr-partitions", func(p kafkaclient.PartitionProblems) []int32 { return p.UnderMinISR }},
		{"--under-replicated-partitions", func(p kafkaclient.PartitionProblems) []int32 { return p.UnderReplicated }},
	}
	for _, k := range kinds {
		kscope := func(t testing.TB) string {
			snap := s.fresh(t)
			req, err := s.Requirements(t.Context())
			if err != nil {
				t.Fatalf("Requirements: %v", err)
			}
			var out []string
			for _, topic := range snap.Topics {
				if mine[topic.Name] {
					for _, p := range k.pick(topic.Problems(req.MinISR[topic.Name])) {
						out = append(out, fmt.Sprintf("%s/%d", topic.Name, p))
					}
				}
			}
			return lines(out)
		}
		reference := func(t testing.TB) string {
			var out []string
			for _, p := range parseTopicsDescribe(toolText(t, "kafka-topics", "--bootstrap-server", bootstrapArg(), "--describe", k.flag)) {
				if mine[p.Topic] {
					out = append(out, fmt.Sprintf("%s/%d", p.Topic, p.Partition))
				}
			}
			return lines(out)
		}
		got := agree(t, k.flag, 2*time.Minute, kscope, reference)
		if strings.TrimSpace(got) == "" {
			t.Errorf("%s: nothing listed with broker %d down", k.flag, victim)
		}
	}
}
