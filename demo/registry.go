package demo

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/IBM/sarama"
	"github.com/bufbuild/protocompile"
	"github.com/twmb/avro"
	"github.com/twmb/franz-go/pkg/sr"
	"github.com/twmb/franz-go/pkg/sr/srfake"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/types/dynamicpb"
)

// The topics whose records are framed for the demo's Schema Registry,
// one per schema type; their subjects follow Confluent's default
// strategy, <topic>-value.
const (
	topicOrdersAvro     = "orders-avro"
	topicShipmentsProto = "shipments-protobuf"
	topicInvoicesJSON   = "invoices-jsonschema"
)

// addressAvro is referenced by orderAvro from a subject of its own, as
// shared types are in real registries.
const addressAvro = `{"type":"record","name":"Address","namespace":"demo.shop","fields":[
  {"name":"street","type":"string"},{"name":"city","type":"string"},{"name":"country","type":"string"}]}`

// orderAvro has logical types (a decimal, a timestamp), an enum, a union,
// an array of records, a map and a reference.
const orderAvro = `{"type":"record","name":"Order","namespace":"demo.shop","fields":[
  {"name":"order_id","type":"string"},
  {"name":"customer","type":"string"},
  {"name":"tier","type":{"type":"enum","name":"Tier","symbols":["BRONZE","SILVER","GOLD","PLATINUM"]}},
  {"name":"amount","type":{"type":"bytes","logicalType":"decimal","precision":10,"scale":2}},
  {"name":"currency","type":"string"},
  {"name":"placed_at","type":{"type":"long","logicalType":"timestamp-millis"}},
  {"name":"coupon","type":["null","string"],"default":null},
  {"name":"ship_to","type":"demo.shop.Address"},
  {"name":"items","type":{"type":"array","items":{"type":"record","name":"Item","fields":[
    {"name":"sku","type":"string"},{"name":"qty","type":"int"}]}}},
  {"name":"attributes","type":{"type":"map","values":"string"}}]}`

// shipmentProto puts Shipment second, so its records carry the
// message-index path [1]; it nests messages and has an enum, a oneof and
// a well-known type.
const shipmentProto = `syntax = "proto3";
package demo.logistics;

import "google/protobuf/timestamp.proto";

message Envelope {
  string trace_id = 1;
}

message Shipment {
  enum Carrier {
    CARRIER_UNSPECIFIED = 0;
    UPS = 1;
    DHL = 2;
    POSTNORD = 3;
  }
  message Parcel {
    message Dimensions {
      int32 length_cm = 1;
      int32 width_cm = 2;
      int32 height_cm = 3;
    }
    string id = 1;
    double weight_kg = 2;
    Dimensions dims = 3;
  }
  string shipment_id = 1;
  string order_id = 2;
  Carrier carrier = 3;
  repeated Parcel parcels = 4;
  google.protobuf.Timestamp shipped_at = 5;
  oneof tracking {
    string tracking_number = 6;
    string pickup_point = 7;
    bool awaiting_label = 8;
  }
}
`

const invoiceSchema = `{"$schema":"http://json-schema.org/draft-07/schema#","title":"Invoice","type":"object",
  "properties":{
    "invoice_id":{"type":"string"},"order_id":{"type":"string"},
    "total":{"type":"number","minimum":0},"currency":{"type":"string","enum":["EUR","USD","GBP","CHF","SEK"]},
    "issued":{"type":"string","format":"date-time"},"paid":{"type":"boolean"},
    "lines":{"type":"array","items":{"type":"object","properties":{"sku":{"type":"string"},"amount":{"type":"number"}},"required":["sku","amount"]}}},
  "required":["invoice_id","order_id","total","currency","issued"]}`

// schemaTopics are the framed topics with their shape and live rate;
// each holds a small history and is capped like the other demo topics.
var schemaTopics = []struct {
	name       string
	partitions int32
	rate       float64
	seed       int
}{
	{topicOrdersAvro, 6, 8, 300},
	{topicShipmentsProto, 4, 5, 200},
	{topicInvoicesJSON, 3, 4, 150},
}

// schemaDemo is the demo's Schema Registry (franz-go's in-memory srfake,
// served over HTTP) and the producer of the framed topics.
type schemaDemo struct {
	srv *http.Server
	url string

	order              *avro.Schema
	orderID            int
	shipment           protoreflect.MessageDescriptor
	shipmentID         int
	shipmentGUID       []byte
	invoiceID          int
	orderSeq, shipSeq  int
	invoiceSeq, framed int
}

// startSchemas serves a registry with the demo's schemas on port (0: any
// free port) and creates and seeds the framed topics.
func startSchemas(w *workload, port int) (*schemaDemo, error) {
	reg := srfake.NewRegistry()
	d := &schemaDemo{}
	if err := d.register(reg); err != nil {
		return nil, err
	}
	ln, err := listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)))
	if err != nil {
		return nil, fmt.Errorf("schema registry: %w", err)
	}
	d.srv = &http.Server{Handler: reg.Handler(), ReadHeaderTimeout: 10 * time.Second}
	d.url = "http://" + ln.Addr().String()
	w.goRun(func() {
		if err := d.srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
			w.logf("demo: schema registry: %v", err)
		}
	})
	if err := d.createTopics(w); err != nil {
		d.srv.Close()
		return nil, err
	}
	return d, nil
}

// register seeds the registry and compiles what the producer encodes with.
func (d *schemaDemo) register(reg *srfake.Registry) error {
	_, _, err := reg.RegisterSchema("demo.shop.Address", sr.Schema{Schema: addressAvro, Type: sr.TypeAvro})
	if err != nil {
		return fmt.Errorf("schema registry: %w", err)
	}
	if d.orderID, _, err = reg.RegisterSchema(topicOrdersAvro+"-value", sr.Schema{Schema: orderAvro, Type: sr.TypeAvro,
		References: []sr.SchemaReference{{Name: "demo.shop.Address", Subject: "demo.shop.Address", Version: 1}}}); err != nil {
		return fmt.Errorf("schema registry: %w", err)
	}
	if d.shipmentID, _, err = reg.RegisterSchema(topicShipmentsProto+"-value", sr.Schema{Schema: shipmentProto, Type: sr.TypeProtobuf}); err != nil {
		return fmt.Errorf("schema registry: %w", err)
	}
	if d.invoiceID, _, err = reg.RegisterSchema(topicInvoicesJSON+"-value", sr.Schema{Schema: invoiceSchema, Type: sr.TypeJSON}); err != nil {
		return fmt.Errorf("schema registry: %w", err)
	}
	var cache avro.SchemaCache
	if _, err := cache.Parse(addressAvro); err != nil {
		return err
	}
	if d.order, err = cache.Parse(orderAvro); err != nil {
		return err
	}
	c := protocompile.Compiler{Resolver: protocompile.WithStandardImports(&protocompile.SourceResolver{
		Accessor: protocompile.SourceAccessorFromMap(map[string]string{"shipment.proto": shipmentProto})})}
	files, err := c.Compile(context.Background(), "shipment.proto")
	if err != nil {
		return err
	}
	d.shipment = files[0].Messages().ByName("Shipment")
	ss, ok := reg.GetSchema(topicShipmentsProto+"-value", 1)
	if !ok {
		return errors.New("schema registry: the shipment schema is not registered")
	}
	d.shipmentGUID, err = hex.DecodeString(strings.ReplaceAll(ss.GUID, "-", ""))
	return err
}

// URL is where the registry answers.
func (d *schemaDemo) URL() string { return d.url }

func (d *schemaDemo) close() { d.srv.Close() }

func (d *schemaDemo) createTopics(w *workload) error {
	admin, err := sarama.NewClusterAdmin(w.addrs, w.config("kscope-demo-admin"))
	if err != nil {
		return fmt.Errorf("connect admin client: %w", err)
	}
	defer admin.Close()
	caps := map[string]string{"retention.bytes": "131072", "segment.bytes": "65536", "retention.ms": "86400000"}
	for _, t := range schemaTopics {
		entries := map[string]*string{}
		for k, v := range caps {
			entries[k] = &v
		}
		if err := admin.CreateTopic(t.name, &sarama.TopicDetail{NumPartitions: t.partitions, ReplicationFactor: w.replication, ConfigEntries: entries}, false); err != nil {
			return fmt.Errorf("create topic %s: %w", t.name, err)
		}
	}
	cfg := w.config("kscope-demo-seeder")
	cfg.Producer.Return.Successes = true
	producer, err := sarama.NewSyncProducer(w.addrs, cfg)
	if err != nil {
		return fmt.Errorf("connect seeding producer: %w", err)
	}
	defer producer.Close()
	var msgs []*sarama.ProducerMessage
	start := time.Now().Add(-history)
	for _, t := range schemaTopics {
		for i := range t.seed {
			m, err := d.record(t.name, start.Add(time.Duration(i)*history/time.Duration(t.seed)))
			if err != nil {
				return err
			}
			msgs = append(msgs, m)
		}
	}
	if err := producer.SendMessages(msgs); err != nil {
		return fmt.Errorf("seed the schema topics: %w", err)
	}
	return nil
}

// run feeds the framed topics at their rates until ctx is done.
func (d *schemaDemo) run(ctx context.Context, w *workload) {
	w.goRun(func() {
		cfg := w.config("kscope-demo-schema-producer")
		cfg.Producer.Flush.Frequency = tick
		producer, err := sarama.NewAsyncProducer(w.addrs, cfg)
		if err != nil {
			w.logf("demo: schema producer: %v", err)
			return
		}
		w.goRun(func() {
			for err := range producer.Errors() {
				w.logf("demo: schema producer: %v", err)
			}
		})
		defer producer.Close()
		paces := make([]pace, len(schemaTopics))
		for i, t := range schemaTopics {
			paces[i] = newPace(t.rate)
		}
		last := time.Now()
		for sleep(ctx, tick) {
			now := time.Now()
			for i, t := range schemaTopics {
				for range paces[i].count(now, now.Sub(last)) {
					m, err := d.record(t.name, now)
					if err != nil {
						w.logf("demo: %s: %v", t.name, err)
						continue
					}
					select {
					case producer.Input() <- m:
					case <-ctx.Done():
						return
					}
				}
			}
			last = now
		}
	})
}

// record makes one record of topic, stamped at.
func (d *schemaDemo) record(topic string, at time.Time) (*sarama.ProducerMessage, error) {
	switch topic {
	case topicOrdersAvro:
		return d.orderRecord(at)
	case topicShipmentsProto:
		return d.shipmentRecord(at)
	}
	return d.invoiceRecord(at)
}

var (
	tiers    = []string{"BRONZE", "BRONZE", "SILVER", "GOLD", "PLATINUM"}
	cities   = [][2]string{{"Lyon", "FR"}, {"Oslo", "NO"}, {"Porto", "PT"}, {"Leeds", "GB"}, {"Graz", "AT"}, {"Malmö", "SE"}}
	carriers = []string{"UPS", "DHL", "POSTNORD"}
)

func (d *schemaDemo) orderRecord(at time.Time) (*sarama.ProducerMessage, error) {
	d.orderSeq++
	id := fmt.Sprintf("oa-%d", 200000+d.orderSeq)
	city := cities[rand.IntN(len(cities))]
	items := make([]any, 1+rand.IntN(3))
	for i := range items {
		items[i] = map[string]any{"sku": fmt.Sprintf("sku-%04d", rand.IntN(5000)), "qty": int32(1 + rand.IntN(4))}
	}
	var coupon any
	if rand.IntN(4) == 0 {
		coupon = "SPRING-" + strconv.Itoa(10+rand.IntN(20))
	}
	v := map[string]any{
		"order_id": id, "customer": fmt.Sprintf("c-%d", 1+rand.IntN(500)), "tier": pick(tiers),
		"amount": fmt.Sprintf("%.2f", 5+rand.Float64()*400), "currency": pick(currencies), "placed_at": at, "coupon": coupon,
		"ship_to": map[string]any{"street": fmt.Sprintf("%d Rue Neuve", 1+rand.IntN(120)), "city": city[0], "country": city[1]},
		"items":   items, "attributes": map[string]any{"channel": pick(sources)},
	}
	payload, err := d.order.Encode(v)
	if err != nil {
		return nil, err
	}
	return framed(topicOrdersAvro, id, d.orderID, nil, payload, at)
}

func (d *schemaDemo) shipmentRecord(at time.Time) (*sarama.ProducerMessage, error) {
	d.shipSeq++
	id := fmt.Sprintf("sh-%d", 70000+d.shipSeq)
	parcels := make([]string, 1+rand.IntN(3))
	for i := range parcels {
		parcels[i] = fmt.Sprintf(`{"id":"%s-%d","weight_kg":%.2f,"dims":{"length_cm":%d,"width_cm":%d,"height_cm":%d}}`,
			id, i+1, 0.2+rand.Float64()*20, 10+rand.IntN(60), 10+rand.IntN(40), 5+rand.IntN(30))
	}
	tracking := fmt.Sprintf(`"tracking_number":"1Z%08d"`, rand.IntN(1e8))
	switch rand.IntN(4) {
	case 0:
		tracking = fmt.Sprintf(`"pickup_point":"%s station %d"`, cities[rand.IntN(len(cities))][0], 1+rand.IntN(9))
	case 1:
		tracking = `"awaiting_label":true`
	}
	text := fmt.Sprintf(`{"shipment_id":%q,"order_id":"oa-%d","carrier":%q,"parcels":[%s],"shipped_at":%q,%s}`,
		id, 200000+rand.IntN(max(d.orderSeq, 1))+1, pick(carriers), strings.Join(parcels, ","), at.UTC().Format(time.RFC3339Nano), tracking)
	m := dynamicpb.NewMessage(d.shipment)
	if err := protojson.Unmarshal([]byte(text), m); err != nil {
		return nil, err
	}
	payload, err := proto.Marshal(m)
	if err != nil {
		return nil, err
	}
	// Every fourth shipment names its schema in a header, by GUID, as
	// newer serializers do; the others frame the bytes with the id.
	d.framed++
	if d.framed%4 == 0 {
		header := append(append([]byte{1}, d.shipmentGUID...), 2, 2) // the index path [1]
		return &sarama.ProducerMessage{Topic: topicShipmentsProto, Key: sarama.StringEncoder(id), Value: sarama.ByteEncoder(payload), Timestamp: at,
			Headers: []sarama.RecordHeader{{Key: []byte("__value_schema_id"), Value: header}}}, nil
	}
	return framed(topicShipmentsProto, id, d.shipmentID, []int{1}, payload, at)
}

func (d *schemaDemo) invoiceRecord(at time.Time) (*sarama.ProducerMessage, error) {
	d.invoiceSeq++
	id := fmt.Sprintf("inv-%d", 90000+d.invoiceSeq)
	lines := make([]map[string]any, 1+rand.IntN(3))
	total := 0.0
	for i := range lines {
		amount := cents(3 + rand.Float64()*150)
		total += amount
		lines[i] = map[string]any{"sku": fmt.Sprintf("sku-%04d", rand.IntN(5000)), "amount": amount}
	}
	payload, err := json.Marshal(map[string]any{"invoice_id": id, "order_id": fmt.Sprintf("oa-%d", 200000+rand.IntN(max(d.orderSeq, 1))+1),
		"total": cents(total), "currency": pick(currencies), "issued": at.UTC().Format(time.RFC3339), "paid": rand.IntN(3) > 0, "lines": lines})
	if err != nil {
		return nil, err
	}
	return framed(topicInvoicesJSON, id, d.invoiceID, nil, payload, at)
}

// framed is a record whose value is framed with its schema's id (and
// Protobuf message-index path), as Confluent's serializers write it.
func framed(topic, key string, id int, index []int, payload []byte, at time.Time) (*sarama.ProducerMessage, error) {
	var h sr.ConfluentHeader
	b, err := h.AppendEncode(make([]byte, 0, len(payload)+8), id, index)
	if err != nil {
		return nil, err
	}
	return &sarama.ProducerMessage{Topic: topic, Key: sarama.StringEncoder(key), Value: sarama.ByteEncoder(append(b, payload...)), Timestamp: at}, nil
}
