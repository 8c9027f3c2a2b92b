package decode

import (
	"testing"

	"kscope/kafkaclient"
)

// BenchmarkDecodedAvro decodes framed Avro records as a filter over
// decoded values does, each record new to the cache.
//
//	go test -run '^$' -bench DecodedAvro ./views/decode/
func BenchmarkDecodedAvro(b *testing.B) {
	fake := fakeRegistry(b)
	wire := encodeOrder(b, fake)
	s, changes := newSchemas(b, kafkaclient.RegistryConfig{URLs: []string{fake.URL()}})
	s.Decoded(record(wire))
	<-changes
	recs := make([]kafkaclient.Record, 4096)
	for i := range recs {
		recs[i] = kafkaclient.Record{Value: append([]byte(nil), wire...)}
	}
	b.SetBytes(int64(len(wire)))
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		r := &recs[i%len(recs)]
		// A new record each time, as a tail brings them.
		r.Value = append(r.Value[:0:0], wire...)
		if s.Decoded(r) == r {
			b.Fatal("not decoded")
		}
		i++
	}
}
