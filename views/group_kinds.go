package views

import (
	"slices"
	"strconv"
	"strings"

	"kscope/kafkaclient"
	"kscope/themes"
	"kscope/views/sanitize"
	"kscope/views/widget"
)

// The group view draws the three group types alike, save for what only
// one of them has: a consumer-protocol group's epochs and its members'
// reconciliation, a share group's start offsets and shared partitions.

// wideMembers is the least width at which the members table shows member
// IDs: below it the assignment needs the room more (a member's detail
// shows its ID whole).
const wideMembers = 100

// setMemberColumns gives the members table the columns of the group's
// type and the width, keeping its rows' place.
func (g *Group) setMemberColumns() {
	cols := []widget.Column{
		{Title: "CLIENT ID", Width: 20},
		{Title: "HOST", Width: 16},
		{Title: "PARTS", Width: 5, Right: true},
		{Title: "ASSIGNED"},
	}
	if g.membersWide {
		cols = append(cols, widget.Column{Title: "MEMBER ID", Width: 20})
	}
	if g.kind == kafkaclient.TypeConsumer {
		cols = slices.Insert(cols, 2, widget.Column{Title: "EPOCH", Width: 6, Right: true})
	}
	old := g.members
	g.members = widget.NewTable(g.c.Styles, &g.c.Keys.ListKeys, cols)
	g.members.Empty = "no members"
	if old != nil {
		g.members.Blurred = old.Blurred
		mh, _, _ := g.paneHeights()
		g.members.SetSize(g.width, mh)
	}
}

// memberRow is the cells of member m in the members table.
func (g *Group) memberRow(m kafkaclient.GroupMember) []string {
	st := g.c.Styles
	var cells []string
	switch g.kind {
	case kafkaclient.TypeConsumer:
		cells = nextGenMemberCells(st, &g.info, m)
	case kafkaclient.TypeShare:
		cells = memberCells(st, m, false)
	default:
		cells = memberCells(st, m, g.info.Rebalancing())
	}
	if !g.membersWide {
		cells = cells[:len(cells)-1] // the member ID
	}
	return cells
}

// nextGenMemberCells draws a consumer-protocol member: its epoch, and
// while it reconciles what it still has to revoke and to receive.
func nextGenMemberCells(st *themes.Styles, g *kafkaclient.GroupInfo, m kafkaclient.GroupMember) []string {
	cells := memberCells(st, m, false)
	epoch := strconv.Itoa(int(m.MemberEpoch))
	switch {
	case m.MemberEpoch < 0:
		// A static member that left: its partitions wait for it until
		// its session times out.
		epoch = st.Muted.Render("away")
	case g.MemberReconciling(&m):
		epoch = st.Warn.Render("⟳" + epoch)
		var pending []string
		if rev := m.Revoking(); len(rev) > 0 {
			text, _ := sanitize.Plain(kafkaclient.PartitionsText(rev))
			pending = append(pending, st.Warn.Render("−"+text))
		}
		if rec := m.Receiving(); len(rec) > 0 {
			text, _ := sanitize.Plain(kafkaclient.PartitionsText(rec))
			pending = append(pending, st.Accent.Render("+"+text))
		}
		if len(pending) > 0 {
			cells[3] += " " + strings.Join(pending, " ")
		}
	}
	return slices.Insert(cells, 2, epoch)
}

// partColumnsOf are the partition columns of a group of type kind: a
// share group's position is its start offset, its lag what is left to
// deliver.
func partColumnsOf(kind string) []widget.Column {
	if kind != kafkaclient.TypeShare {
		return partColumns
	}
	cols := slices.Clone(partColumns)
	cols[3].Title = "START"
	cols[5].Title = "UNDELIV."
	cols[7].Title = "ACK/s"
	return cols
}

// kindSummary is what the summary line says of a consumer-protocol or
// share group after its member count: how it is assigned, and its epochs.
func (g *Group) kindSummary() []string {
	i := g.info
	kind, _ := sanitize.Plain(g.kind + " group")
	if g.kind == kafkaclient.TypeConsumer {
		kind = "consumer protocol"
	}
	if by, _ := sanitize.Plain(i.Protocol); by != "" {
		kind += " (" + by + ")"
	}
	parts := []string{kind, "epoch " + strconv.Itoa(int(i.Epoch))}
	if i.AssignmentEpoch != i.Epoch {
		parts = append(parts, "target at epoch "+strconv.Itoa(int(i.AssignmentEpoch)))
	}
	return parts
}

// reconcilingCount is how many members of a consumer-protocol group have
// not reached their target yet.
func reconcilingCount(g *kafkaclient.GroupInfo) int {
	n := 0
	for i := range g.Members {
		if g.MemberReconciling(&g.Members[i]) {
			n++
		}
	}
	return n
}
