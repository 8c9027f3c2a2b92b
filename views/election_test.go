package views

import (
	"context"
	"fmt"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/IBM/sarama"

	"kscope/kafkaclient"
)

// TestElectionPreviewsThenElectsExactlyThose: E on a topic lists every
// partition whose leader would change, marks the one whose preferred
// replica is out of sync, and once "elect" is typed asks for exactly
// those partitions, audited with each leader before and after.
func TestElectionPreviewsThenElectsExactlyThose(t *testing.T) {
	inBubble(t, func(t *testing.T, h *host) {
		r := &recorder{}
		c, audit := actionCommon(t, r)
		var asked []kafkaclient.TopicPartition
		fake := r.fake()
		fake.ElectFn = func(_ context.Context, parts []kafkaclient.TopicPartition) ([]kafkaclient.ElectionResult, error) {
			asked = parts
			return []kafkaclient.ElectionResult{
				{TopicPartition: parts[0]},
				{TopicPartition: parts[1], Err: fmt.Errorf("orders/2: %w", sarama.ErrPreferredLeaderNotAvailable)},
			}, nil
		}
		c.Client = ClientOf(fake)
		c.Snapshot = &kafkaclient.Snapshot{Topics: []kafkaclient.TopicInfo{
			{Name: "audit", Partitions: []kafkaclient.PartitionInfo{{ID: 0, Leader: 2, Replicas: []int32{1, 2}, ISR: []int32{1, 2}}}},
			{Name: "orders", Partitions: []kafkaclient.PartitionInfo{
				{ID: 0, Leader: 1, Replicas: []int32{1, 2, 3}, ISR: []int32{1, 2, 3}},
				{ID: 1, Leader: 3, Replicas: []int32{2, 3, 1}, ISR: []int32{3, 1, 2}},
				{ID: 2, Leader: 1, Replicas: []int32{3, 1, 2}, ISR: []int32{1, 2}},
			}},
		}}
		topics := NewTopics(c)
		h.push(topics)
		h.send(press("down"))
		h.send(press("E"))
		if len(h.stack) != 2 {
			t.Fatalf("E opened nothing; notices %v", h.notices())
		}
		preview := plain(h.top())
		for _, want := range []string{"topic orders", "2 leaders would change", "orders/1  leader 3 → 2", "orders/2  leader 1 → 3  (not in the ISR: stays)"} {
			if !strings.Contains(preview, want) {
				t.Errorf("preview lacks %q:\n%s", want, preview)
			}
		}
		if strings.Contains(preview, "orders/0") || strings.Contains(preview, "audit/0") {
			t.Errorf("the preview lists a partition that would not move, or another topic's:\n%s", preview)
		}
		h.keys("elect")
		h.send(tea.KeyPressMsg{Code: tea.KeyEnter})
		if fmt.Sprint(asked) != "[{orders 1} {orders 2}]" {
			t.Errorf("asked to elect %v", asked)
		}
		if len(*audit) != 1 {
			t.Fatalf("audit %+v", *audit)
		}
		e := (*audit)[0]
		if e.Action != "elect preferred leaders" || e.Topic != "orders" || len(e.Changes) != 2 || *e.Changes[0].Before != "3" || *e.Changes[0].After != "2" ||
			!strings.Contains(e.Result, "elected 1 preferred leader; 1 did not move") {
			t.Errorf("audit entry %+v", e)
		}
	})
}

// TestElectionNothingToMove says so instead of opening a dialog.
func TestElectionNothingToMove(t *testing.T) {
	inBubble(t, func(t *testing.T, h *host) {
		r := &recorder{}
		c, _ := actionCommon(t, r)
		c.Snapshot = &kafkaclient.Snapshot{Topics: []kafkaclient.TopicInfo{
			{Name: "orders", Partitions: []kafkaclient.PartitionInfo{{ID: 0, Leader: 1, Replicas: []int32{1, 2}, ISR: []int32{1, 2}}}},
		}}
		h.run(electDialog(c, "topic orders", func(string, kafkaclient.PartitionInfo) bool { return true }))
		if n := h.notices(); len(h.stack) != 0 || len(n) != 1 || !strings.Contains(n[0], "led by its preferred replica") {
			t.Errorf("stack %d, notices %v", len(h.stack), n)
		}
	})
}

// TestElectionScopes: E on a broker previews the partitions whose
// preferred replica it is, on a partition that partition, and in :health
// the whole cluster.
func TestElectionScopes(t *testing.T) {
	inBubble(t, func(t *testing.T, h *host) {
		r := &recorder{}
		c, _ := actionCommon(t, r)
		c.Snapshot = &kafkaclient.Snapshot{
			Brokers: []kafkaclient.BrokerInfo{{ID: 1, Up: true}, {ID: 2, Up: true}},
			Topics: []kafkaclient.TopicInfo{
				{Name: "audit", Partitions: []kafkaclient.PartitionInfo{{ID: 0, Leader: 1, Replicas: []int32{2, 1}, ISR: []int32{1, 2}}}},
				{Name: "orders", Partitions: []kafkaclient.PartitionInfo{
					{ID: 0, Leader: 2, Replicas: []int32{1, 2}, ISR: []int32{1, 2}},
					{ID: 1, Leader: 1, Replicas: []int32{2, 1}, ISR: []int32{1, 2}},
				}},
			}}
		preview := func(v View, keys ...string) string {
			h.push(v)
			for _, k := range keys {
				h.send(press(k))
			}
			if len(h.stack) != 2 {
				t.Fatalf("no dialog; notices %v", h.notices())
			}
			out := plain(h.top())
			h.closeAll()
			return out
		}
		broker2 := preview(NewBrokers(c), "down", "E")
		if !strings.Contains(broker2, "broker 2") || !strings.Contains(broker2, "audit/0") || !strings.Contains(broker2, "orders/1") || strings.Contains(broker2, "orders/0") {
			t.Errorf("broker 2:\n%s", broker2)
		}
		part := preview(NewPartitions(c, "orders"), "E")
		if !strings.Contains(part, "partition orders/0") || strings.Contains(part, "orders/1  leader") {
			t.Errorf("partition orders/0:\n%s", part)
		}
		cluster := preview(NewHealth(c), "E")
		if !strings.Contains(cluster, "the cluster: 3 leaders would change") {
			t.Errorf("the cluster:\n%s", cluster)
		}
	})
}
