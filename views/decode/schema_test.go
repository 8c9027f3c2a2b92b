package decode

import (
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/twmb/avro"
	"github.com/twmb/franz-go/pkg/sr"
	"github.com/twmb/franz-go/pkg/sr/srfake"

	"kscope/kafkaclient"
)

const addressAvro = `{"type":"record","name":"Address","namespace":"shared","fields":[
 {"name":"city","type":"string"},{"name":"zip","type":["null","string"],"default":null}]}`

// orderAvro has logical types, an enum, a union, a map and a reference.
const orderAvro = `{"type":"record","name":"Order","namespace":"shop","fields":[
 {"name":"id","type":"long"},
 {"name":"tier","type":{"type":"enum","name":"Tier","symbols":["BRONZE","SILVER","GOLD"]}},
 {"name":"amount","type":{"type":"bytes","logicalType":"decimal","precision":10,"scale":2}},
 {"name":"placed","type":{"type":"long","logicalType":"timestamp-millis"}},
 {"name":"day","type":{"type":"int","logicalType":"date"}},
 {"name":"coupon","type":["null","string",{"type":"long","logicalType":"timestamp-millis"}],"default":null},
 {"name":"ship","type":"shared.Address"},
 {"name":"tags","type":{"type":"map","values":"int"}},
 {"name":"ref","type":{"type":"string","logicalType":"uuid"}},
 {"name":"ratio","type":"double"}]}`

const orderJSON = `{"id":42,"tier":"GOLD","amount":123.45,"placed":"2026-11-21T09:00:00.12Z","day":"2026-11-21",` +
	`"coupon":"SPRING","ship":{"city":"Lyon","zip":null},"tags":{"a":1,"b":2},"ref":"6ba7b810-9dad-11d1-80b4-00c04fd430c8","ratio":0.5}`

// fakeRegistry is an in-memory registry with the shop's schemas: the
// address (id 1), the order referencing it (id 2, subject orders-value).
func fakeRegistry(t testing.TB, opts ...srfake.Option) *srfake.Registry {
	t.Helper()
	fake := srfake.New(opts...)
	t.Cleanup(fake.Close)
	fake.SeedSchema("address", 1, 1, sr.Schema{Schema: addressAvro, Type: sr.TypeAvro})
	fake.SeedSchema("orders-value", 1, 2, sr.Schema{Schema: orderAvro, Type: sr.TypeAvro,
		References: []sr.SchemaReference{{Name: "shared.Address", Subject: "address", Version: 1}}})
	return fake
}

// newSchemas decodes with the registry at url; changes reports each
// fetch that ended.
func newSchemas(t testing.TB, cfg kafkaclient.RegistryConfig) (*Schemas, <-chan SchemasChanged) {
	t.Helper()
	reg, err := kafkaclient.NewRegistry(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(reg.Close)
	changes := make(chan SchemasChanged, 64)
	return NewSchemas(t.Context(), reg, SchemasOptions{Notify: func(c SchemasChanged) { changes <- c }}), changes
}

func record(value []byte, headers ...kafkaclient.Header) *kafkaclient.Record {
	return &kafkaclient.Record{Topic: "orders", Value: value, Headers: headers}
}

// exported decodes r's value waiting for its schema, and fails on any error.
func exported(t *testing.T, s *Schemas, r *kafkaclient.Record) string {
	t.Helper()
	e, framed := s.Export(t.Context(), r, false)
	if !framed || e.Err != "" {
		t.Fatalf("not decoded: framed %v, %s", framed, e.Err)
	}
	return string(e.JSON)
}

// TestAvroRoundTrip: a value kscope encodes for a subject decodes, by
// kscope and by franz-go's Serde with the Avro library, to what was typed;
// logical types read as people write them.
func TestAvroRoundTrip(t *testing.T) {
	fake := fakeRegistry(t)
	s, _ := newSchemas(t, kafkaclient.RegistryConfig{URLs: []string{fake.URL()}})
	wire, err := s.Encode(t.Context(), "orders-value", -1, "", []byte(orderJSON))
	if err != nil {
		t.Fatal(err)
	}
	if wire[0] != 0 || wire[4] != 2 {
		t.Fatalf("not framed with id 2: % x", wire[:5])
	}
	got := exported(t, s, record(wire))
	if got != orderJSON {
		t.Errorf("decoded\n%s\nwant\n%s", got, orderJSON)
	}

	// The independent check: Serde finds the id, the Avro library decodes.
	var cache avro.SchemaCache
	cache.Parse(addressAvro)
	schema, err := cache.Parse(orderAvro)
	if err != nil {
		t.Fatal(err)
	}
	type order struct {
		ID     int64          `avro:"id"`
		Tier   string         `avro:"tier"`
		Amount string         `avro:"amount"`
		Placed time.Time      `avro:"placed"`
		Day    time.Time      `avro:"day"`
		Coupon any            `avro:"coupon"`
		Ship   map[string]any `avro:"ship"`
		Tags   map[string]int `avro:"tags"`
		Ref    string         `avro:"ref"`
		Ratio  float64        `avro:"ratio"`
	}
	var serde sr.Serde
	serde.Register(2, order{}, sr.DecodeFn(func(b []byte, v any) error { _, err := schema.Decode(b, v); return err }))
	var o order
	if err := serde.Decode(wire, &o); err != nil {
		t.Fatal(err)
	}
	if o.ID != 42 || o.Tier != "GOLD" || o.Amount != "123.45" || !o.Placed.Equal(time.Date(2026, 11, 21, 9, 0, 0, 120e6, time.UTC)) || o.Ship["city"] != "Lyon" {
		t.Errorf("Serde decoded %+v", o)
	}

	// And the other way: what the library encodes, kscope decodes.
	serde.Register(2, order{}, sr.EncodeFn(func(v any) ([]byte, error) {
		return schema.Encode(map[string]any{"id": 7, "tier": "BRONZE", "amount": "1.50", "placed": 0, "day": 0,
			"coupon": nil, "ship": map[string]any{"city": "Oslo"}, "tags": map[string]any{}, "ref": "00000000-0000-0000-0000-000000000000", "ratio": 1e30})
	}))
	theirs, err := serde.Encode(order{})
	if err != nil {
		t.Fatal(err)
	}
	want := `{"id":7,"tier":"BRONZE","amount":1.50,"placed":"1970-01-01T00:00:00Z","day":"1970-01-01","coupon":null,` +
		`"ship":{"city":"Oslo","zip":null},"tags":{},"ref":"00000000-0000-0000-0000-000000000000","ratio":1e+30}`
	if got := exported(t, s, record(theirs)); got != want {
		t.Errorf("decoded\n%s\nwant\n%s", got, want)
	}
}

// TestAvroEncodeNamesTheField: a value that does not fit says where.
func TestAvroEncodeNamesTheField(t *testing.T) {
	fake := fakeRegistry(t)
	s, _ := newSchemas(t, kafkaclient.RegistryConfig{URLs: []string{fake.URL()}})
	bad := strings.Replace(orderJSON, `"city":"Lyon"`, `"city":12`, 1)
	_, err := s.Encode(t.Context(), "orders-value", 1, "", []byte(bad))
	var fe *FieldError
	if !errors.As(err, &fe) || fe.Path != "/ship/city" {
		t.Fatalf("err = %v, want a FieldError at /ship/city", err)
	}
}

// TestFirstFetchNeverWaits: while the registry has not answered, the
// list shows the record waiting, at once; when the answer comes Notify
// says so and the record shows decoded. Many records of one id cost one
// request.
func TestFirstFetchNeverWaits(t *testing.T) {
	release := make(chan struct{})
	var requests atomic.Int32
	fake := fakeRegistry(t)
	wire := encodeOrder(t, fake)
	fake.Intercept(func(w http.ResponseWriter, r *http.Request) bool {
		if strings.HasPrefix(r.URL.Path, "/schemas/ids/2") && !strings.HasSuffix(r.URL.Path, "/versions") {
			requests.Add(1)
			<-release
		}
		return false
	})
	s, changes := newSchemas(t, kafkaclient.RegistryConfig{URLs: []string{fake.URL()}})
	st := styles(t, "mono")
	recs := make([]*kafkaclient.Record, 20)
	for i := range recs {
		recs[i] = record(append([]byte(nil), wire...))
		if got := strip(s.Preview(recs[i], false, Auto, 60, st)); got != "fetching schema id 2…" {
			t.Fatalf("preview while fetching = %q", got)
		}
	}
	close(release)
	if c := <-changes; c.Err != nil {
		t.Fatal(c.Err)
	}
	for _, r := range recs {
		if got := strip(s.Preview(r, false, Auto, 60, st)); !strings.HasPrefix(got, `{"id":42,"tier":"GOLD"`) {
			t.Fatalf("preview once fetched = %q", got)
		}
	}
	if n := requests.Load(); n != 1 {
		t.Errorf("%d requests for schema 2, want 1", n)
	}
}

// encodeOrder is orderJSON in the wire format, encoded with a Schemas of its own.
func encodeOrder(t testing.TB, fake *srfake.Registry) []byte {
	t.Helper()
	reg, err := kafkaclient.NewRegistry(kafkaclient.RegistryConfig{URLs: []string{fake.URL()}})
	if err != nil {
		t.Fatal(err)
	}
	defer reg.Close()
	b, err := NewSchemas(t.Context(), reg, SchemasOptions{}).Encode(t.Context(), "orders-value", -1, "", []byte(orderJSON))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// jsonEqual compares two JSON texts by value.
func jsonEqual(t *testing.T, got, want string) {
	t.Helper()
	var g, w any
	if err := json.Unmarshal([]byte(got), &g); err != nil {
		t.Fatalf("%s: %v", got, err)
	}
	if err := json.Unmarshal([]byte(want), &w); err != nil {
		t.Fatalf("%s: %v", want, err)
	}
	gb, _ := json.Marshal(g)
	wb, _ := json.Marshal(w)
	if string(gb) != string(wb) {
		t.Errorf("got  %s\nwant %s", got, want)
	}
}
