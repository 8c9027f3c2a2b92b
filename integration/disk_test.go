//go:build realkafka

package integration

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"
)

// TestLogDirsAgreeWithKafkaLogDirs writes records of known counts to a
// replicated topic and compares the size of every replica kscope reads
// with kafka-log-dirs --describe, then the topic's total with the sum.
func TestLogDirsAgreeWithKafkaLogDirs(t *testing.T) {
	restoreNodes(t)
	topic := name("disk")
	createTopic(t, topic, 3, 3, "")
	produceCounts(t, topic, []int{200, 50, 0})
	s := connect(t, config())
	var total int64
	kscope := func(t testing.TB) string {
		d, err := s.LogDirs(t.Context())
		if err != nil {
			t.Fatalf("LogDirs: %v", err)
		}
		var out []string
		total = 0
		for p := range int32(3) {
			for _, r := range d.Replicas(topic, p) {
				out = append(out, fmt.Sprintf("%s-%d broker %d %s size %d lag %d future %v", topic, p, r.Broker, r.Dir, r.Size, r.OffsetLag, r.IsFuture))
				total += r.Size
			}
		}
		if size, ok := d.TopicSize(topic); !ok || size != total {
			t.Errorf("topic size %d (%v), its replicas sum to %d", size, ok, total)
		}
		return lines(out)
	}
	reference := func(t testing.TB) string {
		var answer struct {
			Brokers []struct {
				Broker  int32
				LogDirs []struct {
					LogDir     string
					Partitions []struct {
						Partition string
						Size      int64
						OffsetLag int64
						IsFuture  bool
					}
				}
			}
		}
		text := toolText(t, "kafka-log-dirs", "--bootstrap-server", bootstrapArg(), "--describe", "--topic-list", topic)
		for _, l := range strings.Split(text, "\n") {
			if strings.HasPrefix(strings.TrimSpace(l), "{") {
				if err := json.Unmarshal([]byte(l), &answer); err != nil {
					t.Fatalf("kafka-log-dirs said %q: %v", l, err)
				}
			}
		}
		var out []string
		for _, b := range answer.Brokers {
			for _, d := range b.LogDirs {
				for _, p := range d.Partitions {
					out = append(out, fmt.Sprintf("%s broker %d %s size %d lag %d future %v", p.Partition, b.Broker, d.LogDir, p.Size, p.OffsetLag, p.IsFuture))
				}
			}
		}
		return lines(out)
	}
	got := agree(t, "log dirs", time.Minute, kscope, reference)
	if n := len(strings.Split(got, "\n")); n != 9 || total == 0 {
		t.Errorf("%d replicas of 3 partitions × 3, %d bytes:\n%s", n, total, got)
	}
}
