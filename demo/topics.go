package demo

import (
	"fmt"
	"strconv"
	"time"

	"github.com/IBM/sarama"
)

// Topic names, shared by the producers, the groups and the tests.
const (
	topicOrders   = "orders"
	topicPayments = "payments"
	topicAppLogs  = "app-logs"
	topicSensors  = "sensor-readings"
	topicUsers    = "user-events"
	topicAudit    = "audit"
)

// topicSpec is one demo topic: its shape, its configs and how busy it is.
type topicSpec struct {
	name       string
	partitions int32
	// configs are the topic's non-default settings, so a configs view has
	// overrides to tell apart from defaults.
	configs map[string]string
	// rate is the nominal live rate in records/s; bursts go above it.
	rate float64
	// seed is how many records of history exist before Start returns.
	seed int
	// record makes one record of the topic stamped with the given time.
	record func(*records, time.Time) *sarama.ProducerMessage
}

// topicSpecs lists the demo topics. Every busy topic is capped by
// retention.bytes, with small segments since only whole segments free
// memory: the demo cluster keeps its records in memory at several times
// their size, so the caps add up to about 23 MB of records, which keeps a
// demo left running for an hour within its memory budget. The caps let
// analytics-etl fall off the log after a few minutes; it then starts again
// from the oldest record, as a real consumer would.
var topicSpecs = []topicSpec{
	{
		name: topicOrders, record: (*records).order,
		partitions: 12, rate: 120, seed: 3000,
		configs: map[string]string{
			"retention.ms":        "259200000", // 3 days
			"retention.bytes":     "1048576",   // per partition
			"segment.bytes":       "65536",
			"min.insync.replicas": "2",
		},
	},
	{
		name: topicPayments, record: (*records).payment,
		partitions: 6, rate: 60, seed: 1500,
		configs: map[string]string{
			"retention.ms":        "2592000000", // 30 days
			"retention.bytes":     "524288",
			"segment.bytes":       "65536",
			"min.insync.replicas": "2",
			"max.message.bytes":   "262144",
		},
	},
	{
		name: topicAppLogs, record: (*records).logLine,
		partitions: 3, rate: 40, seed: 1000,
		configs: map[string]string{
			"retention.ms":    "7200000", // 2 hours
			"retention.bytes": "1048576",
			"segment.bytes":   "65536",
		},
	},
	{
		name: topicSensors, record: (*records).sensor,
		partitions: 24, rate: 80, seed: 2400,
		configs: map[string]string{
			"retention.ms":    "21600000", // 6 hours
			"retention.bytes": "131072",
			"segment.bytes":   "65536",
		},
	},
	{
		name: topicUsers, record: (*records).userEvent,
		partitions: 8, rate: 60, seed: 1500,
		configs: map[string]string{
			"retention.ms":    "86400000", // 1 day
			"retention.bytes": "262144",
			"segment.bytes":   "65536",
		},
	},
	{
		name: topicAudit, record: (*records).auditEntry,
		partitions: 1, rate: 1, seed: 200,
		configs: map[string]string{
			"cleanup.policy":      "compact",
			"delete.retention.ms": "3600000",
			"segment.ms":          "600000",
		},
	},
}

// createTopics creates the demo topics, each replicated on up to three
// brokers, and caps min.insync.replicas at the replication factor so that a
// one-broker demo still accepts writes.
func (w *workload) createTopics() error {
	admin, err := sarama.NewClusterAdmin(w.addrs, w.config("kscope-demo-admin"))
	if err != nil {
		return fmt.Errorf("connect admin client: %w", err)
	}
	defer admin.Close()
	for _, t := range topicSpecs {
		entries := make(map[string]*string, len(t.configs))
		for k, v := range t.configs {
			if k == "min.insync.replicas" {
				if n, _ := strconv.Atoi(v); n > int(w.replication) {
					v = strconv.Itoa(int(w.replication))
				}
			}
			entries[k] = &v
		}
		err := admin.CreateTopic(t.name, &sarama.TopicDetail{
			NumPartitions:     t.partitions,
			ReplicationFactor: w.replication,
			ConfigEntries:     entries,
		}, false)
		if err != nil {
			return fmt.Errorf("create topic %s: %w", t.name, err)
		}
	}
	return nil
}
