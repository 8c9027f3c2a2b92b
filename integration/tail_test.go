//go:build realkafka

package integration

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"kscope/kafkaclient"
)

// TestTailThroughFailures tails an RF=3 topic from earliest while Kafka's
// verifiable producer writes numbered records with acks=all, a broker
// leading one of its partitions is killed and restarted, and
// kafka-leader-election moves leadership back to the preferred replicas.
// The tail must see every acknowledged record exactly once, at the
// partition and offset the producer was told, in offset order per
// partition.
func TestTailThroughFailures(t *testing.T) {
	restoreNodes(t)
	topic := name("tail")
	createTopic(t, topic, 3, 3, "", "min.insync.replicas=2")
	s := connect(t, config())
	admin := fastAdmin(t)
	describe := func(t testing.TB) []describedPartition {
		out, err := runTool(t.Context(), "kafka-topics", "--bootstrap-server", bootstrapArg(), "--command-config", admin, "--describe", "--topic", topic)
		if err != nil {
			t.Logf("kafka-topics: %v", err)
			return nil
		}
		return parseTopicsDescribe(out)
	}

	tail, err := s.Tail(t.Context(), kafkaclient.TailSpec{Topic: topic, From: kafkaclient.From{Kind: kafkaclient.FromEarliest}})
	if err != nil {
		t.Fatalf("tail: %v", err)
	}
	seen := &tailed{byPartition: map[int32][]kafkaclient.Record{}}
	collected := make(chan struct{})
	go func() {
		defer close(collected)
		for e := range tail.Events() {
			seen.add(e)
		}
	}()
	t.Cleanup(func() {
		tail.Close()
		<-collected
	})

	producer := startTool(t, "kafka-verifiable-producer", "--bootstrap-server", bootstrapArg(), "--topic", topic,
		"--throughput", "200", "--acks", "-1", "--repeating-keys", "6")
	acked := func() int { return strings.Count(producer.stdout.String(), `"producer_send_success"`) }
	eventually(t, "the producer under way", time.Minute, func() string {
		if n := acked(); n < 300 {
			return fmt.Sprintf("%d records acknowledged", n)
		}
		return ""
	})

	// Kill a broker leading a partition (not the active controller, see
	// activeController) while records flow, then restart it.
	ps := describe(t)
	if len(ps) != 3 {
		t.Fatalf("kafka-topics describes %d partitions", len(ps))
	}
	controller := activeController(t)
	i := slices.IndexFunc(ps, func(p describedPartition) bool { return p.Leader != controller })
	if i < 0 {
		t.Fatalf("the controller %d leads every partition: %v", controller, ps)
	}
	victim := ps[i].Leader
	node(t, "kill", victim)
	eventually(t, "leaders moved off the killed broker", 90*time.Second, func() string {
		for _, p := range describe(t) {
			if p.Leader == victim || p.Leader < 0 {
				return fmt.Sprintf("partition %d leader %d", p.Partition, p.Leader)
			}
		}
		return ""
	})
	before := acked()
	eventually(t, "records acknowledged without the killed broker", time.Minute, func() string {
		if n := acked(); n < before+200 {
			return fmt.Sprintf("%d more records acknowledged", n-before)
		}
		return ""
	})
	node(t, "start", victim)
	if err := waitHealthy(2 * time.Minute); err != nil {
		t.Fatalf("no recovery after the restart: %v", err)
	}

	// The restarted broker leads nothing; a preferred election gives it
	// back the partitions whose first replica it is, while records flow.
	preferred := func() string {
		for _, p := range describe(t) {
			if p.Leader != p.Replicas[0] {
				return fmt.Sprintf("partition %d led by %d, preferred %d", p.Partition, p.Leader, p.Replicas[0])
			}
		}
		return ""
	}
	if preferred() == "" {
		t.Fatalf("every leader is already preferred after the restart: the election would test nothing")
	}
	if producer.exited() {
		t.Fatalf("the producer stopped early:\n%s", producer.stderr.String())
	}
	tool(t, "kafka-leader-election", "--bootstrap-server", bootstrapArg(), "--election-type", "PREFERRED", "--all-topic-partitions")
	eventually(t, "preferred leaders", time.Minute, preferred)
	before = acked()
	eventually(t, "records acknowledged after the election", time.Minute, func() string {
		if n := acked(); n < before+200 {
			return fmt.Sprintf("%d more records acknowledged", n-before)
		}
		return ""
	})

	// Stop the producer cleanly: it flushes and reports what was acknowledged.
	if err := producer.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	producer.wait(t, time.Minute)
	sent, errs := parseVerifiableProducer(t, producer.stdout.String())
	t.Logf("producer: %d records acknowledged, %d failed; tail notices: %v", len(sent), len(errs), seen.noticeTexts())
	if len(sent) < 1000 {
		t.Fatalf("only %d records acknowledged", len(sent))
	}

	// Everything acknowledged reaches the tail.
	last := map[int32]int64{}
	for _, a := range sent {
		last[a.Partition] = max(last[a.Partition], a.Offset)
	}
	eventually(t, "the tail caught up", time.Minute, func() string {
		for p, off := range last {
			if got := seen.lastOffset(p); got < off {
				return fmt.Sprintf("partition %d: tail at %d, producer acknowledged up to %d", p, got, off)
			}
		}
		return ""
	})
	tail.Close()
	<-collected

	if ended := seen.endedErr(); ended != nil {
		t.Errorf("the tail ended by itself: %v", ended)
	}
	byValue := map[string]kafkaclient.Record{}
	for p, recs := range seen.byPartition {
		for i, r := range recs {
			if r.Topic != topic || r.Partition != p {
				t.Errorf("record %s/%d@%d delivered as partition %d", r.Topic, r.Partition, r.Offset, p)
			}
			if i > 0 && r.Offset <= recs[i-1].Offset {
				t.Errorf("partition %d: offset %d after %d (out of order or twice)", p, r.Offset, recs[i-1].Offset)
			}
			v := string(r.Value)
			if prev, dup := byValue[v]; dup {
				t.Errorf("record %q seen twice: %d@%d and %d@%d", v, prev.Partition, prev.Offset, r.Partition, r.Offset)
			}
			byValue[v] = r
		}
	}
	missing := 0
	for _, a := range sent {
		r, ok := byValue[a.Value]
		switch {
		case !ok:
			missing++
			if missing <= 10 {
				t.Errorf("acknowledged record %q (%d@%d) never tailed", a.Value, a.Partition, a.Offset)
			}
		case r.Partition != a.Partition || r.Offset != a.Offset:
			t.Errorf("record %q tailed at %d@%d, acknowledged at %d@%d", a.Value, r.Partition, r.Offset, a.Partition, a.Offset)
		}
	}
	if missing > 0 {
		t.Errorf("%d of %d acknowledged records never tailed", missing, len(sent))
	}
	known := map[string]bool{}
	for _, a := range sent {
		known[a.Value] = true
	}
	for _, v := range errs {
		known[v] = true
	}
	for v := range byValue {
		if !known[v] {
			t.Errorf("tailed record %q was never sent", v)
		}
	}
}

// tailed collects what a tail delivers.
type tailed struct {
	mu          sync.Mutex
	byPartition map[int32][]kafkaclient.Record
	notices     []kafkaclient.TailNotice
	ended       error
}

func (s *tailed) add(e kafkaclient.Event) {
	s.mu.Lock()
	defer s.mu.Unlock()
	switch e := e.(type) {
	case kafkaclient.RecordBatch:
		for _, chunk := range e.Records {
			for _, r := range chunk {
				s.byPartition[r.Partition] = append(s.byPartition[r.Partition], r)
			}
		}
	case kafkaclient.TailNotice:
		s.notices = append(s.notices, e)
	case kafkaclient.TailEnded:
		s.ended = fmt.Errorf("%w", e.Err)
	}
}

func (s *tailed) lastOffset(p int32) int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	recs := s.byPartition[p]
	if len(recs) == 0 {
		return -1
	}
	return recs[len(recs)-1].Offset
}

func (s *tailed) endedErr() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.ended
}

func (s *tailed) noticeTexts() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for _, n := range s.notices {
		out = append(out, fmt.Sprintf("p%d: %s", n.Partition, n.Text))
	}
	return slices.Compact(out)
}

// ack is one record kafka-verifiable-producer reports acknowledged.
type ack struct {
	Value     string
	Partition int32
	Offset    int64
}

// parseVerifiableProducer reads the producer's JSON lines: the
// acknowledged records, and the values of the records whose send failed
// (which may or may not have been written).
func parseVerifiableProducer(t testing.TB, out string) (acked []ack, failed []string) {
	t.Helper()
	for _, line := range strings.Split(out, "\n") {
		if !strings.HasPrefix(line, "{") {
			continue
		}
		var m struct {
			Name      string `json:"name"`
			Value     string `json:"value"`
			Partition int32  `json:"partition"`
			Offset    int64  `json:"offset"`
			Exception string `json:"exception"`
			Message   string `json:"message"`
		}
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatalf("producer line %q: %v", line, err)
		}
		switch m.Name {
		case "producer_send_success":
			acked = append(acked, ack{m.Value, m.Partition, m.Offset})
		case "producer_send_error":
			failed = append(failed, m.Value)
			t.Logf("send of %q failed: %s: %s", m.Value, m.Exception, m.Message)
		}
	}
	return acked, failed
}
