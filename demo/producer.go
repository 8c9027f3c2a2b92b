package demo

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"time"

	"github.com/IBM/sarama"
)

const (
	// history is how far back the seeded records' timestamps reach, so
	// time-based seeks (tail --from -15m) land inside the data.
	history = 30 * time.Minute
	// hostileEvery is how often a hostile line goes to app-logs.
	hostileEvery = time.Minute
	// seededHostile is how many hostile lines the history holds, so there
	// are some to find before the first live one.
	seededHostile = 6
	// tick is how often the live producer wakes; the sarama producer's flush
	// frequency matches it, so each tick becomes one request per broker.
	tick = 100 * time.Millisecond
)

// seed writes each topic's history, its timestamps spread over the past
// half hour in order, and returns the end offset of every partition it wrote.
func (w *workload) seed(now time.Time) (map[string]map[int32]int64, error) {
	cfg := w.config("kscope-demo-seeder")
	cfg.Producer.Return.Successes = true
	// The whole history is handed over at once: waiting a moment before
	// each flush sends it in few requests instead of many small ones. The
	// cap per request keeps each partition's batches to a few KB, as a
	// client's batch size would: a consumer fetching a few KB per partition
	// gets a batch larger than that only as the first of a response, so one
	// huge batch per partition would be read one partition at a time.
	cfg.Producer.Flush.Frequency = 10 * time.Millisecond
	cfg.Producer.Flush.MaxMessages = 100
	producer, err := sarama.NewSyncProducer(w.addrs, cfg)
	if err != nil {
		return nil, fmt.Errorf("connect seeding producer: %w", err)
	}
	defer producer.Close()

	var (
		r     = w.records
		start = now.Add(-history)
		next  = make([]int, len(topicSpecs)) // records made so far, per topic
		msgs  []*sarama.ProducerMessage
	)
	at := func(i, n int) time.Time { return start.Add(time.Duration(i) * history / time.Duration(n)) }
	for {
		// Make records in timestamp order across topics, so payments refer
		// to orders that exist by then.
		k := -1
		for i, t := range topicSpecs {
			if next[i] < t.seed && (k < 0 || at(next[i], t.seed).Before(at(next[k], topicSpecs[k].seed))) {
				k = i
			}
		}
		if k < 0 {
			break
		}
		t := topicSpecs[k]
		ts := at(next[k], t.seed)
		msgs = append(msgs, t.record(r, ts))
		if every := t.seed / seededHostile; t.name == topicAppLogs && next[k]%every == every/2 {
			msgs = append(msgs, hostileLogLine(ts))
		}
		next[k]++
	}
	if err := producer.SendMessages(msgs); err != nil {
		return nil, fmt.Errorf("seed topics: %w", err)
	}
	ends := make(map[string]map[int32]int64)
	for _, m := range msgs {
		if ends[m.Topic] == nil {
			ends[m.Topic] = make(map[int32]int64)
		}
		ends[m.Topic][m.Partition] = max(ends[m.Topic][m.Partition], m.Offset+1)
	}
	return ends, nil
}

// produce feeds every topic at its rate until ctx is done.
func (w *workload) produce(ctx context.Context) {
	cfg := w.config("kscope-demo-producer")
	cfg.Producer.Flush.Frequency = tick
	producer, err := sarama.NewAsyncProducer(w.addrs, cfg)
	if err != nil {
		w.logf("demo: producer: %v", err)
		return
	}
	w.goRun(func() {
		for err := range producer.Errors() {
			w.logf("demo: producer: %v", err)
		}
	})
	defer func() {
		// Close, not AsyncClose: the last batches must reach the brokers
		// before Close of the cluster takes them away.
		if err := producer.Close(); err != nil {
			w.logf("demo: producer: close: %v", err)
		}
	}()
	send := func(m *sarama.ProducerMessage) bool {
		select {
		case producer.Input() <- m:
			return true
		case <-ctx.Done():
			return false
		}
	}

	r := w.records
	paces := make([]pace, len(topicSpecs))
	for i, t := range topicSpecs {
		paces[i] = newPace(t.rate)
	}
	ticker := time.NewTicker(tick)
	defer ticker.Stop()
	last := time.Now()
	nextHostile := last.Add(rand.N(hostileEvery))
	for {
		var now time.Time
		select {
		case <-ctx.Done():
			return
		case now = <-ticker.C:
		}
		dt := now.Sub(last)
		for i, t := range topicSpecs {
			n := paces[i].count(now, dt)
			for j := range n {
				// Spread the tick's records over the time it covers, so
				// timestamps read like a steady stream, not clumps.
				if !send(t.record(r, last.Add(dt*time.Duration(j+1)/time.Duration(n)))) {
					return
				}
			}
		}
		if !now.Before(nextHostile) {
			if !send(hostileLogLine(now)) {
				return
			}
			nextHostile = nextHostile.Add(hostileEvery)
		}
		last = now
	}
}

// pace makes a topic's rate uneven: a slow swell of ±30% over a few
// minutes, and every half minute or so a burst of two to four times the
// rate for a few seconds, so rate graphs have something to draw.
type pace struct {
	rate       float64
	period     time.Duration
	phase      float64
	burstUntil time.Time
	burst      float64
}

func newPace(rate float64) pace {
	return pace{
		rate:   rate,
		period: 2*time.Minute + rand.N(3*time.Minute),
		phase:  rand.Float64() * 2 * math.Pi,
	}
}

// count returns how many records are due for the dt that ends at now.
func (p *pace) count(now time.Time, dt time.Duration) int {
	swell := 1 + 0.3*math.Sin(p.phase+2*math.Pi*float64(now.UnixNano()%int64(p.period))/float64(p.period))
	switch {
	case now.Before(p.burstUntil):
		swell *= p.burst
	case rand.Float64() < dt.Seconds()/30:
		p.burstUntil = now.Add(time.Second + rand.N(3*time.Second))
		p.burst = 2 + 2*rand.Float64()
	}
	// Rounding up with the fractional part's probability keeps low rates
	// (audit's one a second) right on average.
	return int(p.rate*dt.Seconds()*swell + rand.Float64())
}
