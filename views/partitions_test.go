package views

import (
	"context"
	"strings"
	"testing"
	"time"

	"kscope/kafkaclient"
	"kscope/views/viewtest"
)

// TestPartitionsAskTheLastStableOffsetsOncePerRefresh: the view asks for
// its topic's last stable offsets when it opens and again only for newer
// watermarks, and marks the partition an open transaction holds back.
func TestPartitionsAskTheLastStableOffsetsOncePerRefresh(t *testing.T) {
	inBubble(t, func(t *testing.T, h *host) {
		var asked []string
		fake := &viewtest.Fake{StableFn: func(_ context.Context, topic string) (map[int32]int64, error) {
			asked = append(asked, topic)
			return map[int32]int64{0: 1000, 1: 880}, nil
		}}
		c := testCommon(t)
		c.Client = ClientOf(fake)
		snap := &kafkaclient.Snapshot{WatermarksAt: t0, Topics: []kafkaclient.TopicInfo{{Name: "ledger", Partitions: []kafkaclient.PartitionInfo{
			{ID: 0, Leader: 1, Replicas: []int32{1}, ISR: []int32{1}, High: 1000, WatermarksKnown: true},
			{ID: 1, Leader: 1, Replicas: []int32{1}, ISR: []int32{1}, High: 900, WatermarksKnown: true},
			{ID: 2, Leader: 1, Replicas: []int32{1}, ISR: []int32{1}, High: 5, WatermarksKnown: true},
		}}}}
		c.Snapshot = snap
		h.push(NewPartitions(c, "ledger"))
		got := plain(h.top())
		if len(asked) != 1 || asked[0] != "ledger" {
			t.Fatalf("asked %v", asked)
		}
		for _, want := range []string{"880 −20", "?"} {
			if !strings.Contains(got, want) {
				t.Errorf("lacks %q:\n%s", want, got)
			}
		}
		h.send(kafkaclient.ClusterUpdated{Snapshot: snap})
		if len(asked) != 1 {
			t.Errorf("asked again for the same watermarks: %v", asked)
		}
		newer := *snap
		newer.WatermarksAt = t0.Add(5 * time.Second)
		c.Snapshot = &newer
		h.send(kafkaclient.ClusterUpdated{Snapshot: &newer})
		if len(asked) != 2 {
			t.Errorf("not asked for newer watermarks: %v", asked)
		}
	})
}
