package kafkaclient

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/IBM/sarama"
	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// BenchmarkGroupsRefresh observes 1,000 groups with offsets over 10,000
// partitions (1,000 topics × 10) on a 3-broker kfake cluster and reports
// the time of one refresh and the requests it sent.
//
//	go test -run '^$' -bench GroupsRefresh -benchtime 5x ./kafkaclient/
func BenchmarkGroupsRefresh(b *testing.B) {
	const groups, partitions = 1000, 10
	topics := make([]string, groups)
	for i := range topics {
		topics[i] = fmt.Sprintf("t-%04d", i)
	}
	c := newCluster(b, 3, kfake.SeedTopics(partitions, topics...))
	client, err := sarama.NewClient(c.ListenAddrs(), groupConfig("seeder"))
	if err != nil {
		b.Fatal(err)
	}
	for i, topic := range topics {
		coord, err := client.Coordinator(fmt.Sprintf("g-%04d", i))
		if err != nil {
			b.Fatal(err)
		}
		req := &sarama.OffsetCommitRequest{Version: 2, ConsumerGroup: fmt.Sprintf("g-%04d", i), ConsumerGroupGeneration: -1, RetentionTime: -1}
		for p := range int32(partitions) {
			req.AddBlock(topic, p, 0, 0, "")
		}
		if _, err := coord.CommitOffset(req); err != nil {
			b.Fatal(err)
		}
	}
	client.Close()
	cl := connect(b, c)
	waitSnapshot(b, cl, func(*Snapshot) bool { return true })

	counts := map[kmsg.Key]*atomic.Int64{kmsg.ListGroups: {}, kmsg.DescribeGroups: {}, kmsg.OffsetFetch: {}, kmsg.ListOffsets: {}}
	for key, n := range counts {
		c.ControlKey(int16(key), func(kmsg.Request) (kmsg.Response, error, bool) {
			c.KeepControl()
			n.Add(1)
			return nil, nil, false
		})
	}
	var total time.Duration
	for range b.N {
		start := time.Now()
		gs, err := cl.Groups(context.Background())
		total += time.Since(start)
		if err != nil || len(gs) != groups {
			b.Fatalf("%d groups, %v", len(gs), err)
		}
		for _, g := range gs {
			if g.Err != nil || len(g.Offsets) != partitions || g.Offsets[0].LogEnd < 0 {
				b.Fatalf("%s: %+v", g.Name, g)
			}
		}
	}
	b.ReportMetric(float64(total.Milliseconds())/float64(b.N), "ms/refresh")
	for key, n := range counts {
		b.ReportMetric(float64(n.Load())/float64(b.N), key.Name()+"/refresh")
	}
	b.ReportMetric(0, "ns/op")
}
