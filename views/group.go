package views

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"kscope/kafkaclient"
	"kscope/themes"
	"kscope/views/sanitize"
	"kscope/views/widget"
)

// timelineEvents bounds what one group's timeline keeps in a session.
const timelineEvents = 10_000

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
// while the view is open, rebalances summarised.
//
// It keeps observing while a dialog covers it: one group is cheap to
// describe, and a gap would leave the timeline short of what happened.
type Group struct {
	c        *Common
	scope    Scope
	reader   GroupReader
	admin    GroupAdmin
	name     string
	info     kafkaclient.GroupInfo
	loaded   bool
	health   *kafkaclient.GroupHealth
	timeline *kafkaclient.Timeline
	members  *widget.Table
	parts    *widget.Table
	// tlBack is how many events the timeline pane is scrolled back from the newest.
	tlBack int
	focus  int
	width  int
	height int
	export *exportPrompt
}

// NewGroup makes the detail view of group name; its Init starts watching.
func NewGroup(c *Common, name string) *Group {
	g := &Group{c: c, reader: c.Client.Groups, admin: c.Client.GroupAdmin, name: name,
		health:   kafkaclient.NewGroupHealth(kafkaclient.DefaultHealthWindow, kafkaclient.DefaultHealthSamples),
		timeline: kafkaclient.NewTimeline(timelineEvents),
		members: widget.NewTable(c.Styles, &c.Keys.ListKeys, []widget.Column{
			{Title: "CLIENT ID", Width: 24},
			{Title: "HOST", Width: 18},
			{Title: "PARTS", Width: 5, Right: true},
			{Title: "ASSIGNED"},
			{Title: "MEMBER ID", Width: 30},
		}),
		parts: widget.NewTable(c.Styles, &c.Keys.ListKeys, []widget.Column{
			{Title: "TOPIC"},
			{Title: "P", Width: 3, Right: true},
			{Title: "OWNER", Width: 18},
			{Title: "COMMITTED", Width: 10, Right: true},
			{Title: "LOG END", Width: 10, Right: true},
			{Title: "LAG", Width: 8, Right: true},
			{Title: "TREND", Width: 10},
			{Title: "CONS/s", Width: 6, Right: true},
			{Title: "PROD/s", Width: 6, Right: true},
			{Title: "CATCH-UP", Width: 14},
			{Title: "STATUS", Width: 6},
		}),
	}
	g.members.Empty = "no members"
	g.parts.Empty = "loading…"
	g.setFocus(paneParts)
	return g
}

// setFocus moves the keys to pane; the other tables hide their cursor.
func (g *Group) setFocus(pane int) {
	g.focus = pane
	g.parts.Blurred = pane != paneParts
	g.members.Blurred = pane != paneMembers
}

// Init implements View.
func (g *Group) Init(s Scope) tea.Cmd {
	g.scope = s
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
		switch {
		case key.Matches(msg, k.Focus):
			g.setFocus((g.focus + 1) % panes)
		case key.Matches(msg, k.Export):
			g.export = newExportPrompt(g.c, g.scope, g.exportJob, g.name+"-timeline", g.width)
			return g, g.export.focus()
		case key.Matches(msg, k.ResetOffsets):
			if g.loaded {
				return g, resetOffsetsDialog(g.c, g.admin, g.info)
			}
		case key.Matches(msg, k.DeleteOffsets):
			if r, ok := g.parts.Selected(); ok {
				topic := r.Key[:strings.LastIndexByte(r.Key, '/')]
				return g, deleteOffsetsDialog(g.c, g.admin, g.name, topic)
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
		mrows[i] = widget.Row{Key: m.ID, Search: strings.ToLower(m.ClientID + " " + m.Host + " " + m.ID), Cells: widget.FixedCells(memberCells(st, m)...)}
	}
	g.members.SetRows(mrows)

	prows := make([]widget.Row, len(g.info.Offsets))
	for i, o := range g.info.Offsets {
		status, w := g.health.Partition(o.TopicPartition, g.info.At)
		owner := clients[o.Owner]
		prows[i] = widget.Row{
			Key:    o.Topic + "/" + strconv.Itoa(int(o.Partition)),
			Search: strings.ToLower(o.Topic + " " + strconv.Itoa(int(o.Partition)) + " " + owner),
			Cells:  func() []string { return partitionLagCells(st, o, owner, status, w) },
		}
	}
	g.parts.Empty = "no committed offsets and no assignments"
	if g.info.Err != nil {
		g.parts.Empty = g.info.Err.Error()
	}
	g.parts.SetRows(prows)
}

func memberCells(st *themes.Styles, m kafkaclient.GroupMember) []string {
	client, _ := sanitize.Styled(m.ClientID, st.Escape)
	host, _ := sanitize.Styled(m.Host, st.Escape)
	id, _ := sanitize.Styled(m.ID, st.Escape)
	n := strconv.Itoa(len(m.Assigned))
	assigned := compactPartitions(m.Assigned)
	if len(m.Assigned) == 0 {
		// More members than partitions, or caught mid-rebalance.
		n, assigned = st.Warn.Render(n), st.Warn.Render("none")
	} else {
		assigned, _ = sanitize.Styled(assigned, st.Escape)
	}
	return []string{client, host, n, assigned, st.Muted.Render(id)}
}

// compactPartitions writes partitions as "orders/0,1,5 payments/2".
func compactPartitions(tps []kafkaclient.TopicPartition) string {
	var b strings.Builder
	for i, tp := range tps {
		switch {
		case i == 0:
			b.WriteString(tp.Topic + "/")
		case tps[i-1].Topic != tp.Topic:
			b.WriteString(" " + tp.Topic + "/")
		default:
			b.WriteByte(',')
		}
		b.WriteString(strconv.Itoa(int(tp.Partition)))
	}
	return b.String()
}

func partitionLagCells(st *themes.Styles, o kafkaclient.PartitionOffsets, owner string, status kafkaclient.Status, w *kafkaclient.Window) []string {
	dash := st.Muted.Render("—")
	topic, _ := sanitize.Styled(o.Topic, st.Escape)
	ownerCell := st.Muted.Render("(none)")
	if o.Owner != "" {
		ownerCell, _ = sanitize.Styled(owner, st.Escape)
	}
	committed, end, lagCell := dash, dash, dash
	if o.Committed >= 0 {
		committed = count(o.Committed)
	}
	if o.LogEnd >= 0 {
		end = count(o.LogEnd)
	}
	lag, hasLag := o.Lag()
	if hasLag {
		lagCell = count(lag)
	}
	trend, cons, prod, eta := "", dash, dash, dash
	if w != nil {
		trend = st.Accent.Render(widget.Sparkline(w.Lags(), 10))
		if c, p, ok := w.Rates(); ok {
			cons, prod = rate(c), rate(p)
			eta = catchUp(st, lag, hasLag, c, p)
		}
	}
	return []string{topic, strconv.Itoa(int(o.Partition)), ownerCell, committed, end, lagCell, trend, cons, prod, eta, statusCell(st, status)}
}

func rate(r float64) string {
	if r >= 100 {
		return strconv.FormatFloat(r, 'f', 0, 64)
	}
	return strconv.FormatFloat(r, 'f', 1, 64)
}

// catchUp is how long the lag takes to clear at the current rates. Rates
// measured from commits wobble, so within 5% of each other they count as
// keeping up rather than as a verdict either way.
func catchUp(st *themes.Styles, lag int64, hasLag bool, consume, produce float64) string {
	switch {
	case !hasLag:
		return st.Muted.Render("—")
	case lag == 0:
		return st.OK.Render("caught up")
	case consume < produce*0.95:
		return st.Warn.Render("falling behind")
	case consume <= produce*1.05:
		return st.Text.Render("keeping up")
	}
	d := time.Duration(float64(lag) / (consume - produce) * float64(time.Second))
	return d.Round(time.Second).String()
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

func (g *Group) summary() string {
	st := g.c.Styles
	if !g.loaded {
		return st.Muted.Render("observing…")
	}
	i := g.info
	gen := "?"
	if i.Generation >= 0 {
		gen = strconv.Itoa(int(i.Generation))
	}
	kind, _ := sanitize.Plain(i.ProtocolType + "/" + i.Protocol)
	parts := []string{
		stateCell(st, i.State),
		kind,
		"generation " + gen,
		fmt.Sprintf("%d members", len(i.Members)),
		"lag " + count(i.TotalLag()),
		"status " + statusCell(st, g.health.Status(i.At)),
		fmt.Sprintf("rebalances seen %d", g.timeline.Rebalances()),
		fmt.Sprintf("coordinator %d", i.Coordinator),
	}
	if g.timeline.Rebalancing() {
		parts = append(parts, st.Warn.Render("⟳ rebalancing"))
	}
	return ansi.Truncate(strings.Join(parts, st.Muted.Render(" · ")), g.width, "…")
}

func (g *Group) timelineLines(h int) []string {
	st := g.c.Styles
	n := g.timeline.Len()
	title := fmt.Sprintf("TIMELINE (%d events)", n)
	if g.tlBack > 0 {
		title += fmt.Sprintf(" — %d newer below", g.tlBack)
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
	case kafkaclient.EventRebalanceEnded, kafkaclient.EventRebalanceStarted:
		return st.Accent
	case kafkaclient.EventMemberLeft, kafkaclient.EventPartitionUnowned:
		return st.Warn
	case kafkaclient.EventMemberJoined, kafkaclient.EventPartitionAssigned:
		return st.OK
	case kafkaclient.EventError, kafkaclient.EventGroupGone:
		return st.Error
	}
	return st.Text
}

// exportedEvent is one timeline event as a JSON Lines row.
type exportedEvent struct {
	At        string                        `json:"at"`
	Group     string                        `json:"group"`
	Kind      string                        `json:"kind"`
	Text      string                        `json:"text"`
	Member    string                        `json:"member,omitempty"`
	ClientID  string                        `json:"client_id,omitempty"`
	Host      string                        `json:"host,omitempty"`
	Topic     string                        `json:"topic,omitempty"`
	Partition *int32                        `json:"partition,omitempty"`
	From      string                        `json:"from,omitempty"`
	To        string                        `json:"to,omitempty"`
	Rebalance int                           `json:"rebalance,omitempty"`
	Summary   *kafkaclient.RebalanceSummary `json:"summary,omitempty"`
}

var eventKinds = map[kafkaclient.TimelineKind]string{
	kafkaclient.EventMemberJoined:      "member_joined",
	kafkaclient.EventMemberLeft:        "member_left",
	kafkaclient.EventStateChanged:      "state_changed",
	kafkaclient.EventGenerationChanged: "generation_changed",
	kafkaclient.EventPartitionMoved:    "partition_moved",
	kafkaclient.EventPartitionUnowned:  "partition_unowned",
	kafkaclient.EventPartitionAssigned: "partition_assigned",
	kafkaclient.EventRebalanceStarted:  "rebalance_started",
	kafkaclient.EventRebalanceEnded:    "rebalance_ended",
	kafkaclient.EventGroupGone:         "group_gone",
	kafkaclient.EventError:             "error",
}

func (g *Group) exportJob() exportJob {
	events, group := g.timeline.Events(), g.name
	return exportJob{n: len(events), noun: "events", write: func(w io.Writer) error {
		bw := bufio.NewWriter(w)
		enc := json.NewEncoder(bw)
		for _, e := range events {
			row := exportedEvent{At: e.At.UTC().Format(time.RFC3339Nano), Group: group, Kind: eventKinds[e.Kind], Text: e.Text(),
				Member: e.Member, ClientID: e.ClientID, Host: e.Host, From: e.From, To: e.To, Rebalance: e.Rebalance, Summary: e.Summary}
			if e.Partition.Topic != "" {
				p := e.Partition.Partition
				row.Topic, row.Partition = e.Partition.Topic, &p
			}
			if err := enc.Encode(row); err != nil {
				return err
			}
		}
		return bw.Flush()
	}}
}

// ShortHelp implements help.KeyMap.
func (g *Group) ShortHelp() []key.Binding {
	k := g.c.Keys
	return []key.Binding{k.Focus, k.Export, k.ResetOffsets, k.DeleteOffsets}
}

// FullHelp implements help.KeyMap.
func (g *Group) FullHelp() [][]key.Binding {
	k := g.c.Keys
	return [][]key.Binding{{k.Focus, k.Export, k.ResetOffsets, k.DeleteOffsets}, k.Movement()}
}
