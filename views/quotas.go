package views

import (
	"cmp"
	"strconv"
	"strings"

	"kscope/kafkaclient"
	"kscope/views/sanitize"
	"kscope/views/widget"
)

// NewQuotas makes the :quotas view: every client quota, one row for each
// entity and limit, as kafka-configs --describe gives them for users,
// clients and IPs. Byte rates also show in binary units.
func NewQuotas(c *Common) *ReadList[kafkaclient.Quota] {
	type q = kafkaclient.Quota
	list := newList(c, "quotas", []widget.Column{
		{Title: "USER", Essential: true, Priority: 10, Min: 10, Cut: widget.CutMiddle},
		{Title: "CLIENT-ID", Essential: true, Priority: 9, Min: 10, Cut: widget.CutMiddle},
		{Title: "IP", Priority: 5},
		{Title: "QUOTA", Essential: true, Priority: 8},
		{Title: "VALUE", Right: true, Cut: widget.CutNever, Essential: true, Priority: 7},
	},
		widget.Sort[q]{Column: 0, Compare: func(a, b q) int {
			return strings.Compare(quotaPart(a.User, a.DefaultUser), quotaPart(b.User, b.DefaultUser))
		}},
		widget.Sort[q]{Column: 1, Compare: func(a, b q) int {
			return strings.Compare(quotaPart(a.ClientID, a.DefaultClientID), quotaPart(b.ClientID, b.DefaultClientID))
		}},
		widget.Sort[q]{Column: 2, Compare: func(a, b q) int { return strings.Compare(quotaPart(a.IP, a.DefaultIP), quotaPart(b.IP, b.DefaultIP)) }},
		widget.Sort[q]{Column: 3, Compare: func(a, b q) int { return strings.Compare(a.Key, b.Key) }},
		widget.Sort[q]{Column: 4, Desc: true, Compare: func(a, b q) int { return cmp.Compare(a.Value, b.Value) }},
	)
	list.Empty = "loading…"
	st := c.Styles
	v := &ReadList[kafkaclient.Quota]{List: list, c: c, what: "quotas", none: "no user, client id or IP has a quota",
		row: func(q kafkaclient.Quota) widget.Row {
			user, _ := sanitize.Styled(quotaPart(q.User, q.DefaultUser), st.Escape)
			client, _ := sanitize.Styled(quotaPart(q.ClientID, q.DefaultClientID), st.Escape)
			ip, _ := sanitize.Styled(quotaPart(q.IP, q.DefaultIP), st.Escape)
			key, _ := sanitize.Styled(q.Key, st.Escape)
			entity := strings.Join([]string{quotaPart(q.User, q.DefaultUser), quotaPart(q.ClientID, q.DefaultClientID), quotaPart(q.IP, q.DefaultIP)}, " ")
			return widget.Row{
				Key:    entity + "\x00" + q.Key,
				Search: entity + " " + q.Key,
				Cells:  widget.FixedCells(user, client, ip, key, quotaValue(q.Key, q.Value)),
			}
		}}
	if c.Client.Quotas != nil {
		v.read = c.Client.Quotas.Quotas
	}
	return v
}

// quotaPart names one part of a quota's entity: the name, "<default>"
// for the default (as kafka-configs' --entity-default), or nothing.
func quotaPart(name string, def bool) string {
	if def {
		return "<default>"
	}
	return name
}

// quotaValue writes a limit as Kafka holds it, with byte rates also in
// binary units per second.
func quotaValue(key string, v float64) string {
	s := strconv.FormatFloat(v, 'f', -1, 64)
	if strings.HasSuffix(key, "_byte_rate") && v >= 1<<10 && v < 1<<62 {
		s += " (" + bytesize(int64(v)) + "/s)"
	}
	return s
}
