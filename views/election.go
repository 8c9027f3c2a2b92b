package views

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	tea "charm.land/bubbletea/v2"
	"github.com/IBM/sarama"

	"kscope/kafkaclient"
)

// electDialog previews a preferred leader election over the partitions
// of the snapshot that include picks, named scope ("topic orders", "the
// cluster"), and makes it once "elect" is typed. The preview lists every
// partition whose leader would change, from whom to whom, and marks those
// whose preferred replica is out of the ISR: Kafka refuses to move them.
func electDialog(c *Common, scope string, include func(string, kafkaclient.PartitionInfo) bool) tea.Cmd {
	if c.Snapshot == nil {
		return notify("waiting for metadata", true)
	}
	if c.Client.Leaders == nil {
		return notify("this session cannot elect leaders", true)
	}
	moves := c.Snapshot.PreferredMoves(include)
	if len(moves) == 0 {
		return notify("every partition of "+scope+" is led by its preferred replica", false)
	}
	parts := make([]kafkaclient.TopicPartition, len(moves))
	changes := make([]kafkaclient.Change, len(moves))
	var lines []string
	stuck := 0
	for i, m := range moves {
		parts[i] = m.TopicPartition
		before, after := leaderText(m.Leader), strconv.Itoa(int(m.Preferred))
		changes[i] = kafkaclient.Change{What: partitionName(m.TopicPartition) + " leader", Before: &before, After: &after}
		line := fmt.Sprintf("%s  leader %s → %d", partitionName(m.TopicPartition), before, m.Preferred)
		if !m.PreferredInSync {
			stuck++
			line += "  (not in the ISR: stays)"
		}
		lines = append(lines, line)
	}
	explanation := fmt.Sprintf("Elect the preferred leaders of %s: %s would change. Clients of a moved partition reconnect to its new leader.",
		scope, plural(int64(len(moves)), "leader", "leaders"))
	if stuck > 0 {
		explanation += fmt.Sprintf(" %d cannot move: the preferred replica is not in sync.", stuck)
	}
	explanation += "\n\n" + strings.Join(lines, "\n")
	entry := kafkaclient.AuditEntry{Action: "elect preferred leaders", Target: scope, Changes: changes}
	if topics := movedTopics(moves); len(topics) == 1 {
		entry.Topic = topics[0]
	}
	elector := c.Client.Leaders
	return confirmChange(c, "elect leaders", "Elect preferred leaders", explanation, "elect", entry, func(ctx context.Context) (string, error) {
		results, err := elector.ElectPreferredLeaders(ctx, parts)
		if err != nil {
			return "", err
		}
		return electionText(results)
	})
}

// electionText sums up an election's answers: how many leaders moved,
// and each partition that did not move with why.
func electionText(results []kafkaclient.ElectionResult) (string, error) {
	moved, already := 0, 0
	var failed []string
	for _, r := range results {
		switch {
		case r.Err == nil:
			moved++
		case errors.Is(r.Err, sarama.ErrElectionNotNeeded):
			already++
		default:
			failed = append(failed, r.Err.Error())
		}
	}
	text := fmt.Sprintf("elected %s", plural(int64(moved), "preferred leader", "preferred leaders"))
	if already > 0 {
		text += fmt.Sprintf(", %d already led by their preferred replica", already)
	}
	if len(failed) > 0 {
		return "", fmt.Errorf("%s; %d did not move: %s", text, len(failed), strings.Join(failed, "; "))
	}
	return text, nil
}

func partitionName(tp kafkaclient.TopicPartition) string {
	return plainName(tp.Topic) + "/" + strconv.Itoa(int(tp.Partition))
}

// leaderText is a leader's id, or "none" for a partition without one.
func leaderText(id int32) string {
	if id < 0 {
		return "none"
	}
	return strconv.Itoa(int(id))
}

func movedTopics(moves []kafkaclient.ElectionMove) []string {
	var out []string
	for _, m := range moves {
		if len(out) == 0 || out[len(out)-1] != m.Topic {
			out = append(out, m.Topic)
		}
	}
	return out
}
