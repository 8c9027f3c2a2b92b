package kafkaclient

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"slices"
	"strings"
	"sync"

	"github.com/twmb/franz-go/pkg/sr"
)

// compatBatch is how many subjects' compatibility levels are asked at
// once: one request each, and a registry with thousands of subjects must
// not get thousands of requests in the same instant.
const compatBatch = 16

// Subjects lists every subject with its latest version, that version's
// type and id, and the subject's compatibility level. One request reads
// all the latest versions; the levels take one request per subject.
func (r *Registry) Subjects(ctx context.Context) ([]SubjectInfo, error) {
	ctx, cancel := r.requestContext(ctx)
	defer cancel()
	latest, err := r.cl.AllSchemas(sr.WithParams(ctx, sr.LatestOnly))
	if err = r.explain("listing subjects", err); errors.Is(err, ErrSchemaNotFound) {
		latest, err = r.latestOneByOne(ctx)
	}
	if err != nil {
		return nil, err
	}
	out := make([]SubjectInfo, 0, len(latest))
	names := make([]string, 0, len(latest))
	for _, s := range latest {
		out = append(out, SubjectInfo{Subject: s.Subject, Type: schemaType(s.Type), Latest: s.Version, ID: s.ID})
		names = append(names, s.Subject)
	}
	levels := map[string]string{}
	cctx := sr.WithParams(ctx, sr.DefaultToGlobal)
	for chunk := range slices.Chunk(names, compatBatch) {
		for _, res := range r.cl.Compatibility(cctx, chunk...) {
			if res.Err == nil {
				levels[res.Subject] = res.Level.String()
			}
		}
	}
	for i := range out {
		out[i].Compatibility = levels[out[i].Subject]
	}
	slices.SortFunc(out, func(a, b SubjectInfo) int { return strings.Compare(a.Subject, b.Subject) })
	return out, nil
}

// latestOneByOne reads each subject's latest version with a request of
// its own, a few at a time, for registries older than GET /schemas.
func (r *Registry) latestOneByOne(ctx context.Context) ([]sr.SubjectSchema, error) {
	names, err := r.cl.Subjects(ctx)
	if err != nil {
		return nil, r.explain("listing subjects", err)
	}
	out := make([]sr.SubjectSchema, len(names))
	errs := make([]error, len(names))
	var wg sync.WaitGroup
	limit := make(chan struct{}, compatBatch)
	for i, name := range names {
		wg.Go(func() {
			limit <- struct{}{}
			defer func() { <-limit }()
			out[i], errs[i] = r.cl.SchemaByVersion(ctx, name, -1)
		})
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			return nil, r.explain("subject "+names[i]+" latest version", err)
		}
	}
	return out, nil
}

// SubjectVersionInfo is one version of a subject with its schema.
type SubjectVersionInfo struct {
	Version int
	// Schema is the version's schema; its References name what it refers
	// to without the referenced text, which SubjectSchema fetches.
	Schema *Schema
}

// Versions lists every version of subject with its schema, oldest first.
func (r *Registry) Versions(ctx context.Context, subject string) ([]SubjectVersionInfo, error) {
	ctx, cancel := r.requestContext(ctx)
	defer cancel()
	all, err := r.cl.Schemas(ctx, subject)
	if err != nil {
		return nil, r.explain("versions of subject "+subject, err)
	}
	out := make([]SubjectVersionInfo, 0, len(all))
	for _, s := range all {
		sch := &Schema{ID: s.ID, GUID: s.GUID, Type: schemaType(s.Type), Text: s.Schema.Schema,
			Uses: []SubjectVersion{{s.Subject, s.Version}}}
		for _, ref := range s.References {
			sch.References = append(sch.References, SchemaReference{Name: ref.Name, Subject: ref.Subject, Version: ref.Version})
		}
		out = append(out, SubjectVersionInfo{Version: s.Version, Schema: sch})
	}
	slices.SortFunc(out, func(a, b SubjectVersionInfo) int { return a.Version - b.Version })
	return out, nil
}

// DeleteSchemaVersion soft-deletes one version of subject, as the
// registry's DELETE does without ?permanent: records written with it
// still decode, by id. It is refused in read-only mode.
func (r *Registry) DeleteSchemaVersion(ctx context.Context, subject string, version int) error {
	op := fmt.Sprintf("delete version %d of subject %s", version, subject)
	if r.cfg.ReadOnly {
		return fmt.Errorf("%s: %w", op, ErrReadOnly)
	}
	ctx, cancel := r.requestContext(ctx)
	defer cancel()
	if err := r.cl.DeleteSchema(ctx, subject, version, sr.SoftDelete); err != nil {
		return r.explain(op, err)
	}
	r.mu.Lock()
	delete(r.byPinned, SubjectVersion{subject, version})
	r.mu.Unlock()
	return nil
}

// maxRegistryMessage bounds how much of a registry's error text is
// repeated: a proxy in front of it may answer with a whole HTML page.
const maxRegistryMessage = 200

// explain says what went wrong with op in terms of the registry: refused
// credentials, something it does not have, its own failure, silence or
// no connection. It never repeats a credential: the URLs hold none, and
// the registry's own message is not expected to.
func (r *Registry) explain(op string, err error) error {
	if err == nil {
		return nil
	}
	var re *sr.ResponseError
	var ue *url.Error
	var ne net.Error
	switch {
	case errors.As(err, &re):
		msg := re.Message
		if msg == "" {
			msg = string(re.Raw)
		}
		if len(msg) > maxRegistryMessage {
			msg = msg[:maxRegistryMessage] + "…"
		}
		switch {
		case re.StatusCode == 401:
			return fmt.Errorf("schema registry: %s: unauthorised (401): the registry refused kscope's credentials", op)
		case re.StatusCode == 403:
			return fmt.Errorf("schema registry: %s: forbidden (403): these credentials may not read it", op)
		case re.StatusCode == 404:
			return fmt.Errorf("schema registry: %s: %w (404: %s)", op, ErrSchemaNotFound, msg)
		}
		return fmt.Errorf("schema registry: %s: the registry answered %d: %s", op, re.StatusCode, msg)
	case errors.Is(err, context.DeadlineExceeded), errors.As(err, &ne) && ne.Timeout():
		return fmt.Errorf("schema registry: %s: no answer within %s", op, r.cfg.Timeout)
	case errors.Is(err, context.Canceled):
		return fmt.Errorf("schema registry: %s: %w", op, context.Canceled)
	case errors.As(err, &ue):
		// The URL in it is one of the configured ones, without credentials.
		return fmt.Errorf("schema registry at %s: %s: unreachable: %v", r.host(ue.URL), op, ue.Err)
	}
	return fmt.Errorf("schema registry: %s: %v", op, err)
}

// host is the scheme and host of a request's URL, for an error.
func (r *Registry) host(u string) string {
	p, err := url.Parse(u)
	if err != nil {
		return r.URL()
	}
	return p.Scheme + "://" + p.Host
}
