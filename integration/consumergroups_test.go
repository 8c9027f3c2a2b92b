//go:build realkafka

package integration

import (
	"errors"
	"fmt"
	"maps"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"kscope/kafkaclient"
)

// TestConsumerProtocolGroup runs a consumer-protocol (KIP-848) group of
// three Java console consumers and compares kscope's group — type, state,
// assignor, epochs, coordinator, members with their epochs, current and
// target assignments, and per-partition lag — with kafka-consumer-groups.
// Then one consumer is stopped with SIGTERM and another with SIGKILL, and
// kscope's timeline (fed by successive observations every 500 ms, as the
// group view feeds it) must show each departure as the protocol runs it:
// the member left, its partitions targeted to the survivors, each
// survivor assigned them, the group converged; and the members must then
// be the ones kafka-consumer-groups reports. The killed consumer's
// departure cannot be seen before its session timed out.
func TestConsumerProtocolGroup(t *testing.T) {
	topic, group := name("cproto"), name("g-cproto")
	const partitions = 6
	createTopic(t, topic, partitions, 3, "")
	produceCounts(t, topic, []int{20, 21, 22, 23, 24, 25})
	// Offsets the consumers never move (they do not commit), so the lag
	// changes only when records are produced. An admin commit makes an
	// empty classic group, which the first consumer-protocol member
	// converts: kscope must then find it a consumer-protocol group.
	seedOffsets(t, group, topic, map[int32]int64{0: 0, 1: 3, 2: 6, 3: 9, 4: 12, 5: 15})
	session, heartbeat := consumerTimeouts(t, group)

	s := connect(t, config())
	consumers := map[string]*background{}
	for _, id := range []string{"c1", "c2", "c3"} {
		consumers[id] = startTool(t, "kafka-console-consumer", "--bootstrap-server", bootstrapArg(), "--topic", topic, "--group", group,
			"--consumer-property", "client.id="+id,
			"--consumer-property", "group.protocol=consumer",
			"--consumer-property", "enable.auto.commit=false")
	}
	cg := consumerGroupTool{group: group}
	eventually(t, "three consumers reconciled", 90*time.Second, cg.settled(t, 3, partitions))

	kscopeMembers := func(t testing.TB) string {
		g, err := s.Group(t.Context(), group)
		if err != nil {
			return "kscope failed: " + err.Error()
		}
		return consumerMemberLines(g)
	}
	kscopeOffsets := func(t testing.TB) string {
		g, err := s.Group(t.Context(), group)
		if err != nil {
			return "kscope failed: " + err.Error()
		}
		return groupOffsetLines(g)
	}
	toolOffsets := func(t testing.TB) string { return toolOffsetLines(parseTable(cg.describe(t, "--offsets"))) }

	g, err := s.Group(t.Context(), group)
	if err != nil {
		t.Fatalf("kscope: %v", err)
	}
	if g.Type != kafkaclient.TypeConsumer || g.ProtocolType != "consumer" {
		t.Errorf("kscope's group is of type %q, protocol type %q; want a consumer-protocol group", g.Type, g.ProtocolType)
	}
	members := agree(t, "state, epochs, members and assignments", time.Minute, kscopeMembers, cg.memberLines)
	if !strings.Contains(members, " assignor=uniform ") || strings.Count(members, "member=") != 3 {
		t.Errorf("want three members of a group the coordinator assigns with its uniform assignor:\n%s", members)
	}
	lag := agree(t, "committed offsets, log ends and lag", time.Minute, kscopeOffsets, toolOffsets)
	if !strings.Contains(lag, "/1 committed=3 logend=21 lag=18 ") {
		t.Errorf("partition 1 should lag 21-3=18:\n%s", lag)
	}
	produceCounts(t, topic, []int{5, 0, 5, 0, 5, 0})
	lag = agree(t, "lag after more records", time.Minute, kscopeOffsets, toolOffsets)
	if !strings.Contains(lag, "/0 committed=0 logend=25 lag=25 ") {
		t.Errorf("partition 0 should lag 25-0=25:\n%s", lag)
	}

	w := watchGroup(t, s, group, 500*time.Millisecond)
	// The watcher's first observation is its baseline: wait for it, so
	// the departure is a difference between two observations.
	eventually(t, "the timeline's first observation", 30*time.Second, func() string {
		if w.assignor() == "" {
			return "none yet:\n" + w.text()
		}
		return ""
	})

	// One consumer stops cleanly: it leaves the group with its last
	// heartbeat, long before its session could time out.
	before := ownersFromTool(t, cg.describe(t, "--members", "--verbose"))
	victim := ownerByClient(t, before, "c2")
	since := time.Now()
	if err := consumers["c2"].cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	consumers["c2"].wait(t, 30*time.Second)
	eventually(t, "two consumers after SIGTERM", 90*time.Second, cg.settled(t, 2, partitions))
	agree(t, "members after SIGTERM", time.Minute, kscopeMembers, cg.memberLines)
	after := ownersFromTool(t, cg.describe(t, "--members", "--verbose"))
	seen := w.checkDeparture(t, since, victim, before, after, 3, 2)
	if seen >= session {
		t.Errorf("the timeline showed the SIGTERM'd member leaving %s after the signal, no sooner than a session timeout (%s) would have", seen, session)
	}
	t.Logf("SIGTERM: member left shown %s after the signal", seen.Round(time.Millisecond))

	// Another is killed: no goodbye, the coordinator notices only when
	// its session times out. Its last heartbeat was at most a heartbeat
	// interval before the kill, so the coordinator cannot drop it sooner
	// than session − heartbeat after it; an observation is stamped when
	// its describe is sent, up to a request's time before the answer
	// (half a second allowed for that).
	before = after
	victim = ownerByClient(t, before, "c3")
	since = time.Now()
	if err := consumers["c3"].cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	eventually(t, "one consumer after SIGKILL and the session timeout", 90*time.Second, cg.settled(t, 1, partitions))
	members = agree(t, "members after SIGKILL", time.Minute, kscopeMembers, cg.memberLines)
	if strings.Count(members, "member=") != 1 || !regexp.MustCompile(` client=c1 epoch=\d+ assigned=`+topic+`:0,1,2,3,4,5 `).MatchString(members) {
		t.Errorf("c1 should have every partition:\n%s", members)
	}
	after = ownersFromTool(t, cg.describe(t, "--members", "--verbose"))
	seen = w.checkDeparture(t, since, victim, before, after, 2, 1)
	if seen < session-heartbeat-500*time.Millisecond {
		t.Errorf("the timeline showed the SIGKILL'd member leaving %s after the kill, before its session (%s, heartbeats every %s) could time out", seen, session, heartbeat)
	}
	t.Logf("SIGKILL: member left shown %s after the kill (session timeout %s)", seen.Round(time.Millisecond), session)
	agree(t, "lag with one consumer left", time.Minute, kscopeOffsets, toolOffsets)
	w.stop()
	t.Logf("kscope's timeline of %s:\n%s", group, w.text())
}

// TestConsumerProtocolOffsetReset resets the offsets of an empty
// consumer-protocol group with kscope: its preview must equal
// kafka-consumer-groups --reset-offsets --dry-run for the earliest
// offset, an offset and the latest, and kafka-consumer-groups --describe
// must then show the previewed offsets. While a member runs, kscope must
// refuse and name it, as Kafka does.
func TestConsumerProtocolOffsetReset(t *testing.T) {
	topic, group := name("cpreset"), name("g-cpreset")
	createTopic(t, topic, 3, 3, "")
	produceCounts(t, topic, []int{20, 17, 14})
	// Partition 1 starts at 5: the earliest offset is not 0 everywhere.
	deleteRecords(t, topic, 1, 5)

	// The group is made by a consumer of the consumer protocol that reads
	// everything and commits, then stops: an Empty consumer-protocol group.
	cg := consumerGroupTool{group: group}
	first := startTool(t, "kafka-console-consumer", "--bootstrap-server", bootstrapArg(), "--topic", topic, "--group", group,
		"--consumer-property", "client.id=cpreset-reader",
		"--consumer-property", "group.protocol=consumer",
		"--consumer-property", "auto.offset.reset=earliest",
		"--consumer-property", "auto.commit.interval.ms=500")
	eventually(t, "the consumer committing the log ends", 90*time.Second, func() string {
		out := cg.describe(t, "--offsets")
		got := map[string]string{}
		for _, r := range parseTable(out) {
			got[r["PARTITION"]] = r["CURRENT-OFFSET"]
		}
		if got["0"] != "20" || got["1"] != "17" || got["2"] != "14" {
			return out
		}
		return ""
	})
	if err := first.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	first.wait(t, 30*time.Second)
	eventually(t, "the group empty", time.Minute, func() string {
		if st := parseTable(cg.describe(t, "--state")); len(st) != 1 || st[0]["STATE"] != "Empty" {
			return fmt.Sprintf("state %v", st)
		}
		return ""
	})

	s := connect(t, config())
	ctx := t.Context()
	g, err := s.Group(ctx, group)
	if err != nil || g.Type != kafkaclient.TypeConsumer || g.State != "Empty" {
		t.Fatalf("kscope sees %s as type %q, state %q (%v); want an Empty consumer-protocol group", group, g.Type, g.State, err)
	}
	groupsArgs := func(args ...string) []string {
		return append([]string{"--bootstrap-server", bootstrapArg(), "--group", group}, args...)
	}
	for _, st := range []struct {
		name   string
		target kafkaclient.ResetTarget
		spec   []string
		want   string // partitions 0-2
	}{
		{"earliest", kafkaclient.ResetTarget{Kind: kafkaclient.ResetEarliest}, []string{"--to-earliest"}, "0,5,0"},
		{"offset 15", kafkaclient.ResetTarget{Kind: kafkaclient.ResetOffset, Offset: 15}, []string{"--to-offset", "15"}, "15,15,14"},
		{"latest", kafkaclient.ResetTarget{Kind: kafkaclient.ResetLatest}, []string{"--to-latest"}, "20,17,14"},
	} {
		t.Run(st.name, func(t *testing.T) {
			plan, preview := previewAgrees(t, s, group, topic, st.target, st.spec)
			for p, w := range strings.Split(st.want, ",") {
				if line := fmt.Sprintf("%s/%d new=%s", topic, p, w); !strings.Contains(preview+"\n", line+"\n") {
					t.Errorf("preview lacks %q:\n%s", line, preview)
				}
			}
			if len(plan.Members) != 0 {
				t.Errorf("the plan of an empty group names members: %+v", plan.Members)
			}
			if err := s.ApplyReset(ctx, plan); err != nil {
				t.Fatalf("apply: %v", err)
			}
			if got := committedLines(t, group); got != preview {
				t.Errorf("after applying, kafka-consumer-groups --describe shows\n%s\nbut the preview was\n%s", got, preview)
			}
		})
	}

	t.Run("refused while a member runs", func(t *testing.T) {
		before := committedLines(t, group)
		startTool(t, "kafka-console-consumer", "--bootstrap-server", bootstrapArg(), "--topic", topic, "--group", group,
			"--consumer-property", "client.id=cpreset-blocker",
			"--consumer-property", "group.protocol=consumer",
			"--consumer-property", "enable.auto.commit=false")
		eventually(t, "a member in the group", time.Minute, func() string {
			if rows := parseTable(cg.describe(t, "--members")); len(rows) != 1 {
				return fmt.Sprintf("%d members", len(rows))
			}
			return ""
		})
		plan, err := s.PlanReset(ctx, group, topic, nil, kafkaclient.ResetTarget{Kind: kafkaclient.ResetEarliest})
		if err != nil {
			t.Fatalf("a preview is allowed with members: %v", err)
		}
		if len(plan.Members) != 1 || plan.Members[0].ClientID != "cpreset-blocker" {
			t.Errorf("the plan names members %+v, want the one console consumer", plan.Members)
		}
		err = s.ApplyReset(ctx, plan)
		if !errors.Is(err, kafkaclient.ErrGroupNotEmpty) || !strings.Contains(err.Error(), "cpreset-blocker") {
			t.Errorf("kscope applied a reset to a consumer-protocol group with a member, or did not name it: %v", err)
		}
		out, terr := runTool(ctx, "kafka-consumer-groups", groupsArgs("--reset-offsets", "--topic", topic, "--to-earliest", "--dry-run")...)
		if terr != nil {
			out += terr.Error()
		}
		if !strings.Contains(out, "inactive") {
			t.Errorf("kafka-consumer-groups does not refuse as kscope does:\n%s", out)
		}
		if after := committedLines(t, group); after != before {
			t.Errorf("the offsets changed though the reset was refused:\nbefore\n%s\nafter\n%s", before, after)
		}
	})
}

// consumerGroupTool runs kafka-consumer-groups --describe on one group.
type consumerGroupTool struct{ group string }

func (c consumerGroupTool) describe(t testing.TB, args ...string) string {
	return toolText(t, "kafka-consumer-groups", append([]string{"--bootstrap-server", bootstrapArg(), "--describe", "--group", c.group}, args...)...)
}

// settled is met when the group is Stable with n members that together
// have all the partitions and have each reached their target.
func (c consumerGroupTool) settled(t testing.TB, n, partitions int) func() string {
	return func() string {
		out := c.describe(t, "--members", "--verbose")
		rows := parseTable(out)
		assigned := 0
		for _, r := range rows {
			k, err := strconv.Atoi(r["#PARTITIONS"])
			if err != nil {
				return "unreadable: " + out
			}
			assigned += k
			if r["CURRENT-ASSIGNMENT"] != r["TARGET-ASSIGNMENT"] || r["CURRENT-EPOCH"] != r["TARGET-EPOCH"] {
				return "a member is still reconciling:\n" + out
			}
		}
		if len(rows) != n || assigned != partitions {
			return fmt.Sprintf("%d members with %d partitions assigned:\n%s", len(rows), assigned, out)
		}
		if st := parseTable(c.describe(t, "--state")); len(st) != 1 || st[0]["STATE"] != "Stable" {
			return fmt.Sprintf("state %v", st)
		}
		return ""
	}
}

// memberLines is the group as kafka-consumer-groups --describe --state
// --verbose and --members --verbose show it, in consumerMemberLines' form.
func (c consumerGroupTool) memberLines(t testing.TB) string {
	st := parseTable(c.describe(t, "--state", "--verbose"))
	if len(st) != 1 {
		return fmt.Sprintf("unreadable state: %v", st)
	}
	s := st[0]
	ls := []string{fmt.Sprintf("group state=%s assignor=%s epoch=%s target-epoch=%s coordinator=%s members=%s",
		s["STATE"], s["ASSIGNMENT-STRATEGY"], s["GROUP-EPOCH"], s["TARGET-ASSIGNMENT-EPOCH"], strings.Trim(s["(ID)"], "()"), s["#MEMBERS"])}
	for _, m := range parseTable(c.describe(t, "--members", "--verbose")) {
		ls = append(ls, fmt.Sprintf("member=%s host=%s client=%s epoch=%s assigned=%s target-epoch=%s target=%s",
			m["CONSUMER-ID"], strings.TrimPrefix(m["HOST"], "/"), m["CLIENT-ID"], m["CURRENT-EPOCH"], m["CURRENT-ASSIGNMENT"], m["TARGET-EPOCH"], m["TARGET-ASSIGNMENT"]))
	}
	return lines(ls)
}

// consumerMemberLines is kscope's consumer-protocol group: its state,
// assignor, epochs and coordinator, then each member with its epoch, what
// it has and its target. Hosts are compared without the leading '/' that
// Kafka puts before a client's address. kafka-consumer-groups shows the
// group's target assignment epoch on each member's line.
func consumerMemberLines(g kafkaclient.GroupInfo) string {
	ls := []string{fmt.Sprintf("group state=%s assignor=%s epoch=%d target-epoch=%d coordinator=%d members=%d",
		g.State, g.Protocol, g.Epoch, g.AssignmentEpoch, g.Coordinator, len(g.Members))}
	for _, m := range g.Members {
		ls = append(ls, fmt.Sprintf("member=%s host=%s client=%s epoch=%d assigned=%s target-epoch=%d target=%s",
			m.ID, strings.TrimPrefix(m.Host, "/"), m.ClientID, m.MemberEpoch, assignmentText(m.Assigned), g.AssignmentEpoch, assignmentText(m.Target)))
	}
	return lines(ls)
}

// committedLines is kafka-consumer-groups --describe --offsets as
// topic/partition new=offset lines, the form of a reset preview.
func committedLines(t testing.TB, group string) string {
	t.Helper()
	out := tool(t, "kafka-consumer-groups", "--bootstrap-server", bootstrapArg(), "--group", group, "--describe", "--offsets")
	var ls []string
	for _, r := range parseTable(out) {
		ls = append(ls, fmt.Sprintf("%s/%s new=%s", r["TOPIC"], r["PARTITION"], r["CURRENT-OFFSET"]))
	}
	return lines(ls)
}

// consumerTimeouts reads the session timeout and heartbeat interval of a
// consumer-protocol group, which its coordinator sets (KIP-848), from
// kafka-configs --entity-type groups.
func consumerTimeouts(t testing.TB, group string) (session, heartbeat time.Duration) {
	t.Helper()
	out := tool(t, "kafka-configs", "--bootstrap-server", bootstrapArg(), "--entity-type", "groups", "--entity-name", group, "--describe", "--all")
	for _, c := range parseConfigs(out) {
		switch c.Name {
		case "consumer.session.timeout.ms":
			session = time.Duration(atoi(c.Value)) * time.Millisecond
		case "consumer.heartbeat.interval.ms":
			heartbeat = time.Duration(atoi(c.Value)) * time.Millisecond
		}
	}
	if session <= 0 || heartbeat <= 0 {
		t.Fatalf("no consumer session timeout or heartbeat interval in\n%s", out)
	}
	return session, heartbeat
}

// deleteRecords moves a partition's log start to offset with
// kafka-delete-records.
func deleteRecords(t testing.TB, topic string, partition int32, offset int64) {
	t.Helper()
	f := t.TempDir() + "/delete.json"
	spec := fmt.Sprintf(`{"version":1,"partitions":[{"topic":%q,"partition":%d,"offset":%d}]}`, topic, partition, offset)
	if err := os.WriteFile(f, []byte(spec), 0o600); err != nil {
		t.Fatal(err)
	}
	tool(t, "kafka-delete-records", "--bootstrap-server", bootstrapArg(), "--offset-json-file", f)
}

func ownerByClient(t testing.TB, owners []owner, client string) owner {
	t.Helper()
	for _, o := range owners {
		if o.client == client {
			if len(o.parts) == 0 {
				t.Fatalf("%s has no partition: %v", client, owners)
			}
			return o
		}
	}
	t.Fatalf("no member with client id %s: %v", client, owners)
	return owner{}
}

func ownerMap(owners []owner) map[kafkaclient.TopicPartition]string {
	m := map[kafkaclient.TopicPartition]string{}
	for _, o := range owners {
		for _, p := range o.parts {
			m[p] = o.member
		}
	}
	return m
}

// checkDeparture asserts that the timeline shows, after since, the
// consumer-protocol member victim leaving and the rebalance that follows
// as the protocol runs it: the group epoch bumped because a member left,
// each partition whose owner kafka-consumer-groups reported changed
// (before → after) targeted from its old owner to its new one, assigned
// to the new one, which then reconciled, nothing else revoked, and the
// rebalance converged with the member counts given. It returns how long
// after since the departure was seen.
func (w *watcher) checkDeparture(t *testing.T, since time.Time, victim owner, before, after []owner, membersBefore, membersAfter int) time.Duration {
	t.Helper()
	was, now := ownerMap(before), ownerMap(after)
	var moved []kafkaclient.TopicPartition
	for _, p := range slices.SortedFunc(maps.Keys(was), kafkaclient.TopicPartition.Compare) {
		if was[p] != now[p] {
			moved = append(moved, p)
		}
	}
	for _, p := range victim.parts {
		if !slices.Contains(moved, p) {
			t.Fatalf("%s/%d of the member that left has the same owner %s afterwards", p.Topic, p.Partition, now[p])
		}
	}
	var left kafkaclient.TimelineEvent
	var events []kafkaclient.TimelineEvent
	var ended *kafkaclient.RebalanceSummary
	eventually(t, "the timeline showing "+victim.client+" leaving and the group converged", 30*time.Second, func() string {
		left, events, ended = kafkaclient.TimelineEvent{}, nil, nil
		all := w.events()
		i := slices.IndexFunc(all, func(e kafkaclient.TimelineEvent) bool {
			return !e.At.Before(since) && e.Kind == kafkaclient.EventMemberLeft && e.Member == victim.member
		})
		if i < 0 {
			return "no member-left event for " + victim.member + ":\n" + w.text()
		}
		left = all[i]
		if left.Rebalance == 0 {
			return "the departure is outside a rebalance:\n" + w.text()
		}
		for _, e := range all {
			if e.Rebalance == left.Rebalance {
				events = append(events, e)
				if e.Kind == kafkaclient.EventRebalanceEnded {
					ended = e.Summary
				}
			}
		}
		if ended == nil {
			return fmt.Sprintf("rebalance #%d not over:\n%s", left.Rebalance, w.text())
		}
		return ""
	})
	if left.ClientID != victim.client {
		t.Errorf("member left: %q, want client %s", left.Text(), victim.client)
	}
	index := func(k kafkaclient.TimelineKind) int {
		return slices.IndexFunc(events, func(e kafkaclient.TimelineEvent) bool { return e.Kind == k })
	}
	if i := index(kafkaclient.EventEpochChanged); i < 0 || !strings.Contains(events[i].Cause, "member left") {
		t.Errorf("no group epoch bump for a member leaving in rebalance #%d:\n%s", left.Rebalance, eventTexts(events))
	}
	iLeft, iTarget, iAssigned, iEnd := index(kafkaclient.EventMemberLeft), index(kafkaclient.EventTargetChanged), index(kafkaclient.EventMemberAssigned), index(kafkaclient.EventRebalanceEnded)
	if !(iLeft >= 0 && iLeft < iTarget && iTarget < iAssigned && iAssigned < iEnd) {
		t.Errorf("want member left, then targets, then assignments, then the end; got\n%s", eventTexts(events))
	}
	firstTarget, lastTarget := map[kafkaclient.TopicPartition]kafkaclient.TimelineEvent{}, map[kafkaclient.TopicPartition]kafkaclient.TimelineEvent{}
	assignedTo := map[kafkaclient.TopicPartition]string{}
	reconciled := map[string]bool{}
	for _, e := range events {
		switch e.Kind {
		case kafkaclient.EventTargetChanged:
			if _, ok := firstTarget[e.Partition]; !ok {
				firstTarget[e.Partition] = e
			}
			lastTarget[e.Partition] = e
		case kafkaclient.EventMemberAssigned:
			for _, p := range e.Partitions {
				assignedTo[p] = e.Member
			}
		case kafkaclient.EventMemberRevoked:
			for _, p := range e.Partitions {
				if was[p] != e.Member || now[p] == e.Member {
					t.Errorf("%q: kafka-consumer-groups says %s/%d went from %s to %s", e.Text(), p.Topic, p.Partition, was[p], now[p])
				}
			}
		case kafkaclient.EventMemberReconciled:
			reconciled[e.Member] = true
		}
	}
	for _, p := range moved {
		first, ok := firstTarget[p]
		switch {
		case !ok:
			t.Errorf("%s/%d moved from %s to %s, but the timeline shows no target for it", p.Topic, p.Partition, was[p], now[p])
			continue
		case first.From != was[p]:
			t.Errorf("%q: the partition was %s's", first.Text(), was[p])
		}
		if last := lastTarget[p]; last.To != now[p] {
			t.Errorf("%q: kafka-consumer-groups says %s/%d is %s's now", last.Text(), p.Topic, p.Partition, now[p])
		}
		if assignedTo[p] != now[p] {
			t.Errorf("%s/%d: assigned to %q in the timeline, but kafka-consumer-groups says %s has it", p.Topic, p.Partition, assignedTo[p], now[p])
		}
		if !reconciled[now[p]] {
			t.Errorf("%s, which got %s/%d, never reconciled in the timeline", now[p], p.Topic, p.Partition)
		}
	}
	for p, e := range firstTarget {
		if !slices.Contains(moved, p) {
			t.Errorf("%q, but kafka-consumer-groups says %s/%d stayed with %s", e.Text(), p.Topic, p.Partition, now[p])
		}
	}
	switch s := ended; {
	case !s.Incremental:
		t.Errorf("rebalance #%d is not marked incremental", s.Number)
	case s.MembersBefore != membersBefore || s.MembersAfter != membersAfter:
		t.Errorf("rebalance #%d: members %d → %d, want %d → %d", s.Number, s.MembersBefore, s.MembersAfter, membersBefore, membersAfter)
	case s.PartitionsMoved != len(moved):
		t.Errorf("rebalance #%d: %d partitions moved, kafka-consumer-groups says %d", s.Number, s.PartitionsMoved, len(moved))
	case s.Unowned < len(victim.parts):
		t.Errorf("rebalance #%d: %d partitions went without a consumer, but the member that left had %d", s.Number, s.Unowned, len(victim.parts))
	case s.Duration <= 0:
		t.Errorf("rebalance #%d: duration %s", s.Number, s.Duration)
	}
	if end := events[len(events)-1]; end.Kind != kafkaclient.EventRebalanceEnded || !strings.Contains(end.Text(), "converged") {
		t.Errorf("the rebalance does not end converged:\n%s", eventTexts(events))
	}
	return left.At.Sub(since)
}

// assignor is the assignor of the last good observation the watcher's
// timeline took, "" before the first.
func (w *watcher) assignor() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.tl.Assignor()
}

func eventTexts(events []kafkaclient.TimelineEvent) string {
	var b strings.Builder
	for _, e := range events {
		fmt.Fprintf(&b, "  %s  %s\n", e.At.Format("15:04:05.000"), e.Text())
	}
	return b.String()
}
