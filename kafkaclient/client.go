// Package kafkaclient holds every conversation kscope has with Kafka. Its
// goroutines publish typed events; it knows nothing of the screen.
package kafkaclient

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/IBM/sarama"
)

// Config says where the cluster is and how long to wait for it.
type Config struct {
	Brokers  []string
	ClientID string
	// Version is the Kafka protocol version to speak, e.g. "2.8.0"; empty
	// means the one the bootstrap broker's ApiVersions answer shows.
	Version string
	// ConnectTimeout bounds Connect and every dial; RequestTimeout bounds each request.
	ConnectTimeout time.Duration
	RequestTimeout time.Duration
	// RefreshInterval is how often metadata and watermarks are re-read.
	RefreshInterval time.Duration
	// DiskInterval is how often the brokers' log dirs are re-read; a
	// negative one turns the reads off.
	DiskInterval time.Duration
	// HealthInterval is how often the health checks' settings and the
	// transactions are read (HealthRead events); 0 never reads them.
	HealthInterval time.Duration
	// SASL and TLS secure the connections; nil means none.
	SASL *SASL
	TLS  *TLS
	// ReadOnly makes every call that would change the cluster fail.
	ReadOnly bool
}

// SASL is how kscope authenticates.
type SASL struct {
	// Mechanism is PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512.
	Mechanism string
	Username  string
	// Password is a secret: it never appears in an error, a log or on screen.
	Password string
}

// TLS is how kscope encrypts its connections and checks the brokers'.
type TLS struct {
	// CAFile verifies the brokers (PEM); empty means the system's roots.
	CAFile string
	// CertFile and KeyFile are a client certificate and key (PEM), for brokers that ask for one.
	CertFile, KeyFile string
	// ServerName overrides the name checked in the brokers' certificates.
	ServerName string
	// InsecureSkipVerify accepts any certificate; the UI warns while it is on.
	InsecureSkipVerify bool
}

// DefaultVersion is spoken to the bootstrap broker until its ApiVersions
// answer tells which version the cluster runs.
const DefaultVersion = "2.8.0"

// Defaults for the zero values of Config.
const (
	DefaultClientID        = "kscope"
	DefaultConnectTimeout  = 10 * time.Second
	DefaultRequestTimeout  = 15 * time.Second
	DefaultRefreshInterval = 5 * time.Second
	// Disk use moves slowly, and a DescribeLogDirs answer lists every
	// replica of every broker: large on a large cluster.
	DefaultDiskInterval = 30 * time.Second
	// DefaultHealthInterval paces the health reads: the settings change
	// rarely, and a transaction hangs for minutes before it matters.
	DefaultHealthInterval = 30 * time.Second
)

func (c Config) withDefaults() Config {
	if c.ClientID == "" {
		c.ClientID = DefaultClientID
	}
	if c.ConnectTimeout <= 0 {
		c.ConnectTimeout = DefaultConnectTimeout
	}
	if c.RequestTimeout <= 0 {
		c.RequestTimeout = DefaultRequestTimeout
	}
	if c.RefreshInterval <= 0 {
		c.RefreshInterval = DefaultRefreshInterval
	}
	if c.DiskInterval == 0 {
		c.DiskInterval = DefaultDiskInterval
	}
	return c
}

// CheckVersion tells whether kscope can speak Kafka version v: a version
// it cannot parse, or one newer than any it knows the protocol of, is an
// error that says what it takes.
func CheckVersion(v string) error {
	_, err := parseVersion(v)
	return err
}

func parseVersion(v string) (sarama.KafkaVersion, error) {
	parsed, err := sarama.ParseKafkaVersion(v)
	switch {
	case err != nil:
		return parsed, fmt.Errorf("kafka version %q is not a version such as 3.7.0", v)
	case !parsed.IsAtLeast(sarama.MinVersion):
		return parsed, fmt.Errorf("kafka version %q is older than kscope speaks (%s at the least)", v, sarama.MinVersion)
	case sarama.MaxVersion.IsAtLeast(parsed):
		return parsed, nil
	}
	return parsed, fmt.Errorf("kafka version %q is newer than kscope knows (%s at the most); leave it out to use what the broker reports", v, sarama.MaxVersion)
}

func (c Config) sarama() (*sarama.Config, error) {
	version := c.Version
	if version == "" {
		version = DefaultVersion
	}
	v, err := parseVersion(version)
	if err != nil {
		return nil, err
	}
	sc := sarama.NewConfig()
	sc.ClientID = c.ClientID
	sc.Version = v
	sc.Net.DialTimeout = c.ConnectTimeout
	sc.Net.ReadTimeout = c.RequestTimeout
	sc.Net.WriteTimeout = c.RequestTimeout
	// kscope reads the full metadata itself; sarama's own full refresh would fetch it twice.
	sc.Metadata.Full = false
	if err := applySecurity(sc, c); err != nil {
		return nil, err
	}
	if err := sc.Validate(); err != nil {
		return nil, err
	}
	return sc, nil
}

// BrokerError is the outcome of trying one bootstrap broker.
type BrokerError struct {
	Addr string
	Err  error
}

// ConnectError says no bootstrap broker answered, naming each one tried.
type ConnectError struct {
	Timeout  time.Duration
	Attempts []BrokerError
}

// errNoAnswer is the outcome of a broker still silent at the timeout.
var errNoAnswer = errors.New("no answer before the timeout")

func (e *ConnectError) Error() string {
	var b strings.Builder
	silent := slices.ContainsFunc(e.Attempts, func(a BrokerError) bool { return errors.Is(a.Err, errNoAnswer) })
	refused := slices.IndexFunc(e.Attempts, func(a BrokerError) bool { return isAuthFailure(a.Err) })
	switch {
	case refused >= 0:
		// A broker that refused the login says more than one that was
		// silent: its reason leads.
		fmt.Fprintf(&b, "%v:", e.Attempts[refused].Err)
	case silent:
		fmt.Fprintf(&b, "no broker answered within %s:", e.Timeout)
	default:
		// Every broker said no at once: waiting would not have helped.
		b.WriteString("no bootstrap broker could be reached:")
	}
	for _, a := range e.Attempts {
		fmt.Fprintf(&b, "\n  %s: %v", a.Addr, a.Err)
	}
	return b.String()
}

// Client talks to one cluster: a poller goroutine refreshes metadata and
// watermarks and publishes events; methods answer on-demand questions.
type Client struct {
	cfg    Config
	sconf  *sarama.Config
	events chan Event
	pool   *pool

	// offsetFetchMax is the highest OffsetFetch version the cluster takes;
	// from 8 on one request can ask for many groups.
	offsetFetchMax int16
	// snap is the latest snapshot, for the leaders of partitions.
	snap atomic.Pointer[Snapshot]
	// txnMaxTimeout is the brokers' transaction.max.timeout.ms as
	// Requirements last read it, in milliseconds; 0 until then.
	txnMaxTimeout atomic.Int64
	// coords caches each group's coordinator, types its type as last listed.
	coordMu sync.Mutex
	coords  map[string]int32
	types   map[string]listedType
	// franz speaks the APIs sarama lacks (kadm.go).
	franz *franz

	refreshNow chan struct{}
	cancel     context.CancelFunc
	// wg counts the goroutines the client starts once connected, so that
	// none outlives Close; closing, under goMu, refuses new ones once
	// Close has begun.
	goMu      sync.Mutex
	closing   bool
	wg        sync.WaitGroup
	closeOnce sync.Once
}

// Connect reaches the cluster through the first bootstrap broker that
// answers within cfg.ConnectTimeout, then starts the refresh goroutine.
// When none answers it returns a *ConnectError naming every broker tried.
// ctx bounds the connecting only: the client lives until Close.
func Connect(ctx context.Context, cfg Config) (*Client, error) {
	cfg = cfg.withDefaults()
	if len(cfg.Brokers) == 0 {
		return nil, errors.New("no bootstrap brokers given")
	}
	sconf, err := cfg.sarama()
	if err != nil {
		return nil, err
	}
	// The probe waits no longer than the connect timeout for an answer,
	// so a broker that reads a TLS hello as a huge request and waits for
	// the rest fails within it.
	probeConf := *sconf
	// Dials and reads give up a little before the probe does, so that what
	// they learnt (a silent TLS handshake, an answer that is not Kafka's)
	// is told rather than "no answer".
	patience := cfg.ConnectTimeout * 4 / 5
	probeConf.Net.ReadTimeout = min(sconf.Net.ReadTimeout, patience)
	probeConf.Net.DialTimeout = min(sconf.Net.DialTimeout, patience)
	// The probe asks ApiVersions itself; sarama asking too on opening would
	// make a listener that is not Kafka cost two read timeouts.
	probeConf.ApiVersionsRequest = false
	seed, versions, err := probe(ctx, cfg, &probeConf)
	if err != nil {
		return nil, err
	}
	if cfg.Version == "" {
		// A copy: the probe's late dials may still read the first one.
		detected := *sconf
		detected.Version = detectVersion(versions)
		sconf = &detected
	}
	rctx, cancel := context.WithCancel(context.Background())
	c := &Client{
		cfg:        cfg,
		sconf:      sconf,
		events:     make(chan Event, 16),
		pool:       newPool(sconf, seed),
		franz:      newFranz(cfg, versions),
		refreshNow: make(chan struct{}, 1),
		cancel:     cancel,
	}
	if c.sconf.Version.IsAtLeast(sarama.V3_0_0_0) {
		for _, k := range versions.ApiKeys {
			if k.ApiKey == apiKeyOffsetFetch {
				c.offsetFetchMax = k.MaxVersion
			}
		}
	}
	// On a KRaft cluster the quorum names the controller, and the first
	// question opens franz's connection: asked beside the first metadata
	// read, its setup does not delay the first publish.
	quorum := make(chan controller, 1)
	c.wg.Go(func() {
		id, ok := c.activeController(rctx)
		quorum <- controller{id, ok}
	})
	// The first metadata is read here, not by the poller: ApiVersions is
	// answered before authentication, so only a real request shows that a
	// SASL listener wants credentials, and the first frame needs it anyway.
	first, err := c.metadata()
	if err != nil {
		cancel()
		c.wg.Wait()
		c.franz.close()
		c.pool.close()
		return nil, fmt.Errorf("reading the cluster's metadata: %w", explain(cfg, err))
	}
	counted := make(chan struct{})
	c.wg.Go(func() { c.poll(rctx, first, quorum, counted) })
	c.wg.Go(func() { c.pollDisk(rctx, counted) })
	c.wg.Go(func() { c.pollHealth(rctx, counted) })
	return c, nil
}

// detectVersion maps what a broker supports to the newest Kafka release
// whose requests it takes, because sarama picks request versions by
// release rather than by asking.
func detectVersion(v *sarama.ApiVersionsResponse) sarama.KafkaVersion {
	maxOf := func(key int16) int16 {
		for _, k := range v.ApiKeys {
			if k.ApiKey == key {
				return k.MaxVersion
			}
		}
		return -1
	}
	switch metadata := maxOf(apiKeyMetadata); {
	case maxOf(apiKeyOffsetFetch) >= 8:
		return sarama.V3_0_0_0
	case metadata >= 11:
		return sarama.V2_8_0_0
	case metadata >= 9:
		return sarama.V2_4_0_0
	case metadata >= 8:
		return sarama.V2_3_0_0
	case metadata >= 7:
		return sarama.V2_1_0_0
	case metadata >= 5:
		return sarama.V1_0_0_0
	}
	return sarama.V0_11_0_0
}

// probe opens every bootstrap broker at once and keeps the first that
// answers an ApiVersions request; the others are closed.
func probe(ctx context.Context, cfg Config, sconf *sarama.Config) (*sarama.Broker, *sarama.ApiVersionsResponse, error) {
	ctx, cancel := context.WithTimeout(ctx, cfg.ConnectTimeout)
	defer cancel()
	type result struct {
		i        int
		b        *sarama.Broker
		versions *sarama.ApiVersionsResponse
		err      error
	}
	results := make(chan result, len(cfg.Brokers))
	for i, addr := range cfg.Brokers {
		go func() {
			b := sarama.NewBroker(addr)
			err := b.Open(sconf)
			var versions *sarama.ApiVersionsResponse
			if err == nil {
				versions, err = b.ApiVersions(&sarama.ApiVersionsRequest{Version: 0})
			}
			if err != nil {
				_ = b.Close()
			}
			results <- result{i, b, versions, err}
		}()
	}
	attempts := make([]BrokerError, len(cfg.Brokers))
	for i, addr := range cfg.Brokers {
		attempts[i] = BrokerError{Addr: addr, Err: errNoAnswer}
	}
	var seed *sarama.Broker
	var versions *sarama.ApiVersionsResponse
	pending := len(cfg.Brokers)
wait:
	for pending > 0 && seed == nil {
		select {
		case r := <-results:
			pending--
			if r.err == nil {
				seed, versions = r.b, r.versions
			} else {
				attempts[r.i].Err = explain(cfg, r.err)
			}
		case <-ctx.Done():
			break wait
		}
	}
	// Late answers still hold connections: close them off the critical
	// path. sarama cannot abandon a dial or a request, so this ends within
	// the probe's timeouts, up to the connect timeout after Connect
	// returned. The client does not wait for it: closing a client soon
	// after it connected would then wait for a broker that never answers.
	go func() {
		for range pending {
			if r := <-results; r.err == nil {
				_ = r.b.Close()
			}
		}
	}()
	if seed == nil {
		return nil, nil, &ConnectError{Timeout: cfg.ConnectTimeout, Attempts: attempts}
	}
	return seed, versions, nil
}

// Events delivers what the client observes. It is closed by Close.
func (c *Client) Events() <-chan Event { return c.events }

// Bootstrap is the list of brokers the client was given.
func (c *Client) Bootstrap() []string { return c.cfg.Brokers }

// Refresh asks the poller for a refresh now instead of at the next tick.
func (c *Client) Refresh() {
	select {
	case c.refreshNow <- struct{}{}:
	default:
	}
}

// Close stops the goroutines, waits for them, and closes every connection.
func (c *Client) Close() {
	c.closeOnce.Do(func() {
		c.goMu.Lock()
		c.closing = true
		c.goMu.Unlock()
		c.cancel()
		c.wg.Wait()
		c.franz.close()
		c.pool.close()
		close(c.events)
	})
}

// askEach runs ask for each key on goroutines Close waits for, and
// returns their answers in the order they came, or ctx's error as soon
// as it ends: a broker slow to answer holds up only a caller that waits.
func askEach[K comparable, A any](ctx context.Context, c *Client, keys []K, ask func(K) A) ([]A, error) {
	answers := make(chan A, len(keys))
	for _, k := range keys {
		if err := c.goTracked(func() { answers <- ask(k) }); err != nil {
			return nil, err
		}
	}
	out := make([]A, 0, len(keys))
	for range keys {
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case a := <-answers:
			out = append(out, a)
		}
	}
	return out, nil
}

// errClosed is the answer of a call made after Close.
var errClosed = errors.New("the client is closed")

// goTracked runs fn in a goroutine Close waits for, so that no request
// the client sent outlives it, even one whose caller stopped waiting. It
// returns errClosed, without running fn, once Close has begun.
func (c *Client) goTracked(fn func()) error {
	c.goMu.Lock()
	defer c.goMu.Unlock()
	if c.closing {
		return errClosed
	}
	c.wg.Go(fn)
	return nil
}

func (c *Client) publish(ctx context.Context, e Event) {
	select {
	case c.events <- e:
	case <-ctx.Done():
	}
}

// String shows who authenticates how, never the password, so that a
// config printed by mistake in a log or a panic gives nothing away.
func (s SASL) String() string { return s.Username + "@" + s.Mechanism }

// GoString keeps %#v as discreet as %v.
func (s SASL) GoString() string { return "kafkaclient.SASL{" + s.String() + "}" }
