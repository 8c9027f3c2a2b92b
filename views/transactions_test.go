package views

import (
	"context"
	"errors"
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
