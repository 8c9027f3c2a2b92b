package kafkaclient

import "slices"

// Bounds of a session's GroupHistory: the groups it remembers, the
// total-lag samples it keeps per group (a groups list's sparkline), the
// groups that keep a timeline (those opened in the session) and each
// timeline's events.
const (
	DefaultHistoryGroups    = 10_000
	DefaultHistoryLags      = 60
	DefaultHistoryTimelines = 32
	DefaultTimelineEvents   = 10_000
)

// GroupHistory keeps what kscope learned of each group during one
// session — its health windows, its total lag over time, the timeline of
// a group that was opened — so that closing and reopening a view does not
// start them from nothing. It is bounded: beyond its group count the
// group used longest ago is forgotten, and only the most recently used
// groups keep a timeline. It is not safe for concurrent use: the views
// that share it run on one event loop.
type GroupHistory struct {
	maxGroups    int
	maxTimelines int
	groups       map[string]*GroupRecord
	clock        uint64
}

// GroupRecord is what a GroupHistory keeps of one group.
type GroupRecord struct {
	// Health holds the group's partition windows, fed by every view that
	// observes the group, so that each verdict rests on all the samples
	// the session has.
	Health   *GroupHealth
	lags     []int64
	timeline *Timeline
	used     uint64
}

// NewGroupHistory returns an empty history of at most maxGroups groups
// (DefaultHistoryGroups when not positive).
func NewGroupHistory(maxGroups int) *GroupHistory {
	if maxGroups <= 0 {
		maxGroups = DefaultHistoryGroups
	}
	return &GroupHistory{maxGroups: maxGroups, maxTimelines: DefaultHistoryTimelines, groups: map[string]*GroupRecord{}}
}

// Group returns the record of group name, created empty if there is none,
// and marks it used.
func (h *GroupHistory) Group(name string) *GroupRecord {
	h.clock++
	r := h.groups[name]
	if r == nil {
		if len(h.groups) >= h.maxGroups {
			delete(h.groups, h.oldest(func(*GroupRecord) bool { return true }))
		}
		r = &GroupRecord{Health: NewGroupHealth(DefaultHealthWindow, DefaultHealthSamples)}
		h.groups[name] = r
	}
	r.used = h.clock
	return r
}

// Timeline returns the timeline of group name, creating it if need be.
// Only the most recently used groups keep one, since a timeline holds up
// to DefaultTimelineEvents events.
func (h *GroupHistory) Timeline(name string) *Timeline {
	r := h.Group(name)
	if r.timeline == nil {
		withTimeline := func(r *GroupRecord) bool { return r.timeline != nil }
		n := 0
		for _, other := range h.groups {
			if withTimeline(other) {
				n++
			}
		}
		if n >= h.maxTimelines {
			h.groups[h.oldest(withTimeline)].timeline = nil
		}
		r.timeline = NewTimeline(DefaultTimelineEvents)
	}
	return r.timeline
}

// Forget drops what the history knows of group name: the group is gone.
func (h *GroupHistory) Forget(name string) { delete(h.groups, name) }

// Each calls fn with every group remembered, in no order, without
// marking any used.
func (h *GroupHistory) Each(fn func(name string, r *GroupRecord)) {
	for name, r := range h.groups {
		fn(name, r)
	}
}

// Len is the number of groups remembered.
func (h *GroupHistory) Len() int { return len(h.groups) }

// oldest names the record used longest ago among those keep accepts.
func (h *GroupHistory) oldest(keep func(*GroupRecord) bool) string {
	name, used := "", uint64(0)
	for n, r := range h.groups {
		if keep(r) && (name == "" || r.used < used) {
			name, used = n, r.used
		}
	}
	return name
}

// AddLag appends a total-lag sample (-1: unknown), keeping the newest
// DefaultHistoryLags.
func (r *GroupRecord) AddLag(lag int64) {
	r.lags = append(r.lags, lag)
	if n := len(r.lags) - DefaultHistoryLags; n > 0 {
		r.lags = slices.Delete(r.lags, 0, n)
	}
}

// Lags returns the total-lag samples, oldest first.
func (r *GroupRecord) Lags() []int64 { return slices.Clone(r.lags) }
