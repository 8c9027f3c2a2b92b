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
	req := &sarama.DescribeConfigsRequest{
		Version:         requestVersion(apiKeyDescribeConfigs, c.sconf.Version),
		IncludeSynonyms: true,
		Resources:       []*sarama.ConfigResource{{Type: sarama.TopicResource, Name: topic}},
	}
	var resp *sarama.DescribeConfigsResponse
	if err := c.askAny(ctx, func(b *sarama.Broker) (err error) {
		resp, err = b.DescribeConfigs(req)
		return err
	}); err != nil {
		return nil, fmt.Errorf("describe configs of %q: %w", topic, err)
	}
	if len(resp.Resources) != 1 {
		return nil, fmt.Errorf("describe configs of %q: broker answered for %d resources", topic, len(resp.Resources))
	}
	return configEntries(topic, resp.Resources[0])
}

func configEntries(topic string, r *sarama.ResourceResponse) ([]ConfigEntry, error) {
	if kerr := sarama.KError(r.ErrorCode); !errors.Is(kerr, sarama.ErrNoError) {
		if errors.Is(kerr, sarama.ErrUnknownTopicOrPartition) {
			return nil, fmt.Errorf("%w: %s", ErrNoSuchTopic, topic)
		}
		if r.ErrorMsg != "" {
			return nil, fmt.Errorf("describe configs of %q: %w: %s", topic, kerr, r.ErrorMsg)
		}
		return nil, fmt.Errorf("describe configs of %q: %w", topic, kerr)
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
		// Synonyms run from highest precedence down (Kafka lists the
		// entry itself first, some brokers do not); the first one that is
		// not topic-level is what removing the topic setting would leave.
		if e.Source != sarama.SourceTopic {
			ce.Default = e.Value
		}
		for _, syn := range e.Synonyms {
			if syn.Source != sarama.SourceTopic {
				ce.Default = syn.ConfigValue
				break
			}
		}
		ce.Overridden = e.Source == sarama.SourceTopic && !e.Sensitive && ce.Value != ce.Default
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
