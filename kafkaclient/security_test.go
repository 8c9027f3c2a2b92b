package kafkaclient

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"io"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/IBM/sarama"
	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// securityTimeout bounds every Connect of these tests.
const securityTimeout = 3 * time.Second

// testCA issues the certificates of a test: the brokers' and the clients'.
type testCA struct {
	cert *x509.Certificate
	key  *ecdsa.PrivateKey
	// file is the CA certificate as PEM, for Config.TLS.CAFile.
	file string
	dir  string
}

func newTestCA(t *testing.T) *testCA {
	t.Helper()
	key := newKey(t)
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "kscope test CA"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(time.Hour),
		IsCA:                  true,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageCertSign,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	ca := &testCA{cert: cert, key: key, dir: t.TempDir()}
	ca.file = ca.write(t, "ca.pem", "CERTIFICATE", der)
	return ca
}

func newKey(t *testing.T) *ecdsa.PrivateKey {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return key
}

func (ca *testCA) write(t *testing.T, name, kind string, der []byte) string {
	t.Helper()
	file := filepath.Join(ca.dir, name)
	if err := os.WriteFile(file, pem.EncodeToMemory(&pem.Block{Type: kind, Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	return file
}

// issue signs a certificate valid until notAfter for 127.0.0.1 and localhost.
func (ca *testCA) issue(t *testing.T, usage x509.ExtKeyUsage, notAfter time.Time) ([]byte, *ecdsa.PrivateKey) {
	t.Helper()
	key := newKey(t)
	serial, err := rand.Int(rand.Reader, big.NewInt(1<<62))
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: serial,
		Subject:      pkix.Name{CommonName: "localhost"},
		DNSNames:     []string{"localhost"},
		IPAddresses:  []net.IP{net.IPv4(127, 0, 0, 1)},
		NotBefore:    notAfter.Add(-2 * time.Hour),
		NotAfter:     notAfter,
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{usage},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.cert, &key.PublicKey, ca.key)
	if err != nil {
		t.Fatal(err)
	}
	return der, key
}

// server is the brokers' side of TLS, with a certificate valid until notAfter.
func (ca *testCA) server(t *testing.T, notAfter time.Time) *tls.Config {
	t.Helper()
	der, key := ca.issue(t, x509.ExtKeyUsageServerAuth, notAfter)
	return &tls.Config{MinVersion: tls.VersionTLS12, Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key}}}
}

// client writes a client certificate and its key, and returns their files.
func (ca *testCA) client(t *testing.T) (certFile, keyFile string) {
	t.Helper()
	der, key := ca.issue(t, x509.ExtKeyUsageClientAuth, time.Now().Add(time.Hour))
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	return ca.write(t, "client.pem", "CERTIFICATE", der), ca.write(t, "client-key.pem", "PRIVATE KEY", keyDER)
}

// The users of the SASL clusters: alice under every mechanism, each with
// its own password.
var passwords = map[string]string{
	"PLAIN":         "plain-secret-1",
	"SCRAM-SHA-256": "scram256-secret-2",
	"SCRAM-SHA-512": "scram512-secret-3",
}

func saslUsers() []kfake.Opt {
	opts := []kfake.Opt{kfake.EnableSASL()}
	for mech, pass := range passwords {
		opts = append(opts, kfake.User(mech, "alice", pass))
	}
	return opts
}

func secureConfig(c *kfake.Cluster, s *SASL, t *TLS) Config {
	return Config{Brokers: c.ListenAddrs(), ConnectTimeout: securityTimeout, RefreshInterval: time.Hour, SASL: s, TLS: t}
}

// connectErr connects with cfg, expecting a failure within the connect
// timeout, and returns the text of the one broker's error.
func connectErr(t *testing.T, cfg Config) (string, error) {
	t.Helper()
	start := time.Now()
	cl, err := Connect(context.Background(), cfg)
	if err == nil {
		cl.Close()
		t.Fatal("connected")
	}
	if took := time.Since(start); took >= cfg.ConnectTimeout {
		t.Errorf("failed after %s, not within the connect timeout %s", took, cfg.ConnectTimeout)
	}
	var ce *ConnectError
	if !errors.As(err, &ce) || len(ce.Attempts) != 1 {
		t.Fatalf("want a ConnectError for one broker, got %v", err)
	}
	return ce.Attempts[0].Err.Error(), ce.Attempts[0].Err
}

func wantIn(t *testing.T, msg string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(msg, w) {
			t.Errorf("error %q does not say %q", msg, w)
		}
	}
}

func TestSASLMechanismsOverPlaintextAndTLS(t *testing.T) {
	t.Parallel()
	ca := newTestCA(t)
	var topics []string
	for mech := range passwords {
		topics = append(topics, strings.ToLower(mech))
	}
	clusters := map[string]*kfake.Cluster{
		"plaintext": newCluster(t, 1, append(saslUsers(), kfake.SeedTopics(1, topics...))...),
		"TLS":       newCluster(t, 1, append(saslUsers(), kfake.SeedTopics(1, topics...), kfake.TLS(ca.server(t, time.Now().Add(time.Hour))))...),
	}
	for transport, c := range clusters {
		for mech, pass := range passwords {
			t.Run(transport+"/"+mech, func(t *testing.T) {
				var tlsConf *TLS
				if transport == "TLS" {
					tlsConf = &TLS{CAFile: ca.file}
				}
				// The mechanism is matched whatever its case.
				cfg := secureConfig(c, &SASL{Mechanism: strings.ToLower(mech), Username: "alice", Password: pass}, tlsConf)
				topic := strings.ToLower(mech)
				produceSecure(t, cfg, topic, "hello over "+transport)

				cl, err := Connect(context.Background(), cfg)
				if err != nil {
					t.Fatal(err)
				}
				defer cl.Close()
				waitSnapshot(t, cl, func(s *Snapshot) bool { return s.Topic(topic) != nil })
				tl, err := cl.Tail(context.Background(), TailSpec{Topic: topic, From: From{Kind: FromEarliest}})
				if err != nil {
					t.Fatal(err)
				}
				defer tl.Close()
				recs, _, _ := collect(t, tl, 1, 10*time.Second)
				if got := string(recs[0].Value); got != "hello over "+transport {
					t.Errorf("read %q", got)
				}
			})
		}
	}
}

// produceSecure writes one record with a producer secured as cfg says.
func produceSecure(t *testing.T, cfg Config, topic, value string) {
	t.Helper()
	conf, err := cfg.withDefaults().sarama()
	if err != nil {
		t.Fatal(err)
	}
	conf.Producer.Return.Successes = true
	p, err := sarama.NewSyncProducer(cfg.Brokers, conf)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	if _, _, err := p.SendMessage(&sarama.ProducerMessage{Topic: topic, Value: sarama.StringEncoder(value)}); err != nil {
		t.Fatal(err)
	}
}

func TestSASLWrongPassword(t *testing.T) {
	t.Parallel()
	ca := newTestCA(t)
	plain := newCluster(t, 1, saslUsers()...)
	secure := newCluster(t, 1, append(saslUsers(), kfake.TLS(ca.server(t, time.Now().Add(time.Hour))))...)
	for _, mech := range []string{"PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"} {
		for _, c := range []struct {
			name    string
			cluster *kfake.Cluster
			tls     *TLS
		}{{"plaintext", plain, nil}, {"TLS", secure, &TLS{CAFile: ca.file}}} {
			t.Run(c.name+"/"+mech, func(t *testing.T) {
				const wrong = "not-the-password-42"
				msg, err := connectErr(t, secureConfig(c.cluster, &SASL{Mechanism: mech, Username: "alice", Password: wrong}, c.tls))
				wantIn(t, msg, "authentication failed for user alice with "+mech, "closed the connection during authentication")
				if first, _, _ := strings.Cut(msg, "\n"); !strings.HasPrefix(first, "authentication failed") {
					t.Errorf("the first line does not name authentication: %q", first)
				}
				if strings.Contains(msg, wrong) || strings.Contains(msg, passwords[mech]) {
					t.Errorf("error %q shows a password", msg)
				}
				if !errors.Is(err, io.EOF) {
					t.Errorf("explained error %q no longer wraps what the broker did", msg)
				}
			})
		}
	}
}

func TestSASLAuthenticationRefused(t *testing.T) {
	t.Parallel()
	// Kafka answers a failed authentication instead of hanging up as kfake
	// does; kfake is made to answer the same way.
	c := newCluster(t, 1, saslUsers()...)
	c.ControlKey(int16(kmsg.SASLAuthenticate), func(req kmsg.Request) (kmsg.Response, error, bool) {
		c.KeepControl()
		resp := req.ResponseKind().(*kmsg.SASLAuthenticateResponse)
		resp.Version = req.GetVersion()
		resp.ErrorCode = int16(sarama.ErrSASLAuthenticationFailed)
		why := "Authentication failed during authentication due to invalid credentials with SASL mechanism SCRAM-SHA-512"
		resp.ErrorMessage = &why
		return resp, nil, true
	})
	const wrong = "not-the-password-42"
	msg, err := connectErr(t, secureConfig(c, &SASL{Mechanism: "SCRAM-SHA-512", Username: "alice", Password: wrong}, nil))
	wantIn(t, msg, "authentication failed for user alice with SCRAM-SHA-512: ", "due to invalid credentials")
	if strings.Contains(msg, wrong) {
		t.Errorf("error %q shows the password", msg)
	}
	if !errors.Is(err, sarama.ErrSASLAuthenticationFailed) {
		t.Errorf("explained error %q no longer wraps the broker's answer", msg)
	}
}

func TestTLSCertificateProblems(t *testing.T) {
	t.Parallel()
	ca := newTestCA(t)
	good := newCluster(t, 1, kfake.TLS(ca.server(t, time.Now().Add(time.Hour))))
	expiredAt := time.Now().Add(-time.Hour)
	expired := newCluster(t, 1, kfake.TLS(ca.server(t, expiredAt)))
	other := newTestCA(t)
	tests := []struct {
		name    string
		cluster *kfake.Cluster
		tls     *TLS
		wants   []string
	}{
		{"no CA file", good, &TLS{}, []string{"TLS: the broker's certificate is signed by an unknown authority", `"kscope test CA"`, "(set a CA file)"}},
		{"another CA", good, &TLS{CAFile: other.file}, []string{"unknown authority", "not one in the CA file " + other.file}},
		{"wrong server name", good, &TLS{CAFile: ca.file, ServerName: "wrong.example"}, []string{"TLS: the broker's certificate is for localhost, 127.0.0.1, not wrong.example (set the server name)"}},
		{"expired", expired, &TLS{CAFile: ca.file}, []string{"TLS: the broker's certificate expired on " + stamp(expiredAt)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			msg, err := connectErr(t, secureConfig(tt.cluster, nil, tt.tls))
			wantIn(t, msg, tt.wants...)
			var verify *tls.CertificateVerificationError
			if !errors.As(err, &verify) {
				t.Errorf("explained error %q no longer wraps the TLS failure", msg)
			}
		})
	}
	t.Run("skip verification", func(t *testing.T) {
		cl, err := Connect(context.Background(), secureConfig(expired, nil, &TLS{InsecureSkipVerify: true}))
		if err != nil {
			t.Fatal(err)
		}
		cl.Close()
	})
}

func TestTLSClientCertificate(t *testing.T) {
	t.Parallel()
	ca := newTestCA(t)
	server := ca.server(t, time.Now().Add(time.Hour))
	server.ClientAuth = tls.RequireAndVerifyClientCert
	server.ClientCAs = x509.NewCertPool()
	server.ClientCAs.AddCert(ca.cert)
	c := newCluster(t, 1, kfake.TLS(server))
	certFile, keyFile := ca.client(t)

	cl, err := Connect(context.Background(), secureConfig(c, nil, &TLS{CAFile: ca.file, CertFile: certFile, KeyFile: keyFile}))
	if err != nil {
		t.Fatal(err)
	}
	cl.Close()

	msg, _ := connectErr(t, secureConfig(c, nil, &TLS{CAFile: ca.file}))
	wantIn(t, msg, "TLS: the broker refused the handshake", "certificate", "set a certificate and key file")
}

func TestSASLMechanismMismatch(t *testing.T) {
	t.Parallel()
	// kfake accepts the handshake for any mechanism it knows and hangs up
	// when the user has no credentials under it, as for a wrong password.
	scramOnly := newCluster(t, 1, kfake.EnableSASL(), kfake.User("SCRAM-SHA-256", "alice", "pw"))
	msg, _ := connectErr(t, secureConfig(scramOnly, &SASL{Mechanism: "PLAIN", Username: "alice", Password: "pw"}, nil))
	wantIn(t, msg, "authentication failed for user alice with PLAIN", "that the broker enables PLAIN for this user")

	// A broker that does not enable a mechanism at all says so in the
	// handshake's answer, which Kafka does and kfake is made to.
	refuse := func(c *kfake.Cluster, code int16) {
		c.ControlKey(int16(kmsg.SASLHandshake), func(req kmsg.Request) (kmsg.Response, error, bool) {
			resp := req.ResponseKind().(*kmsg.SASLHandshakeResponse)
			resp.Version = req.GetVersion()
			resp.ErrorCode = code
			resp.SupportedMechanisms = []string{"SCRAM-SHA-256"}
			return resp, nil, true
		})
	}
	c := newCluster(t, 1, saslUsers()...)
	refuse(c, int16(sarama.ErrUnsupportedSASLMechanism))
	msg, err := connectErr(t, secureConfig(c, &SASL{Mechanism: "PLAIN", Username: "alice", Password: passwords["PLAIN"]}, nil))
	wantIn(t, msg, "the broker does not accept SASL mechanism PLAIN: try SCRAM-SHA-256 or SCRAM-SHA-512")
	if !errors.Is(err, sarama.ErrUnsupportedSASLMechanism) {
		t.Errorf("explained error %q no longer wraps the broker's answer", msg)
	}

	// A listener without SASL answers a handshake with an illegal state.
	refuse(c, int16(sarama.ErrIllegalSASLState))
	msg, _ = connectErr(t, secureConfig(c, &SASL{Mechanism: "PLAIN", Username: "alice", Password: passwords["PLAIN"]}, nil))
	wantIn(t, msg, "this listener may not use SASL: is security.protocol PLAINTEXT rather than SASL_PLAINTEXT?")
}

func TestTLSAgainstPlaintextListener(t *testing.T) {
	t.Parallel()
	ca := newTestCA(t)
	plain := newCluster(t, 1, saslUsers()...)
	// kfake reads a TLS hello as the length of a huge request and waits
	// for the rest (Kafka hangs up at once), so the read timeout is what
	// ends the handshake here.
	cfg := secureConfig(plain, nil, &TLS{CAFile: ca.file})
	cfg.RequestTimeout = time.Second
	msg, _ := connectErr(t, cfg)
	wantIn(t, msg, "the broker does not speak TLS on this port: is security.protocol PLAINTEXT rather than SSL?")

	cfg.SASL = &SASL{Mechanism: "SCRAM-SHA-256", Username: "alice", Password: passwords["SCRAM-SHA-256"]}
	msg, _ = connectErr(t, cfg)
	wantIn(t, msg, "the broker does not speak TLS on this port: is security.protocol SASL_PLAINTEXT rather than SASL_SSL?")
}

func TestPlaintextAgainstTLSListener(t *testing.T) {
	t.Parallel()
	ca := newTestCA(t)
	secure := newCluster(t, 1, append(saslUsers(), kfake.TLS(ca.server(t, time.Now().Add(time.Hour))))...)
	msg, _ := connectErr(t, secureConfig(secure, nil, nil))
	wantIn(t, msg, "it may expect TLS on this port: is security.protocol SSL rather than PLAINTEXT?")

	// Without TLS a SASL failure and a TLS listener both end in EOF; what
	// tells them apart is whether the broker answered anything first.
	msg, _ = connectErr(t, secureConfig(secure, &SASL{Mechanism: "SCRAM-SHA-256", Username: "alice", Password: passwords["SCRAM-SHA-256"]}, nil))
	wantIn(t, msg, "it may expect TLS on this port: is security.protocol SASL_SSL rather than SASL_PLAINTEXT?")
}

func TestSASLRequiredButNotConfigured(t *testing.T) {
	t.Parallel()
	c := newCluster(t, 1, saslUsers()...)
	// ApiVersions is the one request a SASL listener answers before
	// authentication: Connect must go on to a real request to notice.
	_, err := Connect(context.Background(), secureConfig(c, nil, nil))
	if err == nil {
		t.Fatal("connected without authentication")
	}
	wantIn(t, err.Error(), "it may require SASL authentication: is security.protocol SASL_PLAINTEXT rather than PLAINTEXT?")
}

func TestSecurityConfigErrors(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	notPEM := filepath.Join(dir, "not.pem")
	if err := os.WriteFile(notPEM, []byte("a-secret-that-is-no-certificate"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		sasl   *SASL
		tls    *TLS
		wants  []string
		absent string
	}{
		{"unknown mechanism", &SASL{Mechanism: "GSSAPI", Username: "alice", Password: "pw"}, nil, []string{`unknown mechanism "GSSAPI"`, "PLAIN, SCRAM-SHA-256, SCRAM-SHA-512"}, ""},
		{"no username", &SASL{Mechanism: "PLAIN", Password: "pw"}, nil, []string{"SASL: no username given"}, ""},
		{"missing CA file", nil, &TLS{CAFile: filepath.Join(dir, "missing.pem")}, []string{"TLS CA file", "missing.pem"}, ""},
		{"CA file without certificates", nil, &TLS{CAFile: notPEM}, []string{"TLS CA file " + notPEM + ": no PEM certificate in it"}, "a-secret"},
		{"certificate without key", nil, &TLS{CertFile: notPEM}, []string{"TLS client certificate " + notPEM + " given without its key file"}, ""},
		{"key without certificate", nil, &TLS{KeyFile: notPEM}, []string{"TLS client key " + notPEM + " given without its certificate file"}, ""},
		{"unreadable key pair", nil, &TLS{CertFile: notPEM, KeyFile: notPEM}, []string{"TLS client certificate " + notPEM + " and key " + notPEM}, "a-secret"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Config{Brokers: []string{"127.0.0.1:1"}, SASL: tt.sasl, TLS: tt.tls}.withDefaults().sarama()
			if err == nil {
				t.Fatal("accepted")
			}
			wantIn(t, err.Error(), tt.wants...)
			if tt.absent != "" && strings.Contains(err.Error(), tt.absent) {
				t.Errorf("error %q shows the file's content", err)
			}
		})
	}
}
