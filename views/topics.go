package views

import (
	"cmp"
	"fmt"
	"strconv"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"kscope/kafkaclient"
	"kscope/themes"
	"kscope/views/sanitize"
	"kscope/views/widget"
)

// Topics lists the cluster's topics.
type Topics struct {
	*widget.List[topicItem]
	c            *Common
	showInternal bool
	// internal counts the internal topics, shown or not.
	internal int
}

// topicItem is a topic with the sort keys that cost a pass over its
// partitions, computed once per rebuild rather than once per comparison.
type topicItem struct {
	t        *kafkaclient.TopicInfo
	messages int64
	urp      int
	// size is the bytes of all its replicas on disk, -1 when unknown.
	size int64
}

// The columns, for the orders the list offers.
const (
	topicColName = iota
	topicColPartitions
	topicColRF
	topicColMessages
	topicColSize
	topicColURP
)

// NewTopics makes the topics view.
func NewTopics(c *Common) *Topics {
	type ti = topicItem
	t := &Topics{c: c, List: newList(c, "topics", []widget.Column{
		{Title: "TOPIC", Essential: true, Priority: 10, Min: 12, Cut: widget.CutMiddle},
		{Title: "PARTITIONS", Short: "PARTS", Right: true, Cut: widget.CutNever, Essential: true, Priority: 5},
		{Title: "RF", Right: true, Cut: widget.CutNever, Essential: true, Priority: 3},
		{Title: "MESSAGES", Short: "MSGS", Right: true, Cut: widget.CutNever, Essential: true, Priority: 6},
		{Title: "SIZE", Right: true, Cut: widget.CutNever, Priority: 2},
		{Title: "UNDER-REPL", Short: "URP", Right: true, Essential: true, Priority: 4},
	},
		widget.Sort[ti]{Column: topicColName, Compare: func(a, b ti) int { return strings.Compare(a.t.Name, b.t.Name) }},
		widget.Sort[ti]{Column: topicColPartitions, Desc: true, Compare: func(a, b ti) int { return cmp.Compare(len(a.t.Partitions), len(b.t.Partitions)) }},
		widget.Sort[ti]{Column: topicColRF, Desc: true, Compare: func(a, b ti) int { return cmp.Compare(a.t.ReplicationFactor(), b.t.ReplicationFactor()) }},
		widget.Sort[ti]{Column: topicColMessages, Desc: true, Compare: func(a, b ti) int { return cmp.Compare(a.messages, b.messages) }},
		widget.Sort[ti]{Column: topicColSize, Desc: true, Compare: func(a, b ti) int { return cmp.Compare(a.size, b.size) }},
		widget.Sort[ti]{Column: topicColURP, Desc: true, Compare: func(a, b ti) int { return cmp.Compare(a.urp, b.urp) }},
	)}
	t.Empty = "waiting for metadata…"
	t.rebuild()
	return t
}

// Init implements View.
func (t *Topics) Init(Scope) tea.Cmd { return nil }

// Title implements View: the count, and whether internal topics are
// hidden (and how many) or shown.
func (t *Topics) Title() string {
	switch {
	case t.internal == 0:
		return t.List.Title()
	case t.showInternal:
		return "topics (" + t.Count() + ", internal shown)"
	}
	return "topics (" + t.Count() + ", " + count(int64(t.internal)) + " internal hidden)"
}

// Update implements View.
func (t *Topics) Update(msg tea.Msg) (View, tea.Cmd) {
	k := t.c.Keys
	switch msg := msg.(type) {
	case kafkaclient.ClusterUpdated, kafkaclient.DiskUpdated, ThemeChanged:
		t.rebuild()
	case tea.KeyPressMsg:
		if cmd := k.refused(msg, t.FullHelp()); cmd != nil {
			return t, cmd
		}
		switch {
		case key.Matches(msg, k.Open):
			if r, ok := t.Selected(); ok {
				return t, push(NewPartitions(t.c, r.Key))
			}
		case key.Matches(msg, k.Configs):
			if r, ok := t.Selected(); ok {
				return t, push(NewConfigs(t.c, r.Key))
			}
		case key.Matches(msg, k.Tail):
			if r, ok := t.Selected(); ok {
				return t, push(askingTail(t.c, kafkaclient.TailSpec{Topic: r.Key}, false))
			}
		case key.Matches(msg, k.NewTopic):
			return t, newTopicDialog(t.c, t.c.Client.TopicAdmin)
		case key.Matches(msg, k.DeleteTopic), key.Matches(msg, k.AddPartitions), key.Matches(msg, k.Produce):
			r, ok := t.Selected()
			if !ok || t.c.Snapshot == nil || t.c.Snapshot.Topic(r.Key) == nil {
				return t, nil
			}
			info := t.c.Snapshot.Topic(r.Key)
			switch {
			case key.Matches(msg, k.DeleteTopic):
				return t, deleteTopicDialog(t.c, t.c.Client.TopicAdmin, t.c.Client.Groups, info)
			case key.Matches(msg, k.AddPartitions):
				return t, addPartitionsDialog(t.c, t.c.Client.TopicAdmin, info)
			}
			return t, produceDialog(t.c, t.c.Client.Producer, info.Name)
		case key.Matches(msg, k.ShowACLs):
			if r, ok := t.Selected(); ok {
				return t, push(NewACLsOf(t.c, "TOPIC", r.Key))
			}
		case key.Matches(msg, k.ElectLeaders):
			if r, ok := t.Selected(); ok {
				name := r.Key
				return t, electDialog(t.c, "topic "+plainName(name), func(topic string, _ kafkaclient.PartitionInfo) bool { return topic == name })
			}
		case key.Matches(msg, k.Internal):
			t.showInternal = !t.showInternal
			t.rebuild()
			if t.showInternal {
				return t, notify("internal topics shown", false)
			}
			return t, notify("internal topics hidden", false)
		default:
			t.List.Update(msg)
		}
	case tea.MouseWheelMsg:
		t.List.Update(msg)
	}
	return t, nil
}

func (t *Topics) rebuild() {
	snap := t.c.Snapshot
	if snap == nil {
		return
	}
	st := t.c.Styles
	items := make([]topicItem, 0, len(snap.Topics))
	t.internal = 0
	for i := range snap.Topics {
		tp := &snap.Topics[i]
		if tp.Internal {
			t.internal++
		}
		if tp.Internal && !t.showInternal {
			continue
		}
		size := int64(-1)
		if t.c.Disk != nil {
			if n, ok := t.c.Disk.TopicSize(tp.Name); ok {
				size = n
			}
		}
		items = append(items, topicItem{tp, tp.Messages(), tp.UnderReplicated(), size})
	}
	// The cells most rows share are styled once here: styling costs
	// microseconds, and the first frame measures up to 200 rows.
	cells := topicCellsOf{st: st, disk: diskCell(t.c), pending: st.Muted.Render("…"), allInSync: st.OK.Render("0"),
		watermarks: !snap.WatermarksAt.IsZero()}
	t.Empty = "no topics"
	t.SetItems(items, func(k topicItem) widget.Row {
		return widget.Row{
			Key:    k.t.Name,
			Search: k.t.Name,
			Cells:  func() []string { return cells.of(k) },
		}
	})
}

// topicCellsOf makes a topic's row cells for one snapshot.
type topicCellsOf struct {
	st                 *themes.Styles
	disk               func(int64) string
	pending, allInSync string
	watermarks         bool
}

func (c topicCellsOf) of(k topicItem) []string {
	st, t, urp := c.st, k.t, k.urp
	name, _ := sanitize.Styled(t.Name, st.Escape)
	if t.Internal {
		name += st.Muted.Render(" (internal)")
	}
	if t.Err != nil {
		clean, _ := sanitize.Plain(t.Err.Error())
		name += " " + st.Error.Render(clean)
	}
	// Partitions without watermarks (offline ones) add nothing, so the
	// sum shows once any watermarks were read.
	msgs := c.pending
	if c.watermarks {
		msgs = count(k.messages)
	}
	urpCell := c.allInSync
	if off := t.OfflinePartitions(); off > 0 {
		urpCell = st.Error.Render(fmt.Sprintf("%d (%d offline)", urp, off))
	} else if urp > 0 {
		urpCell = st.Warn.Render(strconv.Itoa(urp))
	}
	return []string{name, strconv.Itoa(len(t.Partitions)), strconv.Itoa(t.ReplicationFactor()), msgs, c.disk(k.size), urpCell}
}

// ShortHelp implements help.KeyMap.
func (t *Topics) ShortHelp() []key.Binding {
	k := t.c.Keys
	return []key.Binding{k.Open, k.Tail, k.Configs, k.NewTopic, k.Produce, k.Sort}
}

// FullHelp implements help.KeyMap.
func (t *Topics) FullHelp() [][]key.Binding {
	k := t.c.Keys
	return [][]key.Binding{{k.Open, k.Tail, k.Configs, k.ShowACLs, k.Internal}, k.Sorting(),
		{k.NewTopic, k.DeleteTopic, k.AddPartitions, k.Produce, k.ElectLeaders}, k.Movement()}
}
