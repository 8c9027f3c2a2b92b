package demo

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/IBM/sarama"
)

// workload is the demo's simulated traffic: one producer feeding every
// topic and the groups reading them — classic consumer groups, a
// consumer-protocol group and a share group.
type workload struct {
	addrs       []string
	logf        func(format string, args ...any)
	replication int16
	// records is shared by the seeding and the live producer, one after
	// the other, so that ids keep counting up from the history.
	records *records
	// wg counts every goroutine the workload starts, so that Close can wait
	// for the last of them before the brokers go away.
	wg *sync.WaitGroup
}

// config is the sarama configuration every demo client starts from.
func (w *workload) config(clientID string) *sarama.Config {
	cfg := sarama.NewConfig()
	// 3.2 or later: members then tell their generation when they rejoin
	// (KIP-792), which kscope shows.
	cfg.Version = sarama.V3_6_0_0
	cfg.ClientID = clientID
	cfg.Net.DialTimeout = 5 * time.Second
	cfg.Metadata.AllowAutoTopicCreation = false
	return cfg
}

// prepare creates the topics, writes their history and leaves the stopped
// group behind, so that kscope's first frame already has data.
func (w *workload) prepare(ctx context.Context) error {
	if err := w.createTopics(); err != nil {
		return err
	}
	if err := w.createACLs(); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	ends, err := w.seed(time.Now())
	if err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	return w.leaveStoppedGroup(ctx, ends)
}

// run starts the workload's goroutines; they stop when ctx is done.
func (w *workload) run(ctx context.Context) {
	w.goRun(func() { w.produce(ctx) })
	w.startGroups(ctx)
	w.startNextGenGroups(ctx)
	w.startSettlers(ctx)
}

// liveGroups are the groups run starts members of.
var liveGroups = []string{groupBilling, groupAnalytics, groupInventory, groupShipping, groupNotify}

// awaitGroups waits until the cluster lists every live group, for at
// most within. Members join a moment after run starts them, and a
// command given with --demo (-c "group notifications") asks for its
// group as soon as kscope connects.
func (w *workload) awaitGroups(ctx context.Context, within time.Duration) error {
	cfg := w.config("kscope-demo-admin")
	// ListGroups v5 (Kafka 3.8) lists groups of every type, the
	// consumer-protocol and share groups among them.
	cfg.Version = sarama.V3_8_0_0
	admin, err := sarama.NewClusterAdmin(w.addrs, cfg)
	if err != nil {
		return fmt.Errorf("connect admin client: %w", err)
	}
	defer admin.Close()
	deadline := time.Now().Add(within)
	for {
		listed, err := admin.ListConsumerGroups()
		missing := slices.DeleteFunc(slices.Clone(liveGroups), func(g string) bool {
			_, ok := listed[g]
			return ok
		})
		switch {
		case err == nil && len(missing) == 0:
			return nil
		case time.Now().After(deadline) && err != nil:
			return fmt.Errorf("groups not listed after %v: %w", within, err)
		case time.Now().After(deadline):
			return fmt.Errorf("groups %v not formed after %v", missing, within)
		case !sleep(ctx, 10*time.Millisecond):
			return ctx.Err()
		}
	}
}

// goRun runs fn in a goroutine that Close waits for.
func (w *workload) goRun(fn func()) {
	w.wg.Add(1)
	go func() {
		defer w.wg.Done()
		fn()
	}()
}

// sleep waits for d or until ctx is done, and reports whether ctx is still live.
func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}
