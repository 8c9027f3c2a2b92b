package views

import (
	"cmp"
	"strconv"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"kscope/kafkaclient"
	"kscope/themes"
	"kscope/views/sanitize"
	"kscope/views/widget"
)

// Default observation intervals: the list is cheap to refresh slowly; an
// open group is watched closely enough to catch its rebalances.
const (
	DefaultGroupsEvery = 5 * time.Second
	DefaultGroupEvery  = 500 * time.Millisecond
)

// GroupsLoaded answers a groupsPoll's observation.
type GroupsLoaded struct {
	Groups []kafkaclient.GroupInfo
	Err    error
	At     time.Time
}

// Groups lists the consumer groups with their lag, its trend and health.
type Groups struct {
	*widget.List[kafkaclient.GroupInfo]
	groupsPoll
	admin GroupAdmin
	// loaded is set once an observation arrived.
	loaded bool
	groups []kafkaclient.GroupInfo
	// history is the session's: health and lag trends outlive the view.
	history *kafkaclient.GroupHistory
	err     error
	at      time.Time
}

// trendWidth is the cells of the list's lag sparkline.
const trendWidth = 10

// The columns the list sorts by.
const (
	groupColName   = 0
	groupColType   = 1
	groupColState  = 2
	groupColLag    = 6
	groupColStatus = 8
)

// NewGroups makes the groups list; its Init starts observing.
func NewGroups(c *Common) *Groups {
	type gi = kafkaclient.GroupInfo
	g := &Groups{groupsPoll: groupsPoll{c: c, reader: c.Client.Groups}, admin: c.Client.GroupAdmin, history: groupHistory(c)}
	// Worst first when sorted by status: the groups in trouble on top.
	byHealth := func(a, b gi) int { return cmp.Compare(g.status(a.Name), g.status(b.Name)) }
	g.List = newList(c, "groups", []widget.Column{
		{Title: "GROUP", Essential: true, Priority: 10, Min: 12, Cut: widget.CutMiddle},
		{Title: "TYPE", Priority: 4, Min: 5},
		{Title: "STATE", Priority: 6, Min: 6},
		{Title: "PROTOCOL", Short: "PROTO", Priority: 3, Min: 8, Cut: widget.CutMiddle},
		{Title: "MEMBERS", Short: "MEMB", Right: true, Cut: widget.CutNever, Priority: 5},
		{Title: "TOPICS", Right: true, Cut: widget.CutNever, Priority: 2},
		{Title: "LAG", Right: true, Cut: widget.CutNever, Essential: true, Priority: 8},
		{Title: "TREND", Width: trendWidth, Min: trendWidth, Priority: 1},
		{Title: "STATUS", Essential: true, Priority: 7},
	},
		widget.Sort[gi]{Column: groupColName, Compare: func(a, b gi) int { return strings.Compare(a.Name, b.Name) }},
		widget.Sort[gi]{Column: groupColState, Compare: func(a, b gi) int { return strings.Compare(a.State, b.State) }},
		widget.Sort[gi]{Column: groupColLag, Desc: true, Compare: func(a, b gi) int { return cmp.Compare(a.TotalLag(), b.TotalLag()) }},
		widget.Sort[gi]{Column: groupColType, Compare: func(a, b gi) int { return strings.Compare(groupType(a), groupType(b)) }},
		widget.Sort[gi]{Column: groupColStatus, Desc: true, Compare: byHealth},
	)
	g.Empty = "loading groups…"
	return g
}

// Init implements View.
func (g *Groups) Init(s Scope) tea.Cmd {
	g.scope = s
	return g.load()
}

// status is group name's health as of the latest observation.
func (g *Groups) status(name string) kafkaclient.Status {
	return g.history.Group(name).Health.Status(g.at)
}

// Names are the groups of the latest observation.
func (g *Groups) Names() []string {
	names := make([]string, len(g.groups))
	for i, gi := range g.groups {
		names[i] = gi.Name
	}
	return names
}

// Update implements View.
func (g *Groups) Update(msg tea.Msg) (View, tea.Cmd) {
	k := g.c.Keys
	switch msg := msg.(type) {
	case GroupsLoaded:
		next := g.arrived()
		g.err = msg.Err
		if msg.Err != nil {
			return g, tea.Batch(next, notify("groups: "+msg.Err.Error(), true))
		}
		g.observe(msg.Groups, msg.At)
		g.rebuild()
		return g, next
	case groupsTick:
		return g, g.tick(msg)
	case Changed:
		// A group was changed (deleted, say): the list says so now, not
		// at the next tick.
		if msg.Group != "" {
			return g, g.now()
		}
	case ThemeChanged:
		g.rebuild()
	case tea.KeyPressMsg:
		if cmd := k.refused(msg, g.FullHelp()); cmd != nil {
			return g, cmd
		}
		switch {
		case key.Matches(msg, k.OpenGroup):
			if r, ok := g.Selected(); ok {
				return g, push(NewGroup(g.c, r.Key))
			}
		case key.Matches(msg, k.ShowACLs):
			if r, ok := g.Selected(); ok {
				return g, push(NewACLsOf(g.c, "GROUP", r.Key))
			}
		case key.Matches(msg, k.DeleteGroup):
			if r, ok := g.Selected(); ok {
				for _, gi := range g.groups {
					switch {
					case gi.Name == r.Key && gi.Type == kafkaclient.TypeShare:
						return g, deleteShareGroupDialog(g.c, g.admin, gi)
					case gi.Name == r.Key:
						return g, deleteGroupDialog(g.c, g.admin, gi)
					}
				}
			}
		default:
			g.List.Update(msg)
		}
	case tea.MouseWheelMsg:
		g.List.Update(msg)
	}
	return g, nil
}

// observe records one refresh in each group's health and lag history,
// which the session keeps, forgetting groups that are gone.
func (g *Groups) observe(groups []kafkaclient.GroupInfo, at time.Time) {
	gone := map[string]bool{}
	for _, gi := range g.groups {
		gone[gi.Name] = true
	}
	// An empty answer is an answer: the last group deleted leaves the list.
	g.groups, g.at, g.loaded = groups, at, true
	for _, gi := range groups {
		delete(gone, gi.Name)
	}
	recordGroups(g.history, groups, at)
	for name := range gone {
		g.history.Forget(name)
	}
}

// recordGroups adds an observation of groups to the session's history:
// a sample for each group's health windows and lag trend.
func recordGroups(h *kafkaclient.GroupHistory, groups []kafkaclient.GroupInfo, at time.Time) {
	for _, gi := range groups {
		r := h.Group(gi.Name)
		r.Health.Observe(at, gi.Offsets)
		lag := int64(-1)
		if gi.Err == nil && hasLag(gi) {
			lag = gi.TotalLag()
		}
		r.AddLag(lag)
	}
}

func hasLag(g kafkaclient.GroupInfo) bool {
	for _, o := range g.Offsets {
		if _, ok := o.Lag(); ok {
			return true
		}
	}
	return false
}

func (g *Groups) rebuild() {
	if !g.loaded {
		return
	}
	st := g.c.Styles
	g.Empty = "no consumer groups"
	g.SetItems(g.groups, func(gi kafkaclient.GroupInfo) widget.Row {
		status, hist := g.status(gi.Name), g.history.Group(gi.Name).Lags()
		return widget.Row{
			Key:    gi.Name,
			Search: strings.ToLower(gi.Name + " " + groupType(gi) + " " + gi.State + " " + strings.Join(gi.Topics(), " ")),
			Cells:  func() []string { return groupCells(st, gi, status, hist) },
		}
	})
}

func groupCells(st *themes.Styles, g kafkaclient.GroupInfo, status kafkaclient.Status, hist []int64) []string {
	name, _ := sanitize.Styled(g.Name, st.Escape)
	state := stateCell(st, g.State)
	kind, _ := sanitize.Plain(groupType(g))
	protocol, _ := sanitize.Plain(protocolText(g))
	members := strconv.Itoa(len(g.Members))
	if !g.Described() {
		members = st.Muted.Render("?")
	}
	lag := st.Muted.Render("—")
	if hasLag(g) {
		lag = count(g.TotalLag())
	}
	if g.Err != nil {
		clean, _ := sanitize.Plain(g.Err.Error())
		lag = st.Error.Render(clean)
	}
	return []string{name, kind, state, protocol, members, strconv.Itoa(len(g.Topics())), lag,
		st.Accent.Render(widget.Sparkline(hist, trendWidth)), statusCell(st, status)}
}

// groupType names a group's type as kscope shows it: classic for the
// groups of brokers too old to report one, which are all classic.
func groupType(g kafkaclient.GroupInfo) string {
	if g.IsClassic() {
		return kafkaclient.TypeClassic
	}
	return g.Type
}

// protocolText is what a group is run by: a classic consumer group's
// assignor (range, cooperative-sticky), another classic group's protocol
// type with its assignor (connect/sessioned), the coordinator's assignor
// for the other types.
func protocolText(g kafkaclient.GroupInfo) string {
	switch {
	case !g.IsClassic(), g.ProtocolType == "consumer" && g.Protocol != "":
		return g.Protocol
	case g.Protocol == "":
		return g.ProtocolType
	}
	return g.ProtocolType + "/" + g.Protocol
}

// stateCell marks a rebalancing group so it stands out in a long list.
func stateCell(st *themes.Styles, state string) string {
	clean, _ := sanitize.Plain(state)
	switch state {
	case "Stable":
		return st.OK.Render(clean)
	case "PreparingRebalance", "CompletingRebalance", "Assigning", "Reconciling":
		return st.Warn.Render("⟳ " + clean)
	case "Dead":
		return st.Error.Render(clean)
	}
	return st.Muted.Render(clean)
}

func statusCell(st *themes.Styles, s kafkaclient.Status) string {
	switch s {
	case kafkaclient.StatusOK:
		return st.OK.Render(s.String())
	case kafkaclient.StatusWarn:
		return st.Warn.Render(s.String())
	case kafkaclient.StatusUnknown:
		return st.Muted.Render("…")
	}
	return st.Error.Render(s.String())
}

// ShortHelp implements help.KeyMap.
func (g *Groups) ShortHelp() []key.Binding {
	k := g.c.Keys
	return []key.Binding{k.OpenGroup, k.Sort, k.Reverse, k.DeleteGroup}
}

// FullHelp implements help.KeyMap: the keys, then what a status and the
// rebalancing mark mean.
func (g *Groups) FullHelp() [][]key.Binding {
	k := g.c.Keys
	return [][]key.Binding{
		append(append([]key.Binding{k.OpenGroup, k.ShowACLs, k.DeleteGroup}, k.Sorting()...), healthLegend()...),
		append(k.Movement(), legend("⟳", "rebalancing")),
	}
}
