package ui

import (
	"context"
	"io"
	"math/rand/v2"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/IBM/sarama"
	"github.com/twmb/franz-go/pkg/kfake"
	"go.uber.org/goleak"

	"kscope/kafkaclient"
	"kscope/themes"
	"kscope/views"
)

// TestClosedViewsLeaveNothingRunning opens tails, group views and config
// loads on a live cluster and closes each at a random point (before it
// opened, while it loads, while it streams). Once the program, the client
// and the cluster are closed, no goroutine of kscope's may be left.
func TestClosedViewsLeaveNothingRunning(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent(),
		// Not kscope's: sarama's metrics library keeps one ticker for the
		// process, and the ':' bar's cursor may be waiting to blink once
		// more when the program ends.
		goleak.IgnoreTopFunction("github.com/rcrowley/go-metrics.(*meterArbiter).tick"),
		goleak.IgnoreTopFunction("charm.land/bubbles/v2/cursor.(*Model).Blink.func1"))

	cluster, err := kfake.NewCluster(kfake.NumBrokers(2), kfake.SeedTopics(3, "orders"))
	if err != nil {
		t.Fatal(err)
	}
	defer cluster.Close()
	stop := produceUntilStopped(t, cluster.ListenAddrs())
	defer stop()

	ctx := t.Context()
	client, err := kafkaclient.Connect(ctx, kafkaclient.Config{Brokers: cluster.ListenAddrs(), ConnectTimeout: 5 * time.Second, RefreshInterval: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer client.Close()
	p, _ := themes.Builtin("dark")
	m := New(Options{Session: Session{Events: client.Events(), Client: views.ClientOf(client), Label: "leak"},
		Theme: p, ThemeFixed: true, GroupEvery: 50 * time.Millisecond})
	prog := tea.NewProgram(m, tea.WithContext(ctx), tea.WithInput(nil), tea.WithOutput(io.Discard),
		tea.WithoutRenderer(), tea.WithoutSignals(), tea.WithWindowSize(120, 40))
	ran := make(chan error, 1)
	go func() { _, err := prog.Run(); ran <- err }()

	command := func(line string) {
		prog.Send(tea.KeyPressMsg{Code: ':', Text: ":"})
		for _, r := range line {
			prog.Send(tea.KeyPressMsg{Code: r, Text: string(r)})
		}
		prog.Send(tea.KeyPressMsg{Code: tea.KeyEnter})
	}
	rng := rand.New(rand.NewPCG(1, 2))
	opens := []func(){
		func() { command("tail orders --from earliest") },
		func() { command("group shop") },
		func() { command("topic orders"); prog.Send(tea.KeyPressMsg{Code: 'c', Text: "c"}) },
	}
	for range 150 {
		opens[rng.IntN(len(opens))]()
		time.Sleep(time.Duration(rng.IntN(40)) * time.Millisecond)
		command("brokers")
	}
	prog.Quit()
	if err := <-ran; err != nil {
		t.Fatal(err)
	}
}

// produceUntilStopped writes records to orders until the returned func is
// called, so tails have something to stream.
func produceUntilStopped(t *testing.T, brokers []string) func() {
	t.Helper()
	conf := sarama.NewConfig()
	conf.Version = sarama.V2_8_0_0
	conf.Producer.Return.Successes = true
	producer, err := sarama.NewSyncProducer(brokers, conf)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		for ctx.Err() == nil {
			_, _, _ = producer.SendMessage(&sarama.ProducerMessage{Topic: "orders", Value: sarama.StringEncoder("x")})
			time.Sleep(time.Millisecond)
		}
	}()
	return func() {
		cancel()
		<-done
		_ = producer.Close()
	}
}
