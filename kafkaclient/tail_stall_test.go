package kafkaclient

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// TestTailReportsAStallUntilTheLeaderAnswers leaves one partition's
// fetches unanswered while a record waits in it: the tail must stop being
// live and report that partition stalled, with why, while the other stays
// live; once the leader answers again the record arrives and the tail is
// live again.
func TestTailReportsAStallUntilTheLeaderAnswers(t *testing.T) {
	t.Parallel()
	c := newCluster(t, 2, kfake.SeedTopics(2, "stall"))
	// One leader per partition, so silencing one broker stalls one partition.
	for p := range int32(2) {
		if err := c.MoveTopicPartition("stall", p, p); err != nil {
			t.Fatal(err)
		}
	}
	const silent = int32(1)
	var drop atomic.Bool
	var dropped atomic.Int64
	c.ControlKey(int16(kmsg.Fetch), func(kmsg.Request) (kmsg.Response, error, bool) {
		c.KeepControl()
		// Handled without an answer: the connection waits until the client gives up on it.
		if drop.Load() && c.CurrentNode() == silent {
			dropped.Add(1)
			return nil, nil, true
		}
		return nil, nil, false
	})
	cl, err := Connect(context.Background(), Config{Brokers: c.ListenAddrs(), RequestTimeout: time.Second, RefreshInterval: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	tl, err := cl.Tail(context.Background(), TailSpec{Topic: "stall", From: From{Kind: FromEarliest}})
	if err != nil {
		t.Fatal(err)
	}
	defer tl.Close()
	live := func(e Event) bool {
		b, ok := e.(RecordBatch)
		return ok && b.Progress.Live(b.At)
	}
	watchTail(t, tl, 10*time.Second, "a live tail", live)

	drop.Store(true)
	// A fetch the leader took before it fell silent waits for records and
	// would answer with the next one: produce once a later fetch was
	// dropped, which the tail sends only after the earlier one ended.
	for deadline := time.Now().Add(10 * time.Second); dropped.Load() == 0; time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("no fetch reached the silent leader")
		}
	}
	produceValues(t, c, "stall", silent, time.Now(), "waiting")
	watchTail(t, tl, 30*time.Second, "partition 1 stalled, with a reason, and partition 0 live", func(e Event) bool {
		b, ok := e.(RecordBatch)
		if !ok {
			return false
		}
		if b.Len() > 0 {
			t.Fatalf("a record came through the silent leader: %v", values(b.Records[0]))
		}
		if b.Progress.Live(b.At) {
			return false
		}
		stalled, other := b.Progress[silent], b.Progress[0]
		if stalled.Stalled(b.At) && !stalled.Live(b.At) && stalled.Err != nil && other.Live(b.At) {
			t.Logf("partition %d stalled since %s: %v", silent, stalled.MovedAt.Format(time.TimeOnly), stalled.Err)
			return true
		}
		return false
	})

	drop.Store(false)
	arrived := false
	watchTail(t, tl, 30*time.Second, "the waiting record and a live tail", func(e Event) bool {
		b, ok := e.(RecordBatch)
		if !ok {
			return false
		}
		for _, chunk := range b.Records {
			for _, r := range chunk {
				arrived = arrived || string(r.Value) == "waiting"
			}
		}
		p := b.Progress[silent]
		return arrived && b.Progress.Live(b.At) && !p.Stalled(b.At) && p.Err == nil
	})
}

// TestReaderLiveness checks the rule the tail status shows, on progress
// values: live only when running and found caught up within the window;
// stalled when running and not moved for longer.
func TestReaderLiveness(t *testing.T) {
	now := time.Date(2026, 11, 21, 9, 0, 0, 0, time.UTC)
	ago := func(d time.Duration) time.Time { return now.Add(-d) }
	tests := []struct {
		name          string
		p             PartitionProgress
		live, stalled bool
	}{
		{"caught up a moment ago", PartitionProgress{CaughtUpAt: ago(time.Second), MovedAt: ago(time.Second)}, true, false},
		{"caught up at the window's edge", PartitionProgress{CaughtUpAt: ago(TailLiveWindow), MovedAt: ago(TailLiveWindow)}, true, false},
		{"caught up too long ago, still reading", PartitionProgress{CaughtUpAt: ago(time.Minute), MovedAt: ago(time.Second)}, false, false},
		{"caught up long ago, not moved since", PartitionProgress{CaughtUpAt: ago(time.Minute), MovedAt: ago(time.Minute)}, false, true},
		{"never caught up, reading a backlog", PartitionProgress{MovedAt: ago(time.Second)}, false, false},
		{"resetting", PartitionProgress{State: ReaderResetting, CaughtUpAt: ago(time.Second), MovedAt: ago(time.Minute)}, false, false},
		{"restarting", PartitionProgress{State: ReaderRestarting, CaughtUpAt: ago(time.Second), MovedAt: ago(time.Minute)}, false, false},
	}
	for _, tt := range tests {
		if got := tt.p.Live(now); got != tt.live {
			t.Errorf("%s: Live = %v, want %v", tt.name, got, tt.live)
		}
		if got := tt.p.Stalled(now); got != tt.stalled {
			t.Errorf("%s: Stalled = %v, want %v", tt.name, got, tt.stalled)
		}
	}
	live := PartitionProgress{CaughtUpAt: ago(time.Second)}
	if !(TailProgress{live, live}).Live(now) {
		t.Error("a tail of live readers is not live")
	}
	if (TailProgress{live, {State: ReaderRestarting}}).Live(now) {
		t.Error("a tail with a restarting reader is live")
	}
	if (TailProgress{}).Live(now) {
		t.Error("a tail without readers is live")
	}
}

// TestCaughtUpFollowsTheWatermarksReached feeds a reader's partition the
// answers of watermark asks and records: a reader further behind than one
// ask is caught up with each ask it reaches, and an answer below what it
// already read (a log truncated or replaced) does not count.
func TestCaughtUpFollowsTheWatermarksReached(t *testing.T) {
	t0 := time.Date(2026, 11, 21, 9, 0, 0, 0, time.UTC)
	at := func(s int) time.Time { return t0.Add(time.Duration(s) * time.Second) }
	p := newTailPartition(PartitionProgress{Start: 0, Target: 10, Next: 0}, watermark{high: 10, at: at(0)}, 1000, 1<<20)
	deliver := func(next int64) {
		p.fetched(p.progress.Next, []Record{{Offset: next - 1}}, Marks{}, next, 0)
	}
	p.observe(0, 0, 20, at(1), nil)
	p.observe(0, 0, 30, at(2), nil)
	deliver(15)
	if got := p.progress.CaughtUpAt; !got.Equal(at(0)) {
		t.Errorf("at 15 of 10, 20, 30: caught up at %s, want %s", got, at(0))
	}
	deliver(25)
	if got := p.progress.CaughtUpAt; !got.Equal(at(1)) {
		t.Errorf("at 25 of 20, 30: caught up at %s, want %s", got, at(1))
	}
	// Answers may come out of order; an older one never moves CaughtUpAt back.
	p.observe(0, 25, 40, at(4), nil)
	p.observe(0, 25, 35, at(3), nil)
	deliver(36)
	if got := p.progress.CaughtUpAt; !got.Equal(at(3)) {
		t.Errorf("at 36 of 30, 35, 40: caught up at %s, want %s", got, at(3))
	}
	p.observe(0, 36, 5, at(5), nil)
	if got := p.progress.CaughtUpAt; !got.Equal(at(3)) || p.progress.Err == nil {
		t.Errorf("a watermark of 5 at 36: caught up at %s with %v; want %s and an error", got, p.progress.Err, at(3))
	}
	// An answer about the log before a reset is dropped.
	p.observe(-1, 36, 100, at(6), nil)
	deliver(41)
	if got := p.progress.CaughtUpAt; !got.Equal(at(4)) {
		t.Errorf("at 41 of 40: caught up at %s, want %s", got, at(4))
	}
}
