package config

import (
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"kscope/kafkaclient"
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

// checkTheme stands for the caller's themes: only dark and light exist.
func checkTheme(name string) error {
	if name == "dark" || name == "light" {
		return nil
	}
	return fmt.Errorf("unknown theme %q (known: dark, light)", name)
}

func TestLoadFullFile(t *testing.T) {
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
	cfg, err := Load(path, true, fakeEnv(map[string]string{"HOME": home}), checkTheme)
	if err != nil {
		t.Fatal(err)
	}
	want := &File{
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

func TestLoadErrors(t *testing.T) {
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
			`4:12: unknown theme "neon" (known: dark, light)`},
		{"bad kafka version", ctx + "    kafkaVersion: 3.6\n",
			`4:19: kafkaVersion: kafka version "3.6" is not a version such as 3.7.0`},
		{"bad indentation", ctx + "   clientID: x\n",
			"4:4: did not find expected '-' indicator (while parsing a block collection that starts at 2:3)"},
		{"unclosed bracket", "contexts:\n  - name: a\n    brokers: [a:1, b:2\n  - name: b\n",
			"4:9: did not find expected ',' or ']' (while parsing a flow sequence that starts at 3:14)"},
		{"tab indentation", "contexts:\n  - name: a\n\tbrokers: [a:1]\n",
			"3:1: found a tab character that violates indentation (while scanning a plain scalar that starts at 2:11)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := writeConfig(t, tc.yaml)
			cfg, err := Load(path, true, fakeEnv(nil), checkTheme)
			if err == nil {
				// A mistake inside a context leaves the file readable and
				// that context unusable, for the same reason.
				for _, c := range cfg.Contexts {
					if err = c.Unusable; err != nil {
						if _, ferr := cfg.Find(c.Name); ferr == nil || !strings.Contains(ferr.Error(), "cannot be used") {
							t.Errorf("Find(%q) = %v, want it refused", c.Name, ferr)
						}
						break
					}
				}
			}
			if err == nil {
				t.Fatal("no error")
			}
			if want := path + ":" + tc.want; err.Error() != want {
				t.Errorf("got  %v\nwant %s", err, want)
			}
		})
	}
}

func TestOneBadContextLeavesTheOthersUsable(t *testing.T) {
	path := writeConfig(t, `currentContext: good
contexts:
  - name: kerberos
    brokers: [k:1]
    sasl: {mechanism: GSSAPI, username: u, password: p}
  - name: good
    brokers: [g:1]
  - name: nopass
    brokers: [n:1]
    sasl: {username: u}
`)
	cfg, err := Load(path, true, fakeEnv(nil), checkTheme)
	if err != nil {
		t.Fatal(err)
	}
	if c, err := cfg.Find("good"); err != nil || c.Brokers[0] != "g:1" {
		t.Errorf("good: %+v, %v", c, err)
	}
	for _, name := range []string{"kerberos", "nopass"} {
		if _, err := cfg.Find(name); err == nil || !strings.Contains(err.Error(), "cannot be used") {
			t.Errorf("%s: %v", name, err)
		}
	}
	if len(cfg.Warnings) != 2 || !strings.Contains(cfg.Warnings[0], `context "kerberos" cannot be used`) || !strings.Contains(cfg.Warnings[0], "GSSAPI") {
		t.Errorf("warnings %q", cfg.Warnings)
	}
}

func TestErrorsListAFewNamesOnly(t *testing.T) {
	var b strings.Builder
	b.WriteString("contexts:\n")
	for i := range 50 {
		fmt.Fprintf(&b, "  - {name: c%d, brokers: [a:1]}\n", i)
	}
	cfg, err := Load(writeConfig(t, b.String()), true, fakeEnv(nil), checkTheme)
	if err != nil {
		t.Fatal(err)
	}
	_, err = cfg.Find("nosuch")
	if err == nil || !strings.HasSuffix(err.Error(), "c9, … and 40 more)") {
		t.Errorf("error %v", err)
	}
}

func TestLoadUnknownKeysStopIt(t *testing.T) {
	for _, tc := range []struct{ body, want string }{
		{"currentContext: a\ndefaults: {}\n", `:2:1: unknown key "defaults"; known here: contexts, currentContext`},
		{"contexts:\n  - name: a\n    brokers: [a:1]\n    readonly: true\n", `:4:5: unknown key "readonly"; did you mean "readOnly"?`},
		{"contexts:\n  - name: a\n    brokers: [a:1]\n    clientId: x\n", `:4:5: unknown key "clientId"; did you mean "clientID"?`},
		{"contexts:\n  - name: a\n    brokers: [a:1]\n    sasl:\n      username: u\n      passwrd: p\n", `:6:7: unknown key "sasl.passwrd"; did you mean "sasl.password"?`},
	} {
		path := writeConfig(t, tc.body)
		_, err := Load(path, true, fakeEnv(nil), checkTheme)
		if err == nil || err.Error() != path+tc.want {
			t.Errorf("got  %v\nwant %s", err, path+tc.want)
		}
	}
}

func TestLoadWarnsOfIgnoredTLS(t *testing.T) {
	path := writeConfig(t, `contexts:
  - name: a
    brokers: [a:1]
    tls:
      caFile: ca.pem
`)
	cfg, err := Load(path, true, fakeEnv(nil), checkTheme)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{path + `:5:7: tls settings ignored: tls.enabled is not true`}
	if !reflect.DeepEqual(cfg.Warnings, want) || cfg.Contexts[0].TLS != nil {
		t.Errorf("warnings %q, context %+v", cfg.Warnings, cfg.Contexts[0])
	}
}

func TestLoadAliasesShareBlocks(t *testing.T) {
	path := writeConfig(t, `contexts:
  - name: a
    brokers: &brokers [a:1]
    sasl: &sasl {username: u, passwordEnv: PW}
  - name: b
    brokers: *brokers
    sasl: *sasl
`)
	cfg, err := Load(path, true, fakeEnv(nil), checkTheme)
	if err != nil {
		t.Fatal(err)
	}
	if b := cfg.Contexts[1]; b.Brokers[0] != "a:1" || b.SASL.PasswordEnv != "PW" {
		t.Errorf("context b = %+v", b)
	}
}

func TestLoadMissingFile(t *testing.T) {
	home := t.TempDir()
	path := filepath.Join(home, "nope.yaml")
	cfg, err := Load(path, false, fakeEnv(map[string]string{"HOME": home}), checkTheme)
	if err != nil || cfg.Path != path || len(cfg.Contexts) != 0 || len(cfg.Warnings) != 0 {
		t.Errorf("missing default file: %+v, %v", cfg, err)
	}
	_, err = Load(path, true, fakeEnv(map[string]string{"HOME": home}), checkTheme)
	if err == nil || err.Error() != "config file "+path+" does not exist" {
		t.Errorf("missing explicit file: %v", err)
	}
	empty := writeConfig(t, "# nothing yet\n")
	if cfg, err := Load(empty, true, fakeEnv(nil), checkTheme); err != nil || len(cfg.Contexts) != 0 {
		t.Errorf("empty file: %+v, %v", cfg, err)
	}
}

func TestAHugeConfigFileIsRefused(t *testing.T) {
	path := writeConfig(t, "contexts:\n"+strings.Repeat("  - {name: c, brokers: [a:1]}\n", 40_000))
	_, err := Load(path, true, fakeEnv(nil), checkTheme)
	if err == nil || err.Error() != "reading config: "+path+" is larger than 1 MiB: is it the right config file?" {
		t.Errorf("error %v", err)
	}
}
