package kafkaclient

import (
	"strconv"
	"time"
)

// AuditEntry is one change made to a cluster, as the audit file keeps it.
// It never holds a secret.
type AuditEntry struct {
	Time    time.Time `json:"time"`
	Context string    `json:"context"`
	Action  string    `json:"action"`
	Target  string    `json:"target"`
	Result  string    `json:"result"` // "ok" or the error
	// Topic, Group and Broker name what the change touched, when it
	// touched one. Broker is a pointer since 0 is a broker id.
	Topic  string `json:"topic,omitempty"`
	Group  string `json:"group,omitempty"`
	Broker *int32 `json:"broker,omitempty"`
	// Changes are the values the change replaced, each from before to
	// after, so that the history can show them and offer to put them back.
	Changes []Change `json:"changes,omitempty"`
}

// Change is one value a change replaced: a config entry's value, a
// partition's committed offset, a topic's partition count. A nil Before
// or After is "not set" (a config at its default, a partition that had no
// committed offset).
type Change struct {
	What   string  `json:"what"`
	Before *string `json:"before"`
	After  *string `json:"after"`
}

// ConfigChange is the change of config entry name from before to after
// (nil: the default).
func ConfigChange(name string, before, after *string) Change {
	return Change{What: name, Before: before, After: after}
}

// OffsetChanges are the committed offsets a reset plan moves, one per
// partition, as the plan found them and as it sets them.
func OffsetChanges(p ResetPlan) []Change {
	out := make([]Change, 0, len(p.Rows))
	for _, r := range p.Rows {
		var before *string
		if r.Current >= 0 {
			before = offsetPtr(r.Current)
		}
		out = append(out, Change{What: r.Topic + "/" + strconv.Itoa(int(r.Partition)), Before: before, After: offsetPtr(r.New)})
	}
	return out
}

func offsetPtr(o int64) *string {
	s := strconv.FormatInt(o, 10)
	return &s
}
