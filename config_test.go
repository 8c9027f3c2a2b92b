package main

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"kscope/kafkaclient"
	"kscope/themes"
)

// fakeEnv is a getenv over vars only, so tests never see the real environment.
func fakeEnv(vars map[string]string) func(string) string {
	return func(k string) string { return vars[k] }
}

// writeConfig writes a config.yaml into a fresh directory and returns its path.
func writeConfig(t *testing.T, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "config.yaml")
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestConfigFullFile(t *testing.T) {
	home := t.TempDir()
	path := writeConfig(t, `currentContext: staging
contexts:
  - name: staging
    brokers: [kafka-1.staging:9093, kafka-2.staging:9093]
    clientID: kscope-ops
    kafkaVersion: "3.6.0"
    readOnly: true
    theme: light
    sasl:
      mechanism: scram-sha-512
      username: ops
      passwordFile: ~/.secrets/kafka
    tls:
      enabled: true
      caFile: ~/certs/ca.pem
      certFile: certs/client.pem
      keyFile: /etc/kafka/client-key.pem
      serverName: kafka.staging.internal
      insecureSkipVerify: false
  - name: local
    brokers:
      - localhost:9092
    tls:
      enabled: false
      caFile: ignored.pem
`)
	cfg, err := LoadConfig(path, true, fakeEnv(map[string]string{"HOME": home}))
	if err != nil {
		t.Fatal(err)
	}
	want := &Config{
		Path:    path,
		Current: "staging",
		Contexts: []Context{
			{
				Name:         "staging",
				Source:       path,
				Brokers:      []string{"kafka-1.staging:9093", "kafka-2.staging:9093"},
				ClientID:     "kscope-ops",
				KafkaVersion: "3.6.0",
				Theme:        "light",
				ReadOnly:     true,
				SASL:         &SASLSource{Mechanism: "SCRAM-SHA-512", Username: "ops", PasswordFile: filepath.Join(home, ".secrets/kafka")},
				TLS: &kafkaclient.TLS{
					CAFile:     filepath.Join(home, "certs/ca.pem"),
					CertFile:   filepath.Join(filepath.Dir(path), "certs/client.pem"),
					KeyFile:    "/etc/kafka/client-key.pem",
					ServerName: "kafka.staging.internal",
				},
			},
			{Name: "local", Source: path, Brokers: []string{"localhost:9092"}},
		},
	}
	if !reflect.DeepEqual(cfg, want) {
		t.Errorf("got  %+v\nwant %+v", cfg, want)
	}
}

func TestConfigErrors(t *testing.T) {
	const ctx = "contexts:\n  - name: a\n    brokers: [a:1]\n"
	for _, tc := range []struct {
		name, yaml, want string
	}{
		{"brokers not a list", "contexts:\n  - name: a\n    clientID: x\n    brokers: 5\n",
			"4:14: brokers must be a list of host:port"},
		{"broker not a string", "contexts:\n  - name: a\n    brokers: [a:1, [b:2]]\n",
			"3:20: brokers must be a list of host:port"},
		{"context without name", "contexts:\n  - brokers: [a:1]\n",
			"2:5: context has no name"},
		{"duplicate names", ctx + "  - name: a\n    brokers: [b:1]\n",
			`4:11: context "a" defined twice (first at 2:11)`},
		{"no brokers", "contexts:\n  - name: a\n    clientID: x\n",
			`2:5: context "a" has no brokers`},
		{"empty brokers", "contexts:\n  - name: a\n    brokers: []\n",
			`3:14: context "a" has no brokers`},
		{"broker without port", "contexts:\n  - name: a\n    brokers: [a:1, kafka-2]\n",
			`3:20: broker "kafka-2" has no port (want host:port)`},
		{"broker with bad port", "contexts:\n  - name: a\n    brokers: [a:x]\n",
			`3:15: broker "a:x": port "x" is not a number from 1 to 65535`},
		{"unknown mechanism", ctx + "    sasl:\n      mechanism: GSSAPI\n      username: u\n      password: p\n",
			`5:18: unknown SASL mechanism "GSSAPI" (want PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512)`},
		{"two password sources", ctx + "    sasl:\n      username: u\n      passwordEnv: PW\n      passwordCommand: pass show x\n",
			"7:24: sasl.passwordEnv and sasl.passwordCommand both give the password; keep one"},
		{"no password source", ctx + "    sasl:\n      username: u\n",
			"5:7: sasl needs a password: one of password, passwordFile, passwordEnv or passwordCommand"},
		{"no username", ctx + "    sasl:\n      password: p\n",
			"5:7: sasl needs a username"},
		{"certFile without keyFile", ctx + "    tls:\n      enabled: true\n      certFile: c.pem\n",
			"6:17: tls.certFile needs tls.keyFile"},
		{"keyFile without certFile", ctx + "    tls:\n      keyFile: k.pem\n",
			"5:16: tls.keyFile needs tls.certFile"},
		{"unknown current context", "currentContext: prod\n" + ctx + "  - name: b\n    brokers: [b:1]\n",
			`1:17: currentContext "prod" names no context (known: a, b)`},
		{"current context without contexts", "currentContext: prod\n",
			`1:17: currentContext "prod" names no context: there are none`},
		{"readOnly not a bool", ctx + "    readOnly: yes please\n",
			"4:15: readOnly must be true or false"},
		{"name not a string", "contexts:\n  - name: [a]\n    brokers: [a:1]\n",
			"2:11: name must be a string"},
		{"sasl not a mapping", ctx + "    sasl: PLAIN\n",
			"4:11: sasl must be a mapping"},
		{"contexts not a list", "contexts: staging\n",
			"1:11: contexts must be a list of contexts"},
		{"top level not a mapping", "- a\n",
			"1:1: the config must be a mapping"},
		{"duplicate key", ctx + "    brokers: [b:1]\n",
			"4:5: brokers given twice (first at 3:5)"},
		{"unknown theme", ctx + "    theme: neon\n",
			`4:12: unknown theme "neon" (known: ` + strings.Join(themes.Names(), ", ") + ")"},
		{"bad kafka version", ctx + "    kafkaVersion: 3.6\n",
			`4:19: kafkaVersion "3.6" is not a Kafka version (want e.g. 3.6.0)`},
		{"bad indentation", ctx + "   clientID: x\n",
			"4:4: did not find expected '-' indicator (while parsing a block collection that starts at 2:3)"},
		{"unclosed bracket", "contexts:\n  - name: a\n    brokers: [a:1, b:2\n  - name: b\n",
			"4:9: did not find expected ',' or ']' (while parsing a flow sequence that starts at 3:14)"},
		{"tab indentation", "contexts:\n  - name: a\n\tbrokers: [a:1]\n",
			"3:1: found a tab character that violates indentation (while scanning a plain scalar that starts at 2:11)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := writeConfig(t, tc.yaml)
			_, err := LoadConfig(path, true, fakeEnv(nil))
			if err == nil {
				t.Fatal("no error")
			}
			if want := path + ":" + tc.want; err.Error() != want {
				t.Errorf("got  %v\nwant %s", err, want)
			}
		})
	}
}

func TestConfigUnknownKeysAreWarnings(t *testing.T) {
	path := writeConfig(t, `currentContext: a
defaults: {}
contexts:
  - name: a
    brokers: [a:1]
    clientId: x
    sasl:
      username: u
      passwrd: p
      password: p
    tls:
      caFile: ca.pem
`)
	cfg, err := LoadConfig(path, true, fakeEnv(nil))
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		path + `:2:1: unknown key "defaults" (ignored)`,
		path + `:6:5: unknown key "clientId" (ignored; did you mean "clientID"?)`,
		path + `:9:7: unknown key "sasl.passwrd" (ignored)`,
		path + `:12:7: tls settings ignored: tls.enabled is not true`,
	}
	if !reflect.DeepEqual(cfg.Warnings, want) {
		t.Errorf("warnings:\n got  %q\n want %q", cfg.Warnings, want)
	}
	if len(cfg.Contexts) != 1 || cfg.Contexts[0].ClientID != "" || cfg.Contexts[0].TLS != nil {
		t.Errorf("contexts = %+v", cfg.Contexts)
	}
}

func TestConfigAliasesShareBlocks(t *testing.T) {
	path := writeConfig(t, `contexts:
  - name: a
    brokers: &brokers [a:1]
    sasl: &sasl {username: u, passwordEnv: PW}
  - name: b
    brokers: *brokers
    sasl: *sasl
`)
	cfg, err := LoadConfig(path, true, fakeEnv(nil))
	if err != nil {
		t.Fatal(err)
	}
	if b := cfg.Contexts[1]; b.Brokers[0] != "a:1" || b.SASL.PasswordEnv != "PW" {
		t.Errorf("context b = %+v", b)
	}
}

func TestConfigPasswordSources(t *testing.T) {
	dir := t.TempDir()
	pwFile := filepath.Join(dir, "pw")
	if err := os.WriteFile(pwFile, []byte("from-file\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	env := fakeEnv(map[string]string{"KAFKA_PW": "from-env"})
	for _, tc := range []struct {
		name    string
		src     SASLSource
		want    string
		wantErr string
	}{
		{"inline", SASLSource{Password: "inline"}, "inline", ""},
		{"file", SASLSource{PasswordFile: pwFile}, "from-file", ""},
		{"missing file", SASLSource{PasswordFile: filepath.Join(dir, "nope")}, "", "SASL password file: open " + filepath.Join(dir, "nope")},
		{"env", SASLSource{PasswordEnv: "KAFKA_PW"}, "from-env", ""},
		{"unset env", SASLSource{PasswordEnv: "OTHER"}, "", "SASL password: environment variable OTHER is not set"},
		{"command", SASLSource{PasswordCommand: "printf secret"}, "secret", ""},
		{"command with newline", SASLSource{PasswordCommand: "echo secret"}, "secret", ""},
		{"silent command", SASLSource{PasswordCommand: "true"}, "", `SASL password command "true" printed nothing`},
		{"failing command", SASLSource{PasswordCommand: "printf hunter2; echo locked >&2; exit 3"}, "",
			`SASL password command "printf hunter2; echo locked >&2; exit 3": exit status 3: locked`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.src.Mechanism, tc.src.Username = "PLAIN", "u"
			got, err := tc.src.Resolve(env)
			if tc.wantErr != "" {
				if err == nil || !strings.HasPrefix(err.Error(), tc.wantErr) {
					t.Fatalf("error %v, want one starting %q", err, tc.wantErr)
				}
				if strings.Contains(strings.ReplaceAll(err.Error(), tc.src.PasswordCommand, ""), "hunter2") {
					t.Errorf("error %q shows the command's output", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if want := (&kafkaclient.SASL{Mechanism: "PLAIN", Username: "u", Password: tc.want}); *got != *want {
				t.Errorf("got %+v, want %+v", got, want)
			}
		})
	}
}

func TestConfigPasswordCommandTimeout(t *testing.T) {
	old := passwordCommandTimeout
	passwordCommandTimeout = 100 * time.Millisecond
	t.Cleanup(func() { passwordCommandTimeout = old })
	start := time.Now()
	_, err := (&SASLSource{PasswordCommand: "exec sleep 5"}).Resolve(fakeEnv(nil))
	if err == nil || !strings.Contains(err.Error(), "no answer within 100ms") {
		t.Errorf("error %v, want a timeout", err)
	}
	if d := time.Since(start); d > 3*time.Second {
		t.Errorf("took %s", d)
	}
}

func TestConfigLabelHidesPassword(t *testing.T) {
	for _, tc := range []struct {
		ctx  Context
		want string
	}{
		{Context{Name: "staging", SASL: &SASLSource{Mechanism: "SCRAM-SHA-512", Username: "ops", Password: "hunter2"}}, "staging (ops@SCRAM-SHA-512)"},
		{Context{Name: "dev", SASL: &SASLSource{Mechanism: "PLAIN", Username: "me", PasswordCommand: "printf hunter2"}}, "dev (me@PLAIN)"},
		{Context{Name: "local"}, "local"},
	} {
		if got := tc.ctx.Label(); got != tc.want || strings.Contains(got, "hunter2") {
			t.Errorf("Label() = %q, want %q", got, tc.want)
		}
	}
}

func TestConfigDefaultPath(t *testing.T) {
	for _, tc := range []struct {
		name    string
		env     map[string]string
		want    string
		wantErr bool
	}{
		{"XDG_CONFIG_HOME", map[string]string{"XDG_CONFIG_HOME": "/xdg", "HOME": "/home/u"}, "/xdg/kscope/config.yaml", false},
		{"relative XDG_CONFIG_HOME is ignored", map[string]string{"XDG_CONFIG_HOME": "xdg", "HOME": "/home/u"}, "/home/u/.config/kscope/config.yaml", false},
		{"HOME", map[string]string{"HOME": "/home/u"}, "/home/u/.config/kscope/config.yaml", false},
		{"neither", nil, "", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := DefaultConfigPath(fakeEnv(tc.env))
			if (err != nil) != tc.wantErr || got != tc.want {
				t.Errorf("got %q, %v; want %q (error: %v)", got, err, tc.want, tc.wantErr)
			}
		})
	}
}

func TestConfigMissingFile(t *testing.T) {
	home := t.TempDir()
	path := filepath.Join(home, "nope.yaml")
	cfg, err := LoadConfig(path, false, fakeEnv(map[string]string{"HOME": home}))
	if err != nil || cfg.Path != path || len(cfg.Contexts) != 0 || len(cfg.Warnings) != 0 {
		t.Errorf("missing default file: %+v, %v", cfg, err)
	}
	_, err = LoadConfig(path, true, fakeEnv(map[string]string{"HOME": home}))
	if err == nil || err.Error() != "config file "+path+" does not exist" {
		t.Errorf("missing explicit file: %v", err)
	}
	empty := writeConfig(t, "# nothing yet\n")
	if cfg, err := LoadConfig(empty, true, fakeEnv(nil)); err != nil || len(cfg.Contexts) != 0 {
		t.Errorf("empty file: %+v, %v", cfg, err)
	}
}

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
	cfg, err := LoadConfig(path, false, fakeEnv(map[string]string{"HOME": home}))
	if err != nil {
		t.Fatal(err)
	}
	want := &Config{
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
		cfg, err := LoadConfig(path, explicit, fakeEnv(map[string]string{"HOME": home}))
		if err != nil || len(cfg.Contexts) != 1 || cfg.Contexts[0].Name != "a" {
			t.Errorf("explicit=%v: %+v, %v", explicit, cfg, err)
		}
	}
	missing := filepath.Join(home, "missing.yaml")
	if _, err := LoadConfig(missing, true, fakeEnv(map[string]string{"HOME": home})); err == nil {
		t.Error("a missing --config file fell back to kaf")
	}
}

func TestKafImportBrokenFileIsAWarning(t *testing.T) {
	home := t.TempDir()
	kafPath := writeKaf(t, home, "clusters:\n- name: k\n  brokers: [k:1\n")
	cfg, err := LoadConfig(filepath.Join(home, "config.yaml"), false, fakeEnv(map[string]string{"HOME": home}))
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"kaf clusters not imported: " + kafPath + ":4:1: did not find expected ',' or ']' (while parsing a flow sequence that starts at 3:12)"}
	if len(cfg.Contexts) != 0 || !reflect.DeepEqual(cfg.Warnings, want) {
		t.Errorf("got %+v\nwant warnings %q", cfg, want)
	}
}

func TestConfigFind(t *testing.T) {
	cfg := &Config{Path: "/c.yaml", Contexts: []Context{{Name: "dev"}, {Name: "staging"}}}
	if c, err := cfg.Find("staging"); err != nil || c.Name != "staging" {
		t.Errorf("Find(staging) = %+v, %v", c, err)
	}
	if _, err := cfg.Find("prod"); err == nil || err.Error() != `no context "prod" (known: dev, staging)` {
		t.Errorf("Find(prod) error = %v", err)
	}
	empty := &Config{Path: "/c.yaml"}
	if _, err := empty.Find("prod"); err == nil || err.Error() != `no context "prod": /c.yaml defines no contexts` {
		t.Errorf("Find on empty config error = %v", err)
	}
}
