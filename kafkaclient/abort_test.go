package kafkaclient

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/IBM/sarama"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// markerRequests records the WriteTxnMarkers requests c is sent and the
// node each reached; the cluster still answers them.
type markerRequests struct {
	mu    sync.Mutex
	nodes []int32
	reqs  []*kmsg.WriteTxnMarkersRequest
}

func watchMarkers(c *kfake.Cluster) *markerRequests {
	m := &markerRequests{}
	c.ControlKey(int16(kmsg.WriteTxnMarkers), func(req kmsg.Request) (kmsg.Response, error, bool) {
		c.KeepControl()
		m.mu.Lock()
		m.nodes = append(m.nodes, c.CurrentNode())
		m.reqs = append(m.reqs, req.(*kmsg.WriteTxnMarkersRequest))
		m.mu.Unlock()
		return nil, nil, false
	})
	return m
}

func (m *markerRequests) seen() ([]int32, []*kmsg.WriteTxnMarkersRequest) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return slices.Clone(m.nodes), slices.Clone(m.reqs)
}

// heldLedger is a cluster where producer "stuck" holds a transaction open
// on ledger/0 from offset 3 (after three committed records, before two
// more) and on ledger/1 from offset 0, and a client on it that knows the
// topic.
func heldLedger(t *testing.T, cfg func(*Config)) (*kfake.Cluster, *Client, *kgo.Client) {
	t.Helper()
	c := newCluster(t, 3, kfake.SeedTopics(2, "ledger"))
	produce(t, c, "ledger", 1, 3)
	p := txnProducer(t, c, "stuck", time.Minute)
	if first := beginAndWrite(t, p, "ledger", 0, 1); first[0] != 3 || first[1] != 0 {
		t.Fatalf("the transaction began at %v", first)
	}
	produce(t, c, "ledger", 1, 2)
	conf := Config{Brokers: c.ListenAddrs(), ConnectTimeout: 5 * time.Second, RefreshInterval: time.Hour}
	if cfg != nil {
		cfg(&conf)
	}
	cl, err := Connect(context.Background(), conf)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(cl.Close)
	waitSnapshot(t, cl, func(s *Snapshot) bool { return s.Topic("ledger") != nil })
	return c, cl, p
}

// stable is ledger's last stable offsets.
func stable(t *testing.T, cl *Client) map[int32]int64 {
	t.Helper()
	lso, err := cl.StableOffsets(context.Background(), "ledger")
	if err != nil {
		t.Fatal(err)
	}
	return lso
}

// openAt is the spec of the one producer with a transaction open at
// ledger/partition, as Producers lists it.
func openAt(t *testing.T, cl *Client, partition int32) AbortSpec {
	t.Helper()
	ps, err := cl.Producers(context.Background(), "ledger", partition)
	if err != nil {
		t.Fatal(err)
	}
	if len(ps) != 1 || ps[0].TxnStartOffset < 0 {
		t.Fatalf("producers of ledger/%d: %+v", partition, ps)
	}
	return ps[0].AbortSpec(TopicPartition{"ledger", partition})
}

// readCommitted is the offsets a read_committed consumer reads from
// ledger/0 until it has read n records.
func readCommitted(t *testing.T, c *kfake.Cluster, n int) []int64 {
	t.Helper()
	cons, err := kgo.NewClient(kgo.SeedBrokers(c.ListenAddrs()...), kgo.FetchIsolationLevel(kgo.ReadCommitted()),
		kgo.ConsumePartitions(map[string]map[int32]kgo.Offset{"ledger": {0: kgo.NewOffset().AtStart()}}))
	if err != nil {
		t.Fatal(err)
	}
	defer cons.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var offsets []int64
	for len(offsets) < n && ctx.Err() == nil {
		cons.PollFetches(ctx).EachRecord(func(r *kgo.Record) { offsets = append(offsets, r.Offset) })
	}
	return offsets
}

// Aborted with what Producers lists, the transaction's record at ledger/0
// is dropped for read_committed consumers, who read the committed records
// past it; the last stable offset moves to the high watermark. The marker
// goes to the partition's leader only, for ledger/0 only: ledger/1 stays
// held. kfake, like a real leader, does not tell the coordinator.
func TestAbortTransactionReleasesReadCommittedConsumers(t *testing.T) {
	t.Parallel()
	c, cl, p := heldLedger(t, nil)
	if lso := stable(t, cl); !maps.Equal(lso, map[int32]int64{0: 3, 1: 0}) {
		t.Fatalf("before the abort: last stable offsets %v", lso)
	}
	spec := openAt(t, cl, 0)
	id, epoch := producerID(t, p)
	if spec.ProducerID != id || spec.ProducerEpoch != epoch {
		t.Fatalf("spec %+v, producer %d epoch %d", spec, id, epoch)
	}
	markers := watchMarkers(c)
	if err := cl.AbortTransaction(context.Background(), spec); err != nil {
		t.Fatal(err)
	}
	nodes, reqs := markers.seen()
	if want := []int32{c.LeaderFor("ledger", 0)}; !slices.Equal(nodes, want) {
		t.Errorf("sent to %v, want the leader %v", nodes, want)
	}
	if len(reqs) == 1 && len(reqs[0].Markers) == 1 {
		m := reqs[0].Markers[0]
		got := fmt.Sprintf("producer %d epoch %d committed %v coordinator epoch %d topics %d %s %v",
			m.ProducerID, m.ProducerEpoch, m.Committed, m.CoordinatorEpoch, len(m.Topics), m.Topics[0].Topic, m.Topics[0].Partitions)
		if want := fmt.Sprintf("producer %d epoch %d committed false coordinator epoch 0 topics 1 ledger [0]", id, epoch); got != want {
			t.Errorf("marker %s, want %s", got, want)
		}
	} else {
		t.Errorf("requests %+v", reqs)
	}
	// The marker takes offset 6.
	if lso := stable(t, cl); !maps.Equal(lso, map[int32]int64{0: 7, 1: 0}) {
		t.Errorf("after the abort: last stable offsets %v, want ledger/0 at its high watermark and ledger/1 still held", lso)
	}
	if got := readCommitted(t, c, 5); !slices.Equal(got, []int64{0, 1, 2, 4, 5}) {
		t.Errorf("read_committed read offsets %v, want the committed ones around the aborted 3", got)
	}
}

// A partition that changed leaders since the client last looked is
// aborted at its new leader.
func TestAbortTransactionFollowsTheLeader(t *testing.T) {
	t.Parallel()
	c, cl, _ := heldLedger(t, nil)
	spec := openAt(t, cl, 0) // the franz-go connection now knows the leader
	old := c.LeaderFor("ledger", 0)
	moved := (old + 1) % 3
	if err := c.MoveTopicPartition("ledger", 0, moved); err != nil {
		t.Fatal(err)
	}
	markers := watchMarkers(c)
	if err := cl.AbortTransaction(context.Background(), spec); err != nil {
		t.Fatal(err)
	}
	if nodes, _ := markers.seen(); len(nodes) == 0 || nodes[len(nodes)-1] != moved || slices.Contains(nodes[1:], old) {
		t.Errorf("sent to %v; the leader moved from %d to %d", nodes, old, moved)
	}
	cl.Refresh() // StableOffsets asks the leaders of the latest snapshot
	waitSnapshot(t, cl, func(s *Snapshot) bool { return s.Topic("ledger").Partitions[0].Leader == moved })
	if lso := stable(t, cl); lso[0] != 7 {
		t.Errorf("after the abort: last stable offsets %v", lso)
	}
}

// A refused marker says what it means, keeps the error Kafka gave, and
// aborts nothing. kfake checks neither epoch, so its refusals are faults
// injected at the partition.
func TestAbortTransactionRefusals(t *testing.T) {
	t.Parallel()
	c, cl, _ := heldLedger(t, nil)
	spec := openAt(t, cl, 0)
	prefix := fmt.Sprintf("abort the transaction of producer %d (epoch %d) at ledger/0: ", spec.ProducerID, spec.ProducerEpoch)
	for _, tc := range []struct {
		code *kerr.Error
		is   error
		says string
	}{
		{kerr.InvalidProducerEpoch, sarama.ErrInvalidProducerEpoch,
			fmt.Sprintf("the producer's epoch at the partition is past %d: the transaction already ended, or the producer was started again; nothing was aborted", spec.ProducerEpoch)},
		{kerr.TransactionCoordinatorFenced, sarama.ErrTransactionCoordinatorFenced,
			"a coordinator newer than epoch 0 already wrote a marker for the producer here: the transaction already ended; nothing was aborted"},
		{kerr.ClusterAuthorizationFailed, sarama.ErrClusterAuthorizationFailed,
			"writing transaction markers takes the ClusterAction permission on the cluster"},
	} {
		c.Fault(kfake.Fault{Keys: []kmsg.Key{kmsg.WriteTxnMarkers}, Topic: "ledger", Partitions: []int32{0}, Err: tc.code})
		err := cl.AbortTransaction(context.Background(), spec)
		if !errors.Is(err, tc.is) || !strings.HasPrefix(fmt.Sprint(err), prefix+tc.says) {
			t.Errorf("%s: %v", tc.code.Message, err)
		}
	}
	if lso := stable(t, cl); lso[0] != 3 {
		t.Errorf("after the refusals: last stable offsets %v", lso)
	}
	start := time.Now()
	gone := spec
	gone.Partition = 7
	if err := cl.AbortTransaction(context.Background(), gone); !errors.Is(err, sarama.ErrUnknownTopicOrPartition) ||
		!strings.HasPrefix(err.Error(), "abort the transaction of producer") || !strings.Contains(err.Error(), " at ledger/7: ") {
		t.Errorf("no such partition: %v", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("no such partition: answered after %v", d)
	}
}

// A producer whose first transaction never ended has no coordinator
// epoch at the partition (DescribeProducers says -1): the marker carries
// 0, as kafka-transactions sends.
func TestAbortTransactionWithoutACoordinatorEpoch(t *testing.T) {
	t.Parallel()
	c, cl, _ := heldLedger(t, nil)
	spec := openAt(t, cl, 0)
	spec.CoordinatorEpoch = -1
	markers := watchMarkers(c)
	if err := cl.AbortTransaction(context.Background(), spec); err != nil {
		t.Fatal(err)
	}
	if _, reqs := markers.seen(); len(reqs) != 1 || reqs[0].Markers[0].CoordinatorEpoch != 0 {
		t.Errorf("requests %+v", reqs)
	}
}

// Read-only mode refuses before anything is sent.
func TestAbortTransactionReadOnly(t *testing.T) {
	t.Parallel()
	c, cl, _ := heldLedger(t, func(cfg *Config) { cfg.ReadOnly = true })
	spec := openAt(t, cl, 0)
	markers := watchMarkers(c)
	err := cl.AbortTransaction(context.Background(), spec)
	if !errors.Is(err, ErrReadOnly) || !strings.HasPrefix(err.Error(), "abort the transaction of producer") {
		t.Errorf("read-only: %v", err)
	}
	if nodes, _ := markers.seen(); len(nodes) != 0 {
		t.Errorf("a marker reached %v", nodes)
	}
	if lso := stable(t, cl); lso[0] != 3 {
		t.Errorf("last stable offsets %v", lso)
	}
}
