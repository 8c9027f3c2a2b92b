package config

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"kscope/kafkaclient"
)

// TestRegistrySection: a context's schemaRegistry block, its credential
// sources read only by Resolve, its TLS files from the config's directory.
func TestRegistrySection(t *testing.T) {
	path := writeConfig(t, `contexts:
  - name: prod
    brokers: [kafka:9092]
    schemaRegistry:
      url: https://registry:8081
      urls: [https://registry-2:8081]
      username: ops
      passwordEnv: SR_PW
      tls:
        caFile: ca.pem
  - name: bearer
    brokers: [kafka:9092]
    schemaRegistry:
      url: http://registry:8081
      tokenCommand: printf tok
`)
	f, err := Load(path, true, fakeEnv(nil), checkTheme)
	if err != nil {
		t.Fatal(err)
	}
	prod := f.Contexts[0].SchemaRegistry
	want := &RegistrySource{URLs: []string{"https://registry:8081", "https://registry-2:8081"}, Username: "ops", PasswordEnv: "SR_PW",
		TLS: &kafkaclient.TLS{CAFile: filepath.Join(filepath.Dir(path), "ca.pem")}}
	if !reflect.DeepEqual(prod, want) {
		t.Fatalf("prod = %+v", prod)
	}
	if _, err := prod.Resolve(fakeEnv(nil), time.Second); err == nil || err.Error() != "schema registry password: environment variable SR_PW is not set" {
		t.Errorf("unset variable: %v", err)
	}
	rc, err := prod.Resolve(fakeEnv(map[string]string{"SR_PW": "hunter2"}), time.Second)
	if err != nil || rc.Username != "ops" || rc.Password != "hunter2" || len(rc.URLs) != 2 {
		t.Errorf("resolved %+v, %v", rc, err)
	}
	rc, err = f.Contexts[1].SchemaRegistry.Resolve(fakeEnv(nil), 5*time.Second)
	if err != nil || rc.Token != "tok" || rc.Username != "" {
		t.Errorf("bearer resolved %+v, %v", rc, err)
	}
}

func TestRegistrySectionErrors(t *testing.T) {
	for _, tc := range []struct{ body, want string }{
		{"username: ops\n      password: x", "schemaRegistry needs a url"},
		{"url: registry:8081", "want http://host:port or https://host:port"},
		{"url: http://r:1\n      password: a\n      passwordEnv: B\n      username: u", "schemaRegistry.password and schemaRegistry.passwordEnv both give the password"},
		{"url: http://r:1\n      password: a", "schemaRegistry.password needs schemaRegistry.username"},
		{"url: http://r:1\n      token: a\n      username: u", "a username and password or a token, not both"},
		{"url: http://r:1\n      pasword: a", `unknown key "schemaRegistry.pasword"; did you mean "schemaRegistry.password"?`},
		{"url: http://r:1\n      tls:\n        certFile: c.pem", "schemaRegistry.tls.certFile needs schemaRegistry.tls.keyFile"},
	} {
		path := writeConfig(t, "contexts:\n  - name: c\n    brokers: [k:1]\n    schemaRegistry:\n      "+tc.body+"\n")
		f, err := Load(path, true, fakeEnv(nil), checkTheme)
		if err == nil && len(f.Contexts) == 1 {
			err = f.Contexts[0].Unusable
		}
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: err = %v, want %q", tc.body, err, tc.want)
		}
	}
}

// TestRegistryURLCredentials: a user:password in the URL (kcat's -r
// takes one) becomes basic authentication; the URL kept holds none.
func TestRegistryURLCredentials(t *testing.T) {
	r := &RegistrySource{URLs: []string{"https://ops:hunter2@registry:8081/base"}}
	rc, err := r.Resolve(fakeEnv(nil), time.Second)
	if err != nil || rc.Username != "ops" || rc.Password != "hunter2" || rc.URLs[0] != "https://registry:8081/base" {
		t.Fatalf("resolved %+v, %v", rc, err)
	}
}

// TestRegistryProps: -X schema.registry.* set or replace a context's
// registry; the user info is a secret even in an error.
func TestRegistryProps(t *testing.T) {
	p, err := ParseProps([]string{"schema.registry.url=http://a:1,http://b:2", "schema.registry.basic.auth.user.info=ops:hunter2",
		"schema.registry.ssl.ca.location=/ca.pem"})
	if err != nil {
		t.Fatal(err)
	}
	base := Context{Name: "c", Brokers: []string{"k:1"}, SchemaRegistry: &RegistrySource{URLs: []string{"http://old:1"}, Username: "x", TokenEnv: "T"}}
	c, err := p.Apply(base)
	if err != nil {
		t.Fatal(err)
	}
	want := &RegistrySource{URLs: []string{"http://a:1", "http://b:2"}, Username: "ops", Password: "hunter2", TLS: &kafkaclient.TLS{CAFile: "/ca.pem"}}
	if !reflect.DeepEqual(c.SchemaRegistry, want) || base.SchemaRegistry.Username != "x" {
		t.Errorf("applied %+v", c.SchemaRegistry)
	}
	p, _ = ParseProps([]string{"schema.registry.url=http://r:1"})
	c, _ = p.Apply(base)
	if c.SchemaRegistry.URLs[0] != "http://r:1" || c.SchemaRegistry.TokenEnv != "T" {
		t.Errorf("URL only: %+v", c.SchemaRegistry)
	}
	for _, tc := range []struct {
		pairs []string
		want  string
	}{
		{[]string{"schema.registry.basic.auth.user.info:ops:hunter2"}, "rest redacted"},
		{[]string{"schema.registry.basic.auth.user.info=hunter2"}, "wants user:password"},
		{[]string{"schema.registry.url=ftp://ops:hunter2@r"}, "want http://host:port"},
	} {
		_, err := ParseProps(tc.pairs)
		if err == nil || !strings.Contains(err.Error(), tc.want) || strings.Contains(err.Error(), "hunter2") {
			t.Errorf("%v: err = %v", tc.pairs, err)
		}
	}
	p, _ = ParseProps([]string{"schema.registry.basic.auth.user.info=ops:pw"})
	if _, err := p.Apply(Context{Name: "c"}); err == nil {
		t.Error("credentials without a URL were taken")
	}
}

// TestRegistryFilesChecked: a registry CA file that is not there is
// reported before anything connects.
func TestRegistryFilesChecked(t *testing.T) {
	dir := t.TempDir()
	c := Context{Name: "c", SchemaRegistry: &RegistrySource{URLs: []string{"https://r:1"}, TLS: &kafkaclient.TLS{CAFile: filepath.Join(dir, "none.pem")}}}
	if err := c.CheckFiles(); err == nil || !strings.Contains(err.Error(), "schema registry CA file") {
		t.Errorf("err = %v", err)
	}
	os.WriteFile(filepath.Join(dir, "none.pem"), nil, 0o600)
	if err := c.CheckFiles(); err != nil {
		t.Error(err)
	}
}
