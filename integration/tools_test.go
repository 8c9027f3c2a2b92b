//go:build realkafka

package integration

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/IBM/sarama"
)

// This file reads the output of Kafka's tools and puts data into the
// cluster the way applications do, independently of kscope.

// fastAdmin is a client properties file for the tools with short request
// timeouts, so that a tool that first asks a paused broker moves on to
// another one within seconds.
func fastAdmin(t testing.TB) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "fast.properties")
	if err := os.WriteFile(p, []byte("request.timeout.ms=5000\ndefault.api.timeout.ms=12000\nsocket.connection.setup.timeout.ms=3000\nsocket.connection.setup.timeout.max.ms=5000\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// activeController is the node leading the KRaft quorum, as
// kafka-metadata-quorum says. Tests stop other nodes: with the active
// controller stopped, kafka-topics --describe (which asks the controller
// for reassignments) times out again and again until well after a new
// controller took over, and would fail the comparison for Kafka's reasons.
func activeController(t testing.TB) int32 {
	t.Helper()
	out := tool(t, "kafka-metadata-quorum", "--bootstrap-server", bootstrapArg(), "describe", "--status")
	for _, line := range strings.Split(out, "\n") {
		if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "LeaderId" {
			return int32(atoi(v))
		}
	}
	t.Fatalf("no LeaderId in\n%s", out)
	return -1
}

// otherNodes lists the nodes other than id.
func otherNodes(id int32) []int32 {
	var out []int32
	for n := int32(1); n <= 3; n++ {
		if n != id {
			out = append(out, n)
		}
	}
	return out
}

// createTopic creates a topic with kafka-topics and waits until every
// partition has a leader. assignment, when given, is kafka-topics'
// --replica-assignment (e.g. "3,1,2" for three partitions of one replica).
func createTopic(t testing.TB, topic string, partitions, rf int, assignment string, configs ...string) {
	t.Helper()
	args := []string{"--bootstrap-server", bootstrapArg(), "--create", "--topic", topic}
	if assignment != "" {
		args = append(args, "--replica-assignment", assignment)
	} else {
		args = append(args, "--partitions", fmt.Sprint(partitions), "--replication-factor", fmt.Sprint(rf))
	}
	for _, c := range configs {
		args = append(args, "--config", c)
	}
	tool(t, "kafka-topics", args...)
	eventually(t, "leaders of "+topic, 30*time.Second, func() string {
		out, err := runTool(t.Context(), "kafka-topics", "--bootstrap-server", bootstrapArg(), "--describe", "--topic", topic)
		if err != nil {
			return err.Error()
		}
		ps := parseTopicsDescribe(out)
		if len(ps) == 0 {
			return "no partitions yet"
		}
		for _, p := range ps {
			if p.Leader < 0 || len(p.ISR) < len(p.Replicas) {
				return fmt.Sprintf("partition %d: leader %d isr %v", p.Partition, p.Leader, p.ISR)
			}
		}
		return ""
	})
}

// record is one record to produce at a given partition and time.
type record struct {
	Partition int32
	Value     string
	Time      time.Time // zero: now
}

// produce writes records with acks=all through a plain sarama producer of
// the test's own, the way any application would.
func produce(t testing.TB, topic string, recs []record) {
	t.Helper()
	cfg := sarama.NewConfig()
	cfg.Version = sarama.V3_0_0_0
	cfg.ClientID = "it-producer"
	cfg.Producer.RequiredAcks = sarama.WaitForAll
	cfg.Producer.Return.Successes = true
	cfg.Producer.Partitioner = sarama.NewManualPartitioner
	cfg.Producer.Retry.Max = 20
	cfg.Producer.Retry.Backoff = 250 * time.Millisecond
	p, err := sarama.NewSyncProducer(rig.bootstrap, cfg)
	if err != nil {
		t.Fatalf("producer: %v", err)
	}
	defer p.Close()
	msgs := make([]*sarama.ProducerMessage, len(recs))
	for i, r := range recs {
		msgs[i] = &sarama.ProducerMessage{Topic: topic, Partition: r.Partition, Value: sarama.StringEncoder(r.Value), Timestamp: r.Time}
	}
	if err := p.SendMessages(msgs); err != nil {
		t.Fatalf("producing to %s: %v", topic, err)
	}
}

// produceCounts writes counts[p] records to partition p.
func produceCounts(t testing.TB, topic string, counts []int) {
	t.Helper()
	var recs []record
	for p, n := range counts {
		for i := range n {
			recs = append(recs, record{Partition: int32(p), Value: fmt.Sprintf("p%d-%d", p, i)})
		}
	}
	produce(t, topic, recs)
}

// --- kafka-topics --describe

// describedPartition is one partition line of kafka-topics --describe.
type describedPartition struct {
	Topic     string
	Partition int32
	Leader    int32 // -1 for "none"
	Replicas  []int32
	ISR       []int32
}

// parseTopicsDescribe reads the partition lines of kafka-topics --describe:
//
//	Topic: t	Partition: 0	Leader: 1	Replicas: 1,2,3	Isr: 1,2,3	Elr: 	LastKnownElr:
func parseTopicsDescribe(out string) []describedPartition {
	var ps []describedPartition
	for _, line := range strings.Split(out, "\n") {
		fields := map[string]string{}
		for _, f := range strings.Split(line, "\t") {
			if k, v, ok := strings.Cut(strings.TrimSpace(f), ":"); ok {
				fields[k] = strings.TrimSpace(v)
			}
		}
		part, ok := fields["Partition"]
		if !ok || fields["Topic"] == "" {
			continue
		}
		p := describedPartition{Topic: fields["Topic"], Partition: int32(atoi(part)), Leader: -1}
		if l := fields["Leader"]; l != "none" && l != "" {
			p.Leader = int32(atoi(l))
		}
		p.Replicas = idList(fields["Replicas"])
		p.ISR = idList(fields["Isr"])
		ps = append(ps, p)
	}
	return ps
}

func idList(s string) []int32 {
	var out []int32
	for _, x := range strings.Split(s, ",") {
		if x = strings.TrimSpace(x); x != "" {
			out = append(out, int32(atoi(x)))
		}
	}
	return out
}

func atoi(s string) int64 {
	n, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
	if err != nil {
		panic(fmt.Sprintf("not a number: %q", s))
	}
	return n
}

// --- kafka-consumer-groups

// parseTable reads the column tables of kafka-consumer-groups: a header
// line starting with GROUP, then one row per line until a blank line.
// Values are '-' where the tool has none.
func parseTable(out string) []map[string]string {
	var rows []map[string]string
	var header []string
	for _, line := range strings.Split(out, "\n") {
		f := strings.Fields(line)
		switch {
		case len(f) == 0:
			header = nil
		case f[0] == "GROUP":
			header = f
		case header != nil:
			row := map[string]string{}
			for i, h := range header {
				if i < len(f) {
					row[h] = f[i]
				}
			}
			rows = append(rows, row)
		}
	}
	return rows
}

// --- kafka-configs --describe --all

// describedConfig is one entry of kafka-configs --describe --all.
type describedConfig struct {
	Name, Value string
	Sensitive   bool
	Synonyms    []synonym // highest precedence first; the first is the entry's own source
}

type synonym struct{ Source, Name, Value string }

var (
	configLine   = regexp.MustCompile(`^\s+([^=\s]+)=(.*) sensitive=(true|false) synonyms=\{(.*)\}$`)
	synonymStart = regexp.MustCompile(`(?:^|, )([A-Z_]+):`)
)

// parseConfigs reads
//
//	cleanup.policy=compact,delete sensitive=false synonyms={DYNAMIC_TOPIC_CONFIG:cleanup.policy=compact,delete, DEFAULT_CONFIG:log.cleanup.policy=delete}
//
// Values may hold commas, so synonyms are split where ", SOURCE:" starts one.
func parseConfigs(out string) []describedConfig {
	var cs []describedConfig
	for _, line := range strings.Split(out, "\n") {
		m := configLine.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		c := describedConfig{Name: m[1], Value: m[2], Sensitive: m[3] == "true"}
		syns := m[4]
		idx := synonymStart.FindAllStringSubmatchIndex(syns, -1)
		for i, loc := range idx {
			end := len(syns)
			if i+1 < len(idx) {
				end = idx[i+1][0]
			}
			source := syns[loc[2]:loc[3]]
			body := syns[loc[1]:end]
			n, v, _ := strings.Cut(body, "=")
			c.Synonyms = append(c.Synonyms, synonym{Source: source, Name: n, Value: v})
		}
		cs = append(cs, c)
	}
	return cs
}
