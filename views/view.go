// Package views holds one model per screen. Views read kafkaclient's types
// and draw with themes' styles; they never talk to Kafka themselves but
// return Cmds that call the client roles they were given.
package views

import (
	"time"

	"charm.land/bubbles/v2/help"
	tea "charm.land/bubbletea/v2"

	"kscope/kafkaclient"
	"kscope/themes"
)

// View is the contract every screen keeps with the root model.
type View interface {
	// Init is called by the root once the view is on the stack; the scope
	// lives until the view leaves it.
	Init(Scope) tea.Cmd
	Update(tea.Msg) (View, tea.Cmd)
	// View draws exactly the size last given to SetSize.
	View() string
	SetSize(width, height int)
	// Title names the view in the breadcrumb, e.g. "topic orders".
	Title() string
	help.KeyMap
}

// Filterable views take the root's '/' filter. A filter they cannot
// use returns an error and the previous filter stays.
type Filterable interface {
	SetFilter(string) error
	// Filter is the filter in force, shown on the status line.
	Filter() string
}

// SubmitFilter marks views whose filter is applied when it is entered,
// not at each keystroke, because applying it costs more than a keystroke.
type SubmitFilter interface {
	FilterOnSubmit()
}

// InputCapturer views sometimes read text themselves; while they do,
// every key but ctrl+c goes to them.
type InputCapturer interface {
	CapturesInput() bool
}

// Pauser views poll the cluster at a cost that grows with it; the root
// pauses them while another view covers them, and resumes them on top.
type Pauser interface {
	Pause()
	Resume() tea.Cmd
}

// Common is shared, by pointer, by the root and every view.
type Common struct {
	Styles   *themes.Styles
	Keys     *KeyMap
	Client   Client
	ReadOnly bool
	// Now is the clock views show ages with; tests fix it.
	Now func() time.Time
	// Location is where times are shown (nil: the local zone).
	Location *time.Location
	// Snapshot is the latest cluster observation, so a view opened later
	// starts with data; the root keeps it current.
	Snapshot *kafkaclient.Snapshot
	// Disk is the brokers' log dirs as last read, nil before the first
	// read; the root keeps it current. DiskOff says the session does not
	// read them at all.
	Disk    *kafkaclient.LogDirs
	DiskOff bool
	// TailRecords and TailBytes bound each tail's buffer (0: the defaults);
	// TailReset is where a tail restarts when its offset is gone from the log.
	TailRecords, TailBytes int
	TailReset              kafkaclient.OutOfRange
	// GroupsEvery and GroupEvery are how often the groups list and an open
	// group are observed (0: the defaults).
	GroupsEvery, GroupEvery time.Duration
	// Audit records the changes made; Context names the cluster in its entries.
	Audit   Audit
	Context string
	// GroupHistory keeps each group's health, lag trend and timeline for
	// the session, so reopening a view does not start them from nothing;
	// the root sets one per session (nil: each view keeps its own).
	GroupHistory *kafkaclient.GroupHistory
	// Health is what the health checks know and found; nil until the
	// first evaluation.
	Health *HealthState
}

// Zone is where times are shown.
func (c *Common) Zone() *time.Location {
	if c.Location != nil {
		return c.Location
	}
	return time.Local
}

// Audit keeps the record of every change kscope made to a cluster.
type Audit interface {
	Record(kafkaclient.AuditEntry) error
	Entries() ([]kafkaclient.AuditEntry, error)
}

// Push asks the root to open a view on top of the current one; the root
// gives it its scope and calls its Init.
type Push struct{ View View }

// Pop asks the root to close the view on top: a dialog that is done.
type Pop struct{}

// Notice is a one-line message for the status line.
type Notice struct {
	Text  string
	Error bool
}

// ThemeChanged tells views to redraw whatever they styled ahead of time.
type ThemeChanged struct{}

func notify(text string, isErr bool) tea.Cmd {
	return func() tea.Msg { return Notice{Text: text, Error: isErr} }
}

func push(v View) tea.Cmd {
	return func() tea.Msg { return Push{View: v} }
}

func pop() tea.Msg { return Pop{} }
