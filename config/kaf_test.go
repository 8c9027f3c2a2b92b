package config

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"kscope/kafkaclient"
)

// writeKaf writes a kaf config into home.
func writeKaf(t *testing.T, home, content string) string {
	t.Helper()
	path := filepath.Join(home, ".kaf", "config")
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestKafImport(t *testing.T) {
	home := t.TempDir()
	kafPath := writeKaf(t, home, `current-cluster: prod
clusters:
- name: local
  brokers:
  - localhost:9092
  SASL: null
  TLS: null
  security-protocol: ""
  schema-registry-url: http://localhost:8081
- name: prod
  version: 3.5.0
  brokers:
  - b1.prod:9094
  - b2.prod:9094
  SASL:
    mechanism: SCRAM-SHA-512
    username: ops
    password: hunter2
  TLS:
    cafile: /etc/ca.pem
    clientfile: /etc/client.pem
    clientkeyfile: /etc/client.key
    insecure: true
  security-protocol: SASL_SSL
- name: cloud
  brokers: [c:9092]
  SASL: {mechanism: PLAIN, username: key, password: secret}
  security-protocol: SASL_SSL
- name: iam
  brokers: [msk:9098]
  SASL: {mechanism: AWS_MSK_IAM}
  security-protocol: SASL_SSL
`)
	path := filepath.Join(home, ".config", "kscope", "config.yaml")
	cfg, err := Load(path, false, fakeEnv(map[string]string{"HOME": home}), checkTheme)
	if err != nil {
		t.Fatal(err)
	}
	want := &File{
		Path:    path,
		Current: "prod",
		Contexts: []Context{
			{Name: "local", Source: kafPath, Brokers: []string{"localhost:9092"}},
			{
				Name: "prod", Source: kafPath, Brokers: []string{"b1.prod:9094", "b2.prod:9094"}, KafkaVersion: "3.5.0",
				SASL: &SASLSource{Mechanism: "SCRAM-SHA-512", Username: "ops", Password: "hunter2"},
				TLS:  &kafkaclient.TLS{CAFile: "/etc/ca.pem", CertFile: "/etc/client.pem", KeyFile: "/etc/client.key", InsecureSkipVerify: true},
			},
			{
				Name: "cloud", Source: kafPath, Brokers: []string{"c:9092"},
				SASL: &SASLSource{Mechanism: "PLAIN", Username: "key", Password: "secret"},
				TLS:  &kafkaclient.TLS{},
			},
		},
		Warnings: []string{kafPath + `: kaf cluster "iam": unknown SASL mechanism "AWS_MSK_IAM" (want PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512) (not imported)`},
	}
	if !reflect.DeepEqual(cfg, want) {
		t.Errorf("got  %+v\nwant %+v", cfg, want)
	}
}

func TestKafImportOnlyWithoutKscopeConfig(t *testing.T) {
	home := t.TempDir()
	writeKaf(t, home, "clusters:\n- name: k\n  brokers: [k:1]\n")
	path := writeConfig(t, "contexts:\n  - name: a\n    brokers: [a:1]\n")
	for _, explicit := range []bool{false, true} {
		cfg, err := Load(path, explicit, fakeEnv(map[string]string{"HOME": home}), checkTheme)
		if err != nil || len(cfg.Contexts) != 1 || cfg.Contexts[0].Name != "a" {
			t.Errorf("explicit=%v: %+v, %v", explicit, cfg, err)
		}
	}
	missing := filepath.Join(home, "missing.yaml")
	if _, err := Load(missing, true, fakeEnv(map[string]string{"HOME": home}), checkTheme); err == nil {
		t.Error("a missing --config file fell back to kaf")
	}
}

func TestKafImportBrokenFileIsAWarning(t *testing.T) {
	home := t.TempDir()
	kafPath := writeKaf(t, home, "clusters:\n- name: k\n  brokers: [k:1\n")
	cfg, err := Load(filepath.Join(home, "config.yaml"), false, fakeEnv(map[string]string{"HOME": home}), checkTheme)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"kaf clusters not imported: " + kafPath + ":4:1: did not find expected ',' or ']' (while parsing a flow sequence that starts at 3:12)"}
	if len(cfg.Contexts) != 0 || !reflect.DeepEqual(cfg.Warnings, want) {
		t.Errorf("got %+v\nwant warnings %q", cfg, want)
	}
}
