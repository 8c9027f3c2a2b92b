package kafkaclient

import "slices"

// OffsetChange is a committed offset that moved from From to To; -1 is no
// commit (a deleted offset, or none before).
type OffsetChange struct {
	TopicPartition
	From, To int64
}

// offsetResets lists the committed offsets that moved between prev and g
// in a way consumption does not explain: backwards, deleted, or moved at
// all while the group had no member to consume (Kafka resets offsets only
// of a group without members, so that is how a reset by kscope or by
// kafka-consumer-groups shows). A consumer that seeks forward and commits
// looks like consumption and is not reported.
func offsetResets(prev, g *GroupInfo) []OffsetChange {
	before := map[TopicPartition]int64{}
	for _, o := range prev.Offsets {
		if o.Committed >= 0 {
			before[o.TopicPartition] = o.Committed
		}
	}
	idle := len(prev.Members) == 0 && len(g.Members) == 0
	var out []OffsetChange
	for _, o := range g.Offsets {
		from, had := before[o.TopicPartition]
		delete(before, o.TopicPartition)
		switch to := o.Committed; {
		case !had:
			if to >= 0 && idle {
				out = append(out, OffsetChange{o.TopicPartition, -1, to})
			}
		case to == from:
		case to < 0, to < from, idle:
			out = append(out, OffsetChange{o.TopicPartition, from, max(to, -1)})
		}
	}
	// OffsetFetch leaves out the partitions whose offsets were deleted.
	for tp, from := range before {
		out = append(out, OffsetChange{tp, from, -1})
	}
	slices.SortFunc(out, func(a, b OffsetChange) int { return a.TopicPartition.Compare(b.TopicPartition) })
	return out
}
