package kafkaclient

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// readCommittedAsks records the partitions ("topic/partition") of every
// read_committed ListOffsets request c answers.
type readCommittedAsks struct {
	mu    sync.Mutex
	asked []string
}

func watchReadCommitted(c *kfake.Cluster) *readCommittedAsks {
	r := &readCommittedAsks{}
	c.ControlKey(int16(kmsg.ListOffsets), func(req kmsg.Request) (kmsg.Response, error, bool) {
		c.KeepControl()
		if lo := req.(*kmsg.ListOffsetsRequest); lo.IsolationLevel == 1 {
			r.mu.Lock()
			for _, t := range lo.Topics {
				for _, p := range t.Partitions {
					r.asked = append(r.asked, fmt.Sprintf("%s/%d", t.Topic, p.Partition))
				}
			}
			r.mu.Unlock()
		}
		return nil, nil, false
	})
	return r
}

// take returns the partitions asked since the last take, sorted.
func (r *readCommittedAsks) take() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := r.asked
	r.asked = nil
	slices.Sort(out)
	return out
}

// A transaction left open holds partition 0's last stable offset at its
// first record while committed records move the high watermark past it;
// once it commits, the last stable offset is the high watermark again.
// The refresh never asks: only StableOffsets does, for its topic.
func TestStableOffsetsStopAtAnOpenTransaction(t *testing.T) {
	t.Parallel()
	c := newCluster(t, 3, kfake.SeedTopics(2, "ledger"), kfake.SeedTopics(2, "other"))
	produce(t, c, "ledger", 2, 3)
	p := txnProducer(t, c, "posting", 30*time.Second)
	first := beginAndWrite(t, p, "ledger", 0)[0]
	produce(t, c, "ledger", 2, 2) // committed records after the open one
	asks := watchReadCommitted(c)
	cl := connect(t, c)
	s := waitSnapshot(t, cl, func(*Snapshot) bool { return true })
	if got := asks.take(); len(got) != 0 {
		t.Errorf("the refresh asked read_committed for %v", got)
	}

	lso, err := cl.StableOffsets(context.Background(), "ledger")
	if err != nil {
		t.Fatal(err)
	}
	high := s.Topic("ledger").Partitions
	if first != 3 || lso[0] != first || high[0].High != 6 || lso[1] != high[1].High || lso[1] != 5 {
		t.Errorf("open transaction from offset %d: last stable offsets %v, high watermarks %d and %d", first, lso, high[0].High, high[1].High)
	}
	if got := asks.take(); !slices.Equal(got, []string{"ledger/0", "ledger/1"}) {
		t.Errorf("asked for %v, want ledger's partitions only", got)
	}

	if err := p.EndTransaction(context.Background(), kgo.TryCommit); err != nil {
		t.Fatal(err)
	}
	lso, err = cl.StableOffsets(context.Background(), "ledger")
	// The commit marker takes an offset of its own.
	if err != nil || lso[0] != 7 {
		t.Errorf("after the commit: %v, %v", lso, err)
	}
}

// TestStableOffsetsErrors: an unknown topic and a leader that fails are
// said; what the other leaders answered is kept.
func TestStableOffsetsErrors(t *testing.T) {
	t.Parallel()
	c := newCluster(t, 3, kfake.SeedTopics(3, "ledger"))
	// One leader per partition: kfake picks leaders at random, and all
	// three on the failing broker would leave nothing to answer.
	for p := range int32(3) {
		if err := c.MoveTopicPartition("ledger", p, p); err != nil {
			t.Fatal(err)
		}
	}
	cl := connect(t, c)
	waitSnapshot(t, cl, func(s *Snapshot) bool {
		ps := s.Topic("ledger").Partitions
		return ps[0].Leader == 0 && ps[1].Leader == 1 && ps[2].Leader == 2
	})
	if _, err := cl.StableOffsets(context.Background(), "nope"); !errors.Is(err, ErrNoSuchTopic) {
		t.Errorf("unknown topic: %v", err)
	}
	const down = 0
	c.ControlKey(int16(kmsg.ListOffsets), func(req kmsg.Request) (kmsg.Response, error, bool) {
		c.KeepControl()
		if c.CurrentNode() == down && req.(*kmsg.ListOffsetsRequest).IsolationLevel == 1 {
			return nil, errors.New("closed"), true
		}
		return nil, nil, false
	})
	lso, err := cl.StableOffsets(context.Background(), "ledger")
	if err == nil || len(lso) != 2 {
		t.Errorf("one leader failing: %v, %v", lso, err)
	}
	if _, ok := lso[0]; ok {
		t.Errorf("partition 0 of the failed leader %d has %v", down, lso)
	}
}
