package kafkaclient

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/IBM/sarama"
)

// poll refreshes at every tick and whenever Refresh asks, until ctx ends.
// The first refresh uses first, the metadata Connect read, and the
// quorum's answer Connect asked for beside it; counted is closed once it
// has published the message counts.
func (c *Client) poll(ctx context.Context, first *sarama.MetadataResponse, quorum <-chan controller, counted chan<- struct{}) {
	// The first screen does not wait for the quorum's answer, which needs
	// a connection of its own: until it comes the controller is unknown.
	prev := c.refreshWith(ctx, nil, first, func(wait bool) (controller, bool) {
		if !wait {
			select {
			case q := <-quorum:
				return q, true
			default:
				return controller{}, false
			}
		}
		select {
		case q := <-quorum:
			return q, true
		case <-ctx.Done():
			return controller{}, true
		}
	})
	close(counted)
	timer := time.NewTimer(c.cfg.RefreshInterval)
	defer timer.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-timer.C:
		case <-c.refreshNow:
		}
		prev = c.refresh(ctx, prev)
		timer.Reset(c.cfg.RefreshInterval)
	}
}

// refresh publishes the metadata as soon as it is read, then again with
// the new watermarks, so a large cluster's topic list is on screen before
// its message counts are.
func (c *Client) refresh(ctx context.Context, prev *Snapshot) *Snapshot {
	meta, failed, err := c.readMetadata()
	if err != nil {
		return c.refreshFailed(ctx, prev, failed, err)
	}
	return c.refreshWith(ctx, prev, meta, func(bool) (controller, bool) {
		id, ok := c.activeController(ctx)
		return controller{id, ok}, true
	})
}

// refreshFailed publishes a refresh that reached no broker. The brokers
// it tried are down from now on, each with its error: keeping the
// previous snapshot as it was would show them up while none answers.
func (c *Client) refreshFailed(ctx context.Context, prev *Snapshot, failed map[int32]error, err error) *Snapshot {
	snap := withBrokersDown(prev, failed)
	if snap != nil {
		c.snap.Store(snap)
	}
	c.publish(ctx, RefreshFailed{Err: err, At: time.Now(), Snapshot: snap})
	return snap
}

// withBrokersDown is a copy of prev in which each broker of failed is
// down with its error; its topics are prev's, which no one changes. It is
// nil when prev is.
func withBrokersDown(prev *Snapshot, failed map[int32]error) *Snapshot {
	if prev == nil {
		return nil
	}
	out := *prev
	out.Brokers = slices.Clone(prev.Brokers)
	for i := range out.Brokers {
		if err, ok := failed[out.Brokers[i].ID]; ok {
			out.Brokers[i].Up, out.Brokers[i].Err = false, err
		}
	}
	return &out
}

// refreshWith publishes meta, the controller marked as active answers,
// then again with the watermarks.
func (c *Client) refreshWith(ctx context.Context, prev *Snapshot, meta *sarama.MetadataResponse, active func(wait bool) (controller, bool)) *Snapshot {
	c.pool.update(meta.Brokers)
	snap := newSnapshot(meta, prev, time.Now())
	// The Metadata answer's controller stands where there is no quorum
	// to ask (q.ok false).
	named := func(q controller) int32 {
		if q.ok {
			return q.id
		}
		return meta.ControllerID
	}
	q, known := active(false)
	if known {
		snap.withController(named(q))
	} else {
		snap.withController(ControllerUnknown)
	}
	c.snap.Store(snap)
	c.publish(ctx, ClusterUpdated{Snapshot: snap})
	snap = c.withWatermarks(snap)
	if !known {
		// withWatermarks copied the brokers: this snapshot is still ours.
		q, _ = active(true)
		snap.withController(named(q))
	}
	c.snap.Store(snap)
	c.publish(ctx, ClusterUpdated{Snapshot: snap})
	return snap
}

// broker returns a connection to broker id, reading the metadata first
// when the id is new (a coordinator or leader named before the next refresh).
func (c *Client) broker(id int32) (*sarama.Broker, error) {
	b, err := c.pool.get(id)
	if !errors.Is(err, errUnknownBroker) {
		return b, err
	}
	meta, err := c.metadata()
	if err != nil {
		return nil, err
	}
	c.pool.update(meta.Brokers)
	return c.pool.get(id)
}

// metadata asks the brokers in turn for the metadata of every topic.
func (c *Client) metadata() (*sarama.MetadataResponse, error) {
	meta, _, err := c.readMetadata()
	return meta, err
}

// readMetadata is metadata that also says how each known broker it tried
// before one answered failed: every known broker, when none answered.
func (c *Client) readMetadata() (*sarama.MetadataResponse, map[int32]error, error) {
	var errs []error
	failed := map[int32]error{}
	fail := func(b *sarama.Broker, err error) {
		id := c.pool.anyID(b)
		c.pool.report(id, err)
		if id >= 0 {
			failed[id] = err
		}
		errs = append(errs, fmt.Errorf("%s: %w", b.Addr(), err))
	}
	for _, b := range c.pool.any() {
		if err := ensureOpen(b, c.sconf); err != nil {
			fail(b, err)
			continue
		}
		resp, err := b.GetMetadata(sarama.NewMetadataRequest(c.sconf.Version, nil))
		if err != nil {
			fail(b, err)
			continue
		}
		return resp, failed, nil
	}
	return nil, failed, fmt.Errorf("metadata refresh failed: %w", errors.Join(errs...))
}

// newSnapshot turns a metadata response into a Snapshot, carrying over
// the watermarks of prev for partitions that still exist.
func newSnapshot(meta *sarama.MetadataResponse, prev *Snapshot, at time.Time) *Snapshot {
	s := &Snapshot{ControllerID: meta.ControllerID, At: at}
	if meta.ClusterID != nil {
		s.ClusterID = *meta.ClusterID
	}
	if prev != nil {
		s.WatermarksAt = prev.WatermarksAt
	}
	s.Topics = make([]TopicInfo, 0, len(meta.Topics))
	for _, tm := range meta.Topics {
		t := TopicInfo{Name: tm.Name, Internal: tm.IsInternal}
		if !errors.Is(tm.Err, sarama.ErrNoError) {
			t.Err = tm.Err
		}
		var old *TopicInfo
		if prev != nil {
			old = prev.Topic(tm.Name)
		}
		t.Partitions = make([]PartitionInfo, len(tm.Partitions))
		for i, pm := range tm.Partitions {
			p := PartitionInfo{
				ID: pm.ID, Leader: pm.Leader, Epoch: pm.LeaderEpoch,
				Replicas: pm.Replicas, ISR: pm.Isr, Offline: pm.OfflineReplicas,
			}
			if !errors.Is(pm.Err, sarama.ErrNoError) && !errors.Is(pm.Err, sarama.ErrReplicaNotAvailable) {
				p.Err = pm.Err
			}
			if old != nil && int(pm.ID) < len(old.Partitions) && old.Partitions[pm.ID].ID == pm.ID {
				o := old.Partitions[pm.ID]
				p.Low, p.High, p.WatermarksKnown = o.Low, o.High, o.WatermarksKnown
			}
			t.Partitions[i] = p
		}
		byID := func(a, b PartitionInfo) int { return int(a.ID - b.ID) }
		if !slices.IsSortedFunc(t.Partitions, byID) {
			slices.SortFunc(t.Partitions, byID)
		}
		s.Topics = append(s.Topics, t)
	}
	byName := func(a, b TopicInfo) int { return strings.Compare(a.Name, b.Name) }
	if !slices.IsSortedFunc(s.Topics, byName) {
		slices.SortFunc(s.Topics, byName)
	}

	s.Brokers = make([]BrokerInfo, 0, len(meta.Brokers))
	index := make(map[int32]int, len(meta.Brokers))
	for _, b := range meta.Brokers {
		index[b.ID()] = len(s.Brokers)
		s.Brokers = append(s.Brokers, BrokerInfo{
			ID: b.ID(), Addr: b.Addr(), Rack: b.Rack(), Controller: b.ID() == meta.ControllerID, Up: true,
		})
	}
	s.addMissingBrokers(index, prev)
	for ti := range s.Topics {
		for _, p := range s.Topics[ti].Partitions {
			if i, ok := index[p.Leader]; ok {
				s.Brokers[i].Leaders++
			}
			for _, r := range p.Replicas {
				if i, ok := index[r]; ok {
					s.Brokers[i].Replicas++
				}
			}
		}
	}
	slices.SortFunc(s.Brokers, func(a, b BrokerInfo) int { return int(a.ID - b.ID) })
	return s
}

// ErrBrokerNotRegistered is the state of a broker that still holds
// replicas but that the cluster's metadata no longer lists: KRaft drops a
// broker it fenced (stopped, killed, or cut off from the controller).
var ErrBrokerNotRegistered = errors.New("not in the cluster's metadata: stopped, or fenced by the controller")

// addMissingBrokers keeps the brokers that replicas still name, but that
// the metadata left out, as down: a real cluster stops listing a broker it
// fenced, and counting only the listed ones would read "2/2 up" with a
// broker gone. A broker that hosts no replica any more is forgotten.
func (s *Snapshot) addMissingBrokers(index map[int32]int, prev *Snapshot) {
	for _, t := range s.Topics {
		for _, p := range t.Partitions {
			for _, r := range p.Replicas {
				if _, ok := index[r]; ok {
					continue
				}
				b := BrokerInfo{ID: r, Err: ErrBrokerNotRegistered}
				if prev != nil {
					if old := prev.Broker(r); old != nil {
						b.Addr, b.Rack = old.Addr, old.Rack
					}
				}
				index[r] = len(s.Brokers)
				s.Brokers = append(s.Brokers, b)
			}
		}
	}
}

// topicMetadata reads one topic's partitions and leaders.
func (c *Client) topicMetadata(topic string) (*sarama.TopicMetadata, error) {
	resp, err := c.metadataOf(topic)
	if err != nil {
		return nil, fmt.Errorf("metadata of %s: %w", topic, err)
	}
	for _, tm := range resp.Topics {
		if tm.Name != topic {
			continue
		}
		if errors.Is(tm.Err, sarama.ErrUnknownTopicOrPartition) {
			return nil, fmt.Errorf("%w: %s", ErrNoSuchTopic, topic)
		}
		if !errors.Is(tm.Err, sarama.ErrNoError) {
			return nil, fmt.Errorf("topic %s: %w", topic, tm.Err)
		}
		return tm, nil
	}
	return nil, fmt.Errorf("%w: %s", ErrNoSuchTopic, topic)
}
