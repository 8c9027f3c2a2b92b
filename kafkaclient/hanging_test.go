package kafkaclient

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/IBM/sarama"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// openTransaction leaves a transaction of a producer with id open at
// payments/0 and returns a client whose snapshot has the record in its
// high watermark, the producer's id and the transaction's first offset.
func openTransaction(t *testing.T, c *kfake.Cluster, id string) (*Client, int64, int64) {
	t.Helper()
	p := txnProducer(t, c, id, 30*time.Second)
	first := beginAndWrite(t, p, "payments", 0)[0]
	pid, _ := producerID(t, p)
	cl := connect(t, c)
	cl.Refresh()
	waitSnapshot(t, cl, func(s *Snapshot) bool { return s.Topic("payments").Partitions[0].High > first })
	return cl, pid, first
}

// forget makes the coordinators' answers forget id: with pid < 0,
// ListTransactions lists no id; otherwise DescribeTransactions describes
// id as an open transaction of producer pid without partitions.
func forget(c *kfake.Cluster, id string, pid int64) {
	key := kmsg.ListTransactions
	if pid >= 0 {
		key = kmsg.DescribeTransactions
	}
	c.ControlKey(int16(key), func(req kmsg.Request) (kmsg.Response, error, bool) {
		c.KeepControl()
		resp := req.ResponseKind()
		resp.SetVersion(req.GetVersion())
		if r, ok := req.(*kmsg.DescribeTransactionsRequest); ok {
			if !slices.Contains(r.TransactionalIDs, id) {
				return nil, nil, false
			}
			st := kmsg.NewDescribeTransactionsResponseTransactionState()
			st.TransactionalID, st.State, st.ProducerID, st.TimeoutMillis, st.StartTimestamp = id, "Ongoing", pid, 30000, time.Now().UnixMilli()
			d := resp.(*kmsg.DescribeTransactionsResponse)
			d.TransactionStates = append(d.TransactionStates, st)
		}
		return resp, nil, true
	})
}

// A transaction open at a partition that no coordinator will end is
// hanging once its last write is older than transaction.max.timeout.ms,
// as kafka-transactions find-hanging judges: its producer listed by no
// id, or its id's transaction not naming the partition.
func TestHangingTransactions(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	t.Run("no id lists the producer", func(t *testing.T) {
		t.Parallel()
		c := newCluster(t, 3, kfake.SeedTopics(2, "payments"))
		cl, pid, first := openTransaction(t, c, "lost")
		forget(c, "lost", -1)
		txns, err := cl.Transactions(ctx)
		if err != nil || len(txns) != 0 {
			t.Fatalf("younger than the longest transaction: %+v, %v", txns, err)
		}
		cl.txnMaxTimeout.Store(1)
		time.Sleep(5 * time.Millisecond)
		txns, err = cl.Transactions(ctx)
		if err != nil || len(txns) != 1 {
			t.Fatalf("%+v, %v", txns, err)
		}
		h := txns[0]
		if h.ID != "" || h.ProducerID != pid || h.Coordinator != -1 || !h.Hanging(time.Now()) || h.Open() || len(h.HangingAt) != 1 {
			t.Fatalf("%+v", h)
		}
		if at := h.HangingAt[0]; at.TopicPartition != (TopicPartition{"payments", 0}) || at.Producer.ProducerID != pid || at.Producer.TxnStartOffset != first {
			t.Errorf("hanging at %+v, want payments/0 producer %d from %d", at, pid, first)
		}
	})
	t.Run("its transaction does not name the partition", func(t *testing.T) {
		t.Parallel()
		c := newCluster(t, 3, kfake.SeedTopics(2, "payments"))
		cl, pid, _ := openTransaction(t, c, "forgetful")
		forget(c, "forgetful", pid)
		cl.txnMaxTimeout.Store(1)
		time.Sleep(5 * time.Millisecond)
		txns, err := cl.Transactions(ctx)
		if err != nil {
			t.Fatal(err)
		}
		tx := transaction(t, txns, "forgetful")
		if tx.ProducerID != pid || len(tx.HangingAt) != 1 || tx.HangingAt[0].TopicPartition != (TopicPartition{"payments", 0}) {
			t.Errorf("%+v", tx)
		}
	})
	t.Run("its coordinator has it open there", func(t *testing.T) {
		t.Parallel()
		c := newCluster(t, 3, kfake.SeedTopics(2, "payments"))
		cl, _, _ := openTransaction(t, c, "healthy")
		cl.txnMaxTimeout.Store(1)
		time.Sleep(5 * time.Millisecond)
		txns, err := cl.Transactions(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if tx := transaction(t, txns, "healthy"); len(tx.HangingAt) != 0 || tx.Hanging(time.Now()) {
			t.Errorf("%+v", tx)
		}
	})
	t.Run("a coordinator did not list", func(t *testing.T) {
		t.Parallel()
		c := newCluster(t, 3, kfake.SeedTopics(2, "payments"))
		cl, _, _ := openTransaction(t, c, "lost")
		refuseListing(c, func(node int32) bool { return node == 1 })
		forget(c, "lost", -1)
		cl.txnMaxTimeout.Store(1)
		time.Sleep(5 * time.Millisecond)
		// The producer may be listed at the broker that refused: not
		// judged.
		txns, err := cl.Transactions(ctx)
		if len(txns) != 0 || err == nil || !strings.Contains(err.Error(), "broker 1") {
			t.Errorf("%+v, %v", txns, err)
		}
	})
}

// The scan asks each leader once for its last stable offsets, and asks
// for producers only where a transaction is open.
func TestHangingScanRequests(t *testing.T) {
	t.Parallel()
	c := newCluster(t, 3, kfake.SeedTopics(6, "payments"), kfake.SeedTopics(6, "audit"))
	// Every broker leads: kfake picks leaders at random.
	for p := range int32(3) {
		if err := c.MoveTopicPartition("payments", p, p); err != nil {
			t.Fatal(err)
		}
	}
	cl := connect(t, c)
	waitSnapshot(t, cl, func(*Snapshot) bool { return true })
	offsets, producers := countRequests(c, kmsg.ListOffsets), countRequests(c, kmsg.DescribeProducers)
	if _, err := cl.Transactions(context.Background()); err != nil {
		t.Fatal(err)
	}
	if o, p := offsets.Load(), producers.Load(); o != 3 || p != 0 {
		t.Errorf("with no transaction open: %d ListOffsets, %d DescribeProducers; want 3 and 0", o, p)
	}
	beginAndWrite(t, txnProducer(t, c, "one", 30*time.Second), "payments", 0)
	cl.Refresh()
	waitSnapshot(t, cl, func(s *Snapshot) bool { return s.Topic("payments").Partitions[0].High > 0 })
	offsets.Store(0)
	if _, err := cl.Transactions(context.Background()); err != nil {
		t.Fatal(err)
	}
	if o, p := offsets.Load(), producers.Load(); o != 3 || p != 1 {
		t.Errorf("with one open at one partition: %d ListOffsets, %d DescribeProducers; want 3 and 1", o, p)
	}
}

// A producer whose id its coordinator cannot find any more hangs, as
// find-hanging says; one whose coordinator failed otherwise is not
// judged.
func TestMarkHangingByDescription(t *testing.T) {
	t.Parallel()
	tp := TopicPartition{"t", 0}
	old := time.Now().Add(-time.Hour)
	producers := map[TopicPartition][]ActiveProducer{tp: {
		{ProducerID: 1, LastTimestamp: old, TxnStartOffset: 5},
		{ProducerID: 2, LastTimestamp: old, TxnStartOffset: 7},
		{ProducerID: 3, LastTimestamp: old, TxnStartOffset: -1},
	}}
	txns := []Transaction{
		{ID: "gone", ProducerID: 1, Err: kerr.TransactionalIDNotFound},
		{ID: "unknown", ProducerID: 2, Err: errors.New("broker 1: down")},
	}
	got := markHanging(txns, producers, true, time.Now().Add(-time.Minute))
	if len(got) != 2 || len(got[0].HangingAt) != 1 || got[0].HangingAt[0].Producer.TxnStartOffset != 5 || len(got[1].HangingAt) != 0 {
		t.Errorf("%+v", got)
	}
}

// Partitions whose leader refuses to describe their producers are left
// unjudged and told once per refusal, however many they are.
func TestHangingScanRefusedPartitionsToldOnce(t *testing.T) {
	t.Parallel()
	c := newCluster(t, 1, kfake.SeedTopics(8, "payments"))
	p := txnProducer(t, c, "wide", 30*time.Second)
	beginAndWrite(t, p, "payments", 0, 1, 2, 3, 4, 5, 6, 7)
	cl := connect(t, c)
	cl.Refresh()
	waitSnapshot(t, cl, func(s *Snapshot) bool { return s.Topic("payments").Partitions[7].High > 0 })
	c.ControlKey(int16(kmsg.DescribeProducers), func(req kmsg.Request) (kmsg.Response, error, bool) {
		c.KeepControl()
		r := req.(*kmsg.DescribeProducersRequest)
		resp := r.ResponseKind().(*kmsg.DescribeProducersResponse)
		resp.SetVersion(r.GetVersion())
		for _, rt := range r.Topics {
			t := kmsg.NewDescribeProducersResponseTopic()
			t.Topic = rt.Topic
			for _, part := range rt.Partitions {
				p := kmsg.NewDescribeProducersResponseTopicPartition()
				p.Partition, p.ErrorCode = part, kerr.TopicAuthorizationFailed.Code
				t.Partitions = append(t.Partitions, p)
			}
			resp.Topics = append(resp.Topics, t)
		}
		return resp, nil, true
	})
	cl.txnMaxTimeout.Store(1)
	txns, err := cl.Transactions(context.Background())
	want := "find hanging transactions: describe producers: kafka server: The client is not authorized to access this topic at payments/0, payments/1, payments/2 and 5 more"
	if err == nil || err.Error() != want || !errors.Is(err, sarama.ErrTopicAuthorizationFailed) {
		t.Errorf("error %v\nwant  %s", err, want)
	}
	if tx := transaction(t, txns, "wide"); len(tx.HangingAt) != 0 || tx.State != "Ongoing" {
		t.Errorf("%+v", tx)
	}
}
