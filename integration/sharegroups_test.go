//go:build realkafka

package integration

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"kscope/kafkaclient"
)

// TestShareGroup runs a share group (KIP-932) of two
// kafka-console-share-consumer processes and compares kscope's group —
// state, epochs, coordinator, members and their assignments, and each
// share-partition's start offset — with kafka-share-groups, while they
// run and once they stopped with everything delivered. kscope must refuse
// to move the start offsets while members run, naming them; read-only
// mode must refuse every share-group change with nothing changed as the
// tool sees it; and the same changes made by a client that may write
// must be seen by the tool.
func TestShareGroup(t *testing.T) {
	topic, group := name("share"), name("g-share")
	const partitions = 4
	createTopic(t, topic, partitions, 3, "")
	// Share groups start at the log end unless told otherwise: from the
	// beginning, the records produced before the consumers join are theirs.
	tool(t, "kafka-configs", "--bootstrap-server", bootstrapArg(), "--entity-type", "groups", "--entity-name", group,
		"--alter", "--add-config", "share.auto.offset.reset=earliest")
	first := []int{10, 11, 12, 13}
	produceCounts(t, topic, first)

	s := connect(t, config())
	ctx := t.Context()
	consumers := map[string]*background{}
	for _, id := range []string{"s1", "s2"} {
		consumers[id] = startTool(t, "kafka-console-share-consumer", "--bootstrap-server", bootstrapArg(), "--topic", topic, "--group", group,
			"--consumer-property", "client.id="+id)
	}
	sg := shareGroupTool{group: group}
	eventually(t, "two share consumers assigned every partition", 90*time.Second, func() string {
		out := sg.describe(t, "--members")
		rows := parseTable(out)
		covered := map[string]bool{}
		for _, r := range rows {
			for _, piece := range strings.Split(r["ASSIGNMENT"], ";") {
				if tp, ps, ok := strings.Cut(piece, ":"); ok {
					for _, p := range strings.Split(ps, ",") {
						covered[tp+"/"+p] = true
					}
				}
			}
		}
		if len(rows) != 2 || len(covered) != partitions {
			return fmt.Sprintf("%d members with %d partitions:\n%s", len(rows), len(covered), out)
		}
		st := parseTable(sg.describe(t, "--state"))
		if len(st) != 1 || st[0]["STATE"] != "Stable" {
			return fmt.Sprintf("state %v", st)
		}
		return ""
	})
	delivered := func(counts ...[]int) func() string {
		return func() string {
			var want []string
			for _, c := range counts {
				for p, n := range c {
					for i := range n {
						want = append(want, fmt.Sprintf("p%d-%d", p, i))
					}
				}
			}
			got := map[string]bool{}
			for _, c := range consumers {
				for _, l := range strings.Split(c.stdout.String(), "\n") {
					got[strings.TrimSpace(l)] = true
				}
			}
			var missing []string
			for _, v := range want {
				if !got[v] {
					missing = append(missing, v)
				}
			}
			if len(missing) > 0 {
				return fmt.Sprintf("%d of %d records not delivered yet, e.g. %s", len(missing), len(want), missing[0])
			}
			return ""
		}
	}
	eventually(t, "the first records delivered", 90*time.Second, delivered(first))
	// A second round of records, so that the start offsets move past the
	// first: what Kafka reports then differs from partition to partition.
	second := []int{5, 6, 7, 8}
	var recs []record
	for p, n := range second {
		for i := range n {
			recs = append(recs, record{Partition: int32(p), Value: fmt.Sprintf("p%d-%d", p, first[p]+i)})
		}
	}
	produce(t, topic, recs)
	all := []int{first[0] + second[0], first[1] + second[1], first[2] + second[2], first[3] + second[3]}
	eventually(t, "every record delivered", 90*time.Second, delivered(all))

	kscopeMembers := func(t testing.TB) string {
		g, err := s.Group(t.Context(), group)
		if err != nil {
			return "kscope failed: " + err.Error()
		}
		return shareMemberLines(g)
	}
	kscopeStarts := func(t testing.TB) string {
		g, err := s.Group(t.Context(), group)
		if err != nil {
			return "kscope failed: " + err.Error()
		}
		return shareStartLines(g)
	}
	g, err := s.Group(ctx, group)
	if err != nil || g.Type != kafkaclient.TypeShare || g.ProtocolType != "share" {
		t.Fatalf("kscope sees %s as type %q, protocol type %q (%v); want a share group", group, g.Type, g.ProtocolType, err)
	}
	members := agree(t, "state, epochs, members and assignments", time.Minute, kscopeMembers, sg.memberLines)
	if strings.Count(members, "member=") != 2 || !strings.Contains(members, " client=s1 ") || !strings.Contains(members, " client=s2 ") {
		t.Errorf("want the two share consumers:\n%s", members)
	}
	starts := agree(t, "start offsets while the consumers run", time.Minute, kscopeStarts, sg.startLines)
	if strings.Contains(starts, "start=-") {
		t.Errorf("every partition delivered records, so each should have a start offset:\n%s", starts)
	}

	rw := s
	t.Run("refused while members run", func(t *testing.T) {
		plan, err := rw.PlanShareReset(ctx, group, topic, nil, kafkaclient.ResetTarget{Kind: kafkaclient.ResetLatest})
		if err != nil {
			t.Fatalf("a preview is allowed with members: %v", err)
		}
		if len(plan.Members) != 2 {
			t.Errorf("the plan names members %+v, want the two share consumers", plan.Members)
		}
		err = rw.ApplyShareReset(ctx, plan)
		if !errors.Is(err, kafkaclient.ErrGroupNotEmpty) || !strings.Contains(err.Error(), "s1 on ") || !strings.Contains(err.Error(), "s2 on ") {
			t.Errorf("kscope altered the start offsets of a share group with members, or did not name them: %v", err)
		}
		if after := sg.startLines(t); after != starts {
			t.Errorf("the start offsets changed though the change was refused:\nbefore\n%s\nafter\n%s", starts, after)
		}
	})

	// Stopped with everything delivered, the group keeps its start
	// offsets and they stay still.
	for _, id := range []string{"s1", "s2"} {
		if err := consumers[id].cmd.Process.Signal(syscall.SIGTERM); err != nil {
			t.Fatal(err)
		}
	}
	for _, id := range []string{"s1", "s2"} {
		consumers[id].wait(t, 30*time.Second)
	}
	eventually(t, "the group empty", time.Minute, func() string {
		if st := parseTable(sg.describe(t, "--state")); len(st) != 1 || st[0]["STATE"] != "Empty" {
			return fmt.Sprintf("state %v", st)
		}
		return ""
	})
	members = agree(t, "the group without members", time.Minute, kscopeMembers, sg.memberLines)
	if !strings.Contains(members, "state=Empty") || strings.Contains(members, "member=") {
		t.Errorf("want an Empty group:\n%s", members)
	}
	starts = agree(t, "start offsets once the consumers stopped", time.Minute, kscopeStarts, sg.startLines)
	t.Logf("start offsets with every record delivered (log ends %v):\n%s", all, starts)

	// kscope's lag of a share partition is its log end − its start offset
	// (UNDELIV. in the group view): the records from the start offset on,
	// which the README calls those left to deliver. Kafka's LAG
	// (DescribeShareGroupOffsets v1, KIP-1226) also leaves out the records
	// past the start offset that were already delivered and acknowledged.
	// Kafka 4.4 moves a partition's start offset only when it hands out a
	// later batch, so with every record delivered it still sits at the
	// first offset of the last batch delivered: Kafka says 0, and the two
	// agree only if kscope counts what Kafka counts.
	t.Run("lag equals kafka-share-groups LAG", func(t *testing.T) {
		agree(t, "lag with every record delivered", 15*time.Second, func(t testing.TB) string {
			g, err := s.Group(t.Context(), group)
			if err != nil {
				return "kscope failed: " + err.Error()
			}
			var ls []string
			for _, o := range g.Offsets {
				lag := "-"
				if l, ok := o.Lag(); ok {
					lag = fmt.Sprint(l)
				}
				ls = append(ls, fmt.Sprintf("%s/%d lag=%s", o.Topic, o.Partition, lag))
			}
			return lines(ls)
		}, func(t testing.TB) string {
			var ls []string
			for _, r := range parseTable(sg.describe(t)) {
				ls = append(ls, fmt.Sprintf("%s/%s lag=%s", r["TOPIC"], r["PARTITION"], r["LAG"]))
			}
			return lines(ls)
		})
	})

	t.Run("read-only", func(t *testing.T) {
		cfg := config()
		cfg.ReadOnly = true
		ro := connect(t, cfg)
		var plan kafkaclient.ResetPlan
		preview := agree(t, "start offsets preview", 30*time.Second, func(t testing.TB) string {
			var err error
			plan, err = ro.PlanShareReset(ctx, group, topic, nil, kafkaclient.ResetTarget{Kind: kafkaclient.ResetLatest})
			if err != nil {
				return "kscope failed: " + err.Error()
			}
			var ls []string
			for _, r := range plan.Rows {
				ls = append(ls, fmt.Sprintf("%s/%d start=%d", r.Topic, r.Partition, r.New))
			}
			return lines(ls)
		}, func(t testing.TB) string {
			out := toolText(t, "kafka-share-groups", "--bootstrap-server", bootstrapArg(), "--group", group,
				"--reset-offsets", "--topic", topic, "--to-latest", "--dry-run")
			var ls []string
			for _, r := range parseTable(out) {
				ls = append(ls, fmt.Sprintf("%s/%s start=%s", r["TOPIC"], r["PARTITION"], r["NEW-OFFSET"]))
			}
			if len(ls) == 0 {
				return out
			}
			return lines(ls)
		})
		for p, n := range all {
			if line := fmt.Sprintf("%s/%d start=%d", topic, p, n); !strings.Contains(preview+"\n", line+"\n") {
				t.Errorf("preview lacks %q:\n%s", line, preview)
			}
		}
		for what, err := range map[string]error{
			"ApplyShareReset":         ro.ApplyShareReset(ctx, plan),
			"DeleteShareGroupOffsets": ro.DeleteShareGroupOffsets(ctx, group, topic),
			"DeleteGroup":             ro.DeleteGroup(ctx, group),
		} {
			if !errors.Is(err, kafkaclient.ErrReadOnly) {
				t.Errorf("read-only %s: %v, want ErrReadOnly", what, err)
			}
		}
		if after := sg.startLines(t); after != starts {
			t.Errorf("read-only kscope changed the start offsets:\nbefore\n%s\nafter\n%s", starts, after)
		}
		if !slices.Contains(shareGroupsListed(t), group) {
			t.Errorf("read-only kscope deleted %s", group)
		}

		// The same changes from a client that may write are seen by the
		// tool: the checks above would have seen them too.
		if err := rw.ApplyShareReset(ctx, plan); err != nil {
			t.Fatalf("altering the start offsets: %v", err)
		}
		if after := sg.startLines(t); after != preview {
			t.Errorf("after the start offsets were altered, kafka-share-groups --describe shows\n%s\nbut the preview was\n%s", after, preview)
		}
		if err := rw.DeleteShareGroupOffsets(ctx, group, topic); err != nil {
			t.Fatalf("deleting the start offsets: %v", err)
		}
		if after := sg.startLines(t); strings.Contains(after, topic+"/") {
			t.Errorf("after the start offsets were deleted, kafka-share-groups --describe still shows\n%s", after)
		}
		if err := rw.DeleteGroup(ctx, group); err != nil {
			t.Fatalf("deleting the group: %v", err)
		}
		if slices.Contains(shareGroupsListed(t), group) {
			t.Errorf("kafka-share-groups --list still lists %s after it was deleted", group)
		}
	})
}

// shareGroupTool runs kafka-share-groups --describe on one group.
type shareGroupTool struct{ group string }

func (c shareGroupTool) describe(t testing.TB, args ...string) string {
	return toolText(t, "kafka-share-groups", append([]string{"--bootstrap-server", bootstrapArg(), "--describe", "--group", c.group}, args...)...)
}

// memberLines is the group as kafka-share-groups --describe --state
// --verbose and --members --verbose show it, in shareMemberLines' form.
func (c shareGroupTool) memberLines(t testing.TB) string {
	st := parseTable(c.describe(t, "--state", "--verbose"))
	if len(st) != 1 {
		return fmt.Sprintf("unreadable state: %v", st)
	}
	s := st[0]
	ls := []string{fmt.Sprintf("group state=%s epoch=%s assignment-epoch=%s coordinator=%s members=%s",
		s["STATE"], s["GROUP-EPOCH"], s["ASSIGNMENT-EPOCH"], strings.Trim(s["(ID)"], "()"), s["#MEMBERS"])}
	for _, m := range parseTable(c.describe(t, "--members", "--verbose")) {
		ls = append(ls, fmt.Sprintf("member=%s host=%s client=%s epoch=%s assigned=%s",
			m["CONSUMER-ID"], strings.TrimPrefix(m["HOST"], "/"), m["CLIENT-ID"], m["MEMBER-EPOCH"], m["ASSIGNMENT"]))
	}
	return lines(ls)
}

// startLines is kafka-share-groups --describe's START-OFFSET of each
// partition, '-' where the group has none.
func (c shareGroupTool) startLines(t testing.TB) string {
	var ls []string
	for _, r := range parseTable(c.describe(t)) {
		ls = append(ls, fmt.Sprintf("%s/%s start=%s", r["TOPIC"], r["PARTITION"], r["START-OFFSET"]))
	}
	return lines(ls)
}

// shareMemberLines is kscope's share group: state, epochs, coordinator,
// then each member with its epoch and assignment (hosts without Kafka's
// leading '/').
func shareMemberLines(g kafkaclient.GroupInfo) string {
	ls := []string{fmt.Sprintf("group state=%s epoch=%d assignment-epoch=%d coordinator=%d members=%d",
		g.State, g.Epoch, g.AssignmentEpoch, g.Coordinator, len(g.Members))}
	for _, m := range g.Members {
		ls = append(ls, fmt.Sprintf("member=%s host=%s client=%s epoch=%d assigned=%s",
			m.ID, strings.TrimPrefix(m.Host, "/"), m.ClientID, m.MemberEpoch, assignmentText(m.Assigned)))
	}
	return lines(ls)
}

// shareStartLines is kscope's start offset of each share-partition.
func shareStartLines(g kafkaclient.GroupInfo) string {
	var ls []string
	for _, o := range g.Offsets {
		start := "-"
		if o.Committed >= 0 {
			start = fmt.Sprint(o.Committed)
		}
		ls = append(ls, fmt.Sprintf("%s/%d start=%s", o.Topic, o.Partition, start))
	}
	return lines(ls)
}

// shareGroupsListed is kafka-share-groups --list.
func shareGroupsListed(t testing.TB) []string {
	t.Helper()
	return strings.Fields(tool(t, "kafka-share-groups", "--bootstrap-server", bootstrapArg(), "--list"))
}
