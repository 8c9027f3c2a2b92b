package views

import (
	"context"
	"fmt"
	"runtime"
	"slices"
	"testing"
	"time"

	"github.com/IBM/sarama"
	"github.com/twmb/avro"
	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/sr"
	"github.com/twmb/franz-go/pkg/sr/srfake"

	"kscope/kafkaclient"
	"kscope/views/decode"
)

// benchAvro is a record of about 100 bytes framed.
const benchAvro = `{"type":"record","name":"Order","namespace":"bench","fields":[
 {"name":"order_id","type":"string"},{"name":"customer","type":"string"},
 {"name":"tier","type":{"type":"enum","name":"Tier","symbols":["BRONZE","SILVER","GOLD"]}},
 {"name":"amount","type":{"type":"bytes","logicalType":"decimal","precision":10,"scale":2}},
 {"name":"currency","type":"string"},{"name":"placed","type":{"type":"long","logicalType":"timestamp-millis"}},
 {"name":"items","type":"int"},{"name":"note","type":["null","string"],"default":null},
 {"name":"channel","type":"string"}]}`

// avroValues are 1,000 framed Avro values of about 100 bytes.
func avroValues(b testing.TB) [][]byte {
	b.Helper()
	schema := avro.MustParse(benchAvro)
	values := make([][]byte, 1000)
	for i := range values {
		payload, err := schema.Encode(map[string]any{"order_id": fmt.Sprintf("o-%08d", i), "customer": fmt.Sprintf("customer-%05d", i*7),
			"tier": []string{"BRONZE", "SILVER", "GOLD"}[i%3], "amount": fmt.Sprintf("%d.%02d", i, i%100), "currency": "EUR",
			"placed": time.UnixMilli(1_790_000_000_000 + int64(i)), "items": i % 9, "note": "deliver to the back door, ring twice",
			"channel": "mobile-android"})
		if err != nil {
			b.Fatal(err)
		}
		values[i] = append([]byte{0, 0, 0, 0, 1}, payload...)
	}
	return values
}

// fillAvro writes n framed Avro records of about 100 bytes over the
// topic's partitions, and returns their size in bytes.
func fillAvro(b *testing.B, c *kfake.Cluster, topic string, n int) int64 {
	b.Helper()
	values := avroValues(b)
	conf := sarama.NewConfig()
	conf.Version = sarama.V2_8_0_0
	conf.Producer.Return.Errors = true
	conf.Producer.Partitioner = sarama.NewRoundRobinPartitioner
	conf.Producer.Flush.Messages = 5000
	conf.Producer.Flush.Frequency = 50 * time.Millisecond
	conf.Producer.RequiredAcks = sarama.WaitForLocal
	p, err := sarama.NewAsyncProducer(c.ListenAddrs(), conf)
	if err != nil {
		b.Fatal(err)
	}
	go func() {
		for err := range p.Errors() {
			b.Error(err)
		}
	}()
	var size int64
	for i := range n {
		v := values[i%len(values)]
		size += int64(len(v))
		p.Input() <- &sarama.ProducerMessage{Topic: topic, Value: sarama.ByteEncoder(v)}
	}
	if err := p.Close(); err != nil {
		b.Fatal(err)
	}
	return size
}

// BenchmarkTailIngestAvro tails 1,000,000 Schema-Registry-framed Avro
// records of about 100 bytes from earliest, three ways in the same run:
// undecoded (no registry), decoded as the program decodes them (each
// batch ingested, then a 120×40 frame drawn with its rows decoded, the
// first fetch of the schema included), and with every record decoded as
// it arrives (what a filter over decoded values costs). The budget is
// decoded ≥ 0.5× undecoded.
//
//	go test -run '^$' -bench TailIngestAvro -benchtime 1x ./views/
func BenchmarkTailIngestAvro(b *testing.B) {
	const records, partitions = 1_000_000, 6
	c, err := kfake.NewCluster(kfake.NumBrokers(3), kfake.SeedTopics(partitions, "bench-avro"))
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	size := fillAvro(b, c, "bench-avro", records)
	fake := srfake.New()
	defer fake.Close()
	fake.SeedSchema("bench-avro-value", 1, 1, sr.Schema{Schema: benchAvro})
	cl, err := kafkaclient.Connect(context.Background(), kafkaclient.Config{Brokers: c.ListenAddrs(), RefreshInterval: time.Hour})
	if err != nil {
		b.Fatal(err)
	}
	defer cl.Close()

	var plainTime, viewTime, allTime time.Duration
	for range b.N {
		plainTime += avroTail(b, cl, nil, records, false)
		viewTime += avroTail(b, cl, benchSchemas(b, fake.URL()), records, false)
		allTime += avroTail(b, cl, benchSchemas(b, fake.URL()), records, true)
	}
	report := func(name string, d time.Duration) float64 {
		per := d.Seconds() / float64(b.N)
		b.ReportMetric(float64(size)/1e6/per, name+"-MB/s")
		b.ReportMetric(float64(records)/per, name+"-rec/s")
		return per
	}
	plain := report("undecoded", plainTime)
	viewed, every := report("decoded", viewTime), report("every-record-decoded", allTime)
	b.ReportMetric(plain/viewed, "decoded/undecoded")
	b.ReportMetric(plain/every, "every-record/undecoded")
	b.ReportMetric(0, "ns/op")
	rate := func(per float64) string {
		return fmt.Sprintf("%.1f MB/s, %.0fk rec/s", float64(size)/1e6/per, records/per/1000)
	}
	fmt.Printf("PERF\t%s\t%s\t%s\t%.2f; budget ≥ 0.5\n", "tail 1M Avro ≈100 B decoded as shown vs undecoded, in-process", rate(viewed), rate(plain), plain/viewed)
	fmt.Printf("PERF\t%s\t%s\t%s\t%.2f\n", "tail 1M Avro ≈100 B, every record decoded vs undecoded, in-process", rate(every), rate(plain), plain/every)
}

func benchSchemas(b *testing.B, url string) *decode.Schemas {
	reg, err := kafkaclient.NewRegistry(kafkaclient.RegistryConfig{URLs: []string{url}})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(reg.Close)
	return decode.NewSchemas(b.Context(), reg, decode.SchemasOptions{})
}

// avroTail reads the topic from earliest into a tail view drawn at
// 120×40 after each batch; every also decodes each record as it arrives.
func avroTail(b *testing.B, cl *kafkaclient.Client, schemas *decode.Schemas, records int, every bool) time.Duration {
	c := &Common{Styles: testCommon(b).Styles, Keys: DefaultKeyMap(), Client: ClientOf(cl), Now: time.Now}
	c.Client.Schemas = schemas
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	start := time.Now()
	v := NewTail(c, kafkaclient.TailSpec{Topic: "bench-avro", From: kafkaclient.From{Kind: kafkaclient.FromEarliest}})
	v.SetSize(120, 40)
	opened := openNow(v, Scope{ID: 1, Ctx: ctx})
	if opened.Err != nil {
		b.Fatal(opened.Err)
	}
	v.Update(opened)
	decoded := 0
	for v.received < int64(records) {
		e, ok := <-opened.Tail.Events()
		if !ok {
			b.Fatal("tail closed early")
		}
		if batch, isBatch := e.(kafkaclient.RecordBatch); isBatch && every {
			for _, chunk := range batch.Records {
				for i := range chunk {
					if r := schemas.Decoded(&chunk[i]); r != &chunk[i] {
						decoded++
					}
				}
			}
		}
		v.Update(e)
		_ = v.View()
	}
	took := time.Since(start)
	if every && decoded < records/2 {
		b.Fatalf("only %d of %d records decoded", decoded, records)
	}
	if got := v.ring.End(); got != uint64(records) {
		b.Fatalf("%d records reached the ring, want %d", got, records)
	}
	return took
}

// BenchmarkFilterDecodedAvro runs a filter over 200,000 buffered
// Schema-Registry-framed Avro records of about 100 bytes, each decoded
// as the list shows it (what `value:` and jq filters match), the way the
// tail's filter reads its buffer: on one processor, then with the
// records shared among all of them, in the same run.
//
//	go test -run '^$' -bench FilterDecodedAvro -benchtime 3x ./views/
func BenchmarkFilterDecodedAvro(b *testing.B) {
	const records = 200_000
	fake := srfake.New()
	defer fake.Close()
	fake.SeedSchema("bench-avro-value", 1, 1, sr.Schema{Schema: benchAvro})
	values := avroValues(b)
	recs := make([]kafkaclient.Record, records)
	gold := 0 // avroValues makes every third one GOLD
	for i := range recs {
		// A copy of its own: decoded values are cached by where they lie.
		recs[i].Value = slices.Clone(values[i%len(values)])
		if i%len(values)%3 == 2 {
			gold++
		}
	}
	f, err := parseFilter(`value:"tier":"GOLD"`)
	if err != nil {
		b.Fatal(err)
	}
	scan := func(procs int) time.Duration {
		// A new cache each time: every record is decoded, as records
		// new to the buffer are.
		schemas := benchSchemas(b, fake.URL())
		for schemas.Decoded(&recs[0]) == &recs[0] {
			time.Sleep(time.Millisecond) // the schema's first fetch
		}
		defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(procs))
		start := time.Now()
		matched := 0
		for from := 0; from < records; {
			out := filterChunkDone{from: uint64(from)}
			evalChunk(context.Background(), f, recs[from:], &out, schemas, time.Now())
			from += out.n
			matched += len(out.matches)
		}
		if matched != gold {
			b.Fatalf("matched %d of %d, want the %d GOLD ones", matched, records, gold)
		}
		return time.Since(start)
	}
	procs := runtime.GOMAXPROCS(0)
	var one, all, ratio []float64
	for b.Loop() {
		o, a := records/scan(1).Seconds(), records/scan(procs).Seconds()
		one, all, ratio = append(one, o), append(all, a), append(ratio, a/o)
	}
	median := func(xs []float64) float64 {
		slices.Sort(xs)
		return xs[len(xs)/2]
	}
	b.ReportMetric(median(one), "one-processor-rec/s")
	b.ReportMetric(median(all), "shared-rec/s")
	b.ReportMetric(0, "ns/op")
	fmt.Printf("PERF\tfilter over 200,000 decoded Avro records, %d processors vs one, in-process\t%.0fk rec/s\t%.0fk rec/s\t%.2f\n",
		procs, median(all)/1000, median(one)/1000, median(ratio))
}
