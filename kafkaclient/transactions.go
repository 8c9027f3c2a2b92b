package kafkaclient

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/IBM/sarama"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// API keys of KIP-664's requests, which sarama does not speak: they go
// over the franz-go connection (kadm.go). franz-go's client sends each to
// the brokers that can answer it (RequestSharded), as kadm does; kadm
// itself is a module go.mod does not require. DescribeTransactions came
// with ListTransactions, in Kafka 3.0.
const (
	apiKeyDescribeProducers = 61 // Kafka 2.8
	apiKeyListTransactions  = 66 // Kafka 3.0
)

// Transaction is one transactional id as its coordinator describes it.
type Transaction struct {
	ID string
	// State is Kafka's word for it: Empty, Ongoing, PrepareCommit,
	// PrepareAbort, CompleteCommit, CompleteAbort, Dead or
	// PrepareEpochFence.
	State         string
	ProducerID    int64
	ProducerEpoch int16
	// Coordinator is the broker that described it, -1 when none did.
	Coordinator int32
	// Timeout is how long a transaction may stay open before the
	// coordinator aborts it.
	Timeout time.Duration
	// Started is when the open transaction began; zero when none is open.
	Started    time.Time
	Partitions []TopicPartition
	// HangingAt are the partitions where the producer holds a
	// transaction open that its coordinator will never end, each with
	// the producer as the partition's leader describes it (findHanging).
	HangingAt []ProducerAt
	// Err is why the id could not be described; State and ProducerID
	// are then as the listing gave them.
	Err error
}

// Open reports a transaction begun and not yet complete.
func (t Transaction) Open() bool {
	return (t.State == "Ongoing" || strings.HasPrefix(t.State, "Prepare")) && !t.Started.IsZero()
}

// Overdue reports an open transaction older at now than its timeout:
// its coordinator should have aborted it already.
func (t Transaction) Overdue(now time.Time) bool {
	return t.Open() && now.Sub(t.Started) > t.Timeout
}

// Hanging reports a transaction overdue at now or hanging at some
// partition: until it ends, read_committed consumers of its partitions
// cannot read past its first record there.
func (t Transaction) Hanging(now time.Time) bool {
	return t.Overdue(now) || len(t.HangingAt) > 0
}

// ActiveProducer is a producer a partition's leader keeps state for.
type ActiveProducer struct {
	ProducerID int64
	// Epoch is an int32 on this request's wire and an int16 everywhere
	// else in Kafka, Transaction.ProducerEpoch included.
	Epoch            int16
	LastSequence     int32
	LastTimestamp    time.Time // zero when the leader has none
	CoordinatorEpoch int32
	// TxnStartOffset is the offset of the open transaction's first
	// record in the partition, -1 when no transaction is open.
	TxnStartOffset int64
}

// Transactions lists every transactional id of the cluster, sorted, each
// described by its coordinator (Kafka 3.0 and later), with the
// partitions where its transactions hang (findHanging); a producer with
// hanging transactions that no id lists comes last, without an id.
//
// Each broker lists only the ids it coordinates, so a broker that fails
// to answer hides its ids and no others: Transactions then returns what
// the other brokers listed together with an error naming the ones that
// failed, rather than nothing, or a list that looks whole.
func (c *Client) Transactions(ctx context.Context) ([]Transaction, error) {
	if !c.franz.supports(apiKeyListTransactions, 0) {
		return nil, errors.New("list transactions: the cluster does not have the request (Kafka 3.0 and later do)")
	}
	cl, err := c.franz.client()
	if err != nil {
		return nil, fmt.Errorf("list transactions: %w", err)
	}
	txns, listErr := c.listTransactions(ctx, cl)
	if txns == nil && listErr != nil {
		return nil, listErr
	}
	if len(txns) > 0 {
		if err := c.describeTransactions(ctx, cl, txns); err != nil {
			return nil, err
		}
	}
	out := make([]Transaction, 0, len(txns))
	for _, t := range txns {
		out = append(out, *t)
	}
	out, hangErr := c.findHanging(ctx, out, listErr == nil)
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	slices.SortFunc(out, Transaction.Compare)
	return out, errors.Join(listErr, hangErr)
}

// Compare orders transactions by id, those without one (producers no id
// lists) last, by producer id.
func (t Transaction) Compare(u Transaction) int {
	unlisted := func(t Transaction) int {
		if t.ID == "" {
			return 1
		}
		return 0
	}
	return cmp.Or(cmp.Compare(unlisted(t), unlisted(u)), cmp.Compare(t.ID, u.ID), cmp.Compare(t.ProducerID, u.ProducerID))
}

// listTransactions asks every broker for the ids it coordinates. The map
// is nil when there is nothing to describe; the error says which brokers
// failed.
func (c *Client) listTransactions(ctx context.Context, cl *kgo.Client) (map[string]*Transaction, error) {
	shards := cl.RequestSharded(ctx, kmsg.NewPtrListTransactionsRequest())
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	txns := map[string]*Transaction{}
	var errs []error
	for _, s := range shards {
		err := s.Err
		if err == nil {
			r := s.Resp.(*kmsg.ListTransactionsResponse)
			if err = codeError(r.ErrorCode); err == nil {
				for _, l := range r.TransactionStates {
					// While an id moves between coordinators, both
					// may list it.
					if _, ok := txns[l.TransactionalID]; !ok {
						txns[l.TransactionalID] = &Transaction{ID: l.TransactionalID, State: l.TransactionState, ProducerID: l.ProducerID, Coordinator: -1}
					}
				}
				continue
			}
		}
		errs = append(errs, atBroker(s.Meta.NodeID, c.shardError(err)))
	}
	var err error
	switch {
	case len(errs) == len(shards):
		return nil, fmt.Errorf("list transactions: %w", errors.Join(errs...))
	case len(errs) > 0:
		err = fmt.Errorf("list transactions: the ids these brokers coordinate are missing: %w", errors.Join(errs...))
	}
	if len(txns) == 0 {
		return nil, err
	}
	return txns, err
}

// errNotDescribed is the error of an id its coordinator's answer left out.
var errNotDescribed = errors.New("its coordinator did not describe it")

// describeTransactions describes txns at their coordinators. A
// coordinator that fails marks its ids; only when all fail is it an
// error.
func (c *Client) describeTransactions(ctx context.Context, cl *kgo.Client, txns map[string]*Transaction) error {
	req := kmsg.NewPtrDescribeTransactionsRequest()
	req.TransactionalIDs = slices.Sorted(maps.Keys(txns))
	for _, t := range txns {
		t.Err = errNotDescribed
	}
	shards := cl.RequestSharded(ctx, req)
	if err := ctx.Err(); err != nil {
		return err
	}
	var errs []error
	for _, s := range shards {
		if s.Err != nil {
			err := atBroker(s.Meta.NodeID, c.shardError(s.Err))
			errs = append(errs, err)
			for _, id := range s.Req.(*kmsg.DescribeTransactionsRequest).TransactionalIDs {
				if t := txns[id]; t != nil {
					t.Err = err
				}
			}
			continue
		}
		for _, d := range s.Resp.(*kmsg.DescribeTransactionsResponse).TransactionStates {
			if t := txns[d.TransactionalID]; t != nil {
				t.describe(s.Meta.NodeID, d)
			}
		}
	}
	if len(errs) == len(shards) {
		return fmt.Errorf("describe transactions: %w", errors.Join(errs...))
	}
	return nil
}

// describe fills t from coordinator's answer d.
func (t *Transaction) describe(coordinator int32, d kmsg.DescribeTransactionsResponseTransactionState) {
	if t.Err = codeError(d.ErrorCode); t.Err != nil {
		return
	}
	t.State, t.ProducerID, t.ProducerEpoch, t.Coordinator = d.State, d.ProducerID, d.ProducerEpoch, coordinator
	t.Timeout = time.Duration(d.TimeoutMillis) * time.Millisecond
	if d.StartTimestamp >= 0 {
		t.Started = time.UnixMilli(d.StartTimestamp)
	}
	for _, tp := range d.Topics {
		for _, p := range tp.Partitions {
			t.Partitions = append(t.Partitions, TopicPartition{tp.Topic, p})
		}
	}
	slices.SortFunc(t.Partitions, TopicPartition.Compare)
}

// Producers lists the producers that partition's leader keeps state for,
// sorted by producer id (Kafka 2.8 and later).
func (c *Client) Producers(ctx context.Context, topic string, partition int32) ([]ActiveProducer, error) {
	op := fmt.Sprintf("describe producers of %s/%d", topic, partition)
	if !c.franz.supports(apiKeyDescribeProducers, 0) {
		return nil, fmt.Errorf("%s: the cluster does not have the request (Kafka 2.8 and later do)", op)
	}
	cl, err := c.franz.client()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", op, err)
	}
	req := kmsg.NewPtrDescribeProducersRequest()
	rt := kmsg.NewDescribeProducersRequestTopic()
	rt.Topic, rt.Partitions = topic, []int32{partition}
	req.Topics = append(req.Topics, rt)
	resp, err := req.RequestWith(ctx, cl)
	if cerr := ctx.Err(); cerr != nil {
		return nil, cerr
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", op, c.shardError(err))
	}
	for _, t := range resp.Topics {
		for _, p := range t.Partitions {
			if t.Topic != topic || p.Partition != partition {
				continue
			}
			if err := codeError(p.ErrorCode); err != nil {
				if p.ErrorMessage != nil && *p.ErrorMessage != "" {
					return nil, fmt.Errorf("%s: %w: %s", op, err, *p.ErrorMessage)
				}
				return nil, fmt.Errorf("%s: %w", op, err)
			}
			return activeProducers(p.ActiveProducers), nil
		}
	}
	return nil, fmt.Errorf("%s: the leader did not answer for it", op)
}

// activeProducers are a leader's producers of one partition, sorted by
// producer id.
func activeProducers(in []kmsg.DescribeProducersResponseTopicPartitionActiveProducer) []ActiveProducer {
	out := make([]ActiveProducer, 0, len(in))
	for _, a := range in {
		ap := ActiveProducer{ProducerID: a.ProducerID, Epoch: int16(a.ProducerEpoch), LastSequence: a.LastSequence,
			CoordinatorEpoch: a.CoordinatorEpoch, TxnStartOffset: a.CurrentTxnStartOffset}
		if a.LastTimestamp >= 0 {
			ap.LastTimestamp = time.UnixMilli(a.LastTimestamp)
		}
		out = append(out, ap)
	}
	slices.SortFunc(out, func(a, b ActiveProducer) int { return cmp.Compare(a.ProducerID, b.ProducerID) })
	return out
}

// codeError is the error of a Kafka error code. sarama names codes up to
// 95 only, and would call TRANSACTIONAL_ID_NOT_FOUND (105) an unknown
// error; franz-go names the later ones.
func codeError(code int16) error {
	if code > int16(sarama.ErrInvalidUpdateVersion) {
		return kerr.ErrorForCode(code)
	}
	return kafkaError(code)
}

// shardError is the error of a request franz-go could not complete: an
// error code it met on the way (finding a coordinator, say) as codeError
// names it, or a failure to reach a broker explained as sarama's are.
func (c *Client) shardError(err error) error {
	if ke, ok := errors.AsType[*kerr.Error](err); ok {
		return codeError(ke.Code)
	}
	return explain(c.franz.cfg, err)
}

// atBroker names broker id in err, unless there was no broker to name
// (franz-go could not find one).
func atBroker(id int32, err error) error {
	if id < 0 {
		return err
	}
	return fmt.Errorf("broker %d: %w", id, err)
}
