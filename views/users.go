package views

import (
	"cmp"
	"strconv"
	"strings"

	"kscope/kafkaclient"
	"kscope/views/sanitize"
	"kscope/views/widget"
)

// NewUsers makes the :users view: the users that have SCRAM credentials,
// with each credential's mechanism and iterations, as kafka-configs
// --describe --entity-type users gives them. Kafka gives no secret back,
// so none is shown.
func NewUsers(c *Common) *ReadList[kafkaclient.ScramCredential] {
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
	st := c.Styles
	v := &ReadList[kafkaclient.ScramCredential]{List: list, c: c, what: "users", none: "no user has SCRAM credentials",
		row: func(s kafkaclient.ScramCredential) widget.Row {
			user, _ := sanitize.Styled(s.User, st.Escape)
			return widget.Row{
				Key:    s.User + "\x00" + s.Mechanism,
				Search: s.User + " " + s.Mechanism,
				Cells:  widget.FixedCells(user, s.Mechanism, strconv.Itoa(int(s.Iterations))),
			}
		}}
	if c.Client.Scram != nil {
		v.read = c.Client.Scram.ScramCredentials
	}
	return v
}
