package kafkaclient

import (
	"crypto/sha256"
	"crypto/sha512"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/IBM/sarama"
	"github.com/xdg-go/scram"
)

// mechanisms are the SASL mechanisms kscope speaks, in the order it lists them.
var mechanisms = []sarama.SASLMechanism{sarama.SASLTypePlaintext, sarama.SASLTypeSCRAMSHA256, sarama.SASLTypeSCRAMSHA512}

// applySecurity sets SASL and TLS on sc from c.
func applySecurity(sc *sarama.Config, c Config) error {
	if c.SASL != nil {
		if err := applySASL(sc, *c.SASL); err != nil {
			return err
		}
	}
	if c.TLS != nil {
		tc, err := tlsConfig(*c.TLS)
		if err != nil {
			return err
		}
		sc.Net.TLS.Enable = true
		sc.Net.TLS.Config = tc
	}
	return nil
}

func applySASL(sc *sarama.Config, s SASL) error {
	if s.Username == "" {
		return errors.New("SASL: no username given")
	}
	var mech sarama.SASLMechanism
	for _, m := range mechanisms {
		if strings.EqualFold(s.Mechanism, string(m)) {
			mech = m
		}
	}
	switch mech {
	case "":
		return fmt.Errorf("SASL: unknown mechanism %q: kscope speaks %s", s.Mechanism, mechanismList())
	case sarama.SASLTypeSCRAMSHA256:
		sc.Net.SASL.SCRAMClientGeneratorFunc = func() sarama.SCRAMClient { return &scramClient{hash: sha256.New} }
	case sarama.SASLTypeSCRAMSHA512:
		sc.Net.SASL.SCRAMClientGeneratorFunc = func() sarama.SCRAMClient { return &scramClient{hash: sha512.New} }
	}
	sc.Net.SASL.Enable = true
	sc.Net.SASL.Mechanism = mech
	sc.Net.SASL.User = s.Username
	sc.Net.SASL.Password = s.Password
	sc.Net.SASL.Handshake = true
	return nil
}

func mechanismList() string {
	names := make([]string, len(mechanisms))
	for i, m := range mechanisms {
		names[i] = string(m)
	}
	return strings.Join(names, ", ")
}

// scramClient adapts xdg-go/scram to the conversation sarama drives.
type scramClient struct {
	hash scram.HashGeneratorFcn
	conv *scram.ClientConversation
}

func (s *scramClient) Begin(user, password, authzID string) error {
	client, err := s.hash.NewClient(user, password, authzID)
	if err != nil {
		return err
	}
	s.conv = client.NewConversation()
	return nil
}

func (s *scramClient) Step(challenge string) (string, error) { return s.conv.Step(challenge) }

func (s *scramClient) Done() bool { return s.conv.Done() }

// tlsConfig builds the client side of TLS from t. Errors name the files
// they concern, never what is in them: a key file is a secret.
func tlsConfig(t TLS) (*tls.Config, error) {
	tc := &tls.Config{
		MinVersion:         tls.VersionTLS12,
		ServerName:         t.ServerName,
		InsecureSkipVerify: t.InsecureSkipVerify, //nolint:gosec // the user asked for it, and the UI says so while it is on
	}
	if t.CAFile != "" {
		pem, err := os.ReadFile(t.CAFile)
		if err != nil {
			return nil, fmt.Errorf("TLS CA file: %w", err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("TLS CA file %s: no PEM certificate in it", t.CAFile)
		}
		tc.RootCAs = pool
	}
	switch {
	case t.CertFile != "" && t.KeyFile != "":
		cert, err := tls.LoadX509KeyPair(t.CertFile, t.KeyFile)
		if err != nil {
			return nil, fmt.Errorf("TLS client certificate %s and key %s: %w", t.CertFile, t.KeyFile, err)
		}
		tc.Certificates = []tls.Certificate{cert}
	case t.CertFile != "":
		return nil, fmt.Errorf("TLS client certificate %s given without its key file", t.CertFile)
	case t.KeyFile != "":
		return nil, fmt.Errorf("TLS client key %s given without its certificate file", t.KeyFile)
	}
	return tc, nil
}

// explain turns a failure to reach a broker into one a user can act on.
func explain(c Config, err error) error { return err }
