package views

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"kscope/kafkaclient"
	"kscope/views/sanitize"
	"kscope/views/widget"
)

// Partitions shows one topic's partitions: placement first, as kcat -L
// does, then watermarks.
type Partitions struct {
	*widget.List[kafkaclient.PartitionInfo]
	c     *Common
	scope Scope
	topic string
	// missing is set once a snapshot arrived without the topic.
	missing bool
	// lso are the last stable offsets, asked while the view is open for
	// the watermarks of lsoFor; nil before the first answer.
	lso        map[int32]int64
	lsoFor     time.Time
	lsoLoading bool
}

// stableRead answers the view's question for the last stable offsets.
type stableRead struct {
	offsets map[int32]int64
	err     error
	at      time.Time
}

// NewPartitions makes the partitions view of topic.
func NewPartitions(c *Common, topic string) *Partitions {
	name, _ := sanitize.Plain(topic)
	p := &Partitions{c: c, topic: topic, List: newList[kafkaclient.PartitionInfo](c, "topic "+name, []widget.Column{
		{Title: "PARTITION", Short: "P", Right: true, Cut: widget.CutNever, Essential: true, Priority: 9},
		{Title: "LEADER", Right: true, Cut: widget.CutNever, Essential: true, Priority: 8},
		{Title: "REPLICAS", Essential: true, Priority: 7},
		{Title: "ISR", Essential: true, Priority: 6},
		{Title: "OFFLINE", Priority: 1},
		{Title: "LOW", Right: true, Cut: widget.CutNever, Priority: 2},
		{Title: "HIGH", Right: true, Cut: widget.CutNever, Priority: 3},
		// Above OFFLINE: an offline replica is also marked out of sync in
		// REPLICAS, while what an open transaction holds back shows nowhere else.
		{Title: "LSO", Right: true, Cut: widget.CutNever, Priority: 2},
		{Title: "MESSAGES", Short: "MSGS", Right: true, Cut: widget.CutNever, Essential: true, Priority: 5},
		{Title: "SIZE", Right: true, Cut: widget.CutNever, Priority: 4},
		{Title: "FOLLOWER-LAG", Short: "F-LAG", Right: true, Cut: widget.CutNever, Priority: 1},
	})}
	p.Empty = "waiting for metadata…"
	p.rebuild()
	return p
}

// Title implements View: "topic orders (12 partitions)", and "(3 of 12
// partitions)" while a filter hides some.
func (p *Partitions) Title() string {
	shown, total := p.Counts()
	n := plural(int64(total), "partition", "partitions")
	if shown != total {
		n = fmt.Sprintf("%d of %s", shown, n)
	}
	name, _ := sanitize.Plain(p.topic)
	return "topic " + name + " (" + n + ")"
}

// Topic is the topic the view shows.
func (p *Partitions) Topic() string { return p.topic }

// Init implements View.
func (p *Partitions) Init(s Scope) tea.Cmd {
	p.scope = s
	return p.askStable()
}

// askStable asks for the last stable offsets once for each refresh's
// watermarks: the refresh itself does not read them, so that it stays at
// two ListOffsets requests a broker while no one looks at them.
func (p *Partitions) askStable() tea.Cmd {
	reader, snap := p.c.Client.Stable, p.c.Snapshot
	if reader == nil || snap == nil || snap.WatermarksAt.IsZero() || p.lsoLoading || !snap.WatermarksAt.After(p.lsoFor) {
		return nil
	}
	p.lsoLoading = true
	topic, at := p.topic, snap.WatermarksAt
	return p.scope.Do(func(ctx context.Context) tea.Msg {
		ctx, cancel := context.WithTimeout(ctx, 15*time.Second)
		defer cancel()
		offsets, err := reader.StableOffsets(ctx, topic)
		return stableRead{offsets: offsets, err: err, at: at}
	})
}

// Update implements View.
func (p *Partitions) Update(msg tea.Msg) (View, tea.Cmd) {
	switch msg := msg.(type) {
	case kafkaclient.ClusterUpdated:
		wasMissing := p.missing
		p.rebuild()
		if p.missing && !wasMissing {
			name, _ := sanitize.Plain(p.topic)
			return p, notify("no such topic: "+name, true)
		}
		return p, p.askStable()
	case stableRead:
		p.lsoLoading, p.lsoFor = false, msg.at
		// A leader that did not answer leaves its partitions unknown; the
		// others' offsets are shown.
		if msg.offsets != nil || msg.err == nil {
			p.lso = msg.offsets
		}
		p.rebuild()
	case kafkaclient.DiskUpdated, ThemeChanged:
		p.rebuild()
	case tea.KeyPressMsg:
		if cmd := p.c.Keys.refused(msg, p.FullHelp()); cmd != nil {
			return p, cmd
		}
		switch {
		case key.Matches(msg, p.c.Keys.Open):
			if r, ok := p.Selected(); ok {
				id, _ := strconv.Atoi(r.Key)
				return p, push(NewProducers(p.c, p.topic, int32(id)))
			}
		case key.Matches(msg, p.c.Keys.ElectLeaders):
			if r, ok := p.Selected(); ok {
				id, _ := strconv.Atoi(r.Key)
				topic := p.topic
				return p, electDialog(p.c, fmt.Sprintf("partition %s/%d", plainName(topic), id), func(t string, part kafkaclient.PartitionInfo) bool {
					return t == topic && part.ID == int32(id)
				})
			}
		case key.Matches(msg, p.c.Keys.Configs):
			v := NewConfigs(p.c, p.topic)
			v.nested = true
			return p, push(v)
		case key.Matches(msg, p.c.Keys.Produce):
			return p, produceDialog(p.c, p.c.Client.Producer, p.topic)
		case key.Matches(msg, p.c.Keys.Tail):
			if r, ok := p.Selected(); ok {
				id, _ := strconv.Atoi(r.Key)
				return p, push(askingTail(p.c, kafkaclient.TailSpec{Topic: p.topic, Partitions: []int32{int32(id)}}, true))
			}
		}
		p.List.Update(msg)
	case tea.MouseWheelMsg:
		p.List.Update(msg)
	}
	return p, nil
}

func (p *Partitions) rebuild() {
	snap := p.c.Snapshot
	if snap == nil {
		return
	}
	t := snap.Topic(p.topic)
	p.missing = t == nil
	if t == nil {
		name, _ := sanitize.Plain(p.topic)
		p.Empty = "no such topic: " + name
		p.SetItems(nil, p.row)
		return
	}
	p.SetItems(t.Partitions, p.row)
}

func (p *Partitions) row(part kafkaclient.PartitionInfo) widget.Row {
	st := p.c.Styles
	id := strconv.Itoa(int(part.ID))
	leader := strconv.Itoa(int(part.Leader))
	switch {
	case part.IsOffline():
		leader = st.Error.Render("none")
	case part.Leader != part.PreferredLeader():
		// Marked, because leadership is off the preferred replica
		// until a preferred-leader election moves it back.
		leader = st.Warn.Render(leader + "*")
	}
	low, high, msgs := st.Muted.Render("…"), st.Muted.Render("…"), st.Muted.Render("…")
	if part.WatermarksKnown {
		low, high, msgs = count(part.Low), count(part.High), count(part.Messages())
	}
	if part.Err != nil {
		clean, _ := sanitize.Plain(part.Err.Error())
		msgs = st.Error.Render(clean)
	}
	offline := st.Muted.Render("-")
	if len(part.Offline) > 0 {
		offline = st.Error.Render(ids(part.Offline))
	}
	if part.IsOffline() {
		id = st.Error.Render(id)
	}
	return widget.Row{
		Key:    strconv.Itoa(int(part.ID)),
		Search: fmt.Sprintf("%d %d %s %s", part.ID, part.Leader, ids(part.Replicas), ids(part.ISR)),
		Cells: widget.FixedCells(id, leader, replicasCell(part, st.Warn.Render), ids(part.ISR), offline, low, high, p.lsoCell(part),
			msgs, p.sizeCell(part), p.followerLag(part)),
	}
}

// lsoCell is the last stable offset where an open transaction holds it
// below the high watermark, with how far below, so the partitions a
// read_committed consumer cannot read to the end stand out; a dash where
// it is the high watermark.
func (p *Partitions) lsoCell(part kafkaclient.PartitionInfo) string {
	st := p.c.Styles
	lso, ok := p.lso[part.ID]
	switch {
	case !part.WatermarksKnown || p.lso == nil:
		return st.Muted.Render("…")
	case !ok:
		return st.Muted.Render("?")
	case lso < part.High:
		// Read after the high watermark, it may have passed it: a
		// transaction that committed since holds nothing back.
		return st.Warn.Render(count(lso) + " −" + count(part.High-lso))
	}
	return st.Muted.Render("-")
}

// sizeCell is the bytes of the partition's leader replica, or of its
// largest replica while it has no leader or its broker did not answer.
func (p *Partitions) sizeCell(part kafkaclient.PartitionInfo) string {
	st := p.c.Styles
	if p.c.Disk == nil {
		return p.c.noDisk()
	}
	size := int64(-1)
	for _, r := range p.c.Disk.Replicas(p.topic, part.ID) {
		switch {
		case r.IsFuture:
		case r.Broker == part.Leader:
			return bytesize(r.Size)
		default:
			size = max(size, r.Size)
		}
	}
	if size < 0 {
		return st.Muted.Render("-")
	}
	return bytesize(size)
}

// followerLag is how many offsets the furthest-behind follower replica
// is behind the high watermark, as its broker reports it.
func (p *Partitions) followerLag(part kafkaclient.PartitionInfo) string {
	st := p.c.Styles
	switch {
	case p.c.Disk == nil:
		return p.c.noDisk()
	case part.IsOffline():
		return st.Muted.Render("-")
	}
	lag, known := int64(0), false
	for _, r := range p.c.Disk.Replicas(p.topic, part.ID) {
		if r.Broker != part.Leader && !r.IsFuture {
			lag, known = max(lag, r.OffsetLag), true
		}
	}
	switch {
	case !known:
		return st.Muted.Render("-")
	case lag > 0:
		return st.Warn.Render(count(lag))
	}
	return "0"
}

// replicasCell lists the replicas, marking those missing from the ISR.
func replicasCell(p kafkaclient.PartitionInfo, mark func(...string) string) string {
	out := p.OutOfSync()
	var b strings.Builder
	for i, r := range p.Replicas {
		if i > 0 {
			b.WriteByte(',')
		}
		s := strconv.Itoa(int(r))
		for _, o := range out {
			if o == r {
				s = mark(s + "!")
			}
		}
		b.WriteString(s)
	}
	return b.String()
}

// ShortHelp implements help.KeyMap.
func (p *Partitions) ShortHelp() []key.Binding {
	return []key.Binding{p.openKey(), p.c.Keys.Tail, p.c.Keys.Configs, p.c.Keys.Produce}
}

// openKey is Open as this view uses it: a partition's producers.
func (p *Partitions) openKey() key.Binding {
	k := p.c.Keys.Open
	k.SetHelp(k.Help().Key, "producers")
	return k
}

// FullHelp implements help.KeyMap.
func (p *Partitions) FullHelp() [][]key.Binding {
	return [][]key.Binding{{p.openKey(), p.c.Keys.Tail, p.c.Keys.Configs, p.c.Keys.Produce, p.c.Keys.ElectLeaders}, p.c.Keys.Sorting(), p.c.Keys.Movement()}
}
