package kafkaclient

import (
	"context"
	"errors"
	"fmt"

	"github.com/IBM/sarama"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// PlanShareReset computes where altering share group's start offsets
// would move each partition of topic (only partitions, when not nil): to
// the earliest or latest offset, an offset (clamped to what the partition
// holds) or the first record at or after a time. Records from the new
// start offset on are delivered again, or those before it never are. It
// reads and never writes: the group's describe and start offsets, and one
// ListOffsets per partition leader for each offset kind it needs. A group
// that does not exist yet can be given start offsets, as Kafka creates it.
func (c *Client) PlanShareReset(ctx context.Context, group, topic string, partitions []int32, t ResetTarget) (ResetPlan, error) {
	fail := func(err error) (ResetPlan, error) {
		return ResetPlan{}, fmt.Errorf("plan start offsets of share group %s on %s: %w", group, topic, err)
	}
	switch {
	case t.Kind == ResetShift:
		return fail(errors.New("a share group's start offsets are altered to a position, not shifted"))
	case t.Kind < ResetEarliest || t.Kind > ResetTime:
		return fail(fmt.Errorf("unknown reset kind %d", t.Kind))
	case t.Kind == ResetTime && t.Time.IsZero():
		return fail(errors.New("no time given"))
	}
	g, err := c.Group(ctx, group)
	switch {
	case err != nil && !groupMissing(err):
		return fail(err)
	case err == nil && g.Type != TypeShare:
		return fail(fmt.Errorf("%s is a %s group, not a share group", group, typeName(&g)))
	}
	plan, err := c.planMoves(ctx, g, topic, partitions, t)
	if err != nil {
		return fail(err)
	}
	plan.Share = true
	return plan, nil
}

// ApplyShareReset alters the plan's start offsets (AlterShareGroupOffsets,
// KIP-932). Kafka alters them only in a group without members, which
// would otherwise go on acknowledging from where they are: the group is
// read again first and the change refused, naming the members, while it
// has any.
func (c *Client) ApplyShareReset(ctx context.Context, p ResetPlan) error {
	op := "alter start offsets of share group " + p.Group
	if err := c.guardWrite(op); err != nil {
		return err
	}
	switch {
	case !p.Share:
		return fmt.Errorf("%s: the plan is of committed offsets: apply it with ApplyReset", op)
	case len(p.Rows) == 0:
		return fmt.Errorf("%s: the plan has no partitions", op)
	}
	if err := c.emptyShareGroup(ctx, p.Group, true); err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	err := c.atCoordinatorID(ctx, p.Group, func(coord int32) error {
		req := kmsg.NewPtrAlterShareGroupOffsetsRequest()
		req.GroupID = p.Group
		byTopic := map[string]int{}
		for _, r := range p.Rows {
			i, ok := byTopic[r.Topic]
			if !ok {
				i = len(req.Topics)
				byTopic[r.Topic] = i
				rt := kmsg.NewAlterShareGroupOffsetsRequestTopic()
				rt.Topic = r.Topic
				req.Topics = append(req.Topics, rt)
			}
			rp := kmsg.NewAlterShareGroupOffsetsRequestTopicPartition()
			rp.Partition, rp.StartOffset = r.Partition, r.New
			req.Topics[i].Partitions = append(req.Topics[i].Partitions, rp)
		}
		resp, err := c.franz.request(ctx, coord, req)
		if err != nil {
			return err
		}
		r := resp.(*kmsg.AlterShareGroupOffsetsResponse)
		if err := shareGroupError(r.ErrorCode, r.ErrorMessage, p.Group); err != nil {
			return err
		}
		answered := map[TopicPartition]error{}
		for _, t := range r.Topics {
			for _, rp := range t.Partitions {
				answered[TopicPartition{t.Topic, rp.Partition}] = withMessage(kafkaError(rp.ErrorCode), rp.ErrorMessage)
			}
		}
		var errs []error
		for _, row := range p.Rows {
			err, ok := answered[row.TopicPartition]
			switch {
			case !ok:
				errs = append(errs, fmt.Errorf("%s/%d: %w", row.Topic, row.Partition, sarama.ErrIncompleteResponse))
			case err != nil:
				errs = append(errs, fmt.Errorf("%s/%d: %w", row.Topic, row.Partition, err))
			}
		}
		return errors.Join(errs...)
	})
	if err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	return nil
}

// DeleteShareGroupOffsets deletes share group's state on topic: its start
// offsets and what it knows of records delivered (KIP-932). The group
// starts the topic again from share.auto.offset.reset. Kafka deletes only
// in a group without members: the group is read first and the deletion
// refused, naming the members, while it has any.
func (c *Client) DeleteShareGroupOffsets(ctx context.Context, group, topic string) error {
	op := fmt.Sprintf("delete start offsets of share group %s on topic %s", group, topic)
	if err := c.guardWrite(op); err != nil {
		return err
	}
	if err := c.emptyShareGroup(ctx, group, false); err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	err := c.atCoordinatorID(ctx, group, func(coord int32) error {
		req := kmsg.NewPtrDeleteShareGroupOffsetsRequest()
		req.GroupID = group
		rt := kmsg.NewDeleteShareGroupOffsetsRequestTopic()
		rt.Topic = topic
		req.Topics = append(req.Topics, rt)
		resp, err := c.franz.request(ctx, coord, req)
		if err != nil {
			return err
		}
		r := resp.(*kmsg.DeleteShareGroupOffsetsResponse)
		if err := shareGroupError(r.ErrorCode, r.ErrorMessage, group); err != nil {
			return err
		}
		for _, t := range r.Topics {
			if t.Topic == topic {
				return withMessage(kafkaError(t.ErrorCode), t.ErrorMessage)
			}
		}
		return sarama.ErrIncompleteResponse
	})
	if err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	return nil
}

// emptyShareGroup reads group and says why a change that needs it empty
// cannot be made: it is not a share group, it has members (named), or
// (unless missingOK) it does not exist.
func (c *Client) emptyShareGroup(ctx context.Context, group string, missingOK bool) error {
	g, err := c.Group(ctx, group)
	switch {
	case groupMissing(err) && missingOK:
		return nil
	case groupMissing(err):
		return fmt.Errorf("%w: %s", ErrNoSuchGroup, group)
	case err != nil:
		return err
	case g.Type != TypeShare:
		return fmt.Errorf("%s is a %s group, not a share group", group, typeName(&g))
	case len(g.Members) > 0:
		return membersError(g.Members)
	}
	return nil
}

// shareGroupError is a share-group request's group-level error in terms
// people can act on.
func shareGroupError(code int16, msg *string, group string) error {
	err := kafkaError(code)
	var kerr sarama.KError
	if errors.As(err, &kerr) {
		if gerr := groupError(kerr, group); gerr != nil {
			return withMessage(gerr, msg)
		}
	}
	return withMessage(err, msg)
}

// withMessage adds the broker's message to err, when it gave one.
func withMessage(err error, msg *string) error {
	if err == nil || msg == nil || *msg == "" {
		return err
	}
	return fmt.Errorf("%w (%s)", err, *msg)
}

// atCoordinatorID runs send with group's coordinator. When the
// coordinator moved it is found again and send retried once; other
// failures are not retried, since the change may have been made.
func (c *Client) atCoordinatorID(ctx context.Context, group string, send func(coord int32) error) error {
	var err error
	for attempt := range 2 {
		if cerr := ctx.Err(); cerr != nil {
			return cerr
		}
		coord, cerr := c.coordinator(group, attempt > 0)
		if cerr != nil {
			return cerr
		}
		err = send(coord)
		if !errors.Is(err, sarama.ErrNotCoordinatorForConsumer) && !errors.Is(err, sarama.ErrConsumerCoordinatorNotAvailable) {
			return err
		}
	}
	return err
}
