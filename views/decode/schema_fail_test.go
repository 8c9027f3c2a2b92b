package decode

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/sr"
	"github.com/twmb/franz-go/pkg/sr/srfake"

	"kscope/kafkaclient"
)

func containsAll(s string, parts ...string) bool {
	for _, p := range parts {
		if !strings.Contains(s, p) {
			return false
		}
	}
	return true
}

// TestRegistryFailures: whatever the registry does, each record says
// why it is not decoded, beside its bytes, and Notify carries the error
// for the status line; nothing waits past the request timeout.
func TestRegistryFailures(t *testing.T) {
	wire := encodeOrder(t, fakeRegistry(t))
	hang := make(chan struct{})
	t.Cleanup(func() { close(hang) })
	for _, tc := range []struct {
		name      string
		intercept srfake.Interceptor
		opts      []srfake.Option
		anonymous bool
		want      string
	}{
		{name: "401", opts: []srfake.Option{srfake.WithAuth("Basic c2VjcmV0")}, anonymous: true, want: "unauthorised (401)"},
		{name: "403", opts: []srfake.Option{srfake.WithAuth("Basic c2VjcmV0")}, want: "forbidden (403)"},
		{name: "404", intercept: status(http.StatusNotFound), want: "not found in the schema registry"},
		{name: "500", intercept: status(http.StatusInternalServerError), want: "the registry answered 500: boom"},
		{name: "hang", intercept: func(w http.ResponseWriter, r *http.Request) bool {
			select {
			case <-hang:
			case <-r.Context().Done():
			}
			return true
		}, want: "no answer within 50ms"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fake := fakeRegistry(t, tc.opts...)
			if tc.intercept != nil {
				fake.Intercept(tc.intercept)
			}
			cfg := kafkaclient.RegistryConfig{URLs: []string{fake.URL()}, Timeout: 50 * time.Millisecond, Username: "ops", Password: "hunter2"}
			if tc.anonymous {
				cfg.Username, cfg.Password = "", ""
			}
			s, changes := newSchemas(t, cfg)
			st := styles(t, "mono")
			r := record(wire)
			s.Preview(r, false, Auto, 80, st)
			c := <-changes
			if c.Err == nil || !strings.Contains(c.Err.Error(), tc.want) || strings.Contains(c.Err.Error(), "hunter2") {
				t.Fatalf("notified %v, want %q", c.Err, tc.want)
			}
			got := strip(s.Preview(r, false, Auto, 200, st))
			if !strings.HasPrefix(got, "⚠ schema registry: schema id 2") || !strings.Contains(got, tc.want) || !strings.Contains(got, " · 00 00 00 00 02 ") {
				t.Errorf("preview %q", got)
			}
			doc := s.Document(r, false, Auto, st)
			if line := strip(doc.Line(0, 300)); !strings.Contains(line, tc.want) || doc.Kind() != KindBinary {
				t.Errorf("document %v starts %q", doc.Kind(), line)
			}
			if got := s.Decoded(r); got != r {
				t.Errorf("a record that did not decode was changed for the filter")
			}
		})
	}
}

func status(code int) srfake.Interceptor {
	return func(w http.ResponseWriter, r *http.Request) bool {
		w.WriteHeader(code)
		w.Write([]byte(`{"error_code":50001,"message":"boom"}`))
		return true
	}
}

// TestUnknownSchemaID: a record framed with an id the registry does not
// have says so; it is not asked for again.
func TestUnknownSchemaID(t *testing.T) {
	fake := fakeRegistry(t)
	var asked int
	fake.Intercept(func(w http.ResponseWriter, r *http.Request) bool {
		if r.URL.Path == "/schemas/ids/999" {
			asked++
		}
		return false
	})
	s, changes := newSchemas(t, kafkaclient.RegistryConfig{URLs: []string{fake.URL()}})
	r := record([]byte{0, 0, 0, 3, 0xe7, 'h', 'i'})
	e, framed := s.Export(t.Context(), r, false)
	if !framed || !strings.Contains(e.Err, "schema id 999: not found in the schema registry") || e.JSON != nil {
		t.Fatalf("export = %+v", e)
	}
	<-changes
	s.Preview(r, false, Auto, 80, styles(t, "mono"))
	s.Export(t.Context(), record([]byte{0, 0, 0, 3, 0xe7, 'x'}), false)
	if asked != 1 {
		t.Errorf("schema 999 asked for %d times, want 1", asked)
	}
}

// TestNotFramed: bytes no serializer framed are previewed as before in
// Auto mode; Schema mode says why they are not decoded; a session
// without a registry says so.
func TestNotFramed(t *testing.T) {
	fake := fakeRegistry(t)
	s, _ := newSchemas(t, kafkaclient.RegistryConfig{URLs: []string{fake.URL()}})
	st := styles(t, "mono")
	r := record([]byte(`{"plain":true}`))
	if got := strip(s.Preview(r, false, Auto, 40, st)); got != `{"plain":true}` {
		t.Errorf("auto preview %q", got)
	}
	if got := strip(s.Preview(r, false, Schema, 200, st)); !strings.HasPrefix(got, "⚠ not framed for a schema registry") {
		t.Errorf("schema preview %q", got)
	}
	if s.Decoded(r) != r || s.SchemaOf(r, false) != nil {
		t.Error("an unframed record was decoded")
	}
	var none *Schemas
	if got := strip(none.Preview(r, false, Schema, 200, st)); !strings.HasPrefix(got, "⚠ no schema registry configured") {
		t.Errorf("no registry: %q", got)
	}
	if got := strip(none.Preview(record([]byte{0, 0, 0, 0, 2, 1}), false, Auto, 40, st)); got != "00 00 00 00 02 01" {
		t.Errorf("no registry, framed bytes: %q", got)
	}
	broken := BrokenSchemas(errorString("schema registry password: environment variable SR_PW is not set"))
	if got := strip(broken.Preview(record([]byte{0, 0, 0, 0, 2, 1}), false, Auto, 200, st)); !strings.Contains(got, "SR_PW is not set") {
		t.Errorf("broken registry: %q", got)
	}
}

type errorString string

func (e errorString) Error() string { return string(e) }

// TestBadHeader: a schema-id header that is not one says so.
func TestBadHeader(t *testing.T) {
	fake := fakeRegistry(t)
	s, _ := newSchemas(t, kafkaclient.RegistryConfig{URLs: []string{fake.URL()}})
	r := record([]byte("x"), kafkaclient.Header{Key: []byte("__value_schema_id"), Value: []byte{7, 7}})
	if e, framed := s.Export(t.Context(), r, false); !framed || !strings.Contains(e.Err, "header __value_schema_id is not a schema id") {
		t.Errorf("export = %+v", e)
	}
}

// TestHostileSchemaText: schema text from the registry reaches the
// screen only through the sanitizer.
func TestHostileSchemaText(t *testing.T) {
	fake := srfake.New()
	t.Cleanup(fake.Close)
	fake.SeedSchema("evil-value", 1, 5, sr.Schema{Type: sr.TypeAvro,
		Schema: `{"type":"record","name":"R","doc":"\u001b]0;pwned\u0007","fields":[{"name":"s","type":"string"}]}`})
	s, _ := newSchemas(t, kafkaclient.RegistryConfig{URLs: []string{fake.URL()}})
	sch := &kafkaclient.Schema{Type: kafkaclient.SchemaAvro, Text: "{\"doc\":\"\x1b]0;pwned\x07\u202e\"}"}
	doc := SchemaDocument(sch, styles(t, "dark"))
	for i := range doc.Len() {
		checkSafe(t, doc.Line(i, 80), 80)
	}
	wire := append([]byte{0, 0, 0, 0, 5}, 12, 0x1b, '[', '2', 'J', 0xe2, 0x80, 0xae, 'a', 'b', 'c', 'd', 'e')
	r := record(wire)
	s.Export(t.Context(), r, false)
	checkSafe(t, s.Preview(r, false, Auto, 40, styles(t, "dark")), 40)
	d := s.Document(r, false, Auto, styles(t, "dark"))
	for i := range d.Len() {
		checkSafe(t, d.Line(i, 60), 60)
	}
}
