package views

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"kscope/kafkaclient"
	"kscope/views/viewtest"
)

// txnCluster answers Producers per partition and records the aborts asked.
type txnCluster struct {
	txns      []kafkaclient.Transaction
	producers map[string][]kafkaclient.ActiveProducer // by "topic/partition"
	reads     int
	aborted   []kafkaclient.AbortSpec
	refuse    error
}

func (x *txnCluster) fake() *viewtest.Fake {
	return &viewtest.Fake{
		TransactionsFn: func(context.Context) ([]kafkaclient.Transaction, error) { return x.txns, nil },
		ProducersFn: func(_ context.Context, topic string, partition int32) ([]kafkaclient.ActiveProducer, error) {
			x.reads++
			return x.producers[fmt.Sprintf("%s/%d", topic, partition)], nil
		},
		AbortTransactionFn: func(_ context.Context, spec kafkaclient.AbortSpec) error {
			x.aborted = append(x.aborted, spec)
			return x.refuse
		},
	}
}

func txnCommon(t *testing.T, x *txnCluster) (*Common, *memAudit) {
	c := testCommon(t)
	audit := &memAudit{}
	c.Client, c.Audit, c.Context = ClientOf(x.fake()), audit, "prod"
	return c, audit
}

// stuck holds orders/1 open from offset 1,200; 4002 writes without a
// transaction.
var (
	stuck = kafkaclient.ActiveProducer{ProducerID: 4001, Epoch: 3, LastSequence: 41, LastTimestamp: t0.Add(-time.Hour), CoordinatorEpoch: 7, TxnStartOffset: 1200}
	noTxn = kafkaclient.ActiveProducer{ProducerID: 4002, LastSequence: 9, CoordinatorEpoch: -1, TxnStartOffset: -1}
)

// TestAbortTransactionPreviewConfirmAudit: A on the producer holding the
// partition previews the abort (partition, producer and epochs, the first
// offset, who skips what, who is not told), aborts it once "abort" is
// typed with exactly what the leader described, audits it, and the list
// reads the producers again.
func TestAbortTransactionPreviewConfirmAudit(t *testing.T) {
	inBubble(t, func(t *testing.T, h *host) {
		x := &txnCluster{producers: map[string][]kafkaclient.ActiveProducer{"orders/1": {stuck, noTxn}}}
		c, audit := txnCommon(t, x)
		h.push(NewProducers(c, "orders", 1))
		h.send(press("A"))
		if len(h.stack) != 2 {
			t.Fatalf("A opened no confirmation; notices %v", h.notices())
		}
		h.top().SetSize(120, 40)
		// The box's text, its wrapped lines joined again.
		var text []string
		for _, l := range strings.Split(plain(h.top()), "\n") {
			if l = strings.TrimSpace(strings.Trim(strings.TrimSpace(l), "│")); l != "" {
				text = append(text, l)
			}
		}
		s := strings.Join(text, " ")
		for _, want := range []string{
			"Abort the open transaction of producer 4001 at orders/1",
			"Write an ABORT marker to orders/1 for producer 4001 (epoch 3, coordinator epoch 7), as kafka-transactions abort does.",
			"Its transaction has been open at orders/1 since offset 1,200.",
			"The records it wrote to orders/1 from offset 1,200 up to the marker are aborted: read_committed consumers skip them and read on past them",
			"Only orders/1 is aborted",
			"Neither its coordinator nor the producer is told. A producer still alive writes on and can commit",
			"Type abort to confirm",
		} {
			if !strings.Contains(s, want) {
				t.Errorf("the preview lacks %q:\n%s", want, plain(h.top()))
			}
		}
		h.keys("orders")
		h.send(press("enter"))
		if len(x.aborted) != 0 {
			t.Fatal("aborted on the wrong word")
		}
		for range len("orders") {
			h.send(tea.KeyPressMsg{Code: tea.KeyBackspace})
		}
		reads := x.reads
		h.keys("abort")
		h.send(press("enter"))
		want := kafkaclient.AbortSpec{TopicPartition: kafkaclient.TopicPartition{Topic: "orders", Partition: 1}, ProducerID: 4001, ProducerEpoch: 3, CoordinatorEpoch: 7}
		if len(x.aborted) != 1 || x.aborted[0] != want {
			t.Fatalf("aborted %+v, want %+v", x.aborted, want)
		}
		if len(*audit) != 1 {
			t.Fatalf("audit %+v", *audit)
		}
		if e := (*audit)[0]; e.Action != "abort transaction" || e.Target != "orders/1 producer 4001" || e.Topic != "orders" || e.Result != "ok" || e.Context != "prod" {
			t.Errorf("audit %+v", e)
		}
		if len(h.stack) != 1 || x.reads != reads+1 {
			t.Errorf("after the abort: %d views, producers read %d times more", len(h.stack), x.reads-reads)
		}
		if n := h.notices(); len(n) == 0 || n[len(n)-1] != "aborted the transaction of producer 4001 at orders/1" {
			t.Errorf("notices %q", n)
		}
	})
}

// A refused abort keeps the confirmation with the error, and is audited.
func TestAbortTransactionRefusedIsShownAndAudited(t *testing.T) {
	inBubble(t, func(t *testing.T, h *host) {
		x := &txnCluster{producers: map[string][]kafkaclient.ActiveProducer{"orders/1": {stuck}},
			refuse: errors.New("the transaction already ended")}
		c, audit := txnCommon(t, x)
		h.push(NewProducers(c, "orders", 1))
		h.send(press("A"))
		h.keys("abort")
		h.send(press("enter"))
		if s := plain(h.top()); len(h.stack) != 2 || !strings.Contains(s, "abort transaction failed: the transaction already ended") {
			t.Errorf("after a refusal:\n%s", s)
		}
		if len(*audit) != 1 || (*audit)[0].Result != "the transaction already ended" {
			t.Errorf("audit %+v", *audit)
		}
	})
}

// A producer without an open transaction has nothing to abort, and
// read-only mode refuses the key: neither opens a confirmation.
func TestAbortTransactionRefusedByTheRowOrReadOnly(t *testing.T) {
	inBubble(t, func(t *testing.T, h *host) {
		x := &txnCluster{producers: map[string][]kafkaclient.ActiveProducer{"orders/1": {stuck, noTxn}}}
		c, _ := txnCommon(t, x)
		h.push(NewProducers(c, "orders", 1))
		h.send(press("down"))
		h.send(press("A"))
		if n := h.notices(); len(h.stack) != 1 || len(n) != 1 || n[0] != "producer 4002 has no open transaction at orders/1" {
			t.Errorf("A on a producer without a transaction: %d views, notices %q", len(h.stack), n)
		}
		c.Keys.SetReadOnly(true)
		h.send(press("up"))
		h.send(press("A"))
		if n := h.notices(); len(h.stack) != 1 || n[len(n)-1] != "read-only mode: A (abort transaction) is disabled" {
			t.Errorf("A in read-only mode: %d views, notices %q", len(h.stack), n)
		}
		for _, b := range h.top().ShortHelp() {
			if b.Help().Desc == "abort transaction" && b.Enabled() {
				t.Error("help offers the abort in read-only mode")
			}
		}
		if len(x.aborted) != 0 {
			t.Errorf("aborted %+v", x.aborted)
		}
	})
}

// Enter on a transaction lists its producer at each partition it wrote
// to, as each leader describes it, where A aborts it; a partition whose
// leader no longer lists it shows dashes and has nothing to abort. A
// transaction with no partition says so.
func TestTransactionOpensItsPartitions(t *testing.T) {
	inBubble(t, func(t *testing.T, h *host) {
		tp := func(topic string, p int32) kafkaclient.TopicPartition {
			return kafkaclient.TopicPartition{Topic: topic, Partition: p}
		}
		other := kafkaclient.ActiveProducer{ProducerID: 77, Epoch: 1, TxnStartOffset: 5}
		x := &txnCluster{
			txns: []kafkaclient.Transaction{
				{ID: "billing-tx", State: "Ongoing", ProducerID: 4001, ProducerEpoch: 3, Timeout: time.Minute, Started: t0.Add(-time.Hour),
					Partitions: []kafkaclient.TopicPartition{tp("audit", 1), tp("orders", 1)}},
				{ID: "done-tx", State: "CompleteCommit", ProducerID: 4003, Timeout: time.Minute},
			},
			producers: map[string][]kafkaclient.ActiveProducer{"orders/1": {other, stuck}},
		}
		c, _ := txnCommon(t, x)
		h.push(NewTransactions(c))
		h.send(press("down"))
		h.send(press("enter"))
		if n := h.notices(); len(h.stack) != 1 || len(n) != 1 || n[0] != "done-tx has no open transaction: it holds no partition" {
			t.Fatalf("enter on a transaction without partitions: %d views, notices %q", len(h.stack), n)
		}
		h.send(press("up"))
		h.send(press("enter"))
		if len(h.stack) != 2 {
			t.Fatalf("enter opened nothing; notices %v", h.notices())
		}
		h.top().SetSize(140, 24)
		s := plain(h.top())
		if title := h.top().Title(); title != "partitions of transaction billing-tx (producer 4001) (2)" {
			t.Errorf("title %q", title)
		}
		var auditRow, ordersRow string
		for _, l := range strings.Split(s, "\n") {
			switch {
			case strings.Contains(l, "audit/1"):
				auditRow = l
			case strings.Contains(l, "orders/1"):
				ordersRow = l
			}
		}
		if f := strings.Fields(auditRow); len(f) < 2 || f[1] != "-" || !strings.Contains(ordersRow, "1,200") || strings.Contains(s, " 77 ") {
			t.Errorf("rows:\n%s", s)
		}
		h.send(press("A"))
		if n := h.notices(); len(h.stack) != 2 || n[len(n)-1] != "producer 4001 has no open transaction at audit/1" {
			t.Errorf("A on a partition the leader does not list it at: notices %q", n)
		}
		h.send(press("down"))
		h.send(press("A"))
		h.keys("abort")
		h.send(press("enter"))
		want := kafkaclient.AbortSpec{TopicPartition: tp("orders", 1), ProducerID: 4001, ProducerEpoch: 3, CoordinatorEpoch: 7}
		if len(x.aborted) != 1 || x.aborted[0] != want {
			t.Errorf("aborted %+v, want %+v", x.aborted, want)
		}
	})
}

// TestHangingTransactionWithoutAnID: a producer hanging at a partition
// that no transactional id lists has a row of its own, HANGING, open for
// as long as since its last write there; enter lists it at that partition,
// where A aborts it.
func TestHangingTransactionWithoutAnID(t *testing.T) {
	inBubble(t, func(t *testing.T, h *host) {
		at := kafkaclient.ProducerAt{TopicPartition: kafkaclient.TopicPartition{Topic: "orders", Partition: 1}, Producer: stuck}
		x := &txnCluster{
			txns: []kafkaclient.Transaction{
				{ID: "billing-tx", State: "Empty", ProducerID: 4005, Timeout: time.Minute},
				{ProducerID: stuck.ProducerID, ProducerEpoch: stuck.Epoch, Coordinator: -1, HangingAt: []kafkaclient.ProducerAt{at}},
			},
			producers: map[string][]kafkaclient.ActiveProducer{"orders/1": {noTxn, stuck}},
		}
		c, _ := txnCommon(t, x)
		h.push(NewTransactions(c))
		h.top().SetSize(140, 24)
		s := plain(h.top())
		var row string
		for _, l := range strings.Split(s, "\n") {
			if strings.Contains(l, "(no transactional id)") {
				row = l
			}
		}
		for _, want := range []string{"HANGING", "4001", "1h", "hanging at orders 1"} {
			if !strings.Contains(row, want) {
				t.Errorf("the producer's row lacks %q:\n%s", want, s)
			}
		}
		if strings.Count(s, "HANGING") != 1 {
			t.Errorf("not one row hanging:\n%s", s)
		}
		h.send(press("down"))
		h.send(press("enter"))
		if len(h.stack) != 2 {
			t.Fatalf("enter opened nothing; notices %v", h.notices())
		}
		if title := h.top().Title(); title != "partitions of producer 4001 (no transactional id) (1)" {
			t.Errorf("title %q", title)
		}
		h.send(press("A"))
		h.keys("abort")
		h.send(press("enter"))
		want := kafkaclient.AbortSpec{TopicPartition: at.TopicPartition, ProducerID: 4001, ProducerEpoch: 3, CoordinatorEpoch: 7}
		if len(x.aborted) != 1 || x.aborted[0] != want {
			t.Errorf("aborted %+v, want %+v", x.aborted, want)
		}
	})
}
