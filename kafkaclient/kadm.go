package kafkaclient

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/IBM/sarama"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"
	"github.com/twmb/franz-go/pkg/sasl"
	"github.com/twmb/franz-go/pkg/sasl/plain"
	"github.com/twmb/franz-go/pkg/sasl/scram"
)

// API keys kscope sends over its franz-go connection, and the ListGroups
// version that reports group types.
const (
	apiKeyListGroups                = 16
	apiKeyConsumerGroupDescribe     = 69
	apiKeyShareGroupDescribe        = 77
	apiKeyDescribeShareGroupOffsets = 90
	apiKeyAlterShareGroupOffsets    = 91
	apiKeyDeleteShareGroupOffsets   = 92

	listGroupsWithTypes = 5
)

// franz is kscope's franz-go connection to the cluster, for exactly what
// sarama does not speak: ConsumerGroupDescribe (KIP-848), the share-group
// APIs (KIP-932), and ListGroups v5, the version that tells group types
// apart. sarama has that version but sends it only when configured for
// Kafka 3.8 or later, and kscope configures sarama for 3.0 at most
// (detectVersion) so that its other requests keep the versions they were
// tested with.
//
// It is built from the same Config as sarama's connections (brokers,
// SASL, TLS, client id, timeouts), logs to sarama's logger (the debug log,
// which redacts secrets) and opens only once a request needs it, so a
// cluster without the new group types costs no second connection. Every
// call that changes the cluster passes Client.guardWrite first, as
// sarama's do.
type franz struct {
	cfg Config
	// max is the highest version of each API key the bootstrap broker
	// takes; a key it does not take is absent.
	max map[int16]int16

	mu     sync.Mutex
	cl     *kgo.Client
	closed bool

	// ids names the topic IDs its answers carry.
	ids topicIDs
}

func newFranz(cfg Config, versions *sarama.ApiVersionsResponse) *franz {
	f := &franz{cfg: cfg, max: map[int16]int16{}}
	if versions != nil {
		for _, k := range versions.ApiKeys {
			f.max[k.ApiKey] = k.MaxVersion
		}
	}
	return f
}

// supports reports whether the cluster takes API key at version or later.
func (f *franz) supports(key, version int16) bool {
	v, ok := f.max[key]
	return ok && v >= version
}

// client returns the connection, opening it on first use.
func (f *franz) client() (*kgo.Client, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	switch {
	case f.closed:
		return nil, errClosed
	case f.cl != nil:
		return f.cl, nil
	}
	opts, err := f.cfg.franzOptions()
	if err != nil {
		return nil, err
	}
	cl, err := kgo.NewClient(opts...)
	if err != nil {
		return nil, err
	}
	f.cl = cl
	return cl, nil
}

// close ends the connection and refuses to open it again.
func (f *franz) close() {
	f.mu.Lock()
	cl := f.cl
	f.cl, f.closed = nil, true
	f.mu.Unlock()
	if cl != nil {
		cl.Close()
	}
}

// request sends req to broker id and waits for its answer or ctx's end.
// Failures to reach the broker are explained as sarama's are.
func (f *franz) request(ctx context.Context, id int32, req kmsg.Request) (kmsg.Response, error) {
	cl, err := f.client()
	if err != nil {
		return nil, err
	}
	resp, err := cl.Broker(int(id)).Request(ctx, req)
	if err != nil {
		if cerr := ctx.Err(); cerr != nil {
			return nil, cerr
		}
		return nil, explain(f.cfg, err)
	}
	return resp, nil
}

// any sends req to whichever broker the connection picks, for requests
// any broker answers (or forwards).
func (f *franz) any(ctx context.Context, req kmsg.Request) (kmsg.Response, error) {
	cl, err := f.client()
	if err != nil {
		return nil, err
	}
	resp, err := cl.Request(ctx, req)
	if err != nil {
		if cerr := ctx.Err(); cerr != nil {
			return nil, cerr
		}
		return nil, explain(f.cfg, err)
	}
	return resp, nil
}

// kafkaError is the error of a Kafka error code, as sarama names it, so
// that errors.Is finds the same sentinels whichever library answered.
func kafkaError(code int16) error {
	if code == 0 {
		return nil
	}
	return sarama.KError(code)
}

// franzOptions are the franz-go settings equivalent to c's sarama ones.
func (c Config) franzOptions() ([]kgo.Opt, error) {
	opts := []kgo.Opt{
		kgo.SeedBrokers(c.Brokers...),
		kgo.ClientID(c.ClientID),
		kgo.DialTimeout(c.ConnectTimeout),
		// kscope's requests carry no timeout of their own, so this is
		// each one's deadline, as sarama's read timeout is, within the
		// bounds franz-go accepts.
		kgo.RequestTimeoutOverhead(min(max(c.RequestTimeout, 100*time.Millisecond), 15*time.Minute)),
		kgo.RetryTimeout(c.RequestTimeout),
		kgo.WithLogger(franzLogger{secret: c.secret()}),
	}
	if c.SASL != nil {
		mech, err := franzSASL(*c.SASL)
		if err != nil {
			return nil, err
		}
		opts = append(opts, kgo.SASL(mech))
	}
	if c.TLS != nil {
		tc, err := tlsConfig(*c.TLS)
		if err != nil {
			return nil, err
		}
		opts = append(opts, kgo.DialTLSConfig(tc))
	}
	return opts, nil
}

func franzSASL(s SASL) (sasl.Mechanism, error) {
	switch strings.ToUpper(s.Mechanism) {
	case string(sarama.SASLTypePlaintext):
		return plain.Auth{User: s.Username, Pass: s.Password}.AsMechanism(), nil
	case string(sarama.SASLTypeSCRAMSHA256):
		return scram.Auth{User: s.Username, Pass: s.Password}.AsSha256Mechanism(), nil
	case string(sarama.SASLTypeSCRAMSHA512):
		return scram.Auth{User: s.Username, Pass: s.Password}.AsSha512Mechanism(), nil
	}
	return nil, fmt.Errorf("SASL: unknown mechanism %q: kscope speaks %s", s.Mechanism, mechanismList())
}

func (c Config) secret() string {
	if c.SASL == nil {
		return ""
	}
	return c.SASL.Password
}

// franzLogger writes franz-go's log where sarama's goes: the --debug
// file, whose writer redacts every secret kscope read. It hides the
// password itself too, so that no other logger set on sarama can get it.
type franzLogger struct{ secret string }

func (franzLogger) Level() kgo.LogLevel { return kgo.LogLevelInfo }

func (l franzLogger) Log(level kgo.LogLevel, msg string, keyvals ...any) {
	sarama.Logger.Println(l.line(level, msg, keyvals...))
}

// line is one entry of the log, the password hidden.
func (l franzLogger) line(level kgo.LogLevel, msg string, keyvals ...any) string {
	var b strings.Builder
	b.WriteString("franz-go " + level.String() + " " + msg)
	for i := 0; i+1 < len(keyvals); i += 2 {
		fmt.Fprintf(&b, " %v=%v", keyvals[i], keyvals[i+1])
	}
	line := b.String()
	if l.secret != "" {
		line = strings.ReplaceAll(line, l.secret, "[redacted]")
	}
	return line
}
