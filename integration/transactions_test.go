//go:build realkafka

package integration

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/IBM/sarama"

	"kscope/kafkaclient"
)

// TestTransactionsAgreeWithKafkaTransactions leaves a transaction open
// over two partitions and compares what kscope lists for its id with
// kafka-transactions describe, then again once it is committed.
func TestTransactionsAgreeWithKafkaTransactions(t *testing.T) {
	restoreNodes(t)
	topic, id := name("txn-topic"), name("txn-id")
	createTopic(t, topic, 2, 3, "")
	p := txnProducer(t, id)
	if err := p.BeginTxn(); err != nil {
		t.Fatal(err)
	}
	for part := range int32(2) {
		if _, _, err := p.SendMessage(&sarama.ProducerMessage{Topic: topic, Partition: part, Value: sarama.StringEncoder("open")}); err != nil {
			t.Fatal(err)
		}
	}
	s := connect(t, config())
	// Hanging transactions are looked for once offsets are read.
	s.fresh(t)
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

// TestTransactionAbortedByKscope leaves a transaction open on a partition
// between committed records: a read_committed consumer stops at its
// first record. kscope reads the partition's producers, which agree with
// kafka-transactions describe-producers, and aborts it with what they
// say, as kafka-transactions abort does: the consumer then reads the
// committed records past it, never the aborted one, and the last stable
// offset is the high watermark, as describe-producers (no open
// transaction) and kafka-get-offsets agree.
func TestTransactionAbortedByKscope(t *testing.T) {
	restoreNodes(t)
	topic, id := name("abort-topic"), name("abort-txn")
	createTopic(t, topic, 1, 3, "")
	plain := plainProducer(t, "it-abort-plain")
	send := func(p sarama.SyncProducer, value string) int64 {
		t.Helper()
		_, offset, err := p.SendMessage(&sarama.ProducerMessage{Topic: topic, Partition: 0, Value: sarama.StringEncoder(value)})
		if err != nil {
			t.Fatalf("send %s: %v", value, err)
		}
		return offset
	}
	send(plain, "before")
	txn := txnProducer(t, id)
	if err := txn.BeginTxn(); err != nil {
		t.Fatal(err)
	}
	first := send(txn, "open")
	send(plain, "after-1")
	last := send(plain, "after-2")
	read := readCommittedValues(t, topic)
	time.Sleep(3 * time.Second)
	if got := read(); !slices.Equal(got, []string{"before"}) {
		t.Fatalf("read_committed read %q past an open transaction", got)
	}

	s := connect(t, config())
	var spec kafkaclient.AbortSpec
	kscope := func(t testing.TB) string {
		ps, err := s.Producers(t.Context(), topic, 0)
		if err != nil {
			return "Producers: " + err.Error()
		}
		var rows []string
		for _, p := range ps {
			if p.TxnStartOffset >= 0 {
				spec = p.AbortSpec(kafkaclient.TopicPartition{Topic: topic, Partition: 0})
			}
			rows = append(rows, fmt.Sprintf("producer %d epoch %d coordinator epoch %d start %d", p.ProducerID, p.Epoch, p.CoordinatorEpoch, p.TxnStartOffset))
		}
		slices.Sort(rows) // as the reference's
		return strings.Join(rows, "\n")
	}
	// ProducerId ProducerEpoch LatestCoordinatorEpoch LastSequence LastTimestamp CurrentTransactionStartOffset
	reference := func(t testing.TB) string {
		out := toolText(t, "kafka-transactions", "--bootstrap-server", bootstrapArg(), "describe-producers", "--topic", topic, "--partition", "0")
		var rows []string
		for _, l := range strings.Split(out, "\n") {
			f := strings.Fields(l)
			if len(f) < 6 || f[0] == "ProducerId" {
				continue
			}
			start := f[len(f)-1]
			if start == "None" {
				start = "-1"
			}
			rows = append(rows, fmt.Sprintf("producer %s epoch %s coordinator epoch %s start %s", f[0], f[1], f[2], start))
		}
		slices.Sort(rows)
		return strings.Join(rows, "\n")
	}
	held := agree(t, "the producers of a partition held by an open transaction", time.Minute, kscope, reference)
	if !strings.Contains(held, fmt.Sprintf(" start %d", first)) || spec.ProducerID == 0 {
		t.Fatalf("no producer with the transaction open at %d:\n%s", first, held)
	}
	lso := func(t testing.TB) string {
		offsets, err := s.StableOffsets(t.Context(), topic)
		if err != nil {
			return "StableOffsets: " + err.Error()
		}
		return fmt.Sprint("lso ", offsets[0])
	}
	lsoReference := func(t testing.TB) string {
		starts, err := openTransactionStarts(t, topic, 0)
		if err != nil {
			return err.Error()
		}
		if len(starts) > 0 {
			return fmt.Sprint("lso ", slices.Min(starts))
		}
		out := toolText(t, "kafka-get-offsets", "--bootstrap-server", bootstrapArg(), "--topic", topic, "--partitions", "0", "--time", "-1")
		f := strings.Split(strings.TrimSpace(out), ":")
		return "lso " + f[len(f)-1]
	}
	if got := agree(t, "the last stable offset before the abort", time.Minute, lso, lsoReference); got != fmt.Sprint("lso ", first) {
		t.Errorf("before the abort: %s, want lso %d", got, first)
	}

	if err := s.AbortTransaction(t.Context(), spec); err != nil {
		t.Fatalf("AbortTransaction(%+v): %v", spec, err)
	}
	expect(t, "read_committed reads past the aborted record", 30*time.Second, func() string {
		if got := read(); !slices.Equal(got, []string{"before", "after-1", "after-2"}) {
			return fmt.Sprintf("read %q", got)
		}
		return ""
	})
	// The abort marker takes the offset after the last record.
	if got := agree(t, "the last stable offset after the abort", time.Minute, lso, lsoReference); got != fmt.Sprint("lso ", last+2) {
		t.Errorf("after the abort: %s, want lso %d", got, last+2)
	}

	// Its producer, still alive, is not told: it writes on and commits,
	// and the transaction is committed but for what was aborted here.
	// kscope's confirmation says so.
	send(txn, "late")
	if err := txn.CommitTxn(); err != nil {
		t.Errorf("the producer's commit after the abort: %v", err)
	}
	expect(t, "read_committed reads what the producer committed after the abort", 30*time.Second, func() string {
		if got := read(); !slices.Equal(got, []string{"before", "after-1", "after-2", "late"}) {
			return fmt.Sprintf("read %q", got)
		}
		return ""
	})

	// Once the producer started again, at a new epoch, the spec read
	// before is refused, and said to be stale.
	again := txnProducer(t, id)
	if err := again.BeginTxn(); err != nil {
		t.Fatal(err)
	}
	send(again, "restarted")
	if err := again.CommitTxn(); err != nil {
		t.Fatal(err)
	}
	if err := s.AbortTransaction(t.Context(), spec); !errors.Is(err, sarama.ErrInvalidProducerEpoch) || !strings.Contains(err.Error(), "the transaction already ended") {
		t.Errorf("abort with the epoch before the restart: %v", err)
	}
}

// txnProducer is a transactional producer with id, its transactions
// allowed to stay open five minutes; it is closed with the test.
func txnProducer(t testing.TB, id string) sarama.SyncProducer {
	t.Helper()
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
	t.Cleanup(func() { p.Close() })
	return p
}

// plainProducer writes outside transactions; it is closed with the test.
func plainProducer(t testing.TB, clientID string) sarama.SyncProducer {
	t.Helper()
	cfg := sarama.NewConfig()
	cfg.Version = sarama.V3_0_0_0
	cfg.ClientID = clientID
	cfg.Producer.RequiredAcks = sarama.WaitForAll
	cfg.Producer.Return.Successes = true
	cfg.Producer.Partitioner = sarama.NewManualPartitioner
	p, err := sarama.NewSyncProducer(rig.bootstrap, cfg)
	if err != nil {
		t.Fatalf("producer: %v", err)
	}
	t.Cleanup(func() { p.Close() })
	return p
}

// readCommittedValues starts a read_committed consumer of topic's
// partition 0 from its start; the function returned gives the values it
// has read so far. The consumer stops with the test.
func readCommittedValues(t testing.TB, topic string) func() []string {
	t.Helper()
	cfg := sarama.NewConfig()
	cfg.Version = sarama.V3_0_0_0
	cfg.ClientID = "it-read-committed"
	cfg.Consumer.IsolationLevel = sarama.ReadCommitted
	cfg.Consumer.MaxWaitTime = 200 * time.Millisecond
	c, err := sarama.NewConsumer(rig.bootstrap, cfg)
	if err != nil {
		t.Fatalf("consumer: %v", err)
	}
	pc, err := c.ConsumePartition(topic, 0, sarama.OffsetOldest)
	if err != nil {
		c.Close()
		t.Fatalf("consume %s/0: %v", topic, err)
	}
	var mu sync.Mutex
	var values []string
	done := make(chan struct{})
	go func() {
		defer close(done)
		for m := range pc.Messages() {
			mu.Lock()
			values = append(values, string(m.Value))
			mu.Unlock()
		}
	}()
	t.Cleanup(func() {
		pc.AsyncClose()
		<-done
		c.Close()
	})
	return func() []string {
		mu.Lock()
		defer mu.Unlock()
		return slices.Clone(values)
	}
}
