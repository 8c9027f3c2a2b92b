package kafkaclient

import (
	"context"
	"errors"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/IBM/sarama"
	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// readOnlyCtx is the context of the writeCalls in readonly_test.go.
var readOnlyCtx = context.Background()

// countRequests counts the requests of kind key the cluster receives from now on.
func countRequests(c *kfake.Cluster, key kmsg.Key) *atomic.Int64 {
	var n atomic.Int64
	c.ControlKey(int16(key), func(kmsg.Request) (kmsg.Response, error, bool) {
		c.KeepControl()
		n.Add(1)
		return nil, nil, false
	})
	return &n
}

func configByName(t *testing.T, cl *Client, topic string) map[string]ConfigEntry {
	t.Helper()
	entries, err := cl.TopicConfig(context.Background(), topic)
	return entriesByName(t, entries, err)
}

// entriesByName indexes config entries read without error by name.
func entriesByName(t *testing.T, entries []ConfigEntry, err error) map[string]ConfigEntry {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]ConfigEntry{}
	for _, e := range entries {
		out[e.Name] = e
	}
	return out
}

func TestCreateTopicWithConfigs(t *testing.T) {
	t.Parallel()
	c := newCluster(t, 3)
	cl := connect(t, c)
	ctx := context.Background()
	spec := TopicSpec{Name: "orders", Partitions: 4, ReplicationFactor: 2,
		Configs: map[string]string{"retention.ms": "3600000", "cleanup.policy": "compact"}}
	if err := cl.CreateTopic(ctx, spec); err != nil {
		t.Fatal(err)
	}
	s := waitSnapshot(t, cl, func(s *Snapshot) bool { return s.Topic("orders") != nil })
	orders := s.Topic("orders")
	if len(orders.Partitions) != 4 || orders.ReplicationFactor() != 2 {
		t.Errorf("orders: %d partitions, rf %d; want 4, 2", len(orders.Partitions), orders.ReplicationFactor())
	}
	cfg := configByName(t, cl, "orders")
	for name, want := range spec.Configs {
		if e := cfg[name]; e.Value != want || e.Source != "topic" || !e.Overridden {
			t.Errorf("%s = %+v, want %s set on the topic", name, e, want)
		}
	}

	err := cl.CreateTopic(ctx, spec)
	if !errors.Is(err, sarama.ErrTopicAlreadyExists) || !strings.HasPrefix(err.Error(), "create topic orders: ") {
		t.Errorf("creating it again: %v", err)
	}
}

func TestValidateTopic(t *testing.T) {
	t.Parallel()
	valid := TopicSpec{Name: "my.topic_name-1", Partitions: 3, ReplicationFactor: 3, Configs: map[string]string{"retention.ms": "1"}}
	with := func(f func(*TopicSpec)) TopicSpec {
		s := valid
		f(&s)
		return s
	}
	tests := []struct {
		name  string
		spec  TopicSpec
		field string
	}{
		{"empty name", with(func(s *TopicSpec) { s.Name = "" }), "Name"},
		{"dot", with(func(s *TopicSpec) { s.Name = "." }), "Name"},
		{"dot dot", with(func(s *TopicSpec) { s.Name = ".." }), "Name"},
		{"too long", with(func(s *TopicSpec) { s.Name = strings.Repeat("a", 250) }), "Name"},
		{"space", with(func(s *TopicSpec) { s.Name = "my topic" }), "Name"},
		{"slash", with(func(s *TopicSpec) { s.Name = "a/b" }), "Name"},
		{"non-ASCII letter", with(func(s *TopicSpec) { s.Name = "café" }), "Name"},
		{"no partitions", with(func(s *TopicSpec) { s.Partitions = 0 }), "Partitions"},
		{"negative partitions", with(func(s *TopicSpec) { s.Partitions = -1 }), "Partitions"},
		{"a billion partitions", with(func(s *TopicSpec) { s.Partitions = 1_000_000_000 }), "Partitions"},
		{"more replicas than the brokers should hold", with(func(s *TopicSpec) { s.Partitions = 4001 }), "Partitions"},
		{"no replicas", with(func(s *TopicSpec) { s.ReplicationFactor = 0 }), "ReplicationFactor"},
		{"more replicas than brokers", with(func(s *TopicSpec) { s.ReplicationFactor = 4 }), "ReplicationFactor"},
		{"unnamed setting", with(func(s *TopicSpec) { s.Configs = map[string]string{" ": "x"} }), "Configs"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := ValidateTopic(tt.spec, 3)
			var fe *FieldError
			if !errors.As(err, &fe) || fe.Field != tt.field || fe.Msg == "" {
				t.Fatalf("err = %v, want a FieldError on %s", err, tt.field)
			}
			if got := FieldErrors(err); len(got) != 1 {
				t.Errorf("%d field errors, want 1: %v", len(got), err)
			}
		})
	}
	if err := ValidateTopic(valid, 3); err != nil {
		t.Errorf("valid spec refused: %v", err)
	}
	if err := ValidateTopic(with(func(s *TopicSpec) { s.Partitions = 4000 }), 3); err != nil {
		t.Errorf("4,000 partitions × 3 replicas on 3 brokers refused: %v", err)
	}
	if err := ValidateTopic(with(func(s *TopicSpec) { s.Name = strings.Repeat("x", maxTopicName) }), 3); err != nil {
		t.Errorf("249-character name refused: %v", err)
	}
	all := ValidateTopic(TopicSpec{Name: "a b", ReplicationFactor: 2}, 1)
	var fields []string
	for _, fe := range FieldErrors(all) {
		fields = append(fields, fe.Field)
	}
	if got := strings.Join(fields, ","); got != "Name,Partitions,ReplicationFactor" {
		t.Errorf("every problem should be reported, in field order: %s", got)
	}
}

func TestCreateTopicRefusesInvalidSpecsWithoutSending(t *testing.T) {
	t.Parallel()
	c := newCluster(t, 3)
	cl := connect(t, c)
	creates := countRequests(c, kmsg.CreateTopics)
	for _, spec := range []TopicSpec{
		{Name: "bad name", Partitions: 1, ReplicationFactor: 1},
		{Name: "ok", Partitions: 0, ReplicationFactor: 1},
		{Name: "ok", Partitions: 1, ReplicationFactor: 4},
	} {
		err := cl.CreateTopic(context.Background(), spec)
		if len(FieldErrors(err)) == 0 {
			t.Errorf("%+v: err = %v, want field errors", spec, err)
		}
	}
	if n := creates.Load(); n != 0 {
		t.Errorf("%d CreateTopics requests sent for invalid specs", n)
	}
}

func TestDeleteTopic(t *testing.T) {
	t.Parallel()
	c := newCluster(t, 3, kfake.SeedTopics(2, "doomed", "kept"))
	cl := connect(t, c)
	deletes := countRequests(c, kmsg.DeleteTopics)
	if err := cl.DeleteTopic(context.Background(), "doomed"); err != nil {
		t.Fatal(err)
	}
	waitSnapshot(t, cl, func(s *Snapshot) bool { return s.Topic("doomed") == nil && s.Topic("kept") != nil })

	err := cl.DeleteTopic(context.Background(), "__consumer_offsets")
	if !errors.Is(err, ErrInternalTopic) || !strings.Contains(err.Error(), "delete topic __consumer_offsets") {
		t.Errorf("internal topic: %v", err)
	}
	if err := cl.DeleteTopic(context.Background(), "nosuch"); !errors.Is(err, ErrNoSuchTopic) {
		t.Errorf("unknown topic: %v", err)
	}
	if n := deletes.Load(); n != 1 {
		t.Errorf("%d DeleteTopics requests, want only the one for the topic deleted", n)
	}
}

func TestAddPartitions(t *testing.T) {
	t.Parallel()
	c := newCluster(t, 3, kfake.SeedTopics(3, "t"))
	cl := connect(t, c)
	creates := countRequests(c, kmsg.CreatePartitions)
	if err := cl.AddPartitions(context.Background(), "t", 5); err != nil {
		t.Fatal(err)
	}
	s := waitSnapshot(t, cl, func(s *Snapshot) bool { return len(s.Topic("t").Partitions) != 3 })
	if got := len(s.Topic("t").Partitions); got != 5 {
		t.Fatalf("%d partitions, want 5", got)
	}
	for _, total := range []int32{5, 2} {
		err := cl.AddPartitions(context.Background(), "t", total)
		if err == nil || !strings.Contains(err.Error(), "the topic has 5 partitions") {
			t.Errorf("total %d: %v", total, err)
		}
	}
	// 3 brokers, three replicas each (kfake places every partition on all): 4,000 at the most.
	err := cl.AddPartitions(context.Background(), "t", 1_000_000_000)
	if fes := FieldErrors(err); len(fes) != 1 || fes[0].Field != "total" || !strings.Contains(fes[0].Msg, "at most 4000 partitions with 3 replicas on 3 brokers") {
		t.Errorf("a billion partitions: %v", err)
	}
	if n := creates.Load(); n != 1 {
		t.Errorf("%d CreatePartitions requests, want 1", n)
	}
}

func TestSetTopicConfigAndResetToDefault(t *testing.T) {
	t.Parallel()
	c := newCluster(t, 1, kfake.SeedTopics(1, "t"))
	cl := connect(t, c)
	ctx := context.Background()
	value := "60000"
	if err := cl.SetTopicConfig(ctx, "t", "retention.ms", &value); err != nil {
		t.Fatal(err)
	}
	if e := configByName(t, cl, "t")["retention.ms"]; e.Value != value || e.Source != "topic" || !e.Overridden {
		t.Fatalf("after set: %+v", e)
	}
	if err := cl.SetTopicConfig(ctx, "t", "retention.ms", nil); err != nil {
		t.Fatal(err)
	}
	if e := configByName(t, cl, "t")["retention.ms"]; e.Source == "topic" || e.Value != e.Default || e.Overridden {
		t.Fatalf("after reset: %+v", e)
	}
	if err := cl.SetTopicConfig(ctx, "nosuch", "retention.ms", &value); !errors.Is(err, ErrNoSuchTopic) {
		t.Errorf("unknown topic: %v", err)
	}
}

// TestSetTopicConfigBeforeKafka23 speaks Kafka 2.2, which has no
// IncrementalAlterConfigs: the other topic-level settings must survive
// AlterConfigs replacing them all.
func TestSetTopicConfigBeforeKafka23(t *testing.T) {
	t.Parallel()
	c := newCluster(t, 1)
	cl, err := Connect(context.Background(), Config{Brokers: c.ListenAddrs(), Version: "2.2.0", ConnectTimeout: 5 * time.Second, RefreshInterval: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	ctx := context.Background()
	if err := cl.CreateTopic(ctx, TopicSpec{Name: "t", Partitions: 1, ReplicationFactor: 1, Configs: map[string]string{"cleanup.policy": "compact"}}); err != nil {
		t.Fatal(err)
	}
	incremental, whole := countRequests(c, kmsg.IncrementalAlterConfigs), countRequests(c, kmsg.AlterConfigs)
	value := "60000"
	if err := cl.SetTopicConfig(ctx, "t", "retention.ms", &value); err != nil {
		t.Fatal(err)
	}
	cfg := configByName(t, cl, "t")
	if e := cfg["retention.ms"]; e.Value != value || e.Source != "topic" {
		t.Errorf("after set: %+v", e)
	}
	if e := cfg["cleanup.policy"]; e.Value != "compact" || e.Source != "topic" {
		t.Errorf("the other setting was lost: %+v", e)
	}
	if err := cl.SetTopicConfig(ctx, "t", "retention.ms", nil); err != nil {
		t.Fatal(err)
	}
	cfg = configByName(t, cl, "t")
	if e := cfg["retention.ms"]; e.Source == "topic" {
		t.Errorf("after reset: %+v", e)
	}
	if e := cfg["cleanup.policy"]; e.Value != "compact" || e.Source != "topic" {
		t.Errorf("the other setting was lost: %+v", e)
	}
	if incremental.Load() != 0 || whole.Load() != 2 {
		t.Errorf("IncrementalAlterConfigs %d, AlterConfigs %d; want 0, 2", incremental.Load(), whole.Load())
	}
}

// TestReadOnlyClientSendsNoWrite runs every write call on a read-only
// client of a real cluster: each is refused and no request that changes
// the cluster reaches it.
func TestReadOnlyClientSendsNoWrite(t *testing.T) {
	t.Parallel()
	c := newCluster(t, 1, kfake.SeedTopics(1, "orders"))
	cl, err := Connect(context.Background(), Config{Brokers: c.ListenAddrs(), ReadOnly: true, ConnectTimeout: 5 * time.Second, RefreshInterval: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	var writes atomic.Int64
	for _, key := range []kmsg.Key{kmsg.CreateTopics, kmsg.DeleteTopics, kmsg.CreatePartitions, kmsg.AlterConfigs,
		kmsg.IncrementalAlterConfigs, kmsg.Produce, kmsg.OffsetCommit, kmsg.OffsetDelete, kmsg.DeleteGroups} {
		c.ControlKey(int16(key), func(kmsg.Request) (kmsg.Response, error, bool) {
			c.KeepControl()
			writes.Add(1)
			return nil, nil, false
		})
	}
	for name, call := range writeCalls {
		if err := call(cl); !errors.Is(err, ErrReadOnly) {
			t.Errorf("%s: %v", name, err)
		}
	}
	if n := writes.Load(); n != 0 {
		t.Errorf("%d write requests reached the cluster", n)
	}
}
