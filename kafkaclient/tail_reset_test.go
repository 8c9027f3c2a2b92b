package kafkaclient

import (
	"context"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// watchTail hands each of a tail's events to see until see returns true;
// the test fails when that takes longer than timeout, naming what it
// waited for.
func watchTail(t *testing.T, tl *Tail, timeout time.Duration, what string, see func(Event) bool) {
	t.Helper()
	deadline := time.After(timeout)
	var last RecordBatch
	for {
		select {
		case e, ok := <-tl.Events():
			if !ok {
				t.Fatalf("tail closed while waiting for %s", what)
			}
			if b, isBatch := e.(RecordBatch); isBatch {
				last = b
			}
			if end, isEnd := e.(TailEnded); isEnd {
				t.Fatalf("tail ended while waiting for %s: %v", what, end.Err)
			}
			if see(e) {
				return
			}
		case <-deadline:
			t.Fatalf("no %s within %s; last progress %+v", what, timeout, last.Progress)
		}
	}
}

// listenPorts are the ports a cluster listens on, to start another on them.
func listenPorts(t *testing.T, c *kfake.Cluster) []int {
	var ports []int
	for _, a := range c.ListenAddrs() {
		_, port, err := net.SplitHostPort(a)
		if err != nil {
			t.Fatal(err)
		}
		ports = append(ports, mustAtoi(t, port))
	}
	return ports
}

// TestTailResetsWhenTheClusterComesBackEmpty restarts the cluster on the
// same ports with its topic empty. Every reader's next offset is beyond
// the new log's end: each must restart at the earliest offset and say so,
// and the records produced afterwards must arrive, each once.
func TestTailResetsWhenTheClusterComesBackEmpty(t *testing.T) {
	t.Parallel()
	const partitions, before, after = 2, 20, 30
	first, err := kfake.NewCluster(kfake.NumBrokers(2), kfake.SeedTopics(partitions, "phoenix"))
	if err != nil {
		t.Fatal(err)
	}
	closeFirst := sync.OnceFunc(first.Close)
	defer closeFirst()
	produce(t, first, "phoenix", partitions, before)
	cl, err := Connect(context.Background(), Config{Brokers: first.ListenAddrs(), RequestTimeout: 2 * time.Second, RefreshInterval: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	tl, err := cl.Tail(context.Background(), TailSpec{Topic: "phoenix", From: From{Kind: FromEarliest}})
	if err != nil {
		t.Fatal(err)
	}
	defer tl.Close()
	collect(t, tl, partitions*before, 10*time.Second)

	ports := listenPorts(t, first)
	closeFirst()
	second := newCluster(t, 0, kfake.Ports(ports...), kfake.SeedTopics(partitions, "phoenix"))

	reset := map[int32]bool{}
	watchTail(t, tl, 30*time.Second, "a reset of every partition to offset 0", func(e Event) bool {
		switch e := e.(type) {
		case TailNotice:
			if e.Level == NoticeReset && strings.Contains(e.Text, "restarted at the earliest offset 0") {
				if !e.Err || !strings.Contains(e.Text, "offset 20 is out of range") {
					t.Errorf("reset notice %+v", e)
				}
				reset[e.Partition] = true
			}
		case RecordBatch:
			if len(e.Records) > 0 {
				t.Fatalf("records before any was produced again: %v", values(e.Records[0]))
			}
			if len(reset) < partitions {
				return false
			}
			for _, p := range e.Progress {
				if p.State != ReaderRunning || p.Next != 0 || p.Restarts != 1 || p.Start != 0 {
					return false
				}
			}
			return true
		}
		return false
	})

	produce(t, second, "phoenix", partitions, after)
	recs, _, _ := collect(t, tl, partitions*after, 10*time.Second)
	next := map[int32]int64{}
	for _, r := range recs {
		if r.Offset != next[r.Partition] {
			t.Fatalf("partition %d: offset %d after %d (gap or duplicate)", r.Partition, r.Offset, next[r.Partition]-1)
		}
		next[r.Partition]++
	}
	watchTail(t, tl, 10*time.Second, "every partition live at its end", func(e Event) bool {
		b, ok := e.(RecordBatch)
		if !ok {
			return false
		}
		if n := b.Len(); n > 0 {
			t.Fatalf("%d records more than were produced", n)
		}
		for _, p := range b.Progress {
			if p.Next != after {
				return false
			}
		}
		if b.Received != partitions*(before+after) {
			t.Fatalf("received %d records in all, want %d", b.Received, partitions*(before+after))
		}
		return b.Progress.Live(b.At)
	})
}

// answerOutOfRange makes the cluster answer the next fetch of topic with
// OFFSET_OUT_OF_RANGE for each partition it asks for, as a broker does
// once retention deleted the offset asked for.
func answerOutOfRange(c *kfake.Cluster, topic string) {
	c.ControlKey(int16(kmsg.Fetch), func(kreq kmsg.Request) (kmsg.Response, error, bool) {
		req := kreq.(*kmsg.FetchRequest)
		resp := req.ResponseKind().(*kmsg.FetchResponse)
		resp.Version = req.Version
		asked := false
		for _, rt := range req.Topics {
			st := kmsg.NewFetchResponseTopic()
			st.Topic, st.TopicID = rt.Topic, rt.TopicID
			for _, rp := range rt.Partitions {
				sp := kmsg.NewFetchResponseTopicPartition()
				sp.Partition = rp.Partition
				sp.ErrorCode = 1 // OFFSET_OUT_OF_RANGE
				sp.HighWatermark, sp.LastStableOffset, sp.LogStartOffset = -1, -1, -1
				st.Partitions = append(st.Partitions, sp)
			}
			resp.Topics = append(resp.Topics, st)
			asked = asked || rt.Topic == topic
		}
		return resp, nil, asked
	})
}

// TestTailResetPolicy loses each reader's offset in a log that still holds
// records: the default restarts at the earliest offset and reads them
// again, latest skips them; both say which records they read again or
// skip.
func TestTailResetPolicy(t *testing.T) {
	t.Parallel()
	tests := []struct {
		policy OutOfRange
		want   string // the offsets read after the reset
		notice string
	}{
		{OutOfRangeEarliest, "0:v 1:v 2:v 3:v 4:v", "offset 5 is out of range: the log now runs 0..5; restarted at the earliest offset 0"},
		{OutOfRangeLatest, "", "restarted at the latest offset 5"},
	}
	for _, tt := range tests {
		t.Run(tt.policy.String(), func(t *testing.T) {
			t.Parallel()
			c := newCluster(t, 1, kfake.SeedTopics(1, "lost"))
			produce(t, c, "lost", 1, 5)
			cl := connect(t, c)
			tl, err := cl.Tail(context.Background(), TailSpec{Topic: "lost", From: From{Kind: FromEarliest}, OnOutOfRange: tt.policy})
			if err != nil {
				t.Fatal(err)
			}
			defer tl.Close()
			collect(t, tl, 5, 10*time.Second)
			answerOutOfRange(c, "lost")
			var again []Record
			var notice string
			watchTail(t, tl, 20*time.Second, "the reader running again after its reset", func(e Event) bool {
				switch e := e.(type) {
				case TailNotice:
					if e.Level == NoticeReset && strings.Contains(e.Text, "restarted") {
						notice = e.Text
					}
				case RecordBatch:
					for _, chunk := range e.Records {
						again = append(again, chunk...)
					}
					p := e.Progress[0]
					return notice != "" && p.Restarts == 1 && p.State == ReaderRunning && p.Next == 5 && p.Live(e.At)
				}
				return false
			})
			if got := values(again); got != tt.want {
				t.Errorf("read after the reset: %q, want %q", got, tt.want)
			}
			if !strings.Contains(notice, tt.notice) {
				t.Errorf("notice %q, want it to say %q", notice, tt.notice)
			}
		})
	}
}

func TestResetText(t *testing.T) {
	tests := []struct {
		lost, low, high, from int64
		policy                OutOfRange
		want                  string
	}{
		{3, 10, 20, 10, OutOfRangeEarliest, "offset 3 is out of range: records 3..9 were deleted before they were read; restarted at the earliest offset 10"},
		{50, 0, 8, 0, OutOfRangeEarliest, "offset 50 is out of range: the log now ends at 8 (topic recreated or cluster restarted?); restarted at the earliest offset 0"},
		{3, 10, 20, 20, OutOfRangeLatest, "offset 3 is out of range: records 3..9 were deleted before they were read; restarted at the latest offset 20, skipping 10 records"},
		{50, 0, 0, 0, OutOfRangeLatest, "offset 50 is out of range: the log now ends at 0 (topic recreated or cluster restarted?); restarted at the latest offset 0"},
	}
	for _, tt := range tests {
		if got := resetText(tt.lost, tt.low, tt.high, tt.from, tt.policy); got != tt.want {
			t.Errorf("resetText(%d, %d, %d, %d, %s)\n got %q\nwant %q", tt.lost, tt.low, tt.high, tt.from, tt.policy, got, tt.want)
		}
	}
}

func TestRestartDelayDoublesUpToItsBound(t *testing.T) {
	want := []time.Duration{100, 200, 400, 800, 1600, 3200, 5000, 5000}
	for i, w := range want {
		if got := restartDelay(i + 1); got != w*time.Millisecond {
			t.Errorf("restartDelay(%d) = %s, want %s", i+1, got, w*time.Millisecond)
		}
	}
}

// TestTailEndsWhenItsTopicIsDeletedDuringAReset deletes the topic while a
// reader, its consumer stopped, waits to retry its reset: no consumer is
// left to report the topic gone, so the reset must.
func TestTailEndsWhenItsTopicIsDeletedDuringAReset(t *testing.T) {
	t.Parallel()
	c := newCluster(t, 1, kfake.SeedTopics(1, "fleeting"))
	produce(t, c, "fleeting", 1, 3)
	cl := connect(t, c)
	tl, err := cl.Tail(context.Background(), TailSpec{Topic: "fleeting", From: From{Kind: FromEarliest}})
	if err != nil {
		t.Fatal(err)
	}
	defer tl.Close()
	collect(t, tl, 3, 10*time.Second)
	failing := c.Fault(kfake.Fault{Keys: []kmsg.Key{kmsg.ListOffsets}, Topic: "fleeting", Count: -1})
	answerOutOfRange(c, "fleeting")
	watchTail(t, tl, 20*time.Second, "a reader waiting to retry its reset", func(e Event) bool {
		b, ok := e.(RecordBatch)
		return ok && b.Progress[0].State == ReaderResetting && !b.Progress[0].RetryAt.IsZero()
	})
	if err := c.DeleteTopic("fleeting"); err != nil {
		t.Fatal(err)
	}
	failing.Remove()
	deadline := time.After(20 * time.Second)
	for {
		select {
		case e := <-tl.Events():
			if end, ok := e.(TailEnded); ok {
				if !strings.Contains(end.Err.Error(), "topic fleeting was deleted") {
					t.Fatalf("ended with %v", end.Err)
				}
				return
			}
		case <-deadline:
			t.Fatal("the tail did not end after its topic was deleted")
		}
	}
}
