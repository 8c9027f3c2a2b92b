package views

import (
	"fmt"
	"testing"

	"kscope/kafkaclient"
)

// BenchmarkTopicsFirstFrame is what the topic list costs between the
// first snapshot's arrival and kscope's first frame: taking the snapshot
// (the table measures its columns) and one View at 120×40, for clusters
// of topics × 10 partitions, before and after the message counts.
func BenchmarkTopicsFirstFrame(b *testing.B) {
	for _, topics := range []int{100, 10000} {
		for _, counted := range []bool{false, true} {
			b.Run(fmt.Sprintf("topics=%d/counted=%v", topics, counted), func(b *testing.B) {
				snap := &kafkaclient.Snapshot{Topics: make([]kafkaclient.TopicInfo, topics)}
				if counted {
					snap.WatermarksAt = t0
				}
				for i := range snap.Topics {
					ps := make([]kafkaclient.PartitionInfo, 10)
					for p := range ps {
						ps[p] = kafkaclient.PartitionInfo{ID: int32(p), Leader: 1, Replicas: []int32{1, 2, 3}, ISR: []int32{1, 2, 3},
							High: int64(i * p), WatermarksKnown: counted}
					}
					snap.Topics[i] = kafkaclient.TopicInfo{Name: fmt.Sprintf("topic-%05d", i), Partitions: ps}
				}
				c := testCommon(b)
				v := NewTopics(c)
				v.SetSize(120, 36)
				for b.Loop() {
					c.Snapshot = snap
					v.Update(kafkaclient.ClusterUpdated{Snapshot: snap})
					if v.View() == "" {
						b.Fatal("empty view")
					}
				}
			})
		}
	}
}
