package kafkaclient

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/IBM/sarama"
)

// ElectionMove is one partition a preferred leader election would move:
// its leader now and its preferred replica (the first of its replicas).
type ElectionMove struct {
	TopicPartition
	Leader, Preferred int32
	// PreferredInSync says whether the preferred replica is in the ISR:
	// Kafka elects only an in-sync replica, so a move without it fails.
	PreferredInSync bool
}

// PreferredMoves lists the partitions of s that include picks whose
// leader is not their preferred replica, sorted by topic and partition.
// A partition without a leader is listed too: an election gives it back
// its preferred replica if that one is in sync.
func (s *Snapshot) PreferredMoves(include func(topic string, p PartitionInfo) bool) []ElectionMove {
	var out []ElectionMove
	for _, t := range s.Topics {
		for _, p := range t.Partitions {
			pref := p.PreferredLeader()
			if pref < 0 || p.Leader == pref || !include(t.Name, p) {
				continue
			}
			out = append(out, ElectionMove{TopicPartition: TopicPartition{t.Name, p.ID}, Leader: p.Leader, Preferred: pref,
				PreferredInSync: slices.Contains(p.ISR, pref)})
		}
	}
	return out
}

// ElectionResult is one partition's answer to an election: nil, or why
// its leader did not move. sarama.ErrElectionNotNeeded means the
// preferred replica already leads it.
type ElectionResult struct {
	TopicPartition
	Err error
}

// electionTimeout is how long the controller may take to move the
// leaders before it answers, as kafka-leader-election waits.
const electionTimeout = 30 * time.Second

// ElectPreferredLeaders asks the controller to give each partition's
// leadership back to its preferred replica (kafka-leader-election
// --election-type preferred), and returns each partition's answer,
// sorted. Nothing is sent for no partition: an empty list would elect
// every partition of the cluster.
func (c *Client) ElectPreferredLeaders(ctx context.Context, parts []TopicPartition) ([]ElectionResult, error) {
	op := fmt.Sprintf("elect the preferred leaders of %d partitions", len(parts))
	if err := c.guardWrite(op); err != nil {
		return nil, err
	}
	if len(parts) == 0 {
		return nil, fmt.Errorf("%s: no partition named", op)
	}
	if !c.sconf.Version.IsAtLeast(sarama.V2_2_0_0) {
		return nil, fmt.Errorf("%s: Kafka %s does not have the request (2.2 and later do)", op, c.sconf.Version)
	}
	req := &sarama.ElectLeadersRequest{Type: sarama.PreferredElection, TopicPartitions: map[string][]int32{},
		TimeoutMs: int32(electionTimeout.Milliseconds())}
	switch {
	case c.sconf.Version.IsAtLeast(sarama.V2_4_0_0):
		req.Version = 2
	case c.sconf.Version.IsAtLeast(sarama.V2_3_0_0):
		req.Version = 1
	}
	for _, tp := range parts {
		req.TopicPartitions[tp.Topic] = append(req.TopicPartitions[tp.Topic], tp.Partition)
	}
	var resp *sarama.ElectLeadersResponse
	err := c.withController(ctx, parts[0].Topic, func(b *sarama.Broker, _ *sarama.MetadataResponse) (err error) {
		if resp, err = b.ElectLeaders(req); err != nil {
			return err
		}
		return kafkaError(int16(resp.ErrorCode))
	})
	if err != nil {
		return nil, fmt.Errorf("%s: %w", op, err)
	}
	out := make([]ElectionResult, 0, len(parts))
	for _, tp := range parts {
		r := ElectionResult{TopicPartition: tp, Err: errors.New("the controller did not answer for it")}
		if pr, ok := resp.ReplicaElectionResults[tp.Topic][tp.Partition]; ok {
			r.Err = answerError(tp.Topic+"/"+fmt.Sprint(tp.Partition), pr.ErrorCode, pr.ErrorMessage)
		}
		out = append(out, r)
	}
	slices.SortFunc(out, func(a, b ElectionResult) int {
		return cmp.Or(cmp.Compare(a.Topic, b.Topic), cmp.Compare(a.Partition, b.Partition))
	})
	c.Refresh()
	return out, nil
}
