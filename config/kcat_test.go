package config

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"kscope/kafkaclient"
)

// applied parses pairs and lays them over an empty context, the way -X
// alone reaches a connection.
func applied(t *testing.T, pairs []string) (Context, error) {
	t.Helper()
	p, err := ParseProps(pairs)
	if err != nil {
		t.Fatalf("%v: %v", pairs, err)
	}
	return p.Apply(Context{Name: "c"})
}

func TestPropsKeys(t *testing.T) {
	for _, tc := range []struct {
		name  string
		pairs []string
		want  Context
	}{
		{"bootstrap.servers", []string{"bootstrap.servers=a:1,b:2"}, Context{Brokers: []string{"a:1", "b:2"}}},
		{"metadata.broker.list", []string{"metadata.broker.list=a:1, b:2"}, Context{Brokers: []string{"a:1", "b:2"}}},
		{"client.id", []string{"client.id=me"}, Context{ClientID: "me"}},
		{"sasl.mechanism", []string{"sasl.mechanism=scram-sha-256", "sasl.username=u", "sasl.password=p"},
			Context{SASL: &SASLSource{Mechanism: "SCRAM-SHA-256", Username: "u", Password: "p"}}},
		{"sasl.mechanisms", []string{"sasl.mechanisms=SCRAM-SHA-512", "sasl.username=u", "sasl.password=p"},
			Context{SASL: &SASLSource{Mechanism: "SCRAM-SHA-512", Username: "u", Password: "p"}}},
		{"sasl.username and sasl.password", []string{"security.protocol=SASL_PLAINTEXT", "sasl.username=u", "sasl.password=p=w"},
			Context{SASL: &SASLSource{Mechanism: "PLAIN", Username: "u", Password: "p=w"}}},
		{"ssl.ca.location", []string{"security.protocol=ssl", "ssl.ca.location=/ca.pem"},
			Context{TLS: &kafkaclient.TLS{CAFile: "/ca.pem"}}},
		{"client certificate", []string{"ssl.certificate.location=/c.pem", "ssl.key.location=/k.pem"},
			Context{TLS: &kafkaclient.TLS{CertFile: "/c.pem", KeyFile: "/k.pem"}}},
		{"verification off", []string{"enable.ssl.certificate.verification=false"},
			Context{TLS: &kafkaclient.TLS{InsecureSkipVerify: true}}},
		{"verification on", []string{"enable.ssl.certificate.verification=true"},
			Context{TLS: &kafkaclient.TLS{}}},
		{"later wins", []string{"client.id=a", "client.id=b"}, Context{ClientID: "b"}},
		{"spaces around", []string{" client.id = me "}, Context{ClientID: "me"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := applied(t, tc.pairs)
			if err != nil {
				t.Fatal(err)
			}
			tc.want.Name = "c"
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got  %+v %+v %+v\nwant %+v %+v %+v", got, got.SASL, got.TLS, tc.want, tc.want.SASL, tc.want.TLS)
			}
		})
	}
	p, err := ParseProps([]string{"bootstrap.servers=a:1 b:2"})
	if err != nil || !reflect.DeepEqual(p.Brokers, []string{"a:1", "b:2"}) {
		t.Errorf("Brokers = %v, %v", p.Brokers, err)
	}
}

func TestPropsProtocol(t *testing.T) {
	for _, tc := range []struct {
		pairs     []string
		sasl, tls bool
	}{
		{[]string{"security.protocol=PLAINTEXT"}, false, false},
		{[]string{"security.protocol=SSL"}, false, true},
		{[]string{"security.protocol=SASL_PLAINTEXT", "sasl.username=u", "sasl.password=p"}, true, false},
		{[]string{"security.protocol=sasl_ssl", "sasl.username=u", "sasl.password=p"}, true, true},
		{[]string{"sasl.username=u", "sasl.password=p"}, true, false},
		{[]string{"ssl.ca.location=/ca.pem"}, false, true},
		{[]string{"sasl.username=u", "sasl.password=p", "ssl.ca.location=/ca.pem"}, true, true},
		{[]string{"client.id=x"}, false, false},
	} {
		c, err := applied(t, tc.pairs)
		if err != nil {
			t.Errorf("%v: Apply: %v", tc.pairs, err)
			continue
		}
		if (c.SASL != nil) != tc.sasl || (c.TLS != nil) != tc.tls {
			t.Errorf("%v: SASL %v TLS %v, want SASL %v TLS %v", tc.pairs, c.SASL != nil, c.TLS != nil, tc.sasl, tc.tls)
		}
	}
}

func TestPropsErrors(t *testing.T) {
	for _, tc := range []struct {
		pairs []string
		want  string
	}{
		{[]string{"sasl.pasword=hunter2"}, `unknown property "sasl.pasword" (kscope knows bootstrap.servers, metadata.broker.list, client.id, security.protocol, ` +
			`sasl.mechanism, sasl.mechanisms, sasl.username, sasl.password, ` +
			`ssl.ca.location, ssl.certificate.location, ssl.key.location, enable.ssl.certificate.verification, ` +
			`schema.registry.url, schema.registry.basic.auth.user.info, schema.registry.ssl.ca.location)`},
		{[]string{"client.id"}, `property "client.id" has no '=' (want key=value)`},
		{[]string{"sasl.password:hunter2"}, `property "sasl.password"… (rest redacted) has no '=' (want key=value)`},
		{[]string{"security.protocol=TLS"}, `security.protocol "TLS" is not one of PLAINTEXT, SSL, SASL_PLAINTEXT, SASL_SSL`},
		{[]string{"sasl.mechanism=GSSAPI"}, `unknown SASL mechanism "GSSAPI" (want PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512)`},
		{[]string{"enable.ssl.certificate.verification=maybe"}, `enable.ssl.certificate.verification "maybe" is not true or false`},
		{[]string{"bootstrap.servers=a:1,kafka"}, `bootstrap.servers: broker "kafka" has no port (want host:port)`},
		{[]string{"bootstrap.servers=:::"}, `bootstrap.servers: broker ":::" is not host:port (an IPv6 address goes in brackets: [::1]:9092)`},
	} {
		_, err := ParseProps(tc.pairs)
		if err == nil || err.Error() != tc.want {
			t.Errorf("%v:\n got  %v\n want %s", tc.pairs, err, tc.want)
		}
	}
}

func TestPropsApplyErrors(t *testing.T) {
	for _, tc := range []struct {
		pairs []string
		want  string
	}{
		{[]string{"security.protocol=SASL_SSL"}, `context "c" with security.protocol SASL_SSL needs sasl.username`},
		{[]string{"sasl.password=hunter2"}, `context "c" with security.protocol SASL_PLAINTEXT needs sasl.username`},
		{[]string{"security.protocol=SSL", "sasl.username=u", "sasl.password=hunter2"},
			"sasl.username is set, but security.protocol SSL does not use SASL (SASL_SSL does)"},
		{[]string{"security.protocol=PLAINTEXT", "sasl.password=hunter2"},
			"sasl.password is set, but security.protocol PLAINTEXT does not use SASL (SASL_PLAINTEXT does)"},
		{[]string{"security.protocol=SASL_PLAINTEXT", "sasl.username=u", "ssl.ca.location=/ca.pem"},
			"ssl.ca.location is set, but security.protocol SASL_PLAINTEXT does not use TLS (SASL_SSL does)"},
		{[]string{"ssl.certificate.location=/c.pem"}, "ssl.certificate.location needs ssl.key.location"},
		{[]string{"ssl.key.location=/k.pem"}, "ssl.key.location needs ssl.certificate.location"},
		{[]string{"sasl.username=u"}, `context "c" with security.protocol SASL_PLAINTEXT needs sasl.password (or a password source in the config file)`},
	} {
		if _, err := applied(t, tc.pairs); err == nil || err.Error() != tc.want {
			t.Errorf("%v:\n got  %v\n want %s", tc.pairs, err, tc.want)
		}
	}
}

func TestPropsErrorsNeverShowPassword(t *testing.T) {
	for _, pairs := range [][]string{
		{"sasl.password:hunter2"},
		{"sasl.password hunter2"},
		{"SASL.PASSWORD:hunter2"},
		{"sasl.pasword=hunter2"},
		{"sasl.password=hunter2", "security.protocol=bogus"},
		{"sasl.password=hunter2", "sasl.mechanism=bogus"},
		{"sasl.password=hunter2"},
		{"security.protocol=SSL", "sasl.password=hunter2"},
		{"security.protocol=SASL_SSL", "sasl.password=hunter2", "ssl.certificate.location=/c"},
	} {
		var msgs []string
		p, err := ParseProps(pairs)
		if err != nil {
			msgs = append(msgs, err.Error())
		} else if _, err := p.Apply(Context{Name: "c"}); err != nil {
			msgs = append(msgs, err.Error())
		}
		if len(msgs) == 0 {
			t.Errorf("%v: no error", pairs)
		}
		for _, m := range msgs {
			if strings.Contains(m, "hunter2") {
				t.Errorf("%v: error %q shows the password", pairs, m)
			}
		}
	}
}

func TestPropsApplyOverContext(t *testing.T) {
	base := Context{
		Name: "staging", Brokers: []string{"s:9093"}, ClientID: "ops",
		SASL: &SASLSource{Mechanism: "SCRAM-SHA-512", Username: "ops", PasswordCommand: "pass show kafka"},
		TLS:  &kafkaclient.TLS{CAFile: "/ca.pem", ServerName: "kafka.internal"},
	}
	for _, tc := range []struct {
		name  string
		pairs []string
		want  func(c *Context)
	}{
		{"nothing", nil, func(c *Context) {}},
		{"brokers and client id", []string{"bootstrap.servers=x:1", "client.id=me"}, func(c *Context) {
			c.Brokers, c.ClientID = []string{"x:1"}, "me"
		}},
		{"password replaces its source", []string{"sasl.password=p"}, func(c *Context) {
			c.SASL = &SASLSource{Mechanism: "SCRAM-SHA-512", Username: "ops", Password: "p"}
		}},
		{"username keeps the source", []string{"sasl.username=other"}, func(c *Context) {
			c.SASL = &SASLSource{Mechanism: "SCRAM-SHA-512", Username: "other", PasswordCommand: "pass show kafka"}
		}},
		{"ssl field over the context's", []string{"enable.ssl.certificate.verification=false"}, func(c *Context) {
			c.TLS = &kafkaclient.TLS{CAFile: "/ca.pem", ServerName: "kafka.internal", InsecureSkipVerify: true}
		}},
		{"PLAINTEXT turns both off", []string{"security.protocol=PLAINTEXT"}, func(c *Context) {
			c.SASL, c.TLS = nil, nil
		}},
		{"SSL turns SASL off", []string{"security.protocol=SSL"}, func(c *Context) { c.SASL = nil }},
		{"SASL_PLAINTEXT turns TLS off", []string{"security.protocol=SASL_PLAINTEXT"}, func(c *Context) { c.TLS = nil }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, err := ParseProps(tc.pairs)
			if err != nil {
				t.Fatal(err)
			}
			got, err := p.Apply(base)
			if err != nil {
				t.Fatal(err)
			}
			want := base
			want.SASL, want.TLS = new(*base.SASL), new(*base.TLS)
			tc.want(&want)
			if !reflect.DeepEqual(got, want) {
				t.Errorf("got  %+v %+v %+v\nwant %+v %+v %+v", got, got.SASL, got.TLS, want, want.SASL, want.TLS)
			}
		})
	}
	if base.SASL.PasswordCommand != "pass show kafka" || base.TLS.InsecureSkipVerify {
		t.Errorf("Apply changed the context it was given: %+v %+v", base.SASL, base.TLS)
	}
	p, _ := ParseProps([]string{"security.protocol=SASL_SSL"})
	if _, err := p.Apply(Context{Name: "plain"}); err == nil || err.Error() != `context "plain" with security.protocol SASL_SSL needs sasl.username` {
		t.Errorf("SASL over a context without it: %v", err)
	}
}

func TestReadPropsFile(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "kcat.conf")
	content := "# kcat settings\n\nsecurity.protocol=SASL_SSL\n  sasl.mechanisms = SCRAM-SHA-256\n   # indented comment\nsasl.username=u\nsasl.password=pa#ss=word\n"
	if err := os.WriteFile(good, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	pairs, err := ReadPropsFile(good)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"security.protocol=SASL_SSL", "sasl.mechanisms = SCRAM-SHA-256", "sasl.username=u", "sasl.password=pa#ss=word"}
	if !reflect.DeepEqual(pairs, want) {
		t.Errorf("got %q, want %q", pairs, want)
	}
	c, err := applied(t, pairs)
	if err != nil {
		t.Fatal(err)
	}
	if want := (SASLSource{Mechanism: "SCRAM-SHA-256", Username: "u", Password: "pa#ss=word"}); *c.SASL != want {
		t.Errorf("SASL = %+v, want %+v", *c.SASL, want)
	}

	bad := filepath.Join(dir, "bad.conf")
	if err := os.WriteFile(bad, []byte("# ok\nclient.id=x\nsasl.password hunter2\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err = ReadPropsFile(bad)
	if err == nil || err.Error() != bad+":3: want key=value" {
		t.Errorf("bad line: %v", err)
	}

	if _, err := ReadPropsFile(filepath.Join(dir, "nope.conf")); err == nil || !strings.Contains(err.Error(), "nope.conf") {
		t.Errorf("missing file: %v", err)
	}
}
