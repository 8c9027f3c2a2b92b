package kafkaclient

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/IBM/sarama"
)

// ErrNoSuchGroup is returned for a group the cluster does not know.
var ErrNoSuchGroup = errors.New("no such group")

// Groups observes every group of the cluster. Its cost does not grow
// with the number of groups in requests: one ListGroups per broker (each
// answers for the groups it coordinates), one DescribeGroups per
// coordinator for all its groups, OffsetFetch batched per coordinator
// where the cluster takes many groups per request (OffsetFetch v8,
// Kafka 3.0) and one per group where it does not, and one ListOffsets
// per partition leader for the log ends. A group whose requests fail is
// returned with Err set; the others are not held up. When ctx ends, no
// request is sent any more and Groups returns ctx's error.
func (c *Client) Groups(ctx context.Context) ([]GroupInfo, error) {
	byCoordinator, err := c.listGroups(ctx)
	if err != nil {
		return nil, err
	}
	// A coordinator that is slow to answer costs only its own groups: the
	// others are shown without waiting for it.
	deadline := time.Now().Add(groupsPatience)
	results := make(chan []GroupInfo, len(byCoordinator))
	for coord, names := range byCoordinator {
		if err := c.goTracked(func() { results <- c.describeAt(ctx, coord, names) }); err != nil {
			return nil, err
		}
	}
	late := time.NewTimer(time.Until(deadline))
	defer late.Stop()
	var out []GroupInfo
	answered := map[int32]bool{}
	for len(answered) < len(byCoordinator) {
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case gs := <-results:
			if len(gs) > 0 {
				answered[gs[0].Coordinator] = true
			}
			out = append(out, gs...)
		case <-late.C:
			for coord, names := range byCoordinator {
				if answered[coord] {
					continue
				}
				answered[coord] = true
				for _, n := range names {
					out = append(out, GroupInfo{Name: n, Coordinator: coord, Generation: -1, At: time.Now(),
						Err: fmt.Errorf("coordinator %d did not answer within %s", coord, groupsPatience)})
				}
			}
		}
	}
	// A second more at least, so a coordinator that used up the patience
	// does not leave every log end unknown too.
	if floor := time.Now().Add(time.Second); deadline.Before(floor) {
		deadline = floor
	}
	if err := c.fillLogEnds(ctx, out, deadline); err != nil {
		return nil, err
	}
	// Groups that failed because ctx ended are no answer either.
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	slices.SortFunc(out, func(a, b GroupInfo) int { return strings.Compare(a.Name, b.Name) })
	return out, nil
}

// groupsPatience is how long a refresh of all groups waits for slow brokers.
const groupsPatience = 5 * time.Second

// Group observes one group, asking its coordinator (found again if the
// coordinator moved).
func (c *Client) Group(ctx context.Context, name string) (GroupInfo, error) {
	for attempt := 0; attempt < 2; attempt++ {
		err := ctx.Err()
		var coord int32
		if err == nil {
			coord, err = c.coordinator(name, attempt > 0)
		}
		if err != nil {
			return GroupInfo{Name: name, Err: err, At: time.Now()}, err
		}
		g := c.describeAt(ctx, coord, []string{name})[0]
		if errors.Is(g.Err, sarama.ErrNotCoordinatorForConsumer) || errors.Is(g.Err, sarama.ErrConsumerCoordinatorNotAvailable) {
			continue
		}
		groups := []GroupInfo{g}
		if err := c.fillLogEnds(ctx, groups, time.Now().Add(groupsPatience)); err != nil {
			return GroupInfo{Name: name, Err: err, At: time.Now()}, err
		}
		return groups[0], groups[0].Err
	}
	err := fmt.Errorf("group %s: the coordinator keeps moving", name)
	return GroupInfo{Name: name, Err: err, At: time.Now()}, err
}

// listGroups asks every broker for the groups it coordinates.
func (c *Client) listGroups(ctx context.Context) (map[int32][]string, error) {
	ids := c.pool.ids()
	if len(ids) == 0 {
		if _, err := c.metadata(); err != nil {
			return nil, err
		}
		ids = c.pool.ids()
	}
	var mu sync.Mutex
	out := map[int32][]string{}
	var errs []error
	var wg sync.WaitGroup
	for _, id := range ids {
		wg.Go(func() {
			if ctx.Err() != nil {
				return
			}
			b, err := c.pool.get(id)
			var resp *sarama.ListGroupsResponse
			if err == nil {
				resp, err = b.ListGroups(&sarama.ListGroupsRequest{})
			}
			if err == nil && !errors.Is(resp.Err, sarama.ErrNoError) {
				err = resp.Err
			}
			c.pool.report(id, err)
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				errs = append(errs, fmt.Errorf("broker %d: %w", id, err))
				return
			}
			for name := range resp.Groups {
				out[id] = append(out[id], name)
			}
		})
	}
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if len(errs) == len(ids) {
		return nil, fmt.Errorf("list groups: %w", errors.Join(errs...))
	}
	return out, nil
}

// coordinator finds the broker coordinating group.
func (c *Client) coordinator(group string, fresh bool) (int32, error) {
	if !fresh {
		c.coordMu.Lock()
		id, ok := c.coords[group]
		c.coordMu.Unlock()
		if ok {
			return id, nil
		}
	}
	var errs []error
	for _, b := range c.pool.any() {
		if err := ensureOpen(b, c.sconf); err != nil {
			errs = append(errs, err)
			continue
		}
		resp, err := b.FindCoordinator(&sarama.FindCoordinatorRequest{Version: 2, CoordinatorKey: group, CoordinatorType: sarama.CoordinatorGroup})
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if !errors.Is(resp.Err, sarama.ErrNoError) {
			return -1, fmt.Errorf("find coordinator of %s: %w", group, resp.Err)
		}
		c.coordMu.Lock()
		if c.coords == nil {
			c.coords = map[string]int32{}
		}
		c.coords[group] = resp.Coordinator.ID()
		c.coordMu.Unlock()
		return resp.Coordinator.ID(), nil
	}
	return -1, fmt.Errorf("find coordinator of %s: %w", group, errors.Join(errs...))
}

// describeAt describes groups and reads their committed offsets at their
// coordinator; log ends are filled in later for all groups at once.
func (c *Client) describeAt(ctx context.Context, coord int32, names []string) []GroupInfo {
	now := time.Now()
	out := make([]GroupInfo, len(names))
	for i, n := range names {
		out[i] = GroupInfo{Name: n, Coordinator: coord, Generation: -1, At: now}
	}
	fail := func(err error) []GroupInfo {
		for i := range out {
			out[i].Err = err
		}
		return out
	}
	if err := ctx.Err(); err != nil {
		return fail(err)
	}
	b, err := c.broker(coord)
	if err != nil {
		c.pool.report(coord, err)
		return fail(fmt.Errorf("coordinator %d: %w", coord, err))
	}
	var desc *sarama.DescribeGroupsResponse
	var descErr error
	offsets := make([]map[string]map[int32]*sarama.OffsetFetchResponseBlock, len(names))
	offErrs := make([]error, len(names))
	var wg sync.WaitGroup
	wg.Go(func() {
		desc, descErr = b.DescribeGroups(&sarama.DescribeGroupsRequest{Version: requestVersion(apiKeyDescribeGroups, c.sconf.Version), Groups: names})
	})
	wg.Go(func() { c.fetchOffsets(b, names, offsets, offErrs) })
	wg.Wait()
	c.pool.report(coord, descErr)
	if descErr != nil {
		return fail(fmt.Errorf("describe groups at %d: %w", coord, descErr))
	}
	byName := map[string]*sarama.GroupDescription{}
	for _, d := range desc.Groups {
		byName[d.GroupId] = d
	}
	for i := range out {
		g := &out[i]
		d, ok := byName[g.Name]
		switch {
		case !ok:
			g.Err = errors.New("the coordinator did not describe the group")
			continue
		case errors.Is(d.Err, sarama.ErrGroupIDNotFound):
			g.State, g.Err = "Dead", fmt.Errorf("%w: %s", ErrNoSuchGroup, g.Name)
			continue
		case !errors.Is(d.Err, sarama.ErrNoError):
			g.Err = d.Err
			continue
		}
		g.State, g.ProtocolType, g.Protocol = d.State, d.ProtocolType, d.Protocol
		owners := map[TopicPartition]string{}
		for id, m := range d.Members {
			gm := GroupMember{ID: id, ClientID: m.ClientId, Host: m.ClientHost}
			if m.GroupInstanceId != nil {
				gm.InstanceID = *m.GroupInstanceId
			}
			if a, err := m.GetMemberAssignment(); err == nil && a != nil {
				for topic, parts := range a.Topics {
					for _, p := range parts {
						tp := TopicPartition{topic, p}
						gm.Assigned = append(gm.Assigned, tp)
						owners[tp] = id
					}
				}
			}
			// Other protocols (Connect's, Streams' own) frame their
			// metadata differently: read as a consumer's it would be noise.
			if d.ProtocolType == "consumer" {
				gm.Subscription = subscriptionOf(m)
			}
			// Members send the generation they last had when they join
			// (KIP-792), so the group's is one past the highest.
			if s := gm.Subscription; s != nil && s.Generation >= 0 {
				g.Generation = max(g.Generation, s.Generation+1)
			}
			slices.SortFunc(gm.Assigned, TopicPartition.Compare)
			g.Members = append(g.Members, gm)
		}
		slices.SortFunc(g.Members, func(a, b GroupMember) int { return strings.Compare(a.ClientID+a.ID, b.ClientID+b.ID) })
		if offErrs[i] != nil {
			g.Err = offErrs[i]
		}
		seen := map[TopicPartition]bool{}
		for topic, parts := range offsets[i] {
			for p, blk := range parts {
				tp := TopicPartition{topic, p}
				committed := int64(-1)
				if blk != nil && errors.Is(blk.Err, sarama.ErrNoError) && blk.Offset >= 0 {
					committed = blk.Offset
				}
				seen[tp] = true
				g.Offsets = append(g.Offsets, PartitionOffsets{TopicPartition: tp, Committed: committed, LogEnd: -1, Owner: owners[tp]})
			}
		}
		for tp, owner := range owners {
			if !seen[tp] {
				g.Offsets = append(g.Offsets, PartitionOffsets{TopicPartition: tp, Committed: -1, LogEnd: -1, Owner: owner})
			}
		}
		slices.SortFunc(g.Offsets, func(a, b PartitionOffsets) int { return a.TopicPartition.Compare(b.TopicPartition) })
	}
	return out
}

// subscriptionOf decodes the ConsumerProtocolSubscription a member joined
// with; nil when the coordinator sent none (it sends it only while the
// group is Stable) or it does not decode.
func subscriptionOf(m *sarama.GroupMemberDescription) *Subscription {
	meta, err := m.GetMemberMetadata()
	if err != nil || meta == nil {
		return nil
	}
	s := &Subscription{Version: meta.Version, Topics: slices.Clone(meta.Topics), Generation: -1}
	if meta.Version >= 2 {
		s.Generation = meta.GenerationID
	}
	if meta.RackID != nil {
		s.Rack = *meta.RackID
	}
	for _, op := range meta.OwnedPartitions {
		if op == nil {
			continue
		}
		for _, p := range op.Partitions {
			s.Owned = append(s.Owned, TopicPartition{op.Topic, p})
		}
	}
	slices.SortFunc(s.Owned, TopicPartition.Compare)
	return s
}

// fetchOffsets reads the committed offsets of groups at their coordinator:
// in one request where the cluster takes many groups per request.
func (c *Client) fetchOffsets(b *sarama.Broker, names []string, out []map[string]map[int32]*sarama.OffsetFetchResponseBlock, errs []error) {
	if c.offsetFetchMax >= 8 {
		req := &sarama.OffsetFetchRequest{Version: 8}
		for _, n := range names {
			req.Groups = append(req.Groups, sarama.OffsetFetchRequestGroup{GroupId: n})
		}
		resp, err := b.FetchOffset(req)
		for i, n := range names {
			switch {
			case err != nil:
				errs[i] = fmt.Errorf("offset fetch: %w", err)
			case resp.GetGroup(n) == nil:
				errs[i] = errors.New("offset fetch: the coordinator did not answer for the group")
			case !errors.Is(resp.GetGroup(n).Err, sarama.ErrNoError):
				errs[i] = fmt.Errorf("offset fetch: %w", resp.GetGroup(n).Err)
			default:
				out[i] = resp.GetGroup(n).Blocks
			}
		}
		return
	}
	for i, n := range names {
		resp, err := b.FetchOffset(sarama.NewOffsetFetchRequest(c.sconf.Version, n, nil))
		switch {
		case err != nil:
			errs[i] = fmt.Errorf("offset fetch: %w", err)
		case !errors.Is(resp.Err, sarama.ErrNoError):
			errs[i] = fmt.Errorf("offset fetch: %w", resp.Err)
		default:
			out[i] = resp.Blocks
		}
	}
}

// fillLogEnds reads the log end of every partition the groups are in,
// with one ListOffsets request per leader, waiting until deadline at most.
// It fails only when ctx ends or the client is closed.
func (c *Client) fillLogEnds(ctx context.Context, groups []GroupInfo, deadline time.Time) error {
	need := map[TopicPartition]bool{}
	for _, g := range groups {
		for _, o := range g.Offsets {
			need[o.TopicPartition] = true
		}
	}
	if len(need) == 0 {
		return nil
	}
	leaders := c.leaders(need)
	byLeader := map[int32][]TopicPartition{}
	for tp := range need {
		if l, ok := leaders[tp]; ok && l >= 0 {
			byLeader[l] = append(byLeader[l], tp)
		}
	}
	// Like coordinators, a slow leader leaves only its partitions' log
	// ends unknown.
	type answer struct {
		tps  []TopicPartition
		resp *sarama.OffsetResponse
	}
	answers := make(chan answer, len(byLeader))
	for leader, tps := range byLeader {
		err := c.goTracked(func() {
			var resp *sarama.OffsetResponse
			if b, err := c.broker(leader); err == nil && ctx.Err() == nil {
				resp, _ = c.offsetsAt(b, sarama.OffsetNewest, func(add func(string, int32)) {
					for _, tp := range tps {
						add(tp.Topic, tp.Partition)
					}
				})
			}
			answers <- answer{tps, resp}
		})
		if err != nil {
			return err
		}
	}
	ends := map[TopicPartition]int64{}
	late := time.NewTimer(time.Until(deadline))
	defer late.Stop()
wait:
	for range byLeader {
		select {
		case a := <-answers:
			if a.resp == nil {
				continue
			}
			for _, tp := range a.tps {
				if blk := a.resp.GetBlock(tp.Topic, tp.Partition); blk != nil && errors.Is(blk.Err, sarama.ErrNoError) {
					ends[tp] = blk.Offset
				}
			}
		case <-late.C:
			break wait
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	for gi := range groups {
		for oi := range groups[gi].Offsets {
			if end, ok := ends[groups[gi].Offsets[oi].TopicPartition]; ok {
				groups[gi].Offsets[oi].LogEnd = end
			}
		}
	}
	return nil
}

// leaders finds the leader of each partition in the latest snapshot,
// asking for the metadata of topics it does not have yet.
func (c *Client) leaders(need map[TopicPartition]bool) map[TopicPartition]int32 {
	out := map[TopicPartition]int32{}
	snap := c.snap.Load()
	var missing []string
	for tp := range need {
		var t *TopicInfo
		if snap != nil {
			t = snap.Topic(tp.Topic)
		}
		if t == nil || int(tp.Partition) >= len(t.Partitions) {
			if !slices.Contains(missing, tp.Topic) {
				missing = append(missing, tp.Topic)
			}
			continue
		}
		out[tp] = t.Partitions[tp.Partition].Leader
	}
	sort.Strings(missing)
	for _, topic := range missing {
		if tm, err := c.topicMetadata(topic); err == nil {
			for _, p := range tm.Partitions {
				out[TopicPartition{topic, p.ID}] = p.Leader
			}
		}
	}
	return out
}
