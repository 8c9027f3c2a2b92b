//go:build realkafka

package integration

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/IBM/sarama"
)

// TestLSOAgreesWithKafkasTools leaves a transaction open on partition 0
// after a committed one, with committed records written past it, and
// compares kscope's high watermark and last stable offset with
// kafka-get-offsets (the high watermark: it reads uncommitted, and has no
// isolation option) and kafka-transactions describe-producers (the first
// offset of each producer's open transaction, the oldest of which is
// where the last stable offset stops); then again once it is committed.
func TestLSOAgreesWithKafkasTools(t *testing.T) {
	restoreNodes(t)
	topic, id := name("lso-topic"), name("lso-txn")
	createTopic(t, topic, 2, 3, "")
	txn := txnProducer(t, id)
	send := func(p sarama.SyncProducer, value string) int64 {
		t.Helper()
		_, offset, err := p.SendMessage(&sarama.ProducerMessage{Topic: topic, Partition: 0, Value: sarama.StringEncoder(value)})
		if err != nil {
			t.Fatal(err)
		}
		return offset
	}
	if err := txn.BeginTxn(); err != nil {
		t.Fatal(err)
	}
	send(txn, "committed")
	if err := txn.CommitTxn(); err != nil {
		t.Fatal(err)
	}
	if err := txn.BeginTxn(); err != nil {
		t.Fatal(err)
	}
	first := send(txn, "open")

	plain := plainProducer(t, "it-lso-plain")
	send(plain, "after")
	last := send(plain, "after")

	s := connect(t, config())
	kscope := func(t testing.TB) string {
		p := s.fresh(t).Topic(topic).Partitions[0]
		if !p.WatermarksKnown {
			return "watermarks unknown: " + fmt.Sprint(p.Err)
		}
		lso, err := s.StableOffsets(t.Context(), topic)
		if _, ok := lso[0]; err != nil || !ok {
			return fmt.Sprintf("high %d lso unknown: %v", p.High, err)
		}
		return fmt.Sprintf("high %d lso %d", p.High, min(lso[0], p.High))
	}
	reference := func(t testing.TB) string {
		// topic:partition:offset
		out := toolText(t, "kafka-get-offsets", "--bootstrap-server", bootstrapArg(), "--topic", topic, "--partitions", "0", "--time", "-1")
		f := strings.Split(strings.TrimSpace(out), ":")
		high, err := strconv.ParseInt(f[len(f)-1], 10, 64)
		if err != nil {
			return "kafka-get-offsets: " + out
		}
		starts, err := openTransactionStarts(t, topic, 0)
		if err != nil {
			return err.Error()
		}
		lso := high
		if len(starts) > 0 {
			lso = min(slices.Min(starts), high)
		}
		return fmt.Sprintf("high %d lso %d", high, lso)
	}

	open := agree(t, "an open transaction", time.Minute, kscope, reference)
	if want := fmt.Sprintf("high %d lso %d", last+1, first); open != want {
		t.Errorf("open transaction from offset %d, committed records to %d: %s, want %s", first, last, open, want)
	}
	if err := txn.CommitTxn(); err != nil {
		t.Fatal(err)
	}
	done := agree(t, "a committed transaction", time.Minute, kscope, reference)
	// The commit marker takes the next offset.
	if want := fmt.Sprintf("high %d lso %d", last+2, last+2); done != want {
		t.Errorf("committed transaction: %s, want %s", done, want)
	}
}

// openTransactionStarts is the first offset of every transaction open on
// the partition, as kafka-transactions describe-producers lists them
// (CurrentTransactionStartOffset; "None" for a producer without one).
func openTransactionStarts(t testing.TB, topic string, partition int32) ([]int64, error) {
	out, err := runTool(t.Context(), "kafka-transactions", "--bootstrap-server", bootstrapArg(),
		"describe-producers", "--topic", topic, "--partition", fmt.Sprint(partition))
	if err != nil {
		return nil, err
	}
	col := -1
	var starts []int64
	for _, l := range strings.Split(out, "\n") {
		f := strings.Fields(l)
		if col < 0 {
			col = slices.Index(f, "CurrentTransactionStartOffset")
			continue
		}
		if col >= len(f) {
			continue
		}
		if n, err := strconv.ParseInt(f[col], 10, 64); err == nil && n >= 0 {
			starts = append(starts, n)
		}
	}
	if col < 0 {
		return nil, fmt.Errorf("describe-producers printed no header:\n%s", out)
	}
	return starts, nil
}
