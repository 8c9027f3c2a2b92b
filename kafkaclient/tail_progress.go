package kafkaclient

import "time"

// ReaderState is what a tail's partition reader is doing.
type ReaderState int

// What a partition reader can be doing. A reader is never left dead: one
// whose consumer stops is started again, so the states say why records
// are not arriving rather than that they never will.
const (
	// ReaderRunning: its consumer fetches. Whether it keeps up is told by
	// CaughtUpAt and MovedAt; Err holds the last error the consumer met
	// since the reader last moved (sarama retries those by itself: a
	// leader moved, a broker does not answer).
	ReaderRunning ReaderState = iota
	// ReaderResetting: its next offset is no longer in the log; it
	// restarts where TailSpec.OnOutOfRange says. Err is why, RetryAt when
	// it tries again if finding the new offset failed.
	ReaderResetting
	// ReaderRestarting: its consumer stopped, or could not be started, on
	// Err; it starts again from Next at RetryAt.
	ReaderRestarting
)

// String is the state as the status line names it.
func (s ReaderState) String() string {
	switch s {
	case ReaderResetting:
		return "resetting"
	case ReaderRestarting:
		return "restarting"
	}
	return "running"
}

// TailLiveWindow is how recently every partition reader of a tail must
// have been found caught up for the tail to be live. The tail asks the
// leaders for their high watermarks every second, so a reader that stops
// receiving shows within this window; three asks long, one slow answer
// does not make a live tail flicker.
const TailLiveWindow = 3 * time.Second

// PartitionProgress is how far a tail has read one partition, and what its
// reader is doing.
type PartitionProgress struct {
	Partition int32
	// Start is the first offset the reader asked for; Target the high
	// watermark then. The start-time backlog is read once Next reaches
	// Target. Both are set again when the reader resets.
	Start, Target int64
	// Next is the offset after the last record delivered; High the latest
	// high watermark seen, by the tail's watermark asks or the fetches.
	Next, High int64

	// State is what the reader is doing, since Since.
	State ReaderState
	Since time.Time
	// Err says why the reader is not simply running: the last error its
	// consumer met, the error it restarts after, or the offset that fell
	// out of range. nil while all is well.
	Err error
	// RetryAt is when a resetting or restarting reader tries again; zero
	// when it is not waiting.
	RetryAt time.Time
	// Restarts counts the times the reader was started again.
	Restarts int
	// CaughtUpAt is the time of the latest high watermark the reader has
	// reached: every record the partition held at CaughtUpAt was
	// delivered. Zero until known, and again after a reset, since the
	// reader's offsets then refer to another log.
	CaughtUpAt time.Time
	// MovedAt is the last time the reader started, delivered a record or
	// was found caught up.
	MovedAt time.Time
}

// CaughtUp reports whether the backlog that existed at start was read.
func (p PartitionProgress) CaughtUp() bool { return p.Next >= p.Target }

// Percent is the share of the start-time backlog read so far.
func (p PartitionProgress) Percent() float64 {
	if p.Target <= p.Start {
		return 100
	}
	return 100 * float64(min(p.Next, p.Target)-p.Start) / float64(p.Target-p.Start)
}

// Live reports whether the reader runs and was found caught up within
// TailLiveWindow before now: what the partition holds is on its way.
func (p PartitionProgress) Live(now time.Time) bool {
	return p.State == ReaderRunning && !p.CaughtUpAt.IsZero() && now.Sub(p.CaughtUpAt) <= TailLiveWindow
}

// Stalled reports a running reader that has not moved (delivered a record
// or been found caught up) for longer than TailLiveWindow: its leader does
// not answer, or answers without records while the partition holds more.
// Err, when set, says what the consumer last met.
func (p PartitionProgress) Stalled(now time.Time) bool {
	return p.State == ReaderRunning && now.Sub(p.MovedAt) > TailLiveWindow
}

// TailProgress is the progress of every partition of a tail.
type TailProgress []PartitionProgress

// Live reports whether every partition reader of the tail is live at now,
// so the screen shows all the partitions held a moment ago.
func (ps TailProgress) Live(now time.Time) bool {
	if len(ps) == 0 {
		return false
	}
	for _, p := range ps {
		if !p.Live(now) {
			return false
		}
	}
	return true
}

// RecordBatch is what a tail read since its previous batch. Records
// come in chunks as the partition readers took them, so no record is
// copied on its way from the consumer to the reader of the batch; records
// of one partition are in offset order.
type RecordBatch struct {
	Tail    int
	Records [][]Record
	// Marks holds what the marker in force found in each chunk of
	// Records, when one was (see SetMarker): none, or one a chunk.
	Marks    []Marks
	Progress TailProgress
	// Received and Bytes count everything read since the tail opened.
	Received, Bytes int64
	At              time.Time
}

// Len is the number of records in the batch.
func (b *RecordBatch) Len() int {
	n := 0
	for _, c := range b.Records {
		n += len(c)
	}
	return n
}

// NoticeLevel ranks tail notices, least important first, so that a view
// keeping one notice per partition replaces it only with one at least as
// important.
type NoticeLevel int

// The kinds of tail notices, by importance.
const (
	// NoticeInfo: nothing is lost, e.g. a start offset clamped to the log.
	NoticeInfo NoticeLevel = iota
	// NoticeRetrying: the consumer met an error and retries by itself.
	NoticeRetrying
	// NoticeRestarted: a reader's consumer stopped and was started again
	// from where it was.
	NoticeRestarted
	// NoticeReset: a reader's offset fell out of the log and it restarted
	// elsewhere, so records were skipped or are read again.
	NoticeReset
)

// TailNotice is something a tail wants the user to know (a clamped start
// offset, a partition reconnecting, a reader reset). Partition is -1 when
// it concerns the whole tail.
type TailNotice struct {
	Tail      int
	Partition int32
	Text      string
	Err       bool
	Level     NoticeLevel
}

// TailEnded says a tail stopped by itself, e.g. because its topic was deleted.
type TailEnded struct {
	Tail int
	Err  error
}

func (RecordBatch) event() {}
func (TailNotice) event()  {}
func (TailEnded) event()   {}
