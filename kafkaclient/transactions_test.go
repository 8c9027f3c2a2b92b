package kafkaclient

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/IBM/sarama"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"
	"github.com/twmb/franz-go/pkg/kversion"
)

// txnProducer is a transactional producer writing to the partitions its
// records name; it is closed with the test.
func txnProducer(t testing.TB, c *kfake.Cluster, id string, timeout time.Duration) *kgo.Client {
	t.Helper()
	p, err := kgo.NewClient(kgo.SeedBrokers(c.ListenAddrs()...), kgo.TransactionalID(id), kgo.TransactionTimeout(timeout),
		kgo.RecordPartitioner(kgo.ManualPartitioner()), kgo.RequestTimeoutOverhead(5*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(p.Close)
	return p
}

// beginAndWrite begins a transaction of p and writes one record to each
// partition of topic it names, returning each one's offset.
func beginAndWrite(t testing.TB, p *kgo.Client, topic string, partitions ...int32) map[int32]int64 {
	t.Helper()
	if err := p.BeginTransaction(); err != nil {
		t.Fatal(err)
	}
	var rs []*kgo.Record
	for _, part := range partitions {
		rs = append(rs, &kgo.Record{Topic: topic, Partition: part, Value: []byte("v")})
	}
	res := p.ProduceSync(context.Background(), rs...)
	if err := res.FirstErr(); err != nil {
		t.Fatal(err)
	}
	offsets := map[int32]int64{}
	for _, r := range res {
		offsets[r.Record.Partition] = r.Record.Offset
	}
	return offsets
}

// producerID is the id and epoch the cluster gave p.
func producerID(t testing.TB, p *kgo.Client) (int64, int16) {
	t.Helper()
	id, epoch, err := p.ProducerID(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return id, epoch
}

// connectCounted is connect, once the client has read the first offsets:
// until then Transactions says hanging transactions were not looked for.
func connectCounted(t testing.TB, c *kfake.Cluster) *Client {
	t.Helper()
	cl := connect(t, c)
	waitSnapshot(t, cl, func(*Snapshot) bool { return true })
	return cl
}

// transaction is the one with id in txns.
func transaction(t testing.TB, txns []Transaction, id string) Transaction {
	t.Helper()
	for _, tx := range txns {
		if tx.ID == id {
			return tx
		}
	}
	t.Fatalf("%s not in %+v", id, txns)
	return Transaction{}
}

// An open transaction is listed with what its producer was given and the
// partitions it wrote to; a committed one with none. The ids are sorted.
func TestTransactionsListOpenAndCommitted(t *testing.T) {
	t.Parallel()
	c := newCluster(t, 3, kfake.SeedTopics(2, "payments"))
	ctx := context.Background()

	done := txnProducer(t, c, "billing", 20*time.Second)
	beginAndWrite(t, done, "payments", 0)
	if err := done.EndTransaction(ctx, kgo.TryCommit); err != nil {
		t.Fatal(err)
	}
	open := txnProducer(t, c, "audit", 30*time.Second)
	before := time.Now().Truncate(time.Millisecond)
	beginAndWrite(t, open, "payments", 1, 0)
	after := time.Now()
	openID, openEpoch := producerID(t, open)
	doneID, doneEpoch := producerID(t, done)

	cl := connectCounted(t, c)
	txns, err := cl.Transactions(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if ids := fmt.Sprint(txnIDs(txns)); ids != "[audit billing]" {
		t.Fatalf("ids %s", ids)
	}
	a := transaction(t, txns, "audit")
	if a.Err != nil || a.State != "Ongoing" || a.ProducerID != openID || a.ProducerEpoch != openEpoch ||
		a.Timeout != 30*time.Second || a.Coordinator != c.CoordinatorFor("audit") {
		t.Errorf("open transaction %+v; producer %d epoch %d, coordinator %d", a, openID, openEpoch, c.CoordinatorFor("audit"))
	}
	if want := []TopicPartition{{"payments", 0}, {"payments", 1}}; !slices.Equal(a.Partitions, want) {
		t.Errorf("partitions %v, want %v", a.Partitions, want)
	}
	if a.Started.Before(before) || a.Started.After(after) {
		t.Errorf("started %v, not within [%v, %v]", a.Started, before, after)
	}
	if !a.Open() || a.Hanging(time.Now()) {
		t.Errorf("open %v, hanging %v", a.Open(), a.Hanging(time.Now()))
	}
	// kfake has no Complete* states: a transaction committed leaves its
	// id Empty, with no start time (real Kafka says CompleteCommit and
	// keeps the start of the transaction that ended).
	b := transaction(t, txns, "billing")
	if b.Err != nil || b.State != "Empty" || b.ProducerID != doneID || b.ProducerEpoch != doneEpoch ||
		b.Timeout != 20*time.Second || len(b.Partitions) != 0 || !b.Started.IsZero() || b.Open() || b.Hanging(time.Now()) {
		t.Errorf("committed transaction %+v; producer %d epoch %d", b, doneID, doneEpoch)
	}
}

func txnIDs(txns []Transaction) []string {
	var ids []string
	for _, tx := range txns {
		ids = append(ids, tx.ID)
	}
	return ids
}

func TestTransactionHangingIsOpenPastItsTimeout(t *testing.T) {
	t.Parallel()
	start := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	const timeout = 10 * time.Second
	for _, tc := range []struct {
		state   string
		started time.Time
		open    bool
	}{
		{"Ongoing", start, true},
		{"PrepareCommit", start, true},
		{"PrepareAbort", start, true},
		{"PrepareEpochFence", start, true},
		// Real Kafka keeps the start time of a transaction that ended.
		{"CompleteCommit", start, false},
		{"CompleteAbort", start, false},
		{"Empty", time.Time{}, false},
		{"Ongoing", time.Time{}, false},
	} {
		tx := Transaction{State: tc.state, Started: tc.started, Timeout: timeout}
		if tx.Open() != tc.open {
			t.Errorf("%s started %v: open %v", tc.state, tc.started, tx.Open())
		}
		if tx.Hanging(start.Add(timeout - time.Millisecond)) {
			t.Errorf("%s: hanging before its timeout", tc.state)
		}
		if got := tx.Hanging(start.Add(timeout + time.Millisecond)); got != tc.open {
			t.Errorf("%s started %v: hanging %v after its timeout", tc.state, tc.started, got)
		}
	}
}

// kfake aborts a transaction once its timeout passes, as a real
// coordinator does, and bumps the producer's epoch to fence it: the id is
// then Empty, not open, so never seen hanging. Hanging transactions are a
// real cluster's (a coordinator and a leader that disagree).
func TestTransactionsAfterTheTimeoutKfakeAborts(t *testing.T) {
	t.Parallel()
	c := newCluster(t, 1, kfake.SeedTopics(1, "slow"))
	cl := connectCounted(t, c) // first, so that the transaction is seen well within its second
	p := txnProducer(t, c, "sleepy", time.Second)
	beginAndWrite(t, p, "slow", 0)
	ctx := context.Background()
	txns, err := cl.Transactions(ctx)
	if err != nil {
		t.Fatal(err)
	}
	first := transaction(t, txns, "sleepy")
	if !first.Open() || first.Timeout != time.Second || !first.Hanging(first.Started.Add(time.Second+time.Millisecond)) {
		t.Fatalf("before the timeout: %+v", first)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		txns, err := cl.Transactions(ctx)
		if err != nil {
			t.Fatal(err)
		}
		tx := transaction(t, txns, "sleepy")
		if tx.State != "Ongoing" {
			if tx.State != "Empty" || tx.Open() || tx.Hanging(time.Now()) || len(tx.Partitions) != 0 ||
				tx.ProducerID != first.ProducerID || tx.ProducerEpoch <= first.ProducerEpoch {
				t.Errorf("after the timeout %+v, before %+v", tx, first)
			}
			if age := time.Since(first.Started); age < time.Second {
				t.Errorf("aborted %v after it began, before its timeout", age)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("still %+v 10 s after it began", tx)
		}
		time.Sleep(50 * time.Millisecond)
	}
	if ps, err := cl.Producers(ctx, "slow", 0); err != nil || len(ps) != 0 {
		t.Errorf("producers after the abort %+v, %v", ps, err)
	}
}

// The transaction's producer is active at the partitions it wrote to,
// from the offset of its first record there. kfake lists only producers
// with a transaction open; a real broker lists idempotent ones too, with
// no start offset (see the next test).
func TestProducersOfAPartitionWithAnOpenTransaction(t *testing.T) {
	t.Parallel()
	c := newCluster(t, 3, kfake.SeedTopics(2, "ledger"))
	produce(t, c, "ledger", 2, 3) // idempotent, so the transaction's records start at 3
	p := txnProducer(t, c, "posting", 30*time.Second)
	before := time.Now().Truncate(time.Millisecond)
	offsets := beginAndWrite(t, p, "ledger", 0)
	// A second record: the last sequence moves, the start offset does not.
	if err := p.ProduceSync(context.Background(), &kgo.Record{Topic: "ledger", Partition: 0, Value: []byte("w")}).FirstErr(); err != nil {
		t.Fatal(err)
	}
	id, epoch := producerID(t, p)
	cl := connect(t, c)
	ctx := context.Background()

	ps, err := cl.Producers(ctx, "ledger", 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(ps) != 1 {
		t.Fatalf("producers %+v", ps)
	}
	got := ps[0]
	if offsets[0] != 3 || got.ProducerID != id || got.Epoch != epoch || got.TxnStartOffset != offsets[0] || got.LastSequence != 1 {
		t.Errorf("producer %+v; id %d epoch %d first offset %d", got, id, epoch, offsets[0])
	}
	if got.LastTimestamp.Before(before) || got.LastTimestamp.After(time.Now()) {
		t.Errorf("last timestamp %v, before %v", got.LastTimestamp, before)
	}
	if ps, err := cl.Producers(ctx, "ledger", 1); err != nil || len(ps) != 0 {
		t.Errorf("partition 1, only written outside transactions: %+v, %v", ps, err)
	}
}

// A leader's answer is read as given: producers sorted by id, -1 times
// and offsets as none. kfake cannot make an idempotent producer active,
// so its answer is rewritten with one of each kind.
func TestProducersReadsIdempotentAndTransactional(t *testing.T) {
	t.Parallel()
	c := newCluster(t, 1, kfake.SeedTopics(1, "mixed"))
	c.ControlKey(int16(kmsg.DescribeProducers), func(req kmsg.Request) (kmsg.Response, error, bool) {
		c.KeepControl()
		resp := req.ResponseKind().(*kmsg.DescribeProducersResponse)
		rt := kmsg.NewDescribeProducersResponseTopic()
		rt.Topic = "mixed"
		rp := kmsg.NewDescribeProducersResponseTopicPartition()
		txn := kmsg.NewDescribeProducersResponseTopicPartitionActiveProducer()
		txn.ProducerID, txn.ProducerEpoch, txn.LastSequence, txn.LastTimestamp, txn.CoordinatorEpoch, txn.CurrentTxnStartOffset = 9, 2, 4, 1_700_000_000_000, 7, 42
		idem := kmsg.NewDescribeProducersResponseTopicPartitionActiveProducer()
		idem.ProducerID, idem.ProducerEpoch, idem.LastSequence, idem.LastTimestamp, idem.CoordinatorEpoch, idem.CurrentTxnStartOffset = 3, 0, 11, -1, -1, -1
		rp.ActiveProducers = append(rp.ActiveProducers, txn, idem)
		rt.Partitions = append(rt.Partitions, rp)
		resp.Topics = append(resp.Topics, rt)
		return resp, nil, true
	})
	cl := connect(t, c)
	ps, err := cl.Producers(context.Background(), "mixed", 0)
	if err != nil {
		t.Fatal(err)
	}
	want := []ActiveProducer{
		{ProducerID: 3, Epoch: 0, LastSequence: 11, CoordinatorEpoch: -1, TxnStartOffset: -1},
		{ProducerID: 9, Epoch: 2, LastSequence: 4, LastTimestamp: time.UnixMilli(1_700_000_000_000), CoordinatorEpoch: 7, TxnStartOffset: 42},
	}
	if !slices.Equal(ps, want) {
		t.Errorf("producers %+v\nwant %+v", ps, want)
	}
}

// A partition's error names the partition; so does an unknown one.
func TestProducersErrorsNameThePartition(t *testing.T) {
	t.Parallel()
	c := newCluster(t, 1, kfake.SeedTopics(1, "secret"))
	cl := connect(t, c)
	ctx := context.Background()
	c.ControlKey(int16(kmsg.DescribeProducers), func(req kmsg.Request) (kmsg.Response, error, bool) {
		resp := req.ResponseKind().(*kmsg.DescribeProducersResponse)
		rt := kmsg.NewDescribeProducersResponseTopic()
		rt.Topic = "secret"
		rp := kmsg.NewDescribeProducersResponseTopicPartition()
		rp.ErrorCode = kerr.TopicAuthorizationFailed.Code
		rt.Partitions = append(rt.Partitions, rp)
		resp.Topics = append(resp.Topics, rt)
		return resp, nil, true
	})
	_, err := cl.Producers(ctx, "secret", 0)
	if !errors.Is(err, sarama.ErrTopicAuthorizationFailed) || !strings.Contains(err.Error(), "describe producers of secret/0: ") {
		t.Errorf("refused: %v", err)
	}
	for _, tp := range []TopicPartition{{"secret", 5}, {"nowhere", 0}} {
		start := time.Now()
		_, err := cl.Producers(ctx, tp.Topic, tp.Partition)
		if !errors.Is(err, sarama.ErrUnknownTopicOrPartition) || !strings.Contains(err.Error(), fmt.Sprintf("describe producers of %s/%d: ", tp.Topic, tp.Partition)) {
			t.Errorf("%v: %v", tp, err)
		}
		if d := time.Since(start); d > 5*time.Second {
			t.Errorf("%v: answered after %v", tp, d)
		}
	}
}

// A cluster older than Kafka 3.0 is told apart from one that fails.
func TestTransactionsOnAClusterWithoutTheRequests(t *testing.T) {
	t.Parallel()
	c := newCluster(t, 1, kfake.SeedTopics(1, "old"), kfake.MaxVersions(kversion.V2_7_0()))
	cl := connect(t, c)
	_, err := cl.Transactions(context.Background())
	if err == nil || err.Error() != "list transactions: the cluster does not have the request (Kafka 3.0 and later do)" {
		t.Errorf("transactions: %v", err)
	}
	_, err = cl.Producers(context.Background(), "old", 0)
	if err == nil || err.Error() != "describe producers of old/0: the cluster does not have the request (Kafka 2.8 and later do)" {
		t.Errorf("producers: %v", err)
	}
}

// refuseListing makes brokers that refuse answer ListTransactions with an
// authorization error.
func refuseListing(c *kfake.Cluster, refuse func(node int32) bool) {
	c.ControlKey(int16(kmsg.ListTransactions), func(req kmsg.Request) (kmsg.Response, error, bool) {
		c.KeepControl()
		if !refuse(c.CurrentNode()) {
			return nil, nil, false
		}
		resp := req.ResponseKind().(*kmsg.ListTransactionsResponse)
		resp.ErrorCode = kerr.ClusterAuthorizationFailed.Code
		return resp, nil, true
	})
}

// Refused by every broker, the listing fails; refused by one, it returns
// what the others listed (kfake's brokers all list every id) and an error
// naming the one.
func TestTransactionsWhenBrokersRefuseTheListing(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	t.Run("all", func(t *testing.T) {
		t.Parallel()
		c := newCluster(t, 2)
		refuseListing(c, func(int32) bool { return true })
		cl := connect(t, c)
		txns, err := cl.Transactions(ctx)
		if txns != nil || !errors.Is(err, sarama.ErrClusterAuthorizationFailed) || !strings.HasPrefix(err.Error(), "list transactions: broker ") {
			t.Errorf("%v, %v", txns, err)
		}
	})
	t.Run("one", func(t *testing.T) {
		t.Parallel()
		c := newCluster(t, 3, kfake.SeedTopics(1, "t"))
		beginAndWrite(t, txnProducer(t, c, "survivor", 30*time.Second), "t", 0)
		refuseListing(c, func(node int32) bool { return node == 1 })
		cl := connect(t, c)
		txns, err := cl.Transactions(ctx)
		if len(txns) != 1 || txns[0].ID != "survivor" || txns[0].State != "Ongoing" || txns[0].Err != nil {
			t.Errorf("listed %+v", txns)
		}
		if !errors.Is(err, sarama.ErrClusterAuthorizationFailed) || !strings.Contains(err.Error(), "broker 1: ") || strings.Contains(err.Error(), "broker 0") {
			t.Errorf("error %v", err)
		}
	})
}

// An id its coordinator cannot describe keeps what the listing said and
// carries the error; the others are described. When no coordinator
// answers, the describe fails.
func TestTransactionsWhenADescribeFails(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	t.Run("one id", func(t *testing.T) {
		t.Parallel()
		c := newCluster(t, 3, kfake.SeedTopics(1, "t"))
		// Two ids with different coordinators.
		good, gone := "good", ""
		for i := 0; gone == ""; i++ {
			if id := fmt.Sprint("gone-", i); c.CoordinatorFor(id) != c.CoordinatorFor(good) {
				gone = id
			}
		}
		beginAndWrite(t, txnProducer(t, c, good, 30*time.Second), "t", 0)
		beginAndWrite(t, txnProducer(t, c, gone, 30*time.Second), "t", 0)
		c.ControlKey(int16(kmsg.DescribeTransactions), func(req kmsg.Request) (kmsg.Response, error, bool) {
			c.KeepControl()
			r := req.(*kmsg.DescribeTransactionsRequest)
			if !slices.Contains(r.TransactionalIDs, gone) {
				return nil, nil, false
			}
			resp := r.ResponseKind().(*kmsg.DescribeTransactionsResponse)
			for _, id := range r.TransactionalIDs {
				st := kmsg.NewDescribeTransactionsResponseTransactionState()
				st.TransactionalID, st.ErrorCode = id, kerr.TransactionalIDNotFound.Code
				resp.TransactionStates = append(resp.TransactionStates, st)
			}
			return resp, nil, true
		})
		cl := connectCounted(t, c)
		txns, err := cl.Transactions(ctx)
		if err != nil {
			t.Fatal(err)
		}
		g, x := transaction(t, txns, good), transaction(t, txns, gone)
		if g.Err != nil || !g.Open() || g.Coordinator != c.CoordinatorFor(good) {
			t.Errorf("described %+v", g)
		}
		if !errors.Is(x.Err, kerr.TransactionalIDNotFound) || x.State != "Ongoing" || x.ProducerID <= 0 || x.Coordinator != -1 || x.Open() {
			t.Errorf("not described %+v", x)
		}
	})
	t.Run("all", func(t *testing.T) {
		t.Parallel()
		c := newCluster(t, 1, kfake.SeedTopics(1, "t"))
		beginAndWrite(t, txnProducer(t, c, "lonely", 30*time.Second), "t", 0)
		c.ControlKey(int16(kmsg.DescribeTransactions), func(kmsg.Request) (kmsg.Response, error, bool) {
			c.KeepControl()
			return nil, errors.New("hang up"), true
		})
		cl, err := Connect(ctx, Config{Brokers: c.ListenAddrs(), ConnectTimeout: 5 * time.Second, RequestTimeout: time.Second, RefreshInterval: time.Hour})
		if err != nil {
			t.Fatal(err)
		}
		defer cl.Close()
		txns, err := cl.Transactions(ctx)
		if txns != nil || err == nil || !strings.HasPrefix(err.Error(), "describe transactions: broker 0: ") {
			t.Errorf("%+v, %v", txns, err)
		}
	})
}

// A broker that never answers holds each call only until its context
// ends, whichever request it sits on.
func TestTransactionsAndProducersEndWithTheirContext(t *testing.T) {
	t.Parallel()
	transactions := func(cl *Client, ctx context.Context) error { _, err := cl.Transactions(ctx); return err }
	for _, tc := range []struct {
		silent kmsg.Key
		call   func(*Client, context.Context) error
	}{
		{kmsg.ListTransactions, transactions},
		{kmsg.DescribeTransactions, transactions},
		{kmsg.DescribeProducers, func(cl *Client, ctx context.Context) error { _, err := cl.Producers(ctx, "t", 0); return err }},
	} {
		t.Run(tc.silent.Name(), func(t *testing.T) {
			t.Parallel()
			c := newCluster(t, 1, kfake.SeedTopics(1, "t"))
			beginAndWrite(t, txnProducer(t, c, "stuck", 30*time.Second), "t", 0)
			c.ControlKey(int16(tc.silent), func(kmsg.Request) (kmsg.Response, error, bool) {
				c.KeepControl()
				return nil, nil, true // no answer
			})
			cl := connect(t, c)
			ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
			defer cancel()
			start := time.Now()
			// The context's own error, not one franz-go wrapped around it.
			if err := tc.call(cl, ctx); err != context.DeadlineExceeded || time.Since(start) > 3*time.Second {
				t.Errorf("%v after %v", err, time.Since(start))
			}
			ctx, cancel = context.WithCancel(context.Background())
			cancel()
			if err := tc.call(cl, ctx); err != context.Canceled {
				t.Errorf("cancelled: %v", err)
			}
		})
	}
}
