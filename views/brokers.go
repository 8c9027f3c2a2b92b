package views

import (
	"fmt"
	"strconv"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"kscope/kafkaclient"
	"kscope/views/sanitize"
	"kscope/views/widget"
)

// Brokers lists the brokers with the partitions each leads and holds, so
// leadership skew shows at a glance; enter opens one.
type Brokers struct {
	*widget.List[kafkaclient.BrokerInfo]
	c *Common
}

// NewBrokers makes the brokers view.
func NewBrokers(c *Common) *Brokers {
	b := &Brokers{c: c, List: newList[kafkaclient.BrokerInfo](c, "brokers", []widget.Column{
		{Title: "ID", Right: true, Cut: widget.CutNever, Essential: true, Priority: 9},
		{Title: "ADDRESS", Essential: true, Priority: 6, Min: 20, Cut: widget.CutMiddle},
		{Title: "RACK", Priority: 2, Cut: widget.CutMiddle},
		{Title: "CTRL", Essential: true, Priority: 3},
		{Title: "LEADERS", Right: true, Cut: widget.CutNever, Essential: true, Priority: 8},
		{Title: "REPLICAS", Short: "REPL", Right: true, Cut: widget.CutNever, Priority: 5},
		{Title: "DISK", Right: true, Priority: 4},
		// Why a broker is down matters more than its whole address.
		{Title: "STATUS", Essential: true, Priority: 7},
	})}
	b.Empty = "waiting for metadata…"
	b.rebuild()
	return b
}

// Init implements View.
func (b *Brokers) Init(Scope) tea.Cmd { return nil }

// Update implements View.
func (b *Brokers) Update(msg tea.Msg) (View, tea.Cmd) {
	switch msg := msg.(type) {
	case kafkaclient.ClusterUpdated, kafkaclient.DiskUpdated, ThemeChanged:
		b.rebuild()
	case tea.KeyPressMsg:
		if cmd := b.c.Keys.refused(msg, b.FullHelp()); cmd != nil {
			return b, cmd
		}
		r, selected := b.Selected()
		id, _ := strconv.ParseInt(r.Key, 10, 32)
		switch {
		case selected && key.Matches(msg, b.c.Keys.Open):
			return b, push(NewBroker(b.c, int32(id)))
		case selected && key.Matches(msg, b.c.Keys.ElectLeaders):
			// The partitions whose preferred replica the broker is.
			return b, electDialog(b.c, fmt.Sprintf("broker %d", id), func(_ string, p kafkaclient.PartitionInfo) bool {
				return p.PreferredLeader() == int32(id)
			})
		}
		b.List.Update(msg)
	case tea.MouseWheelMsg:
		b.List.Update(msg)
	}
	return b, nil
}

func (b *Brokers) rebuild() {
	snap := b.c.Snapshot
	if snap == nil {
		return
	}
	st := b.c.Styles
	totalLeaders := 0
	for _, br := range snap.Brokers {
		totalLeaders += br.Leaders
	}
	fair := float64(totalLeaders) / float64(max(len(snap.Brokers), 1))
	b.SetItems(snap.Brokers, func(br kafkaclient.BrokerInfo) widget.Row {
		addr, _ := sanitize.Styled(br.Addr, st.Escape)
		rack, _ := sanitize.Styled(br.Rack, st.Escape)
		if br.Rack == "" {
			rack = st.Muted.Render("-")
		}
		ctrl := ""
		if br.Controller {
			ctrl = st.Accent.Render("●")
		}
		share := 0.0
		if totalLeaders > 0 {
			share = 100 * float64(br.Leaders) / float64(totalLeaders)
		}
		leaders := fmt.Sprintf("%s %3.0f%%", count(int64(br.Leaders)), share)
		// More than 1.5× or under half of an even share is skew worth seeing.
		if totalLeaders > 0 && (float64(br.Leaders) > 1.5*fair || float64(br.Leaders) < 0.5*fair) {
			leaders = st.Warn.Render(leaders)
		}
		status := st.OK.Render("up")
		if !br.Up {
			msg := "down"
			if br.Err != nil {
				msg += ": " + br.Err.Error()
			}
			// Connection errors quote the broker's advertised address.
			clean, _ := sanitize.Plain(msg)
			status = st.Error.Render(clean)
		}
		return widget.Row{
			Key:    strconv.Itoa(int(br.ID)),
			Search: fmt.Sprintf("%d %s %s", br.ID, br.Addr, br.Rack),
			Cells:  widget.FixedCells(strconv.Itoa(int(br.ID)), addr, rack, ctrl, leaders, count(int64(br.Replicas)), b.disk(br.ID), status),
		}
	})
}

// disk is the bytes in the broker's log dirs, with the dirs that are
// offline or that it could not list.
func (b *Brokers) disk(id int32) string {
	st := b.c.Styles
	if b.c.Disk == nil {
		return b.c.noDisk()
	}
	for _, bd := range b.c.Disk.Brokers {
		if bd.Broker != id {
			continue
		}
		if bd.Err != nil {
			return st.Error.Render("unknown")
		}
		var size int64
		offline := 0
		for _, d := range bd.Dirs {
			size += d.Size
			if d.Err != nil {
				offline++
			}
		}
		out := bytesize(size)
		if n := len(bd.Dirs); n > 1 {
			out += fmt.Sprintf(" in %d dirs", n)
		}
		if offline > 0 {
			return st.Error.Render(fmt.Sprintf("%s, %d offline", out, offline))
		}
		return out
	}
	return st.Muted.Render("-")
}

// ShortHelp implements help.KeyMap.
func (b *Brokers) ShortHelp() []key.Binding { return []key.Binding{b.openKey()} }

// openKey is Open as this view uses it: a broker's detail.
func (b *Brokers) openKey() key.Binding {
	k := b.c.Keys.Open
	k.SetHelp(k.Help().Key, "broker detail")
	return k
}

// FullHelp implements help.KeyMap.
func (b *Brokers) FullHelp() [][]key.Binding {
	return [][]key.Binding{{b.openKey(), b.c.Keys.ElectLeaders}, b.c.Keys.Sorting(), b.c.Keys.Movement()}
}
