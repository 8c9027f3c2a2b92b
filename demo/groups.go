package demo

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/IBM/sarama"
)

// Group names, shared by the workload and the tests.
const (
	// groupBilling keeps up with orders and payments.
	groupBilling = "billing-service"
	// groupAnalytics reads at half the produce rate, so its lag grows.
	groupAnalytics = "analytics-etl"
	// groupInventory loses and regains a member every half minute or so.
	groupInventory = "inventory-sync"
	// groupLegacy committed offsets once and has had no members since.
	groupLegacy = "legacy-reporting"
)

// analyticsShare is the fraction of its topics' produce rate that
// analytics-etl manages to read.
const analyticsShare = 0.5

// consumerConfig is the configuration of a group member's own client. Each
// member has its own client: a consumer sharing a client waits behind
// another's long-poll fetch.
func (w *workload) consumerConfig(clientID string) *sarama.Config {
	cfg := w.config(clientID)
	cfg.Consumer.Return.Errors = true
	cfg.Consumer.Offsets.Initial = sarama.OffsetOldest
	cfg.Consumer.Offsets.AutoCommit.Interval = time.Second
	// Short sessions make a lost member visible within seconds.
	cfg.Consumer.Group.Session.Timeout = 6 * time.Second
	cfg.Consumer.Group.Heartbeat.Interval = 2 * time.Second
	cfg.Consumer.Group.Rebalance.Timeout = 10 * time.Second
	cfg.Consumer.Group.Rebalance.Retry.Backoff = 500 * time.Millisecond
	// A fetch with nothing to return waits half a second at the broker,
	// so an idle member costs a couple of requests a second per broker.
	cfg.Consumer.MaxWaitTime = 500 * time.Millisecond
	// Buffers sized for a consumer that keeps up, not sarama's defaults
	// (1 MB fetches, 256 records a partition), which only cost memory here.
	cfg.Consumer.Fetch.Default = 256 << 10
	cfg.ChannelBufferSize = 64
	return cfg
}

// startGroups starts the members of the live groups, and the roller that
// keeps one inventory-sync member leaving and rejoining.
func (w *workload) startGroups(ctx context.Context) {
	for i := range 2 {
		w.newMember(groupBilling, i, []string{topicOrders, topicPayments}, keepUp{}, func(cfg *sarama.Config) {
			cfg.Consumer.Group.Rebalance.GroupStrategies = []sarama.BalanceStrategy{sarama.NewBalanceStrategySticky()}
		}).start(ctx)
	}

	var rate float64
	for _, t := range topicSpecs {
		if t.name == topicUsers || t.name == topicOrders {
			rate += t.rate
		}
	}
	slow := &throttled{every: time.Duration(float64(time.Second) / (rate * analyticsShare))}
	w.newMember(groupAnalytics, 0, []string{topicUsers, topicOrders}, slow, func(cfg *sarama.Config) {
		// A reader this far behind always finds data: small fetches and
		// buffers keep what it holds unread small, and with it the time
		// it takes to notice that its position fell off the log.
		cfg.Consumer.Fetch.Default = 4 << 10
		cfg.ChannelBufferSize = 4
		// Its claims wait on the throttle; a longer grace than sarama's
		// 100ms saves re-subscribing them on every fetch.
		cfg.Consumer.MaxProcessingTime = time.Second
	}).start(ctx)

	inventory := make([]rollable, 3)
	for i := range inventory {
		m := w.newMember(groupInventory, i, []string{topicOrders}, keepUp{}, func(cfg *sarama.Config) {
			// Cooperative: its members name their generation when they
			// rejoin, so its rebalances show generation changes.
			cfg.Consumer.Group.Rebalance.GroupStrategies = []sarama.BalanceStrategy{sarama.NewBalanceStrategyCooperativeSticky()}
		})
		m.start(ctx)
		inventory[i] = m
	}
	w.goRun(func() { w.roll(ctx, inventory) })
}

// rollable is a group member the roller can stop and start again.
type rollable interface {
	start(ctx context.Context)
	stop()
	label() string
}

// roll closes a random member of a group cleanly every 30 to 60 s and starts
// it again 5 to 15 s later, so the group keeps rebalancing: members leave and
// join, the generation (or the epoch) climbs, partitions move.
func (w *workload) roll(ctx context.Context, members []rollable) {
	for {
		if !sleep(ctx, 30*time.Second+rand.N(30*time.Second)) {
			return
		}
		m := members[rand.IntN(len(members))]
		away := 5*time.Second + rand.N(10*time.Second)
		w.logf("demo: %s leaves for %v", m.label(), away.Round(time.Second))
		m.stop()
		if !sleep(ctx, away) {
			return
		}
		w.logf("demo: %s rejoins", m.label())
		m.start(ctx)
	}
}

// member is one consumer of a group, with its own client.
type member struct {
	w        *workload
	group    string
	clientID string
	topics   []string
	handler  sarama.ConsumerGroupHandler
	tune     func(*sarama.Config)

	cancel context.CancelFunc
	done   chan struct{}
}

func (w *workload) newMember(group string, i int, topics []string, h sarama.ConsumerGroupHandler, tune func(*sarama.Config)) *member {
	return &member{w: w, group: group, clientID: fmt.Sprintf("%s-%d", group, i+1), topics: topics, handler: h, tune: tune}
}

func (m *member) label() string { return m.clientID + " of " + m.group }

// start runs the member until ctx is done or stop is called.
func (m *member) start(ctx context.Context) {
	ctx, m.cancel = context.WithCancel(ctx)
	m.done = make(chan struct{})
	m.w.goRun(func() {
		defer close(m.done)
		m.run(ctx)
	})
}

// stop makes the member leave its group and waits until it has.
func (m *member) stop() {
	m.cancel()
	<-m.done
}

func (m *member) run(ctx context.Context) {
	var cg sarama.ConsumerGroup
	for {
		// A fresh config per client: sarama keeps per-client state in it.
		cfg := m.w.consumerConfig(m.clientID)
		m.tune(cfg)
		var err error
		if cg, err = sarama.NewConsumerGroup(m.w.addrs, m.group, cfg); err == nil {
			break
		}
		m.w.logf("demo: %s: %v", m.clientID, err)
		if !sleep(ctx, 2*time.Second) {
			return
		}
	}
	var errs sync.WaitGroup
	errs.Go(func() {
		for err := range cg.Errors() {
			m.w.logf("demo: %s: %v", m.clientID, err)
		}
	})
	// Consume returns at every rebalance; joining again is the loop.
	for ctx.Err() == nil {
		sess, end := context.WithCancel(ctx)
		err := cg.Consume(sess, m.topics, rejoining{ConsumerGroupHandler: m.handler, end: end})
		end()
		if err != nil && ctx.Err() == nil {
			m.w.logf("demo: %s: %v", m.clientID, err)
			sleep(ctx, time.Second)
		}
	}
	// Close leaves the group, so the others rebalance at once instead of
	// after a session timeout.
	if err := cg.Close(); err != nil {
		m.w.logf("demo: %s: close: %v", m.clientID, err)
	}
	errs.Wait()
}

// rejoining ends the session when one of its claims ends before the
// session does. sarama gives up on a partition whose fetch offset fell off
// the log (retention or deleted records) and would leave it unread for the
// rest of the session; joining again starts it at the oldest record
// (Consumer.Group.ResetInvalidOffsets), as a real consumer configured with
// auto.offset.reset=earliest would.
type rejoining struct {
	sarama.ConsumerGroupHandler
	end context.CancelFunc
}

func (h rejoining) ConsumeClaim(sess sarama.ConsumerGroupSession, claim sarama.ConsumerGroupClaim) error {
	err := h.ConsumerGroupHandler.ConsumeClaim(sess, claim)
	if sess.Context().Err() == nil {
		h.end()
	}
	return err
}

// keepUp marks every record as soon as it arrives.
type keepUp struct{}

func (keepUp) Setup(sarama.ConsumerGroupSession) error   { return nil }
func (keepUp) Cleanup(sarama.ConsumerGroupSession) error { return nil }

func (keepUp) ConsumeClaim(sess sarama.ConsumerGroupSession, claim sarama.ConsumerGroupClaim) error {
	for {
		select {
		case msg, ok := <-claim.Messages():
			if !ok {
				return nil
			}
			sess.MarkMessage(msg, "")
		case <-sess.Context().Done():
			return nil
		}
	}
}

// throttled marks records no faster than one per every, across all its
// claims, like a consumer bound by a slow downstream.
type throttled struct {
	every time.Duration

	mu   sync.Mutex
	next time.Time
}

func (*throttled) Setup(sarama.ConsumerGroupSession) error   { return nil }
func (*throttled) Cleanup(sarama.ConsumerGroupSession) error { return nil }

func (t *throttled) ConsumeClaim(sess sarama.ConsumerGroupSession, claim sarama.ConsumerGroupClaim) error {
	for {
		select {
		case msg, ok := <-claim.Messages():
			if !ok {
				return nil
			}
			if !sleep(sess.Context(), t.reserve()) {
				return nil
			}
			sess.MarkMessage(msg, "")
		case <-sess.Context().Done():
			return nil
		}
	}
}

// reserve books the next free slot and returns how long until it comes.
// Idle time earns no credit, so the rate holds after a pause too.
func (t *throttled) reserve() time.Duration {
	t.mu.Lock()
	defer t.mu.Unlock()
	now := time.Now()
	if t.next.Before(now) {
		t.next = now
	}
	wait := t.next.Sub(now)
	t.next = t.next.Add(t.every)
	return wait
}

// leaveStoppedGroup joins legacy-reporting once, commits an offset about
// 60% into the history of each of its partitions, and leaves: a group with
// committed offsets, a growing lag and no members.
func (w *workload) leaveStoppedGroup(ctx context.Context, ends map[string]map[int32]int64) error {
	cg, err := sarama.NewConsumerGroup(w.addrs, groupLegacy, w.consumerConfig(groupLegacy+"-1"))
	if err != nil {
		return fmt.Errorf("connect %s: %w", groupLegacy, err)
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	err = cg.Consume(ctx, []string{topicPayments, topicAudit}, commitOnce{ends: ends, done: cancel})
	// Close reports what went wrong during the session, a failed commit
	// included. A demo whose stopped group lacks offsets is still a demo,
	// so that is worth a diagnostic, not a failed start.
	if cerr := cg.Close(); cerr != nil {
		w.logf("demo: %s: %v", groupLegacy, cerr)
	}
	if err != nil {
		return fmt.Errorf("join %s: %w", groupLegacy, err)
	}
	return nil
}

// commitOnce commits fixed offsets as soon as it has its partitions, then
// ends the session.
type commitOnce struct {
	ends map[string]map[int32]int64
	done context.CancelFunc
}

func (h commitOnce) Setup(sess sarama.ConsumerGroupSession) error {
	for topic, partitions := range sess.Claims() {
		for _, p := range partitions {
			sess.MarkOffset(topic, p, h.ends[topic][p]*6/10, "")
		}
	}
	sess.Commit()
	h.done()
	return nil
}

func (commitOnce) Cleanup(sarama.ConsumerGroupSession) error { return nil }

func (commitOnce) ConsumeClaim(sess sarama.ConsumerGroupSession, _ sarama.ConsumerGroupClaim) error {
	<-sess.Context().Done()
	return nil
}
