//go:build realkafka

package integration

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/IBM/sarama"
)

// TestTransactionsAgreeWithKafkaTransactions leaves a transaction open
// over two partitions and compares what kscope lists for its id with
// kafka-transactions describe, then again once it is committed.
func TestTransactionsAgreeWithKafkaTransactions(t *testing.T) {
	restoreNodes(t)
	topic, id := name("txn-topic"), name("txn-id")
	createTopic(t, topic, 2, 3, "")
	cfg := sarama.NewConfig()
	cfg.Version = sarama.V3_0_0_0
	cfg.ClientID = "it-transactional"
	cfg.Producer.Idempotent = true
	cfg.Producer.RequiredAcks = sarama.WaitForAll
	cfg.Producer.Return.Successes = true
	cfg.Producer.Partitioner = sarama.NewManualPartitioner
	cfg.Producer.Transaction.ID = id
	cfg.Producer.Transaction.Timeout = 5 * time.Minute
	cfg.Net.MaxOpenRequests = 1
	p, err := sarama.NewSyncProducer(rig.bootstrap, cfg)
	if err != nil {
		t.Fatalf("transactional producer: %v", err)
	}
	defer p.Close()
	if err := p.BeginTxn(); err != nil {
		t.Fatal(err)
	}
	for part := range int32(2) {
		if _, _, err := p.SendMessage(&sarama.ProducerMessage{Topic: topic, Partition: part, Value: sarama.StringEncoder("open")}); err != nil {
			t.Fatal(err)
		}
	}
	s := connect(t, config())
	kscope := func(t testing.TB) string {
		txns, err := s.Transactions(t.Context())
		if err != nil {
			t.Fatalf("Transactions: %v", err)
		}
		for _, tx := range txns {
			if tx.ID != id {
				continue
			}
			var parts []string
			for _, tp := range tx.Partitions {
				parts = append(parts, fmt.Sprintf("%s-%d", tp.Topic, tp.Partition))
			}
			slices.Sort(parts)
			start := "-1"
			if !tx.Started.IsZero() {
				start = fmt.Sprint(tx.Started.UnixMilli())
			}
			return fmt.Sprintf("coordinator %d id %s producer %d epoch %d state %s timeout %d start %s partitions %s",
				tx.Coordinator, tx.ID, tx.ProducerID, tx.ProducerEpoch, tx.State, tx.Timeout.Milliseconds(), start, strings.Join(parts, ","))
		}
		return "not listed"
	}
	// CoordinatorId TransactionalId ProducerId ProducerEpoch TransactionState
	// TransactionTimeoutMs CurrentTransactionStartTimeMs TransactionDurationMs TopicPartitions
	reference := func(t testing.TB) string {
		out := toolText(t, "kafka-transactions", "--bootstrap-server", bootstrapArg(), "describe", "--transactional-id", id)
		for _, l := range strings.Split(out, "\n") {
			f := strings.Fields(l)
			if len(f) < 8 || f[1] != id {
				continue
			}
			parts := ""
			if len(f) > 8 {
				ps := strings.Split(f[8], ",")
				slices.Sort(ps)
				parts = strings.Join(ps, ",")
			}
			return fmt.Sprintf("coordinator %s id %s producer %s epoch %s state %s timeout %s start %s partitions %s", f[0], f[1], f[2], f[3], f[4], f[5], f[6], parts)
		}
		return "not described:\n" + out
	}
	open := agree(t, "an open transaction", time.Minute, kscope, reference)
	if !strings.Contains(open, "state Ongoing") || !strings.Contains(open, fmt.Sprintf("%s-0,%s-1", topic, topic)) {
		t.Errorf("open transaction: %s", open)
	}
	if err := p.CommitTxn(); err != nil {
		t.Fatal(err)
	}
	done := agree(t, "a committed transaction", time.Minute, kscope, reference)
	if !strings.Contains(done, "state CompleteCommit") {
		t.Errorf("committed transaction: %s", done)
	}
}
