package decode

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"
	"unsafe"

	"kscope/kafkaclient"
)

// Registry is what Schemas asks of a Schema Registry;
// kafkaclient.Registry has it.
type Registry interface {
	SchemaByID(ctx context.Context, id int) (*kafkaclient.Schema, error)
	SchemaByGUID(ctx context.Context, guid string) (*kafkaclient.Schema, error)
	SubjectSchema(ctx context.Context, subject string, version int) (*kafkaclient.Schema, kafkaclient.SubjectVersion, error)
}

// SchemasChanged says a schema arrived from the registry, or could not
// be had (Err), so whatever was drawn waiting for it can be drawn again.
type SchemasChanged struct{ Err error }

// SchemasOptions tune a Schemas.
type SchemasOptions struct {
	// Notify is called, from a goroutine of its own, each time a fetch
	// of a schema ends; it must not block.
	Notify func(SchemasChanged)
	// ExportRaw also writes each decoded field's bytes, in base64, to
	// exported records.
	ExportRaw bool
	// RetryAfter is how long a schema that could not be fetched (the
	// registry was down, refused the credentials) waits before it is asked
	// for again (default 30s); one the registry does not have is not asked
	// for again.
	RetryAfter time.Duration
}

// Schemas decodes the records a Schema Registry's serializers wrote:
// keys and values framed with a schema id (magic byte 0, the id, for
// Protobuf the message-index path) or carrying it in a header
// (__key_schema_id, __value_schema_id), in Avro, Protobuf or JSON
// Schema, become JSON.
//
// A schema is fetched the first time a record needs it, once per id for
// the session, in the background: until it arrives the record says it
// is waiting and Notify tells when to draw it again. Nothing waits on the
// registry but export and produce, which run off the event loop.
//
// The nil *Schemas is a session without a registry: framed records are
// shown as bytes. Its methods are safe for concurrent use.
type Schemas struct {
	reg  Registry
	ctx  context.Context
	opts SchemasOptions
	// broken says why the registry could not be set up; every record
	// framed for it then says so.
	broken error

	mu      sync.Mutex
	schemas map[schemaKey]*entry
	// recent and older keep decoded fields, by where their bytes are:
	// when recent fills up it becomes older, and older is dropped, so
	// the fields drawn again and again stay decoded at a bounded cost.
	recent, older map[valueKey]*result
}

// decodedCache is how many decoded fields recent holds before it turns over.
const decodedCache = 4096

// asyncDecode is the size above which a field is decoded in the
// background, so that drawing a list never waits on a huge record.
const asyncDecode = 1 << 20

// NewSchemas decodes with the schemas of reg. ctx ends the fetches
// still running when the session closes.
func NewSchemas(ctx context.Context, reg Registry, opts SchemasOptions) *Schemas {
	if opts.RetryAfter <= 0 {
		opts.RetryAfter = 30 * time.Second
	}
	if opts.Notify == nil {
		opts.Notify = func(SchemasChanged) {}
	}
	return &Schemas{reg: reg, ctx: ctx, opts: opts, schemas: map[schemaKey]*entry{},
		recent: map[valueKey]*result{}, older: map[valueKey]*result{}}
}

// BrokenSchemas is a session whose registry is configured but cannot be
// used (a password source that fails, a bad certificate file): records
// framed for it say why, instead of looking undecodable.
func BrokenSchemas(err error) *Schemas {
	return &Schemas{broken: err}
}

// ExportRaw reports whether exports also carry the raw bytes of decoded fields.
func (s *Schemas) ExportRaw() bool { return s != nil && s.opts.ExportRaw }

// schemaKey names a schema as records do: by id or by GUID.
type schemaKey struct {
	id   int
	guid string
}

func (k schemaKey) String() string {
	if k.guid != "" {
		return "schema " + k.guid
	}
	return fmt.Sprintf("schema id %d", k.id)
}

// entry is one schema as far as it got: fetching, compiled, or failed.
type entry struct {
	codec    *codec
	err      error
	fetching bool
	// done is closed when the fetch under way ends.
	done    chan struct{}
	retryAt time.Time
}

// codec is a compiled schema, ready to decode and encode with.
type codec struct {
	schema *kafkaclient.Schema
	kind   Kind
	avro   *avroCodec
	proto  *protoCodec
	json   *jsonCodec
}

func compile(sch *kafkaclient.Schema) (*codec, error) {
	c := &codec{schema: sch}
	var err error
	switch sch.Type {
	case kafkaclient.SchemaProtobuf:
		c.kind = KindProtobuf
		c.proto, err = newProtoCodec(sch)
	case kafkaclient.SchemaJSON:
		c.kind = KindJSONSchema
		c.json, err = newJSONCodec(sch)
	default:
		c.kind = KindAvro
		c.avro, err = newAvroCodec(sch)
	}
	if err != nil {
		return nil, fmt.Errorf("the %s schema does not compile: %w", c.kind, err)
	}
	return c, nil
}

// lookup returns k's codec. When it is not here yet, a fetch is started
// (unless one is under way or failed lately), and lookup waits for it,
// as long as ctx lasts, only when wait is set; otherwise pending says the
// caller should come back once Notify is called.
func (s *Schemas) lookup(ctx context.Context, k schemaKey, wait bool) (c *codec, pending bool, err error) {
	if s.broken != nil {
		return nil, false, s.broken
	}
	s.mu.Lock()
	e := s.schemas[k]
	if e == nil {
		e = &entry{}
		s.schemas[k] = e
	}
	switch {
	case e.codec != nil:
		s.mu.Unlock()
		return e.codec, false, nil
	case !e.fetching && e.err != nil && (e.retryAt.IsZero() || time.Now().Before(e.retryAt)):
		s.mu.Unlock()
		return nil, false, e.err
	case !e.fetching:
		e.fetching, e.done = true, make(chan struct{})
		go s.fetch(k, e)
	}
	done := e.done
	s.mu.Unlock()
	if !wait {
		return nil, true, nil
	}
	select {
	case <-done:
	case <-ctx.Done():
		return nil, false, fmt.Errorf("%s: %w", k, ctx.Err())
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return e.codec, false, e.err
}

// fetch asks the registry for k and compiles it. A schema the registry
// does not have, or that does not compile, stays failed for the session;
// any other failure is asked again after RetryAfter.
func (s *Schemas) fetch(k schemaKey, e *entry) {
	var sch *kafkaclient.Schema
	var err error
	if k.guid != "" {
		sch, err = s.reg.SchemaByGUID(s.ctx, k.guid)
	} else {
		sch, err = s.reg.SchemaByID(s.ctx, k.id)
	}
	var c *codec
	permanent := errors.Is(err, kafkaclient.ErrSchemaNotFound)
	if err == nil {
		c, err = compile(sch)
		permanent = true
	}
	s.mu.Lock()
	e.codec, e.err, e.fetching = c, err, false
	e.retryAt = time.Time{}
	if err != nil && !permanent {
		e.retryAt = time.Now().Add(s.opts.RetryAfter)
	}
	close(e.done)
	s.mu.Unlock()
	// A session that closed (a context switch, quitting) has nobody left
	// to tell; its fetches' failures are not news.
	if s.ctx.Err() == nil {
		s.opts.Notify(SchemasChanged{Err: err})
	}
}

// valueKey is where a field's bytes are. A record's bytes never change
// and are never reused while a key in the cache holds on to them, so
// their address names them.
type valueKey struct {
	p *byte
	n int
}

// result is a field decoded, or why it is not.
type result struct {
	frame frame
	codec *codec
	json  []byte
	// message is the Protobuf message's name.
	message string
	err     error
	// pending: the schema is being fetched, or the field decoded in the
	// background.
	pending bool
}

// decodeField decodes r's key or value when it is framed for a registry;
// nil means it is not. With wait set it waits for the schema as long as
// ctx lasts (export runs off the event loop); otherwise it never blocks
// on the registry.
func (s *Schemas) decodeField(ctx context.Context, r *kafkaclient.Record, key, wait bool) *result {
	f, framed, ferr := frameOf(r, key)
	switch {
	case !framed:
		return nil
	case ferr != nil:
		return &result{frame: f, err: ferr}
	}
	b := field(r, key)
	vk := valueKey{unsafe.SliceData(b), len(b)}
	if res := s.cached(vk); res != nil && (!res.pending || !wait) {
		return res
	}
	c, pending, err := s.lookup(ctx, f.key, wait)
	switch {
	case pending:
		return &result{frame: f, pending: true}
	case err != nil:
		return &result{frame: f, err: err}
	}
	if len(b) > asyncDecode && !wait {
		res := &result{frame: f, codec: c, pending: true}
		s.store(vk, res)
		go func() {
			s.store(vk, c.decodeFrame(f))
			s.opts.Notify(SchemasChanged{})
		}()
		return res
	}
	res := c.decodeFrame(f)
	s.store(vk, res)
	return res
}

func (s *Schemas) cached(k valueKey) *result {
	s.mu.Lock()
	defer s.mu.Unlock()
	if res := s.recent[k]; res != nil {
		return res
	}
	if res := s.older[k]; res != nil {
		s.recent[k] = res
		return res
	}
	return nil
}

func (s *Schemas) store(k valueKey, res *result) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.recent) >= decodedCache {
		s.older, s.recent = s.recent, make(map[valueKey]*result, decodedCache)
	}
	s.recent[k] = res
}

// decodeFrame decodes a framed field with c.
func (c *codec) decodeFrame(f frame) *result {
	res := &result{frame: f, codec: c}
	switch c.kind {
	case KindProtobuf:
		path, payload, err := f.protoIndex()
		if err != nil {
			res.err = err
			return res
		}
		res.json, res.message, res.err = c.proto.decode(path, payload)
	case KindJSONSchema:
		res.json, res.err = c.json.decode(f.payload)
	default:
		res.json, res.err = c.avro.decode(f.payload)
	}
	if res.err != nil {
		res.err = fmt.Errorf("does not decode with %s: %w", f.key, res.err)
	}
	return res
}

func field(r *kafkaclient.Record, key bool) []byte {
	if key {
		return r.Key
	}
	return r.Value
}

// Decoded returns r with its key and value decoded to JSON where they are
// framed for the registry and their schemas are at hand, for filters
// that match what the list shows; otherwise r itself. It never waits for
// the registry.
func (s *Schemas) Decoded(r *kafkaclient.Record) *kafkaclient.Record {
	if s == nil || r == nil {
		return r
	}
	k, v := s.decodeField(s.ctx, r, true, false), s.decodeField(s.ctx, r, false, false)
	ok := func(res *result) bool { return res != nil && !res.pending && res.err == nil }
	if !ok(k) && !ok(v) {
		return r
	}
	out := *r
	if ok(k) {
		out.Key = k.json
	}
	if ok(v) {
		out.Value = v.json
	}
	return &out
}
