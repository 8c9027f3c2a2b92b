//go:build realkafka

package integration

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"kscope/kafkaclient"
)

// TestSecurity uses the SASL_SSL listener (SCRAM-SHA-512 over TLS, the
// StandardAuthorizer): the superuser connects, browses and tails as
// kafka-topics and kafka-consumer-groups do over the same listener; a
// wrong password gets kscope's authentication message; a user denied
// every operation on a topic is told it is not authorized, at once; and
// read-only mode refuses every change.
func TestSecurity(t *testing.T) {
	topic := name("sec")
	secret := rig.env["KSCOPE_RIG_SECRET_PREFIX"] + name("hidden")
	createTopic(t, topic, 3, 3, "")
	createTopic(t, secret, 2, 3, "")
	produceCounts(t, topic, []int{10, 11, 12})
	produceCounts(t, secret, []int{3, 3})
	group := name("g-sec")
	seedOffsets(t, group, topic, map[int32]int64{0: 1, 1: 2, 2: 3})

	adminUser, adminPassword := rig.env["KSCOPE_RIG_ADMIN_USER"], rig.env["KSCOPE_RIG_ADMIN_PASSWORD"]
	limitedUser, limitedPassword := rig.env["KSCOPE_RIG_LIMITED_USER"], rig.env["KSCOPE_RIG_LIMITED_PASSWORD"]
	adminProps, limitedProps := rig.env["KSCOPE_RIG_ADMIN_PROPERTIES"], rig.env["KSCOPE_RIG_LIMITED_PROPERTIES"]
	secure := func(user, password string) kafkaclient.Config {
		cfg := config()
		cfg.Brokers = rig.sasl
		cfg.SASL = &kafkaclient.SASL{Mechanism: "SCRAM-SHA-512", Username: user, Password: password}
		cfg.TLS = &kafkaclient.TLS{CAFile: rig.env["KSCOPE_RIG_CA"]}
		return cfg
	}
	saslArgs := func(props string, args ...string) []string {
		return append([]string{"--bootstrap-server", strings.Join(rig.sasl, ","), "--command-config", props}, args...)
	}
	toolTopics := func(props string) func(testing.TB) string {
		return func(t testing.TB) string {
			return lines(strings.Fields(toolText(t, "kafka-topics", saslArgs(props, "--list")...)))
		}
	}
	kscopeTopics := func(s *session) func(testing.TB) string {
		return func(t testing.TB) string {
			var names []string
			for _, tp := range s.fresh(t).Topics {
				names = append(names, tp.Name)
			}
			return lines(names)
		}
	}

	t.Run("superuser browses and tails", func(t *testing.T) {
		s := connect(t, secure(adminUser, adminPassword))
		list := agree(t, "topics over SASL_SSL", time.Minute, kscopeTopics(s), toolTopics(adminProps))
		if !strings.Contains(list, secret) || !strings.Contains(list, topic) {
			t.Errorf("the superuser does not see both topics:\n%s", list)
		}
		agree(t, "partitions over SASL_SSL", time.Minute, func(t testing.TB) string {
			tp := s.fresh(t).Topic(topic)
			if tp == nil {
				return "no topic"
			}
			return snapshotPartitionLines(&kafkaclient.Snapshot{Topics: []kafkaclient.TopicInfo{*tp}})
		}, func(t testing.TB) string {
			return orFailure(toolText(t, "kafka-topics", saslArgs(adminProps, "--describe", "--topic", topic)...), partitionLines)
		})
		agree(t, "configs over SASL_SSL", time.Minute, func(t testing.TB) string {
			entries, err := s.TopicConfig(t.Context(), topic)
			if err != nil {
				return "kscope failed: " + err.Error()
			}
			return configLines(entries)
		}, func(t testing.TB) string {
			return describedConfigLines(parseConfigs(toolText(t, "kafka-configs", saslArgs(adminProps, "--describe", "--all", "--entity-type", "topics", "--entity-name", topic)...)))
		})
		agree(t, "group offsets over SASL_SSL", time.Minute, func(t testing.TB) string {
			g, err := s.Group(t.Context(), group)
			if err != nil {
				return "kscope failed: " + err.Error()
			}
			return groupOffsetLines(g)
		}, func(t testing.TB) string {
			return toolOffsetLines(parseTable(toolText(t, "kafka-consumer-groups", saslArgs(adminProps, "--describe", "--offsets", "--group", group)...)))
		})

		tail, err := s.Tail(t.Context(), kafkaclient.TailSpec{Topic: topic, From: kafkaclient.From{Kind: kafkaclient.FromEarliest}})
		if err != nil {
			t.Fatalf("tail over SASL_SSL: %v", err)
		}
		defer tail.Close()
		got := 0
		timeout := time.After(30 * time.Second)
		for got < 33 {
			select {
			case e := <-tail.Events():
				if b, ok := e.(kafkaclient.RecordBatch); ok {
					got += b.Len()
				}
			case <-timeout:
				t.Fatalf("tailed %d of 33 records over SASL_SSL", got)
			}
		}
	})

	t.Run("wrong password", func(t *testing.T) {
		ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
		defer cancel()
		start := time.Now()
		c, err := kafkaclient.Connect(ctx, secure(adminUser, "not-the-password"))
		if err == nil {
			c.Close()
			t.Fatal("connected with a wrong password")
		}
		msg := err.Error()
		t.Logf("kscope with a wrong password: %s", msg)
		if want := "authentication failed for user " + adminUser + " with SCRAM-SHA-512"; !strings.Contains(msg, want) {
			t.Errorf("error %q does not say %q", msg, want)
		}
		// Real brokers answer a wrong password at once with
		// SASL_AUTHENTICATION_FAILED (kfake drops the connection): the
		// first line, which the status bar shows, must not blame silence.
		if first, _, _ := strings.Cut(msg, "\n"); !strings.Contains(first, "authentication failed") {
			t.Errorf("the first line of the error is %q: every broker answered, refusing the login, but it does not say so", first)
		}
		if strings.Contains(msg, "not-the-password") {
			t.Errorf("the error shows the password: %q", msg)
		}
		if d := time.Since(start); d > 20*time.Second {
			t.Errorf("the failed login took %s", d)
		}
		// Kafka's own tools fail the same way.
		props := filepath.Join(t.TempDir(), "wrong.properties")
		wrong, _ := os.ReadFile(adminProps)
		if err := os.WriteFile(props, []byte(strings.ReplaceAll(string(wrong), adminPassword, "not-the-password")), 0o600); err != nil {
			t.Fatal(err)
		}
		out, terr := runTool(t.Context(), "kafka-topics", saslArgs(props, "--list")...)
		if terr == nil || !strings.Contains(terr.Error(), "Authentication failed") {
			t.Errorf("kafka-topics with a wrong password: %v\n%s", terr, out)
		}
	})

	t.Run("user denied a topic", func(t *testing.T) {
		s := connect(t, secure(limitedUser, limitedPassword))
		list := agree(t, "topics the limited user sees", time.Minute, kscopeTopics(s), toolTopics(limitedProps))
		if strings.Contains(list, secret) || !strings.Contains(list, topic) {
			t.Errorf("the limited user should see %s and not %s:\n%s", topic, secret, list)
		}
		ctx := t.Context()
		for _, c := range []struct {
			what string
			call func() error
		}{
			{"tail", func() error {
				tail, err := s.Tail(ctx, kafkaclient.TailSpec{Topic: secret, From: kafkaclient.From{Kind: kafkaclient.FromEarliest}})
				if err == nil {
					tail.Close()
				}
				return err
			}},
			{"configs", func() error { _, err := s.TopicConfig(ctx, secret); return err }},
			{"reset preview", func() error {
				_, err := s.PlanReset(ctx, group, secret, nil, kafkaclient.ResetTarget{Kind: kafkaclient.ResetEarliest})
				return err
			}},
			{"produce", func() error {
				_, err := s.Produce(ctx, kafkaclient.ProduceRequest{Topic: secret, Partition: 0, Value: []byte("x")})
				return err
			}},
		} {
			start := time.Now()
			err := c.call()
			t.Logf("%s of %s as %s: %v", c.what, secret, limitedUser, err)
			switch {
			case err == nil:
				t.Errorf("%s of %s: allowed for a user without Describe", c.what, secret)
			case !strings.Contains(strings.ToLower(err.Error()), "not authorized") || !strings.Contains(err.Error(), secret):
				t.Errorf("%s of %s: %q does not say that the user is not authorized for the topic", c.what, secret, err)
			}
			if d := time.Since(start); d > 20*time.Second {
				t.Errorf("%s of %s took %s", c.what, secret, d)
			}
		}
		// kafka-topics says the same without saying why.
		out, terr := runTool(ctx, "kafka-topics", saslArgs(limitedProps, "--describe", "--topic", secret)...)
		t.Logf("kafka-topics --describe as %s: %v %s", limitedUser, firstLine(terr), out)
	})

	t.Run("read-only refuses every change", func(t *testing.T) {
		// Every exported method of the client is either a reader or a
		// change refused below: a new one must be put in one list.
		readers := []string{"ACLs", "ACLsFor", "Bootstrap", "BrokerConfig", "Close", "Events", "Group", "Groups", "LogDirs", "PlanReset", "PlanShareReset", "Producers", "Quotas", "ReadOnly", "Refresh", "Requirements", "ScramCredentials", "StableOffsets", "Tail", "TopicConfig", "Transactions"}
		changes := []string{"AbortTransaction", "AddPartitions", "ApplyReset", "ApplyShareReset", "CreateACL", "CreateTopic", "DeleteACL", "DeleteGroup", "DeleteGroupOffsets", "DeleteShareGroupOffsets",
			"DeleteTopic", "ElectPreferredLeaders", "Produce", "SetBrokerConfig", "SetTopicConfig"}
		typ := reflect.TypeFor[*kafkaclient.Client]()
		for i := range typ.NumMethod() {
			if m := typ.Method(i).Name; !slices.Contains(readers, m) && !slices.Contains(changes, m) {
				t.Errorf("kafkaclient.Client.%s is not known to this test: add it to the readers, or to the changes with a call that read-only mode must refuse", m)
			}
		}

		cfg := secure(adminUser, adminPassword)
		cfg.ReadOnly = true
		s := connect(t, cfg)
		ctx := t.Context()
		offsetsBefore := tool(t, "kafka-get-offsets", "--bootstrap-server", bootstrapArg(), "--topic", topic)
		groupBefore := toolOffsetLines(parseTable(tool(t, "kafka-consumer-groups", "--bootstrap-server", bootstrapArg(), "--describe", "--offsets", "--group", group)))
		plan, err := s.PlanReset(ctx, group, topic, nil, kafkaclient.ResetTarget{Kind: kafkaclient.ResetEarliest})
		if err != nil {
			t.Fatalf("a reset preview only reads, read-only allows it: %v", err)
		}
		retention := "1000"
		attempts := map[string]func() error{
			"CreateTopic": func() error {
				return s.CreateTopic(ctx, kafkaclient.TopicSpec{Name: name("ro-new"), Partitions: 1, ReplicationFactor: 1})
			},
			"DeleteTopic":   func() error { return s.DeleteTopic(ctx, topic) },
			"AddPartitions": func() error { return s.AddPartitions(ctx, topic, 5) },
			"SetTopicConfig": func() error {
				return errors.Join(s.SetTopicConfig(ctx, topic, "retention.ms", &retention), s.SetTopicConfig(ctx, topic, "cleanup.policy", nil))
			},
			"Produce": func() error {
				_, err := s.Produce(ctx, kafkaclient.ProduceRequest{Topic: topic, Partition: 0, Value: []byte("x")})
				return err
			},
			"ApplyReset":              func() error { return s.ApplyReset(ctx, plan) },
			"ApplyShareReset":         func() error { return s.ApplyShareReset(ctx, plan) },
			"DeleteGroupOffsets":      func() error { return s.DeleteGroupOffsets(ctx, group, topic) },
			"DeleteShareGroupOffsets": func() error { return s.DeleteShareGroupOffsets(ctx, group, topic) },
			"DeleteGroup":             func() error { return s.DeleteGroup(ctx, group) },
			"SetBrokerConfig": func() error {
				return errors.Join(s.SetBrokerConfig(ctx, 1, "log.cleaner.threads", &retention), s.SetBrokerConfig(ctx, 1, "log.cleaner.threads", nil))
			},
			"CreateACL": func() error {
				return s.CreateACL(ctx, kafkaclient.ACL{Principal: "User:" + name("ro-acl"), Host: "*", Operation: "READ", Permission: "ALLOW",
					ResourceType: "TOPIC", PatternType: "LITERAL", Resource: topic})
			},
			"DeleteACL": func() error {
				_, err := s.DeleteACL(ctx, kafkaclient.ACL{Principal: "User:" + name("ro-acl"), Host: "*", Operation: "READ", Permission: "ALLOW",
					ResourceType: "TOPIC", PatternType: "LITERAL", Resource: topic})
				return err
			},
			"AbortTransaction": func() error {
				return s.AbortTransaction(ctx, kafkaclient.AbortSpec{TopicPartition: kafkaclient.TopicPartition{Topic: topic, Partition: 0}, ProducerID: 1})
			},
			"ElectPreferredLeaders": func() error {
				_, err := s.ElectPreferredLeaders(ctx, []kafkaclient.TopicPartition{{Topic: topic, Partition: 0}})
				return err
			},
		}
		for _, m := range changes {
			attempt, ok := attempts[m]
			if !ok {
				t.Errorf("no read-only attempt of %s", m)
				continue
			}
			if err := attempt(); !errors.Is(err, kafkaclient.ErrReadOnly) {
				t.Errorf("%s in read-only mode: %v, want %v", m, err, kafkaclient.ErrReadOnly)
			}
		}

		// Nothing changed, as Kafka's tools see it.
		list := tool(t, "kafka-topics", "--bootstrap-server", bootstrapArg(), "--list")
		if strings.Contains(list, name("ro-new")) || !strings.Contains(list, topic) {
			t.Errorf("topics changed:\n%s", list)
		}
		if ps := parseTopicsDescribe(tool(t, "kafka-topics", "--bootstrap-server", bootstrapArg(), "--describe", "--topic", topic)); len(ps) != 3 {
			t.Errorf("%s has %d partitions, want 3", topic, len(ps))
		}
		dynamic := tool(t, "kafka-configs", "--bootstrap-server", bootstrapArg(), "--describe", "--entity-type", "topics", "--entity-name", topic)
		if strings.Contains(dynamic, "retention.ms") {
			t.Errorf("a config was set:\n%s", dynamic)
		}
		if after := tool(t, "kafka-get-offsets", "--bootstrap-server", bootstrapArg(), "--topic", topic); after != offsetsBefore {
			t.Errorf("records were produced: end offsets %q, before %q", after, offsetsBefore)
		}
		if after := toolOffsetLines(parseTable(tool(t, "kafka-consumer-groups", "--bootstrap-server", bootstrapArg(), "--describe", "--offsets", "--group", group))); after != groupBefore {
			t.Errorf("the group's offsets changed:\n%s\nbefore:\n%s", after, groupBefore)
		}
	})
}

func firstLine(err error) string {
	if err == nil {
		return "ok"
	}
	l, _, _ := strings.Cut(err.Error(), "\n")
	return l
}
