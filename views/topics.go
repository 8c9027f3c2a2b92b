package views

import (
	"cmp"
	"fmt"
	"slices"
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
	c            *Common
	table        *widget.Table
	showInternal bool
	sortCol      int
	desc         bool
}

const (
	topicColName = iota
	topicColPartitions
	topicColRF
	topicColMessages
	topicColURP
)

// NewTopics makes the topics view.
func NewTopics(c *Common) *Topics {
	t := &Topics{c: c, table: widget.NewTable(c.Styles, &c.Keys.ListKeys, []widget.Column{
		{Title: "TOPIC"},
		{Title: "PARTITIONS", Width: 11, Right: true},
		{Title: "RF", Width: 4, Right: true},
		{Title: "MESSAGES", Width: 16, Right: true},
		{Title: "UNDER-REPL", Width: 14, Right: true},
	})}
	t.table.Empty = "waiting for metadata…"
	t.rebuild()
	return t
}

// Init implements View.
func (t *Topics) Init(Scope) tea.Cmd { return nil }

// Title implements View.
func (t *Topics) Title() string {
	shown, total := t.table.Counts()
	if shown != total {
		return fmt.Sprintf("topics (%d of %d)", shown, total)
	}
	return fmt.Sprintf("topics (%d)", total)
}

// SetSize implements View.
func (t *Topics) SetSize(w, h int) { t.table.SetSize(w, h) }

// Filter implements Filterable.
func (t *Topics) Filter() string { return t.table.Filter() }

// SetFilter implements Filterable.
func (t *Topics) SetFilter(f string) error {
	t.table.SetFilter(f)
	return nil
}

// Update implements View.
func (t *Topics) Update(msg tea.Msg) (View, tea.Cmd) {
	k := t.c.Keys
	switch msg := msg.(type) {
	case kafkaclient.ClusterUpdated, ThemeChanged:
		t.rebuild()
	case tea.KeyPressMsg:
		switch {
		case key.Matches(msg, k.Open):
			if r, ok := t.table.Selected(); ok {
				return t, push(NewPartitions(t.c, r.Key))
			}
		case key.Matches(msg, k.Configs):
			if r, ok := t.table.Selected(); ok {
				return t, push(NewConfigs(t.c, r.Key))
			}
		case key.Matches(msg, k.Tail):
			if r, ok := t.table.Selected(); ok {
				return t, push(NewTail(t.c, kafkaclient.TailSpec{Topic: r.Key}))
			}
		case key.Matches(msg, k.NewTopic):
			return t, newTopicDialog(t.c, t.c.Client.TopicAdmin)
		case key.Matches(msg, k.DeleteTopic), key.Matches(msg, k.AddPartitions), key.Matches(msg, k.Produce):
			r, ok := t.table.Selected()
			if !ok || t.c.Snapshot == nil || t.c.Snapshot.Topic(r.Key) == nil {
				return t, nil
			}
			info := t.c.Snapshot.Topic(r.Key)
			switch {
			case key.Matches(msg, k.DeleteTopic):
				return t, deleteTopicDialog(t.c, t.c.Client.TopicAdmin, info)
			case key.Matches(msg, k.AddPartitions):
				return t, addPartitionsDialog(t.c, t.c.Client.TopicAdmin, info)
			}
			return t, produceDialog(t.c, t.c.Client.Producer, info.Name)
		case key.Matches(msg, k.Internal):
			t.showInternal = !t.showInternal
			t.rebuild()
		case key.Matches(msg, k.Sort):
			t.sortCol = (t.sortCol + 1) % 5
			t.desc = t.sortCol != topicColName
			t.rebuild()
		case key.Matches(msg, k.Reverse):
			t.desc = !t.desc
			t.rebuild()
		default:
			t.table.Update(msg)
		}
	case tea.MouseWheelMsg:
		t.table.Update(msg)
	}
	return t, nil
}

func (t *Topics) rebuild() {
	snap := t.c.Snapshot
	if snap == nil {
		return
	}
	st := t.c.Styles
	topics := make([]*kafkaclient.TopicInfo, 0, len(snap.Topics))
	for i := range snap.Topics {
		if snap.Topics[i].Internal && !t.showInternal {
			continue
		}
		topics = append(topics, &snap.Topics[i])
	}
	// Sort keys are computed once per topic, not once per comparison.
	type keyed struct {
		t        *kafkaclient.TopicInfo
		messages int64
		urp      int
	}
	ks := make([]keyed, len(topics))
	for i, tp := range topics {
		ks[i] = keyed{tp, tp.Messages(), tp.UnderReplicated()}
	}
	slices.SortFunc(ks, func(a, b keyed) int {
		var c int
		switch t.sortCol {
		case topicColName:
			c = strings.Compare(a.t.Name, b.t.Name)
		case topicColPartitions:
			c = cmp.Compare(len(a.t.Partitions), len(b.t.Partitions))
		case topicColRF:
			c = cmp.Compare(a.t.ReplicationFactor(), b.t.ReplicationFactor())
		case topicColMessages:
			c = cmp.Compare(a.messages, b.messages)
		case topicColURP:
			c = cmp.Compare(a.urp, b.urp)
		}
		if t.desc {
			c = -c
		}
		if c == 0 {
			c = strings.Compare(a.t.Name, b.t.Name)
		}
		return c
	})
	rows := make([]widget.Row, len(ks))
	watermarks := !snap.WatermarksAt.IsZero()
	for i, k := range ks {
		rows[i] = widget.Row{
			Key:    k.t.Name,
			Search: strings.ToLower(k.t.Name),
			Cells:  func() []string { return topicCells(st, k.t, k.messages, k.urp, watermarks) },
		}
	}
	t.table.SetSort(t.sortCol, t.desc)
	t.table.Empty = "no topics"
	t.table.SetRows(rows)
}

func topicCells(st *themes.Styles, t *kafkaclient.TopicInfo, messages int64, urp int, watermarks bool) []string {
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
	msgs := st.Muted.Render("…")
	if watermarks {
		msgs = count(messages)
	}
	urpCell := st.OK.Render("0")
	if off := t.OfflinePartitions(); off > 0 {
		urpCell = st.Error.Render(fmt.Sprintf("%d (%d offline)", urp, off))
	} else if urp > 0 {
		urpCell = st.Warn.Render(strconv.Itoa(urp))
	}
	return []string{name, strconv.Itoa(len(t.Partitions)), strconv.Itoa(t.ReplicationFactor()), msgs, urpCell}
}

// View implements View.
func (t *Topics) View() string { return t.table.View() }

// ShortHelp implements help.KeyMap.
func (t *Topics) ShortHelp() []key.Binding {
	k := t.c.Keys
	return []key.Binding{k.Open, k.Tail, k.Configs, k.NewTopic, k.Produce, k.Sort}
}

// FullHelp implements help.KeyMap.
func (t *Topics) FullHelp() [][]key.Binding {
	k := t.c.Keys
	return [][]key.Binding{{k.Open, k.Tail, k.Configs, k.Sort, k.Reverse, k.Internal},
		{k.NewTopic, k.DeleteTopic, k.AddPartitions, k.Produce}, k.Movement()}
}
