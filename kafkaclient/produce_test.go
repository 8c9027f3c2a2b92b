package kafkaclient

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kmsg"
)

func TestProduceToAPartition(t *testing.T) {
	t.Parallel()
	c := newCluster(t, 3, kfake.SeedTopics(6, "orders"))
	cl := connect(t, c)
	for want := range int64(2) {
		res, err := cl.Produce(context.Background(), ProduceRequest{Topic: "orders", Partition: 4, Value: []byte("v")})
		if err != nil {
			t.Fatal(err)
		}
		if res.Partition != 4 || res.Offset != want {
			t.Errorf("result %+v, want partition 4 offset %d", res, want)
		}
	}
}

// TestProduceByKeyLikeJavaClients checks keyed records land where Kafka's
// DefaultPartitioner puts them: toPositive(murmur2(key)) % partitions,
// with the murmur2 values of Kafka's own UtilsTest.testMurmur2.
func TestProduceByKeyLikeJavaClients(t *testing.T) {
	t.Parallel()
	c := newCluster(t, 3, kfake.SeedTopics(6, "orders"))
	cl := connect(t, c)
	murmur2 := map[string]int32{
		"21":                         -973932308,
		"abc":                        479470107,
		"a-little-bit-long-string":   -985981536,
		"a-little-bit-longer-string": -1486304829,
	}
	for key, hash := range murmur2 {
		want := int32(uint32(hash)&0x7fffffff) % 6
		for range 2 {
			res, err := cl.Produce(context.Background(), ProduceRequest{Topic: "orders", Partition: -1, Key: []byte(key), Value: []byte("v")})
			if err != nil {
				t.Fatal(err)
			}
			if res.Partition != want {
				t.Errorf("key %q went to partition %d, want %d", key, res.Partition, want)
			}
		}
	}
}

func TestProduceRoundTripsKeyValueAndHeaders(t *testing.T) {
	t.Parallel()
	c := newCluster(t, 1, kfake.SeedTopics(1, "t"))
	cl := connect(t, c)
	sent := []ProduceRequest{
		{Topic: "t", Partition: 0, Key: []byte("k"), Value: []byte("v\x00\xff"),
			Headers: []Header{{Key: []byte("trace"), Value: []byte("abc")}, {Key: []byte("empty"), Value: []byte{}}}},
		{Topic: "t", Partition: 0, Value: []byte("no key")},
		{Topic: "t", Partition: 0, Key: []byte("deleted")},
	}
	for _, r := range sent {
		if _, err := cl.Produce(context.Background(), r); err != nil {
			t.Fatal(err)
		}
	}
	tl, err := cl.Tail(context.Background(), TailSpec{Topic: "t", From: From{Kind: FromEarliest}})
	if err != nil {
		t.Fatal(err)
	}
	defer tl.Close()
	recs, _, _ := collect(t, tl, len(sent), 10*time.Second)
	for i, r := range recs {
		s := sent[i]
		if !bytes.Equal(r.Key, s.Key) || (r.Key == nil) != (s.Key == nil) || !bytes.Equal(r.Value, s.Value) || (r.Value == nil) != (s.Value == nil) {
			t.Errorf("record %d: key %q value %q, sent key %q value %q", i, r.Key, r.Value, s.Key, s.Value)
		}
		if len(r.Headers) != len(s.Headers) {
			t.Fatalf("record %d: headers %+v, sent %+v", i, r.Headers, s.Headers)
		}
		for j, h := range r.Headers {
			if !bytes.Equal(h.Key, s.Headers[j].Key) || !bytes.Equal(h.Value, s.Headers[j].Value) {
				t.Errorf("record %d header %d: %q=%q, sent %q=%q", i, j, h.Key, h.Value, s.Headers[j].Key, s.Headers[j].Value)
			}
		}
	}
}

func TestProduceAcks(t *testing.T) {
	t.Parallel()
	c := newCluster(t, 3, kfake.SeedTopics(2, "t"))
	cl := connect(t, c)
	for i, acks := range []string{"all", "1", "0", ""} {
		res, err := cl.Produce(context.Background(), ProduceRequest{Topic: "t", Partition: 1, Value: []byte(acks), Acks: acks})
		if err != nil {
			t.Fatalf("acks %q: %v", acks, err)
		}
		want := int64(i)
		if acks == "0" {
			want = -1
		}
		if res.Partition != 1 || res.Offset != want {
			t.Errorf("acks %q: %+v, want offset %d", acks, res, want)
		}
	}
	// The record sent without acknowledgement arrived too.
	tl, err := cl.Tail(context.Background(), TailSpec{Topic: "t", Partitions: []int32{1}, From: From{Kind: FromEarliest}})
	if err != nil {
		t.Fatal(err)
	}
	defer tl.Close()
	recs, _, _ := collect(t, tl, 4, 10*time.Second)
	if got := values(recs); got != "0:all 1:1 2:0 3:" {
		t.Errorf("records %s", got)
	}
}

func TestProduceRefusesBeforeSending(t *testing.T) {
	t.Parallel()
	c := newCluster(t, 1, kfake.SeedTopics(2, "t"))
	cl := connect(t, c)
	produces := countRequests(c, kmsg.Produce)
	ctx := context.Background()
	if _, err := cl.Produce(ctx, ProduceRequest{Topic: "t", Partition: 0, Acks: "2"}); err == nil || !strings.Contains(err.Error(), `acks "2"`) {
		t.Errorf("bad acks: %v", err)
	}
	if _, err := cl.Produce(ctx, ProduceRequest{Topic: "nosuch", Partition: -1}); !errors.Is(err, ErrNoSuchTopic) {
		t.Errorf("unknown topic: %v", err)
	}
	if _, err := cl.Produce(ctx, ProduceRequest{Topic: "t", Partition: 2}); err == nil || !strings.Contains(err.Error(), "no partition 2 (it has 2)") {
		t.Errorf("unknown partition: %v", err)
	}
	if n := produces.Load(); n != 0 {
		t.Errorf("%d Produce requests sent", n)
	}
}
