package views

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"kscope/kafkaclient"
	"kscope/views/viewtest"
)

// TestTransactionsView marks the open transaction older than its timeout
// HANGING, shows how long each open one has been open and the partitions
// it wrote to, and keeps a partial answer on screen beside its error.
func TestTransactionsView(t *testing.T) {
	inBubble(t, func(t *testing.T, h *host) {
		tp := func(topic string, p int32) kafkaclient.TopicPartition {
			return kafkaclient.TopicPartition{Topic: topic, Partition: p}
		}
		txns := []kafkaclient.Transaction{
			{ID: "billing-tx", State: "Ongoing", ProducerID: 4001, ProducerEpoch: 3, Coordinator: 2, Timeout: time.Minute,
				Started: t0.Add(-90 * time.Second), Partitions: []kafkaclient.TopicPartition{tp("orders", 0), tp("orders", 5)}},
			{ID: "fresh-tx", State: "Ongoing", ProducerID: 4002, Coordinator: 1, Timeout: time.Minute,
				Started: t0.Add(-5 * time.Second), Partitions: []kafkaclient.TopicPartition{tp("audit", 1)}},
			{ID: "done-tx", State: "CompleteCommit", ProducerID: 4003, ProducerEpoch: 9, Coordinator: 1, Timeout: 15 * time.Minute},
			{ID: "ev\x1b]0;x\x07il", State: "Ongoing", ProducerID: 4004, Coordinator: -1, Err: errors.New("TRANSACTIONAL_ID_NOT_FOUND")},
		}
		var failure error
		fake := &viewtest.Fake{TransactionsFn: func(context.Context) ([]kafkaclient.Transaction, error) { return txns, failure }}
		c := testCommon(t)
		c.Client = ClientOf(fake)
		v := NewTransactions(c)
		h.push(v)
		v.SetSize(140, 24)
		got := plain(h.top())
		row := func(id string) string {
			for _, l := range strings.Split(got, "\n") {
				if strings.Contains(l, id) {
					return l
				}
			}
			t.Fatalf("no row for %s:\n%s", id, got)
			return ""
		}
		for id, wants := range map[string][]string{
			"billing-tx":       {"HANGING Ongoing", "4001", "1m", "1m 30s", "orders 0,5"},
			"fresh-tx":         {"Ongoing", "5s", "audit 1"},
			"done-tx":          {"CompleteCommit", "15m", " - "},
			`ev\x1b]0;x\x07il`: {"TRANSACTIONAL_ID_NOT_FOUND"},
		} {
			r := row(id)
			for _, want := range wants {
				if !strings.Contains(r, want) {
					t.Errorf("%s row lacks %q: %q", id, want, r)
				}
			}
		}
		if strings.Contains(row("fresh-tx"), "HANGING") {
			t.Error("a transaction within its timeout is marked hanging")
		}
		if strings.Contains(h.top().View(), "\x1b]0;x") {
			t.Error("a raw escape from a transactional id reached the screen")
		}

		// A partial answer stays, and the error is said.
		txns, failure = txns[:1], errors.New("list transactions: the ids these brokers coordinate are missing: broker 3: EOF")
		h.send(press("r"))
		got = plain(h.top())
		if !strings.Contains(got, "billing-tx") || strings.Contains(got, "done-tx") {
			t.Errorf("after a partial answer:\n%s", got)
		}
		if n := h.notices(); len(n) == 0 || !strings.Contains(n[len(n)-1], "broker 3: EOF") {
			t.Errorf("notices %q", n)
		}
	})
}

// TestPartitionOpensItsProducers: enter on a partition lists its active
// producers, an open transaction's first offset among them.
func TestPartitionOpensItsProducers(t *testing.T) {
	inBubble(t, func(t *testing.T, h *host) {
		var asked string
		fake := &viewtest.Fake{ProducersFn: func(_ context.Context, topic string, partition int32) ([]kafkaclient.ActiveProducer, error) {
			asked = fmt.Sprintf("%s/%d", topic, partition)
			return []kafkaclient.ActiveProducer{
				{ProducerID: 4001, Epoch: 3, LastSequence: 41, LastTimestamp: t0.Add(-time.Minute), TxnStartOffset: 1200},
				{ProducerID: 4002, Epoch: 0, LastSequence: 9, TxnStartOffset: -1},
			}, nil
		}}
		c := testCommon(t)
		c.Client = ClientOf(fake)
		c.Snapshot = clusterSnapshot()
		h.push(NewPartitions(c, "orders"))
		h.send(press("down"))
		h.send(press("enter"))
		got := plain(h.top())
		if title := h.top().Title(); asked != "orders/1" || !strings.Contains(title, "producers of orders/1") {
			t.Fatalf("asked %q:\n%s", asked, got)
		}
		for _, want := range []string{"4001", "41", "2026-11-21T08:59:00.000Z", "1,200", "4002"} {
			if !strings.Contains(got, want) {
				t.Errorf("lacks %q:\n%s", want, got)
			}
		}
	})
}

// TestProducersWithoutAZoneSet: as in the program, where no zone is set
// and times show in the local one, a producer's last write shows rather
// than panicking.
func TestProducersWithoutAZoneSet(t *testing.T) {
	inBubble(t, func(t *testing.T, h *host) {
		fake := &viewtest.Fake{ProducersFn: func(context.Context, string, int32) ([]kafkaclient.ActiveProducer, error) {
			return []kafkaclient.ActiveProducer{{ProducerID: 4001, LastTimestamp: t0, TxnStartOffset: -1}}, nil
		}}
		c := testCommon(t)
		c.Location = nil
		c.Client = ClientOf(fake)
		h.push(NewProducers(c, "orders", 0))
		if got := plain(h.top()); !strings.Contains(got, t0.Local().Format(timestampLayout)) {
			t.Errorf("last write not shown in the local zone:\n%s", got)
		}
	})
}
