// Package demo runs kscope's embedded demo cluster: an in-process
// Kafka-protocol cluster (kfake) with a live workload of producers and
// consumer groups, so every screen of kscope has something real to show
// without a Kafka installation.
//
// The workload speaks the real wire protocol through sarama (and, for the
// consumer-protocol and share groups sarama does not speak, franz-go),
// exactly as any other client would: the groups join, heartbeat,
// rebalance and commit, so what kscope shows of them is what it would
// show of a real cluster.
package demo

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"net"
	"strconv"
	"sync"
	"syscall"
	"time"

	"github.com/twmb/franz-go/pkg/kfake"
)

// Options configures the demo cluster.
type Options struct {
	// Listen is "host:port" of the first broker; the others take the next ports. Empty: random loopback ports.
	Listen string
	// Brokers is the number of brokers; 0 means 3.
	Brokers int
	// Logf, if non-nil, receives workload diagnostics (never the terminal while the UI runs).
	Logf func(format string, args ...any)
}

// Cluster is a running demo cluster with its workload and its Schema Registry.
type Cluster struct {
	kc      *kfake.Cluster
	addrs   []string
	schemas *schemaDemo
	cancel  context.CancelFunc
	wg      sync.WaitGroup
	once    sync.Once
}

// Start starts the cluster, creates and seeds the demo topics, leaves a
// stopped consumer group behind and starts the workload. It returns once the
// cluster accepts connections and the topics exist; the workload runs in
// goroutines until Close is called or ctx is done.
func Start(ctx context.Context, opts Options) (*Cluster, error) {
	brokers := opts.Brokers
	switch {
	case brokers == 0:
		brokers = 3
	case brokers < 0:
		return nil, fmt.Errorf("demo: %d brokers: need at least one", brokers)
	}
	logf := opts.Logf
	if logf == nil {
		logf = func(string, ...any) {}
	}

	kopts := []kfake.Opt{
		kfake.ClusterID("kscope-demo"),
		kfake.NumBrokers(brokers),
		// The demo's groups use 6 s sessions, kfake's floor; a lower floor
		// lets people who point their own consumers at the demo try short
		// timeouts too.
		kfake.GroupMinSessionTimeout(time.Second),
		kfake.BrokerConfigs(brokerConfigs()),
		kfake.ListenFn(listen),
	}
	ports, err := brokerPorts(opts.Listen, brokers)
	if err != nil {
		return nil, err
	}
	if ports != nil {
		kopts = append(kopts, kfake.Ports(ports...))
	}
	kc, err := kfake.NewCluster(kopts...)
	if err != nil {
		return nil, fmt.Errorf("demo: %w", err)
	}

	c := &Cluster{kc: kc, addrs: kc.ListenAddrs()}
	w := &workload{
		addrs:       c.addrs,
		logf:        logf,
		replication: int16(min(3, brokers)),
		records:     newRecords(),
		wg:          &c.wg,
	}
	if err := w.prepare(ctx); err != nil {
		kc.Close()
		return nil, fmt.Errorf("demo: %w", err)
	}
	// The registry takes the port after the brokers' when they have fixed ones.
	registryPort := 0
	if ports != nil {
		registryPort = ports[len(ports)-1] + 1
	}
	if c.schemas, err = startSchemas(w, registryPort); err != nil {
		kc.Close()
		c.wg.Wait()
		return nil, fmt.Errorf("demo: %w", err)
	}
	wctx, cancel := context.WithCancel(ctx)
	c.cancel = cancel
	w.run(wctx)
	c.schemas.run(wctx, w)
	if err := w.awaitGroups(wctx, 10*time.Second); err != nil {
		if ctx.Err() != nil {
			c.Close()
			return nil, fmt.Errorf("demo: %w", ctx.Err())
		}
		// The groups may still form; the rest of the demo works meanwhile.
		logf("demo: %v", err)
	}
	return c, nil
}

// RegistryURL is where the demo's Schema Registry answers.
func (c *Cluster) RegistryURL() string { return c.schemas.URL() }

// Addrs returns the bootstrap addresses of the brokers, "127.0.0.1:port".
func (c *Cluster) Addrs() []string { return append([]string(nil), c.addrs...) }

// Close stops the workload, waits for all its goroutines, then shuts the
// cluster down. It may be called more than once.
func (c *Cluster) Close() {
	c.once.Do(func() {
		// The workload goes first: its consumers leave their groups and its
		// producer flushes while the brokers can still answer.
		c.cancel()
		c.schemas.close()
		c.wg.Wait()
		c.kc.Close()
	})
}

// brokerConfigs are the demo brokers' settings. Retention and compaction
// run on kfake's cleaner tick, hourly by default; every ten seconds keeps
// the records held close to the retention caps, and lets a demo session
// see the compacted topic shrink and old log lines fall off.
func brokerConfigs() map[string]string {
	configs := map[string]string{"log.cleaner.backoff.ms": "10000"}
	maps.Copy(configs, nextGenBrokerConfigs)
	return configs
}

// brokerPorts turns Listen into one port per broker, or nil for random ports.
func brokerPorts(listen string, brokers int) ([]int, error) {
	if listen == "" {
		return nil, nil
	}
	host, portText, err := net.SplitHostPort(listen)
	if err != nil {
		return nil, fmt.Errorf("demo: listen address %q: want host:port, e.g. 127.0.0.1:9092", listen)
	}
	if host != "127.0.0.1" && host != "localhost" {
		return nil, fmt.Errorf("demo: listen address %q: the demo cluster listens on 127.0.0.1 only; use 127.0.0.1:PORT", listen)
	}
	port, err := strconv.Atoi(portText)
	if err != nil || port < 0 || port > 65535 {
		return nil, fmt.Errorf("demo: listen address %q: port must be a number from 0 to 65535", listen)
	}
	if port == 0 {
		return nil, nil
	}
	if last := port + brokers - 1; last > 65535 {
		return nil, fmt.Errorf("demo: listen address %q: %d brokers need ports %d to %d, past 65535", listen, brokers, port, last)
	}
	ports := make([]int, brokers)
	for i := range ports {
		ports[i] = port + i
	}
	return ports, nil
}

// listen is kfake's listener with errors that name the port, since kfake
// reports a failed bind without saying which broker it was for.
func listen(network, address string) (net.Listener, error) {
	ln, err := net.Listen(network, address)
	if err == nil {
		return ln, nil
	}
	if errors.Is(err, syscall.EADDRINUSE) {
		_, port, _ := net.SplitHostPort(address)
		return nil, fmt.Errorf("port %s is already in use: %w", port, err)
	}
	return nil, fmt.Errorf("cannot listen on %s: %w", address, err)
}
