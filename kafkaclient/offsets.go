package kafkaclient

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/IBM/sarama"
)

// ResetKind says how a reset picks each partition's new offset.
type ResetKind int

// The ways to reset a group's offsets, as kafka-consumer-groups offers them.
const (
	ResetEarliest ResetKind = iota // the oldest record still held
	ResetLatest                    // the log end: skip everything not yet read
	ResetOffset                    // an absolute offset, clamped to what the partition holds
	ResetTime                      // the first record at or after a time; the log end where there is none
	ResetShift                     // the committed offset moved by Shift, clamped
)

// ResetTarget is where a reset moves a group in each partition.
type ResetTarget struct {
	Kind   ResetKind
	Offset int64     // ResetOffset
	Time   time.Time // ResetTime
	// Shift is added to the committed offset: > 0 skips records, < 0
	// re-reads them. Partitions without a commit cannot be shifted; as
	// with kafka-consumer-groups the plan is refused and names them.
	Shift int64
}

// ResetPlanRow is one partition's move.
type ResetPlanRow struct {
	TopicPartition
	// Current is the committed offset, -1 when there is none.
	Current int64
	New     int64
	// Low and High are the partition's earliest and next offset.
	Low, High int64
	// Delta is New − Current: > 0 skips records, < 0 re-consumes them;
	// 0 when there is no commit to compare with.
	Delta int64
}

// ResetPlan is a reset to preview before it is applied.
type ResetPlan struct {
	Group string
	Rows  []ResetPlanRow
	// Members are the group's members when the plan was made; while
	// there are any the plan cannot be applied.
	Members []GroupMember
	// Share marks a plan of a share group's start offsets (PlanShareReset):
	// Current and New are start offsets, and only ApplyShareReset applies it.
	Share bool
}

// ErrGroupNotEmpty is returned for a change Kafka makes only to a group
// without members: consumers that are running would overwrite it.
var ErrGroupNotEmpty = errors.New("the group has active members")

// PlanReset computes where a reset would move group in every partition
// of topic, or only in partitions when it is not nil. It reads and never
// writes: one DescribeGroups and OffsetFetch at the coordinator, and one
// ListOffsets per partition leader for each offset kind it needs.
func (c *Client) PlanReset(ctx context.Context, group, topic string, partitions []int32, t ResetTarget) (ResetPlan, error) {
	fail := func(err error) (ResetPlan, error) {
		return ResetPlan{}, fmt.Errorf("plan offset reset of group %s on %s: %w", group, topic, err)
	}
	switch {
	case t.Kind < ResetEarliest || t.Kind > ResetShift:
		return fail(fmt.Errorf("unknown reset kind %d", t.Kind))
	case t.Kind == ResetTime && t.Time.IsZero():
		return fail(errors.New("no time given"))
	}
	g, err := c.Group(ctx, group)
	// A group that does not exist yet can be given offsets: it starts from them.
	if err != nil && !groupMissing(err) {
		return fail(err)
	}
	if g.Type == TypeShare {
		return fail(errors.New("a share group has start offsets, not committed ones: alter them with PlanShareReset"))
	}
	plan, err := c.planMoves(ctx, g, topic, partitions, t)
	if err != nil {
		return fail(err)
	}
	return plan, nil
}

// planMoves computes the rows of a reset of g's positions on topic (all
// partitions when partitions is nil) to t: one ListOffsets per partition
// leader for each offset kind t needs.
func (c *Client) planMoves(ctx context.Context, g GroupInfo, topic string, partitions []int32, t ResetTarget) (ResetPlan, error) {
	tm, err := c.topicMetadata(topic)
	if err != nil {
		return ResetPlan{}, err
	}
	parts, byLeader, err := partitionsByLeader(tm, partitions)
	if err != nil {
		return ResetPlan{}, err
	}
	var at *time.Time
	if t.Kind == ResetTime {
		at = &t.Time
	}
	found, err := c.logOffsets(ctx, topic, byLeader, logTimes(at))
	if err != nil {
		return ResetPlan{}, err
	}
	low, high := found[atLow], found[atHigh]

	committed := map[int32]int64{}
	for _, o := range g.Offsets {
		if o.Topic == topic && o.Committed >= 0 {
			committed[o.Partition] = o.Committed
		}
	}
	plan := ResetPlan{Group: g.Name, Members: g.Members}
	var uncommitted []string
	for _, p := range parts {
		row := ResetPlanRow{TopicPartition: TopicPartition{topic, p}, Current: -1, Low: low[p], High: high[p]}
		if off, ok := committed[p]; ok {
			row.Current = off
		}
		clamp := func(o int64) int64 { return min(max(o, row.Low), row.High) }
		switch t.Kind {
		case ResetEarliest:
			row.New = row.Low
		case ResetLatest:
			row.New = row.High
		case ResetOffset:
			row.New = clamp(t.Offset)
		case ResetTime:
			// -1: no record at or after the time.
			row.New = row.High
			if at := found[atTime][p]; at >= 0 {
				row.New = at
			}
		case ResetShift:
			if row.Current < 0 {
				uncommitted = append(uncommitted, fmt.Sprint(p))
				continue
			}
			row.New = clamp(row.Current + t.Shift)
		}
		if row.Current >= 0 {
			row.Delta = row.New - row.Current
		}
		plan.Rows = append(plan.Rows, row)
	}
	if len(uncommitted) > 0 {
		return ResetPlan{}, fmt.Errorf("cannot shift partitions without a committed offset: %s (choose another kind of reset for them)", strings.Join(uncommitted, ", "))
	}
	return plan, nil
}

// ApplyReset commits the plan's new offsets as admin tools do
// (generation -1, no member id). The group is read again first and the
// reset refused, naming the members, while it has any: Kafka accepts such
// a commit only from an Empty group, and running consumers would
// overwrite it anyway.
func (c *Client) ApplyReset(ctx context.Context, p ResetPlan) error {
	op := "reset offsets of group " + p.Group
	if err := c.guardWrite(op); err != nil {
		return err
	}
	if p.Share {
		return fmt.Errorf("%s: the plan moves a share group's start offsets: apply it with ApplyShareReset", op)
	}
	if len(p.Rows) == 0 {
		return fmt.Errorf("%s: the plan has no partitions", op)
	}
	g, err := c.Group(ctx, p.Group)
	if err != nil && !groupMissing(err) {
		return fmt.Errorf("%s: %w", op, err)
	}
	if len(g.Members) > 0 {
		return fmt.Errorf("%s: %w", op, membersError(g.Members))
	}
	err = c.atCoordinator(ctx, p.Group, func(b *sarama.Broker) error {
		req := sarama.NewOffsetCommitRequest(c.sconf, p.Group)
		for _, r := range p.Rows {
			req.AddBlock(r.Topic, r.Partition, r.New, sarama.ReceiveTime, "")
		}
		resp, err := b.CommitOffset(req)
		if err != nil {
			return err
		}
		var errs []error
		for _, r := range p.Rows {
			kerr, ok := resp.Errors[r.Topic][r.Partition]
			switch {
			case !ok:
				errs = append(errs, fmt.Errorf("%s/%d: %w", r.Topic, r.Partition, sarama.ErrIncompleteResponse))
			case errors.Is(kerr, sarama.ErrNoError):
			case errors.Is(kerr, sarama.ErrNotCoordinatorForConsumer), errors.Is(kerr, sarama.ErrConsumerCoordinatorNotAvailable):
				return kerr
			case errors.Is(kerr, sarama.ErrUnknownMemberId), errors.Is(kerr, sarama.ErrIllegalGeneration):
				return fmt.Errorf("%w: members joined while the offsets were being reset (%v)", ErrGroupNotEmpty, kerr)
			default:
				errs = append(errs, fmt.Errorf("%s/%d: %w", r.Topic, r.Partition, kerr))
			}
		}
		return errors.Join(errs...)
	})
	if err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	return nil
}

// existingGroup reads a group a change of op needs to exist, with the
// error op reports when it does not.
func (c *Client) existingGroup(ctx context.Context, op, group string) (GroupInfo, error) {
	g, err := c.Group(ctx, group)
	if groupMissing(err) {
		return g, fmt.Errorf("%s: %w: %s", op, ErrNoSuchGroup, group)
	}
	if err != nil {
		return g, fmt.Errorf("%s: %w", op, err)
	}
	return g, nil
}

// DeleteGroupOffsets deletes the group's committed offsets on topic, all
// partitions in one OffsetDelete request (Kafka 2.4 and later). Kafka
// refuses while a member of the group is subscribed to the topic.
func (c *Client) DeleteGroupOffsets(ctx context.Context, group, topic string) error {
	op := fmt.Sprintf("delete offsets of group %s on topic %s", group, topic)
	if err := c.guardWrite(op); err != nil {
		return err
	}
	g, err := c.existingGroup(ctx, op, group)
	if err != nil {
		return err
	}
	if g.Type == TypeShare {
		return fmt.Errorf("%s: a share group has start offsets, not committed ones: delete them with DeleteShareGroupOffsets", op)
	}
	// The partitions come from the commits, not the topic, so the
	// offsets of a topic that was deleted can be deleted too.
	var parts []int32
	for _, o := range g.Offsets {
		if o.Topic == topic && o.Committed >= 0 {
			parts = append(parts, o.Partition)
		}
	}
	if len(parts) == 0 {
		return fmt.Errorf("%s: the group has no committed offsets on the topic", op)
	}
	err = c.atCoordinator(ctx, group, func(b *sarama.Broker) error {
		req := &sarama.DeleteOffsetsRequest{Group: group}
		for _, p := range parts {
			req.AddPartition(topic, p)
		}
		resp, err := b.DeleteOffsets(req)
		if err != nil {
			return err
		}
		if err := groupError(resp.ErrorCode, group); err != nil {
			// Some brokers refuse a group with members as a whole
			// rather than per subscribed topic: name who is there.
			if errors.Is(err, ErrGroupNotEmpty) && len(g.Members) > 0 {
				return subscribedError(resp.ErrorCode, g.Members)
			}
			return err
		}
		var errs []error
		for _, p := range parts {
			kerr, ok := resp.Errors[topic][p]
			switch {
			case !ok:
				errs = append(errs, fmt.Errorf("partition %d: %w", p, sarama.ErrIncompleteResponse))
			case errors.Is(kerr, sarama.ErrNoError):
			case errors.Is(kerr, sarama.ErrGroupSubscribedToTopic):
				return subscribedError(kerr, g.Members)
			default:
				errs = append(errs, fmt.Errorf("partition %d: %w", p, kerr))
			}
		}
		return errors.Join(errs...)
	})
	if err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	return nil
}

// DeleteGroup deletes a group and its committed offsets. Only a group
// without members can be deleted: it is read first and the deletion
// refused, naming the members, while it has any.
func (c *Client) DeleteGroup(ctx context.Context, group string) error {
	op := "delete group " + group
	if err := c.guardWrite(op); err != nil {
		return err
	}
	g, err := c.existingGroup(ctx, op, group)
	if err != nil {
		return err
	}
	if len(g.Members) > 0 {
		return fmt.Errorf("%s: %w", op, membersError(g.Members))
	}
	err = c.atCoordinator(ctx, group, func(b *sarama.Broker) error {
		req := &sarama.DeleteGroupsRequest{Version: requestVersion(apiKeyDeleteGroups, c.sconf.Version), Groups: []string{group}}
		resp, err := b.DeleteGroups(req)
		if err != nil {
			return err
		}
		kerr, ok := resp.GroupErrorCodes[group]
		if !ok {
			return sarama.ErrIncompleteResponse
		}
		return groupError(kerr, group)
	})
	if err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	return nil
}

// groupMissing tells a group that does not exist from other failures to
// read it: some brokers answer OffsetFetch for an unknown group with
// GROUP_ID_NOT_FOUND, others with no offsets.
func groupMissing(err error) bool {
	return errors.Is(err, ErrNoSuchGroup) || errors.Is(err, sarama.ErrGroupIDNotFound)
}

// groupError turns a group-level error code into an error people can act on.
func groupError(kerr sarama.KError, group string) error {
	switch {
	case errors.Is(kerr, sarama.ErrNoError):
		return nil
	case errors.Is(kerr, sarama.ErrGroupIDNotFound):
		return fmt.Errorf("%w: %s", ErrNoSuchGroup, group)
	case errors.Is(kerr, sarama.ErrNonEmptyGroup):
		return fmt.Errorf("%w: members joined since the group was read (%v)", ErrGroupNotEmpty, kerr)
	}
	return kerr
}

// atCoordinator sends a request to the group's coordinator. When the
// coordinator moved it is found again and send retried once; other
// failures are not retried, since the change may have been made.
func (c *Client) atCoordinator(ctx context.Context, group string, send func(*sarama.Broker) error) error {
	var err error
	for attempt := range 2 {
		if cerr := ctx.Err(); cerr != nil {
			return cerr
		}
		coord, cerr := c.coordinator(group, attempt > 0)
		if cerr != nil {
			return cerr
		}
		b, berr := c.broker(coord)
		if berr != nil {
			err = fmt.Errorf("coordinator %d: %w", coord, berr)
			continue
		}
		err = send(b)
		if !errors.Is(err, sarama.ErrNotCoordinatorForConsumer) && !errors.Is(err, sarama.ErrConsumerCoordinatorNotAvailable) {
			return err
		}
	}
	return err
}

// namedMembers is how many members an error names before it counts the rest.
const namedMembers = 5

// memberList names members by client id and host, the way people find
// the processes to stop.
func memberList(ms []GroupMember) string {
	names := make([]string, 0, min(len(ms), namedMembers))
	for _, m := range ms[:min(len(ms), namedMembers)] {
		names = append(names, m.ClientID+" on "+strings.TrimPrefix(m.Host, "/"))
	}
	list := strings.Join(names, ", ")
	if more := len(ms) - len(names); more > 0 {
		list += fmt.Sprintf(" and %d more", more)
	}
	return list
}

func membersError(ms []GroupMember) error {
	return fmt.Errorf("%w: %s; stop them first", ErrGroupNotEmpty, memberList(ms))
}

func subscribedError(kerr sarama.KError, ms []GroupMember) error {
	if len(ms) == 0 {
		return fmt.Errorf("members of the group are subscribed to the topic; stop them or change their subscription first (%w)", kerr)
	}
	return fmt.Errorf("members of the group are subscribed to the topic (%s); stop them or change their subscription first (%w)", memberList(ms), kerr)
}
