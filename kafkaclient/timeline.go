package kafkaclient

import (
	"cmp"
	"errors"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"
)

// TimelineKind says what a TimelineEvent reports.
type TimelineKind int

// The kinds of timeline events.
const (
	// EventMemberJoined: a member ID not in the previous observation.
	EventMemberJoined TimelineKind = iota
	// EventMemberLeft: a member ID gone since the previous observation.
	EventMemberLeft
	// EventStateChanged: the coordinator's state went From → To.
	EventStateChanged
	// EventGenerationChanged: the generation went From → To (decimal).
	EventGenerationChanged
	// EventPartitionMoved: Partition went from member From to member To.
	EventPartitionMoved
	// EventPartitionUnowned: Partition lost its owner From and has none.
	EventPartitionUnowned
	// EventPartitionAssigned: Partition had no owner and now has To.
	EventPartitionAssigned
	// EventRebalanceStarted: the first sign of a rebalance.
	EventRebalanceStarted
	// EventRebalanceEnded: the group settled again; Summary says how it went.
	EventRebalanceEnded
	// EventGroupGone: the group is Dead or its coordinator does not know it.
	EventGroupGone
	// EventError: a poll failed; the timeline goes on with the next one.
	EventError
)

// TimelineEvent is one change seen between two observations of a group.
type TimelineEvent struct {
	At   time.Time
	Kind TimelineKind
	// Member, ClientID and Host describe the member that joined or left.
	Member   string
	ClientID string
	Host     string
	// Partition is the partition a partition event is about.
	Partition TopicPartition
	// From and To are states, generations (decimal) or member IDs,
	// "" for no owner.
	From, To string
	// FromClient and ToClient are the client IDs of the From and To members
	// of a partition event.
	FromClient, ToClient string
	// Rebalance is the number of the rebalance in progress when the event
	// happened (the one a started or ended event is about), 0 outside one,
	// so that a view can group a rebalance's events.
	Rebalance int
	// Summary is set on EventRebalanceEnded.
	Summary *RebalanceSummary
	// Err is the failed poll's error (EventError, and EventGroupGone when
	// the coordinator answered that it does not know the group).
	Err error
}

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
		// Clients often share a client ID (it defaults to one per process
		// and group); then only the member IDs tell the two apart.
		from, to := e.FromClient, e.ToClient
		if from == "" || to == "" || from == to {
			from, to = e.From, e.To
		}
		return p + ": " + from + " → " + to
	case EventPartitionUnowned:
		return p + ": " + cmp.Or(e.FromClient, e.From) + " → (unowned)"
	case EventPartitionAssigned:
		return p + ": (unowned) → " + cmp.Or(e.ToClient, e.To)
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
	return "unknown event " + strconv.Itoa(int(e.Kind))
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
	// does: the consumer restarted and lost its state.
	PartitionsMoved int
	// MaxUnowned is the longest any partition went without an owner
	// during the rebalance, counted up to End for one still unowned then.
	MaxUnowned time.Duration
	// PeakLag is the highest total lag of the observations from Start to
	// End, both included.
	PeakLag int64
	// MembersBefore is the member count of the observation before Start,
	// MembersAfter that at End.
	MembersBefore, MembersAfter int
}

func (s *RebalanceSummary) text() string {
	var b strings.Builder
	b.WriteString("rebalance #" + strconv.Itoa(s.Number))
	if s.Start.Equal(s.End) {
		b.WriteString(" done within " + roundDuration(s.Duration))
	} else {
		b.WriteString(" done in " + roundDuration(s.Duration))
	}
	b.WriteString(": " + strconv.Itoa(s.PartitionsMoved) + " partition")
	if s.PartitionsMoved != 1 {
		b.WriteString("s")
	}
	b.WriteString(" moved")
	if s.MaxUnowned > 0 {
		b.WriteString(", unowned up to " + roundDuration(s.MaxUnowned))
	}
	b.WriteString(", peak lag " + thousands(s.PeakLag))
	if s.MembersBefore != s.MembersAfter {
		b.WriteString(", members " + strconv.Itoa(s.MembersBefore) + " → " + strconv.Itoa(s.MembersAfter))
	}
	return b.String()
}

// Timeline turns successive observations of one group into events and
// rebalance summaries. It only reads the times the observations carry, so
// it does the same on a replay as live. It is not safe for concurrent use.
type Timeline struct {
	maxEvents int
	events    []TimelineEvent

	// last is the last good observation, nil until the first; owners is
	// its partition → member ID.
	last   *GroupInfo
	owners map[TopicPartition]string
	// generation is the last one known: a group between generations shows
	// none (-1), and the change is still worth telling once it shows again.
	generation int32

	// lastErr and gone stop a failure repeated on every poll from
	// filling the timeline.
	lastErr string
	gone    bool

	rebalances int
	current    *rebalance
}

// rebalance is the bookkeeping of the rebalance in progress.
type rebalance struct {
	summary RebalanceSummary
	// before is who owned what before the rebalance; expected the
	// partitions that must have an owner again for it to be over.
	before   map[TopicPartition]string
	expected map[TopicPartition]bool
	// lostAt is when each partition still without an owner lost it.
	lostAt map[TopicPartition]time.Time
	// previous is the time of the observation before Start.
	previous time.Time
}

// NewTimeline returns an empty timeline that keeps the newest maxEvents
// events (at least one), so that a view left open all day stays small.
func NewTimeline(maxEvents int) *Timeline {
	return &Timeline{maxEvents: max(maxEvents, 1), generation: -1}
}

// Events returns the kept events, oldest first.
func (t *Timeline) Events() []TimelineEvent { return slices.Clone(t.events) }

// Len is the number of kept events.
func (t *Timeline) Len() int { return len(t.events) }

// Window returns the kept events from index from up to to (exclusive),
// oldest first, without copying the rest: a view draws only what fits.
func (t *Timeline) Window(from, to int) []TimelineEvent {
	from, to = max(from, 0), min(to, len(t.events))
	if from >= to {
		return nil
	}
	return slices.Clone(t.events[from:to])
}

// Rebalancing reports a rebalance in progress.
func (t *Timeline) Rebalancing() bool { return t.current != nil }

// Rebalances counts the rebalances started so far, including one in progress.
func (t *Timeline) Rebalances() int { return t.rebalances }

// Observe takes the next observation of the group and returns the events
// it produced, which the timeline also keeps. Observations must come in
// the order they were made. A failed poll produces at most a failure
// event, and the next good one is compared with the last good one.
// Otherwise the events come as: rebalance started, members left, members
// joined, state, generation, partitions by topic and number, rebalance
// ended.
func (t *Timeline) Observe(g GroupInfo) []TimelineEvent {
	var out []TimelineEvent
	switch {
	case g.State == "Dead" || errors.Is(g.Err, ErrNoSuchGroup):
		out = t.lost(g)
	case g.Err != nil:
		out = t.failed(g)
	default:
		t.lastErr, t.gone = "", false
		if t.last == nil {
			out = t.baseline(g)
		} else {
			out = t.diff(g)
		}
	}
	t.events = append(t.events, out...)
	if n := len(t.events) - t.maxEvents; n > 0 {
		t.events = t.events[n:]
	}
	return out
}

// lost reports a group that no longer exists. A rebalance in progress is
// dropped: there is no settled group left to summarise it against. The
// last good observation stays the baseline, so a group created again
// under the same name shows who joined it.
func (t *Timeline) lost(g GroupInfo) []TimelineEvent {
	t.lastErr = ""
	t.current = nil
	if t.gone {
		return nil
	}
	t.gone = true
	return []TimelineEvent{{At: g.At, Kind: EventGroupGone, Err: g.Err}}
}

func (t *Timeline) failed(g GroupInfo) []TimelineEvent {
	t.gone = false
	if g.Err.Error() == t.lastErr {
		return nil
	}
	t.lastErr = g.Err.Error()
	return []TimelineEvent{{At: g.At, Kind: EventError, Err: g.Err, Rebalance: t.inProgress()}}
}

// baseline takes the first good observation. A timeline opened during a
// rebalance cannot know who owned what before it, so the rebalance is
// taken to start here, with this observation as "before".
func (t *Timeline) baseline(g GroupInfo) []TimelineEvent {
	owners := ownersOf(&g)
	t.remember(g, owners)
	// Outside PreparingRebalance and CompletingRebalance, a member with
	// nothing beside a partition with no owner is an assignment not yet
	// finished (cooperative assignors revoke in one generation and assign
	// in the next). A member with nothing alone is not: the group may
	// have more members than partitions.
	unowned := unownedOffsets(&g, owners)
	idle := slices.ContainsFunc(g.Members, func(m GroupMember) bool { return len(m.Assigned) == 0 })
	if !g.Rebalancing() && (!idle || len(unowned) == 0) {
		return nil
	}
	r := t.start(g, owners, len(g.Members), g.At)
	if idle {
		for _, p := range unowned {
			r.expected[p] = true
			r.lostAt[p] = g.At
		}
	}
	r.summary.PeakLag = g.TotalLag()
	return []TimelineEvent{{At: g.At, Kind: EventRebalanceStarted, Rebalance: r.summary.Number}}
}

func (t *Timeline) diff(g GroupInfo) []TimelineEvent {
	prev := t.last
	owners := ownersOf(&g)
	var out []TimelineEvent

	// Left before joined, so that a member rejoining under a new ID reads
	// as the restart it is.
	for _, m := range missingMembers(prev.Members, g.Members) {
		out = append(out, TimelineEvent{At: g.At, Kind: EventMemberLeft, Member: m.ID, ClientID: m.ClientID, Host: m.Host})
	}
	for _, m := range missingMembers(g.Members, prev.Members) {
		out = append(out, TimelineEvent{At: g.At, Kind: EventMemberJoined, Member: m.ID, ClientID: m.ClientID, Host: m.Host})
	}
	membersChanged := len(out) > 0

	if g.State != prev.State {
		out = append(out, TimelineEvent{At: g.At, Kind: EventStateChanged, From: prev.State, To: g.State})
	}
	generationChanged := t.generation >= 0 && g.Generation >= 0 && g.Generation != t.generation
	if generationChanged {
		out = append(out, TimelineEvent{At: g.At, Kind: EventGenerationChanged,
			From: strconv.Itoa(int(t.generation)), To: strconv.Itoa(int(g.Generation))})
	}

	clients := clientIDs(prev, &g)
	partitions := slices.SortedFunc(maps.Keys(unionKeys(t.owners, owners)), TopicPartition.Compare)
	ownershipChanged := false
	for _, p := range partitions {
		from, to := t.owners[p], owners[p]
		if from == to {
			continue
		}
		ownershipChanged = true
		e := TimelineEvent{At: g.At, Partition: p, From: from, To: to, FromClient: clients[from], ToClient: clients[to]}
		switch {
		case to == "":
			e.Kind = EventPartitionUnowned
		case from == "":
			e.Kind = EventPartitionAssigned
		default:
			e.Kind = EventPartitionMoved
		}
		out = append(out, e)
	}

	if t.current == nil && (membersChanged || generationChanged || ownershipChanged || g.Rebalancing()) {
		r := t.start(g, t.owners, len(prev.Members), prev.At)
		out = slices.Insert(out, 0, TimelineEvent{At: g.At, Kind: EventRebalanceStarted, Rebalance: r.summary.Number})
	}
	t.remember(g, owners)
	r := t.current
	if r == nil {
		return out
	}
	for i := range out {
		out[i].Rebalance = r.summary.Number
		switch p := out[i].Partition; out[i].Kind {
		case EventPartitionUnowned:
			r.lostAt[p] = g.At
		case EventPartitionAssigned:
			if lost, ok := r.lostAt[p]; ok {
				r.summary.MaxUnowned = max(r.summary.MaxUnowned, g.At.Sub(lost))
				delete(r.lostAt, p)
			}
		}
	}
	r.summary.PeakLag = max(r.summary.PeakLag, g.TotalLag())
	if !r.settled(&g, owners) {
		return out
	}
	t.current = nil
	s := r.end(&g, owners)
	return append(out, TimelineEvent{At: g.At, Kind: EventRebalanceEnded, Rebalance: s.Number, Summary: s})
}

func (t *Timeline) remember(g GroupInfo, owners map[TopicPartition]string) {
	t.last, t.owners = &g, owners
	if g.Generation >= 0 {
		t.generation = g.Generation
	}
}

// start begins a rebalance first seen in g; before and membersBefore
// describe the group before it, previous is when that was observed.
func (t *Timeline) start(g GroupInfo, before map[TopicPartition]string, membersBefore int, previous time.Time) *rebalance {
	t.rebalances++
	r := &rebalance{
		summary:  RebalanceSummary{Number: t.rebalances, Start: g.At, MembersBefore: membersBefore},
		before:   before,
		expected: map[TopicPartition]bool{},
		lostAt:   map[TopicPartition]time.Time{},
		previous: previous,
	}
	for p := range before {
		r.expected[p] = true
	}
	t.current = r
	return r
}

func (t *Timeline) inProgress() int {
	if t.current == nil {
		return 0
	}
	return t.current.summary.Number
}

// settled reports the rebalance over in g: the group is Empty (everyone
// left), or Stable with an owner for every expected partition that still
// matters. A partition matters while it is in the offsets and some
// partition of its topic has an owner; otherwise the group stopped
// consuming the topic (a new subscription), and waiting for it would keep
// the rebalance open for good.
func (r *rebalance) settled(g *GroupInfo, owners map[TopicPartition]string) bool {
	switch g.State {
	case "Empty":
		return true
	case "Stable":
	default:
		return false
	}
	consumed := map[string]bool{}
	for p := range owners {
		consumed[p.Topic] = true
	}
	for _, o := range g.Offsets {
		if r.expected[o.TopicPartition] && owners[o.TopicPartition] == "" && consumed[o.Topic] {
			return false
		}
	}
	return true
}

func (r *rebalance) end(g *GroupInfo, owners map[TopicPartition]string) *RebalanceSummary {
	s := r.summary
	s.End = g.At
	s.Duration = s.End.Sub(s.Start)
	if s.Start.Equal(s.End) {
		s.Duration = g.At.Sub(r.previous)
	}
	for _, lost := range r.lostAt {
		s.MaxUnowned = max(s.MaxUnowned, g.At.Sub(lost))
	}
	for p := range unionKeys(r.before, owners) {
		if r.before[p] != owners[p] {
			s.PartitionsMoved++
		}
	}
	s.MembersAfter = len(g.Members)
	return &s
}

// ownersOf maps each assigned partition to its member ID. Should two
// members claim one partition, the first listed wins, so that the answer
// does not depend on map order.
func ownersOf(g *GroupInfo) map[TopicPartition]string {
	out := map[TopicPartition]string{}
	for _, m := range g.Members {
		for _, p := range m.Assigned {
			if _, ok := out[p]; !ok {
				out[p] = m.ID
			}
		}
	}
	return out
}

// unownedOffsets lists the partitions the group has offsets for and no
// member is assigned.
func unownedOffsets(g *GroupInfo, owners map[TopicPartition]string) []TopicPartition {
	var out []TopicPartition
	for _, o := range g.Offsets {
		if owners[o.TopicPartition] == "" {
			out = append(out, o.TopicPartition)
		}
	}
	return out
}

// missingMembers returns the members of a whose ID is not in b, by ID.
func missingMembers(a, b []GroupMember) []GroupMember {
	var out []GroupMember
	for _, m := range a {
		if !slices.ContainsFunc(b, func(o GroupMember) bool { return o.ID == m.ID }) {
			out = append(out, m)
		}
	}
	slices.SortFunc(out, func(x, y GroupMember) int { return strings.Compare(x.ID, y.ID) })
	return out
}

// clientIDs maps member ID → client ID over both observations, so that a
// partition event can name a member that has just left.
func clientIDs(prev, cur *GroupInfo) map[string]string {
	out := map[string]string{}
	for _, g := range []*GroupInfo{prev, cur} {
		for _, m := range g.Members {
			out[m.ID] = m.ClientID
		}
	}
	return out
}

func unionKeys(a, b map[TopicPartition]string) map[TopicPartition]bool {
	out := make(map[TopicPartition]bool, len(a)+len(b))
	for p := range a {
		out[p] = true
	}
	for p := range b {
		out[p] = true
	}
	return out
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
