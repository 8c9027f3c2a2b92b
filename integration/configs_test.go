//go:build realkafka

package integration

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"kscope/kafkaclient"
)

// TestTopicConfigs compares every entry of a topic's configuration (value,
// source, whether it is the default, the value it falls back to, whether
// it is sensitive) with kafka-configs --describe --all, as overrides are
// set and removed by kafka-configs and by kscope, with a cluster-wide
// dynamic broker default in play.
func TestTopicConfigs(t *testing.T) {
	topic := name("configs")
	createTopic(t, topic, 2, 3, "", "retention.ms=86400000")
	s := connect(t, config())
	ctx := t.Context()

	// A cluster-wide dynamic default of a broker setting that is the
	// fallback of a topic setting (file.delete.delay.ms).
	configs := func(args ...string) {
		t.Helper()
		tool(t, "kafka-configs", append([]string{"--bootstrap-server", bootstrapArg(), "--alter"}, args...)...)
	}
	configs("--entity-type", "brokers", "--entity-default", "--add-config", "log.segment.delete.delay.ms=61000")
	t.Cleanup(func() {
		configs("--entity-type", "brokers", "--entity-default", "--delete-config", "log.segment.delete.delay.ms")
	})

	kscopeConfigs := func(t testing.TB) string {
		entries, err := s.TopicConfig(ctx, topic)
		if err != nil {
			return "kscope failed: " + err.Error()
		}
		return configLines(entries)
	}
	toolConfigs := func(t testing.TB) string {
		out := toolText(t, "kafka-configs", "--bootstrap-server", bootstrapArg(), "--describe", "--all",
			"--entity-type", "topics", "--entity-name", topic)
		if strings.HasPrefix(out, "tool failed") {
			return out
		}
		return describedConfigLines(parseConfigs(out))
	}
	expect := func(t *testing.T, got string, want ...string) {
		t.Helper()
		have := strings.Split(got, "\n")
		for _, w := range want {
			found := false
			for _, h := range have {
				if strings.HasPrefix(h, w) {
					found = true
				}
			}
			if !found {
				t.Errorf("no entry %q in\n%s", w, got)
			}
		}
	}

	t.Run("created with an override", func(t *testing.T) {
		got := agree(t, "configs of a new topic", time.Minute, kscopeConfigs, toolConfigs)
		expect(t, got,
			// Kafka names no synonym behind retention.ms (its broker
			// setting log.retention.ms is unset; the hours one stands in),
			// so neither kafka-configs nor kscope can tell what removing
			// the override would leave.
			"retention.ms value=86400000 source=topic default=false sensitive=false fallback= overridden=true",
			"cleanup.policy value=delete source=default default=true sensitive=false fallback=delete overridden=false",
			"file.delete.delay.ms value=61000 source=cluster default=false sensitive=false fallback=61000 overridden=false",
			"compression.type value=producer source=static default=false")
	})

	t.Run("overrides set", func(t *testing.T) {
		configs("--entity-type", "topics", "--entity-name", topic, "--add-config", "cleanup.policy=[compact,delete],max.message.bytes=2000000")
		v := "3600000"
		if err := s.SetTopicConfig(ctx, topic, "segment.ms", &v); err != nil {
			t.Fatalf("kscope sets segment.ms: %v", err)
		}
		got := agree(t, "configs after overrides were set", time.Minute, kscopeConfigs, toolConfigs)
		expect(t, got,
			"cleanup.policy value=compact,delete source=topic default=false sensitive=false fallback=delete overridden=true",
			"max.message.bytes value=2000000 source=topic",
			"segment.ms value=3600000 source=topic default=false sensitive=false fallback= overridden=true")
	})

	t.Run("overrides removed", func(t *testing.T) {
		configs("--entity-type", "topics", "--entity-name", topic, "--delete-config", "cleanup.policy,retention.ms")
		if err := s.SetTopicConfig(ctx, topic, "segment.ms", nil); err != nil {
			t.Fatalf("kscope resets segment.ms: %v", err)
		}
		if err := s.SetTopicConfig(ctx, topic, "max.message.bytes", nil); err != nil {
			t.Fatalf("kscope resets max.message.bytes: %v", err)
		}
		got := agree(t, "configs after the overrides were removed", time.Minute, kscopeConfigs, toolConfigs)
		expect(t, got,
			"cleanup.policy value=delete source=default default=true",
			"retention.ms value=604800000 source=default default=true",
			"segment.ms value=604800000 source=default default=true",
			"max.message.bytes value=1048588 source=default default=true")
		if strings.Contains(got, "source=topic") {
			t.Errorf("a topic-level setting is left:\n%s", got)
		}
	})
}

// configLines is kscope's configuration in the canonical form.
func configLines(entries []kafkaclient.ConfigEntry) string {
	ls := make([]string, 0, len(entries))
	for _, e := range entries {
		ls = append(ls, fmt.Sprintf("%s value=%s source=%s default=%v sensitive=%v fallback=%s overridden=%v",
			e.Name, e.Value, e.Source, e.Source == "default", e.Sensitive, e.Default, e.Overridden))
	}
	return lines(ls)
}

// describedConfigLines is kafka-configs' answer in the same form. The
// entry's source is its first synonym's (Kafka lists the entry itself
// first), DEFAULT_CONFIG when it has none; it is the default when that source is DEFAULT_CONFIG, as Kafka's
// ConfigEntry.isDefault says; it falls back to the first synonym that is
// not topic-level; it is overridden when set on the topic to another
// value than that.
func describedConfigLines(cs []describedConfig) string {
	sources := map[string]string{
		"DYNAMIC_TOPIC_CONFIG":          "topic",
		"DYNAMIC_BROKER_CONFIG":         "broker",
		"DYNAMIC_DEFAULT_BROKER_CONFIG": "cluster",
		"STATIC_BROKER_CONFIG":          "static",
		"DEFAULT_CONFIG":                "default",
	}
	ls := make([]string, 0, len(cs))
	for _, c := range cs {
		value := c.Value
		if value == "null" {
			value = "" // the tool prints a missing value as null
		}
		// The broker lists a topic entry without synonyms only when it
		// comes from the topic-level default, with no broker setting behind
		// it (Kafka's ConfigHelper); kafka-configs then prints synonyms={}.
		source, fallback := "default", value
		if len(c.Synonyms) > 0 {
			source, fallback = "unknown", ""
			if s, ok := sources[c.Synonyms[0].Source]; ok {
				source = s
			}
		}
		for _, syn := range c.Synonyms {
			if syn.Source != "DYNAMIC_TOPIC_CONFIG" {
				fallback = syn.Value
				break
			}
		}
		if fallback == "null" {
			fallback = ""
		}
		overridden := source == "topic" && !c.Sensitive && value != fallback
		ls = append(ls, fmt.Sprintf("%s value=%s source=%s default=%v sensitive=%v fallback=%s overridden=%v",
			c.Name, value, source, source == "default", c.Sensitive, fallback, overridden))
	}
	return lines(ls)
}
