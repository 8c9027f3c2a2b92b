package demo

import (
	"context"
	"time"

	"github.com/IBM/sarama"
)

// settler is a job that writes payments in transactions: batch records,
// held open for hold before the commit, then a pause of gap.
type settler struct {
	id        string
	timeout   time.Duration
	batch     int
	hold, gap time.Duration
}

// settlers give :transactions one id that commits every few seconds and
// one that keeps its transaction open most of a minute, as an end-of-day
// job does; both commit well within their timeouts.
var settlers = []settler{
	{id: "payments-settler", timeout: time.Minute, batch: 5, hold: time.Second, gap: 3 * time.Second},
	{id: "ledger-close", timeout: 2 * time.Minute, batch: 20, hold: 40 * time.Second, gap: 10 * time.Second},
}

// startSettlers runs each settler until ctx is done.
func (w *workload) startSettlers(ctx context.Context) {
	for _, s := range settlers {
		w.goRun(func() { w.settle(ctx, s) })
	}
}

func (w *workload) settle(ctx context.Context, s settler) {
	cfg := w.config("kscope-demo-" + s.id)
	cfg.Producer.Idempotent = true
	cfg.Producer.RequiredAcks = sarama.WaitForAll
	cfg.Producer.Return.Successes = true
	cfg.Producer.Transaction.ID = s.id
	cfg.Producer.Transaction.Timeout = s.timeout
	cfg.Net.MaxOpenRequests = 1
	p, err := sarama.NewSyncProducer(w.addrs, cfg)
	if err != nil {
		w.logf("demo: %s: %v", s.id, err)
		return
	}
	defer p.Close()
	// The workload's own records are the produce loop's; these are this
	// goroutine's, numbered apart from its payments.
	r := newRecords()
	r.paySeq = 900000
	for ctx.Err() == nil {
		if err := p.BeginTxn(); err != nil {
			w.logf("demo: %s: begin: %v", s.id, err)
			return
		}
		msgs := make([]*sarama.ProducerMessage, s.batch)
		for i := range msgs {
			msgs[i] = r.payment(time.Now())
		}
		if err := p.SendMessages(msgs); err != nil {
			w.logf("demo: %s: %v", s.id, err)
			_ = p.AbortTxn()
			return
		}
		if !sleep(ctx, s.hold) {
			_ = p.AbortTxn()
			return
		}
		if err := p.CommitTxn(); err != nil {
			w.logf("demo: %s: commit: %v", s.id, err)
			return
		}
		if !sleep(ctx, s.gap) {
			return
		}
	}
}
