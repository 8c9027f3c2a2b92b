package kafkaclient

import (
	"bytes"
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/IBM/sarama"
	"github.com/twmb/franz-go/pkg/kfake"
)

// tailAll opens a tail of topic from the earliest offset, closed with the test.
func tailAll(t *testing.T, c *kfake.Cluster, topic string) *Tail {
	t.Helper()
	cl := connect(t, c)
	tl, err := cl.Tail(context.Background(), TailSpec{Topic: topic, From: From{Kind: FromEarliest}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(tl.Close)
	return tl
}

func send(t *testing.T, p sarama.SyncProducer, topic string, partition int32, values ...[]byte) {
	t.Helper()
	for _, v := range values {
		if _, _, err := p.SendMessage(&sarama.ProducerMessage{Topic: topic, Partition: partition, Value: sarama.ByteEncoder(v)}); err != nil {
			t.Fatal(err)
		}
	}
}

// TestTailReadsBatchesLargerThanAFetch puts records of 3 MiB, three times
// what a partition's fetch asks for, behind and in front of small ones,
// on two partitions of one leader: every record arrives whole and in
// order, and the small ones after the large ones too.
func TestTailReadsBatchesLargerThanAFetch(t *testing.T) {
	t.Parallel()
	c := newCluster(t, 1, kfake.SeedTopics(2, "large"), kfake.BrokerConfigs(map[string]string{"message.max.bytes": "16777216"}))
	p := syncProducer(t, c, func(conf *sarama.Config) { conf.Producer.MaxMessageBytes = 16 << 20 })
	large := func(b byte) []byte { return bytes.Repeat([]byte{b}, 3*fetchBytes) }
	send(t, p, "large", 0, []byte("a0"), large('A'), []byte("a2"))
	send(t, p, "large", 1, large('B'), []byte("b1"), large('C'))

	recs, _, _ := collect(t, tailAll(t, c, "large"), 6, 30*time.Second)
	want := map[int32][][]byte{0: {[]byte("a0"), large('A'), []byte("a2")}, 1: {large('B'), []byte("b1"), large('C')}}
	next := map[int32]int64{}
	for _, r := range recs {
		if r.Offset != next[r.Partition] {
			t.Fatalf("partition %d: offset %d after %d", r.Partition, r.Offset, next[r.Partition]-1)
		}
		if !bytes.Equal(r.Value, want[r.Partition][r.Offset]) {
			t.Errorf("partition %d offset %d: %d bytes, want %d", r.Partition, r.Offset, len(r.Value), len(want[r.Partition][r.Offset]))
		}
		next[r.Partition]++
	}
}

// TestTailStepsOverTransactionMarkers reads a partition holding a
// committed and an aborted transaction: the records of both arrive (a
// tail reads uncommitted, as kcat does), the markers do not, and the
// reader reaches the high watermark, which counts the markers, so the
// tail is live.
func TestTailStepsOverTransactionMarkers(t *testing.T) {
	t.Parallel()
	c := newCluster(t, 1, kfake.SeedTopics(1, "txn"))
	p := syncProducer(t, c, func(conf *sarama.Config) { conf.Producer.Transaction.ID = "tail-txn" })
	txn := func(commit bool, values ...string) {
		if err := p.BeginTxn(); err != nil {
			t.Fatal(err)
		}
		for _, v := range values {
			send(t, p, "txn", 0, []byte(v))
		}
		end := p.CommitTxn
		if !commit {
			end = p.AbortTxn
		}
		if err := end(); err != nil {
			t.Fatal(err)
		}
	}
	txn(true, "c0", "c1", "c2")
	txn(false, "a4", "a5")
	txn(true, "c7")

	tl := tailAll(t, c, "txn")
	recs, _, _ := collect(t, tl, 6, 10*time.Second)
	var got []string
	for _, r := range recs {
		got = append(got, fmt.Sprintf("%d:%s", r.Offset, r.Value))
	}
	if want := "[0:c0 1:c1 2:c2 4:a4 5:a5 7:c7]"; fmt.Sprint(got) != want {
		t.Errorf("records %v, want %s", got, want)
	}
	watchTail(t, tl, 10*time.Second, "a live tail past the last marker", func(e Event) bool {
		b, ok := e.(RecordBatch)
		return ok && b.Progress.Live(b.At) && b.Progress[0].Next == 9
	})
}

// TestTailDecodesEveryCodec reads batches written with each compression
// codec, with the producer's timestamps.
func TestTailDecodesEveryCodec(t *testing.T) {
	t.Parallel()
	codecs := []sarama.CompressionCodec{sarama.CompressionNone, sarama.CompressionGZIP, sarama.CompressionSnappy, sarama.CompressionLZ4, sarama.CompressionZSTD}
	c := newCluster(t, 1, kfake.SeedTopics(int32(len(codecs)), "codecs"))
	created := time.Date(2001, 2, 3, 4, 5, 6, 0, time.UTC)
	for i, codec := range codecs {
		conf := sarama.NewConfig()
		conf.Version = sarama.V2_8_0_0
		conf.Producer.Return.Successes = true
		conf.Producer.Partitioner = sarama.NewManualPartitioner
		conf.Producer.Compression = codec
		conf.Producer.Flush.Messages = 20
		conf.Producer.Flush.Frequency = time.Second
		p, err := sarama.NewAsyncProducer(c.ListenAddrs(), conf)
		if err != nil {
			t.Fatal(err)
		}
		for j := range 20 {
			p.Input() <- &sarama.ProducerMessage{Topic: "codecs", Partition: int32(i), Timestamp: created,
				Value: sarama.StringEncoder(fmt.Sprintf("%s-%02d-%s", codec, j, bytes.Repeat([]byte("x"), 200)))}
		}
		for range 20 {
			select {
			case <-p.Successes():
			case err := <-p.Errors():
				t.Fatal(err)
			}
		}
		p.Close()
	}

	recs, _, _ := collect(t, tailAll(t, c, "codecs"), 20*len(codecs), 10*time.Second)
	for _, r := range recs {
		want := fmt.Sprintf("%s-%02d-", codecs[r.Partition], r.Offset)
		if !bytes.HasPrefix(r.Value, []byte(want)) || len(r.Value) != len(want)+200 {
			t.Fatalf("partition %d offset %d: %.30q…, want %s…", r.Partition, r.Offset, r.Value, want)
		}
		if r.LogAppendTime || !r.Timestamp.Equal(created) {
			t.Fatalf("partition %d offset %d: timestamp %s (log append time %v), want the producer's %s", r.Partition, r.Offset, r.Timestamp, r.LogAppendTime, created)
		}
	}
}
