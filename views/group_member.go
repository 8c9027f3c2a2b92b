package views

import (
	"slices"
	"strconv"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"kscope/kafkaclient"
	"kscope/views/sanitize"
	"kscope/views/widget"
)

// memberLabel is the width of the labels of a member's detail.
const memberLabel = 14

// MemberDetail shows one member of a group whole: its IDs, its host, its
// full assignment and what it reported when it joined (in a
// consumer-protocol group, its epoch and target and what it still has to
// revoke and receive), wrapped to the width, as the members table has
// room for only a part of it.
type MemberDetail struct {
	c *Common
	// g is the observation the member was opened from.
	g      kafkaclient.GroupInfo
	m      kafkaclient.GroupMember
	lines  []string
	scroll int
	width  int
	height int
}

func newMemberDetail(c *Common, g kafkaclient.GroupInfo, m kafkaclient.GroupMember) *MemberDetail {
	return &MemberDetail{c: c, g: g, m: m}
}

// Init implements View.
func (d *MemberDetail) Init(Scope) tea.Cmd { return nil }

// Title implements View.
func (d *MemberDetail) Title() string {
	name, _ := sanitize.Plain(d.m.ClientID)
	return "member " + name
}

// SetSize implements View; the lines are wrapped here, not in View.
func (d *MemberDetail) SetSize(w, h int) {
	d.width, d.height = w, h
	d.layout()
}

func (d *MemberDetail) layout() {
	st := d.c.Styles
	m := d.m
	text := max(d.width-memberLabel, 10)
	var lines []string
	field := func(label, value string) {
		wrapped := strings.Split(ansi.Wrap(value, text, " ,"), "\n")
		for i, l := range wrapped {
			if i == 0 {
				lines = append(lines, st.Muted.Render(widget.Fit(label, memberLabel, false))+l)
			} else {
				lines = append(lines, strings.Repeat(" ", memberLabel)+l)
			}
		}
	}
	styled := func(s string) string {
		out, _ := sanitize.Styled(s, st.Escape)
		return out
	}
	missing := func(s string) string { return st.Muted.Render(s) }

	field("group", styled(d.g.Name))
	field("member id", styled(m.ID))
	field("client id", styled(m.ClientID))
	field("host", styled(m.Host))
	switch {
	case m.InstanceID != "":
		field("instance id", styled(m.InstanceID))
	case d.g.Type != kafkaclient.TypeShare:
		field("instance id", missing("none (dynamic member)"))
	}
	if !d.g.IsClassic() {
		d.nextGenLines(field, styled, missing)
		d.lines = lines
		d.scrollBy(0)
		return
	}
	switch {
	case d.g.Rebalancing():
		field("assigned", missing("not reported while the group rebalances"))
	case len(m.Assigned) == 0:
		field("assigned", st.Warn.Render("nothing"))
	default:
		field("assigned", nounCount(len(m.Assigned), "partition"))
		for _, t := range byTopic(m.Assigned) {
			field("", styled(t))
		}
	}
	s := m.Subscription
	if s == nil {
		field("subscription", missing("not reported (the group rebalances, or is not a consumer group)"))
	} else {
		field("subscribed", styled(strings.Join(s.Topics, ", ")))
		switch {
		case s.Version < 1:
			field("owned on join", missing("not reported (subscription v0)"))
		case len(s.Owned) == 0:
			field("owned on join", "nothing")
		default:
			field("owned on join", styled(kafkaclient.PartitionsText(s.Owned)))
		}
		if s.Generation >= 0 {
			field("generation", "had "+strconv.Itoa(int(s.Generation))+" when it joined")
		}
		if s.Rack != "" {
			field("rack", styled(s.Rack))
		}
	}
	d.lines = lines
	d.scrollBy(0)
}

// byTopic lists partitions as "orders: 0 1 2 5", one topic a line.
func byTopic(tps []kafkaclient.TopicPartition) []string {
	var out []string
	for i, tp := range tps {
		if i == 0 || tps[i-1].Topic != tp.Topic {
			out = append(out, tp.Topic+":")
		}
		out[len(out)-1] += " " + strconv.Itoa(int(tp.Partition))
	}
	return out
}

func (d *MemberDetail) scrollBy(n int) {
	d.scroll = min(max(d.scroll+n, 0), max(len(d.lines)-d.height, 0))
}

// Update implements View.
func (d *MemberDetail) Update(msg tea.Msg) (View, tea.Cmd) {
	switch msg := msg.(type) {
	case ThemeChanged:
		d.layout()
	case tea.KeyPressMsg:
		if delta, ok := d.c.Keys.Step(msg, d.height, len(d.lines)); ok {
			d.scrollBy(delta)
		}
	}
	return d, nil
}

// View implements View.
func (d *MemberDetail) View() string {
	end := min(d.scroll+d.height, len(d.lines))
	out := make([]string, 0, d.height)
	for _, l := range d.lines[d.scroll:end] {
		out = append(out, ansi.Truncate(l, d.width, "…"))
	}
	return strings.Join(out, "\n")
}

// ShortHelp implements help.KeyMap.
func (d *MemberDetail) ShortHelp() []key.Binding { return nil }

// FullHelp implements help.KeyMap.
func (d *MemberDetail) FullHelp() [][]key.Binding {
	return [][]key.Binding{d.c.Keys.Movement()}
}

// nextGenLines are the lines of a consumer-protocol or share group's
// member, which its coordinator reports whole at every describe.
func (d *MemberDetail) nextGenLines(field func(label, value string), styled, missing func(string) string) {
	st, m, g := d.c.Styles, d.m, &d.g
	epoch := strconv.Itoa(int(m.MemberEpoch))
	switch {
	case m.MemberEpoch < 0:
		field("epoch", st.Muted.Render("away: a static member that left; its partitions wait for it until its session times out"))
	case m.MemberEpoch < g.Epoch:
		field("epoch", st.Warn.Render(epoch+", behind the group's "+strconv.Itoa(int(g.Epoch))))
	default:
		field("epoch", epoch)
	}
	if m.Rack != "" {
		field("rack", styled(m.Rack))
	}
	switch {
	case m.SubscribedRegex != "":
		field("subscribed", "pattern "+styled(m.SubscribedRegex))
	default:
		field("subscribed", styled(strings.Join(m.Subscribed, ", ")))
	}
	partitions := func(label string, tps []kafkaclient.TopicPartition, none string) {
		if len(tps) == 0 {
			field(label, missing(none))
			return
		}
		field(label, nounCount(len(tps), "partition"))
		for _, t := range byTopic(tps) {
			field("", styled(t))
		}
	}
	partitions("assigned", m.Assigned, "nothing")
	if g.Type != kafkaclient.TypeConsumer {
		return
	}
	if !g.MemberReconciling(&m) {
		field("target", "reached")
		return
	}
	partitions("target", m.Target, "nothing")
	if rev := m.Revoking(); len(rev) > 0 {
		field("to revoke", st.Warn.Render(styled(kafkaclient.PartitionsText(rev))))
	}
	// A partition another member still owns comes once that member has
	// revoked it.
	for _, p := range m.Receiving() {
		text := styled(p.Topic + "/" + strconv.Itoa(int(p.Partition)))
		if o := ownerOf(g, p); o != nil && o.ID != m.ID {
			text += st.Muted.Render(" once ") + styled(o.ClientID) + st.Muted.Render(" revokes it")
		}
		field("to receive", text)
	}
}

// ownerOf is the member of g that owns p now, or nil.
func ownerOf(g *kafkaclient.GroupInfo, p kafkaclient.TopicPartition) *kafkaclient.GroupMember {
	for i := range g.Members {
		if slices.Contains(g.Members[i].Assigned, p) {
			return &g.Members[i]
		}
	}
	return nil
}
