//go:build realkafka

package integration

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// TestGroupTypesListed runs a group of each type side by side — a classic
// group of a console consumer, an empty classic group that has only
// offsets (committed by an admin tool: no protocol type), a
// consumer-protocol group and a share group — and compares the type and
// protocol kscope's Groups gives every group of the cluster with Kafka
// 4's kafka-groups --list (GROUP, TYPE, PROTOCOL).
func TestGroupTypesListed(t *testing.T) {
	topic := name("types")
	createTopic(t, topic, 2, 3, "")
	classic, consumer, share, simple := name("g-types-classic"), name("g-types-consumer"), name("g-types-share"), name("g-types-simple")
	seedOffsets(t, simple, topic, map[int32]int64{0: 0, 1: 0})
	for group, protocol := range map[string]string{classic: "classic", consumer: "consumer"} {
		startTool(t, "kafka-console-consumer", "--bootstrap-server", bootstrapArg(), "--topic", topic, "--group", group,
			"--consumer-property", "client.id=types-"+protocol,
			"--consumer-property", "group.protocol="+protocol,
			"--consumer-property", "enable.auto.commit=false")
	}
	startTool(t, "kafka-console-share-consumer", "--bootstrap-server", bootstrapArg(), "--topic", topic, "--group", share,
		"--consumer-property", "client.id=types-share")

	listArgs := []string{"--bootstrap-server", bootstrapArg(), "--list"}
	eventually(t, "a group of each type listed", 90*time.Second, func() string {
		out := toolText(t, "kafka-groups", listArgs...)
		for _, g := range []string{classic, consumer, share, simple} {
			if !strings.Contains(out, g+" ") {
				return g + " not listed:\n" + out
			}
		}
		return ""
	})

	s := connect(t, config())
	kscope := func(t testing.TB) string {
		gs, err := s.Groups(t.Context())
		if err != nil {
			return "kscope failed: " + err.Error()
		}
		var ls []string
		for _, g := range gs {
			ls = append(ls, fmt.Sprintf("%s type=%s protocol=%s", g.Name, g.Type, g.ProtocolType))
		}
		return lines(ls)
	}
	reference := func(t testing.TB) string {
		out := toolText(t, "kafka-groups", listArgs...)
		var ls []string
		for _, r := range parseTable(out) {
			// kafka-groups prints the type as Kafka's GroupType names it
			// (Classic, Consumer, Share); kscope uses the protocol's
			// lower-case names.
			ls = append(ls, fmt.Sprintf("%s type=%s protocol=%s", r["GROUP"], strings.ToLower(r["TYPE"]), r["PROTOCOL"]))
		}
		if len(ls) == 0 {
			return out
		}
		return lines(ls)
	}
	listed := agree(t, "every group's type and protocol", time.Minute, kscope, reference)
	t.Logf("kafka-groups --list and kscope's Groups agree:\n%s", listed)
	for group, want := range map[string]string{
		classic:  "type=classic protocol=consumer",
		simple:   "type=classic protocol=",
		consumer: "type=consumer protocol=consumer",
		share:    "type=share protocol=share",
	} {
		if !strings.Contains(listed+"\n", group+" "+want+"\n") {
			t.Errorf("want %s %s:\n%s", group, want, listed)
		}
	}

	// Each is described as its type is: members found, no error.
	eventually(t, "each group described with its members", time.Minute, func() string {
		gs, err := s.Groups(t.Context())
		if err != nil {
			return err.Error()
		}
		want := map[string]int{classic: 1, consumer: 1, share: 1, simple: 0}
		var wrong []string
		for _, g := range gs {
			if n, ok := want[g.Name]; ok {
				if g.Err != nil || len(g.Members) != n {
					wrong = append(wrong, fmt.Sprintf("%s (%s, %s): %d members, error %v", g.Name, g.Type, g.State, len(g.Members), g.Err))
				}
				delete(want, g.Name)
			}
		}
		for g := range want {
			wrong = append(wrong, g+" missing")
		}
		return strings.Join(wrong, "; ")
	})
}
