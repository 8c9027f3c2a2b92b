package kafkaclient

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/IBM/sarama"
)

// Requirements are the durability settings the health checks hold the
// topics to: the replication factor new topics get and each topic's
// min.insync.replicas, under which acks=all producers are refused.
type Requirements struct {
	// DefaultReplicationFactor and DefaultMinISR are a broker's
	// default.replication.factor and min.insync.replicas; 0 when unknown.
	DefaultReplicationFactor, DefaultMinISR int
	// MinISR is each topic's min.insync.replicas, its own or the default.
	MinISR map[string]int
	// MaxTransactionTimeout is the broker's transaction.max.timeout.ms,
	// the longest a transaction may be open; 0 when unknown.
	MaxTransactionTimeout time.Duration
}

// The settings Requirements reads.
const (
	configMinISR    = "min.insync.replicas"
	configDefaultRF = "default.replication.factor"
	configTxnMax    = "transaction.max.timeout.ms"
)

// Requirements reads min.insync.replicas of every topic with one
// DescribeConfigs request naming only that setting, as kafka-topics
// --under-min-isr-partitions needs it, and the defaults from the
// lowest-numbered broker up with a second sent to that broker, since a
// broker describes only its own settings. The same request reads
// transaction.max.timeout.ms, after which an open transaction no
// coordinator will end counts as hanging (Transactions).
func (c *Client) Requirements(ctx context.Context) (Requirements, error) {
	snap := c.snap.Load()
	if snap == nil {
		return Requirements{}, errors.New("describe min.insync.replicas: no metadata yet")
	}
	version := requestVersion(apiKeyDescribeConfigs, c.sconf.Version)
	topics := &sarama.DescribeConfigsRequest{Version: version}
	for _, t := range snap.Topics {
		topics.Resources = append(topics.Resources, &sarama.ConfigResource{Type: sarama.TopicResource, Name: t.Name, ConfigNames: []string{configMinISR}})
	}
	var resp *sarama.DescribeConfigsResponse
	if err := c.askAny(ctx, func(b *sarama.Broker) (err error) {
		resp, err = b.DescribeConfigs(topics)
		return err
	}); err != nil {
		return Requirements{}, fmt.Errorf("describe min.insync.replicas: %w", err)
	}
	out := Requirements{MinISR: map[string]int{}}
	for _, r := range resp.Resources {
		// A topic deleted since the metadata, or one the session may not
		// describe, is left out rather than failing the rest.
		if v, ok := intConfig(r, configMinISR); ok {
			out.MinISR[r.Name] = v
		}
	}
	for _, b := range snap.Brokers {
		if !b.Up {
			continue
		}
		broker, err := c.broker(b.ID)
		if err != nil {
			return out, fmt.Errorf("describe the defaults of broker %d: %w", b.ID, err)
		}
		resp, err := broker.DescribeConfigs(&sarama.DescribeConfigsRequest{Version: version, Resources: []*sarama.ConfigResource{{
			Type: sarama.BrokerResource, Name: strconv.Itoa(int(b.ID)), ConfigNames: []string{configMinISR, configDefaultRF, configTxnMax}}}})
		if err != nil {
			return out, fmt.Errorf("describe the defaults of broker %d: %w", b.ID, err)
		}
		for _, r := range resp.Resources {
			out.DefaultMinISR, _ = intConfig(r, configMinISR)
			out.DefaultReplicationFactor, _ = intConfig(r, configDefaultRF)
			if ms, ok := intConfig(r, configTxnMax); ok && ms > 0 {
				out.MaxTransactionTimeout = time.Duration(ms) * time.Millisecond
				c.txnMaxTimeout.Store(int64(ms))
			}
		}
		break
	}
	return out, ctx.Err()
}

// intConfig is the whole-number value of setting name in r.
func intConfig(r *sarama.ResourceResponse, name string) (int, bool) {
	if r.ErrorCode != 0 {
		return 0, false
	}
	for _, e := range r.Configs {
		if e.Name == name {
			n, err := strconv.Atoi(e.Value)
			return n, err == nil
		}
	}
	return 0, false
}

// HealthRead carries what the health checks read beyond the metadata and
// the disks, every HealthInterval: the durability settings and the
// transactions. Each part that failed has its error and is nil.
type HealthRead struct {
	Requirements    *Requirements
	RequirementsErr error
	Transactions    []Transaction
	TransactionsErr error
	At              time.Time
}

func (HealthRead) event() {}

// pollHealth reads the requirements and the transactions once the first
// screen has settled (afterStartup), then every HealthInterval, until ctx
// ends.
func (c *Client) pollHealth(ctx context.Context, counted <-chan struct{}) {
	if c.cfg.HealthInterval <= 0 {
		return
	}
	if !afterStartup(ctx, counted) {
		return
	}
	for {
		var e HealthRead
		if req, err := c.Requirements(ctx); err != nil {
			e.RequirementsErr = err
		} else {
			e.Requirements = &req
		}
		e.Transactions, e.TransactionsErr = c.Transactions(ctx)
		if ctx.Err() != nil {
			return
		}
		e.At = time.Now()
		c.publish(ctx, e)
		select {
		case <-ctx.Done():
			return
		case <-time.After(c.cfg.HealthInterval):
		}
	}
}

// PartitionProblems are a topic's partitions in trouble, each judged as
// kafka-topics --describe judges it with --unavailable-partitions,
// --under-min-isr-partitions and --under-replicated-partitions.
type PartitionProblems struct {
	// Offline have no leader: nothing can be read or written.
	Offline []int32
	// UnderMinISR have no leader or fewer in-sync replicas than
	// min.insync.replicas: acks=all writes fail.
	UnderMinISR []int32
	// UnderReplicated have replicas out of the ISR.
	UnderReplicated []int32
}

// Problems judges t's partitions; minISR 0 (unknown) judges none under
// min ISR.
func (t *TopicInfo) Problems(minISR int) PartitionProblems {
	var out PartitionProblems
	for i := range t.Partitions {
		p := &t.Partitions[i]
		if p.IsOffline() {
			out.Offline = append(out.Offline, p.ID)
		}
		if minISR > 0 && (p.IsOffline() || len(p.ISR) < minISR) {
			out.UnderMinISR = append(out.UnderMinISR, p.ID)
		}
		if p.IsUnderReplicated() {
			out.UnderReplicated = append(out.UnderReplicated, p.ID)
		}
	}
	return out
}
