package kafkaclient

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/IBM/sarama"
	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// collect reads a tail's events until want records arrived or the deadline passed.
func collect(t *testing.T, tl *Tail, want int, timeout time.Duration) ([]Record, []TailNotice, []PartitionProgress) {
	t.Helper()
	var recs []Record
	var notices []TailNotice
	var progress []PartitionProgress
	deadline := time.After(timeout)
	for len(recs) < want {
		select {
		case e := <-tl.Events():
			switch e := e.(type) {
			case RecordBatch:
				for _, c := range e.Records {
					recs = append(recs, c...)
				}
				progress = e.Progress
			case TailNotice:
				notices = append(notices, e)
			case TailEnded:
				t.Fatalf("tail ended: %v", e.Err)
			}
		case <-deadline:
			t.Fatalf("got %d of %d records within %s; notices %+v", len(recs), want, timeout, notices)
		}
	}
	return recs, notices, progress
}

// produceValues writes values to one partition with timestamps one second apart from base.
func produceValues(t *testing.T, c *kfake.Cluster, topic string, partition int32, base time.Time, values ...string) {
	t.Helper()
	p := newSyncProducer(t, c)
	defer p.Close()
	for i, v := range values {
		msg := &sarama.ProducerMessage{Topic: topic, Partition: partition, Value: sarama.StringEncoder(v),
			Key: sarama.StringEncoder("k" + v), Timestamp: base.Add(time.Duration(i) * time.Second),
			Headers: []sarama.RecordHeader{{Key: []byte("h"), Value: []byte(v)}}}
		if _, _, err := p.SendMessage(msg); err != nil {
			t.Fatal(err)
		}
	}
}

func values(recs []Record) string {
	var out []string
	for _, r := range recs {
		out = append(out, fmt.Sprintf("%d:%s", r.Offset, r.Value))
	}
	return strings.Join(out, " ")
}

func TestTailStartPositions(t *testing.T) {
	t.Parallel()
	c := newCluster(t, 3, kfake.SeedTopics(1, "t"))
	base := time.Date(2026, 11, 21, 9, 0, 0, 0, time.UTC)
	produceValues(t, c, "t", 0, base, "a", "b", "c", "d", "e")
	cl := connect(t, c)

	tests := []struct {
		from string
		want string
	}{
		{"earliest", "0:a 1:b 2:c 3:d 4:e"},
		{"-2", "3:d 4:e"},
		{"-100", "0:a 1:b 2:c 3:d 4:e"},
		{"3", "3:d 4:e"},
		{"2026-11-21T09:00:02Z", "2:c 3:d 4:e"},
	}
	for _, tt := range tests {
		t.Run(tt.from, func(t *testing.T) {
			from, err := ParseFrom(tt.from, time.Now())
			if err != nil {
				t.Fatal(err)
			}
			tl, err := cl.Tail(context.Background(), TailSpec{Topic: "t", From: from})
			if err != nil {
				t.Fatal(err)
			}
			defer tl.Close()
			want := len(strings.Fields(tt.want))
			recs, _, progress := collect(t, tl, want, 10*time.Second)
			if got := values(recs); got != tt.want {
				t.Errorf("records = %s, want %s", got, tt.want)
			}
			if r := recs[0]; string(r.Key) != "k"+string(r.Value) || len(r.Headers) != 1 || string(r.Headers[0].Value) != string(r.Value) {
				t.Errorf("key/headers lost: %+v", r)
			}
			if len(progress) != 1 || !progress[0].CaughtUp() || progress[0].Percent() != 100 {
				t.Errorf("progress = %+v", progress)
			}
		})
	}

	t.Run("latest", func(t *testing.T) {
		tl, err := cl.Tail(context.Background(), TailSpec{Topic: "t"})
		if err != nil {
			t.Fatal(err)
		}
		defer tl.Close()
		produceValues(t, c, "t", 0, time.Now(), "f")
		recs, _, _ := collect(t, tl, 1, 10*time.Second)
		if got := values(recs); got != "5:f" {
			t.Errorf("latest tail got %s", got)
		}
	})

	t.Run("offset beyond the end is clamped with a notice", func(t *testing.T) {
		tl, err := cl.Tail(context.Background(), TailSpec{Topic: "t", From: From{Kind: FromOffset, Offset: 999}})
		if err != nil {
			t.Fatal(err)
		}
		defer tl.Close()
		produceValues(t, c, "t", 0, time.Now(), "g")
		recs, notices, _ := collect(t, tl, 1, 10*time.Second)
		if got := values(recs); got != "6:g" {
			t.Errorf("got %s", got)
		}
		if len(notices) != 1 || !strings.Contains(notices[0].Text, "offset 999 is outside 0..6; starting at 6") {
			t.Errorf("notices = %+v", notices)
		}
	})
}

func TestTailRejectsUnknownTopicAndPartition(t *testing.T) {
	t.Parallel()
	c := newCluster(t, 1, kfake.SeedTopics(2, "t"))
	cl := connect(t, c)
	if _, err := cl.Tail(context.Background(), TailSpec{Topic: "nosuch"}); !errors.Is(err, ErrNoSuchTopic) {
		t.Errorf("unknown topic: %v", err)
	}
	if _, err := cl.Tail(context.Background(), TailSpec{Topic: "t", Partitions: []int32{7}}); err == nil || !strings.Contains(err.Error(), "no partition 7") {
		t.Errorf("unknown partition: %v", err)
	}
	if _, err := cl.Tail(context.Background(), TailSpec{Topic: "t", Partitions: []int32{}}); err == nil || !strings.Contains(err.Error(), "no partition to follow") {
		t.Errorf("no partitions: %v", err)
	}
}

// TestTailOffsetsContiguousAcrossLeaderMoves produces while leaders are
// shuffled and checks every partition's offsets arrive once each, in order.
func TestTailOffsetsContiguousAcrossLeaderMoves(t *testing.T) {
	t.Parallel()
	const partitions, perPartition = 4, 400
	c := newCluster(t, 3, kfake.SeedTopics(partitions, "moving"))
	cl := connect(t, c)
	tl, err := cl.Tail(context.Background(), TailSpec{Topic: "moving", From: From{Kind: FromEarliest}})
	if err != nil {
		t.Fatal(err)
	}
	defer tl.Close()

	var wg sync.WaitGroup
	p := syncProducer(t, c)
	wg.Go(func() {
		for i := range perPartition {
			for part := range int32(partitions) {
				if _, _, err := p.SendMessage(&sarama.ProducerMessage{Topic: "moving", Partition: part, Value: sarama.StringEncoder(fmt.Sprint(i))}); err != nil {
					t.Error(err)
					return
				}
			}
			if i%50 == 0 {
				c.ShufflePartitionLeaders()
				_ = c.MoveTopicPartition("moving", int32(i/50)%partitions, int32(i/50)%3)
			}
		}
	})
	recs, _, _ := collect(t, tl, partitions*perPartition, 60*time.Second)
	wg.Wait()
	next := map[int32]int64{}
	for _, r := range recs {
		if r.Offset != next[r.Partition] {
			t.Fatalf("partition %d: offset %d after %d (gap or duplicate)", r.Partition, r.Offset, next[r.Partition]-1)
		}
		next[r.Partition]++
	}
	for p := range int32(partitions) {
		if next[p] != perPartition {
			t.Errorf("partition %d: %d records, want %d", p, next[p], perPartition)
		}
	}
}

func TestTailEndsWhenTopicIsDeleted(t *testing.T) {
	t.Parallel()
	c := newCluster(t, 1, kfake.SeedTopics(1, "doomed"))
	cl := connect(t, c)
	tl, err := cl.Tail(context.Background(), TailSpec{Topic: "doomed"})
	if err != nil {
		t.Fatal(err)
	}
	defer tl.Close()
	conf := sarama.NewConfig()
	conf.Version = sarama.V2_8_0_0
	admin, err := sarama.NewClusterAdmin(c.ListenAddrs(), conf)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	if err := admin.DeleteTopic("doomed"); err != nil {
		t.Fatal(err)
	}
	deadline := time.After(30 * time.Second)
	for {
		select {
		case e := <-tl.Events():
			if end, ok := e.(TailEnded); ok {
				if !strings.Contains(end.Err.Error(), "topic doomed was deleted") {
					t.Fatalf("ended with %v", end.Err)
				}
				return
			}
		case <-deadline:
			t.Fatal("tail did not end after its topic was deleted")
		}
	}
}

// TestTailSaysReconnectingWhenABrokerStopsAnswering leaves the tail's
// fetches unanswered: the tail must say it is reconnecting and keep
// publishing (so rates fall on screen) instead of going quiet.
func TestTailSaysReconnectingWhenABrokerStopsAnswering(t *testing.T) {
	t.Parallel()
	c := newCluster(t, 1, kfake.SeedTopics(1, "flaky"))
	cl, err := Connect(context.Background(), Config{Brokers: c.ListenAddrs(), RequestTimeout: time.Second, RefreshInterval: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	tl, err := cl.Tail(context.Background(), TailSpec{Topic: "flaky", From: From{Kind: FromEarliest}})
	if err != nil {
		t.Fatal(err)
	}
	defer tl.Close()
	produceValues(t, c, "flaky", 0, time.Now(), "a")
	collect(t, tl, 1, 10*time.Second)

	c.ControlKey(int16(kmsg.Fetch), func(kmsg.Request) (kmsg.Response, error, bool) {
		c.KeepControl()
		return nil, nil, true // no answer: the client's read times out
	})
	deadline := time.After(15 * time.Second)
	batches, reconnecting := 0, false
	for !reconnecting || batches < 2 {
		select {
		case e := <-tl.Events():
			switch e := e.(type) {
			case TailNotice:
				reconnecting = reconnecting || (e.Err && strings.Contains(e.Text, "reconnecting") && strings.Contains(e.Text, "timeout"))
			case RecordBatch:
				batches++
			}
		case <-deadline:
			t.Fatalf("after 15s of silence: reconnecting notice %v, %d batches", reconnecting, batches)
		}
	}
}
