package views

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/sr"
	"github.com/twmb/franz-go/pkg/sr/srfake"

	"kscope/kafkaclient"
	"kscope/views/decode"
)

// TestSchemaRoundTripThroughKafka: a value kscope encodes for a subject
// and produces reaches a tail through a Kafka cluster and shows decoded,
// beside one whose schema id came in a header; the tail never waited for
// the registry.
func TestSchemaRoundTripThroughKafka(t *testing.T) {
	cluster, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.SeedTopics(1, "orders-avro"))
	if err != nil {
		t.Fatal(err)
	}
	defer cluster.Close()
	fake := srfake.New()
	defer fake.Close()
	fake.SeedSchema("where", 1, 1, sr.Schema{Schema: whereSchema})
	fake.SeedSchema("orders-avro-value", 1, 2, sr.Schema{Schema: orderSchema,
		References: []sr.SchemaReference{{Name: "shared.Where", Subject: "where", Version: 1}}})

	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	cl, err := kafkaclient.Connect(ctx, kafkaclient.Config{Brokers: cluster.ListenAddrs(), RefreshInterval: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	reg, err := kafkaclient.NewRegistry(kafkaclient.RegistryConfig{URLs: []string{fake.URL()}})
	if err != nil {
		t.Fatal(err)
	}
	defer reg.Close()
	changes := make(chan decode.SchemasChanged, 8)
	c := testCommon(t)
	c.Client = ClientOf(cl)
	c.Client.Registry = reg
	c.Client.Schemas = decode.NewSchemas(ctx, reg, decode.SchemasOptions{Notify: func(e decode.SchemasChanged) { changes <- e }})

	value, err := c.Client.Schemas.Encode(ctx, "orders-avro-value", -1, "", []byte(`{"id":7,"tier":"SILVER","at":{"city":"Graz"}}`))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := cl.Produce(ctx, kafkaclient.ProduceRequest{Topic: "orders-avro", Partition: 0, Key: []byte("o-7"), Value: value}); err != nil {
		t.Fatal(err)
	}
	headerFramed := kafkaclient.ProduceRequest{Topic: "orders-avro", Partition: 0, Key: []byte("o-8"), Value: wire(t, 8, 2, "Oslo")[5:],
		Headers: []kafkaclient.Header{{Key: []byte("__value_schema_id"), Value: []byte{0, 0, 0, 0, 2}}}}
	if _, err := cl.Produce(ctx, headerFramed); err != nil {
		t.Fatal(err)
	}

	v := NewTail(c, kafkaclient.TailSpec{Topic: "orders-avro", From: kafkaclient.From{Kind: kafkaclient.FromEarliest}})
	v.SetSize(140, 20)
	opened := openNow(v, Scope{ID: 1, Ctx: ctx})
	if opened.Err != nil {
		t.Fatal(opened.Err)
	}
	v.Update(opened)
	for v.received < 2 {
		select {
		case e := <-opened.Tail.Events():
			v.Update(e)
		case <-ctx.Done():
			t.Fatal("the records did not arrive")
		}
	}
	_ = v.View() // asks for the schema, without waiting for it
	if e := <-changes; e.Err != nil {
		t.Fatal(e.Err)
	}
	got := plain(v)
	for _, want := range []string{`{"id":7,"tier":"SILVER","at":{"city":"Graz"}}`, `{"id":8,"tier":"GOLD","at":{"city":"Oslo"}}`} {
		if !strings.Contains(got, want) {
			t.Errorf("the tail lacks %s:\n%s", want, got)
		}
	}
}
