package views

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	tea "charm.land/bubbletea/v2"

	"kscope/kafkaclient"
)

// undoDialog offers to put back what entry changed, as a new change with
// its own preview and confirmation: a topic's or a broker's config value,
// or a group's committed offsets. Other changes cannot be taken back this way.
func undoDialog(c *Common, e kafkaclient.AuditEntry) tea.Cmd {
	switch {
	case e.Result != "ok":
		return notify("that change failed: there is nothing to undo", true)
	case e.Context != c.Context:
		return notify(fmt.Sprintf("that change was made on %s: switch to it (:contexts) to undo it", plainName(e.Context)), true)
	case (e.Action == "set config" || e.Action == "reset config") && e.Topic != "" && len(e.Changes) == 1:
		admin, topic, name := c.Client.TopicAdmin, e.Topic, e.Changes[0].What
		undo := kafkaclient.AuditEntry{Action: "undo config", Target: topic + " " + name, Topic: topic}
		return undoConfig(c, plainName(topic), undo, e.Changes[0], func(ctx context.Context, v *string) error {
			return admin.SetTopicConfig(ctx, topic, name, v)
		})
	case (e.Action == "set broker config" || e.Action == "reset broker config") && e.Broker != nil && len(e.Changes) == 1:
		admin, id, name := c.Client.BrokerAdmin, *e.Broker, e.Changes[0].What
		undo := kafkaclient.AuditEntry{Action: "undo broker config", Target: fmt.Sprintf("broker %d %s", id, name), Broker: &id}
		return undoConfig(c, fmt.Sprintf("broker %d", id), undo, e.Changes[0], func(ctx context.Context, v *string) error {
			return admin.SetBrokerConfig(ctx, id, name, v)
		})
	case e.Action == "reset offsets" && e.Group != "":
		return undoReset(c, e)
	}
	return notify(plainName(e.Action)+" cannot be undone from here", true)
}

// undoConfig sets a config entry of target (a topic, a broker, as shown)
// back to what it was before ch with set, recording it as entry.
func undoConfig(c *Common, target string, entry kafkaclient.AuditEntry, ch kafkaclient.Change, set func(ctx context.Context, value *string) error) tea.Cmd {
	name := ch.What
	back := "back to its default"
	if ch.Before != nil {
		back = "back to " + rawAndHuman(name, *ch.Before)
	}
	now := "its default"
	if ch.After != nil {
		now = rawAndHuman(name, *ch.After)
	}
	explanation := fmt.Sprintf("Set %s of %s from %s %s?", plainName(name), target, now, back)
	entry.Changes = []kafkaclient.Change{kafkaclient.ConfigChange(name, ch.After, ch.Before)}
	return confirmChange(c, "undo", "Undo: "+plainName(name)+" of "+target, explanation, name, entry, func(ctx context.Context) (string, error) {
		return fmt.Sprintf("%s of %s is %s", plainName(name), target, back), set(ctx, ch.Before)
	})
}

// undoReset moves a group's committed offsets back to where a reset found
// them. Partitions the reset gave their first commit keep it: Kafka can
// delete a group's offsets only topic by topic.
func undoReset(c *Common, e kafkaclient.AuditEntry) tea.Cmd {
	plan := kafkaclient.ResetPlan{Group: e.Group}
	var kept []string
	for _, ch := range e.Changes {
		tp, ok := parseTopicPartition(ch.What)
		before, bok := parseOffset(ch.Before)
		after, aok := parseOffset(ch.After)
		switch {
		case !ok || !aok:
			continue
		case !bok:
			kept = append(kept, plainName(ch.What))
			continue
		}
		plan.Rows = append(plan.Rows, kafkaclient.ResetPlanRow{TopicPartition: tp, Current: after, New: before, Delta: before - after})
	}
	if len(plan.Rows) == 0 {
		return notify("the reset gave every partition its first commit: there is no earlier offset to go back to", true)
	}
	explanation := previewText(plan)
	if len(kept) > 0 {
		explanation += "\nNo earlier commit to go back to, left as they are: " + strings.Join(kept, ", ") + "."
	}
	explanation += "\nCURRENT is what the reset set; the group's members, if any, must be stopped first."
	admin := c.Client.GroupAdmin
	entry := kafkaclient.AuditEntry{Action: "undo reset offsets", Target: e.Target, Group: e.Group, Topic: e.Topic,
		Changes: kafkaclient.OffsetChanges(plan)}
	return confirmChange(c, "undo", "Undo the reset of "+plainName(e.Group), explanation, e.Group, entry, func(ctx context.Context) (string, error) {
		return fmt.Sprintf("offsets of %s back where they were in %s", plainName(e.Group), plural(int64(len(plan.Rows)), "partition", "partitions")), admin.ApplyReset(ctx, plan)
	})
}

// parseTopicPartition reads "topic/3", as changes name partitions.
func parseTopicPartition(s string) (kafkaclient.TopicPartition, bool) {
	i := strings.LastIndexByte(s, '/')
	if i <= 0 {
		return kafkaclient.TopicPartition{}, false
	}
	p, err := strconv.ParseInt(s[i+1:], 10, 32)
	return kafkaclient.TopicPartition{Topic: s[:i], Partition: int32(p)}, err == nil
}

func parseOffset(s *string) (int64, bool) {
	if s == nil {
		return 0, false
	}
	n, err := strconv.ParseInt(*s, 10, 64)
	return n, err == nil
}

// changeSummary tells in a few words what an entry replaced.
func changeSummary(e kafkaclient.AuditEntry) string {
	show := func(v *string) string {
		if v == nil {
			return "—"
		}
		return plainName(*v)
	}
	switch len(e.Changes) {
	case 0:
		return ""
	case 1:
		ch := e.Changes[0]
		return plainName(ch.What) + " " + show(ch.Before) + " → " + show(ch.After)
	}
	parts := make([]string, 0, 3)
	for _, ch := range e.Changes[:min(len(e.Changes), 3)] {
		parts = append(parts, plainName(ch.What)+" "+show(ch.Before)+"→"+show(ch.After))
	}
	s := fmt.Sprintf("%d: %s", len(e.Changes), strings.Join(parts, ", "))
	if len(e.Changes) > 3 {
		s += ", …"
	}
	return s
}
