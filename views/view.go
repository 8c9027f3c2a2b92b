// Package views holds one model per screen and the widgets they share.
// Views read kafkaclient's types and draw with themes' styles; they never
// talk to Kafka themselves but return Cmds that call the Cluster.
package views

import (
	"context"
	"time"

	"charm.land/bubbles/v2/help"
	tea "charm.land/bubbletea/v2"

	"kscope/kafkaclient"
	"kscope/themes"
)

// View is the contract every screen keeps with the root model.
type View interface {
	Init() tea.Cmd
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

// Closer views hold goroutines or connections, released when they leave the stack.
type Closer interface {
	Close() tea.Cmd
}

// Cluster is what views may ask of the cluster; kafkaclient.Client has it.
type Cluster interface {
	TopicConfig(ctx context.Context, topic string) ([]kafkaclient.ConfigEntry, error)
	Tail(ctx context.Context, spec kafkaclient.TailSpec) (*kafkaclient.Tail, error)
	Groups(ctx context.Context) ([]kafkaclient.GroupInfo, error)
	Group(ctx context.Context, name string) (kafkaclient.GroupInfo, error)
	Refresh()

	// Changes; the client refuses them in read-only mode.
	CreateTopic(ctx context.Context, s kafkaclient.TopicSpec) error
	DeleteTopic(ctx context.Context, name string) error
	AddPartitions(ctx context.Context, topic string, total int32) error
	SetTopicConfig(ctx context.Context, topic, name string, value *string) error
	Produce(ctx context.Context, r kafkaclient.ProduceRequest) (kafkaclient.ProduceResult, error)
	PlanReset(ctx context.Context, group, topic string, partitions []int32, t kafkaclient.ResetTarget) (kafkaclient.ResetPlan, error)
	ApplyReset(ctx context.Context, p kafkaclient.ResetPlan) error
	DeleteGroupOffsets(ctx context.Context, group, topic string) error
	DeleteGroup(ctx context.Context, group string) error
}

// Common is shared, by pointer, by the root and every view.
type Common struct {
	Styles   *themes.Styles
	Keys     *KeyMap
	Cluster  Cluster
	ReadOnly bool
	// Now is the clock views show ages with; tests fix it.
	Now func() time.Time
	// Snapshot is the latest cluster observation, so a view opened later
	// starts with data; the root keeps it current.
	Snapshot *kafkaclient.Snapshot
	// TailRecords and TailBytes bound each tail's buffer (0: the defaults).
	TailRecords, TailBytes int
	// GroupsEvery and GroupEvery are how often the groups list and an open
	// group are observed (0: the defaults).
	GroupsEvery, GroupEvery time.Duration
	// Audit records the changes made; Context names the cluster in its entries.
	Audit   Audit
	Context string
}

// Audit keeps the record of every change kscope made to a cluster.
type Audit interface {
	Record(kafkaclient.AuditEntry) error
	Entries() ([]kafkaclient.AuditEntry, error)
}

// Push asks the root to open a view on top of the current one.
type Push struct{ View View }

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
