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
	"fmt"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kfake"
)

type testPKI struct {
	caFile string
	ca     *x509.Certificate
	caKey  *ecdsa.PrivateKey
}

func newTestPKI(t *testing.T) *testPKI {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
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
	ca, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(file, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	return &testPKI{caFile: file, ca: ca, caKey: key}
}

func (p *testPKI) serverConfig(t *testing.T, notAfter time.Time) *tls.Config {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(2),
		Subject:      pkix.Name{CommonName: "localhost"},
		DNSNames:     []string{"localhost"},
		IPAddresses:  []net.IP{net.IPv4(127, 0, 0, 1)},
		NotBefore:    notAfter.Add(-2 * time.Hour),
		NotAfter:     notAfter,
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, p.ca, &key.PublicKey, p.caKey)
	if err != nil {
		t.Fatal(err)
	}
	return &tls.Config{MinVersion: tls.VersionTLS12, Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key}}}
}

func TestExperiment(t *testing.T) {
	pki := newTestPKI(t)
	users := []kfake.Opt{kfake.EnableSASL(), kfake.Superuser("SCRAM-SHA-256", "admin", "admin"),
		kfake.User("PLAIN", "alice", "secret-p"), kfake.User("SCRAM-SHA-256", "alice", "secret-256"), kfake.User("SCRAM-SHA-512", "alice", "secret-512")}
	plain := newCluster(t, 1, append(users, kfake.SeedTopics(1, "t"))...)
	tlsC := newCluster(t, 1, append(users, kfake.SeedTopics(1, "t"), kfake.TLS(pki.serverConfig(t, time.Now().Add(time.Hour))))...)
	expired := newCluster(t, 1, kfake.TLS(pki.serverConfig(t, time.Now().Add(-time.Hour))))
	plainNoSASL := newCluster(t, 1)
	tlsNoSASL := newCluster(t, 1, kfake.TLS(pki.serverConfig(t, time.Now().Add(time.Hour))))
	scramOnly := newCluster(t, 1, kfake.EnableSASL(), kfake.Superuser("SCRAM-SHA-256", "alice", "pw"))
	ca := &TLS{CAFile: pki.caFile}
	cases := []struct {
		name string
		c    *kfake.Cluster
		sasl *SASL
		tls  *TLS
	}{
		{"ok-plain", plain, &SASL{"PLAIN", "alice", "secret-p"}, nil},
		{"ok-256-tls", tlsC, &SASL{"scram-sha-256", "alice", "secret-256"}, ca},
		{"bad-plain", plain, &SASL{"PLAIN", "alice", "bad"}, nil},
		{"bad-256", plain, &SASL{"SCRAM-SHA-256", "alice", "bad"}, nil},
		{"bad-256-tls", tlsC, &SASL{"SCRAM-SHA-256", "alice", "bad"}, ca},
		{"unknown-ca", tlsC, &SASL{"SCRAM-SHA-256", "alice", "secret-256"}, &TLS{}},
		{"wrong-name", tlsC, &SASL{"SCRAM-SHA-256", "alice", "secret-256"}, &TLS{CAFile: pki.caFile, ServerName: "wrong.example"}},
		{"expired", expired, nil, ca},
		{"wrong-mech", scramOnly, &SASL{"PLAIN", "alice", "pw"}, nil},
		{"tls-to-plain", plainNoSASL, nil, ca},
		{"tls+sasl-to-plain", plain, &SASL{"SCRAM-SHA-256", "alice", "secret-256"}, ca},
		{"plain-to-tls", tlsNoSASL, nil, nil},
		{"sasl-plain-to-tls", tlsC, &SASL{"SCRAM-SHA-256", "alice", "secret-256"}, nil},
		{"nosasl-to-sasl", plain, nil, nil},
		{"sasl-to-nosasl", plainNoSASL, &SASL{"SCRAM-SHA-256", "alice", "secret-256"}, nil},
	}
	for _, tc := range cases {
		start := time.Now()
		cl, err := Connect(context.Background(), Config{Brokers: tc.c.ListenAddrs(), ConnectTimeout: 3 * time.Second, RefreshInterval: time.Hour, SASL: tc.sasl, TLS: tc.tls})
		var ev Event
		if err == nil {
			select {
			case ev = <-cl.Events():
			case <-time.After(3 * time.Second):
			}
			cl.Close()
		}
		t.Logf("%s (%s): err=%v %T ev=%#v", tc.name, time.Since(start).Round(time.Millisecond), err, errChain(err), ev)
	}
}

func errChain(err error) []string {
	var out []string
	for err != nil {
		out = append(out, fmt.Sprintf("%T", err))
		if ce, ok := err.(*ConnectError); ok {
			err = ce.Attempts[0].Err
			continue
		}
		err = errors.Unwrap(err)
	}
	return out
}
