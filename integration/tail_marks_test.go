//go:build realkafka

package integration

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"kscope/kafkaclient"
)

// TestTailMarksWhatKafkaToolsFind tails, from earliest, a topic of
// zstd-compressed batches that kafka-verifiable-producer wrote, with a
// marker that picks the values holding a 7, as a filter of the tail view
// would: every chunk comes marked in full, and the records marked are
// exactly those kafka-console-consumer prints with a 7 in them.
func TestTailMarksWhatKafkaToolsFind(t *testing.T) {
	restoreNodes(t)
	topic := name("marks")
	createTopic(t, topic, 3, 3, "")
	const n = 3000
	props := filepath.Join(t.TempDir(), "zstd.properties")
	if err := os.WriteFile(props, []byte("compression.type=zstd\nlinger.ms=50\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	producer := startTool(t, "kafka-verifiable-producer", "--bootstrap-server", bootstrapArg(), "--topic", topic,
		"--max-messages", fmt.Sprint(n), "--acks", "-1", "--command-config", props)
	producer.wait(t, time.Minute)

	reference := toolText(t, "kafka-console-consumer", "--bootstrap-server", bootstrapArg(), "--topic", topic,
		"--from-beginning", "--max-messages", fmt.Sprint(n), "--timeout-ms", "30000",
		"--property", "print.partition=true", "--property", "print.offset=true")
	var want []string
	total := 0
	for _, l := range strings.Split(reference, "\n") {
		// Partition:0	Offset:5	17
		f := strings.Split(l, "\t")
		if len(f) != 3 || !strings.HasPrefix(f[0], "Partition:") {
			continue
		}
		total++
		if strings.Contains(f[2], "7") {
			want = append(want, l)
		}
	}
	if total != n {
		t.Fatalf("kafka-console-consumer printed %d records of %d:\n%s", total, n, reference)
	}

	s := connect(t, config())
	marker := &kafkaclient.Marker{Tag: 1, Mark: func(recs []kafkaclient.Record) kafkaclient.Marks {
		m := kafkaclient.Marks{Read: len(recs)}
		for i, r := range recs {
			if strings.Contains(string(r.Value), "7") {
				m.Matches = append(m.Matches, i)
			}
		}
		return m
	}}
	tail, err := s.Tail(t.Context(), kafkaclient.TailSpec{Topic: topic, From: kafkaclient.From{Kind: kafkaclient.FromEarliest}, Marker: marker})
	if err != nil {
		t.Fatalf("tail: %v", err)
	}
	defer tail.Close()
	var got []string
	read := 0
	deadline := time.After(30 * time.Second)
	for read < n {
		select {
		case e := <-tail.Events():
			b, ok := e.(kafkaclient.RecordBatch)
			if !ok {
				continue
			}
			for i, c := range b.Records {
				if m := b.Marks[i]; m.Tag != 1 || m.Read != len(c) {
					t.Fatalf("a chunk of %d records marked with tag %d, %d read", len(c), m.Tag, m.Read)
				}
				for _, j := range b.Marks[i].Matches {
					r := c[j]
					got = append(got, fmt.Sprintf("Partition:%d\tOffset:%d\t%s", r.Partition, r.Offset, r.Value))
				}
				read += len(c)
			}
		case <-deadline:
			t.Fatalf("%d of %d records within 30s", read, n)
		}
	}
	slices.Sort(got)
	slices.Sort(want)
	if k, r := strings.Join(got, "\n"), strings.Join(want, "\n"); k != r || len(want) == 0 {
		t.Errorf("marked records differ from kafka-console-consumer's with a 7 (%d, want %d):\n%s", len(got), len(want), diff(k, r, k))
	}
}
