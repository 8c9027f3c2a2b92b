package decode

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/twmb/franz-go/pkg/sr"
	"github.com/twmb/franz-go/pkg/sr/srfake"

	"kscope/kafkaclient"
)

const moneySchema = `{"type":"object","properties":{"currency":{"type":"string","enum":["EUR","USD"]},"units":{"type":"integer","minimum":0}},"required":["currency","units"]}`

const paymentSchema = `{"$schema":"https://json-schema.org/draft/2020-12/schema","type":"object",
 "properties":{"id":{"type":"string"},"amount":{"$ref":"money.json"},"note":{"type":"string","maxLength":10}},
 "required":["id","amount"]}`

func jsonRegistry(t *testing.T) *srfake.Registry {
	t.Helper()
	fake := srfake.New()
	t.Cleanup(fake.Close)
	fake.SeedSchema("money-json", 1, 20, sr.Schema{Schema: moneySchema, Type: sr.TypeJSON})
	fake.SeedSchema("payments-value", 1, 21, sr.Schema{Schema: paymentSchema, Type: sr.TypeJSON,
		References: []sr.SchemaReference{{Name: "money.json", Subject: "money-json", Version: 1}}})
	return fake
}

// TestJSONSchemaRoundTrip: a value checked against a schema with a
// reference is framed, decoded by kscope and by franz-go's Serde; one
// that does not fit is refused with where and why.
func TestJSONSchemaRoundTrip(t *testing.T) {
	fake := jsonRegistry(t)
	s, _ := newSchemas(t, kafkaclient.RegistryConfig{URLs: []string{fake.URL()}})
	const value = `{"id": "p-1", "amount": {"currency": "EUR", "units": 5}}`
	wire, err := s.Encode(t.Context(), "payments-value", -1, "", []byte(value))
	if err != nil {
		t.Fatal(err)
	}
	e, framed := s.Export(t.Context(), record(wire), false)
	if !framed || string(e.JSON) != `{"id":"p-1","amount":{"currency":"EUR","units":5}}` || e.Type != kafkaclient.SchemaJSON || e.SchemaID != 21 {
		t.Fatalf("export = %+v", e)
	}

	var serde sr.Serde
	serde.Register(21, map[string]any{}, sr.DecodeFn(json.Unmarshal))
	got := map[string]any{}
	if err := serde.Decode(wire, &got); err != nil || got["id"] != "p-1" {
		t.Fatalf("Serde decoded %v, %v", got, err)
	}

	_, err = s.Encode(t.Context(), "payments-value", 1, "", []byte(`{"id":"p-2","amount":{"currency":"GBP","units":-1},"note":"far too long a note"}`))
	var fe *FieldError
	if !errors.As(err, &fe) || !containsAll(err.Error(), "/amount/currency", "/amount/units", "/note") {
		t.Fatalf("err = %v, want the three faults with where they are", err)
	}
	if _, err := s.Encode(t.Context(), "payments-value", 1, "", []byte(`{"id":`)); err == nil || !strings.Contains(err.Error(), "not valid JSON") {
		t.Errorf("err = %v", err)
	}
}

// TestJSONSchemaLoadsNothingElse: a $ref the registry did not give is
// not fetched from the network or read from a file.
func TestJSONSchemaLoadsNothingElse(t *testing.T) {
	_, err := newJSONCodec(&kafkaclient.Schema{Type: kafkaclient.SchemaJSON, Text: `{"$ref":"file:///etc/passwd"}`})
	if err == nil || !strings.Contains(err.Error(), "not among the schema's references") {
		t.Fatalf("err = %v", err)
	}
}

// TestDecodedForFilters: the filter sees decoded JSON for a framed value
// and the record as it is otherwise.
func TestDecodedForFilters(t *testing.T) {
	fake := jsonRegistry(t)
	s, changes := newSchemas(t, kafkaclient.RegistryConfig{URLs: []string{fake.URL()}})
	r := record(append([]byte{0, 0, 0, 0, 21}, `{"id":"x", "amount":{}}`...))
	r.Key = []byte("k")
	if got := s.Decoded(r); got != r {
		t.Fatal("decoded before the schema arrived")
	}
	<-changes
	got := s.Decoded(r)
	if string(got.Value) != `{"id":"x","amount":{}}` || string(got.Key) != "k" || got == r || r.Value[0] != 0 {
		t.Errorf("decoded %q / %q", got.Key, got.Value)
	}
}

// TestJSONSchemaDrafts: the draft a schema names decides what its
// keywords mean. Draft-04's boolean exclusiveMaximum is a number from
// draft-06 on; integers beyond 2^53 are compared exactly; a schema that
// breaks its draft's rules, a value with text after it, are refused with
// what is wrong.
func TestJSONSchemaDrafts(t *testing.T) {
	for _, tc := range []struct {
		name, schema, value, err string
	}{
		{"draft-04 exclusive", `{"$schema":"http://json-schema.org/draft-04/schema#","maximum":5,"exclusiveMaximum":true}`, `5`, "/: must be < 5"},
		{"draft-04 below", `{"$schema":"http://json-schema.org/draft-04/schema#","maximum":5,"exclusiveMaximum":true}`, `4`, ""},
		{"draft-07 exclusive", `{"$schema":"http://json-schema.org/draft-07/schema#","exclusiveMaximum":5}`, `5`, "/: must be < 5"},
		{"2019-09 dependentRequired", `{"$schema":"https://json-schema.org/draft/2019-09/schema","dependentRequired":{"a":["b"]}}`, `{"a":1}`, "/: property 'b' is required"},
		{"beyond 2^53", `{"type":"integer","maximum":9007199254740992}`, `9007199254740993`, "but found 9007199254740993"},
		{"2^53 itself", `{"type":"integer","maximum":9007199254740992}`, `9007199254740992`, ""},
		{"text after the value", `{"type":"integer"}`, `1 2`, "not valid JSON: more than one value"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := newJSONCodec(&kafkaclient.Schema{Type: kafkaclient.SchemaJSON, Text: tc.schema})
			if err != nil {
				t.Fatal(err)
			}
			_, err = c.encode([]byte(tc.value))
			if tc.err == "" && err != nil || tc.err != "" && (err == nil || !strings.Contains(err.Error(), tc.err)) {
				t.Errorf("encode(%s) = %v, want %q", tc.value, err, tc.err)
			}
		})
	}
	_, err := newJSONCodec(&kafkaclient.Schema{Type: kafkaclient.SchemaJSON, Text: `{"properties":{"a":{"type":"nonsense"}}}`})
	if err == nil || !strings.HasPrefix(err.Error(), "not a valid JSON Schema: /properties/a/type: ") {
		t.Errorf("err = %v", err)
	}
	_, err = newJSONCodec(&kafkaclient.Schema{Type: kafkaclient.SchemaJSON, Text: `{"type":`})
	if err == nil || err.Error() != "schema: not JSON: unexpected end of JSON input" {
		t.Errorf("err = %v", err)
	}
}
