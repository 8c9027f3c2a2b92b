package kafkaclient

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/IBM/sarama"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// consumerAnswer is a coordinator's ConsumerGroupDescribe answer for
// the consumer-protocol groups it coordinates.
type consumerAnswer struct {
	groups map[string]*kmsg.ConsumerGroupDescribeResponseGroup
	err    error
}

// describeConsumerGroups describes consumer-protocol groups at their
// coordinator, in one request (KIP-848's ConsumerGroupDescribe, which
// sarama does not speak).
func (c *Client) describeConsumerGroups(ctx context.Context, coord int32, names []string) consumerAnswer {
	req := kmsg.NewPtrConsumerGroupDescribeRequest()
	req.Groups = names
	resp, err := c.franz.request(ctx, coord, req)
	if err != nil {
		return consumerAnswer{err: fmt.Errorf("describe consumer groups at %d: %w", coord, err)}
	}
	r := resp.(*kmsg.ConsumerGroupDescribeResponse)
	a := consumerAnswer{groups: map[string]*kmsg.ConsumerGroupDescribeResponseGroup{}}
	for i := range r.Groups {
		a.groups[r.Groups[i].Group] = &r.Groups[i]
	}
	return a
}

// fillConsumer fills g, a consumer-protocol group, from its coordinator's
// describe and its committed offsets. Every member's current and target
// assignment is reported at all times: who owns what is always known.
func fillConsumer(g *GroupInfo, a consumerAnswer, committed committedOffsets, names topicNamer) {
	d := described(g, a.err, a.groups, func(d *kmsg.ConsumerGroupDescribeResponseGroup) (int16, *string) { return d.ErrorCode, d.ErrorMessage })
	if d == nil {
		return
	}
	g.State, g.Protocol = d.State, d.AssignorName
	g.ProtocolType = cmp.Or(g.ProtocolType, "consumer")
	g.Epoch, g.AssignmentEpoch = d.Epoch, d.AssignmentEpoch
	h := holders{owners: map[TopicPartition][]string{}, targets: map[TopicPartition]string{}}
	for _, m := range d.Members {
		gm := GroupMember{ID: m.MemberID, ClientID: m.ClientID, Host: m.ClientHost, MemberEpoch: m.MemberEpoch,
			InstanceID: deref(m.InstanceID), Rack: deref(m.RackID), SubscribedRegex: deref(m.SubscribedTopicRegex),
			Subscribed: slices.Sorted(slices.Values(m.SubscribedTopics))}
		gm.Assigned = assigned(m.Assignment.TopicPartitions, names)
		gm.Target = assigned(m.TargetAssignment.TopicPartitions, names)
		if gm.Target == nil {
			gm.Target = []TopicPartition{}
		}
		for _, tp := range gm.Assigned {
			h.owners[tp] = append(h.owners[tp], gm.ID)
		}
		for _, tp := range gm.Target {
			h.targets[tp] = gm.ID
		}
		g.Members = append(g.Members, gm)
	}
	slices.SortFunc(g.Members, func(a, b GroupMember) int { return strings.Compare(a.ClientID+a.ID, b.ClientID+b.ID) })
	g.Offsets, g.Err = committed.positions(&h)
}

// assigned lists an assignment's partitions, sorted.
func assigned(tps []kmsg.AssignmentTopicPartition, names topicNamer) []TopicPartition {
	var out []TopicPartition
	for _, t := range tps {
		topic := names(t.TopicID, t.Topic)
		for _, p := range t.Partitions {
			out = append(out, TopicPartition{topic, p})
		}
	}
	slices.SortFunc(out, TopicPartition.Compare)
	return out
}

// describeError is the error a group's describe answered with, if any:
// a group the coordinator does not know (or no longer as this type) is
// Dead, with ErrNoSuchGroup.
// described is g's entry in a describe's answer, or nil with g.Err set
// when the request failed, the coordinator left the group out, or it
// answered with an error.
func described[D any](g *GroupInfo, reqErr error, groups map[string]*D, code func(*D) (int16, *string)) *D {
	if reqErr != nil {
		g.Err = reqErr
		return nil
	}
	d := groups[g.Name]
	if d == nil {
		g.Err = errors.New("the coordinator did not describe the group")
		return nil
	}
	if c, msg := code(d); c != 0 {
		g.Err = describeError(g, c, msg)
		return nil
	}
	return d
}

func describeError(g *GroupInfo, code int16, msg *string) error {
	err := kafkaError(code)
	switch {
	case errors.Is(err, sarama.ErrGroupIDNotFound):
		g.State = "Dead"
		return fmt.Errorf("%w: %s", ErrNoSuchGroup, g.Name)
	case err != nil && msg != nil && *msg != "":
		return fmt.Errorf("%w: %s", err, *msg)
	}
	return err
}

// topicNamer names a topic from its ID, or from the name an answer gave
// alongside (Kafka gives both; some brokers give only the ID).
type topicNamer func(id [16]byte, name string) string

// topicNames is a namer for the topic IDs of the answers, reading the
// cluster's metadata when one is not known yet, at most every
// topicNamesEvery: IDs of topics deleted meanwhile stay unknown.
func (c *Client) topicNames(consumers consumerAnswer, shares shareAnswer) topicNamer {
	var need [][16]byte
	add := func(id [16]byte, name string) {
		if name == "" && id != ([16]byte{}) {
			need = append(need, id)
		}
	}
	for _, d := range consumers.groups {
		for _, m := range d.Members {
			for _, t := range m.Assignment.TopicPartitions {
				add(t.TopicID, t.Topic)
			}
			for _, t := range m.TargetAssignment.TopicPartitions {
				add(t.TopicID, t.Topic)
			}
		}
	}
	for _, d := range shares.groups {
		for _, m := range d.Members {
			for _, t := range m.Assignment.TopicPartitions {
				add(t.TopicID, t.Topic)
			}
		}
	}
	for _, d := range shares.offsets {
		for _, t := range d.Topics {
			add(t.TopicID, t.Topic)
		}
	}
	return c.franz.ids.namer(need, c.metadata)
}

// topicNamesEvery bounds how often unknown topic IDs cost a metadata read.
const topicNamesEvery = 5 * time.Second

// topicIDs keeps the name of every topic ID seen in the metadata.
type topicIDs struct {
	mu     sync.Mutex
	names  map[[16]byte]string
	readAt time.Time
}

// namer reads the metadata with read if some of need is not known and
// the last read is old enough, and names IDs from what it knows.
func (t *topicIDs) namer(need [][16]byte, read func() (*sarama.MetadataResponse, error)) topicNamer {
	t.mu.Lock()
	defer t.mu.Unlock()
	missing := slices.ContainsFunc(need, func(id [16]byte) bool { _, ok := t.names[id]; return !ok })
	if missing && time.Since(t.readAt) >= topicNamesEvery {
		t.readAt = time.Now()
		if meta, err := read(); err == nil {
			if t.names == nil {
				t.names = map[[16]byte]string{}
			}
			for _, tm := range meta.Topics {
				t.names[tm.Uuid] = tm.Name
			}
		}
	}
	// A copy of what is needed: other coordinators' answers read and
	// grow the map meanwhile.
	known := make(map[[16]byte]string, len(need))
	for _, id := range need {
		if n, ok := t.names[id]; ok {
			known[id] = n
		}
	}
	return func(id [16]byte, name string) string {
		if name != "" {
			return name
		}
		if n, ok := known[id]; ok {
			return n
		}
		return fmt.Sprintf("(topic id %x)", id)
	}
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
