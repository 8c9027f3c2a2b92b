package kafkaclient

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/IBM/sarama"
)

// brokerResource is broker id's configuration. What a change sets on it
// is a dynamic per-broker value: it overrides the cluster-wide dynamic
// value, server.properties and the default, on this broker alone.
func brokerResource(id int32) configResource {
	return configResource{typ: sarama.BrokerResource, name: strconv.Itoa(int(id)), own: sarama.SourceDynamicBroker}
}

// BrokerConfig reads broker id's configuration, with synonyms so that
// each entry says where its value comes from: "broker" (set dynamically
// on this broker), "cluster" (set dynamically for every broker), "static"
// (server.properties) or "default"; Default is what the entry would be
// without the per-broker value, ReadOnly marks what Kafka cannot change
// while the broker runs. A sensitive entry comes without its value.
//
// It asks the broker itself, as Kafka's own admin client does: only it
// knows what its server.properties says.
func (c *Client) BrokerConfig(ctx context.Context, id int32) ([]ConfigEntry, error) {
	res := brokerResource(id)
	var resp *sarama.DescribeConfigsResponse
	if err := c.askBroker(ctx, id, func(b *sarama.Broker) (err error) {
		resp, err = b.DescribeConfigs(c.describeConfigsRequest(res))
		return err
	}); err != nil {
		return nil, fmt.Errorf("describe configs of %s: %w", res, err)
	}
	return configEntries(res, resp)
}

// SetBrokerConfig sets one setting on broker id alone (value != nil), as a
// dynamic per-broker value, or removes that value (value == nil) so that
// the cluster-wide, static or default one applies again. The broker
// applies it without a restart; a setting it can only read at start is
// refused by the broker, and the refusal is passed on.
//
// It uses IncrementalAlterConfigs, which changes that one entry, and so
// needs Kafka 2.3: the older AlterConfigs replaces every dynamic value of
// the broker at once, secrets included, which cannot be read back.
func (c *Client) SetBrokerConfig(ctx context.Context, id int32, name string, value *string) error {
	op := fmt.Sprintf("set %s on broker %d", name, id)
	entry := sarama.IncrementalAlterConfigsEntry{Operation: sarama.IncrementalAlterConfigsOperationSet, Value: value}
	if value == nil {
		op = fmt.Sprintf("remove %s from broker %d's own settings", name, id)
		entry.Operation = sarama.IncrementalAlterConfigsOperationDelete
	}
	if err := c.guardWrite(op); err != nil {
		return err
	}
	if strings.TrimSpace(name) == "" {
		return fmt.Errorf("%s: the setting has no name", op)
	}
	version := requestVersion(apiKeyIncrementalAlterConfigs, c.sconf.Version)
	if version < 0 {
		return fmt.Errorf("%s: Kafka %s cannot change one broker setting alone (2.3 and later can)", op, c.sconf.Version)
	}
	res := brokerResource(id)
	req := &sarama.IncrementalAlterConfigsRequest{Version: version, Resources: []*sarama.IncrementalAlterConfigsResource{{
		Type: res.typ, Name: res.name, ConfigEntries: map[string]sarama.IncrementalAlterConfigsEntry{name: entry},
	}}}
	var resp *sarama.IncrementalAlterConfigsResponse
	err := c.askBroker(ctx, id, func(b *sarama.Broker) (err error) {
		resp, err = b.IncrementalAlterConfigs(req)
		return err
	})
	if err == nil {
		err = brokerAlterResult(resp.Resources, res, name)
	}
	if err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	return nil
}

// askBroker sends a request with ask to broker id itself, and tells the
// pool whether the broker answered.
func (c *Client) askBroker(ctx context.Context, id int32, ask func(*sarama.Broker) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	b, err := c.broker(id)
	if err == nil {
		err = ask(b)
		c.pool.report(id, err)
	}
	return err
}

// configRefused is a broker's refusal of a config change, in the words
// the broker gave, or in kscope's when it gave none: sarama's text for
// INVALID_REQUEST, the answer to a setting that cannot be changed while
// the broker runs, blames the client library. It unwraps to the error code.
type configRefused struct {
	Code sarama.KError
	// Name is the setting; Msg is the broker's own message, if any.
	Name, Msg string
}

// Error says the broker refused the change, and why as well as is known.
func (e *configRefused) Error() string {
	switch {
	case e.Msg != "":
		return "the broker refused it: " + e.Msg
	case errors.Is(e.Code, sarama.ErrInvalidRequest), errors.Is(e.Code, sarama.ErrInvalidConfig):
		return fmt.Sprintf("the broker refused it: %s cannot be changed while the broker runs (it is read from server.properties at start), or the value is not valid for it", e.Name)
	}
	return "the broker refused it: " + e.Code.Error()
}

// Unwrap is the Kafka error code.
func (e *configRefused) Unwrap() error { return e.Code }

// brokerAlterResult is the error, if any, the broker answered for res.
func brokerAlterResult(resources []*sarama.AlterConfigsResourceResponse, res configResource, name string) error {
	for _, r := range resources {
		if r.Type != res.typ || r.Name != res.name {
			continue
		}
		if kerr := sarama.KError(r.ErrorCode); !errors.Is(kerr, sarama.ErrNoError) {
			return &configRefused{Code: kerr, Name: name, Msg: r.ErrorMsg}
		}
		return nil
	}
	return sarama.ErrIncompleteResponse
}
