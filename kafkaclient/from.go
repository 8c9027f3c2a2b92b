package kafkaclient

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// FromKind says where a tail starts in each partition.
type FromKind int

// Where a tail can start.
const (
	FromLatest   FromKind = iota // only records produced after the tail opened
	FromEarliest                 // the oldest record still held
	FromOffset                   // a given offset, clamped to what the partition holds
	FromTime                     // the first record at or after a time
	FromLast                     // the last N records of each partition
)

// From is a tail's start position.
type From struct {
	Kind   FromKind
	Offset int64     // FromOffset
	Time   time.Time // FromTime
	Last   int64     // FromLast
}

// ParseFrom reads a --from value: latest, earliest, an offset, an RFC 3339
// time, a duration back from now (-15m) or -N for the last N records.
func ParseFrom(s string, now time.Time) (From, error) {
	s = strings.TrimSpace(s)
	switch strings.ToLower(s) {
	case "", "latest", "end", "tail":
		return From{Kind: FromLatest}, nil
	case "earliest", "beginning", "start":
		return From{Kind: FromEarliest}, nil
	}
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		if n < 0 {
			return From{Kind: FromLast, Last: -n}, nil
		}
		return From{Kind: FromOffset, Offset: n}, nil
	}
	if strings.HasPrefix(s, "-") {
		if d, err := time.ParseDuration(s[1:]); err == nil && d > 0 {
			return From{Kind: FromTime, Time: now.Add(-d)}, nil
		}
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return From{Kind: FromTime, Time: t}, nil
	}
	return From{}, fmt.Errorf("bad --from %q: want latest, earliest, an offset (42), the last N records (-100), a time (2026-11-21T09:00:00Z) or a duration back from now (-15m)", s)
}

// String is the --from form of f.
func (f From) String() string {
	switch f.Kind {
	case FromEarliest:
		return "earliest"
	case FromOffset:
		return strconv.FormatInt(f.Offset, 10)
	case FromTime:
		return f.Time.Format(time.RFC3339)
	case FromLast:
		return "-" + strconv.FormatInt(f.Last, 10)
	}
	return "latest"
}

// startAt is where a tail that starts from f begins in a partition whose
// log holds low..high; at is the first offset at or after f.Time, -1 when
// no record is that recent (only new records will do then). note says
// why the start differs from what was asked for, "" when it does not.
func startAt(f From, low, high, at int64) (start int64, note string) {
	switch f.Kind {
	case FromEarliest:
		return low, ""
	case FromLast:
		return max(low, high-f.Last), ""
	case FromTime:
		if at >= 0 {
			return at, ""
		}
	case FromOffset:
		if f.Offset < low || f.Offset > high {
			clamped := min(max(f.Offset, low), high)
			return clamped, fmt.Sprintf("offset %d is outside %d..%d; starting at %d", f.Offset, low, high, clamped)
		}
		return f.Offset, ""
	}
	return high, ""
}

// startOffsets resolves where each partition's tail starts, with one
// ListOffsets request per leader for each offset kind it needs.
func (c *Client) startOffsets(ctx context.Context, spec TailSpec) ([]PartitionProgress, []TailNotice, error) {
	if err := ctx.Err(); err != nil {
		return nil, nil, err
	}
	tm, err := c.topicMetadata(spec.Topic)
	if err != nil {
		return nil, nil, err
	}
	parts, byLeader, err := partitionsByLeader(tm, spec.Partitions)
	if err != nil {
		return nil, nil, fmt.Errorf("topic %s: %w", spec.Topic, err)
	}
	var at *time.Time
	if spec.From.Kind == FromTime {
		at = &spec.From.Time
	}
	found, err := c.logOffsets(ctx, spec.Topic, byLeader, logTimes(at))
	if err != nil {
		return nil, nil, fmt.Errorf("resolving start offsets: %w", err)
	}
	var notices []TailNotice
	out := make([]PartitionProgress, 0, len(parts))
	for _, p := range parts {
		high, atTimeOffset := found[atHigh][p], int64(-1)
		if at != nil {
			atTimeOffset = found[atTime][p]
		}
		start, note := startAt(spec.From, found[atLow][p], high, atTimeOffset)
		if note != "" {
			notices = append(notices, TailNotice{Partition: p, Text: note})
		}
		out = append(out, PartitionProgress{Partition: p, Start: start, Target: high, Next: start, High: high})
	}
	return out, notices, nil
}
