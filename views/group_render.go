package views

import (
	"slices"
	"strconv"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"kscope/kafkaclient"
	"kscope/themes"
	"kscope/views/sanitize"
	"kscope/views/widget"
)

// partitionRow is what one row of the partitions table draws from.
type partitionRow struct {
	o kafkaclient.PartitionOffsets
	// owner is the owning member's client ID; ownerKnown is false while
	// the coordinator does not report it (the group rebalances).
	owner      string
	ownerKnown bool
	// moving marks a consumer-protocol partition whose target is another
	// member (target, by client ID; "" for none) than its owner.
	moving bool
	target string
	// sharers counts the members of a share group assigned the partition.
	sharers int
	members int
	verdict kafkaclient.Verdict
	window  *kafkaclient.Window
}

// cells draws every column of partColumns.
func (p partitionRow) cells(st *themes.Styles) []string {
	o, v := p.o, p.verdict
	dash := st.Muted.Render("—")
	topic, _ := sanitize.Styled(o.Topic, st.Escape)
	var ownerCell string
	switch {
	case !p.ownerKnown:
		ownerCell = st.Muted.Render("(unknown)")
	case o.Owner == "":
		ownerCell = st.Muted.Render("(none)")
	default:
		ownerCell, _ = sanitize.Styled(p.owner, st.Escape)
	}
	switch target, _ := sanitize.Styled(p.target, st.Escape); {
	case p.moving && p.target == "":
		ownerCell += st.Warn.Render(" → (none)")
	case p.moving:
		ownerCell += st.Warn.Render(" → ") + target
	case p.sharers > 1:
		ownerCell += st.Muted.Render(" +" + strconv.Itoa(p.sharers-1))
	}
	committed, end, lagCell := dash, dash, dash
	if o.Committed >= 0 {
		committed = count(o.Committed)
	}
	if o.LogEnd >= 0 {
		end = count(o.LogEnd)
	}
	if lag, ok := o.Lag(); ok {
		lagCell = count(lag)
	}
	trend, cons, prod := "", dash, dash
	if p.window != nil {
		trend = st.Accent.Render(widget.Sparkline(p.window.Lags(), partColumns[6].Width))
	}
	if v.RatesKnown {
		cons, prod = rate(v.Consume), rate(v.Produce)
	} else if v.Measuring {
		cons, prod = st.Muted.Render("…"), st.Muted.Render("…")
	}
	return []string{topic, strconv.Itoa(int(o.Partition)), ownerCell, committed, end, lagCell, trend, cons, prod,
		catchUpCell(st, v, p.members), verdictCell(st, v)}
}

func rate(r float64) string {
	if r >= 100 {
		return strconv.FormatFloat(r, 'f', 0, 64)
	}
	return strconv.FormatFloat(r, 'f', 1, 64)
}

// catchUpCell says what the lag is doing, as the verdict decided with the
// status beside it.
func catchUpCell(st *themes.Styles, v kafkaclient.Verdict, members int) string {
	switch v.CatchUp {
	case kafkaclient.CatchUpMeasuring:
		return st.Muted.Render("measuring…")
	case kafkaclient.CatchUpDone:
		return st.OK.Render("caught up")
	case kafkaclient.CatchUpNoConsumer:
		if members == 0 {
			return st.Warn.Render("no consumers")
		}
		return st.Warn.Render("unassigned")
	case kafkaclient.CatchUpStuck:
		return st.Error.Render("not moving")
	case kafkaclient.CatchUpFallingBehind:
		return st.Warn.Render("falling behind")
	case kafkaclient.CatchUpKeepingUp:
		return st.Text.Render("keeping up")
	case kafkaclient.CatchUpIn:
		return v.ETA.Round(time.Second).String()
	}
	return st.Muted.Render("—")
}

// verdictCell is a partition's status; "…" while it is measuring.
func verdictCell(st *themes.Styles, v kafkaclient.Verdict) string {
	if v.Status == kafkaclient.StatusUnknown && !v.Measuring {
		return st.Muted.Render("—")
	}
	return statusCell(st, v.Status)
}

func memberCells(st *themes.Styles, m kafkaclient.GroupMember, rebalancing bool) []string {
	client, _ := sanitize.Styled(m.ClientID, st.Escape)
	host, _ := sanitize.Styled(m.Host, st.Escape)
	id, _ := sanitize.Styled(m.ID, st.Escape)
	n := strconv.Itoa(len(m.Assigned))
	assigned, _ := sanitize.Styled(kafkaclient.PartitionsText(m.Assigned), st.Escape)
	switch {
	case rebalancing:
		// The coordinator does not report assignments mid-rebalance.
		n, assigned = st.Muted.Render("?"), st.Muted.Render("not reported while rebalancing")
	case len(m.Assigned) == 0:
		// More members than partitions, or between the two generations
		// of a cooperative rebalance.
		n, assigned = st.Warn.Render(n), st.Warn.Render("none")
	}
	return []string{client, host, n, assigned, st.Muted.Render(id)}
}

// nounCount is "1 member", "2 members".
func nounCount(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return strconv.Itoa(n) + " " + noun + "s"
}

// View implements View.
func (g *Group) View() string {
	lines := []string{g.summary()}
	mh, ph, th := g.paneHeights()
	pane := func(t *widget.Table, h int) {
		out := strings.Split(t.View(), "\n")
		for len(out) < h {
			out = append(out, "")
		}
		lines = append(lines, out[:h]...)
	}
	pane(g.parts, ph)
	pane(g.members, mh)
	lines = append(lines, g.timelineLines(th)...)
	return strings.Join(lines, "\n")
}

// summary is the group's line: what is known of it, and nothing for what
// is not (a group mid-rebalance reports no generation or assignor: the
// last ones seen are shown, as such).
func (g *Group) summary() string {
	st := g.c.Styles
	if !g.loaded {
		return st.Muted.Render("observing…")
	}
	i := g.info
	kind := i.ProtocolType
	switch assignor := g.timeline.Assignor(); {
	case i.Protocol != "":
		kind += "/" + i.Protocol
	case assignor != "" && i.Rebalancing():
		kind += "/" + assignor
	}
	kind, _ = sanitize.Plain(kind)
	// What matters on call first, so a narrow terminal cuts the rest.
	lag := "lag "
	if g.kind == kafkaclient.TypeShare {
		lag = "undelivered "
	}
	parts := []string{
		stateCell(st, i.State),
		"status " + statusCell(st, g.health.Status(i.At)),
		lag + count(i.TotalLag()),
		nounCount(len(i.Members), "member"),
	}
	switch {
	case !i.Described():
		kind, _ := sanitize.Plain(g.kind)
		parts = append(parts, kind+" group: its state and offsets only")
	case g.kind != kafkaclient.TypeClassic:
		if n := reconcilingCount(&i); n > 0 {
			parts[3] += st.Warn.Render(" (" + strconv.Itoa(n) + " reconciling)")
		}
		parts = append(parts, g.kindSummary()...)
	default:
		if kind != "" {
			parts = append(parts, kind)
		}
		switch last := g.timeline.Generation(); {
		case i.Generation >= 0:
			parts = append(parts, "generation "+strconv.Itoa(int(i.Generation)))
		case last >= 0 && i.Rebalancing():
			parts = append(parts, "after generation "+strconv.Itoa(int(last)))
		}
	}
	if g.kind != kafkaclient.TypeShare {
		parts = append(parts, "rebalances seen "+strconv.Itoa(g.timeline.Rebalances()))
	}
	parts = append(parts, "coordinator "+strconv.Itoa(int(i.Coordinator)))
	// A cooperative rebalance goes on between two Stable generations:
	// only the timeline knows it is not over.
	if g.kind == kafkaclient.TypeClassic && g.timeline.Rebalancing() && !i.Rebalancing() {
		parts = slices.Insert(parts, 1, st.Warn.Render("⟳ rebalancing"))
	}
	return ansi.Truncate(strings.Join(parts, st.Muted.Render(" · ")), g.width, "…")
}

func (g *Group) timelineLines(h int) []string {
	st := g.c.Styles
	n := g.timeline.Len()
	title := "TIMELINE (" + nounCount(n, "event") + ")"
	if g.tlBack > 0 {
		title += " — " + strconv.Itoa(g.tlBack) + " newer below"
	}
	if g.export != nil {
		title = g.export.view()
	} else if g.focus != paneTimeline {
		title = st.Muted.Render(title)
	} else {
		title = st.TableHeader.Render(title)
	}
	out := []string{title}
	end := n - g.tlBack
	for _, e := range g.timeline.Window(end-(h-1), end) {
		text, _ := sanitize.Plain(e.Text())
		line := st.Muted.Render(e.At.In(g.c.Zone()).Format("15:04:05.000")) + "  " + eventStyle(st, e.Kind).Render(text)
		out = append(out, ansi.Truncate(line, g.width, "…"))
	}
	if n == 0 {
		out = append(out, st.Muted.Render("changes to the group appear here as they happen"))
	}
	for len(out) < h {
		out = append(out, "")
	}
	return out[:h]
}

func eventStyle(st *themes.Styles, k kafkaclient.TimelineKind) lipgloss.Style {
	switch k {
	case kafkaclient.EventRebalanceEnded, kafkaclient.EventRebalanceStarted, kafkaclient.EventTypeChanged:
		return st.Accent
	case kafkaclient.EventMemberLeft, kafkaclient.EventPartitionUnowned, kafkaclient.EventOffsetsReset,
		kafkaclient.EventMemberRevoked, kafkaclient.EventMemberFenced:
		return st.Warn
	case kafkaclient.EventMemberJoined, kafkaclient.EventPartitionAssigned, kafkaclient.EventMemberAssigned, kafkaclient.EventMemberReconciled:
		return st.OK
	case kafkaclient.EventError, kafkaclient.EventGroupGone:
		return st.Error
	case kafkaclient.EventOwnersUnknown, kafkaclient.EventUnobserved:
		return st.Muted
	}
	return st.Text
}

// legend is a line of help that explains a mark rather than a key. Its
// "key" is a name no key press produces, so it never acts.
func legend(mark, meaning string) key.Binding {
	return key.NewBinding(key.WithKeys("legend "+mark), key.WithHelp(mark, meaning))
}

// healthLegend explains the STATUS column, in the list and in a group.
// Its lines are short: the help sets its columns side by side, and at 80
// columns the global keys must still fit beside them.
func healthLegend() []key.Binding {
	return []key.Binding{
		legend("OK", "lag hit 0 or holds"),
		legend("WARN", "lag only grew"),
		legend("STALL", "offset stuck"),
		legend("STOP", "no commit in 1m"),
		legend("REWIND", "offset went back"),
		legend("…", "measuring"),
	}
}

// groupMarkerLegend explains the marks in a group's rows.
func groupMarkerLegend() []key.Binding {
	return []key.Binding{
		legend("(none)", "no owner"),
		legend("(unknown)", "not reported"),
		legend("none", "idle member"),
		legend("⟳", "rebalancing"),
		legend("a → b", "moving to b"),
		legend("−/+", "to revoke/receive"),
		legend("+N", "N more sharers"),
		legend("—", "no commit"),
	}
}
