package kafkaclient

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// ProducerAt is a producer as one partition's leader describes it.
type ProducerAt struct {
	TopicPartition
	Producer ActiveProducer
}

// DefaultMaxTransactionTimeout is Kafka's transaction.max.timeout.ms and
// find-hanging's --max-transaction-timeout, used when the brokers' own
// setting could not be read.
const DefaultMaxTransactionTimeout = 15 * time.Minute

// maxTxnTimeout is how long a transaction may stay open: the brokers'
// transaction.max.timeout.ms as last read, or Kafka's default.
func (c *Client) maxTxnTimeout() time.Duration {
	if ms := c.txnMaxTimeout.Load(); ms > 0 {
		return time.Duration(ms) * time.Millisecond
	}
	return DefaultMaxTransactionTimeout
}

// findHanging marks the hanging transactions of the cluster in txns
// (Transaction.HangingAt), as kafka-transactions find-hanging finds them,
// and returns txns with one more entry, without an id, for each producer
// with hanging transactions that no transactional id lists. txns are the
// transactional ids as described, complete when every coordinator
// answered: only then is an unlisted producer's open transaction judged.
//
// Rather than asking every partition's leader for all its producers, as
// find-hanging does, it asks only where a transaction is open: a
// partition whose last stable offset is behind the high watermark of the
// last refresh (the high watermark only grows, so an open transaction
// older than the refresh is never missed). That is one read_committed
// ListOffsets per leader, and DescribeProducers for those partitions
// alone, none when no transaction is open.
func (c *Client) findHanging(ctx context.Context, txns []Transaction, complete bool) ([]Transaction, error) {
	snap := c.snap.Load()
	if snap == nil || snap.WatermarksAt.IsZero() {
		return txns, errors.New("hanging transactions not looked for yet: the first offsets are still being read")
	}
	topics := make([]*TopicInfo, len(snap.Topics))
	for i := range snap.Topics {
		topics[i] = &snap.Topics[i]
	}
	stable, stableErr := c.stableOffsets(ctx, topics)
	if err := ctx.Err(); err != nil {
		return txns, err
	}
	var open []TopicPartition
	for _, t := range topics {
		for _, p := range t.Partitions {
			tp := TopicPartition{t.Name, p.ID}
			if lso, ok := stable[tp]; ok && p.WatermarksKnown && lso < p.High {
				open = append(open, tp)
			}
		}
	}
	var errs []error
	if stableErr != nil {
		errs = append(errs, fmt.Errorf("last stable offsets: %w", stableErr))
	}
	if len(open) > 0 {
		producers, err := c.producersAt(ctx, open)
		if err != nil {
			errs = append(errs, err)
		}
		txns = markHanging(txns, producers, complete, time.Now().Add(-c.maxTxnTimeout()))
	}
	if err := errors.Join(errs...); err != nil {
		return txns, fmt.Errorf("find hanging transactions: %w", err)
	}
	return txns, nil
}

// markHanging adds to txns each transaction open at a partition
// (producers, as its leader describes them) and last written to before
// cutoff that no coordinator has open there; find-hanging's verdict.
func markHanging(txns []Transaction, producers map[TopicPartition][]ActiveProducer, complete bool, cutoff time.Time) []Transaction {
	byProducer := make(map[int64]int, len(txns))
	for i := range txns {
		byProducer[txns[i].ProducerID] = i
	}
	for _, tp := range slices.SortedFunc(maps.Keys(producers), TopicPartition.Compare) {
		for _, p := range producers[tp] {
			if p.TxnStartOffset < 0 || p.LastTimestamp.After(cutoff) {
				continue
			}
			i, listed := byProducer[p.ProducerID]
			switch {
			case !listed && !complete:
				continue
			case !listed:
				i = len(txns)
				byProducer[p.ProducerID] = i
				txns = append(txns, Transaction{ProducerID: p.ProducerID, ProducerEpoch: p.Epoch, Coordinator: -1})
			case errors.Is(txns[i].Err, kerr.TransactionalIDNotFound):
			case txns[i].Err != nil:
				// Its coordinator did not say: not judged.
				continue
			case slices.Contains(txns[i].Partitions, tp):
				// Its coordinator will write the marker.
				continue
			}
			txns[i].HangingAt = append(txns[i].HangingAt, ProducerAt{tp, p})
		}
	}
	return txns
}

// producersAt asks the leaders of parts for their producers, one
// DescribeProducers request per leader. A partition or leader that fails
// is left out and named in the error.
func (c *Client) producersAt(ctx context.Context, parts []TopicPartition) (map[TopicPartition][]ActiveProducer, error) {
	if !c.franz.supports(apiKeyDescribeProducers, 0) {
		return nil, errors.New("describe producers: the cluster does not have the request (Kafka 2.8 and later do)")
	}
	cl, err := c.franz.client()
	if err != nil {
		return nil, fmt.Errorf("describe producers: %w", err)
	}
	req := kmsg.NewPtrDescribeProducersRequest()
	for i, tp := range parts {
		if i == 0 || parts[i-1].Topic != tp.Topic {
			rt := kmsg.NewDescribeProducersRequestTopic()
			rt.Topic = tp.Topic
			req.Topics = append(req.Topics, rt)
		}
		last := &req.Topics[len(req.Topics)-1]
		last.Partitions = append(last.Partitions, tp.Partition)
	}
	shards := cl.RequestSharded(ctx, req)
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	out := map[TopicPartition][]ActiveProducer{}
	var errs []error
	// Partitions refused alike are told once: a session without READ on
	// some topics would otherwise get a line for each partition.
	refused := map[int16][]TopicPartition{}
	for _, s := range shards {
		if s.Err != nil {
			errs = append(errs, atBroker(s.Meta.NodeID, c.shardError(s.Err)))
			continue
		}
		for _, t := range s.Resp.(*kmsg.DescribeProducersResponse).Topics {
			for _, p := range t.Partitions {
				tp := TopicPartition{t.Topic, p.Partition}
				if p.ErrorCode != 0 {
					refused[p.ErrorCode] = append(refused[p.ErrorCode], tp)
					continue
				}
				out[tp] = activeProducers(p.ActiveProducers)
			}
		}
	}
	for _, code := range slices.Sorted(maps.Keys(refused)) {
		errs = append(errs, fmt.Errorf("%w at %s", codeError(code), partitionsText(refused[code])))
	}
	if err := errors.Join(errs...); err != nil {
		return out, fmt.Errorf("describe producers: %w", err)
	}
	return out, nil
}

// namedPartitions is how many partitions an error names before it counts
// the rest.
const namedPartitions = 3

// partitionsText names tps, sorted, as "orders/0, orders/1, audit/3 and
// 12 more".
func partitionsText(tps []TopicPartition) string {
	tps = slices.SortedFunc(slices.Values(tps), TopicPartition.Compare)
	names := make([]string, 0, min(len(tps), namedPartitions))
	for _, tp := range tps[:min(len(tps), namedPartitions)] {
		names = append(names, fmt.Sprintf("%s/%d", tp.Topic, tp.Partition))
	}
	text := strings.Join(names, ", ")
	if more := len(tps) - len(names); more > 0 {
		text += fmt.Sprintf(" and %d more", more)
	}
	return text
}
