package kafkaclient

import (
	"context"
	"errors"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kmsg"
	"go.uber.org/goleak"
)

// ignoreMetrics skips go-metrics' meter goroutine, which sarama starts on
// first use and which belongs to the process.
var ignoreMetrics = goleak.IgnoreTopFunction("github.com/rcrowley/go-metrics.(*meterArbiter).tick")

// cancelAt cancels a tail's context when the cluster receives the n-th
// request of one kind, so a tail is cut off in the middle of a given step.
type cancelAt struct {
	key    int16
	n      int64
	seen   atomic.Int64
	cancel context.CancelFunc
}

// Where a tail's context is cancelled, one of each in turn.
const (
	cancelBeforeOpen = iota // before Tail is called
	cancelRacingOpen        // from another goroutine while Tail starts
	cancelAtRequest         // when the cluster gets a request of the opening or the streaming
	cancelStreaming         // once the first batch arrived
	cancelPoints
)

// TestTailLifetimeFollowsItsContext opens and cancels tails one after the
// other, each at another point of its life, then checks that nothing any
// of them started is left running. It is not parallel: goleak sees every
// goroutine of the process.
func TestTailLifetimeFollowsItsContext(t *testing.T) {
	before := goleak.IgnoreCurrent()
	c, err := kfake.NewCluster(kfake.NumBrokers(3), kfake.SeedTopics(3, "life"))
	if err != nil {
		t.Fatal(err)
	}
	closeCluster := sync.OnceFunc(c.Close)
	defer closeCluster()
	produce(t, c, "life", 3, 20)
	var current atomic.Pointer[cancelAt]
	c.Control(func(req kmsg.Request) (kmsg.Response, error, bool) {
		if at := current.Load(); at != nil && req.Key() == at.key && at.seen.Add(1) == at.n {
			at.cancel()
		}
		return nil, nil, false
	})
	cl, err := Connect(context.Background(), Config{Brokers: c.ListenAddrs(), RefreshInterval: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()

	seed := time.Now().UnixNano()
	t.Logf("seed %d", seed)
	rng := rand.New(rand.NewPCG(uint64(seed), 0))
	froms := []From{{Kind: FromEarliest}, {Kind: FromLatest}, {Kind: FromLast, Last: 5},
		{Kind: FromOffset, Offset: 7}, {Kind: FromTime, Time: time.Now().Add(-time.Hour)}}
	keys := []struct {
		key kmsg.Key
		max int64
	}{{kmsg.Metadata, 3}, {kmsg.ListOffsets, 8}, {kmsg.DescribeConfigs, 1}, {kmsg.Fetch, 3}}
	opened, refused := 0, 0
	for i := range 50 {
		ctx, cancel := context.WithCancel(context.Background())
		spec := TailSpec{Topic: "life", From: froms[rng.IntN(len(froms))]}
		point := i % cancelPoints
		switch point {
		case cancelBeforeOpen:
			cancel()
		case cancelRacingOpen:
			go cancel()
		case cancelAtRequest:
			k := keys[rng.IntN(len(keys))]
			current.Store(&cancelAt{key: int16(k.key), n: 1 + rng.Int64N(k.max), cancel: cancel})
		}
		tl, err := cl.Tail(ctx, spec)
		if err != nil {
			current.Store(nil)
			cancel()
			if !errors.Is(err, context.Canceled) {
				t.Fatalf("tail %d (cancel point %d): %v, want a cancelled context", i, point, err)
			}
			refused++
			continue
		}
		opened++
		// The tail publishes a batch at least every second, so this wait ends.
		<-tl.Events()
		cancel()
		current.Store(nil)
		if rng.IntN(2) == 0 {
			tl.Close()
		}
		for range tl.Events() {
		}
		for range rng.IntN(3) {
			tl.Close()
		}
	}
	if opened == 0 || refused == 0 {
		t.Fatalf("%d tails opened and %d refused: every point of a tail's life should be cut", opened, refused)
	}
	t.Logf("%d tails cancelled while streaming, %d while opening", opened, refused)
	cl.Close()
	closeCluster()
	goleak.VerifyNone(t, before, ignoreMetrics)
}

// TestTailRestartsEndWithTheTail cuts a tail off while one of its readers
// waits to retry a reset, and another once its reader was reset: nothing
// either started may be left running. It is not parallel: goleak sees
// every goroutine of the process.
func TestTailRestartsEndWithTheTail(t *testing.T) {
	before := goleak.IgnoreCurrent()
	c, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.SeedTopics(1, "reborn"))
	if err != nil {
		t.Fatal(err)
	}
	closeCluster := sync.OnceFunc(c.Close)
	defer closeCluster()
	produce(t, c, "reborn", 1, 10)
	cl, err := Connect(context.Background(), Config{Brokers: c.ListenAddrs(), RefreshInterval: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()

	steps := []struct {
		what string
		// fault breaks what the reset needs, and returns what mends it.
		fault func() func()
		until func(PartitionProgress) bool
	}{
		{"a reader waiting to retry its reset",
			func() func() {
				h := c.Fault(kfake.Fault{Keys: []kmsg.Key{kmsg.ListOffsets}, Topic: "reborn", Count: -1})
				return func() { h.Remove() }
			},
			func(p PartitionProgress) bool {
				return p.State == ReaderResetting && !p.RetryAt.IsZero() && p.Err != nil
			}},
		{"a reader running again after its reset",
			func() func() {
				c.Fault(kfake.Fault{Keys: []kmsg.Key{kmsg.ListOffsets}, Topic: "reborn", Count: 2})
				return func() {}
			},
			func(p PartitionProgress) bool { return p.State == ReaderRunning && p.Restarts == 1 }},
	}
	for _, step := range steps {
		ctx, cancel := context.WithCancel(context.Background())
		tl, err := cl.Tail(ctx, TailSpec{Topic: "reborn", From: From{Kind: FromEarliest}})
		if err != nil {
			t.Fatal(err)
		}
		collect(t, tl, 10, 10*time.Second)
		mend := step.fault()
		answerOutOfRange(c, "reborn")
		watchTail(t, tl, 20*time.Second, step.what, func(e Event) bool {
			b, ok := e.(RecordBatch)
			return ok && step.until(b.Progress[0])
		})
		cancel()
		for range tl.Events() {
		}
		mend()
	}
	cl.Close()
	closeCluster()
	goleak.VerifyNone(t, before, ignoreMetrics)
}
