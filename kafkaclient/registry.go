package kafkaclient

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/twmb/franz-go/pkg/sr"
	"golang.org/x/sync/singleflight"
)

// RegistryConfig says where a Confluent-compatible Schema Registry is and
// how kscope authenticates to it.
type RegistryConfig struct {
	// URLs are tried in order until one answers. They carry no
	// credentials: a user:password in a URL is moved to Username and
	// Password by the caller, so no URL kscope shows or logs holds one.
	URLs []string
	// Username and Password are HTTP basic authentication; Token is a
	// bearer token. Password and Token are secrets: they never appear in
	// an error, a log or on screen.
	Username, Password string
	Token              string
	// TLS verifies the registry (a private CA, a client certificate);
	// nil uses the system's roots for https URLs.
	TLS *TLS
	// Timeout bounds each request (default DefaultRegistryTimeout), so a
	// registry that accepts a connection and never answers cannot hold
	// anything up for longer.
	Timeout time.Duration
	// ReadOnly refuses every call that changes the registry.
	ReadOnly bool
}

// DefaultRegistryTimeout bounds one request to the Schema Registry.
const DefaultRegistryTimeout = 10 * time.Second

// maxRegistryBody bounds what one registry answer may weigh: the largest
// real schemas are a few hundred KiB, and an answer that goes on (a
// misconfigured proxy, a hostile server) must not fill the memory.
const maxRegistryBody = 16 << 20

// maxReferenceDepth bounds how deep references are followed, so a cycle
// or a pathological chain of subjects ends with an error.
const maxReferenceDepth = 32

// SchemaType is the kind of a registered schema, as the registry names it.
type SchemaType string

// The schema types a Confluent-compatible registry knows.
const (
	SchemaAvro     SchemaType = "AVRO"
	SchemaProtobuf SchemaType = "PROTOBUF"
	SchemaJSON     SchemaType = "JSON"
)

// Schema is a registered schema with everything needed to use it: its
// text, its type, the schemas it references (fetched too, recursively)
// and the subject versions registered with it.
type Schema struct {
	ID   int
	GUID string
	Type SchemaType
	Text string
	// References are the schemas this one imports or names, each resolved.
	References []SchemaReference
	// Uses are the subject versions that use this schema, when known.
	Uses []SubjectVersion
}

// SchemaReference is one schema a schema refers to: Name is how the
// referring schema names it (an import path for Protobuf, a full name for
// Avro, a URL for JSON Schema).
type SchemaReference struct {
	Name    string
	Subject string
	Version int
	Schema  *Schema
}

// SubjectVersion is one version of a subject.
type SubjectVersion struct {
	Subject string
	Version int
}

// SubjectInfo is one subject as the :schemas list shows it.
type SubjectInfo struct {
	Subject string
	Type    SchemaType
	// Latest is the newest version, and ID its schema's id.
	Latest, ID int
	// Compatibility is the subject's level, or the global one it falls back to.
	Compatibility string
}

// ErrSchemaNotFound is wrapped by errors for a schema, subject or version
// the registry does not have: retrying does not help.
var ErrSchemaNotFound = errors.New("not found in the schema registry")

// Registry talks to one Schema Registry. Schemas fetched by id, GUID or
// subject version are kept for the session and concurrent requests for
// the same one share one fetch. It is safe for concurrent use.
type Registry struct {
	cl      *sr.Client
	http    *http.Client
	cfg     RegistryConfig
	ctx     context.Context
	cancel  context.CancelFunc
	flights singleflight.Group

	mu       sync.Mutex
	byID     map[int]*Schema
	byGUID   map[string]*Schema
	byPinned map[SubjectVersion]*Schema
}

// NewRegistry makes a client of the registry cfg names. It does not
// connect: the first request does.
func NewRegistry(cfg RegistryConfig) (*Registry, error) {
	if len(cfg.URLs) == 0 {
		return nil, errors.New("schema registry: no URL given")
	}
	urls := make([]string, 0, len(cfg.URLs))
	for _, u := range cfg.URLs {
		if err := CheckRegistryURL(u); err != nil {
			return nil, err
		}
		// Credentials in a URL become basic authentication, so that no
		// URL in an error holds them.
		p, _ := url.Parse(u)
		if p.User != nil {
			if cfg.Username == "" {
				cfg.Username = p.User.Username()
			}
			if pw, ok := p.User.Password(); ok && cfg.Password == "" {
				cfg.Password = pw
			}
			p.User = nil
		}
		urls = append(urls, p.String())
	}
	cfg.URLs = urls
	if cfg.Timeout <= 0 {
		cfg.Timeout = DefaultRegistryTimeout
	}
	transport := http.DefaultTransport.(*http.Transport).Clone()
	if cfg.TLS != nil {
		tc, err := tlsConfig(*cfg.TLS)
		if err != nil {
			return nil, fmt.Errorf("schema registry: %w", err)
		}
		transport.TLSClientConfig = tc
	}
	hc := &http.Client{Timeout: cfg.Timeout, Transport: limitedTransport{transport}}
	opts := []sr.ClientOpt{sr.URLs(cfg.URLs...), sr.HTTPClient(hc), sr.UserAgent("kscope")}
	switch {
	case cfg.Token != "":
		opts = append(opts, sr.BearerToken(cfg.Token))
	case cfg.Username != "" || cfg.Password != "":
		opts = append(opts, sr.BasicAuth(cfg.Username, cfg.Password))
	}
	cl, err := sr.NewClient(opts...)
	if err != nil {
		return nil, fmt.Errorf("schema registry: %w", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	return &Registry{cl: cl, http: hc, cfg: cfg, ctx: ctx, cancel: cancel,
		byID: map[int]*Schema{}, byGUID: map[string]*Schema{}, byPinned: map[SubjectVersion]*Schema{}}, nil
}

// CheckRegistryURL tells whether u can be a registry's address: http or
// https with a host. The error never repeats a password given in u.
func CheckRegistryURL(u string) error {
	p, err := url.Parse(u)
	if err != nil {
		return fmt.Errorf("schema registry URL %s is not a URL", RedactURL(u))
	}
	if p.Scheme != "http" && p.Scheme != "https" || p.Host == "" {
		return fmt.Errorf("schema registry URL %s: want http://host:port or https://host:port", RedactURL(u))
	}
	return nil
}

// RedactURL shows u with any password in it replaced, for messages.
func RedactURL(u string) string {
	p, err := url.Parse(u)
	if err != nil {
		if strings.Contains(u, "@") {
			return "(a URL with credentials)"
		}
		return strconv.Quote(u)
	}
	return p.Redacted()
}

// limitedTransport cuts every answer off at maxRegistryBody.
type limitedTransport struct{ http.RoundTripper }

// RoundTrip implements http.RoundTripper.
func (t limitedTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := t.RoundTripper.RoundTrip(req)
	if err == nil {
		resp.Body = &limitedBody{ReadCloser: resp.Body, left: maxRegistryBody}
	}
	return resp, err
}

type limitedBody struct {
	io.ReadCloser
	left int64
}

// Read fails once the answer passed maxRegistryBody.
func (b *limitedBody) Read(p []byte) (int, error) {
	if b.left <= 0 {
		return 0, fmt.Errorf("the answer is larger than %d MiB", maxRegistryBody>>20)
	}
	if int64(len(p)) > b.left {
		p = p[:b.left]
	}
	n, err := b.ReadCloser.Read(p)
	b.left -= int64(n)
	return n, err
}

// URL is the registry's first address, for the UI.
func (r *Registry) URL() string { return r.cfg.URLs[0] }

// ReadOnly reports whether calls that change the registry are refused.
func (r *Registry) ReadOnly() bool { return r.cfg.ReadOnly }

// Close ends the requests in flight and drops idle connections.
func (r *Registry) Close() {
	r.cancel()
	r.http.CloseIdleConnections()
}

// SchemaByID returns the schema registered under id, with its references
// and the subject versions that use it. The first call fetches it; the
// others get it from memory, and calls made while it is fetched wait for
// that one fetch. ctx bounds the wait, not the fetch, which others may
// be waiting for too.
func (r *Registry) SchemaByID(ctx context.Context, id int) (*Schema, error) {
	r.mu.Lock()
	s := r.byID[id]
	r.mu.Unlock()
	if s != nil {
		return s, nil
	}
	return r.shared(ctx, "id:"+strconv.Itoa(id), func(ctx context.Context) (*Schema, error) {
		op := fmt.Sprintf("schema id %d", id)
		got, err := r.cl.SchemaByID(ctx, id)
		if err != nil {
			return nil, r.explain(op, err)
		}
		s, err := r.resolve(ctx, op, got, 0)
		if err != nil {
			return nil, err
		}
		s.ID = id
		// Which subjects use it is for the eyes only: an older registry
		// without the call still decodes.
		if uses, err := r.cl.SchemaVersionsByID(ctx, id); err == nil {
			for _, u := range uses {
				s.Uses = append(s.Uses, SubjectVersion(u))
			}
		}
		r.mu.Lock()
		r.byID[id] = s
		r.mu.Unlock()
		return s, nil
	})
}

// SchemaByGUID returns the schema whose GUID is guid, as header-framed
// records name it, kept and shared as SchemaByID's are.
func (r *Registry) SchemaByGUID(ctx context.Context, guid string) (*Schema, error) {
	r.mu.Lock()
	s := r.byGUID[guid]
	r.mu.Unlock()
	if s != nil {
		return s, nil
	}
	return r.shared(ctx, "guid:"+guid, func(ctx context.Context) (*Schema, error) {
		op := "schema " + guid
		got, err := r.cl.SchemaByGUID(ctx, guid)
		if err != nil {
			return nil, r.explain(op, err)
		}
		s, err := r.resolve(ctx, op, got.Schema, 0)
		if err != nil {
			return nil, err
		}
		s.ID, s.GUID = got.ID, guid
		if got.Subject != "" {
			s.Uses = []SubjectVersion{{got.Subject, got.Version}}
		}
		r.mu.Lock()
		r.byGUID[guid] = s
		r.mu.Unlock()
		return s, nil
	})
}

// SubjectSchema returns version of subject (-1: the latest) and the
// version it is. A pinned version is kept for the session; the latest is
// asked each time, since a new one may be registered at any moment.
func (r *Registry) SubjectSchema(ctx context.Context, subject string, version int) (*Schema, SubjectVersion, error) {
	if version > 0 {
		s, err := r.pinned(ctx, SubjectVersion{subject, version}, 0)
		return s, SubjectVersion{subject, version}, err
	}
	op := "subject " + subject + " latest version"
	ctx, cancel := r.requestContext(ctx)
	defer cancel()
	got, err := r.cl.SchemaByVersion(ctx, subject, -1)
	if err != nil {
		return nil, SubjectVersion{}, r.explain(op, err)
	}
	s, err := r.resolve(ctx, op, got.Schema, 0)
	if err != nil {
		return nil, SubjectVersion{}, err
	}
	s.ID, s.GUID = got.ID, got.GUID
	s.Uses = []SubjectVersion{{got.Subject, got.Version}}
	return s, SubjectVersion{subject, got.Version}, nil
}

// pinned fetches one version of a subject, depth references deep.
func (r *Registry) pinned(ctx context.Context, sv SubjectVersion, depth int) (*Schema, error) {
	r.mu.Lock()
	s := r.byPinned[sv]
	r.mu.Unlock()
	if s != nil {
		return s, nil
	}
	return r.shared(ctx, fmt.Sprintf("sv:%d:%s", sv.Version, sv.Subject), func(ctx context.Context) (*Schema, error) {
		op := fmt.Sprintf("subject %s version %d", sv.Subject, sv.Version)
		got, err := r.cl.SchemaByVersion(ctx, sv.Subject, sv.Version)
		if err != nil {
			return nil, r.explain(op, err)
		}
		s, err := r.resolve(ctx, op, got.Schema, depth)
		if err != nil {
			return nil, err
		}
		s.ID, s.GUID, s.Uses = got.ID, got.GUID, []SubjectVersion{sv}
		r.mu.Lock()
		r.byPinned[sv] = s
		r.mu.Unlock()
		return s, nil
	})
}

// resolve turns the registry's answer into a Schema, fetching what it
// references.
func (r *Registry) resolve(ctx context.Context, op string, got sr.Schema, depth int) (*Schema, error) {
	s := &Schema{Type: schemaType(got.Type), Text: got.Schema}
	if len(got.References) > 0 && depth >= maxReferenceDepth {
		return nil, fmt.Errorf("schema registry: %s: references nest deeper than %d", op, maxReferenceDepth)
	}
	for _, ref := range got.References {
		rs, err := r.pinned(ctx, SubjectVersion{ref.Subject, ref.Version}, depth+1)
		if err != nil {
			return nil, fmt.Errorf("%s: reference %s: %w", op, ref.Name, err)
		}
		s.References = append(s.References, SchemaReference{Name: ref.Name, Subject: ref.Subject, Version: ref.Version, Schema: rs})
	}
	return s, nil
}

func schemaType(t sr.SchemaType) SchemaType {
	switch t {
	case sr.TypeProtobuf:
		return SchemaProtobuf
	case sr.TypeJSON:
		return SchemaJSON
	}
	return SchemaAvro
}

// shared runs fetch once for every caller asking for key at the same
// time. The fetch runs under the registry's own context, with the
// request timeout: a caller that gives up does not fail the others.
func (r *Registry) shared(ctx context.Context, key string, fetch func(context.Context) (*Schema, error)) (*Schema, error) {
	ch := r.flights.DoChan(key, func() (any, error) {
		fctx, cancel := r.requestContext(r.ctx)
		defer cancel()
		return fetch(fctx)
	})
	select {
	case res := <-ch:
		if res.Err != nil {
			return nil, res.Err
		}
		return res.Val.(*Schema), nil
	case <-ctx.Done():
		return nil, fmt.Errorf("schema registry: %w", ctx.Err())
	}
}

// requestContext bounds one conversation with the registry (a schema and
// its references) by a few request timeouts.
func (r *Registry) requestContext(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(ctx, 3*r.cfg.Timeout)
}
