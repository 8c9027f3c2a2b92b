//go:build realkafka

package integration

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"kscope/kafkaclient"
)

// TestClassicGroups runs a classic group of three Java console consumers,
// once with the default assignor (range) and once with the cooperative
// sticky one, and compares kscope's members, assignments and per-partition
// lag with kafka-consumer-groups; then one consumer is stopped with
// SIGTERM and another with SIGKILL, and kscope's timeline (fed by
// successive observations, as the group view feeds it) must show each
// leaving, where its partitions went, and the group settling with the
// assignments kafka-consumer-groups reports.
func TestClassicGroups(t *testing.T) {
	for _, tc := range []struct {
		name, strategy, protocol string
		cooperative              bool
	}{
		{name: "range", protocol: "range"},
		{name: "cooperative", strategy: "org.apache.kafka.clients.consumer.CooperativeStickyAssignor", protocol: "cooperative-sticky", cooperative: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			testClassicGroup(t, tc.strategy, tc.protocol, tc.cooperative)
		})
	}
}

func testClassicGroup(t *testing.T, strategy, protocol string, cooperative bool) {
	topic, group := name("group-"+protocol), name("g-"+protocol)
	const partitions = 6
	createTopic(t, topic, partitions, 3, "")
	produceCounts(t, topic, []int{20, 21, 22, 23, 24, 25})
	// Committed offsets the consumers never move (they do not commit), so
	// the lag changes only when records are produced.
	seedOffsets(t, group, topic, map[int32]int64{0: 0, 1: 3, 2: 6, 3: 9, 4: 12, 5: 15})

	s := connect(t, config())
	consumers := map[string]*background{}
	for _, id := range []string{"c1", "c2", "c3"} {
		args := []string{"--bootstrap-server", bootstrapArg(), "--topic", topic, "--group", group,
			"--consumer-property", "client.id=" + id,
			"--consumer-property", "group.protocol=classic",
			"--consumer-property", "enable.auto.commit=false",
			"--consumer-property", "session.timeout.ms=6000",
			"--consumer-property", "heartbeat.interval.ms=1000"}
		if strategy != "" {
			args = append(args, "--consumer-property", "partition.assignment.strategy="+strategy)
		}
		consumers[id] = startTool(t, "kafka-console-consumer", args...)
	}
	groupsTool := func(t testing.TB, args ...string) string {
		return toolText(t, "kafka-consumer-groups", append([]string{"--bootstrap-server", bootstrapArg(), "--describe", "--group", group}, args...)...)
	}
	settled := func(members int) func() string {
		return func() string {
			out := groupsTool(t, "--members", "--verbose")
			rows := parseTable(out)
			assigned := 0
			for _, r := range rows {
				n, err := strconv.Atoi(r["#PARTITIONS"])
				if err != nil {
					return "unreadable: " + out
				}
				assigned += n
			}
			if len(rows) != members || assigned != partitions {
				return fmt.Sprintf("%d members with %d partitions assigned:\n%s", len(rows), assigned, out)
			}
			if st := parseTable(groupsTool(t, "--state")); len(st) != 1 || st[0]["STATE"] != "Stable" {
				return fmt.Sprintf("state %v", st)
			}
			return ""
		}
	}
	eventually(t, "three consumers sharing the partitions", 90*time.Second, settled(3))

	kscopeMembers := func(t testing.TB) string {
		g, err := s.Group(t.Context(), group)
		if err != nil {
			return "kscope failed: " + err.Error()
		}
		return groupMemberLines(g)
	}
	toolMembers := func(t testing.TB) string {
		st := parseTable(groupsTool(t, "--state"))
		members := groupsTool(t, "--members", "--verbose")
		if len(st) != 1 {
			return "unreadable state"
		}
		return toolMemberLines(st[0], parseTable(members))
	}
	kscopeOffsets := func(t testing.TB) string {
		g, err := s.Group(t.Context(), group)
		if err != nil {
			return "kscope failed: " + err.Error()
		}
		return groupOffsetLines(g)
	}
	toolOffsets := func(t testing.TB) string { return toolOffsetLines(parseTable(groupsTool(t, "--offsets"))) }

	members := agree(t, "members and assignments", time.Minute, kscopeMembers, toolMembers)
	if !strings.Contains(members, "protocol="+protocol) {
		t.Errorf("the group does not use %s:\n%s", protocol, members)
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
	owners := ownersFromTool(t, groupsTool(t, "--members", "--verbose"))

	// One consumer stops cleanly: it leaves the group at once.
	victim, victimParts := memberOf(t, owners, "c2")
	since := time.Now()
	if err := consumers["c2"].cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	consumers["c2"].wait(t, 30*time.Second)
	eventually(t, "two consumers after SIGTERM", 90*time.Second, settled(2))
	members = agree(t, "assignments after SIGTERM", time.Minute, kscopeMembers, toolMembers)
	owners = ownersFromTool(t, groupsTool(t, "--members", "--verbose"))
	w.checkLeft(t, since, victim, victimParts, owners, 3, 2, cooperative)

	// Another is killed: the coordinator notices after the session timeout.
	victim, victimParts = memberOf(t, owners, "c3")
	since = time.Now()
	if err := consumers["c3"].cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	eventually(t, "one consumer after SIGKILL and the session timeout", 90*time.Second, settled(1))
	members = agree(t, "assignments after SIGKILL", time.Minute, kscopeMembers, toolMembers)
	if strings.Count(members, "member=") != 1 || !strings.Contains(members, fmt.Sprintf("client=c1 host=/127.0.0.1 partitions=%s:0,1,2,3,4,5", topic)) {
		t.Errorf("c1 should own every partition:\n%s", members)
	}
	owners = ownersFromTool(t, groupsTool(t, "--members", "--verbose"))
	w.checkLeft(t, since, victim, victimParts, owners, 2, 1, cooperative)
	agree(t, "lag with one consumer left", time.Minute, kscopeOffsets, toolOffsets)
	w.stop()
	t.Logf("kscope's timeline of %s:\n%s", group, w.text())
}

// seedOffsets commits offsets for a group with kafka-consumer-groups
// --reset-offsets --from-file, as an operator would.
func seedOffsets(t testing.TB, group, topic string, offsets map[int32]int64) {
	t.Helper()
	var csv strings.Builder
	for p, o := range offsets {
		fmt.Fprintf(&csv, "%s,%d,%d\n", topic, p, o)
	}
	f := filepath.Join(t.TempDir(), "offsets.csv")
	if err := os.WriteFile(f, []byte(csv.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	tool(t, "kafka-consumer-groups", "--bootstrap-server", bootstrapArg(), "--group", group,
		"--reset-offsets", "--from-file", f, "--execute")
}

// groupMemberLines is kscope's group: its state and assignor, then one
// line per member.
func groupMemberLines(g kafkaclient.GroupInfo) string {
	ls := []string{fmt.Sprintf("group state=%s protocol=%s members=%d", g.State, g.Protocol, len(g.Members))}
	for _, m := range g.Members {
		ls = append(ls, fmt.Sprintf("member=%s client=%s host=%s partitions=%s", m.ID, m.ClientID, m.Host, assignmentText(m.Assigned)))
	}
	return lines(ls)
}

// assignmentText is kafka-consumer-groups' form: topic:0,1;other:2, or -.
func assignmentText(tps []kafkaclient.TopicPartition) string {
	if len(tps) == 0 {
		return "-"
	}
	byTopic := map[string][]int32{}
	var topics []string
	for _, tp := range tps {
		if _, ok := byTopic[tp.Topic]; !ok {
			topics = append(topics, tp.Topic)
		}
		byTopic[tp.Topic] = append(byTopic[tp.Topic], tp.Partition)
	}
	slices.Sort(topics)
	parts := make([]string, len(topics))
	for i, topic := range topics {
		parts[i] = topic + ":" + sortedInts(byTopic[topic])
	}
	return strings.Join(parts, ";")
}

// toolMemberLines is the same from kafka-consumer-groups --state and
// --members --verbose.
func toolMemberLines(state map[string]string, members []map[string]string) string {
	ls := []string{fmt.Sprintf("group state=%s protocol=%s members=%s", state["STATE"], state["ASSIGNMENT-STRATEGY"], state["#MEMBERS"])}
	for _, m := range members {
		ls = append(ls, fmt.Sprintf("member=%s client=%s host=%s partitions=%s", m["CONSUMER-ID"], m["CLIENT-ID"], m["HOST"], m["CURRENT-ASSIGNMENT"]))
	}
	return lines(ls)
}

// groupOffsetLines is kscope's per-partition position of a group.
func groupOffsetLines(g kafkaclient.GroupInfo) string {
	var ls []string
	for _, o := range g.Offsets {
		lag := "-"
		if l, ok := o.Lag(); ok {
			lag = fmt.Sprint(l)
		}
		ls = append(ls, fmt.Sprintf("%s/%d committed=%d logend=%d lag=%s owner=%s", o.Topic, o.Partition, o.Committed, o.LogEnd, lag, orDash(o.Owner)))
	}
	return lines(ls)
}

// toolOffsetLines is the same from kafka-consumer-groups --offsets.
func toolOffsetLines(rows []map[string]string) string {
	var ls []string
	for _, r := range rows {
		committed := r["CURRENT-OFFSET"]
		if committed == "-" {
			committed = "-1"
		}
		ls = append(ls, fmt.Sprintf("%s/%s committed=%s logend=%s lag=%s owner=%s", r["TOPIC"], r["PARTITION"], committed, r["LOG-END-OFFSET"], r["LAG"], r["CONSUMER-ID"]))
	}
	return lines(ls)
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// owner is one member as kafka-consumer-groups lists it.
type owner struct {
	member, client string
	parts          []kafkaclient.TopicPartition
}

func ownersFromTool(t testing.TB, out string) []owner {
	t.Helper()
	var list []owner
	for _, r := range parseTable(out) {
		o := owner{member: r["CONSUMER-ID"], client: r["CLIENT-ID"]}
		if a := r["CURRENT-ASSIGNMENT"]; a != "-" {
			for _, piece := range strings.Split(a, ";") {
				topic, ps, ok := strings.Cut(piece, ":")
				if !ok {
					t.Fatalf("unreadable assignment %q", a)
				}
				for _, p := range idList(ps) {
					o.parts = append(o.parts, kafkaclient.TopicPartition{Topic: topic, Partition: p})
				}
			}
		}
		list = append(list, o)
	}
	return list
}

func memberOf(t testing.TB, owners []owner, client string) (string, []kafkaclient.TopicPartition) {
	t.Helper()
	for _, o := range owners {
		if o.client == client {
			if len(o.parts) == 0 {
				t.Fatalf("%s owns no partition: %v", client, owners)
			}
			return o.member, o.parts
		}
	}
	t.Fatalf("no member with client id %s: %v", client, owners)
	return "", nil
}

// watcher observes a group every interval and feeds a Timeline, as the
// group view does.
type watcher struct {
	mu     sync.Mutex
	tl     *kafkaclient.Timeline
	cancel context.CancelFunc
	done   chan struct{}
}

func watchGroup(t testing.TB, s *session, group string, every time.Duration) *watcher {
	ctx, cancel := context.WithCancel(context.Background())
	w := &watcher{tl: kafkaclient.NewTimeline(10_000), cancel: cancel, done: make(chan struct{})}
	go func() {
		defer close(w.done)
		for ctx.Err() == nil {
			rctx, rcancel := context.WithTimeout(ctx, 15*time.Second)
			info, _ := s.Group(rctx, group)
			rcancel()
			if info.At.IsZero() {
				info.At = time.Now()
			}
			if ctx.Err() != nil {
				return
			}
			w.mu.Lock()
			w.tl.Observe(info)
			w.mu.Unlock()
			select {
			case <-ctx.Done():
			case <-time.After(every):
			}
		}
	}()
	t.Cleanup(w.stop)
	return w
}

func (w *watcher) stop() {
	w.cancel()
	<-w.done
}

func (w *watcher) events() []kafkaclient.TimelineEvent {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.tl.Events()
}

func (w *watcher) text() string {
	var b strings.Builder
	for _, e := range w.events() {
		fmt.Fprintf(&b, "  %s  %s\n", e.At.Format("15:04:05.000"), e.Text())
	}
	return b.String()
}

// checkLeft asserts that the timeline shows victim leaving after since,
// each of its partitions going from it to the owner kafka-consumer-groups
// now reports, and the rebalance ending with the member counts given.
// With a cooperative assignor no other partition may move.
func (w *watcher) checkLeft(t *testing.T, since time.Time, victim string, victimParts []kafkaclient.TopicPartition, owners []owner, before, after int, cooperative bool) {
	t.Helper()
	finalOwner := map[kafkaclient.TopicPartition]string{}
	for _, o := range owners {
		for _, p := range o.parts {
			finalOwner[p] = o.member
		}
	}
	var left *kafkaclient.TimelineEvent
	var ended *kafkaclient.RebalanceSummary
	// The rebalance is over for the timeline once it has seen the group
	// Stable with the new owners; polls are half a second apart.
	eventually(t, "the timeline showing the rebalance over", 30*time.Second, func() string {
		left, ended = nil, nil
		for _, e := range w.events() {
			if e.At.Before(since) {
				continue
			}
			if e.Kind == kafkaclient.EventMemberLeft && e.Member == victim {
				left = &e
			}
			if left != nil && e.Kind == kafkaclient.EventRebalanceEnded && e.Rebalance == left.Rebalance {
				ended = e.Summary
			}
		}
		switch {
		case left == nil:
			return "no member-left event for " + victim + ":\n" + w.text()
		case ended == nil:
			return fmt.Sprintf("rebalance #%d not ended:\n%s", left.Rebalance, w.text())
		}
		return ""
	})
	if ended.MembersBefore != before || ended.MembersAfter != after {
		t.Errorf("rebalance #%d: members %d → %d, want %d → %d", ended.Number, ended.MembersBefore, ended.MembersAfter, before, after)
	}
	if ended.PartitionsMoved < len(victimParts) {
		t.Errorf("rebalance #%d: %d partitions moved, but the member that left owned %d", ended.Number, ended.PartitionsMoved, len(victimParts))
	}
	if cooperative && ended.PartitionsMoved != len(victimParts) {
		t.Errorf("cooperative rebalance #%d: %d partitions moved, want only the %d of the member that left", ended.Number, ended.PartitionsMoved, len(victimParts))
	}
	if ended.Duration <= 0 {
		t.Errorf("rebalance #%d: duration %s", ended.Number, ended.Duration)
	}
	// Follow each partition through the rebalance's events.
	moves := map[kafkaclient.TopicPartition][]kafkaclient.TimelineEvent{}
	for _, e := range w.events() {
		if e.At.Before(since) || e.Rebalance != ended.Number {
			continue
		}
		switch e.Kind {
		case kafkaclient.EventPartitionMoved, kafkaclient.EventPartitionUnowned, kafkaclient.EventPartitionAssigned:
			moves[e.Partition] = append(moves[e.Partition], e)
		}
	}
	for _, p := range victimParts {
		ms := moves[p]
		if len(ms) == 0 {
			t.Errorf("%s/%d: no event in rebalance #%d, though its owner left", p.Topic, p.Partition, ended.Number)
			continue
		}
		if first := ms[0]; first.From != victim {
			t.Errorf("%s/%d: first event %q does not take it from the member that left", p.Topic, p.Partition, first.Text())
		}
		if last := ms[len(ms)-1]; last.To != finalOwner[p] || last.To == "" {
			t.Errorf("%s/%d: last event %q, but kafka-consumer-groups says its owner is %s", p.Topic, p.Partition, last.Text(), finalOwner[p])
		}
	}
	if cooperative {
		for p, ms := range moves {
			if !slices.Contains(victimParts, p) {
				t.Errorf("cooperative: %s/%d moved though its owner stayed: %q", p.Topic, p.Partition, ms[0].Text())
			}
		}
	}
}
