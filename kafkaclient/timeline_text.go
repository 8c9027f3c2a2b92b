package kafkaclient

import (
	"cmp"
	"strconv"
	"strings"
	"time"
)

// Text is the event as one plain line; the caller sanitizes and styles it.
func (e TimelineEvent) Text() string {
	p := e.Partition.Topic + "/" + strconv.Itoa(int(e.Partition.Partition))
	switch e.Kind {
	case EventMemberJoined:
		return "member joined: " + memberText(e.ClientID, e.Host, e.Member)
	case EventMemberLeft:
		return "member left: " + memberText(e.ClientID, e.Host, e.Member)
	case EventStateChanged:
		return "state " + e.From + " → " + e.To
	case EventGenerationChanged:
		return "generation " + e.From + " → " + e.To
	case EventPartitionMoved:
		from, to := e.memberNames()
		if e.Unowned > 0 {
			return p + ": " + from + " → (unowned) → " + to + ", " + roundDuration(e.Unowned) + " without a consumer"
		}
		return p + ": " + from + " → " + to
	case EventPartitionUnowned:
		from, _ := e.memberNames()
		return p + ": " + from + " → (unowned)"
	case EventPartitionAssigned:
		_, to := e.memberNames()
		switch {
		case e.FromUnknown:
			return p + ": (unknown) → " + to
		case e.Unowned > 0:
			return p + ": (unowned) → " + to + " after " + roundDuration(e.Unowned) + " without a consumer"
		}
		return p + ": (unowned) → " + to
	case EventOwnersUnknown:
		return "owner not reported while the group rebalances: " + PartitionsText(e.Partitions)
	case EventOffsetsReset:
		return offsetsText(e.Offsets)
	case EventUnobserved:
		return "not observed for " + roundDuration(e.Gap) + ": what changed meanwhile is not shown"
	case EventRebalanceStarted:
		return "rebalance #" + strconv.Itoa(e.Rebalance) + " started"
	case EventRebalanceEnded:
		return e.Summary.text()
	case EventGroupGone:
		if e.Err != nil {
			return "group gone: " + e.Err.Error()
		}
		return "group gone (Dead)"
	case EventError:
		return "poll failed: " + e.Err.Error()
	}
	return e.epochText(p)
}

// epochText is Text for the kinds of consumer-protocol and share groups.
func (e TimelineEvent) epochText(p string) string {
	switch e.Kind {
	case EventEpochChanged:
		if e.Cause == "" {
			return "group epoch " + e.From + " → " + e.To
		}
		return "group epoch " + e.From + " → " + e.To + ": " + e.Cause
	case EventTargetChanged:
		from, to := e.memberNames()
		return "target " + p + ": " + cmp.Or(from, "(none)") + " → " + cmp.Or(to, "(none)")
	case EventMemberRevoked:
		return memberRef(e.ClientID, e.Member) + " revoked " + PartitionsText(e.Partitions)
	case EventMemberAssigned:
		if e.Unowned > 0 {
			return memberRef(e.ClientID, e.Member) + " assigned " + PartitionsText(e.Partitions) + " after " + roundDuration(e.Unowned) + " without a consumer"
		}
		return memberRef(e.ClientID, e.Member) + " assigned " + PartitionsText(e.Partitions)
	case EventMemberReconciled:
		if e.Took > 0 {
			return memberRef(e.ClientID, e.Member) + " reconciled at epoch " + e.To + ", " + roundDuration(e.Took) + " into the rebalance"
		}
		return memberRef(e.ClientID, e.Member) + " reconciled at epoch " + e.To
	case EventMemberFenced:
		return "member fenced, joined again: " + memberText(e.ClientID, e.Host, e.Member)
	case EventTypeChanged:
		return "group type " + e.From + " → " + e.To + ": what follows is observed afresh"
	}
	return "unknown event " + strconv.Itoa(int(e.Kind))
}

// memberRef names a member by client ID and a short member ID: clients
// often share a client ID (franz-go's default is one for all).
func memberRef(client, id string) string {
	short := id
	if len(short) > 10 {
		short = short[:8] + "…"
	}
	if client == "" {
		return short
	}
	return client + " (" + short + ")"
}

// memberNames names the From and To members of a partition event by
// client ID. Clients often share one (it defaults to one per process and
// group); then only the member IDs tell the two apart.
func (e TimelineEvent) memberNames() (from, to string) {
	from, to = e.FromClient, e.ToClient
	switch {
	case e.From == "" || e.To == "" || e.From == e.To:
		from, to = cmp.Or(from, e.From), cmp.Or(to, e.To)
	case from == "" || to == "" || from == to:
		from, to = e.From, e.To
	}
	return from, to
}

// RebalanceSummary is how one rebalance went, as far as polling saw it.
type RebalanceSummary struct {
	// Number counts rebalances from 1 within one timeline.
	Number int
	// Start is the observation that first showed a sign of the rebalance,
	// End the one where the group was settled again.
	Start, End time.Time
	// Duration is End − Start, a lower bound since the rebalance began
	// somewhere in the poll interval before Start. A rebalance seen whole
	// in one observation (Start == End: CompletingRebalance can last
	// milliseconds) has instead the time since the previous observation,
	// an upper bound: zero would say nothing.
	Duration time.Duration
	// PartitionsMoved counts partitions whose owning member at End is not
	// the one before Start, so a partition that moved away and came back
	// does not count, and one whose member rejoined under a new member ID
	// does: the consumer restarted and lost its state. Partitions whose
	// owner before is not known are not counted (see UnknownBefore).
	PartitionsMoved int
	// Unowned counts the partitions that were without a consumer at some
	// time during the rebalance: the ones the timeline shows "(unowned)".
	Unowned int
	// MaxUnowned is the longest any partition went without an owner
	// during the rebalance, counted up to End for one still unowned then.
	MaxUnowned time.Duration
	// UnknownBefore counts partitions whose owner before the rebalance is
	// not known: the timeline began during it.
	UnknownBefore int
	// PeakLag is the highest total lag of the observations from Start to
	// End, both included.
	PeakLag int64
	// MembersBefore is the member count of the observation before Start,
	// MembersAfter that at End.
	MembersBefore, MembersAfter int
	// Incremental marks a consumer-protocol group's rebalance: members
	// reconcile one by one while the others keep consuming, and it ends
	// (converges) when the last member reached its target.
	Incremental bool
}

func (s *RebalanceSummary) text() string {
	var b strings.Builder
	b.WriteString("rebalance #" + strconv.Itoa(s.Number))
	done := " done"
	if s.Incremental {
		done = " converged"
	}
	if s.Start.Equal(s.End) {
		b.WriteString(done + " within " + roundDuration(s.Duration))
	} else {
		b.WriteString(done + " in " + roundDuration(s.Duration))
	}
	b.WriteString(": " + plural(s.PartitionsMoved, "partition") + " moved")
	if s.UnknownBefore > 0 {
		b.WriteString(" (" + strconv.Itoa(s.UnknownBefore) + " of unknown owner before)")
	}
	if s.Unowned > 0 {
		b.WriteString(", " + strconv.Itoa(s.Unowned) + " without a consumer")
		if s.MaxUnowned > 0 {
			b.WriteString(" for up to " + roundDuration(s.MaxUnowned))
		}
	}
	b.WriteString(", peak lag " + thousands(s.PeakLag))
	if s.MembersBefore != s.MembersAfter {
		b.WriteString(", members " + strconv.Itoa(s.MembersBefore) + " → " + strconv.Itoa(s.MembersAfter))
	}
	return b.String()
}

// PartitionsText writes partitions, sorted, as "orders/0-3,7 payments/2":
// a rebalance of a hundred partitions still fits on a line.
func PartitionsText(tps []TopicPartition) string {
	var b strings.Builder
	for i := 0; i < len(tps); {
		tp := tps[i]
		if i == 0 || tps[i-1].Topic != tp.Topic {
			if i > 0 {
				b.WriteByte(' ')
			}
			b.WriteString(tp.Topic + "/")
		} else {
			b.WriteByte(',')
		}
		j := i
		for j+1 < len(tps) && tps[j+1].Topic == tp.Topic && tps[j+1].Partition == tps[j].Partition+1 {
			j++
		}
		b.WriteString(strconv.Itoa(int(tp.Partition)))
		if j > i {
			b.WriteString("-" + strconv.Itoa(int(tps[j].Partition)))
		}
		i = j + 1
	}
	return b.String()
}

// offsetsShown is how many partitions an offset reset's line names; the
// export has them all.
const offsetsShown = 4

// offsetsText is an offset reset as one line.
func offsetsText(changes []OffsetChange) string {
	deleted := true
	for _, c := range changes {
		deleted = deleted && c.To < 0
	}
	var b strings.Builder
	if deleted {
		b.WriteString("offsets deleted: ")
	} else {
		b.WriteString("offsets reset: ")
	}
	for i, c := range changes {
		if i == offsetsShown {
			b.WriteString(", +" + strconv.Itoa(len(changes)-i) + " more")
			break
		}
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(c.Topic + "/" + strconv.Itoa(int(c.Partition)) + " " + offsetText(c.From) + " → " + offsetText(c.To))
	}
	return b.String()
}

func offsetText(o int64) string {
	if o < 0 {
		return "none"
	}
	return thousands(o)
}

// memberText is "client (host) id member", leaving out what is unknown.
func memberText(client, host, id string) string {
	var parts []string
	if client != "" {
		parts = append(parts, client)
	}
	if host != "" {
		parts = append(parts, "("+host+")")
	}
	return strings.Join(append(parts, "id "+id), " ")
}

// plural is "1 partition", "2 partitions".
func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return strconv.Itoa(n) + " " + noun + "s"
}

// roundDuration keeps tenths of a second from one second up and whole
// milliseconds below: polls are hundreds of milliseconds apart, so more
// digits would be noise.
func roundDuration(d time.Duration) string {
	if d >= time.Second {
		return d.Round(100 * time.Millisecond).String()
	}
	return d.Round(time.Millisecond).String()
}

// thousands formats a non-negative n with thousands separators.
func thousands(n int64) string {
	s := strconv.FormatInt(n, 10)
	var b strings.Builder
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	return b.String()
}
