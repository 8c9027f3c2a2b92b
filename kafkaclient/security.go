package kafkaclient

import (
	"crypto/sha256"
	"crypto/sha512"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/IBM/sarama"
	"github.com/xdg-go/scram"
)

// mechanisms are the SASL mechanisms kscope speaks, in the order it lists them.
var mechanisms = []sarama.SASLMechanism{sarama.SASLTypePlaintext, sarama.SASLTypeSCRAMSHA256, sarama.SASLTypeSCRAMSHA512}

// applySecurity sets SASL and TLS on sc from c, and dials through a
// watchedDialer so that explain can tell where a connection failed. It
// reads sc's dial settings, so they are set before it is called.
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
	sc.Net.Proxy.Enable = true
	sc.Net.Proxy.Dialer = &watchedDialer{net.Dialer{Timeout: sc.Net.DialTimeout, KeepAlive: sc.Net.KeepAlive, LocalAddr: sc.Net.LocalAddr}}
	return nil
}

func applySASL(sc *sarama.Config, s SASL) error {
	if s.Username == "" {
		return errors.New("SASL: no username given")
	}
	var mech sarama.SASLMechanism
	if i := slices.IndexFunc(mechanisms, func(m sarama.SASLMechanism) bool { return strings.EqualFold(s.Mechanism, string(m)) }); i >= 0 {
		mech = mechanisms[i]
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
		InsecureSkipVerify: t.InsecureSkipVerify,
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

// watchedDialer dials plain TCP connections that remember what the broker
// sent, so that explain can tell a broker that hung up without a word (a
// listener speaking the other of TLS and plaintext) from one that hung up
// later (during SASL). sarama takes it as a proxy dialer: that is its only
// hook on the raw connection, under its own TLS (its log, when on, says
// "using proxy" at each dial).
type watchedDialer struct{ net.Dialer }

func (d *watchedDialer) Dial(network, addr string) (net.Conn, error) {
	conn, err := d.Dialer.Dial(network, addr)
	if err != nil {
		return nil, err
	}
	return &watchedConn{Conn: conn}, nil
}

// watchedConn counts the bytes the broker sent and keeps the first few.
// sarama and crypto/tls read a connection from one goroutine at a time.
type watchedConn struct {
	net.Conn
	received int64
	head     []byte
}

// headBytes is how much of a broker's first answer is kept to describe it.
const headBytes = 12

func (c *watchedConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	if room := headBytes - len(c.head); room > 0 && n > 0 {
		c.head = append(c.head, p[:min(n, room)]...)
	}
	c.received += int64(n)
	if err != nil {
		var first byte
		if len(c.head) > 0 {
			first = c.head[0]
		}
		return n, &readError{err: err, received: c.received, first: first, head: c.head}
	}
	return n, nil
}

// readError is a failed read with what the broker had sent before it.
type readError struct {
	err      error
	received int64
	first    byte
	head     []byte
}

// notKafka says the broker's first answer cannot be Kafka's: a Kafka
// answer starts with its length, whose first byte is 0 for anything under
// 16 MB, and TLS records are told apart by answeredTLS.
func (e *readError) notKafka() bool {
	return e.received > 0 && e.first != 0 && !e.answeredTLS()
}

func (e *readError) Error() string { return e.err.Error() }
func (e *readError) Unwrap() error { return e.err }

// Timeout and Temporary keep readError a net.Error when it wraps one:
// crypto/tls asserts the interface to decide whether a failed read
// poisons the connection. Timeouts are the only errors here worth
// calling temporary.
func (e *readError) Timeout() bool {
	var ne net.Error
	return errors.As(e.err, &ne) && ne.Timeout()
}

func (e *readError) Temporary() bool { return e.Timeout() }

// silent says the broker sent nothing at all before the connection failed.
func (e *readError) silent() bool { return e.received == 0 }

// answeredTLS says the broker's first byte opens a TLS record (a handshake
// or an alert). A Kafka answer starts with its length, whose first byte is
// 0 for anything under 16 MB, so such a byte on a plaintext connection is
// a TLS listener complaining.
func (e *readError) answeredTLS() bool {
	const tlsAlert, tlsHandshake = 0x15, 0x16
	return e.received > 0 && (e.first == tlsAlert || e.first == tlsHandshake)
}

// explanation is a failure told in the user's terms; the error it explains
// stays reachable through errors.Is and errors.As.
type explanation struct {
	msg string
	err error
	// auth marks a failure of the login itself, the likeliest cause of
	// which is a wrong password or user.
	auth bool
}

func (e *explanation) Error() string { return e.msg }
func (e *explanation) Unwrap() error { return e.err }

// authFailed marks e as a failed login.
func authFailed(e error) error {
	e.(*explanation).auth = true
	return e
}

// isAuthFailure tells a failed login from other failures.
func isAuthFailure(err error) bool {
	var e *explanation
	return errors.As(err, &e) && e.auth
}

func explained(err error, format string, args ...any) error {
	return &explanation{msg: fmt.Sprintf(format, args...), err: err}
}

// explain turns a failure to reach a broker into one a user can act on.
// Failures are recognised by their types; text is read only where noted.
// The password is never part of the answer.
func explain(c Config, err error) error {
	if err == nil {
		return nil
	}
	if e := explainTLS(c, err); e != nil {
		return e
	}
	if e := explainSASL(c, err); e != nil {
		return e
	}
	if e := explainDrop(c, err); e != nil {
		return e
	}
	var read *readError
	var packet sarama.PacketDecodingError
	switch {
	case errors.As(err, &read) && read.silent() && read.Timeout():
		return errNoAnswer
	case errors.As(err, &packet):
		return explained(err, "the listener answered, but not in Kafka's protocol (%v): is this a Kafka broker's port?", err)
	}
	return err
}

// explainTLS covers certificates that do not verify, handshakes the broker
// refused, and brokers that do not speak TLS at all.
func explainTLS(c Config, err error) error {
	var (
		unknown  x509.UnknownAuthorityError
		hostname x509.HostnameError
		invalid  x509.CertificateInvalidError
		verify   *tls.CertificateVerificationError
		header   tls.RecordHeaderError
		op       *net.OpError
	)
	switch {
	case errors.As(err, &unknown):
		issuer := fmt.Sprintf(", %q", unknown.Cert.Issuer.CommonName)
		if c.TLS != nil && c.TLS.CAFile != "" {
			return explained(err, "TLS: the broker's certificate is signed by an unknown authority%s: not one in the CA file %s", issuer, c.TLS.CAFile)
		}
		return explained(err, "TLS: the broker's certificate is signed by an unknown authority%s (set a CA file)", issuer)
	case errors.As(err, &hostname):
		return explained(err, "TLS: the broker's certificate is for %s, not %s (set the server name)", certNames(hostname.Certificate), hostname.Host)
	case errors.As(err, &invalid) && invalid.Reason == x509.Expired:
		if now := time.Now(); now.Before(invalid.Cert.NotBefore) {
			return explained(err, "TLS: %s is not valid before %s (is this machine's clock right?)", certOwner(invalid.Cert), stamp(invalid.Cert.NotBefore))
		}
		return explained(err, "TLS: %s expired on %s", certOwner(invalid.Cert), stamp(invalid.Cert.NotAfter))
	case errors.As(err, &verify):
		return explained(err, "TLS: the broker's certificate does not verify: %v", err)
	case c.TLS != nil && errors.As(err, &header):
		return explained(err, "TLS: the broker's answer is not TLS (%v): the broker does not speak TLS on this port: %s", err, plaintextProtocol(c))
	case errors.As(err, &op) && op.Op == "remote error":
		// crypto/tls reports the broker's alert this way; the alert's
		// own type is unexported, so its text is read for a missing
		// client certificate.
		if (c.TLS == nil || c.TLS.CertFile == "") && strings.Contains(op.Err.Error(), "certificate") {
			return explained(err, "TLS: the broker refused the handshake (%v): it may want a client certificate (set a certificate and key file)", err)
		}
		return explained(err, "TLS: the broker refused the handshake: %v", err)
	}
	var read *readError
	if c.TLS != nil && errors.As(err, &read) && read.silent() {
		return explained(err, "TLS: the broker did not answer the TLS handshake (%v): the broker does not speak TLS on this port: %s", err, plaintextProtocol(c))
	}
	// The rest of crypto/tls's handshake failures are unexported types
	// whose text starts with its package name.
	if c.TLS != nil && strings.Contains(err.Error(), "tls: ") {
		return explained(err, "TLS: %v", err)
	}
	return nil
}

// explainSASL covers the answers a broker gives to a SASL handshake or
// authentication.
func explainSASL(c Config, err error) error {
	if c.SASL == nil {
		return nil
	}
	mech, user := strings.ToUpper(c.SASL.Mechanism), c.SASL.Username
	switch {
	case errors.Is(err, sarama.ErrSASLAuthenticationFailed):
		return authFailed(explained(err, "authentication failed for user %s with %s: %v", user, mech, err))
	case errors.Is(err, sarama.ErrUnsupportedSASLMechanism):
		return explained(err, "the broker does not accept SASL mechanism %s: try %s, or ask which it enables", mech, otherMechanisms(mech))
	case errors.Is(err, sarama.ErrIllegalSASLState):
		return explained(err, "the broker refused SASL authentication (%v): this listener may not use SASL: %s", err, withoutSASL(c))
	}
	return nil
}

// explainDrop covers a broker that closed the connection, reading what it
// had sent before to tell which conversation it refused.
func explainDrop(c Config, err error) error {
	var read *readError
	watched := errors.As(err, &read)
	switch {
	case c.TLS == nil && watched && read.notKafka():
		return explained(err, "the listener answered, but not in Kafka's protocol (its answer starts %q): is this a Kafka broker's port?", read.head)
	case c.TLS == nil && watched && read.answeredTLS():
		return explained(err, "the broker answered in TLS (%v): it expects TLS on this port: %s", err, tlsProtocol(c))
	case c.TLS == nil && watched && read.silent() && dropped(err):
		return explained(err, "the broker closed the connection without answering (%v): it may expect TLS on this port: %s", err, tlsProtocol(c))
	case !dropped(err):
		return nil
	case c.SASL != nil:
		mech := strings.ToUpper(c.SASL.Mechanism)
		return authFailed(explained(err, "authentication failed for user %s with %s (the broker closed the connection during authentication: check the password, and that the broker enables %s for this user)", c.SASL.Username, mech, mech))
	default:
		return explained(err, "the broker closed the connection (%v): it may require SASL authentication: %s", err, withSASL(c))
	}
}

// dropped says the broker closed or reset the connection.
func dropped(err error) bool {
	return errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.ECONNABORTED) || errors.Is(err, syscall.EPIPE)
}

// The hints name the security.protocol a user probably meant, in the words
// of Kafka's own client settings, which the broker's operator uses too.

func plaintextProtocol(c Config) string {
	if c.SASL != nil {
		return "is security.protocol SASL_PLAINTEXT rather than SASL_SSL?"
	}
	return "is security.protocol PLAINTEXT rather than SSL?"
}

func tlsProtocol(c Config) string {
	if c.SASL != nil {
		return "is security.protocol SASL_SSL rather than SASL_PLAINTEXT?"
	}
	return "is security.protocol SSL rather than PLAINTEXT?"
}

func withoutSASL(c Config) string {
	if c.TLS != nil {
		return "is security.protocol SSL rather than SASL_SSL?"
	}
	return "is security.protocol PLAINTEXT rather than SASL_PLAINTEXT?"
}

func withSASL(c Config) string {
	if c.TLS != nil {
		return "is security.protocol SASL_SSL rather than SSL?"
	}
	return "is security.protocol SASL_PLAINTEXT rather than PLAINTEXT?"
}

func otherMechanisms(mech string) string {
	var others []string
	for _, m := range mechanisms {
		if string(m) != mech {
			others = append(others, string(m))
		}
	}
	return strings.Join(others, " or ")
}

// certNames lists the names a certificate is valid for.
func certNames(cert *x509.Certificate) string {
	names := slices.Clone(cert.DNSNames)
	for _, ip := range cert.IPAddresses {
		names = append(names, ip.String())
	}
	if len(names) == 0 {
		names = append(names, cert.Subject.CommonName)
	}
	return strings.Join(names, ", ")
}

// certOwner names a certificate of the broker's chain: its own, or an
// authority's above it.
func certOwner(cert *x509.Certificate) string {
	if cert.IsCA {
		return fmt.Sprintf("the certificate of the authority %q in the broker's chain", cert.Subject.CommonName)
	}
	return "the broker's certificate"
}

func stamp(t time.Time) string { return t.UTC().Format("2006-01-02 15:04 MST") }
