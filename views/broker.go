package views

import (
	"cmp"
	"fmt"
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

// The tabs of a broker's view, in the order tab cycles through them.
const (
	tabConfigs = iota
	tabPartitions
	tabDirs
	brokerTabs
)

// brokerReplica is one partition a broker holds a replica of.
type brokerReplica struct {
	topic string
	p     kafkaclient.PartitionInfo
	leads bool
	// size and lag are the replica's on the broker's disk, as the broker
	// reports them; -1 until it has.
	size, lag int64
}

// The columns of a broker's partitions with an order of their own.
const (
	replicaColTopic = 0
	replicaColRole  = 2
	replicaColSize  = 5
	replicaColLag   = 6
)

// Broker is one broker up close, as k9s's describe or Kafka UI's broker
// page show it: what it is (address, rack, controller, up) and what it
// carries, then three tabs — its configuration with where each value
// comes from (editable), the partitions it leads and follows, and its log
// dirs. The partitions and the log dirs follow the root's observations;
// the configs are read when the view opens and whenever it is on top again.
type Broker struct {
	c       *Common
	id      int32
	tab     int
	configs *Configs
	parts   *widget.List[brokerReplica]
	dirs    *widget.List[kafkaclient.LogDir]
	// leads, follows and outOfSync count the replicas in parts; inDir
	// counts them by log dir; summary says what the broker carries.
	leads, follows, outOfSync int
	inDir                     map[string]int
	summary                   string
	// ownConfigs counts the configs set on the broker itself.
	ownConfigs    int
	width, height int
}

// NewBroker makes the view of broker id; its Init reads the configs.
func NewBroker(c *Common, id int32) *Broker {
	b := &Broker{c: c, id: id, configs: newBrokerConfigs(c, id)}
	b.parts = newList(c, "partitions", []widget.Column{
		{Title: "TOPIC", Essential: true, Priority: 10, Min: 12, Cut: widget.CutMiddle},
		{Title: "PARTITION", Short: "P", Right: true, Cut: widget.CutNever, Essential: true, Priority: 9},
		{Title: "ROLE", Essential: true, Priority: 8},
		{Title: "LEADER", Right: true, Cut: widget.CutNever, Priority: 4},
		{Title: "REPLICAS", Priority: 3},
		{Title: "SIZE", Right: true, Cut: widget.CutNever, Priority: 5},
		{Title: "FOLLOWER-LAG", Short: "F-LAG", Right: true, Cut: widget.CutNever, Priority: 2},
		{Title: "STATUS", Essential: true, Priority: 7},
	},
		// Leaders first: what the broker's failure would move.
		widget.Sort[brokerReplica]{Column: replicaColRole, Compare: func(x, y brokerReplica) int {
			if x.leads != y.leads {
				if x.leads {
					return -1
				}
				return 1
			}
			return cmp.Or(strings.Compare(x.topic, y.topic), cmp.Compare(x.p.ID, y.p.ID))
		}},
		widget.Sort[brokerReplica]{Column: replicaColTopic, Compare: func(x, y brokerReplica) int {
			return cmp.Or(strings.Compare(x.topic, y.topic), cmp.Compare(x.p.ID, y.p.ID))
		}},
		widget.Sort[brokerReplica]{Column: replicaColSize, Desc: true, Compare: func(x, y brokerReplica) int { return cmp.Compare(x.size, y.size) }},
		widget.Sort[brokerReplica]{Column: replicaColLag, Desc: true, Compare: func(x, y brokerReplica) int { return cmp.Compare(x.lag, y.lag) }},
	)
	b.dirs = newList[kafkaclient.LogDir](c, "log dirs", []widget.Column{
		{Title: "PATH", Essential: true, Priority: 10, Min: 12, Cut: widget.CutMiddle},
		{Title: "REPLICAS", Short: "REPL", Right: true, Cut: widget.CutNever, Priority: 5},
		{Title: "SIZE", Right: true, Cut: widget.CutNever, Essential: true, Priority: 9},
		{Title: "FREE", Right: true, Cut: widget.CutNever, Priority: 6},
		{Title: "VOLUME", Right: true, Cut: widget.CutNever, Priority: 4},
		{Title: "STATUS", Essential: true, Priority: 8},
	})
	b.rebuild()
	return b
}

// Init implements View: the configs share the view's scope.
func (b *Broker) Init(s Scope) tea.Cmd { return b.configs.Init(s) }

// Title implements View.
func (b *Broker) Title() string { return fmt.Sprintf("broker %d", b.id) }

// SetSize implements View: three lines above the tab's table.
func (b *Broker) SetSize(w, h int) {
	b.width, b.height = w, h
	body := max(h-3, 2)
	b.configs.SetSize(w, body)
	b.parts.SetSize(w, body)
	b.dirs.SetSize(w, body)
}

// Pause implements Pauser; the view polls nothing itself.
func (b *Broker) Pause() {}

// Resume implements Pauser: the configs are read again, since what
// covered the view may have changed them (an edit, an undo).
func (b *Broker) Resume() tea.Cmd { return b.configs.load() }

// tabList is what the filter and the keys ask of a tab's list.
type tabList interface {
	Filterable
	Update(tea.Msg) bool
}

// filtered is the list of the tab shown.
func (b *Broker) filtered() tabList {
	switch b.tab {
	case tabPartitions:
		return b.parts
	case tabDirs:
		return b.dirs
	}
	return b.configs.List
}

// Filter implements Filterable.
func (b *Broker) Filter() string { return b.filtered().Filter() }

// SetFilter implements Filterable: it filters the tab shown.
func (b *Broker) SetFilter(f string) error { return b.filtered().SetFilter(f) }

// Update implements View.
func (b *Broker) Update(msg tea.Msg) (View, tea.Cmd) {
	switch msg := msg.(type) {
	case ConfigsLoaded:
		_, cmd := b.configs.Update(msg)
		b.ownConfigs = 0
		for _, e := range b.configs.entries {
			if b.configs.res.rank(e) == 0 {
				b.ownConfigs++
			}
		}
		return b, cmd
	case ThemeChanged:
		b.configs.Update(msg)
		b.rebuild()
	case kafkaclient.ClusterUpdated, kafkaclient.DiskUpdated:
		b.rebuild()
	case tea.KeyPressMsg:
		k := b.c.Keys
		if cmd := k.refused(msg, b.FullHelp()); cmd != nil {
			return b, cmd
		}
		switch {
		case key.Matches(msg, k.Focus):
			b.tab = (b.tab + 1) % brokerTabs
		// r reads the configs again from any tab: the other tabs follow
		// the root's observations on their own.
		case b.tab == tabConfigs, key.Matches(msg, k.Reload):
			_, cmd := b.configs.Update(msg)
			return b, cmd
		case b.tab == tabPartitions && key.Matches(msg, k.Open):
			if r, ok := b.parts.Selected(); ok {
				return b, push(NewPartitions(b.c, r.Key[:strings.LastIndexByte(r.Key, '/')]))
			}
		default:
			b.filtered().Update(msg)
		}
	case tea.MouseWheelMsg:
		b.filtered().Update(msg)
	}
	return b, nil
}

// rebuild reads the broker's replicas and log dirs from the root's
// latest observations.
func (b *Broker) rebuild() {
	snap, disk := b.c.Snapshot, b.c.Disk
	b.leads, b.follows, b.outOfSync, b.inDir = 0, 0, 0, map[string]int{}
	var reps []brokerReplica
	for _, t := range snapTopics(snap) {
		for _, p := range t.Partitions {
			leads := p.Leader == b.id
			if !leads && !slices.Contains(p.Replicas, b.id) {
				continue
			}
			r := brokerReplica{topic: t.Name, p: p, leads: leads, size: -1, lag: -1}
			if disk != nil {
				for _, rs := range disk.Replicas(t.Name, p.ID) {
					if rs.Broker != b.id {
						continue
					}
					b.inDir[rs.Dir]++
					if !rs.IsFuture {
						r.size, r.lag = rs.Size, rs.OffsetLag
					}
				}
			}
			if leads {
				b.leads++
			} else {
				b.follows++
			}
			if !slices.Contains(p.ISR, b.id) {
				b.outOfSync++
			}
			reps = append(reps, r)
		}
	}
	b.parts.Empty = fmt.Sprintf("broker %d holds no partition", b.id)
	if snap == nil {
		b.parts.Empty = "waiting for metadata…"
	}
	b.parts.SetItems(reps, b.replicaRow)

	dirs, err := b.logDirs()
	b.dirs.Empty = "no log dirs reported"
	switch {
	case disk == nil:
		b.dirs.Empty = "waiting for the first read of the brokers' disks…"
	case err != nil:
		b.dirs.Empty = "could not list the log dirs: " + err.Error()
	}
	b.dirs.SetItems(dirs, b.dirRow)
	b.summary = b.load(dirs, err)
}

func snapTopics(s *kafkaclient.Snapshot) []kafkaclient.TopicInfo {
	if s == nil {
		return nil
	}
	return s.Topics
}

// logDirs are the broker's log dirs as last read, or why they are unknown.
func (b *Broker) logDirs() ([]kafkaclient.LogDir, error) {
	if b.c.Disk == nil {
		return nil, nil
	}
	for _, bd := range b.c.Disk.Brokers {
		if bd.Broker == b.id {
			return bd.Dirs, bd.Err
		}
	}
	return nil, nil
}

func (b *Broker) replicaRow(r brokerReplica) widget.Row {
	st, p := b.c.Styles, r.p
	topic, _ := sanitize.Styled(r.topic, st.Escape)
	role, roleCell := "follower", "follower"
	if r.leads {
		role = "leader"
		roleCell = st.Accent.Render(role)
	}
	leader := strconv.Itoa(int(p.Leader))
	switch {
	case p.IsOffline():
		leader = st.Error.Render("none")
	case p.Leader != p.PreferredLeader():
		leader = st.Warn.Render(leader + "*")
	}
	size, lag := st.Muted.Render("-"), st.Muted.Render("-")
	if b.c.Disk == nil {
		size, lag = b.c.noDisk(), b.c.noDisk()
	}
	if r.size >= 0 {
		size = bytesize(r.size)
	}
	switch {
	case r.leads || r.lag < 0:
	case r.lag > 0:
		lag = st.Warn.Render(count(r.lag))
	default:
		lag = "0"
	}
	status, style := "in sync", st.OK
	switch {
	case p.IsOffline():
		status, style = "offline", st.Error
	case !slices.Contains(p.ISR, b.id):
		status, style = "out of sync", st.Warn
	case r.leads && p.IsUnderReplicated():
		status, style = "under-replicated", st.Warn
	}
	id := strconv.Itoa(int(p.ID))
	return widget.Row{
		Key:    r.topic + "/" + id,
		Search: r.topic + " " + id + " " + role + " " + status,
		Cells:  widget.FixedCells(topic, id, roleCell, leader, replicasCell(p, st.Warn.Render), size, lag, style.Render(status)),
	}
}

func (b *Broker) dirRow(d kafkaclient.LogDir) widget.Row {
	st := b.c.Styles
	path, _ := sanitize.Styled(d.Path, st.Escape)
	free, volume := st.Muted.Render("-"), st.Muted.Render("-")
	if d.TotalBytes > 0 && d.UsableBytes >= 0 {
		free = fmt.Sprintf("%s %3.0f%%", bytesize(d.UsableBytes), 100*float64(d.UsableBytes)/float64(d.TotalBytes))
		// Under a tenth free is worth seeing before Kafka stops the dir.
		if d.UsableBytes*10 < d.TotalBytes {
			free = st.Warn.Render(free)
		}
		volume = bytesize(d.TotalBytes)
	}
	status := st.OK.Render("online")
	if d.Err != nil {
		clean, _ := sanitize.Plain("offline: " + d.Err.Error())
		status = st.Error.Render(clean)
	}
	return widget.Row{
		Key:    d.Path,
		Search: d.Path,
		Cells:  widget.FixedCells(path, count(int64(b.inDir[d.Path])), bytesize(d.Size), free, volume, status),
	}
}

// View implements View: the broker, what it carries, the tabs, and the
// tab's table.
func (b *Broker) View() string {
	lines := []string{b.headline(), b.summary, b.tabs()}
	for i, l := range lines {
		lines[i] = widget.Fit(l, b.width, false)
	}
	var view string
	switch b.tab {
	case tabPartitions:
		view = b.parts.View()
	case tabDirs:
		view = b.dirs.View()
	default:
		view = b.configs.View()
	}
	return strings.Join(lines, "\n") + "\n" + view
}

// headline says which broker this is and whether it is up; the address
// comes last but for why the broker is down, cut in the middle when the
// line is too narrow for it.
func (b *Broker) headline() string {
	st := b.c.Styles
	dot := st.Muted.Render(" · ")
	out := st.Title.Render(b.Title())
	if b.c.Snapshot == nil {
		return out + dot + st.Muted.Render("waiting for metadata…")
	}
	br := b.c.Snapshot.Broker(b.id)
	if br == nil {
		return out + dot + st.Error.Render("not in the cluster's metadata")
	}
	why := ""
	if br.Up {
		out += dot + st.OK.Render("up")
	} else {
		out += dot + st.Error.Render("down")
		if br.Err != nil {
			// Connection errors quote the broker's advertised address.
			clean, _ := sanitize.Plain(br.Err.Error())
			why = dot + st.Error.Render(clean)
		}
	}
	if br.Controller {
		out += dot + st.Accent.Render("controller")
	}
	if br.Rack != "" {
		rack, _ := sanitize.Styled(br.Rack, st.Escape)
		out += dot + "rack " + rack
	}
	addr, _ := sanitize.Styled(br.Addr, st.Escape)
	// Why it is down matters more than the whole address.
	room := min(b.width-ansi.StringWidth(out+dot+why), ansi.StringWidth(addr))
	return out + dot + widget.FitCut(addr, max(room, 12), false, widget.CutMiddle) + why
}

// load says what the broker carries: partitions, and dirs on disk (err:
// why they are unknown).
func (b *Broker) load(dirs []kafkaclient.LogDir, err error) string {
	st := b.c.Styles
	dot := st.Muted.Render(" · ")
	out := fmt.Sprintf("leads %s%sfollows %s", count(int64(b.leads)), dot, count(int64(b.follows)))
	if b.outOfSync > 0 {
		out += dot + st.Warn.Render(count(int64(b.outOfSync))+" out of sync")
	}
	switch {
	case b.c.Disk == nil:
		return out + dot + "disk " + b.c.noDisk()
	case err != nil:
		return out + dot + st.Error.Render("disk unknown")
	}
	var size int64
	offline := 0
	for _, d := range dirs {
		size += d.Size
		if d.Err != nil {
			offline++
		}
	}
	out += dot + bytesize(size) + " on disk in " + plural(int64(len(dirs)), "log dir", "log dirs")
	if offline > 0 {
		out += dot + st.Error.Render(count(int64(offline))+" offline")
	}
	return out
}

// tabs names the tabs with their counts, the one shown marked.
func (b *Broker) tabs() string {
	st := b.c.Styles
	configs := fmt.Sprintf("configs %d (%d per-broker)", len(b.configs.entries), b.ownConfigs)
	switch {
	case b.configs.entries != nil:
	case b.configs.loading:
		configs = "configs …"
	case b.configs.err != nil:
		configs = "configs (failed)"
	}
	_, dirs := b.dirs.Counts()
	labels := []string{configs, "partitions " + count(int64(b.leads+b.follows)), "log dirs " + strconv.Itoa(dirs)}
	out := make([]string, len(labels))
	for i, l := range labels {
		if i == b.tab {
			out[i] = st.Selected.Render(" " + l + " ")
		} else {
			out[i] = st.Muted.Render(" " + l + " ")
		}
	}
	return strings.Join(out, " ")
}

// ShortHelp implements help.KeyMap.
func (b *Broker) ShortHelp() []key.Binding {
	k := b.c.Keys
	return []key.Binding{k.Focus, b.openKey(), k.EditConfig, k.ResetConfig, k.Reload}
}

// openKey is Open as this view uses it: a partition's topic.
func (b *Broker) openKey() key.Binding {
	k := b.c.Keys.Open
	k.SetHelp(k.Help().Key, "topic")
	return k
}

// FullHelp implements help.KeyMap.
func (b *Broker) FullHelp() [][]key.Binding {
	return [][]key.Binding{b.ShortHelp(), b.c.Keys.Sorting(), b.c.Keys.Movement()}
}
