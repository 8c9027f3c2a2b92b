package views

import (
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"kscope/kafkaclient"
	"kscope/views/sanitize"
	"kscope/views/widget"
)

// HealthState is what the health checks know beyond the snapshot and the
// disks, and their last findings; the root keeps it current and shows
// Summary in the header of every screen.
type HealthState struct {
	read     kafkaclient.HealthRead
	findings []Finding
	// Summary is OK, or the worst severity and how many findings have it.
	Summary string
	Worst   Severity
}

// Findings are the findings of the last evaluation, worst first.
func (h *HealthState) Findings() []Finding { return h.findings }

// HealthRead keeps what the client's health poll read: a part that failed
// keeps what was read before.
func (c *Common) HealthRead(r kafkaclient.HealthRead) {
	h := c.health()
	if r.RequirementsErr == nil {
		h.read.Requirements = r.Requirements
	}
	if r.TransactionsErr == nil || len(r.Transactions) > 0 {
		h.read.Transactions = r.Transactions
	}
	h.read.At = r.At
}

// EvaluateHealth runs the checks on what the session knows now: the
// root calls it when the cluster, the disks or the health reads change,
// and the health view when it has observed the groups.
func (c *Common) EvaluateHealth() {
	h := c.health()
	in := healthInput{snap: c.Snapshot, disk: c.Disk, req: h.read.Requirements, txns: h.read.Transactions, now: c.Now()}
	if c.GroupHistory != nil {
		in.groups = map[string]kafkaclient.Status{}
		c.GroupHistory.Each(func(name string, r *kafkaclient.GroupRecord) { in.groups[name] = r.Health.Status(in.now) })
	}
	h.findings = evaluateHealth(in)
	h.Summary, h.Worst = healthSummary(h.findings)
}

func (c *Common) health() *HealthState {
	if c.Health == nil {
		c.Health = &HealthState{Summary: "OK"}
	}
	return c.Health
}

// Health is the :health view: what is wrong with the cluster, worst
// first, each line a way into the view that shows it. While it is open
// it observes the groups, as the groups list does, so that stalled and
// stopped consumers are among its findings.
type Health struct {
	*widget.List[Finding]
	groupsPoll
}

// NewHealth makes the :health view.
func NewHealth(c *Common) *Health {
	v := &Health{groupsPoll: groupsPoll{c: c, reader: c.Client.Groups}, List: newList[Finding](c, "health", []widget.Column{
		{Title: "SEVERITY", Short: "SEV", Essential: true, Priority: 10},
		{Title: "CHECK", Essential: true, Priority: 9, Min: 12},
		{Title: "SUBJECT", Essential: true, Priority: 8, Min: 12, Cut: widget.CutMiddle},
		{Title: "DETAIL", Essential: true, Priority: 7, Min: 20, Cut: widget.CutEnd},
	})}
	v.Empty = "no findings: every check passes"
	groupHistory(c)
	c.EvaluateHealth()
	v.rebuild()
	return v
}

// Init implements View.
func (v *Health) Init(s Scope) tea.Cmd {
	v.scope = s
	return v.load()
}

// Update implements View.
func (v *Health) Update(msg tea.Msg) (View, tea.Cmd) {
	switch msg := msg.(type) {
	case GroupsLoaded:
		next := v.arrived()
		if msg.Err != nil {
			return v, tea.Batch(next, notify("groups: "+msg.Err.Error(), true))
		}
		recordGroups(groupHistory(v.c), msg.Groups, msg.At)
		v.c.EvaluateHealth()
		v.rebuild()
		return v, next
	case groupsTick:
		return v, v.tick(msg)
	case kafkaclient.ClusterUpdated, kafkaclient.DiskUpdated, kafkaclient.HealthRead, ThemeChanged:
		v.rebuild()
	case tea.KeyPressMsg:
		if cmd := v.c.Keys.refused(msg, v.FullHelp()); cmd != nil {
			return v, cmd
		}
		switch {
		case key.Matches(msg, v.c.Keys.Open):
			if f, ok := v.selected(); ok && f.open != nil {
				return v, push(f.open(v.c))
			}
		case key.Matches(msg, v.c.Keys.ElectLeaders):
			return v, electDialog(v.c, "the cluster", func(string, kafkaclient.PartitionInfo) bool { return true })
		case key.Matches(msg, v.c.Keys.Reload):
			return v, v.now()
		default:
			v.List.Update(msg)
		}
	case tea.MouseWheelMsg:
		v.List.Update(msg)
	}
	return v, nil
}

// selected is the finding under the cursor.
func (v *Health) selected() (Finding, bool) {
	r, ok := v.Selected()
	if !ok {
		return Finding{}, false
	}
	for _, f := range v.c.health().Findings() {
		if findingKey(f) == r.Key {
			return f, true
		}
	}
	return Finding{}, false
}

func findingKey(f Finding) string { return f.Check + "\x00" + f.Subject }

func (v *Health) rebuild() {
	st := v.c.Styles
	v.SetItems(v.c.health().Findings(), func(f Finding) widget.Row {
		sev := st.Warn.Render(f.Severity.String())
		if f.Severity == SeverityCrit {
			sev = st.Error.Render(f.Severity.String())
		}
		subject, _ := sanitize.Styled(f.Subject, st.Escape)
		detail, _ := sanitize.Styled(f.Detail, st.Escape)
		return widget.Row{
			Key:    findingKey(f),
			Search: f.Check + " " + f.Subject + " " + f.Detail,
			Cells:  widget.FixedCells(sev, f.Check, subject, detail),
		}
	})
}

// ShortHelp implements help.KeyMap.
func (v *Health) ShortHelp() []key.Binding {
	k := v.c.Keys
	return []key.Binding{v.openKey(), k.Reload}
}

// FullHelp implements help.KeyMap.
func (v *Health) FullHelp() [][]key.Binding {
	k := v.c.Keys
	return [][]key.Binding{{v.openKey(), k.Reload, k.ElectLeaders}, k.Movement()}
}

// openKey is Open as this view uses it: the view that shows a finding.
func (v *Health) openKey() key.Binding {
	k := v.c.Keys.Open
	k.SetHelp(k.Help().Key, "show")
	return k
}
