package views

import (
	"cmp"
	"context"
	"strconv"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"kscope/kafkaclient"
	"kscope/views/sanitize"
	"kscope/views/widget"
)

// usersLoaded answers a Users view's load.
type usersLoaded struct {
	seq   int
	creds []kafkaclient.ScramCredential
	err   error
}

// Users lists the users that have SCRAM credentials, with each
// credential's mechanism and iterations: what kafka-configs --describe
// --entity-type users says. Kafka gives no secret back, so none is shown.
type Users struct {
	*widget.List[kafkaclient.ScramCredential]
	c      *Common
	scope  Scope
	reader ScramReader
	seq    int
}

// NewUsers makes the :users view; its Init loads the credentials.
func NewUsers(c *Common) *Users {
	type sc = kafkaclient.ScramCredential
	list := newList(c, "users", []widget.Column{
		{Title: "USER", Essential: true, Priority: 10, Min: 12, Cut: widget.CutMiddle},
		{Title: "MECHANISM", Essential: true, Priority: 8},
		{Title: "ITERATIONS", Right: true, Cut: widget.CutNever, Essential: true, Priority: 6},
	},
		widget.Sort[sc]{Column: 0, Compare: func(a, b sc) int { return strings.Compare(a.User, b.User) }},
		widget.Sort[sc]{Column: 1, Compare: func(a, b sc) int { return strings.Compare(a.Mechanism, b.Mechanism) }},
		widget.Sort[sc]{Column: 2, Desc: true, Compare: func(a, b sc) int { return cmp.Compare(a.Iterations, b.Iterations) }},
	)
	list.Empty = "loading…"
	return &Users{List: list, c: c, reader: c.Client.Scram}
}

// Init implements View.
func (v *Users) Init(s Scope) tea.Cmd {
	v.scope = s
	return v.load()
}

func (v *Users) load() tea.Cmd {
	if v.reader == nil {
		v.Empty = "this session cannot read SCRAM credentials"
		return nil
	}
	v.seq++
	seq, reader := v.seq, v.reader
	return v.scope.Do(func(ctx context.Context) tea.Msg {
		creds, err := reader.ScramCredentials(ctx)
		return usersLoaded{seq: seq, creds: creds, err: err}
	})
}

// Update implements View.
func (v *Users) Update(msg tea.Msg) (View, tea.Cmd) {
	switch msg := msg.(type) {
	case usersLoaded:
		if msg.seq != v.seq {
			return v, nil
		}
		if msg.err != nil {
			text, _ := sanitize.Plain(msg.err.Error())
			v.Empty = "could not list the users: " + text
			return v, notify(text, true)
		}
		v.Empty = "no user has SCRAM credentials"
		st := v.c.Styles
		v.SetItems(msg.creds, func(s kafkaclient.ScramCredential) widget.Row {
			user, _ := sanitize.Styled(s.User, st.Escape)
			iterations := strconv.Itoa(int(s.Iterations))
			return widget.Row{
				Key:    s.User + "\x00" + s.Mechanism,
				Search: s.User + " " + s.Mechanism,
				Cells:  widget.FixedCells(user, s.Mechanism, iterations),
			}
		})
	case Changed:
		return v, v.load()
	case tea.KeyPressMsg:
		if key.Matches(msg, v.c.Keys.Reload) {
			return v, v.load()
		}
		v.List.Update(msg)
	case tea.MouseWheelMsg:
		v.List.Update(msg)
	}
	return v, nil
}

// ShortHelp implements help.KeyMap.
func (v *Users) ShortHelp() []key.Binding {
	k := v.c.Keys
	return []key.Binding{k.Reload, k.Sort}
}

// FullHelp implements help.KeyMap.
func (v *Users) FullHelp() [][]key.Binding {
	k := v.c.Keys
	return [][]key.Binding{{k.Reload}, k.Sorting(), k.Movement()}
}
