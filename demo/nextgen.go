package demo

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"
)

// Groups of the protocols Kafka 4 brought, run by franz-go clients since
// sarama speaks neither.
const (
	// groupShipping is a consumer-protocol group (KIP-848): the
	// coordinator assigns, and one of its members leaves and comes back
	// every half minute or so, so its timeline shows reconciliations.
	groupShipping = "shipping"
	// groupNotify is a share group (KIP-932) of two members sharing the
	// partitions of user-events, as a queue's workers do.
	groupNotify = "notifications"
)

// nextGenBrokerConfigs make the new groups' members heartbeat every
// second: a member learns its new target assignment at its next
// heartbeat, so Kafka's default of 5 s would draw every reconciliation
// out over seconds. A member that stops heartbeating is fenced after 10 s.
var nextGenBrokerConfigs = map[string]string{
	"group.consumer.heartbeat.interval.ms": "1000",
	"group.consumer.session.timeout.ms":    "10000",
	"group.share.heartbeat.interval.ms":    "1000",
}

// startNextGenGroups starts shipping's three members, the roller that
// keeps one of them leaving and rejoining, and notifications' two.
func (w *workload) startNextGenGroups(ctx context.Context) {
	shipping := make([]rollable, 3)
	for i := range shipping {
		m := w.newFranzMember(groupShipping, i, kgo.ConsumerGroup(groupShipping), kgo.ConsumeTopics(topicOrders),
			// The uniform assignor, run by the coordinator.
			kgo.ServerSideBalancer(), kgo.Balancers(kgo.StickyBalancer()),
			kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()), kgo.AutoCommitInterval(time.Second))
		m.start(ctx)
		shipping[i] = m
	}
	w.goRun(func() { w.roll(ctx, shipping) })
	for i := range 2 {
		w.newFranzMember(groupNotify, i, kgo.ShareGroup(groupNotify), kgo.ConsumeTopics(topicUsers)).start(ctx)
	}
}

// franzMember is one member of a consumer-protocol or share group, with
// its own franz-go client.
type franzMember struct {
	w        *workload
	group    string
	clientID string
	opts     []kgo.Opt

	cancel context.CancelFunc
	done   chan struct{}
}

func (w *workload) newFranzMember(group string, i int, opts ...kgo.Opt) *franzMember {
	return &franzMember{w: w, group: group, clientID: fmt.Sprintf("%s-%d", group, i+1), opts: opts}
}

func (m *franzMember) label() string { return m.clientID + " of " + m.group }

// start runs the member until ctx is done or stop is called.
func (m *franzMember) start(ctx context.Context) {
	ctx, m.cancel = context.WithCancel(ctx)
	m.done = make(chan struct{})
	m.w.goRun(func() {
		defer close(m.done)
		m.run(ctx)
	})
}

// stop makes the member leave its group and waits until it has.
func (m *franzMember) stop() {
	m.cancel()
	<-m.done
}

func (m *franzMember) run(ctx context.Context) {
	opts := append([]kgo.Opt{kgo.SeedBrokers(m.w.addrs...), kgo.ClientID(m.clientID),
		kgo.DialTimeout(5 * time.Second), kgo.FetchMaxWait(500 * time.Millisecond)}, m.opts...)
	cl, err := kgo.NewClient(opts...)
	if err != nil {
		m.w.logf("demo: %s: %v", m.clientID, err)
		return
	}
	// Close leaves the group, so the others get its partitions at once
	// instead of after a session timeout.
	defer cl.Close()
	for {
		fs := cl.PollFetches(ctx)
		if ctx.Err() != nil || fs.IsClientClosed() {
			return
		}
		fs.EachError(func(topic string, p int32, err error) {
			if !errors.Is(err, context.Canceled) {
				m.w.logf("demo: %s: %s/%d: %v", m.clientID, topic, p, err)
			}
		})
	}
}
