//go:build realkafka

package integration

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/IBM/sarama"

	"kscope/kafkaclient"
)

// hangingTransaction writes one transactional record to topic's
// partition 0 the way a broken producer of KAFKA-12671 left one: with a
// producer id and epoch from its coordinator, but without telling the
// coordinator the partition is in the transaction (no
// AddPartitionsToTxn). Kafka 4.4 refuses such a write while
// transaction.partition.verification.enable is on (KIP-890), so it is
// turned off for the cluster until the test ends. The record is stamped
// an hour ago, past the 15 minutes of transaction.max.timeout.ms that
// find-hanging and kscope wait for by default. It returns the producer id.
func hangingTransaction(t testing.TB, topic, id string) int64 {
	t.Helper()
	setVerification := func(on string) {
		tool(t, "kafka-configs", "--bootstrap-server", bootstrapArg(), "--entity-type", "brokers", "--entity-default",
			"--alter", "--add-config", "transaction.partition.verification.enable="+on)
	}
	setVerification("false")
	t.Cleanup(func() { setVerification("true") })

	cfg := sarama.NewConfig()
	cfg.Version = sarama.V3_0_0_0
	cfg.ClientID = "it-hanging"
	client, err := sarama.NewClient(rig.bootstrap, cfg)
	if err != nil {
		t.Fatalf("client: %v", err)
	}
	defer client.Close()
	var init *sarama.InitProducerIDResponse
	eventually(t, "a producer id for "+id, 30*time.Second, func() string {
		// A coordinator just elected loads its log first, and a moved
		// one sends the client elsewhere.
		if err := client.RefreshTransactionCoordinator(id); err != nil {
			return err.Error()
		}
		coordinator, err := client.TransactionCoordinator(id)
		if err != nil {
			return err.Error()
		}
		init, err = coordinator.InitProducerID(&sarama.InitProducerIDRequest{Version: 2, TransactionalID: &id, TransactionTimeout: time.Minute})
		if err != nil {
			return err.Error()
		}
		if init.Err != sarama.ErrNoError {
			return init.Err.Error()
		}
		return ""
	})
	leader, err := client.Leader(topic, 0)
	if err != nil {
		t.Fatalf("leader of %s/0: %v", topic, err)
	}
	stamp := time.Now().Add(-time.Hour).Truncate(time.Millisecond)
	req := &sarama.ProduceRequest{Version: 7, TransactionalID: &id, RequiredAcks: sarama.WaitForAll, Timeout: 10000}
	req.AddBatch(topic, 0, &sarama.RecordBatch{Version: 2, IsTransactional: true, ProducerID: init.ProducerID, ProducerEpoch: init.ProducerEpoch,
		FirstTimestamp: stamp, MaxTimestamp: stamp, Records: []*sarama.Record{{Value: []byte("hanging")}}})
	resp, err := leader.Produce(req)
	if err != nil {
		t.Fatalf("produce to %s/0: %v", topic, err)
	}
	if b := resp.GetBlock(topic, 0); b == nil || b.Err != sarama.ErrNoError {
		t.Fatalf("produce to %s/0: %+v", topic, b)
	}
	return init.ProducerID
}

// TestHangingTransactionFoundAndAborted leaves a transaction hanging at
// a partition, as a producer of KAFKA-12671 did, between two committed
// records. kscope's :transactions lists it exactly as kafka-transactions
// find-hanging does; read_committed consumers stop before it until kscope
// aborts it, after which they read on past it, and neither kscope nor
// find-hanging finds it any more.
func TestHangingTransactionFoundAndAborted(t *testing.T) {
	restoreNodes(t)
	topic, id := name("hang-topic"), name("hang-txn")
	createTopic(t, topic, 1, 3, "")
	plain := plainProducer(t, "it-hang-plain")
	send := func(v string) {
		if _, _, err := plain.SendMessage(&sarama.ProducerMessage{Topic: topic, Partition: 0, Value: sarama.StringEncoder(v)}); err != nil {
			t.Fatal(err)
		}
	}
	send("before")
	pid := hangingTransaction(t, topic, id)
	send("after")
	s := connect(t, config())

	var spec kafkaclient.AbortSpec
	kscope := func(t testing.TB) string {
		txns, err := s.Transactions(t.Context())
		if err != nil {
			return "kscope failed: " + err.Error()
		}
		var rows []string
		for _, tx := range txns {
			for _, h := range tx.HangingAt {
				if h.Topic != topic {
					continue
				}
				p := h.Producer
				rows = append(rows, fmt.Sprintf("%s %d producer %d epoch %d coordinator epoch %d start %d last %d",
					h.Topic, h.Partition, p.ProducerID, p.Epoch, p.CoordinatorEpoch, p.TxnStartOffset, p.LastTimestamp.UnixMilli()))
				if tx.ID != id {
					rows = append(rows, "listed under "+tx.ID)
				}
				spec = p.AbortSpec(h.TopicPartition)
			}
		}
		return strings.Join(rows, "\n")
	}
	// Topic Partition ProducerId ProducerEpoch CoordinatorEpoch StartOffset LastTimestamp Duration(min)
	reference := func(t testing.TB) string {
		out := toolText(t, "kafka-transactions", "--bootstrap-server", bootstrapArg(), "find-hanging", "--topic", topic)
		if strings.HasPrefix(out, "tool failed") {
			return out
		}
		var rows []string
		for _, l := range strings.Split(out, "\n") {
			if f := strings.Fields(l); len(f) >= 7 && f[0] == topic {
				rows = append(rows, fmt.Sprintf("%s %s producer %s epoch %s coordinator epoch %s start %s last %s", f[0], f[1], f[2], f[3], f[4], f[5], f[6]))
			}
		}
		return strings.Join(rows, "\n")
	}
	found := agree(t, "a hanging transaction", time.Minute, kscope, reference)
	if !strings.Contains(found, fmt.Sprintf("%s 0 producer %d epoch 0 ", topic, pid)) || strings.Count(found, "\n") != 0 {
		t.Fatalf("found %q, want producer %d hanging at %s/0 alone", found, pid, topic)
	}

	// The age it is judged by is the brokers' own setting.
	req, err := s.Requirements(t.Context())
	if err != nil || req.MaxTransactionTimeout != kafkaclient.DefaultMaxTransactionTimeout {
		t.Errorf("transaction.max.timeout.ms read as %v (%v), want Kafka's default %v", req.MaxTransactionTimeout, err, kafkaclient.DefaultMaxTransactionTimeout)
	}

	committed := readCommittedValues(t, topic)
	reads := func(want string) func() string {
		return func() string {
			if got := strings.Join(committed(), ","); got != want {
				return fmt.Sprintf("read %q", got)
			}
			return ""
		}
	}
	expect(t, "read_committed stops before the hanging transaction", 30*time.Second, reads("before"))
	time.Sleep(2 * time.Second)
	if got := strings.Join(committed(), ","); got != "before" {
		t.Fatalf("read_committed read %q past a hanging transaction", got)
	}
	if err := s.AbortTransaction(t.Context(), spec); err != nil {
		t.Fatalf("AbortTransaction(%+v): %v", spec, err)
	}
	expect(t, "read_committed reads past the aborted transaction", 30*time.Second, reads("before,after"))
	if gone := agree(t, "no hanging transaction after the abort", time.Minute, kscope, reference); gone != "" {
		t.Errorf("after the abort: %q", gone)
	}
}
