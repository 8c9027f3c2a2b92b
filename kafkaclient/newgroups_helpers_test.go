package kafkaclient

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"
)

// newGroupsCluster is a cluster whose consumer-protocol and share groups
// heartbeat every 200 ms, so that a member learns its new target within
// a fraction of a second, and whose consumer-protocol sessions last 2 s.
func newGroupsCluster(t testing.TB, brokers int, opts ...kfake.Opt) *kfake.Cluster {
	t.Helper()
	return groupCluster(t, brokers, append([]kfake.Opt{kfake.BrokerConfigs(map[string]string{
		"group.consumer.heartbeat.interval.ms": "200",
		"group.consumer.session.timeout.ms":    "2000",
		"group.share.heartbeat.interval.ms":    "200",
	})}, opts...)...)
}

// franzMember is one franz-go consumer of a consumer-protocol or share
// group, polling until stopped.
type franzMember struct {
	cl     *kgo.Client
	cancel context.CancelFunc
	done   chan struct{}
}

// startNextGen joins a consumer-protocol (KIP-848) group on topics: the
// coordinator assigns, with its uniform assignor.
func startNextGen(t testing.TB, c *kfake.Cluster, group, clientID string, topics ...string) *franzMember {
	t.Helper()
	return startFranz(t, c, clientID, kgo.ConsumerGroup(group), kgo.ConsumeTopics(topics...),
		kgo.ServerSideBalancer(), kgo.Balancers(kgo.StickyBalancer()),
		kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()), kgo.AutoCommitInterval(100*time.Millisecond))
}

// startShare joins share group on topics.
func startShare(t testing.TB, c *kfake.Cluster, group, clientID string, topics ...string) *franzMember {
	t.Helper()
	return startFranz(t, c, clientID, kgo.ShareGroup(group), kgo.ConsumeTopics(topics...))
}

func startFranz(t testing.TB, c *kfake.Cluster, clientID string, opts ...kgo.Opt) *franzMember {
	t.Helper()
	opts = append([]kgo.Opt{kgo.SeedBrokers(c.ListenAddrs()...), kgo.ClientID(clientID),
		kgo.FetchMaxWait(100 * time.Millisecond), kgo.RequestTimeoutOverhead(2 * time.Second)}, opts...)
	cl, err := kgo.NewClient(opts...)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	m := &franzMember{cl: cl, cancel: cancel, done: make(chan struct{})}
	go func() {
		defer close(m.done)
		for {
			fs := cl.PollFetches(ctx)
			if errors.Is(ctx.Err(), context.Canceled) || fs.IsClientClosed() {
				return
			}
		}
	}()
	t.Cleanup(m.stop)
	return m
}

// stop leaves the group cleanly; it may be called more than once.
func (m *franzMember) stop() {
	select {
	case <-m.done:
		return
	default:
	}
	m.cancel()
	<-m.done
	m.cl.Close()
}

// memberID is the member ID the coordinator knows this member by.
func (m *franzMember) memberID() string {
	id, _ := m.cl.GroupMetadata()
	return id
}
