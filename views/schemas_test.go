package views

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	tea "charm.land/bubbletea/v2"

	"kscope/kafkaclient"
	"kscope/views/decode"
)

const orderSchema = `{"type":"record","name":"Order","namespace":"shop","fields":[
 {"name":"id","type":"long"},{"name":"tier","type":{"type":"enum","name":"Tier","symbols":["BRONZE","SILVER","GOLD"]}},
 {"name":"at","type":"shared.Where"}]}`

const whereSchema = `{"type":"record","name":"Where","namespace":"shared","fields":[{"name":"city","type":"string"}]}`

// memRegistry is a Schema Registry in memory: orders-value v1 (id 2)
// refers to where v1 (id 1).
type memRegistry struct {
	mu      sync.Mutex
	schemas map[int]*kafkaclient.Schema
	deleted []string
}

func newMemRegistry() *memRegistry {
	where := &kafkaclient.Schema{ID: 1, Type: kafkaclient.SchemaAvro, Text: whereSchema, Uses: []kafkaclient.SubjectVersion{{Subject: "where", Version: 1}}}
	order := &kafkaclient.Schema{ID: 2, Type: kafkaclient.SchemaAvro, Text: orderSchema,
		Uses:       []kafkaclient.SubjectVersion{{Subject: "orders-value", Version: 1}},
		References: []kafkaclient.SchemaReference{{Name: "shared.Where", Subject: "where", Version: 1, Schema: where}}}
	return &memRegistry{schemas: map[int]*kafkaclient.Schema{1: where, 2: order}}
}

func (m *memRegistry) SchemaByID(_ context.Context, id int) (*kafkaclient.Schema, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if s := m.schemas[id]; s != nil {
		return s, nil
	}
	return nil, fmt.Errorf("schema id %d: %w", id, kafkaclient.ErrSchemaNotFound)
}

func (m *memRegistry) SchemaByGUID(context.Context, string) (*kafkaclient.Schema, error) {
	return nil, kafkaclient.ErrSchemaNotFound
}

func (m *memRegistry) SubjectSchema(ctx context.Context, subject string, version int) (*kafkaclient.Schema, kafkaclient.SubjectVersion, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, s := range m.schemas {
		if s.Uses[0].Subject == subject && (version < 0 || version == s.Uses[0].Version) {
			return s, s.Uses[0], nil
		}
	}
	return nil, kafkaclient.SubjectVersion{}, fmt.Errorf("subject %s: %w", subject, kafkaclient.ErrSchemaNotFound)
}

func (m *memRegistry) Subjects(context.Context) ([]kafkaclient.SubjectInfo, error) {
	return []kafkaclient.SubjectInfo{
		{Subject: "orders-value", Type: kafkaclient.SchemaAvro, Latest: 1, ID: 2, Compatibility: "BACKWARD"},
		{Subject: "where", Type: kafkaclient.SchemaAvro, Latest: 1, ID: 1, Compatibility: "FULL"},
	}, nil
}

func (m *memRegistry) Versions(_ context.Context, subject string) ([]kafkaclient.SubjectVersionInfo, error) {
	s, _, err := m.SubjectSchema(context.Background(), subject, -1)
	if err != nil {
		return nil, err
	}
	return []kafkaclient.SubjectVersionInfo{{Version: 1, Schema: s}}, nil
}

func (m *memRegistry) DeleteSchemaVersion(_ context.Context, subject string, version int) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.deleted = append(m.deleted, fmt.Sprintf("%s v%d", subject, version))
	return nil
}

// schemaCommon is a Common whose session has the in-memory registry;
// changes says when a schema arrived.
func schemaCommon(t *testing.T) (*Common, *memRegistry, <-chan decode.SchemasChanged) {
	t.Helper()
	c := testCommon(t)
	reg := newMemRegistry()
	changes := make(chan decode.SchemasChanged, 16)
	c.Client.Registry = reg
	c.Client.Schemas = decode.NewSchemas(t.Context(), reg, decode.SchemasOptions{Notify: func(e decode.SchemasChanged) { changes <- e }})
	c.Audit = &memAudit{}
	return c, reg, changes
}

// wire is an order framed for schema id 2, as a serializer writes it.
func wire(t testing.TB, id int64, tier int, city string) []byte {
	t.Helper()
	b := []byte{0, 0, 0, 0, 2}
	b = appendZigzag(b, id)
	b = appendZigzag(b, int64(tier))
	b = appendZigzag(b, int64(len(city)))
	return append(b, city...)
}

func appendZigzag(b []byte, v int64) []byte {
	u := uint64(v<<1) ^ uint64(v>>63)
	for u >= 0x80 {
		b = append(b, byte(u)|0x80)
		u >>= 7
	}
	return append(b, byte(u))
}

// TestTailDecodesWithTheRegistry: framed records wait for their schema
// without holding anything up, then show decoded in the list, match jq
// filters on their decoded values, open decoded in the detail with their
// schema named, and export decoded with schema_id and schema_type.
func TestTailDecodesWithTheRegistry(t *testing.T) {
	c, _, changes := schemaCommon(t)
	v := openTestTail(t, 100)
	v.c.Client = c.Client
	recs := []kafkaclient.Record{
		{Topic: "orders", Offset: 0, Timestamp: t0, Key: []byte("o-1"), Value: wire(t, 1, 2, "Lyon")},
		{Topic: "orders", Offset: 1, Timestamp: t0, Key: []byte("o-2"), Value: wire(t, 2, 0, "Oslo")},
		{Topic: "orders", Offset: 2, Timestamp: t0, Key: []byte("o-3"), Value: []byte(`{"id":3,"tier":"GOLD"}`)},
	}
	feed(v, recs...)
	if got := plain(v); !strings.Contains(got, "fetching schema id 2…") {
		t.Fatalf("the list does not say it waits:\n%s", got)
	}
	if e := <-changes; e.Err != nil {
		t.Fatal(e.Err)
	}
	v.Update(decode.SchemasChanged{})
	got := plain(v)
	if !strings.Contains(got, `{"id":1,"tier":"GOLD","at":{"city":"Lyon"}}`) || !strings.Contains(got, `{"id":3,"tier":"GOLD"}`) {
		t.Fatalf("the list does not show the decoded values:\n%s", got)
	}
	if err := v.SetFilter(`.tier == "GOLD"`); err != nil {
		t.Fatal(err)
	}
	filtered(v)
	if v.count() != 2 {
		t.Errorf("the jq filter matched %d records, want 2 (one decoded, one plain JSON)", v.count())
	}

	d := NewDetail(v.c, v, v.ring.First(), v.keyMode, v.valueMode)
	d.SetSize(120, 30)
	detail := plain(d)
	for _, want := range []string{"value  avro · auto", "avro · schema id 2 · orders-value v1", `"city": "Lyon"`} {
		if !strings.Contains(detail, want) {
			t.Errorf("the detail lacks %q:\n%s", want, detail)
		}
	}
	_, cmd := d.Update(press("s"))
	pushed, ok := cmd().(Push)
	if !ok {
		t.Fatal("s pushed nothing")
	}
	text := pushed.View
	text.SetSize(100, 30)
	if got := plain(text); !strings.Contains(got, "avro · id 2") || !strings.Contains(got, "shared.Where → where v1") || !strings.Contains(got, `"name": "Order"`) {
		t.Errorf("the schema view:\n%s", got)
	}

	path := filepath.Join(t.TempDir(), "out.jsonl")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := v.exportJob().write(f); err != nil {
		t.Fatal(err)
	}
	f.Close()
	data, _ := os.ReadFile(path)
	lines := strings.Split(strings.TrimSpace(string(data)), "\n")
	if len(lines) != 2 {
		t.Fatalf("%d lines:\n%s", len(lines), data)
	}
	var row map[string]any
	if err := json.Unmarshal([]byte(lines[0]), &row); err != nil {
		t.Fatal(err)
	}
	if row["schema_id"] != 2.0 || row["schema_type"] != "AVRO" || row["value"].(map[string]any)["tier"] != "GOLD" || row["key"] != "o-1" || row["value_raw"] != nil {
		t.Errorf("decoded row = %v", row)
	}
	row = nil
	if err := json.Unmarshal([]byte(lines[1]), &row); err != nil || row["schema_id"] != nil || row["value"] != `{"id":3,"tier":"GOLD"}` {
		t.Errorf("plain row = %v", row)
	}
}

// TestSchemasView: the subjects, a subject's versions, a version's
// schema; deleting a version asks for the subject's name and is audited.
func TestSchemasView(t *testing.T) {
	inBubble(t, func(t *testing.T, h *host) {
		c, reg, _ := schemaCommon(t)
		h.push(NewSchemas(c))
		got := plain(h.top())
		if !strings.Contains(got, "orders-value") || !strings.Contains(got, "BACKWARD") || !strings.Contains(got, "FULL") {
			t.Fatalf("subjects:\n%s", got)
		}
		h.send(press("enter"))
		if _, ok := h.top().(*SchemaVersions); !ok {
			t.Fatalf("enter opened %T", h.top())
		}
		if got := plain(h.top()); !strings.Contains(got, "shared.Where (where v1)") {
			t.Errorf("versions:\n%s", got)
		}
		h.send(tea.KeyPressMsg{Code: 'd', Mod: tea.ModCtrl})
		if !strings.Contains(plain(h.top()), "Delete version 1 of subject orders-value?") {
			t.Fatalf("no confirmation:\n%s", plain(h.top()))
		}
		h.keys("orders-value")
		h.send(press("enter"))
		if len(reg.deleted) != 1 || reg.deleted[0] != "orders-value v1" {
			t.Errorf("deleted %v", reg.deleted)
		}
		entries, _ := c.Audit.Entries()
		if len(entries) != 1 || entries[0].Action != "delete schema version" || entries[0].Target != "orders-value v1" {
			t.Errorf("audit %+v", entries)
		}
	})
}

// TestSchemasReadOnly: in read-only mode a version cannot be deleted.
func TestSchemasReadOnly(t *testing.T) {
	inBubble(t, func(t *testing.T, h *host) {
		c, reg, _ := schemaCommon(t)
		c.Keys.SetReadOnly(true)
		h.push(NewSchemaVersions(c, "orders-value"))
		h.send(tea.KeyPressMsg{Code: 'd', Mod: tea.ModCtrl})
		if len(reg.deleted) != 0 || !strings.Contains(strings.Join(h.notices(), "\n"), "read-only mode: ctrl+d (delete version) is disabled") {
			t.Errorf("deleted %v, notices %v", reg.deleted, h.notices())
		}
	})
}

// TestSchemasWithoutRegistry says how to configure one.
func TestSchemasWithoutRegistry(t *testing.T) {
	inBubble(t, func(t *testing.T, h *host) {
		h.push(NewSchemas(testCommon(t)))
		if got := plain(h.top()); !strings.Contains(got, "no schema registry configured") {
			t.Errorf("view:\n%s", got)
		}
	})
}

// TestProduceWithASchema: the value typed as JSON is encoded with the
// subject's schema; one that does not fit is refused beside the value,
// naming the field.
func TestProduceWithASchema(t *testing.T) {
	inBubble(t, func(t *testing.T, h *host) {
		c, _, _ := schemaCommon(t)
		r := &recorder{}
		c.Client.Producer = r.fake()
		v := open(t, h, produceDialog(c, c.Client.Producer, "orders")).(*dialog)
		if got := v.form.Value("valueSubject"); got != "orders-value" {
			t.Errorf("value subject %q", got)
		}
		v.form.SetValue("schema", "encode the value")
		v.form.SetValue("value", `{"id":1,"tier":"PLATINUM","at":{"city":"Lyon"}}`)
		h.send(ctrlS)
		if got := plain(v); !strings.Contains(got, `/tier: unknown symbol "PLATINUM"`) || len(r.calls) != 0 {
			t.Fatalf("calls %v, form:\n%s", r.calls, got)
		}
		v.form.SetValue("value", `{"id":1,"tier":"GOLD","at":{"city":"Lyon"}}`)
		h.send(ctrlS)
		want := "produce " + string(wire(t, 1, 2, "Lyon"))
		if len(r.calls) != 1 || r.calls[0] != want {
			t.Errorf("calls %q, want %q", r.calls, want)
		}
	})
}

// TestAFilterSetBeforeItsSchemaArrivedReadsAgain: records matched on their
// raw bytes while their schema was being fetched are matched decoded once
// it arrives.
func TestAFilterSetBeforeItsSchemaArrivedReadsAgain(t *testing.T) {
	c, _, changes := schemaCommon(t)
	v := openTestTail(t, 100)
	v.c.Client = c.Client
	feed(v, kafkaclient.Record{Topic: "orders", Offset: 0, Timestamp: t0, Key: []byte("o-1"), Value: wire(t, 1, 2, "Lyon")})
	if err := v.SetFilter(`.tier == "GOLD"`); err != nil {
		t.Fatal(err)
	}
	filtered(v)
	if v.count() != 0 {
		t.Fatalf("matched %d before the schema arrived", v.count())
	}
	if e := <-changes; e.Err != nil {
		t.Fatal(e.Err)
	}
	v.Update(decode.SchemasChanged{})
	filtered(v)
	if v.count() != 1 {
		t.Errorf("matched %d once the schema arrived, want 1", v.count())
	}
}
