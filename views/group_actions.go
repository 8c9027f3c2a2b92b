package views

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"

	"kscope/kafkaclient"
	"kscope/views/widget"
)

// planned answers a reset dialog's preview request.
type planned struct {
	plan kafkaclient.ResetPlan
	err  error
}

// takePlan takes a preview's answer: ok with its plan, or its error shown
// on the dialog; took is false for any other message.
func (d *dialog) takePlan(msg tea.Msg) (plan kafkaclient.ResetPlan, took, ok bool) {
	p, is := msg.(planned)
	if !is {
		return plan, false, false
	}
	d.busy = false
	if p.err != nil {
		d.fail(p.err)
		return plan, true, false
	}
	return p.plan, true, true
}

// allTopics is the reset dialog's choice of every topic the group has.
const allTopics = "(all topics)"

// resetOffsetsDialog asks where to move a group's offsets, shows every
// partition's current → new offset, and writes them only after the group's
// name is typed.
func resetOffsetsDialog(c *Common, admin GroupAdmin, g kafkaclient.GroupInfo) tea.Cmd {
	topics := g.Topics()
	if len(topics) == 0 {
		return notify("the group has no topics to reset", true)
	}
	choices := topics
	if len(topics) > 1 {
		choices = append([]string{allTopics}, topics...)
	}
	d := &dialog{c: c, title: "reset offsets", form: widget.NewForm(c.Styles, "Reset the offsets of "+plainName(g.Name), []widget.Field{
		{Name: "topic", Label: "Topic", Kind: widget.FieldChoice, Choices: choices},
		{Name: "partitions", Label: "Partitions", Value: "all", Help: "all, or a list such as 0,3,7"},
		{Name: "to", Label: "To", Kind: widget.FieldChoice, Choices: []string{"earliest", "latest", "offset", "time", "shift"}},
		{Name: "value", Label: "Value", Help: "offset: 1234 · time: 2026-11-21T09:00:00Z or -15m · shift: -100 or +100"},
	}, "preview")}
	group := g.Name
	d.submit = func(d *dialog) tea.Cmd {
		parts, target, err := resetInput(d.form, c.Now())
		if err != nil {
			d.fail(err)
			return nil
		}
		chosen := []string{d.form.Value("topic")}
		if chosen[0] == allTopics {
			if parts != nil {
				d.fail(&kafkaclient.FieldError{Field: "partitions", Msg: "all: partition numbers differ from topic to topic"})
				return nil
			}
			chosen = topics
		}
		return d.scope.Do(func(ctx context.Context) tea.Msg {
			ctx, cancel := context.WithTimeout(ctx, actionTimeout)
			defer cancel()
			// One plan per topic, as kafka-consumer-groups --all-topics
			// makes them, shown and applied as one.
			var plan kafkaclient.ResetPlan
			for _, topic := range chosen {
				p, err := admin.PlanReset(ctx, group, topic, parts, target)
				if err != nil {
					return planned{err: err}
				}
				plan.Group, plan.Members = p.Group, p.Members
				plan.Rows = append(plan.Rows, p.Rows...)
			}
			return planned{plan: plan}
		})
	}
	d.answer = func(d *dialog, msg tea.Msg) (tea.Cmd, bool) {
		plan, took, ok := d.takePlan(msg)
		if !ok {
			return nil, took
		}
		if len(plan.Members) > 0 {
			// Kafka would refuse it: nothing to confirm.
			d.ask = widget.NewRefusal(c.Styles, "Reset offsets: preview", previewText(plan), membersRefusal(plan))
			d.ask.SetSize(d.width, d.height)
			return nil, true
		}
		d.submit = func(d *dialog) tea.Cmd {
			entry := kafkaclient.AuditEntry{Action: "reset offsets", Target: plan.Group + " " + planTopics(plan), Group: plan.Group,
				Topic: planTopics(plan), Changes: kafkaclient.OffsetChanges(plan)}
			return d.act(entry, func(ctx context.Context) (string, error) {
				return fmt.Sprintf("offsets of %s reset in %s", plainName(plan.Group), plural(int64(len(plan.Rows)), "partition", "partitions")), admin.ApplyReset(ctx, plan)
			})
		}
		return d.confirm("Reset offsets: preview", previewText(plan), plan.Group), true
	}
	return push(d)
}

// planWords are how a preview names a plan's positions and what moving
// them does: a group's committed offsets, or a share group's start offsets.
type planWords struct {
	current, next, first string
	again                func(n int64) string
	summary              func(again, skip int64) string
}

var offsetWords = planWords{current: "CURRENT", next: "NEW", first: "first commit",
	again: func(n int64) string { return "re-reads " + count(n) },
	summary: func(again, skip int64) string {
		return fmt.Sprintf("In all: %s re-consumed, %s skipped.", plural(again, "record", "records"), count(skip))
	},
}

// previewText lists current → new per partition and what it means.
func previewText(p kafkaclient.ResetPlan) string { return planPreview(p, offsetWords) }

// planPreview lists a plan's rows, current → new and their effect, and
// sums them up in w's words.
func planPreview(p kafkaclient.ResetPlan, w planWords) string {
	var b strings.Builder
	var skip, again int64
	fmt.Fprintf(&b, "%-28s %12s    %-12s %s\n", "PARTITION", w.current, w.next, "EFFECT")
	for _, r := range p.Rows {
		current := "—"
		if r.Current >= 0 {
			current = count(r.Current)
		}
		effect := "no change"
		switch {
		case r.Current < 0:
			effect = w.first
		case r.Delta > 0:
			effect = "skips " + count(r.Delta)
			skip += r.Delta
		case r.Delta < 0:
			effect = w.again(-r.Delta)
			again += -r.Delta
		}
		fmt.Fprintf(&b, "%-28s %12s → %-12s %s\n", plainName(r.Topic)+"/"+strconv.Itoa(int(r.Partition)), current, count(r.New), effect)
	}
	b.WriteString("\n" + w.summary(again, skip))
	return b.String()
}

// membersRefusal says why a reset of a group with members is not offered.
func membersRefusal(p kafkaclient.ResetPlan) string {
	names := make([]string, len(p.Members))
	for i, m := range p.Members {
		names[i] = plainName(m.ClientID) + " (" + plainName(m.Host) + ")"
	}
	return fmt.Sprintf("Not possible now: the group has %s: %s. Kafka resets only an empty group; stop its consumers first.",
		plural(int64(len(p.Members)), "member", "members"), strings.Join(names, ", "))
}

func resetInput(f *widget.Form, now time.Time) ([]int32, kafkaclient.ResetTarget, error) {
	var parts []int32
	if p := strings.TrimSpace(f.Value("partitions")); p != "" && p != "all" {
		for _, s := range strings.Split(p, ",") {
			n, err := strconv.ParseInt(strings.TrimSpace(s), 10, 32)
			if err != nil || n < 0 {
				return nil, kafkaclient.ResetTarget{}, &kafkaclient.FieldError{Field: "partitions", Msg: "all, or partition numbers such as 0,3,7"}
			}
			parts = append(parts, int32(n))
		}
	}
	v := strings.TrimSpace(f.Value("value"))
	var t kafkaclient.ResetTarget
	switch f.Value("to") {
	case "earliest":
		t.Kind = kafkaclient.ResetEarliest
	case "latest":
		t.Kind = kafkaclient.ResetLatest
	case "offset":
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 0 {
			return nil, t, &kafkaclient.FieldError{Field: "value", Msg: "an offset, such as 1234"}
		}
		t.Kind, t.Offset = kafkaclient.ResetOffset, n
	case "time":
		from, err := kafkaclient.ParseFrom(v, now)
		if err != nil || from.Kind != kafkaclient.FromTime {
			return nil, t, &kafkaclient.FieldError{Field: "value", Msg: "a time such as 2026-11-21T09:00:00Z, or -15m"}
		}
		t.Kind, t.Time = kafkaclient.ResetTime, from.Time
	case "shift":
		n, err := strconv.ParseInt(strings.TrimPrefix(v, "+"), 10, 64)
		if err != nil || n == 0 {
			return nil, t, &kafkaclient.FieldError{Field: "value", Msg: "a shift such as -100 or +100"}
		}
		t.Kind, t.Shift = kafkaclient.ResetShift, n
	}
	return parts, t, nil
}

// deleteOffsetsDialog removes a group's committed offsets for one topic.
func deleteOffsetsDialog(c *Common, admin GroupAdmin, g kafkaclient.GroupInfo, topic string) tea.Cmd {
	return deletePositions(c, g, topic, positionDeletion{
		action: "delete offsets", heading: "Delete committed offsets", done: "offsets of %s for %s deleted",
		explanation: "Delete the committed offsets of group %s for topic %s? The group would start that topic again from its offset reset policy.",
		del:         admin.DeleteGroupOffsets,
	})
}

// positionDeletion is what a dialog that deletes a group's positions on
// a topic (committed offsets, share start offsets) says and does; its
// texts take the group and the topic.
type positionDeletion struct {
	action, heading, explanation, done string
	del                                func(ctx context.Context, group, topic string) error
}

// deletePositions asks for the group's name, then deletes its positions
// on topic, recording what they were.
func deletePositions(c *Common, g kafkaclient.GroupInfo, topic string, p positionDeletion) tea.Cmd {
	group := g.Name
	entry := kafkaclient.AuditEntry{Action: p.action, Target: group + " " + topic, Group: group, Topic: topic,
		Changes: committedChanges(g.Offsets, topic)}
	explanation := fmt.Sprintf(p.explanation, plainName(group), plainName(topic))
	return confirmChange(c, p.action, p.heading, explanation, group, entry, func(ctx context.Context) (string, error) {
		return fmt.Sprintf(p.done, plainName(group), plainName(topic)), p.del(ctx, group, topic)
	})
}

// deleteGroupDialog deletes an empty group.
func deleteGroupDialog(c *Common, admin GroupAdmin, g kafkaclient.GroupInfo) tea.Cmd {
	if len(g.Members) > 0 {
		return notify(fmt.Sprintf("%s has %s: only an empty group can be deleted", plainName(g.Name), plural(int64(len(g.Members)), "member", "members")), true)
	}
	name := g.Name
	explanation := fmt.Sprintf("Delete group %s and its committed offsets in %s?", plainName(name), plural(int64(len(g.Offsets)), "partition", "partitions"))
	entry := kafkaclient.AuditEntry{Action: "delete group", Target: name, Group: name, Changes: committedChanges(g.Offsets, "")}
	return confirmChange(c, "delete group", "Delete group", explanation, name, entry, func(ctx context.Context) (string, error) {
		return "deleted group " + plainName(name), admin.DeleteGroup(ctx, name)
	})
}

// planTopics names the topics a reset plan moves, comma-separated.
func planTopics(p kafkaclient.ResetPlan) string {
	var topics []string
	for _, r := range p.Rows {
		if !slices.Contains(topics, r.Topic) {
			topics = append(topics, r.Topic)
		}
	}
	return strings.Join(topics, ",")
}

// committedChanges are the committed offsets of topic ("": every topic)
// that a deletion takes away.
func committedChanges(offsets []kafkaclient.PartitionOffsets, topic string) []kafkaclient.Change {
	var out []kafkaclient.Change
	for _, o := range offsets {
		if o.Committed < 0 || topic != "" && o.Topic != topic {
			continue
		}
		out = append(out, kafkaclient.Change{What: o.Topic + "/" + strconv.Itoa(int(o.Partition)), Before: numberText(o.Committed)})
	}
	return out
}
