package kafkaclient

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/IBM/sarama"
)

// ErrNoSuchTopic is returned for a topic the cluster does not have.
var ErrNoSuchTopic = errors.New("no such topic")

// TopicConfig reads a topic's configuration with DescribeConfigs, with
// synonyms so each entry can say what it would be without the topic-level
// setting.
func (c *Client) TopicConfig(ctx context.Context, topic string) ([]ConfigEntry, error) {
	res := configResource{typ: sarama.TopicResource, name: topic, own: sarama.SourceTopic}
	var resp *sarama.DescribeConfigsResponse
	if err := c.askAny(ctx, func(b *sarama.Broker) (err error) {
		resp, err = b.DescribeConfigs(c.describeConfigsRequest(res))
		return err
	}); err != nil {
		return nil, fmt.Errorf("describe configs of %s: %w", res, err)
	}
	return configEntries(res, resp)
}

// configResource is what a DescribeConfigs asks about: a topic or a broker.
type configResource struct {
	typ  sarama.ConfigResourceType
	name string
	// own is the source of a value set on the resource itself, which
	// removing the setting takes away: the synonym under it is the default.
	own sarama.ConfigSource
}

// String names the resource in errors: a topic by its quoted name, as
// before brokers had configs here too.
func (r configResource) String() string {
	if r.typ == sarama.BrokerResource {
		return "broker " + r.name
	}
	return fmt.Sprintf("%q", r.name)
}

func (c *Client) describeConfigsRequest(res configResource) *sarama.DescribeConfigsRequest {
	return &sarama.DescribeConfigsRequest{
		Version:         requestVersion(apiKeyDescribeConfigs, c.sconf.Version),
		IncludeSynonyms: true,
		Resources:       []*sarama.ConfigResource{{Type: res.typ, Name: res.name}},
	}
}

// configEntries reads the entries of res from a DescribeConfigs answer.
func configEntries(res configResource, resp *sarama.DescribeConfigsResponse) ([]ConfigEntry, error) {
	if len(resp.Resources) != 1 {
		return nil, fmt.Errorf("describe configs of %s: broker answered for %d resources", res, len(resp.Resources))
	}
	r := resp.Resources[0]
	if kerr := sarama.KError(r.ErrorCode); !errors.Is(kerr, sarama.ErrNoError) {
		if res.typ == sarama.TopicResource && errors.Is(kerr, sarama.ErrUnknownTopicOrPartition) {
			return nil, fmt.Errorf("%w: %s", ErrNoSuchTopic, res.name)
		}
		if r.ErrorMsg != "" {
			return nil, fmt.Errorf("describe configs of %s: %w: %s", res, kerr, r.ErrorMsg)
		}
		return nil, fmt.Errorf("describe configs of %s: %w", res, kerr)
	}
	out := make([]ConfigEntry, 0, len(r.Configs))
	for _, e := range r.Configs {
		ce := ConfigEntry{
			Name:      e.Name,
			Value:     e.Value,
			Source:    sourceName(e.Source),
			Sensitive: e.Sensitive,
			ReadOnly:  e.ReadOnly,
		}
		if e.Sensitive {
			// Kafka sends no value for a secret; should a broker send one
			// anyway, neither it nor a synonym's value goes further.
			ce.Value = ""
			out = append(out, ce)
			continue
		}
		// Synonyms run from highest precedence down (Kafka lists the
		// entry itself first, some brokers do not); the first one that is
		// not set on the resource itself is what removing that setting
		// would leave.
		if e.Source != res.own {
			ce.Default = e.Value
		}
		for _, syn := range e.Synonyms {
			if syn.Source != res.own {
				ce.Default = syn.ConfigValue
				break
			}
		}
		ce.Overridden = e.Source == res.own && ce.Value != ce.Default
		out = append(out, ce)
	}
	slices.SortFunc(out, func(a, b ConfigEntry) int { return strings.Compare(a.Name, b.Name) })
	return out, nil
}

func sourceName(s sarama.ConfigSource) string {
	switch s {
	case sarama.SourceTopic:
		return "topic"
	case sarama.SourceDynamicBroker:
		return "broker"
	case sarama.SourceDynamicDefaultBroker:
		return "cluster"
	case sarama.SourceStaticBroker:
		return "static"
	case sarama.SourceDefault:
		return "default"
	}
	return "unknown"
}
