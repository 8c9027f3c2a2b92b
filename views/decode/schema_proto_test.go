package decode

import (
	"context"
	"encoding/hex"
	"strings"
	"testing"

	"github.com/bufbuild/protocompile"
	"github.com/twmb/franz-go/pkg/sr"
	"github.com/twmb/franz-go/pkg/sr/srfake"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/types/dynamicpb"

	"kscope/kafkaclient"
)

const moneyProto = `syntax = "proto3";
package common;
message Money { string currency = 1; int64 units = 2; }
`

// shopProto imports a reference and a well-known type, nests messages
// and has an enum and a oneof; Order is the second message.
const shopProto = `syntax = "proto3";
package shop;
import "google/protobuf/timestamp.proto";
import "common/money.proto";
message Envelope { string note = 1; }
message Order {
  enum Status { STATUS_UNSPECIFIED = 0; PLACED = 1; SHIPPED = 2; }
  message Line { string sku = 1; int32 qty = 2; }
  int64 id = 1;
  Status status = 2;
  repeated Line lines = 3;
  google.protobuf.Timestamp placed = 4;
  common.Money total = 5;
  oneof payment { string card = 6; string iban = 7; }
}
`

func protoRegistry(t *testing.T) *srfake.Registry {
	t.Helper()
	fake := srfake.New()
	t.Cleanup(fake.Close)
	fake.SeedSchema("money", 1, 10, sr.Schema{Schema: moneyProto, Type: sr.TypeProtobuf})
	fake.SeedSchema("shop-value", 1, 11, sr.Schema{Schema: shopProto, Type: sr.TypeProtobuf,
		References: []sr.SchemaReference{{Name: "common/money.proto", Subject: "money", Version: 1}}})
	return fake
}

// compiledShop compiles the shop's schema apart from kscope, for the
// independent checks.
func compiledShop(t *testing.T) protoreflect.FileDescriptor {
	t.Helper()
	c := protocompile.Compiler{Resolver: protocompile.WithStandardImports(&protocompile.SourceResolver{
		Accessor: protocompile.SourceAccessorFromMap(map[string]string{"shop.proto": shopProto, "common/money.proto": moneyProto})})}
	files, err := c.Compile(context.Background(), "shop.proto")
	if err != nil {
		t.Fatal(err)
	}
	return files[0]
}

// TestProtobufRoundTrip: a message beyond the first (index path [1]) and
// one nested in it ([1, 0]) encode with kscope and decode with kscope
// and with franz-go's Serde; what Serde encodes kscope decodes.
func TestProtobufRoundTrip(t *testing.T) {
	fake := protoRegistry(t)
	s, _ := newSchemas(t, kafkaclient.RegistryConfig{URLs: []string{fake.URL()}})
	const order = `{"id":"42","status":"SHIPPED","lines":[{"sku":"a-1","qty":2}],"placed":"2026-11-21T09:00:00.120Z",` +
		`"total":{"currency":"EUR","units":"12"},"iban":"DE00"}`
	wire, err := s.Encode(t.Context(), "shop-value", -1, "shop.Order", []byte(order))
	if err != nil {
		t.Fatal(err)
	}
	if wire[4] != 11 || wire[5] != 2 || wire[6] != 2 { // id 11, a path of one index, 1 (zigzag)
		t.Fatalf("frame % x, want id 11 and index path [1]", wire[:7])
	}
	jsonEqual(t, exported(t, s, record(wire)), order)

	line, err := s.Encode(t.Context(), "shop-value", 1, "shop.Order.Line", []byte(`{"sku":"b-2","qty":3}`))
	if err != nil {
		t.Fatal(err)
	}
	jsonEqual(t, exported(t, s, record(line)), `{"sku":"b-2","qty":3}`)

	fd := compiledShop(t)
	orderDesc := fd.Messages().Get(1)
	var serde sr.Serde
	serde.Register(11, &dynamicpb.Message{}, sr.Index(1), sr.DecodeFn(func(b []byte, v any) error {
		return proto.Unmarshal(b, v.(*dynamicpb.Message))
	}))
	got := dynamicpb.NewMessage(orderDesc)
	if err := serde.Decode(wire, got); err != nil {
		t.Fatal(err)
	}
	if got.Get(orderDesc.Fields().ByName("id")).Int() != 42 || got.Get(orderDesc.Fields().ByName("iban")).String() != "DE00" {
		t.Errorf("Serde decoded %v", got)
	}

	theirs := dynamicpb.NewMessage(orderDesc.Messages().Get(0))
	if err := protojson.Unmarshal([]byte(`{"sku":"c-3","qty":9}`), theirs); err != nil {
		t.Fatal(err)
	}
	serde.Register(11, theirs, sr.Index(1, 0), sr.EncodeFn(func(v any) ([]byte, error) { return proto.Marshal(v.(proto.Message)) }))
	b, err := serde.Encode(theirs)
	if err != nil {
		t.Fatal(err)
	}
	jsonEqual(t, exported(t, s, record(b)), `{"sku":"c-3","qty":9}`)
}

// TestProtobufEncodeNamesTheField: protojson's refusal names the field.
func TestProtobufEncodeNamesTheField(t *testing.T) {
	fake := protoRegistry(t)
	s, _ := newSchemas(t, kafkaclient.RegistryConfig{URLs: []string{fake.URL()}})
	_, err := s.Encode(t.Context(), "shop-value", -1, "Order", []byte(`{"id":"x"}`))
	if err == nil || !containsAll(err.Error(), "shop.Order", "id") {
		t.Fatalf("err = %v, want one naming the field id", err)
	}
	if _, err := s.Encode(t.Context(), "shop-value", -1, "Nope", []byte(`{}`)); err == nil {
		t.Fatal("a message the schema does not have was encoded")
	}
}

// TestHeaderFramedProtobuf: the schema's GUID in __value_schema_id, the
// index path after it, the bytes of the message alone.
func TestHeaderFramedProtobuf(t *testing.T) {
	fake := protoRegistry(t)
	s, _ := newSchemas(t, kafkaclient.RegistryConfig{URLs: []string{fake.URL()}})
	ss, ok := fake.GetSchema("shop-value", 1)
	if !ok || ss.GUID == "" {
		t.Fatal("no GUID for shop-value v1")
	}
	orderDesc := compiledShop(t).Messages().Get(1)
	m := dynamicpb.NewMessage(orderDesc)
	if err := protojson.Unmarshal([]byte(`{"id":"7","card":"visa"}`), m); err != nil {
		t.Fatal(err)
	}
	payload, err := proto.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	header := append([]byte{1}, guidBytes(t, ss.GUID)...)
	header = append(header, 2, 2) // index path [1]
	r := record(payload, kafkaclient.Header{Key: []byte("__value_schema_id"), Value: header})
	e, framed := s.Export(t.Context(), r, false)
	if !framed || e.Err != "" || e.SchemaGUID != ss.GUID || e.SchemaID != 11 || e.Type != kafkaclient.SchemaProtobuf {
		t.Fatalf("export = %+v, %v", e, framed)
	}
	jsonEqual(t, string(e.JSON), `{"id":"7","status":"STATUS_UNSPECIFIED","lines":[],"placed":null,"total":null,"card":"visa"}`)

	doc := s.Document(r, false, Auto, styles(t, "mono"))
	note := strip(doc.Line(0, 200))
	if doc.Kind() != KindProtobuf || !containsAll(note, "protobuf", ss.GUID, "message shop.Order", "shop-value v1", "id in a header") {
		t.Errorf("document %v, first line %q", doc.Kind(), note)
	}
}

func guidBytes(t *testing.T, guid string) []byte {
	t.Helper()
	b, err := hex.DecodeString(strings.ReplaceAll(guid, "-", ""))
	if err != nil || len(b) != 16 {
		t.Fatalf("GUID %s: %v", guid, err)
	}
	return b
}
