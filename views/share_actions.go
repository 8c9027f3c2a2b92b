package views

import (
	"context"
	"fmt"
	"strings"

	tea "charm.land/bubbletea/v2"

	"kscope/kafkaclient"
	"kscope/views/widget"
)

// shareResetDialog asks where to move a share group's start offsets,
// shows every partition's current → new start offset and which records
// that delivers again or skips, and alters them only after the group's
// name is typed. Kafka alters them only in a group without members.
func shareResetDialog(c *Common, admin ShareAdmin, g kafkaclient.GroupInfo) tea.Cmd {
	topics := g.Topics()
	if len(topics) == 0 {
		return notify("the share group has no topics to alter", true)
	}
	d := &dialog{c: c, title: "alter start offsets", form: widget.NewForm(c.Styles, "Alter the start offsets of share group "+plainName(g.Name), []widget.Field{
		{Name: "topic", Label: "Topic", Kind: widget.FieldChoice, Choices: topics},
		{Name: "partitions", Label: "Partitions", Value: "all", Help: "all, or a list such as 0,3,7"},
		{Name: "to", Label: "To", Kind: widget.FieldChoice, Choices: []string{"earliest", "latest", "offset", "time"}},
		{Name: "value", Label: "Value", Help: "offset: 1234 · time: 2026-11-21T09:00:00Z or -15m"},
	}, "preview")}
	group := g.Name
	d.submit = func(d *dialog) tea.Cmd {
		parts, target, err := resetInput(d.form, c.Now())
		if err != nil {
			d.fail(err)
			return nil
		}
		topic := d.form.Value("topic")
		return d.scope.Do(func(ctx context.Context) tea.Msg {
			ctx, cancel := context.WithTimeout(ctx, actionTimeout)
			defer cancel()
			plan, err := admin.PlanShareReset(ctx, group, topic, parts, target)
			return planned{plan: plan, err: err}
		})
	}
	d.answer = func(d *dialog, msg tea.Msg) (tea.Cmd, bool) {
		plan, took, ok := d.takePlan(msg)
		if !ok {
			return nil, took
		}
		d.submit = func(d *dialog) tea.Cmd {
			entry := kafkaclient.AuditEntry{Action: "alter share start offsets", Target: plan.Group, Group: plan.Group,
				Topic: planTopics(plan), Changes: kafkaclient.OffsetChanges(plan)}
			return d.act(entry, func(ctx context.Context) (string, error) {
				return fmt.Sprintf("start offsets of %s altered in %d partitions", plainName(plan.Group), len(plan.Rows)), admin.ApplyShareReset(ctx, plan)
			})
		}
		return d.confirm("Alter start offsets: preview", sharePreviewText(plan), plan.Group), true
	}
	return push(d)
}

// shareWords name a share group's start offsets in a preview.
var shareWords = planWords{current: "START", next: "NEW START", first: "first start offset",
	again: func(n int64) string { return "delivers " + count(n) + " again" },
	summary: func(again, skip int64) string {
		return fmt.Sprintf("In all: %s records delivered again, %s skipped. What was in flight is forgotten.", count(again), count(skip))
	},
}

// sharePreviewText lists current → new start offset per partition and
// what it means for the records between them.
func sharePreviewText(p kafkaclient.ResetPlan) string {
	s := planPreview(p, shareWords)
	if len(p.Members) > 0 {
		s += fmt.Sprintf("\nThe group has members: %s.\nKafka alters only an empty share group: stop them first.", memberNames(p.Members))
	}
	return s
}

// memberNames names members as people find their processes: client id and host.
func memberNames(ms []kafkaclient.GroupMember) string {
	names := make([]string, len(ms))
	for i, m := range ms {
		names[i] = plainName(m.ClientID) + " (" + plainName(m.Host) + ")"
	}
	return strings.Join(names, ", ")
}

// deleteShareOffsetsDialog deletes a share group's start offsets on one
// topic. Kafka deletes them only in a group without members.
func deleteShareOffsetsDialog(c *Common, admin ShareAdmin, g kafkaclient.GroupInfo, topic string) tea.Cmd {
	if len(g.Members) > 0 {
		return notify(fmt.Sprintf("%s has members (%s): Kafka deletes a share group's start offsets only while it is empty", plainName(g.Name), memberNames(g.Members)), true)
	}
	return deletePositions(c, g, topic, positionDeletion{
		action: "delete share start offsets", heading: "Delete start offsets", done: "start offsets of %s on %s deleted",
		explanation: "Delete the start offsets of share group %s on topic %s? The group would start the topic again from share.auto.offset.reset (latest unless set): records not yet delivered would be skipped.",
		del:         admin.DeleteShareGroupOffsets,
	})
}

// deleteShareGroupDialog deletes an empty share group and its start offsets.
func deleteShareGroupDialog(c *Common, admin GroupAdmin, g kafkaclient.GroupInfo) tea.Cmd {
	if len(g.Members) > 0 {
		return notify(fmt.Sprintf("%s has members (%s): only an empty share group can be deleted", plainName(g.Name), memberNames(g.Members)), true)
	}
	name := g.Name
	explanation := fmt.Sprintf("Delete share group %s and its start offsets in %d partitions?", plainName(name), len(g.Offsets))
	entry := kafkaclient.AuditEntry{Action: "delete group", Target: name, Group: name, Changes: committedChanges(g.Offsets, "")}
	return confirmChange(c, "delete group", "Delete share group", explanation, name, entry, func(ctx context.Context) (string, error) {
		return "deleted share group " + plainName(name), admin.DeleteGroup(ctx, name)
	})
}
