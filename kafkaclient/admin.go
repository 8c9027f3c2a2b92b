package kafkaclient

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/IBM/sarama"
)

// TopicSpec is a topic to create.
type TopicSpec struct {
	Name              string
	Partitions        int32
	ReplicationFactor int16
	// Configs are topic-level settings, e.g. retention.ms; the cluster's defaults apply to the rest.
	Configs map[string]string
}

// FieldError is a problem with one field of a TopicSpec, so a form can
// show it beside that field. Field is the TopicSpec field's name.
type FieldError struct {
	Field, Msg string
}

// Error names the field first, so the message still says where the
// problem is when it is shown away from the form.
func (e *FieldError) Error() string { return e.Field + ": " + e.Msg }

// FieldErrors lists the FieldErrors inside err (ValidateTopic's, even
// when wrapped), in the order they were found.
func FieldErrors(err error) []*FieldError {
	switch x := err.(type) {
	case nil:
		return nil
	case *FieldError:
		return []*FieldError{x}
	case interface{ Unwrap() []error }:
		var out []*FieldError
		for _, e := range x.Unwrap() {
			out = append(out, FieldErrors(e)...)
		}
		return out
	}
	return FieldErrors(errors.Unwrap(err))
}

// maxTopicName is the longest name Kafka accepts (Topic.MAX_NAME_LENGTH).
const maxTopicName = 249

// ValidateTopic checks a spec with Kafka's own rules before anything is
// sent, so mistakes are shown beside the field instead of coming back as
// a broker error code. liveBrokers bounds the replication factor. Every
// problem found is returned, each as a *FieldError, joined.
func ValidateTopic(s TopicSpec, liveBrokers int) error {
	var errs []error
	bad := func(field, msg string, args ...any) {
		errs = append(errs, &FieldError{Field: field, Msg: fmt.Sprintf(msg, args...)})
	}
	switch {
	case s.Name == "":
		bad("Name", "a topic needs a name")
	case s.Name == "." || s.Name == "..":
		bad("Name", "%q is not a legal topic name", s.Name)
	case len(s.Name) > maxTopicName:
		bad("Name", "%d characters; at most %d are allowed", len(s.Name), maxTopicName)
	default:
		for _, r := range s.Name {
			if !legalTopicRune(r) {
				bad("Name", "%q is not allowed: use letters, digits, '.', '_' and '-'", r)
				break
			}
		}
	}
	if s.Partitions < 1 {
		bad("Partitions", "at least 1 partition is needed")
	} else if err := CheckPartitionCount(s.Partitions, s.ReplicationFactor, liveBrokers); err != nil {
		bad("Partitions", "%v", err)
	}
	switch {
	case s.ReplicationFactor < 1:
		bad("ReplicationFactor", "at least 1 replica is needed")
	case int(s.ReplicationFactor) > liveBrokers:
		bad("ReplicationFactor", "%d replicas need %d brokers; %d are up", s.ReplicationFactor, s.ReplicationFactor, liveBrokers)
	}
	for name := range s.Configs {
		if strings.TrimSpace(name) == "" {
			bad("Configs", "a setting has no name")
			break
		}
	}
	return errors.Join(errs...)
}

func legalTopicRune(r rune) bool {
	return r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '.' || r == '_' || r == '-'
}

// ReplicasPerBroker is how many partition replicas kscope lets one broker
// be given by a change it makes. Kafka advises about 4,000 per broker; a
// count far past it (a typo of a few zeros) can leave a cluster unable to
// answer at all.
const ReplicasPerBroker = 4000

// PartitionWarning is the partition count above which kscope asks for a
// confirmation before a change is sent.
const PartitionWarning = 1000

// CheckPartitionCount refuses a topic of total partitions with replication
// factor rf that would give the brokers more replicas than
// ReplicasPerBroker each.
func CheckPartitionCount(total int32, rf int16, brokers int) error {
	limit := MaxPartitions(rf, brokers)
	if int64(total) > int64(limit) {
		return fmt.Errorf("at most %d partitions with %d replicas on %d brokers (Kafka advises about %d partition replicas per broker)",
			limit, max(rf, 1), max(brokers, 1), ReplicasPerBroker)
	}
	return nil
}

// MaxPartitions is the most partitions a topic of replication factor rf
// may have on brokers brokers.
func MaxPartitions(rf int16, brokers int) int {
	return ReplicasPerBroker * max(brokers, 1) / max(int(rf), 1)
}

// ErrInternalTopic is returned for a change to one of Kafka's own topics
// (__consumer_offsets, __transaction_state…): losing or reshaping them
// breaks every consumer group or transaction of the cluster.
var ErrInternalTopic = errors.New("internal topic: kscope does not change Kafka's own topics")

func isInternalTopic(name string) bool { return strings.HasPrefix(name, "__") }

// CreateTopic creates a topic at the controller after ValidateTopic
// accepted it against the brokers that are up. The broker's refusal (the
// topic exists, a setting is invalid) is passed on with its message.
func (c *Client) CreateTopic(ctx context.Context, s TopicSpec) error {
	op := "create topic " + s.Name
	if err := c.guardWrite(op); err != nil {
		return err
	}
	err := c.withController(ctx, s.Name, func(b *sarama.Broker, meta *sarama.MetadataResponse) error {
		if err := ValidateTopic(s, len(meta.Brokers)); err != nil {
			return err
		}
		entries := make(map[string]*string, len(s.Configs))
		for name, value := range s.Configs {
			entries[name] = &value
		}
		detail := &sarama.TopicDetail{NumPartitions: s.Partitions, ReplicationFactor: s.ReplicationFactor, ConfigEntries: entries}
		resp, err := b.CreateTopics(sarama.NewCreateTopicsRequest(c.sconf.Version, map[string]*sarama.TopicDetail{s.Name: detail}, c.opTimeout(), false))
		if err != nil {
			return err
		}
		te, ok := resp.TopicErrors[s.Name]
		if !ok {
			return sarama.ErrIncompleteResponse
		}
		if !errors.Is(te.Err, sarama.ErrNoError) {
			return te
		}
		return nil
	})
	return c.afterTopicChange(op, err)
}

// DeleteTopic deletes a topic at the controller. Internal topics are
// refused before anything is sent.
func (c *Client) DeleteTopic(ctx context.Context, name string) error {
	op := "delete topic " + name
	if err := c.guardWrite(op); err != nil {
		return err
	}
	if isInternalTopic(name) {
		return fmt.Errorf("%s: %w", op, ErrInternalTopic)
	}
	err := c.withController(ctx, name, func(b *sarama.Broker, meta *sarama.MetadataResponse) error {
		if _, err := userTopic(meta, name); err != nil {
			return err
		}
		resp, err := b.DeleteTopics(sarama.NewDeleteTopicsRequest(c.sconf.Version, []string{name}, c.opTimeout()))
		if err != nil {
			return err
		}
		kerr, ok := resp.TopicErrorCodes[name]
		switch {
		case !ok:
			return sarama.ErrIncompleteResponse
		case errors.Is(kerr, sarama.ErrNoError):
			return nil
		case resp.TopicErrorMessages[name] != nil && *resp.TopicErrorMessages[name] != "":
			return fmt.Errorf("%w: %s", kerr, *resp.TopicErrorMessages[name])
		}
		return kerr
	})
	return c.afterTopicChange(op, err)
}

// AddPartitions raises a topic's partition count to total. Kafka cannot
// remove partitions, so a total that is not above the current count is
// refused before anything is sent, as are internal topics.
func (c *Client) AddPartitions(ctx context.Context, topic string, total int32) error {
	op := fmt.Sprintf("add partitions to %s", topic)
	if err := c.guardWrite(op); err != nil {
		return err
	}
	if isInternalTopic(topic) {
		return fmt.Errorf("%s: %w", op, ErrInternalTopic)
	}
	err := c.withController(ctx, topic, func(b *sarama.Broker, meta *sarama.MetadataResponse) error {
		tm, err := userTopic(meta, topic)
		if err != nil {
			return err
		}
		if have := int32(len(tm.Partitions)); total <= have {
			return fmt.Errorf("the topic has %d partitions; the new total must be more than that (Kafka cannot remove partitions)", have)
		}
		if len(tm.Partitions) > 0 {
			if err := CheckPartitionCount(total, int16(len(tm.Partitions[0].Replicas)), len(meta.Brokers)); err != nil {
				return &FieldError{Field: "total", Msg: err.Error()}
			}
		}
		req := &sarama.CreatePartitionsRequest{
			Version:         requestVersion(apiKeyCreatePartitions, c.sconf.Version),
			TopicPartitions: map[string]*sarama.TopicPartition{topic: {Count: total}},
			Timeout:         c.opTimeout(),
		}
		resp, err := b.CreatePartitions(req)
		if err != nil {
			return err
		}
		te, ok := resp.TopicPartitionErrors[topic]
		if !ok {
			return sarama.ErrIncompleteResponse
		}
		if !errors.Is(te.Err, sarama.ErrNoError) {
			return te
		}
		return nil
	})
	return c.afterTopicChange(op, err)
}

// SetTopicConfig sets one topic-level setting (value != nil) or removes
// it so the cluster's default applies again (value == nil).
//
// It uses IncrementalAlterConfigs, which changes that one entry. Clusters
// older than Kafka 2.3 lack it and get AlterConfigs instead, which
// replaces the topic's whole set of overrides: the current overrides are
// read first and sent back with the change, so none is lost — unless one
// is sensitive, whose value cannot be read back, in which case the change
// is refused rather than erase it.
func (c *Client) SetTopicConfig(ctx context.Context, topic, name string, value *string) error {
	op := fmt.Sprintf("set %s of topic %s", name, topic)
	if value == nil {
		op = fmt.Sprintf("reset %s of topic %s to its default", name, topic)
	}
	if err := c.guardWrite(op); err != nil {
		return err
	}
	if strings.TrimSpace(name) == "" {
		return fmt.Errorf("%s: the setting has no name", op)
	}
	err := c.withController(ctx, topic, func(b *sarama.Broker, meta *sarama.MetadataResponse) error {
		if _, err := topicIn(meta, topic); err != nil {
			return err
		}
		if v := requestVersion(apiKeyIncrementalAlterConfigs, c.sconf.Version); v >= 0 {
			return c.alterConfigIncrementally(b, v, topic, name, value)
		}
		return c.alterWholeConfig(ctx, b, topic, name, value)
	})
	return c.afterTopicChange(op, err)
}

func (c *Client) alterConfigIncrementally(b *sarama.Broker, version int16, topic, name string, value *string) error {
	entry := sarama.IncrementalAlterConfigsEntry{Operation: sarama.IncrementalAlterConfigsOperationSet, Value: value}
	if value == nil {
		entry.Operation = sarama.IncrementalAlterConfigsOperationDelete
	}
	req := &sarama.IncrementalAlterConfigsRequest{Version: version, Resources: []*sarama.IncrementalAlterConfigsResource{{
		Type: sarama.TopicResource, Name: topic, ConfigEntries: map[string]sarama.IncrementalAlterConfigsEntry{name: entry},
	}}}
	resp, err := b.IncrementalAlterConfigs(req)
	if err != nil {
		return err
	}
	return alterResult(resp.Resources, topic)
}

func (c *Client) alterWholeConfig(ctx context.Context, b *sarama.Broker, topic, name string, value *string) error {
	current, err := c.TopicConfig(ctx, topic)
	if err != nil {
		return err
	}
	entries := map[string]*string{}
	for _, e := range current {
		// DescribeConfigs v0 (before Kafka 1.1) names no source: what is
		// not a default there is a topic-level setting.
		topicLevel := e.Source == "topic" || e.Source == "unknown"
		if !topicLevel || e.Name == name {
			continue
		}
		if e.Sensitive {
			return fmt.Errorf("the topic's setting %s is sensitive and cannot be read back; this cluster (before Kafka 2.3) can only replace all settings at once, which would erase it", e.Name)
		}
		entries[e.Name] = &e.Value
	}
	if value != nil {
		entries[name] = value
	}
	req := &sarama.AlterConfigsRequest{
		Version:   requestVersion(apiKeyAlterConfigs, c.sconf.Version),
		Resources: []*sarama.AlterConfigsResource{{Type: sarama.TopicResource, Name: topic, ConfigEntries: entries}},
	}
	resp, err := b.AlterConfigs(req)
	if err != nil {
		return err
	}
	return alterResult(resp.Resources, topic)
}

func alterResult(resources []*sarama.AlterConfigsResourceResponse, topic string) error {
	for _, r := range resources {
		if r.Name != topic {
			continue
		}
		kerr := sarama.KError(r.ErrorCode)
		switch {
		case errors.Is(kerr, sarama.ErrNoError):
			return nil
		case errors.Is(kerr, sarama.ErrUnknownTopicOrPartition):
			return fmt.Errorf("%w: %s", ErrNoSuchTopic, topic)
		case r.ErrorMsg != "":
			return fmt.Errorf("%w: %s", kerr, r.ErrorMsg)
		}
		return kerr
	}
	return sarama.ErrIncompleteResponse
}

// opTimeout is how long a broker may work on an admin request before it
// answers. It is shorter than the read timeout so that even an answer
// sent after the whole wait arrives before kscope stops listening.
func (c *Client) opTimeout() time.Duration { return c.cfg.RequestTimeout * 4 / 5 }

// afterTopicChange wraps a topic operation's error, or asks for a refresh
// so the topic list shows the change without waiting for the next tick.
func (c *Client) afterTopicChange(op string, err error) error {
	if err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	c.Refresh()
	return nil
}

// withController sends a request to the controller, which Kafka requires
// for topic changes. send gets the metadata of topic, read just before
// (the controller, the brokers that are up and the topic), to check what
// it must before sending. When the controller moved in between, it is
// found again and send retried once; other failures are not retried,
// since the change may have been made.
func (c *Client) withController(ctx context.Context, topic string, send func(*sarama.Broker, *sarama.MetadataResponse) error) error {
	var err error
	for range 2 {
		if cerr := ctx.Err(); cerr != nil {
			return cerr
		}
		meta, merr := c.metadataOf(topic)
		if merr != nil {
			return merr
		}
		b, berr := c.broker(meta.ControllerID)
		if berr != nil {
			err = fmt.Errorf("controller %d: %w", meta.ControllerID, berr)
			continue
		}
		if err = send(b, meta); !errors.Is(err, sarama.ErrNotController) {
			return err
		}
	}
	return err
}

// metadataOf reads the metadata of one topic: with it come the brokers
// and the controller, without the cost of every topic's metadata.
func (c *Client) metadataOf(topic string) (*sarama.MetadataResponse, error) {
	var resp *sarama.MetadataResponse
	if err := c.askAny(context.Background(), func(b *sarama.Broker) (err error) {
		resp, err = b.GetMetadata(sarama.NewMetadataRequest(c.sconf.Version, []string{topic}))
		return err
	}); err != nil {
		return nil, fmt.Errorf("metadata: %w", err)
	}
	c.pool.update(resp.Brokers)
	return resp, nil
}

// topicIn finds topic in a metadata response.
func topicIn(meta *sarama.MetadataResponse, topic string) (*sarama.TopicMetadata, error) {
	for _, tm := range meta.Topics {
		if tm.Name != topic {
			continue
		}
		switch {
		case errors.Is(tm.Err, sarama.ErrUnknownTopicOrPartition):
			return nil, fmt.Errorf("%w: %s", ErrNoSuchTopic, topic)
		case !errors.Is(tm.Err, sarama.ErrNoError):
			return nil, tm.Err
		}
		return tm, nil
	}
	return nil, fmt.Errorf("%w: %s", ErrNoSuchTopic, topic)
}

// userTopic is topicIn for changes refused on internal topics, which the
// metadata marks even where the name does not start with "__".
func userTopic(meta *sarama.MetadataResponse, topic string) (*sarama.TopicMetadata, error) {
	tm, err := topicIn(meta, topic)
	if err == nil && tm.IsInternal {
		return nil, ErrInternalTopic
	}
	return tm, err
}
