package views

import (
	"cmp"
	"context"
	"fmt"
	"slices"
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

// lagHistory is how many total-lag samples a sparkline keeps.
const lagHistory = 60

// GroupsLoaded answers a Groups view's request.
type GroupsLoaded struct {
	Groups []kafkaclient.GroupInfo
	Err    error
	At     time.Time
}

// groupsTick asks for the next observation; gen tells a tick scheduled
// before a pause from the current chain.
type groupsTick struct{ gen int }

// Groups lists the consumer groups with their lag, its trend and health.
type Groups struct {
	c      *Common
	scope  Scope
	reader GroupReader
	admin  GroupAdmin
	// loading is set while an observation is on its way; paused while
	// another view covers this one; tickGen numbers the tick chain.
	loading bool
	paused  bool
	tickGen int
	table   *widget.Table
	groups  []kafkaclient.GroupInfo
	health  map[string]*kafkaclient.GroupHealth
	history map[string][]int64
	sortCol int
	desc    bool
	err     error
	at      time.Time
}

const (
	groupColName = iota
	groupColState
	groupColLag
)

// NewGroups makes the groups list; its Init starts observing.
func NewGroups(c *Common) *Groups {
	g := &Groups{c: c, reader: c.Client.Groups, admin: c.Client.GroupAdmin, health: map[string]*kafkaclient.GroupHealth{}, history: map[string][]int64{},
		table: widget.NewTable(c.Styles, &c.Keys.ListKeys, []widget.Column{
			{Title: "GROUP"},
			{Title: "STATE", Width: 20},
			{Title: "TYPE/ASSIGNOR", Width: 22},
			{Title: "MEMBERS", Width: 7, Right: true},
			{Title: "TOPICS", Width: 6, Right: true},
			{Title: "LAG", Width: 12, Right: true},
			{Title: "TREND", Width: 12},
			{Title: "STATUS", Width: 7},
		})}
	g.table.Empty = "loading groups…"
	return g
}

// Init implements View.
func (g *Groups) Init(s Scope) tea.Cmd {
	g.scope = s
	return g.load()
}

func (g *Groups) load() tea.Cmd {
	g.loading = true
	reader, now := g.reader, g.c.Now
	return g.scope.Do(func(ctx context.Context) tea.Msg {
		ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
		defer cancel()
		gs, err := reader.Groups(ctx)
		return GroupsLoaded{Groups: gs, Err: err, At: now()}
	})
}

// Names are the groups of the latest observation.
func (g *Groups) Names() []string {
	names := make([]string, len(g.groups))
	for i, gi := range g.groups {
		names[i] = gi.Name
	}
	return names
}

// Pause implements Pauser: describing every group is the costliest poll
// kscope makes, and nobody sees the list while a group is open over it.
func (g *Groups) Pause() { g.paused = true }

// Resume implements Pauser: the list is observed at once, and the tick
// chain from before the pause is dropped so only one chain runs.
func (g *Groups) Resume() tea.Cmd {
	g.paused = false
	g.tickGen++
	if g.loading {
		return nil
	}
	return g.load()
}

func (g *Groups) every() time.Duration {
	if g.c.GroupsEvery > 0 {
		return g.c.GroupsEvery
	}
	return DefaultGroupsEvery
}

// Title implements View.
func (g *Groups) Title() string {
	shown, total := g.table.Counts()
	if shown != total {
		return fmt.Sprintf("groups (%d of %d)", shown, total)
	}
	return fmt.Sprintf("groups (%d)", total)
}

// SetSize implements View.
func (g *Groups) SetSize(w, h int) { g.table.SetSize(w, h) }

// Filter implements Filterable.
func (g *Groups) Filter() string { return g.table.Filter() }

// SetFilter implements Filterable.
func (g *Groups) SetFilter(f string) error {
	g.table.SetFilter(f)
	return nil
}

// Update implements View.
func (g *Groups) Update(msg tea.Msg) (View, tea.Cmd) {
	k := g.c.Keys
	switch msg := msg.(type) {
	case GroupsLoaded:
		g.loading = false
		var next tea.Cmd
		if !g.paused {
			next = g.scope.After(g.every(), groupsTick{g.tickGen})
		}
		g.err = msg.Err
		if msg.Err != nil {
			return g, tea.Batch(next, notify("groups: "+msg.Err.Error(), true))
		}
		g.observe(msg.Groups, msg.At)
		g.rebuild()
		return g, next
	case groupsTick:
		if msg.gen == g.tickGen && !g.paused && !g.loading {
			return g, g.load()
		}
	case ThemeChanged:
		g.rebuild()
	case tea.KeyPressMsg:
		switch {
		case key.Matches(msg, k.OpenGroup):
			if r, ok := g.table.Selected(); ok {
				return g, push(NewGroup(g.c, r.Key))
			}
		case key.Matches(msg, k.DeleteGroup):
			if r, ok := g.table.Selected(); ok {
				for _, gi := range g.groups {
					if gi.Name == r.Key {
						return g, deleteGroupDialog(g.c, g.admin, gi)
					}
				}
			}
		case key.Matches(msg, k.Sort):
			g.sortCol = (g.sortCol + 1) % 3
			g.desc = g.sortCol == groupColLag
			g.rebuild()
		case key.Matches(msg, k.Reverse):
			g.desc = !g.desc
			g.rebuild()
		default:
			g.table.Update(msg)
		}
	case tea.MouseWheelMsg:
		g.table.Update(msg)
	}
	return g, nil
}

// observe records one refresh in each group's health and lag history,
// forgetting groups that are gone.
func (g *Groups) observe(groups []kafkaclient.GroupInfo, at time.Time) {
	g.groups, g.at = groups, at
	seen := map[string]bool{}
	for _, gi := range groups {
		seen[gi.Name] = true
		h, ok := g.health[gi.Name]
		if !ok {
			h = kafkaclient.NewGroupHealth(kafkaclient.DefaultHealthWindow, kafkaclient.DefaultHealthSamples)
			g.health[gi.Name] = h
		}
		h.Observe(at, gi.Offsets)
		lag := int64(-1)
		if gi.Err == nil && hasLag(gi) {
			lag = gi.TotalLag()
		}
		hist := append(g.history[gi.Name], lag)
		if len(hist) > lagHistory {
			hist = hist[len(hist)-lagHistory:]
		}
		g.history[gi.Name] = hist
	}
	for name := range g.health {
		if !seen[name] {
			delete(g.health, name)
			delete(g.history, name)
		}
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
	if g.groups == nil {
		return
	}
	st := g.c.Styles
	groups := slices.Clone(g.groups)
	slices.SortStableFunc(groups, func(a, b kafkaclient.GroupInfo) int {
		var c int
		switch g.sortCol {
		case groupColName:
			c = strings.Compare(a.Name, b.Name)
		case groupColState:
			c = strings.Compare(a.State, b.State)
		case groupColLag:
			c = cmp.Compare(a.TotalLag(), b.TotalLag())
		}
		if g.desc {
			c = -c
		}
		if c == 0 {
			c = strings.Compare(a.Name, b.Name)
		}
		return c
	})
	sortCol := map[int]int{groupColName: 0, groupColState: 1, groupColLag: 5}[g.sortCol]
	g.table.SetSort(sortCol, g.desc)
	rows := make([]widget.Row, len(groups))
	for i, gi := range groups {
		status := g.health[gi.Name].Status(g.at)
		hist := g.history[gi.Name]
		rows[i] = widget.Row{
			Key:    gi.Name,
			Search: strings.ToLower(gi.Name + " " + gi.State + " " + strings.Join(gi.Topics(), " ")),
			Cells:  func() []string { return groupCells(st, gi, status, hist) },
		}
	}
	g.table.Empty = "no consumer groups"
	g.table.SetRows(rows)
}

func groupCells(st *themes.Styles, g kafkaclient.GroupInfo, status kafkaclient.Status, hist []int64) []string {
	name, _ := sanitize.Styled(g.Name, st.Escape)
	state := stateCell(st, g.State)
	kind := g.ProtocolType
	if g.Protocol != "" {
		kind += "/" + g.Protocol
	}
	kind, _ = sanitize.Plain(kind)
	lag := st.Muted.Render("—")
	if hasLag(g) {
		lag = count(g.TotalLag())
	}
	if g.Err != nil {
		clean, _ := sanitize.Plain(g.Err.Error())
		lag = st.Error.Render(clean)
	}
	return []string{name, state, kind, strconv.Itoa(len(g.Members)), strconv.Itoa(len(g.Topics())), lag,
		st.Accent.Render(widget.Sparkline(hist, 12)), statusCell(st, status)}
}

// stateCell marks a rebalancing group so it stands out in a long list.
func stateCell(st *themes.Styles, state string) string {
	clean, _ := sanitize.Plain(state)
	switch state {
	case "Stable":
		return st.OK.Render(clean)
	case "PreparingRebalance", "CompletingRebalance":
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

// View implements View.
func (g *Groups) View() string { return g.table.View() }

// ShortHelp implements help.KeyMap.
func (g *Groups) ShortHelp() []key.Binding {
	k := g.c.Keys
	return []key.Binding{k.OpenGroup, k.Sort, k.Reverse, k.DeleteGroup}
}

// FullHelp implements help.KeyMap.
func (g *Groups) FullHelp() [][]key.Binding {
	k := g.c.Keys
	return [][]key.Binding{{k.OpenGroup, k.Sort, k.Reverse, k.DeleteGroup}, k.Movement()}
}
