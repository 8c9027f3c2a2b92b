package main

import (
	"context"
	"io"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"kscope/kafkaclient"
	"kscope/themes"
	"kscope/ui"
	"kscope/views"
)

// frameWatch wraps the root model and notes when a frame containing a
// wanted text is first drawn.
type frameWatch struct {
	*ui.Model
	mu    sync.Mutex
	want  string
	drawn chan struct{}
}

func (f *frameWatch) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	_, cmd := f.Model.Update(msg)
	return f, cmd
}

func (f *frameWatch) View() tea.View {
	v := f.Model.View()
	f.mu.Lock()
	if f.want != "" && strings.Contains(v.Content, f.want) {
		f.want = ""
		close(f.drawn)
	}
	f.mu.Unlock()
	return v
}

func (f *frameWatch) expect(text string) <-chan struct{} {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.want, f.drawn = text, make(chan struct{})
	return f.drawn
}

// BenchmarkKeyFrameDuringTail runs the program (bubbletea, the tail,
// sarama) in this process, with the cluster in another, while it reads a
// 3,000,000-record backlog as fast as the broker serves it, and times
// keypresses from the input to the first frame that shows their effect.
// The frame reaches the terminal at the renderer's next tick (at most
// 1/60 s later).
//
//	go test -run '^$' -bench KeyFrame -benchtime 2x .
func BenchmarkKeyFrameDuringTail(b *testing.B) {
	tuneGC(os.Getenv, false) // as main does
	bootstrap := startClusterProcess(b, 1, 6, 3_000_000)
	for range b.N {
		client, err := kafkaclient.Connect(context.Background(), kafkaclient.Config{Brokers: strings.Split(bootstrap, ",")})
		if err != nil {
			b.Fatal(err)
		}
		p, _ := themes.Builtin("dark")
		f := &frameWatch{Model: ui.New(ui.Options{Session: ui.Session{Events: client.Events(), Client: views.ClientOf(client)}, Theme: p, ThemeFixed: true,
			Start: ui.Command{Name: "tail", Arg: "topic-00000", From: "earliest"}})}
		in, keys := io.Pipe()
		prog := tea.NewProgram(f, tea.WithInput(in), tea.WithOutput(io.Discard), tea.WithWindowSize(120, 40), tea.WithoutSignals())
		done := make(chan struct{})
		go func() { _, _ = prog.Run(); close(done) }()

		<-f.expect("catching up")
		var total, worst time.Duration
		n := 0
		for _, mode := range []string{"key decoder: json", "key decoder: text", "key decoder: hex", "key decoder: base64", "key decoder: auto"} {
			drawn := f.expect(mode)
			start := time.Now()
			if _, err := keys.Write([]byte("K")); err != nil {
				b.Fatal(err)
			}
			select {
			case <-drawn:
			case <-time.After(10 * time.Second):
				b.Fatalf("no frame with %s", mode)
			}
			d := time.Since(start)
			total += d
			worst = max(worst, d)
			n++
			time.Sleep(100 * time.Millisecond)
		}
		caughtUp := !strings.Contains(f.Model.View().Content, "catching up")
		prog.Quit()
		<-done
		keys.Close()
		client.Close()
		if caughtUp {
			b.Log("the backlog was read before the last keypress; the later figures are not under load")
		}
		b.ReportMetric(float64(total.Microseconds())/float64(n)/1000, "key-frame-avg-ms")
		b.ReportMetric(float64(worst.Microseconds())/1000, "key-frame-max-ms")
	}
	b.ReportMetric(0, "ns/op")
}
