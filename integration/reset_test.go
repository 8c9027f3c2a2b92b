//go:build realkafka

package integration

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"kscope/kafkaclient"
)

// TestOffsetReset compares kscope's reset preview with
// kafka-consumer-groups --reset-offsets --dry-run for each kind of reset,
// applies it with kscope, and checks that kafka-consumer-groups --describe
// then shows exactly the previewed offsets.
func TestOffsetReset(t *testing.T) {
	topic, group := name("reset"), name("g-reset")
	createTopic(t, topic, 4, 3, "")
	// Partition p holds 20-3p records; record i of partition p was made
	// at base + (i+2p) seconds, so a time finds a different offset in
	// each partition.
	base := time.Now().Add(-time.Hour).Truncate(time.Second)
	counts := []int{20, 17, 14, 11}
	var recs []record
	for p, n := range counts {
		for i := range n {
			recs = append(recs, record{Partition: int32(p), Value: fmt.Sprintf("p%d-%d", p, i), Time: base.Add(time.Duration(i+2*p) * time.Second)})
		}
	}
	produce(t, topic, recs)
	seedOffsets(t, group, topic, map[int32]int64{0: 5, 1: 10, 2: 0, 3: 11})
	s := connect(t, config())
	ctx := t.Context()

	groupsArgs := func(args ...string) []string {
		return append([]string{"--bootstrap-server", bootstrapArg(), "--group", group}, args...)
	}
	datetime := func(at time.Time) string { return at.UTC().Format("2006-01-02T15:04:05.000Z") }

	steps := []struct {
		name   string
		target kafkaclient.ResetTarget
		spec   []string // kafka-consumer-groups' reset specification
		want   string   // the new offsets of partitions 0-3
	}{
		{"shift back 3", kafkaclient.ResetTarget{Kind: kafkaclient.ResetShift, Shift: -3}, []string{"--shift-by", "-3"}, "2,7,0,8"},
		{"datetime", kafkaclient.ResetTarget{Kind: kafkaclient.ResetTime, Time: base.Add(7500 * time.Millisecond)},
			[]string{"--to-datetime", datetime(base.Add(7500 * time.Millisecond))}, "8,6,4,2"},
		{"offset 12", kafkaclient.ResetTarget{Kind: kafkaclient.ResetOffset, Offset: 12}, []string{"--to-offset", "12"}, "12,12,12,11"},
		{"earliest", kafkaclient.ResetTarget{Kind: kafkaclient.ResetEarliest}, []string{"--to-earliest"}, "0,0,0,0"},
		{"shift forward 15", kafkaclient.ResetTarget{Kind: kafkaclient.ResetShift, Shift: 15}, []string{"--shift-by", "15"}, "15,15,14,11"},
		{"latest", kafkaclient.ResetTarget{Kind: kafkaclient.ResetLatest}, []string{"--to-latest"}, "20,17,14,11"},
		{"datetime after every record", kafkaclient.ResetTarget{Kind: kafkaclient.ResetTime, Time: base.Add(30 * time.Minute)},
			[]string{"--to-datetime", datetime(base.Add(30 * time.Minute))}, "20,17,14,11"},
	}
	for _, st := range steps {
		t.Run(st.name, func(t *testing.T) {
			plan, preview := previewAgrees(t, s, group, topic, st.target, st.spec)
			want := strings.Split(st.want, ",")
			for p, w := range want {
				if line := fmt.Sprintf("%s/%d new=%s", topic, p, w); !strings.Contains(preview+"\n", line+"\n") {
					t.Errorf("preview lacks %q:\n%s", line, preview)
				}
			}
			if err := s.ApplyReset(ctx, plan); err != nil {
				t.Fatalf("apply: %v", err)
			}
			out := tool(t, "kafka-consumer-groups", groupsArgs("--describe", "--offsets")...)
			var ls []string
			for _, r := range parseTable(out) {
				ls = append(ls, fmt.Sprintf("%s/%s new=%s", r["TOPIC"], r["PARTITION"], r["CURRENT-OFFSET"]))
			}
			if got := lines(ls); got != preview {
				t.Errorf("after applying, kafka-consumer-groups --describe shows\n%s\nbut the preview was\n%s", got, preview)
			}
		})
	}

	t.Run("refused while the group has members", func(t *testing.T) {
		startTool(t, "kafka-console-consumer", "--bootstrap-server", bootstrapArg(), "--topic", topic, "--group", group,
			"--consumer-property", "enable.auto.commit=false", "--consumer-property", "client.id=resetblocker")
		eventually(t, "a member in the group", time.Minute, func() string {
			if rows := parseTable(toolText(t, "kafka-consumer-groups", groupsArgs("--describe", "--members")...)); len(rows) != 1 {
				return fmt.Sprintf("%d members", len(rows))
			}
			return ""
		})
		plan, err := s.PlanReset(ctx, group, topic, nil, kafkaclient.ResetTarget{Kind: kafkaclient.ResetEarliest})
		if err != nil {
			t.Fatalf("a preview is allowed with members: %v", err)
		}
		if len(plan.Members) != 1 || plan.Members[0].ClientID != "resetblocker" {
			t.Errorf("the plan names members %+v, want the one console consumer", plan.Members)
		}
		err = s.ApplyReset(ctx, plan)
		if !errors.Is(err, kafkaclient.ErrGroupNotEmpty) || !strings.Contains(err.Error(), "resetblocker") {
			t.Errorf("kscope applied a reset to a group with members, or did not name them: %v", err)
		}
		out, terr := runTool(ctx, "kafka-consumer-groups", groupsArgs("--reset-offsets", "--topic", topic, "--to-earliest", "--dry-run")...)
		if terr != nil {
			out += terr.Error()
		}
		if !strings.Contains(out, "inactive") {
			t.Errorf("kafka-consumer-groups does not refuse as kscope does:\n%s", out)
		}
		after := tool(t, "kafka-consumer-groups", groupsArgs("--describe", "--offsets")...)
		for _, r := range parseTable(after) {
			if r["CURRENT-OFFSET"] == "0" {
				t.Errorf("an offset was reset anyway:\n%s", after)
				break
			}
		}
	})
}

// previewAgrees waits until kscope's reset preview of group on topic to
// target names the offsets kafka-consumer-groups --reset-offsets
// --dry-run names with spec, and returns the plan and the preview.
func previewAgrees(t *testing.T, s *session, group, topic string, target kafkaclient.ResetTarget, spec []string) (kafkaclient.ResetPlan, string) {
	t.Helper()
	var plan kafkaclient.ResetPlan
	preview := agree(t, "reset preview", 30*time.Second, func(t testing.TB) string {
		var err error
		plan, err = s.PlanReset(t.Context(), group, topic, nil, target)
		if err != nil {
			return "kscope failed: " + err.Error()
		}
		var ls []string
		for _, r := range plan.Rows {
			ls = append(ls, fmt.Sprintf("%s/%d new=%d", r.Topic, r.Partition, r.New))
		}
		return lines(ls)
	}, func(t testing.TB) string {
		args := append([]string{"--bootstrap-server", bootstrapArg(), "--group", group, "--reset-offsets", "--topic", topic, "--dry-run"}, spec...)
		out := toolText(t, "kafka-consumer-groups", args...)
		var ls []string
		for _, r := range parseTable(out) {
			ls = append(ls, fmt.Sprintf("%s/%s new=%s", r["TOPIC"], r["PARTITION"], r["NEW-OFFSET"]))
		}
		if len(ls) == 0 {
			return out
		}
		return lines(ls)
	})
	return plan, preview
}
