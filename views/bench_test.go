package views

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/IBM/sarama"
	"github.com/twmb/franz-go/pkg/kfake"

	"kscope/kafkaclient"
)

// fillTopic writes n records of size bytes, spread over the partitions.
func fillTopic(b *testing.B, c *kfake.Cluster, topic string, partitions int32, n, size int) {
	b.Helper()
	conf := sarama.NewConfig()
	conf.Version = sarama.V2_8_0_0
	conf.Producer.Return.Successes = false
	conf.Producer.Return.Errors = true
	conf.Producer.Partitioner = sarama.NewRoundRobinPartitioner
	conf.Producer.Flush.Messages = 5000
	conf.Producer.Flush.Frequency = 50 * time.Millisecond
	conf.Producer.RequiredAcks = sarama.WaitForLocal
	p, err := sarama.NewAsyncProducer(c.ListenAddrs(), conf)
	if err != nil {
		b.Fatal(err)
	}
	value := sarama.ByteEncoder(strings.Repeat("v", size))
	go func() {
		for err := range p.Errors() {
			b.Error(err)
		}
	}()
	for range n {
		p.Input() <- &sarama.ProducerMessage{Topic: topic, Value: value}
	}
	if err := p.Close(); err != nil {
		b.Fatal(err)
	}
}

// BenchmarkTailPipelineInProcess reads 1,000,000 records of 100 bytes
// from 6 partitions through the tail pipeline (kafkaclient's reader and
// the view's Update) into a tail view's ring buffer, beside raw sarama
// partition consumers of the same records, round by round. Everything,
// the kfake cluster included, shares this process and its garbage
// collector, and nothing is drawn: it isolates the pipeline, and is not
// what a user sees; BenchmarkTailEndToEnd in the root package times the
// binary in a terminal.
//
//	go test -run '^$' -bench TailPipelineInProcess -benchtime 3x ./views/
func BenchmarkTailPipelineInProcess(b *testing.B) {
	const records, size, partitions = 1_000_000, 100, 6
	c, err := kfake.NewCluster(kfake.NumBrokers(3), kfake.SeedTopics(partitions, "bench"))
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	fillTopic(b, c, "bench", partitions, records, size)
	cl, err := kafkaclient.Connect(context.Background(), kafkaclient.Config{Brokers: c.ListenAddrs(), RefreshInterval: time.Hour})
	if err != nil {
		b.Fatal(err)
	}
	defer cl.Close()

	mb := float64(records*size) / 1e6
	var raw, tail, ratio []float64
	for b.Loop() {
		r := mb / rawConsume(b, c.ListenAddrs(), partitions, records).Seconds()
		t := mb / tailConsume(b, cl, records).Seconds()
		raw, tail, ratio = append(raw, r), append(tail, t), append(ratio, t/r)
	}
	slices.Sort(ratio)
	fmt.Printf("PERF\t%s\t%.1f MB/s\t%.1f MB/s\t%.2f (min %.2f, max %.2f)\n", "tail pipeline in-process 1M×100 B vs raw sarama in-process (MB/s)",
		median(tail), median(raw), median(ratio), ratio[0], ratio[len(ratio)-1])
	b.ReportMetric(median(raw), "raw-MB/s")
	b.ReportMetric(median(tail), "tail-MB/s")
	b.ReportMetric(median(ratio), "tail/raw")
	b.ReportMetric(0, "ns/op")
}

// median is the middle of xs, the mean of the middle two for an even count.
func median(xs []float64) float64 {
	s := slices.Sorted(slices.Values(xs))
	m := len(s) / 2
	if len(s)%2 == 0 {
		return (s[m-1] + s[m]) / 2
	}
	return s[m]
}

func rawConsume(b *testing.B, addrs []string, partitions int32, records int) time.Duration {
	conf := sarama.NewConfig()
	conf.Version = sarama.V2_8_0_0
	conf.Consumer.Fetch.Default = 4 << 20
	conf.ChannelBufferSize = 1024
	start := time.Now()
	consumer, err := sarama.NewConsumer(addrs, conf)
	if err != nil {
		b.Fatal(err)
	}
	var got atomic.Int64
	var wg sync.WaitGroup
	done := make(chan struct{})
	for p := range partitions {
		pc, err := consumer.ConsumePartition("bench", p, sarama.OffsetOldest)
		if err != nil {
			b.Fatal(err)
		}
		wg.Go(func() {
			defer pc.AsyncClose()
			for {
				select {
				case <-pc.Messages():
					if got.Add(1) == int64(records) {
						close(done)
					}
				case <-done:
					return
				}
			}
		})
	}
	<-done
	took := time.Since(start)
	wg.Wait()
	consumer.Close()
	return took
}

func tailConsume(b *testing.B, cl *kafkaclient.Client, records int) time.Duration {
	c := &Common{Styles: testCommon(b).Styles, Keys: DefaultKeyMap(), Client: ClientOf(cl)}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	start := time.Now()
	v := NewTail(c, kafkaclient.TailSpec{Topic: "bench", From: kafkaclient.From{Kind: kafkaclient.FromEarliest}})
	opened := openNow(v, Scope{ID: 1, Ctx: ctx})
	if opened.Err != nil {
		b.Fatal(opened.Err)
	}
	v.Update(opened)
	for v.received < int64(records) {
		e, ok := <-opened.Tail.Events()
		if !ok {
			b.Fatal("tail closed early")
		}
		v.Update(e)
	}
	took := time.Since(start)
	if got := v.ring.End(); got != uint64(records) {
		b.Fatalf("%d records reached the ring, want %d", got, records)
	}
	return took
}

// BenchmarkTailView draws a full tail at 120×40; the figure must not grow
// with the number of records seen.
//
//	go test -run '^$' -bench TailView ./views/
func BenchmarkTailView(b *testing.B) {
	for _, seen := range []int{100_000, 1_000_000} {
		b.Run(fmt.Sprintf("seen=%d", seen), func(b *testing.B) {
			v := openTestTail(b, DefaultTailRecords)
			v.SetSize(120, 40)
			batch := make([]kafkaclient.Record, 0, 10_000)
			for i := range seen {
				batch = append(batch, order(int32(i%6), int64(i), "gold"))
				if len(batch) == cap(batch) {
					feed(v, batch...)
					batch = batch[:0]
				}
			}
			v.Update(press("up")) // paused with a selection: the costlier frame
			for b.Loop() {
				_ = v.View()
			}
		})
	}
}

// BenchmarkDetailOpen10MB opens a 10 MB JSON record in the detail view
// and draws its first frame.
//
//	go test -run '^$' -bench DetailOpen ./views/
func BenchmarkDetailOpen10MB(b *testing.B) {
	var sb strings.Builder
	sb.WriteString(`{"items":[`)
	for i := 0; sb.Len() < 10<<20; i++ {
		if i > 0 {
			sb.WriteByte(',')
		}
		fmt.Fprintf(&sb, `{"id":%d,"name":"item-%d","tags":["a","b"],"price":%d.5}`, i, i, i)
	}
	sb.WriteString(`]}`)
	v := openTestTail(b, 10)
	feed(v, kafkaclient.Record{Topic: "orders", Offset: 1, Timestamp: t0, Value: []byte(sb.String())})
	for b.Loop() {
		d := NewDetail(v.c, v, v.ring.First(), v.keyMode, v.valueMode)
		d.SetSize(120, 40)
		_ = d.View()
	}
}

// openNow opens v's tail at once, as its Init would, leaving out the
// filter's listener, which waits.
func openNow(v *Tail, s Scope) TailOpened {
	v.scope = s
	return v.open()().(Answer).Msg.(TailOpened)
}
