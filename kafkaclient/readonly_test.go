package kafkaclient

import (
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
)

// readCalls are the Client's methods that only read. Every other exported
// method changes the cluster and must be listed in writeCalls with a call
// that exercises it, so a new method cannot skip the read-only check.
var readCalls = []string{
	"ACLs", "ACLsFor", "Bootstrap", "BrokerConfig", "Close", "Events", "Group", "Groups", "LogDirs", "PlanReset", "PlanShareReset", "Producers", "Quotas", "ReadOnly", "Refresh", "Requirements", "ScramCredentials", "StableOffsets", "Tail", "TopicConfig", "Transactions",
}

// writeCalls exercise each method that changes the cluster.
var writeCalls = map[string]func(*Client) error{
	"CreateTopic": func(c *Client) error {
		return c.CreateTopic(readOnlyCtx, TopicSpec{Name: "orders", Partitions: 1, ReplicationFactor: 1})
	},
	"DeleteTopic":   func(c *Client) error { return c.DeleteTopic(readOnlyCtx, "orders") },
	"AddPartitions": func(c *Client) error { return c.AddPartitions(readOnlyCtx, "orders", 12) },
	"SetTopicConfig": func(c *Client) error {
		return c.SetTopicConfig(readOnlyCtx, "orders", "retention.ms", nil)
	},
	"Produce": func(c *Client) error {
		_, err := c.Produce(readOnlyCtx, ProduceRequest{Topic: "orders", Partition: -1, Value: []byte("v")})
		return err
	},
	"ApplyReset": func(c *Client) error {
		return c.ApplyReset(readOnlyCtx, ResetPlan{Group: "billing", Rows: []ResetPlanRow{{TopicPartition: TopicPartition{"orders", 0}, New: 0}}})
	},
	"DeleteGroupOffsets": func(c *Client) error { return c.DeleteGroupOffsets(readOnlyCtx, "billing", "orders") },
	"DeleteGroup":        func(c *Client) error { return c.DeleteGroup(readOnlyCtx, "billing") },
	"ApplyShareReset": func(c *Client) error {
		return c.ApplyShareReset(readOnlyCtx, ResetPlan{Group: "queue", Share: true, Rows: []ResetPlanRow{{TopicPartition: TopicPartition{"orders", 0}, New: 0}}})
	},
	"DeleteShareGroupOffsets": func(c *Client) error { return c.DeleteShareGroupOffsets(readOnlyCtx, "queue", "orders") },
	"SetBrokerConfig":         func(c *Client) error { return c.SetBrokerConfig(readOnlyCtx, 1, "log.retention.ms", nil) },
	"CreateACL": func(c *Client) error {
		return c.CreateACL(readOnlyCtx, ACL{Principal: "User:alice", Host: "*", Operation: "READ", Permission: "ALLOW", ResourceType: "TOPIC", PatternType: "LITERAL", Resource: "orders"})
	},
	"DeleteACL": func(c *Client) error {
		_, err := c.DeleteACL(readOnlyCtx, ACL{Principal: "User:alice", Host: "*", Operation: "READ", Permission: "ALLOW", ResourceType: "TOPIC", PatternType: "LITERAL", Resource: "orders"})
		return err
	},
	"AbortTransaction": func(c *Client) error {
		return c.AbortTransaction(readOnlyCtx, AbortSpec{TopicPartition: TopicPartition{"orders", 0}, ProducerID: 1})
	},
	"ElectPreferredLeaders": func(c *Client) error {
		_, err := c.ElectPreferredLeaders(readOnlyCtx, []TopicPartition{{"orders", 0}})
		return err
	},
}

func TestEveryClientCallIsClassifiedForReadOnly(t *testing.T) {
	t.Parallel()
	typ := reflect.TypeOf(&Client{})
	for i := range typ.NumMethod() {
		name := typ.Method(i).Name
		_, writes := writeCalls[name]
		if !writes && !slices.Contains(readCalls, name) {
			t.Errorf("Client.%s is neither a read nor a write call: classify it, and guard it if it writes", name)
		}
	}
}

func TestReadOnlyRefusesEveryWrite(t *testing.T) {
	t.Parallel()
	c := &Client{cfg: Config{ReadOnly: true}}
	for name, call := range writeCalls {
		if err := call(c); !errors.Is(err, ErrReadOnly) {
			t.Errorf("%s in read-only mode: %v", name, err)
		}
	}
	if err := c.guardWrite("delete topic orders"); !errors.Is(err, ErrReadOnly) || err.Error() != "delete topic orders: read-only mode: kscope does not change the cluster" {
		t.Errorf("guard: %v", err)
	}
	if err := (&Client{}).guardWrite("x"); err != nil {
		t.Errorf("writable client refused: %v", err)
	}
}

func TestSASLNeverPrintsThePassword(t *testing.T) {
	t.Parallel()
	s := &SASL{Mechanism: "PLAIN", Username: "ops", Password: "hunter2"}
	cfg := Config{Brokers: []string{"b:9092"}, SASL: s}
	for _, out := range []string{fmt.Sprint(s), fmt.Sprintf("%v %+v %#v", *s, *s, *s), fmt.Sprintf("%v %+v", cfg, cfg)} {
		if strings.Contains(out, "hunter2") {
			t.Errorf("password printed: %s", out)
		}
	}
}
