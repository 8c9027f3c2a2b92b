//go:build realkafka

package integration

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"kscope/kafkaclient"
)

// TestTailTakesTheBrokersTimestamps tails a topic whose broker stamps
// the records (message.timestamp.type=LogAppendTime): the tail says so
// per record, with the broker's time to the millisecond, as
// kafka-console-consumer prints it.
func TestTailTakesTheBrokersTimestamps(t *testing.T) {
	restoreNodes(t)
	topic := name("appendtime")
	createTopic(t, topic, 1, 3, "", "message.timestamp.type=LogAppendTime")
	const n = 20
	producer := startTool(t, "kafka-verifiable-producer", "--bootstrap-server", bootstrapArg(), "--topic", topic,
		"--max-messages", fmt.Sprint(n), "--acks", "-1")
	producer.wait(t, time.Minute)

	reference := toolText(t, "kafka-console-consumer", "--bootstrap-server", bootstrapArg(), "--topic", topic,
		"--from-beginning", "--max-messages", fmt.Sprint(n), "--timeout-ms", "30000",
		"--property", "print.timestamp=true", "--property", "print.offset=true")
	var want []string
	for _, l := range strings.Split(reference, "\n") {
		// LogAppendTime:1764493200123	Offset:0	value
		if f := strings.Split(l, "\t"); len(f) >= 2 && strings.HasPrefix(f[0], "LogAppendTime:") {
			want = append(want, f[0]+" "+f[1])
		}
	}
	if len(want) != n {
		t.Fatalf("kafka-console-consumer printed %d records with LogAppendTime:\n%s", len(want), reference)
	}

	s := connect(t, config())
	tail, err := s.Tail(t.Context(), kafkaclient.TailSpec{Topic: topic, From: kafkaclient.From{Kind: kafkaclient.FromEarliest}})
	if err != nil {
		t.Fatalf("tail: %v", err)
	}
	defer tail.Close()
	var got []string
	deadline := time.After(30 * time.Second)
	for len(got) < n {
		select {
		case e := <-tail.Events():
			if b, ok := e.(kafkaclient.RecordBatch); ok {
				for _, c := range b.Records {
					for _, r := range c {
						kind := "CreateTime"
						if r.LogAppendTime {
							kind = "LogAppendTime"
						}
						got = append(got, fmt.Sprintf("%s:%d Offset:%d", kind, r.Timestamp.UnixMilli(), r.Offset))
					}
				}
			}
		case <-deadline:
			t.Fatalf("%d of %d records within 30s", len(got), n)
		}
	}
	if k, r := strings.Join(got, "\n"), strings.Join(want, "\n"); k != r {
		t.Errorf("timestamps differ:\n%s", diff(k, r, k))
	}
}
