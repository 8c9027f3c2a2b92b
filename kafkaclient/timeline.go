package kafkaclient

import (
	"errors"
	"maps"
	"slices"
	"strconv"
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
	// EventPartitionMoved: Partition went from member From to member To,
	// through a time without a consumer when Unowned is set.
	EventPartitionMoved
	// EventPartitionUnowned: Partition lost its owner From and has none:
	// nobody consumes it.
	EventPartitionUnowned
	// EventPartitionAssigned: Partition had no owner (or one not known,
	// FromUnknown) and now has To.
	EventPartitionAssigned
	// EventRebalanceStarted: the first sign of a rebalance.
	EventRebalanceStarted
	// EventRebalanceEnded: the group settled again; Summary says how it went.
	EventRebalanceEnded
	// EventGroupGone: the group is Dead or its coordinator does not know it.
	EventGroupGone
	// EventError: a poll failed; the timeline goes on with the next one.
	EventError
	// EventOwnersUnknown: the coordinator stopped reporting who owns
	// Partitions because the group is rebalancing. That is missing data,
	// not a lost owner: cooperative members keep consuming what they own.
	EventOwnersUnknown
	// EventOffsetsReset: committed offsets moved in a way consumption does
	// not explain (backwards, deleted, or while no member consumed);
	// Offsets lists them.
	EventOffsetsReset
	// EventUnobserved: nobody observed the group for Gap, so what changed
	// meanwhile cannot be placed in time and is not reported.
	EventUnobserved

	// The kinds below come from consumer-protocol (KIP-848) and share
	// groups, whose coordinator reports epochs and, at all times, what
	// each member owns and (consumer protocol) is to own.

	// EventEpochChanged: the group epoch went From → To (decimal), for
	// Cause: members joined, left or were fenced, subscriptions changed,
	// or (none of those seen) the topics' metadata changed.
	EventEpochChanged
	// EventTargetChanged: the coordinator now assigns Partition to member
	// To instead of From ("" for none).
	EventTargetChanged
	// EventMemberRevoked: Member gave up Partitions.
	EventMemberRevoked
	// EventMemberAssigned: Member got Partitions, which had been without
	// a consumer for Unowned before, as far as the observations tell.
	EventMemberAssigned
	// EventMemberReconciled: Member reached its target at epoch To, Took
	// after the rebalance was first seen.
	EventMemberReconciled
	// EventMemberFenced: the coordinator fenced Member, which joined
	// again: its epoch went back.
	EventMemberFenced
	// EventTypeChanged: the group's type went From → To (a classic group
	// upgraded to the consumer protocol, or one made again under the same
	// name): the timeline starts afresh.
	EventTypeChanged
)

// TimelineEvent is one change seen between two observations of a group.
type TimelineEvent struct {
	At   time.Time
	Kind TimelineKind
	// Member, ClientID and Host describe the member that joined or left,
	// or (ClientID and Member) whose assignment or epoch an event of a
	// consumer-protocol or share group is about.
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
	// FromUnknown marks an EventPartitionAssigned whose previous owner is
	// not known (the timeline began while the group rebalanced).
	FromUnknown bool
	// Unowned is how long the partition of an EventPartitionAssigned or
	// EventPartitionMoved went without a consumer on the way, as far as
	// the observations tell; 0 when they do not.
	Unowned time.Duration
	// Partitions lists, sorted, the partitions of an EventOwnersUnknown,
	// EventMemberRevoked or EventMemberAssigned.
	Partitions []TopicPartition
	// Offsets lists the committed offsets of an EventOffsetsReset, sorted.
	Offsets []OffsetChange
	// Gap is the time an EventUnobserved covers.
	Gap time.Duration
	// Cause says why the epoch of an EventEpochChanged moved.
	Cause string
	// Took is how long after the rebalance began an
	// EventMemberReconciled member got there; 0 when not known.
	Took time.Duration
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

// Timeline turns successive observations of one group into events and
// rebalance summaries. It only reads the times the observations carry, so
// it does the same on a replay as live. It is not safe for concurrent use.
type Timeline struct {
	maxEvents int
	events    []TimelineEvent

	// last is the last good observation, nil until the first.
	last *GroupInfo
	// owners maps each partition whose owner is known to it; a partition
	// in neither owners nor unknown is known to have none. unknown holds
	// the partitions the coordinator stopped reporting an owner for while
	// the group rebalances. lostAt is when each partition known to have
	// no owner lost it, where the observations tell.
	owners  map[TopicPartition]string
	unknown map[TopicPartition]unknownOwner
	lostAt  map[TopicPartition]time.Time
	// generation is the last one known: a group between generations shows
	// none (-1), and the change is still worth telling once it shows again.
	generation int32
	// protocolType and assignor are the last the coordinator reported; it
	// reports the assignor only while the group is Stable.
	protocolType, assignor string

	// lastErr and gone stop a failure repeated on every poll from
	// filling the timeline.
	lastErr string
	gone    bool

	rebalances int
	current    *rebalance
	// behind holds the consumer-protocol members seen short of their
	// target during the rebalance in progress.
	behind map[string]bool
}

// unknownOwner is a partition whose owner is not reported: last is the
// owner it had when last known ("" if never), since when it stopped being
// reported.
type unknownOwner struct {
	last  string
	since time.Time
}

// rebalance is the bookkeeping of the rebalance in progress.
type rebalance struct {
	summary RebalanceSummary
	// before is who owned what before the rebalance; unknownBefore the
	// partitions whose owner then is not known; expected the partitions
	// that must have an owner again for it to be over.
	before        map[TopicPartition]string
	unknownBefore map[TopicPartition]bool
	expected      map[TopicPartition]bool
	// unowned is every partition that went without a consumer during it.
	unowned map[TopicPartition]bool
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

// Generation is the last generation known, -1 if none was ever reported.
func (t *Timeline) Generation() int32 { return t.generation }

// Assignor is the last assignor the coordinator reported, "" if none.
func (t *Timeline) Assignor() string { return t.assignor }

// Owner returns the member ID owning tp as far as the observations tell:
// known is false while the coordinator does not report it (the group is
// rebalancing), and then member is the last owner known.
func (t *Timeline) Owner(tp TopicPartition) (member string, known bool) {
	if u, ok := t.unknown[tp]; ok {
		return u.last, false
	}
	return t.owners[tp], true
}

// Observe takes the next observation of the group and returns the events
// it produced, which the timeline also keeps. Observations must come in
// the order they were made; one older than the last good one is ignored.
// A failed poll produces at most a failure event, and the next good one
// is compared with the last good one. Otherwise the events of a classic
// group come as: rebalance started, members left, members joined, state,
// generation, partitions by topic and number, owners not reported,
// offsets reset, rebalance ended; those of consumer-protocol and share
// groups as diffConsumer and diffShare say.
func (t *Timeline) Observe(g GroupInfo) []TimelineEvent {
	if t.last != nil && g.At.Before(t.last.At) {
		return nil
	}
	var out []TimelineEvent
	switch {
	case g.State == "Dead" || errors.Is(g.Err, ErrNoSuchGroup):
		out = t.lost(g)
	case g.Err != nil:
		out = t.failed(g)
	default:
		t.lastErr, t.gone = "", false
		if t.last != nil && typeName(t.last) != typeName(&g) {
			out = []TimelineEvent{{At: g.At, Kind: EventTypeChanged, From: typeName(t.last), To: typeName(&g)}}
			t.forget()
		}
		switch {
		case t.last == nil && g.Type == TypeConsumer:
			out = append(out, t.baselineConsumer(g)...)
		case t.last == nil && g.Type == TypeShare:
			out = append(out, t.baselineShare(g)...)
		case t.last == nil:
			out = append(out, t.baseline(g)...)
		case g.Type == TypeConsumer:
			out = append(out, t.diffConsumer(g)...)
		case g.Type == TypeShare:
			out = append(out, t.diffShare(g)...)
		default:
			out = append(out, t.diff(g)...)
		}
	}
	t.keep(out)
	return out
}

// typeName is g's type, classic for brokers that do not report one.
func typeName(g *GroupInfo) string {
	if g.IsClassic() {
		return TypeClassic
	}
	return g.Type
}

// forget drops what the observations so far established: the next one is
// taken as the first.
func (t *Timeline) forget() {
	t.last, t.owners, t.unknown, t.lostAt, t.current, t.behind = nil, nil, nil, nil, nil, nil
}

func (t *Timeline) keep(out []TimelineEvent) {
	t.events = append(t.events, out...)
	if n := len(t.events) - t.maxEvents; n > 0 {
		t.events = t.events[n:]
	}
}

// Resume tells the timeline that observations start again at at after a
// time nobody observed the group (its view was closed). What changed in
// the gap cannot be placed in time: the next observation starts afresh,
// as the first did, and an event says how long the gap was. It returns
// that event, or nothing when there was no observation before.
func (t *Timeline) Resume(at time.Time) []TimelineEvent {
	if t.last == nil || !at.After(t.last.At) {
		return nil
	}
	out := []TimelineEvent{{At: at, Kind: EventUnobserved, Gap: at.Sub(t.last.At)}}
	t.forget()
	t.lastErr, t.gone = "", false
	t.keep(out)
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
// taken to start here, with this observation as "before" and every
// partition's owner unknown.
func (t *Timeline) baseline(g GroupInfo) []TimelineEvent {
	owners := ownersOf(&g)
	t.owners, t.unknown, t.lostAt = owners, map[TopicPartition]unknownOwner{}, map[TopicPartition]time.Time{}
	t.remember(g)
	if g.Rebalancing() {
		r := t.start(g, owners, len(g.Members), g.At)
		var hidden []TopicPartition
		for _, o := range g.Offsets {
			t.unknown[o.TopicPartition] = unknownOwner{since: g.At}
			r.unknownBefore[o.TopicPartition] = true
			hidden = append(hidden, o.TopicPartition)
		}
		r.summary.PeakLag = g.TotalLag()
		out := []TimelineEvent{{At: g.At, Kind: EventRebalanceStarted, Rebalance: r.summary.Number}}
		if len(hidden) > 0 {
			out = append(out, TimelineEvent{At: g.At, Kind: EventOwnersUnknown, Partitions: hidden, Rebalance: r.summary.Number})
		}
		return out
	}
	// Outside a rebalance, a member with nothing beside a partition with
	// no owner is an assignment not yet finished (cooperative assignors
	// revoke in one generation and assign in the next). A member with
	// nothing alone is not: the group may have more members than
	// partitions.
	unowned := unownedOffsets(&g, owners)
	idle := slices.ContainsFunc(g.Members, func(m GroupMember) bool { return len(m.Assigned) == 0 })
	if !idle || len(unowned) == 0 {
		return nil
	}
	r := t.start(g, owners, len(g.Members), g.At)
	for _, p := range unowned {
		r.expected[p] = true
		r.unowned[p] = true
		t.lostAt[p] = g.At
	}
	r.summary.PeakLag = g.TotalLag()
	return []TimelineEvent{{At: g.At, Kind: EventRebalanceStarted, Rebalance: r.summary.Number}}
}

func (t *Timeline) diff(g GroupInfo) []TimelineEvent {
	prev := t.last
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

	own := t.ownership(prev, &g)
	out = append(out, own.events...)
	if resets := offsetResets(prev, &g); len(resets) > 0 {
		out = append(out, TimelineEvent{At: g.At, Kind: EventOffsetsReset, Offsets: resets})
	}

	if t.current == nil && (membersChanged || generationChanged || len(own.events) > 0 || g.Rebalancing()) {
		r := t.start(g, t.owners, len(prev.Members), prev.At)
		out = slices.Insert(out, 0, TimelineEvent{At: g.At, Kind: EventRebalanceStarted, Rebalance: r.summary.Number})
	}
	t.owners, t.unknown, t.lostAt = own.owners, own.unknown, own.lostAt
	t.remember(g)
	r := t.current
	if r == nil {
		return out
	}
	for p, owner := range own.keptBefore {
		if r.unknownBefore[p] {
			r.before[p] = owner
			delete(r.unknownBefore, p)
		}
	}
	for i := range out {
		out[i].Rebalance = r.summary.Number
		switch e := out[i]; e.Kind {
		case EventPartitionUnowned:
			r.unowned[e.Partition] = true
		case EventPartitionAssigned, EventPartitionMoved:
			if e.Unowned > 0 {
				r.unowned[e.Partition] = true
				r.summary.MaxUnowned = max(r.summary.MaxUnowned, e.Unowned)
			}
		}
	}
	r.summary.PeakLag = max(r.summary.PeakLag, g.TotalLag())
	if !r.settled(&g, t.owners) {
		return out
	}
	t.current = nil
	s := t.end(r, &g)
	return append(out, TimelineEvent{At: g.At, Kind: EventRebalanceEnded, Rebalance: s.Number, Summary: s})
}

func (t *Timeline) remember(g GroupInfo) {
	t.last = &g
	if g.Generation >= 0 {
		t.generation = g.Generation
	}
	if g.Protocol != "" {
		t.protocolType, t.assignor = g.ProtocolType, g.Protocol
	}
}

// start begins a rebalance first seen in g; before and membersBefore
// describe the group before it, previous is when that was observed.
func (t *Timeline) start(g GroupInfo, before map[TopicPartition]string, membersBefore int, previous time.Time) *rebalance {
	t.rebalances++
	r := &rebalance{
		summary:       RebalanceSummary{Number: t.rebalances, Start: g.At, MembersBefore: membersBefore},
		before:        maps.Clone(before),
		unknownBefore: map[TopicPartition]bool{},
		expected:      map[TopicPartition]bool{},
		unowned:       map[TopicPartition]bool{},
		previous:      previous,
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

func (t *Timeline) end(r *rebalance, g *GroupInfo) *RebalanceSummary {
	s := r.summary
	s.End = g.At
	s.Duration = s.End.Sub(s.Start)
	if s.Start.Equal(s.End) {
		s.Duration = g.At.Sub(r.previous)
	}
	for p := range r.unowned {
		if lost, ok := t.lostAt[p]; ok {
			s.MaxUnowned = max(s.MaxUnowned, g.At.Sub(lost))
		}
	}
	s.Unowned = len(r.unowned)
	for p := range unionKeys(r.before, t.owners) {
		if !r.unknownBefore[p] && r.before[p] != t.owners[p] {
			s.PartitionsMoved++
		}
	}
	s.UnknownBefore = len(r.unknownBefore)
	s.MembersAfter = len(g.Members)
	return &s
}
