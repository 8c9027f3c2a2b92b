package kafkaclient

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/twmb/franz-go/pkg/sr"
	"github.com/twmb/franz-go/pkg/sr/srfake"
)

// registryFixture seeds a chain of references: orders → address → geo.
func registryFixture(t *testing.T, opts ...srfake.Option) *srfake.Registry {
	t.Helper()
	fake := srfake.New(opts...)
	t.Cleanup(fake.Close)
	fake.SeedSchema("geo", 1, 1, sr.Schema{Schema: `{"type":"record","name":"Geo","namespace":"g","fields":[{"name":"lat","type":"double"}]}`})
	fake.SeedSchema("address", 1, 2, sr.Schema{Schema: `{"type":"record","name":"Address","namespace":"a","fields":[{"name":"at","type":"g.Geo"}]}`,
		References: []sr.SchemaReference{{Name: "g.Geo", Subject: "geo", Version: 1}}})
	fake.SeedSchema("orders-value", 1, 3, sr.Schema{Schema: `{"type":"record","name":"Order","fields":[{"name":"to","type":"a.Address"}]}`,
		References: []sr.SchemaReference{{Name: "a.Address", Subject: "address", Version: 1}}})
	fake.SeedSchema("orders-value", 2, 4, sr.Schema{Schema: `{"type":"record","name":"Order","fields":[{"name":"id","type":"long"}]}`})
	fake.SeedSchema("events-value", 1, 5, sr.Schema{Schema: `syntax = "proto3"; message E { int32 n = 1; }`, Type: sr.TypeProtobuf})
	return fake
}

func newTestRegistry(t *testing.T, cfg RegistryConfig) *Registry {
	t.Helper()
	r, err := NewRegistry(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(r.Close)
	return r
}

// TestRegistrySchemaByID: a schema comes with its references, theirs
// too, and the subject versions that use it; concurrent callers share
// one request, and later ones none.
func TestRegistrySchemaByID(t *testing.T) {
	fake := registryFixture(t)
	release := make(chan struct{})
	var asked atomic.Int32
	fake.Intercept(func(w http.ResponseWriter, r *http.Request) bool {
		if r.URL.Path == "/schemas/ids/3" {
			asked.Add(1)
			<-release
		}
		return false
	})
	reg := newTestRegistry(t, RegistryConfig{URLs: []string{fake.URL()}})
	var wg sync.WaitGroup
	got := make([]*Schema, 8)
	for i := range got {
		wg.Go(func() {
			s, err := reg.SchemaByID(t.Context(), 3)
			if err != nil {
				t.Error(err)
			}
			got[i] = s
		})
	}
	close(release)
	wg.Wait()
	if _, err := reg.SchemaByID(t.Context(), 3); err != nil {
		t.Fatal(err)
	}
	if n := asked.Load(); n != 1 {
		t.Errorf("schema 3 asked for %d times, want 1", n)
	}
	s := got[0]
	if s.ID != 3 || s.Type != SchemaAvro || len(s.References) != 1 || s.References[0].Schema == nil ||
		len(s.References[0].Schema.References) != 1 || s.References[0].Schema.References[0].Schema.Text == "" {
		t.Fatalf("schema 3 = %+v", s)
	}
	if len(s.Uses) != 1 || s.Uses[0] != (SubjectVersion{"orders-value", 1}) {
		t.Errorf("uses = %v", s.Uses)
	}
	for _, o := range got[1:] {
		if o != s {
			t.Error("concurrent callers got different schemas")
		}
	}
}

// TestRegistrySubjects: every subject with its type, latest version and
// level, the subject's own or the global one.
func TestRegistrySubjects(t *testing.T) {
	fake := registryFixture(t, srfake.WithGlobalCompat(sr.CompatBackward))
	if err := fake.SetCompat("events-value", sr.CompatFull); err != nil {
		t.Fatal(err)
	}
	reg := newTestRegistry(t, RegistryConfig{URLs: []string{fake.URL()}})
	subjects, err := reg.Subjects(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	want := []SubjectInfo{
		{"address", SchemaAvro, 1, 2, "BACKWARD"},
		{"events-value", SchemaProtobuf, 1, 5, "FULL"},
		{"geo", SchemaAvro, 1, 1, "BACKWARD"},
		{"orders-value", SchemaAvro, 2, 4, "BACKWARD"},
	}
	if len(subjects) != len(want) {
		t.Fatalf("subjects = %+v", subjects)
	}
	for i := range want {
		if subjects[i] != want[i] {
			t.Errorf("subject %d = %+v, want %+v", i, subjects[i], want[i])
		}
	}
	versions, err := reg.Versions(t.Context(), "orders-value")
	if err != nil {
		t.Fatal(err)
	}
	if len(versions) != 2 || versions[0].Version != 1 || versions[0].Schema.References[0].Name != "a.Address" || versions[1].Schema.ID != 4 {
		t.Errorf("versions = %+v", versions)
	}
	latest, sv, err := reg.SubjectSchema(t.Context(), "orders-value", -1)
	if err != nil || sv.Version != 2 || latest.ID != 4 {
		t.Errorf("latest = %+v %v %v", latest, sv, err)
	}
}

// TestRegistryDelete: a version is soft-deleted, except in read-only mode.
func TestRegistryDelete(t *testing.T) {
	fake := registryFixture(t)
	ro := newTestRegistry(t, RegistryConfig{URLs: []string{fake.URL()}, ReadOnly: true})
	if err := ro.DeleteSchemaVersion(t.Context(), "orders-value", 2); !errors.Is(err, ErrReadOnly) {
		t.Fatalf("read-only delete: %v", err)
	}
	reg := newTestRegistry(t, RegistryConfig{URLs: []string{fake.URL()}})
	if err := reg.DeleteSchemaVersion(t.Context(), "orders-value", 2); err != nil {
		t.Fatal(err)
	}
	_, sv, err := reg.SubjectSchema(t.Context(), "orders-value", -1)
	if err != nil || sv.Version != 1 {
		t.Errorf("latest after the delete: %v %v", sv, err)
	}
	if err := reg.DeleteSchemaVersion(t.Context(), "orders-value", 9); !errors.Is(err, ErrSchemaNotFound) {
		t.Errorf("deleting a version that is not there: %v", err)
	}
}

// TestRegistrySecrets: no error or URL shown repeats a credential.
func TestRegistrySecrets(t *testing.T) {
	fake := registryFixture(t, srfake.WithAuth("Bearer right"))
	for _, cfg := range []RegistryConfig{
		{URLs: []string{fake.URL()}, Username: "ops", Password: "hunter2"},
		{URLs: []string{fake.URL()}, Token: "hunter2"},
		{URLs: []string{"http://127.0.0.1:1"}, Username: "ops", Password: "hunter2"},
	} {
		reg := newTestRegistry(t, cfg)
		_, err := reg.SchemaByID(t.Context(), 3)
		if err == nil || strings.Contains(err.Error(), "hunter2") {
			t.Errorf("err = %v", err)
		}
	}
	if got := RedactURL("https://ops:hunter2@registry:8081"); strings.Contains(got, "hunter2") {
		t.Errorf("RedactURL = %q", got)
	}
	if err := CheckRegistryURL("ftp://ops:hunter2@registry"); err == nil || strings.Contains(err.Error(), "hunter2") {
		t.Errorf("CheckRegistryURL = %v", err)
	}
	if _, err := NewRegistry(RegistryConfig{URLs: []string{"registry:8081"}}); err == nil {
		t.Error("a URL without a scheme was taken")
	}
}

// TestRegistryCallerGivesUp: a caller whose context ends stops waiting;
// the fetch it shared goes on for the others.
func TestRegistryCallerGivesUp(t *testing.T) {
	fake := registryFixture(t)
	release := make(chan struct{})
	fake.Intercept(func(w http.ResponseWriter, r *http.Request) bool {
		if r.URL.Path == "/schemas/ids/4" {
			<-release
		}
		return false
	})
	reg := newTestRegistry(t, RegistryConfig{URLs: []string{fake.URL()}})
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if _, err := reg.SchemaByID(ctx, 4); !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v", err)
	}
	close(release)
	if s, err := reg.SchemaByID(t.Context(), 4); err != nil || s.ID != 4 {
		t.Fatalf("after: %v %v", s, err)
	}
}

// TestRegistryWithoutSchemasList: a registry that does not know GET
// /schemas is asked for each subject's latest version instead.
func TestRegistryWithoutSchemasList(t *testing.T) {
	fake := registryFixture(t)
	fake.Intercept(func(w http.ResponseWriter, r *http.Request) bool {
		if r.URL.Path == "/schemas" {
			w.WriteHeader(http.StatusNotFound)
			w.Write([]byte(`{"error_code":404,"message":"HTTP 404 Not Found"}`))
			return true
		}
		return false
	})
	reg := newTestRegistry(t, RegistryConfig{URLs: []string{fake.URL()}})
	subjects, err := reg.Subjects(t.Context())
	if err != nil || len(subjects) != 4 || subjects[3].Subject != "orders-value" || subjects[3].Latest != 2 || subjects[3].Type != SchemaAvro {
		t.Fatalf("subjects = %+v, %v", subjects, err)
	}
}

// TestRegistryURLWithCredentials: credentials in a URL are used as basic
// authentication and never appear in an error.
func TestRegistryURLWithCredentials(t *testing.T) {
	fake := registryFixture(t, srfake.WithAuth("Basic b3BzOmh1bnRlcjI=")) // ops:hunter2
	reg := newTestRegistry(t, RegistryConfig{URLs: []string{strings.Replace(fake.URL(), "http://", "http://ops:hunter2@", 1)}})
	if _, err := reg.SchemaByID(t.Context(), 1); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(reg.URL(), "hunter2") {
		t.Errorf("URL %s", reg.URL())
	}
	down := newTestRegistry(t, RegistryConfig{URLs: []string{"http://ops:hunter2@127.0.0.1:1"}})
	if _, err := down.SchemaByID(t.Context(), 1); err == nil || strings.Contains(err.Error(), "hunter2") {
		t.Errorf("err = %v", err)
	}
}
