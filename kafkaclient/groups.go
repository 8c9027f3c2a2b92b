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

// Groups observes every group of the cluster, of every type. Its cost
// does not grow with the number of groups in requests: one ListGroups per
// broker (each answers for the groups it coordinates, with their types
// from Kafka 3.8 on), per coordinator one describe request for each group
// type it has — DescribeGroups for classic groups, ConsumerGroupDescribe
// for consumer-protocol ones, ShareGroupDescribe and
// DescribeShareGroupOffsets for share groups — OffsetFetch batched per
// coordinator where the cluster takes many groups per request
// (OffsetFetch v8, Kafka 3.0) and one per group where it does not, and
// one ListOffsets per partition leader for the log ends. A group whose requests fail is
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
	for coord, listed := range byCoordinator {
		if err := c.goTracked(func() { results <- c.describeAt(ctx, coord, listed) }); err != nil {
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
			for coord, listed := range byCoordinator {
				if answered[coord] {
					continue
				}
				answered[coord] = true
				for _, l := range listed {
					g := l.info(coord, time.Now())
					g.Err = fmt.Errorf("coordinator %d did not answer within %s", coord, groupsPatience)
					out = append(out, g)
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
// coordinator moved) with the describe request of the group's type. The
// type is read from the coordinator's list when it is not known yet, or
// when the group's describe says it changed (a classic group upgraded to
// the consumer protocol, or one deleted and made again as another type).
func (c *Client) Group(ctx context.Context, name string) (GroupInfo, error) {
	fail := func(coord int32, err error) (GroupInfo, error) {
		g := listedGroup{name: name}.info(coord, time.Now())
		g.Err = err
		if errors.Is(err, ErrNoSuchGroup) {
			g.State = "Dead"
		}
		return g, err
	}
	for attempt := 0; attempt < 2; attempt++ {
		err := ctx.Err()
		coord := int32(-1)
		if err == nil {
			coord, err = c.coordinator(name, attempt > 0)
		}
		var listed listedGroup
		if err == nil {
			listed, err = c.listedAt(ctx, coord, name, attempt > 0)
		}
		if err != nil {
			return fail(coord, err)
		}
		g := c.describeAt(ctx, coord, []listedGroup{listed})[0]
		if errors.Is(g.Err, sarama.ErrNotCoordinatorForConsumer) || errors.Is(g.Err, sarama.ErrConsumerCoordinatorNotAvailable) {
			continue
		}
		// Kafka 4 describes a group of another type than asked as gone
		// (Dead, or not found): its type changed, or it is gone, and
		// the list tells which.
		gone := errors.Is(g.Err, ErrNoSuchGroup) || g.State == "Dead"
		if attempt == 0 && gone && c.franz.supports(apiKeyListGroups, listGroupsWithTypes) {
			continue
		}
		groups := []GroupInfo{g}
		if err := c.fillLogEnds(ctx, groups, time.Now().Add(groupsPatience)); err != nil {
			return fail(coord, err)
		}
		return groups[0], groups[0].Err
	}
	return fail(-1, fmt.Errorf("group %s: the coordinator keeps moving", name))
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
	var resp *sarama.FindCoordinatorResponse
	if err := c.askAny(context.Background(), func(b *sarama.Broker) (err error) {
		resp, err = b.FindCoordinator(&sarama.FindCoordinatorRequest{Version: 2, CoordinatorKey: group, CoordinatorType: sarama.CoordinatorGroup})
		return err
	}); err != nil {
		return -1, fmt.Errorf("find coordinator of %s: %w", group, err)
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

// describeAt describes groups and reads their positions at their
// coordinator: one describe request per group type and one OffsetFetch
// (one per group before Kafka 3.0) for all of them, all at once. Log ends
// are filled in later for all groups at once.
func (c *Client) describeAt(ctx context.Context, coord int32, listed []listedGroup) []GroupInfo {
	now := time.Now()
	out := make([]GroupInfo, len(listed))
	// Which of out each request is about.
	var classic, consumer, share, committing []int
	for i, l := range listed {
		out[i] = l.info(coord, now)
		switch g := &out[i]; {
		case g.Type == TypeShare:
			share = append(share, i)
			continue // a share group commits nothing: its positions are start offsets
		case g.IsClassic():
			classic = append(classic, i)
		case g.Type == TypeConsumer:
			consumer = append(consumer, i)
		}
		committing = append(committing, i)
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
	namesOf := func(idx []int) []string {
		names := make([]string, len(idx))
		for i, j := range idx {
			names[i] = out[j].Name
		}
		return names
	}
	var wg sync.WaitGroup
	var desc *sarama.DescribeGroupsResponse
	var descErr error
	if len(classic) > 0 {
		wg.Go(func() {
			desc, descErr = b.DescribeGroups(&sarama.DescribeGroupsRequest{Version: requestVersion(apiKeyDescribeGroups, c.sconf.Version), Groups: namesOf(classic)})
		})
	}
	var consumers consumerAnswer
	if len(consumer) > 0 {
		wg.Go(func() { consumers = c.describeConsumerGroups(ctx, coord, namesOf(consumer)) })
	}
	var shares shareAnswer
	if len(share) > 0 {
		wg.Go(func() { shares = c.describeShareGroups(ctx, coord, namesOf(share)) })
	}
	offsets := make([]map[string]map[int32]*sarama.OffsetFetchResponseBlock, len(committing))
	offErrs := make([]error, len(committing))
	if len(committing) > 0 {
		wg.Go(func() { c.fetchOffsets(b, namesOf(committing), offsets, offErrs) })
	}
	wg.Wait()
	if len(classic) > 0 {
		c.pool.report(coord, descErr)
	}
	committed := make([]committedOffsets, len(out))
	for k, i := range committing {
		committed[i] = committedOffsets{blocks: offsets[k], err: offErrs[k]}
	}
	// Indexed once: looking each group up in the answer made a refresh of
	// G groups cost G² comparisons.
	described := map[string]*sarama.GroupDescription{}
	if descErr == nil && desc != nil {
		for _, d := range desc.Groups {
			described[d.GroupId] = d
		}
	}
	for _, i := range classic {
		if descErr != nil {
			out[i].Err = fmt.Errorf("describe groups at %d: %w", coord, descErr)
			continue
		}
		fillClassic(&out[i], described[out[i].Name], committed[i])
	}
	names := c.topicNames(consumers, shares)
	for _, i := range consumer {
		fillConsumer(&out[i], consumers, committed[i], names)
	}
	for _, i := range share {
		fillShare(&out[i], shares, names)
	}
	// Other types (streams groups) are listed, not described: their state
	// is the list's, their lag what they committed.
	for _, i := range committing {
		if g := &out[i]; !g.Described() {
			g.Offsets, g.Err = committed[i].positions(nil)
		}
	}
	return out
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
		// Indexed once: sarama's GetGroup scans the answer, which made a
		// refresh of G groups cost G² comparisons.
		byName := map[string]*sarama.OffsetFetchResponseGroup{}
		if err == nil {
			for j := range resp.Groups {
				byName[resp.Groups[j].GroupId] = &resp.Groups[j]
			}
		}
		for i, n := range names {
			g := byName[n]
			switch {
			case err != nil:
				errs[i] = fmt.Errorf("offset fetch: %w", err)
			case g == nil:
				errs[i] = errors.New("offset fetch: the coordinator did not answer for the group")
			case !errors.Is(g.Err, sarama.ErrNoError):
				errs[i] = fmt.Errorf("offset fetch: %w", g.Err)
			default:
				out[i] = g.Blocks
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
	// The maps are sized at once: growing them partition by partition was
	// most of this step's CPU at 10,000 groups.
	positions := 0
	for _, g := range groups {
		positions += len(g.Offsets)
	}
	need := make(map[TopicPartition]bool, positions)
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
	ends := make(map[TopicPartition]int64, len(need))
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
	out := make(map[TopicPartition]int32, len(need))
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
