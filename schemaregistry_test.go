package main

import (
	"bytes"
	"io"
	"strings"
	"testing"

	"kscope/config"
	"kscope/kafkaclient"
	"kscope/ui"
	"kscope/views"
)

// TestRegistryFlag: -r is kcat's spelling of -X schema.registry.url, with
// the same checks; a password in it never shows.
func TestRegistryFlag(t *testing.T) {
	noEnv := func(string) string { return "" }
	var stdout, stderr bytes.Buffer
	if code := run([]string{"-b", "a:1", "-r", "ftp://ops:hunter2@registry"}, &stdout, &stderr, noEnv); code != exitUsage ||
		!strings.Contains(stderr.String(), "want http://host:port") || strings.Contains(stderr.String(), "hunter2") {
		t.Errorf("exit %d, stderr %q", code, stderr.String())
	}
	o, code := parseFlags([]string{"-b", "a:1", "-r", "http://ops:hunter2@registry:8081", "--export-raw"}, io.Discard, io.Discard, noEnv)
	if o == nil {
		t.Fatalf("exit %d", code)
	}
	if r := o.target.SchemaRegistry; r == nil || r.URLs[0] != "http://ops:hunter2@registry:8081" || !o.schemas.exportRaw {
		t.Fatalf("target registry %+v", o.target.SchemaRegistry)
	}

	// Opening the session moves the password out of the URL and hides it
	// in the debug log from then on.
	var debug bytes.Buffer
	s := &session{opts: o, getenv: noEnv, secrets: config.NewRedactor(&debug)}
	sess, err := s.withRegistry(o.target, ui.Session{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer sess.Close()
	reg, ok := sess.Client.Registry.(*kafkaclient.Registry)
	if !ok || sess.Client.Schemas == nil || !sess.Client.Schemas.ExportRaw() || reg.URL() != "http://registry:8081" || !reg.ReadOnly() {
		t.Fatalf("session client %+v", sess.Client)
	}
	s.secrets.Write([]byte("sent hunter2"))
	if strings.Contains(debug.String(), "hunter2") {
		t.Errorf("debug log %q", debug.String())
	}
}

// TestRegistryThatCannotBeSetUp: a password source that fails leaves the
// session usable, its framed records saying why they are not decoded.
func TestRegistryThatCannotBeSetUp(t *testing.T) {
	o := &options{timeout: 1}
	s := &session{opts: o, getenv: func(string) string { return "" }, secrets: config.NewRedactor(io.Discard)}
	c := config.Context{Name: "prod", SchemaRegistry: &config.RegistrySource{URLs: []string{"http://r:1"}, Username: "ops", PasswordEnv: "SR_PW"}}
	sess, err := s.withRegistry(c, ui.Session{})
	if err != nil || sess.Client.Registry != nil || sess.Client.Schemas == nil {
		t.Fatalf("session %+v, %v", sess.Client, err)
	}
	if _, err := sess.Client.Schemas.Encode(t.Context(), "x", -1, "", nil); err == nil || !strings.Contains(err.Error(), "SR_PW is not set") {
		t.Errorf("err = %v", err)
	}
	if sess, _ := s.withRegistry(config.Context{}, ui.Session{}); sess.Client != (views.Client{}) {
		t.Error("a context without a registry got one")
	}
}
