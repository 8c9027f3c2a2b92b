package views

import (
	"bufio"
	"encoding/json"
	"io"
	"time"

	"kscope/kafkaclient"
)

// exportedEvent is one timeline event as a JSON Lines row.
type exportedEvent struct {
	At          string                        `json:"at"`
	Group       string                        `json:"group"`
	Kind        string                        `json:"kind"`
	Text        string                        `json:"text"`
	Member      string                        `json:"member,omitempty"`
	ClientID    string                        `json:"client_id,omitempty"`
	Host        string                        `json:"host,omitempty"`
	Topic       string                        `json:"topic,omitempty"`
	Partition   *int32                        `json:"partition,omitempty"`
	From        string                        `json:"from,omitempty"`
	To          string                        `json:"to,omitempty"`
	FromUnknown bool                          `json:"from_unknown,omitempty"`
	UnownedMs   int64                         `json:"unowned_ms,omitempty"`
	Partitions  []exportedPartition           `json:"partitions,omitempty"`
	Offsets     []exportedOffset              `json:"offsets,omitempty"`
	GapMs       int64                         `json:"gap_ms,omitempty"`
	Cause       string                        `json:"cause,omitempty"`
	TookMs      int64                         `json:"took_ms,omitempty"`
	Rebalance   int                           `json:"rebalance,omitempty"`
	Summary     *kafkaclient.RebalanceSummary `json:"summary,omitempty"`
}

type exportedPartition struct {
	Topic     string `json:"topic"`
	Partition int32  `json:"partition"`
}

// exportedOffset is one partition of an offset reset; -1 is no commit.
type exportedOffset struct {
	Topic     string `json:"topic"`
	Partition int32  `json:"partition"`
	From      int64  `json:"from"`
	To        int64  `json:"to"`
}

var eventKinds = map[kafkaclient.TimelineKind]string{
	kafkaclient.EventMemberJoined:      "member_joined",
	kafkaclient.EventMemberLeft:        "member_left",
	kafkaclient.EventStateChanged:      "state_changed",
	kafkaclient.EventGenerationChanged: "generation_changed",
	kafkaclient.EventPartitionMoved:    "partition_moved",
	kafkaclient.EventPartitionUnowned:  "partition_unowned",
	kafkaclient.EventPartitionAssigned: "partition_assigned",
	kafkaclient.EventRebalanceStarted:  "rebalance_started",
	kafkaclient.EventRebalanceEnded:    "rebalance_ended",
	kafkaclient.EventGroupGone:         "group_gone",
	kafkaclient.EventError:             "error",
	kafkaclient.EventOwnersUnknown:     "owners_unknown",
	kafkaclient.EventOffsetsReset:      "offsets_reset",
	kafkaclient.EventUnobserved:        "unobserved",
	kafkaclient.EventEpochChanged:      "epoch_changed",
	kafkaclient.EventTargetChanged:     "target_changed",
	kafkaclient.EventMemberRevoked:     "member_revoked",
	kafkaclient.EventMemberAssigned:    "member_assigned",
	kafkaclient.EventMemberReconciled:  "member_reconciled",
	kafkaclient.EventMemberFenced:      "member_fenced",
	kafkaclient.EventTypeChanged:       "type_changed",
}

func (g *Group) exportJob() exportJob {
	events, group := g.timeline.Events(), g.name
	return exportJob{n: len(events), noun: "events", write: func(w io.Writer) error {
		bw := bufio.NewWriter(w)
		enc := json.NewEncoder(bw)
		for _, e := range events {
			if err := enc.Encode(exportEvent(group, e)); err != nil {
				return err
			}
		}
		return bw.Flush()
	}}
}

func exportEvent(group string, e kafkaclient.TimelineEvent) exportedEvent {
	row := exportedEvent{At: e.At.UTC().Format(time.RFC3339Nano), Group: group, Kind: eventKinds[e.Kind], Text: e.Text(),
		Member: e.Member, ClientID: e.ClientID, Host: e.Host, From: e.From, To: e.To, FromUnknown: e.FromUnknown,
		UnownedMs: e.Unowned.Milliseconds(), GapMs: e.Gap.Milliseconds(), Rebalance: e.Rebalance, Summary: e.Summary,
		Cause: e.Cause, TookMs: e.Took.Milliseconds()}
	if e.Partition.Topic != "" {
		p := e.Partition.Partition
		row.Topic, row.Partition = e.Partition.Topic, &p
	}
	for _, tp := range e.Partitions {
		row.Partitions = append(row.Partitions, exportedPartition{tp.Topic, tp.Partition})
	}
	for _, c := range e.Offsets {
		row.Offsets = append(row.Offsets, exportedOffset{c.Topic, c.Partition, c.From, c.To})
	}
	return row
}
