package views

import (
	"context"
	"strconv"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"kscope/kafkaclient"
	"kscope/views/sanitize"
	"kscope/views/widget"
)

// GroupLoaded answers a Group view's observation.
type GroupLoaded struct {
	Info kafkaclient.GroupInfo
	Err  error
}

type groupTick struct{}

const (
	paneParts = iota
	paneMembers
	paneTimeline
	panes
)

// Group is one consumer group up close: its members, its lag per
// partition with rates and health, and the timeline of every change seen
// while the view is open, rebalances summarised. Its health windows and
// timeline live in the session's GroupHistory, so reopening the group
// goes on from what was seen before.
//
// It keeps observing while a dialog covers it: one group is cheap to
// describe, and a gap would leave the timeline short of what happened.
type Group struct {
	c      *Common
	scope  Scope
	reader GroupReader
	admin  GroupAdmin
	share  ShareAdmin
	name   string
	info   kafkaclient.GroupInfo
	loaded bool
	// kind is the group's type as shown (classic until the first
	// observation says otherwise): its members' and partitions' columns
	// depend on it.
	kind string
	// membersWide: the members table has room for the member IDs.
	membersWide bool
	health      *kafkaclient.GroupHealth
	timeline    *kafkaclient.Timeline
	members     *widget.Table
	parts       *widget.Table
	// tlBack is how many events the timeline pane is scrolled back from the newest.
	tlBack int
	focus  int
	width  int
	height int
	export *exportPrompt
}

// partColumns are the partition table's columns. Narrow, the offsets and
// rates give way first, so that at 80 columns the owner, the lag, its
// trend, the catch-up and the status stay whole.
var partColumns = []widget.Column{
	{Title: "TOPIC", Essential: true, Priority: 10, Min: 10, Cut: widget.CutMiddle},
	{Title: "P", Right: true, Cut: widget.CutNever, Essential: true, Priority: 9},
	{Title: "OWNER", Priority: 5, Min: 10, Cut: widget.CutMiddle},
	{Title: "COMMITTED", Short: "COMMIT", Right: true, Cut: widget.CutNever, Priority: 3},
	{Title: "LOG END", Short: "END", Right: true, Cut: widget.CutNever, Priority: 2},
	{Title: "LAG", Right: true, Cut: widget.CutNever, Essential: true, Priority: 8},
	{Title: "TREND", Width: 10, Min: 10, Priority: 4},
	{Title: "CONS/s", Right: true, Cut: widget.CutNever, Priority: 1},
	{Title: "PROD/s", Right: true, Cut: widget.CutNever, Priority: 1},
	{Title: "CATCH-UP", Essential: true, Priority: 6, Cut: widget.CutNever},
	{Title: "STATUS", Essential: true, Priority: 7},
}

// NewGroup makes the detail view of group name; its Init starts watching.
func NewGroup(c *Common, name string) *Group {
	history := groupHistory(c)
	g := &Group{c: c, reader: c.Client.Groups, admin: c.Client.GroupAdmin, share: c.Client.ShareAdmin, name: name,
		health:   history.Group(name).Health,
		timeline: history.Timeline(name),
		kind:     kafkaclient.TypeClassic,
	}
	g.setMemberColumns()
	g.setPartColumns()
	g.parts.Empty = "loading…"
	g.setFocus(paneParts)
	return g
}

// groupHistory is the session's store, or one of the view's own when
// the root set none (tests build a Common by hand).
func groupHistory(c *Common) *kafkaclient.GroupHistory {
	if c.GroupHistory == nil {
		c.GroupHistory = kafkaclient.NewGroupHistory(0)
	}
	return c.GroupHistory
}

// setPartColumns gives the parts table the columns of the group's type,
// keeping the rows, the filter and the row under the cursor. The table
// hides the columns of least priority when the terminal is narrow.
func (g *Group) setPartColumns() {
	old := g.parts
	g.parts = widget.NewTable(g.c.Styles, &g.c.Keys.ListKeys, partColumnsOf(g.kind))
	g.parts.SetMatcher(listFilter)
	if old == nil {
		return
	}
	g.parts.Empty, g.parts.Blurred = old.Empty, old.Blurred
	g.parts.SetFilter(old.Filter())
	g.parts.SetSize(g.width, max(g.height, 2))
	g.rebuild()
	if sel, ok := old.Selected(); ok {
		for shown, _ := g.parts.Counts(); shown > 0; shown-- {
			if r, _ := g.parts.Selected(); r.Key == sel.Key {
				break
			}
			g.parts.Move(1)
		}
	}
}

// setFocus moves the keys to pane; the other tables hide their cursor.
func (g *Group) setFocus(pane int) {
	g.focus = pane
	g.parts.Blurred = pane != paneParts
	g.members.Blurred = pane != paneMembers
}

// Init implements View. A timeline the session kept from an earlier visit
// notes the time nobody watched.
func (g *Group) Init(s Scope) tea.Cmd {
	g.scope = s
	g.timeline.Resume(g.c.Now())
	return g.load()
}

func (g *Group) load() tea.Cmd {
	reader, name, now := g.reader, g.name, g.c.Now
	return g.scope.Do(func(ctx context.Context) tea.Msg {
		ctx, cancel := context.WithTimeout(ctx, 15*time.Second)
		defer cancel()
		info, err := reader.Group(ctx, name)
		if info.At.IsZero() {
			info.At = now()
		}
		return GroupLoaded{Info: info, Err: err}
	})
}

func (g *Group) every() time.Duration {
	if g.c.GroupEvery > 0 {
		return g.c.GroupEvery
	}
	return DefaultGroupEvery
}

// Title implements View.
func (g *Group) Title() string {
	name, _ := sanitize.Plain(g.name)
	return "group " + name
}

// SetSize implements View.
func (g *Group) SetSize(w, h int) {
	g.width, g.height = w, h
	g.layout()
}

// paneHeights splits the body: a summary line, the members (up to six),
// the timeline (a third, at most twelve lines) and the partitions the rest.
func (g *Group) paneHeights() (members, parts, timeline int) {
	body := max(g.height-1, 6)
	members = min(max(len(g.info.Members), 1)+1, 7)
	timeline = min(max(body/3, 3), 12)
	parts = max(body-members-timeline, 3)
	return
}

func (g *Group) layout() {
	if wide := g.width >= wideMembers; wide != g.membersWide {
		g.membersWide = wide
		g.setMemberColumns()
		g.rebuild()
	}
	mh, ph, _ := g.paneHeights()
	g.members.SetSize(g.width, mh)
	g.parts.SetSize(g.width, ph)
}

// Filter implements Filterable.
func (g *Group) Filter() string { return g.parts.Filter() }

// SetFilter implements Filterable: it filters the partitions.
func (g *Group) SetFilter(f string) error {
	g.parts.SetFilter(f)
	return nil
}

// CapturesInput implements InputCapturer while the export prompt is open.
func (g *Group) CapturesInput() bool { return g.export != nil }

// Update implements View.
func (g *Group) Update(msg tea.Msg) (View, tea.Cmd) {
	if km, isKey := msg.(tea.KeyPressMsg); isKey && g.export != nil {
		cmd, done, _ := g.export.update(km)
		if done {
			g.export = nil
		}
		return g, cmd
	}
	k := g.c.Keys
	switch msg := msg.(type) {
	case GroupLoaded:
		g.observe(msg.Info)
		return g, g.scope.After(g.every(), groupTick{})
	case groupTick:
		return g, g.load()
	case exportExists:
		g.export = msg.reopen()
	case ThemeChanged:
		g.rebuild()
	case tea.KeyPressMsg:
		if cmd := k.refused(msg, g.FullHelp()); cmd != nil {
			return g, cmd
		}
		switch {
		case key.Matches(msg, k.Focus):
			g.setFocus((g.focus + 1) % panes)
		case key.Matches(msg, k.Export):
			g.export = newExportPrompt(g.c, g.scope, g.exportJob, g.name+"-timeline", g.width)
			return g, g.export.focus()
		case key.Matches(msg, k.ResetOffsets):
			switch {
			case g.loaded && g.kind == kafkaclient.TypeShare:
				return g, shareResetDialog(g.c, g.share, g.info)
			case g.loaded:
				return g, resetOffsetsDialog(g.c, g.admin, g.info)
			}
		case key.Matches(msg, k.DeleteOffsets):
			if r, ok := g.parts.Selected(); ok {
				topic := r.Key[:strings.LastIndexByte(r.Key, '/')]
				if g.kind == kafkaclient.TypeShare {
					return g, deleteShareOffsetsDialog(g.c, g.share, g.info, topic)
				}
				return g, deleteOffsetsDialog(g.c, g.admin, g.info, topic)
			}
		case g.focus == paneMembers && key.Matches(msg, k.OpenMember):
			if r, ok := g.members.Selected(); ok {
				if m := g.info.Member(r.Key); m != nil {
					return g, push(newMemberDetail(g.c, g.info, *m))
				}
			}
		case g.focus == paneTimeline:
			g.scrollTimeline(msg)
		case g.focus == paneMembers:
			g.members.Update(msg)
		default:
			g.parts.Update(msg)
		}
	case tea.MouseWheelMsg:
		g.parts.Update(msg)
	}
	return g, nil
}

func (g *Group) scrollTimeline(msg tea.KeyPressMsg) {
	k := g.c.Keys
	n := g.timeline.Len()
	switch {
	case key.Matches(msg, k.Up):
		g.tlBack++
	case key.Matches(msg, k.Down):
		g.tlBack--
	case key.Matches(msg, k.PageUp):
		g.tlBack += 10
	case key.Matches(msg, k.PageDown):
		g.tlBack -= 10
	case key.Matches(msg, k.Top):
		g.tlBack = n
	case key.Matches(msg, k.Bottom):
		g.tlBack = 0
	}
	g.tlBack = min(max(g.tlBack, 0), max(n-1, 0))
}

func (g *Group) observe(info kafkaclient.GroupInfo) {
	if g.tlBack > 0 {
		// Keep the lines being read where they are as new events arrive.
		before := g.timeline.Len()
		defer func() { g.tlBack += g.timeline.Len() - before }()
	}
	g.timeline.Observe(info)
	if info.Err != nil && g.loaded {
		// Keep the last good data on screen; the timeline says what failed.
		return
	}
	g.info, g.loaded = info, true
	if kind := groupType(info); kind != g.kind {
		g.kind = kind
		g.setMemberColumns()
		g.setPartColumns()
	}
	g.health.Observe(info.At, info.Offsets)
	g.layout()
	g.rebuild()
}

func (g *Group) rebuild() {
	if !g.loaded {
		return
	}
	st := g.c.Styles
	clients := map[string]string{}
	mrows := make([]widget.Row, len(g.info.Members))
	for i, m := range g.info.Members {
		clients[m.ID] = m.ClientID
		mrows[i] = widget.Row{Key: m.ID, Search: strings.ToLower(m.ClientID + " " + m.Host + " " + m.ID), Cells: widget.FixedCells(g.memberRow(m)...)}
	}
	g.members.SetRows(mrows)

	members := len(g.info.Members)
	prows := make([]widget.Row, len(g.info.Offsets))
	for i, o := range g.info.Offsets {
		owner, known := g.timeline.Owner(o.TopicPartition)
		if known {
			// The timeline's owners lag the observation only while the
			// group rebalances; outside one the observation's word is law.
			owner = o.Owner
		}
		// A partition whose owner is not reported is consumed as far as
		// anyone can tell; one with no owner, or in a group without
		// members, is not.
		consumed := members > 0 && (!known || owner != "")
		verdict := g.health.Judge(o.TopicPartition, g.info.At, consumed)
		_, w := g.health.Partition(o.TopicPartition, g.info.At)
		p := partitionRow{o: o, owner: clients[owner], ownerKnown: known, members: members, verdict: verdict, window: w,
			sharers: len(o.Sharers)}
		if g.kind == kafkaclient.TypeConsumer && o.Target != owner {
			p.target, p.moving = clients[o.Target], true
		}
		prows[i] = widget.Row{
			Key:    o.Topic + "/" + strconv.Itoa(int(o.Partition)),
			Search: strings.ToLower(o.Topic + " " + strconv.Itoa(int(o.Partition)) + " " + clients[owner]),
			Cells:  func() []string { return p.cells(st) },
		}
	}
	g.parts.Empty = "no committed offsets and no assignments"
	if g.info.Err != nil {
		g.parts.Empty = g.info.Err.Error()
	}
	g.parts.SetRows(prows)
}

// ShortHelp implements help.KeyMap.
func (g *Group) ShortHelp() []key.Binding {
	k := g.c.Keys
	return []key.Binding{k.Focus, k.OpenMember, k.Export, k.ResetOffsets, k.DeleteOffsets}
}

// FullHelp implements help.KeyMap: the keys, then what the statuses and
// the row markers mean.
func (g *Group) FullHelp() [][]key.Binding {
	k := g.c.Keys
	return [][]key.Binding{
		append([]key.Binding{k.Focus, k.OpenMember, k.Export, k.ResetOffsets, k.DeleteOffsets}, healthLegend()...),
		append(k.Movement(), groupMarkerLegend()...),
	}
}
