package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"go.uber.org/goleak"

	"kscope/kafkaclient"
	"kscope/themes"
	"kscope/ui"
	"kscope/views"
	"kscope/views/decode"
)

// frameWatch wraps the root model and notes when a frame containing a
// wanted text is first drawn, and whether the last frame said the tail was
// still catching up (the measuring goroutine may not call View itself: the
// model belongs to the program's).
type frameWatch struct {
	*ui.Model
	mu       sync.Mutex
	want     string
	drawn    chan struct{}
	catching atomic.Bool
}

func (f *frameWatch) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	_, cmd := f.Model.Update(msg)
	return f, cmd
}

func (f *frameWatch) View() tea.View {
	v := f.Model.View()
	f.catching.Store(strings.Contains(v.Content, "catching up"))
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

const (
	// keyFramePresses is the fewest presses the percentiles are taken over.
	keyFramePresses = 50
	// keyFramePerRun spreads the presses over the iterations, so that
	// one program's luck does not make the figures.
	keyFramePerRun = 40
)

// BenchmarkKeyFrameDuringTail runs the program (bubbletea, the tail,
// sarama) in this process, with the cluster in another, while it reads a
// 3,000,000-record backlog as fast as the broker serves it, and times
// keypresses, one about every 100 ms while the backlog is read, from the
// input to the first frame that shows their effect. The frame reaches the
// terminal at the renderer's next tick (at most 1/60 s later). Each
// iteration ends the program as a user does (ctrl+c, which closes every
// view and so its tail) and checks that no goroutine outlives it.
//
//	go test -run '^$' -bench KeyFrame -benchtime 5x .
func BenchmarkKeyFrameDuringTail(b *testing.B) {
	tuneGC(os.Getenv, false) // as main does
	bootstrap := startClusterProcess(b, 1, 6, 3_000_000)
	before := goleak.IgnoreCurrent()
	var presses []float64
	var firstHeap uint64
	iteration := 0
	for b.Loop() {
		presses = append(presses, keyFrameRun(b, bootstrap)...)
		checkGoroutines(b, before)
		runtime.GC()
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		if iteration == 0 {
			firstHeap = ms.HeapAlloc
		}
		b.Logf("iteration %d: %d presses so far, heap %.1f MB, %d goroutines", iteration, len(presses), float64(ms.HeapAlloc)/1e6, runtime.NumGoroutine())
		// A tail that outlived its program would hold its buffer (up to 64 MB).
		if ms.HeapAlloc > firstHeap+32<<20 {
			b.Fatalf("heap grew from %.1f MB after the first iteration to %.1f MB", float64(firstHeap)/1e6, float64(ms.HeapAlloc)/1e6)
		}
		iteration++
	}
	if len(presses) < keyFramePresses {
		b.Fatalf("only %d keypresses while the backlog was read, want %d: run more iterations (-benchtime) or fill a bigger backlog", len(presses), keyFramePresses)
	}
	p50, p90, worst := percentile(presses, 50), percentile(presses, 90), percentile(presses, 100)
	perfRow(b, fmt.Sprintf("keypress → frame during a max-rate tail, in-process (%d presses)", len(presses)),
		fmt.Sprintf("p50 %.1f / p90 %.1f / max %.1f ms", p50, p90, worst), "—", "budget ≤ 50 ms")
	b.ReportMetric(p50, "key-frame-p50-ms")
	b.ReportMetric(p90, "key-frame-p90-ms")
	b.ReportMetric(worst, "key-frame-max-ms")
	b.ReportMetric(0, "ns/op")
}

// keyFrameRun runs the program once and returns the milliseconds of each
// keypress made while the tail was catching up.
func keyFrameRun(b *testing.B, bootstrap string) []float64 {
	b.Helper()
	client, err := kafkaclient.Connect(context.Background(), kafkaclient.Config{Brokers: strings.Split(bootstrap, ",")})
	if err != nil {
		b.Fatal(err)
	}
	defer client.Close()
	p, _ := themes.Builtin("dark")
	f := &frameWatch{Model: ui.New(ui.Options{Session: ui.Session{Events: client.Events(), Client: views.ClientOf(client)}, Theme: p, ThemeFixed: true,
		Start: ui.Command{Name: "tail", Arg: "topic-00000", From: "earliest"}})}
	in, keys := io.Pipe()
	defer keys.Close()
	prog := tea.NewProgram(f, tea.WithInput(in), tea.WithOutput(io.Discard), tea.WithWindowSize(120, 40), tea.WithoutSignals())
	done := make(chan struct{})
	go func() { _, _ = prog.Run(); close(done) }()
	wait := func(what string, ch <-chan struct{}) {
		select {
		case <-ch:
		case <-time.After(30 * time.Second):
			b.Fatalf("no frame with %s after 30 s", what)
		}
	}

	wait("catching up", f.expect("catching up"))
	var out []float64
	mode := decode.Auto // the tail's first key decoder
	for i := 0; i < keyFramePerRun && f.catching.Load(); i++ {
		mode = mode.Next()
		want := "key decoder: " + mode.String()
		drawn := f.expect(want)
		start := time.Now()
		if _, err := keys.Write([]byte("K")); err != nil {
			b.Fatal(err)
		}
		wait(want, drawn)
		out = append(out, float64(time.Since(start).Microseconds())/1000)
		time.Sleep(100 * time.Millisecond)
	}
	// ctrl+c, unlike prog.Quit, goes through the root, which closes the views.
	if _, err := keys.Write([]byte{0x03}); err != nil {
		b.Fatal(err)
	}
	wait("the program's end", done)
	return out
}

// checkGoroutines fails if a goroutine started since before (taken with
// goleak.IgnoreCurrent) is still running; goleak retries a while, so a run
// that is still winding down is waited for.
func checkGoroutines(b *testing.B, before goleak.Option) {
	b.Helper()
	err := goleak.Find(before,
		// Not kscope's: one for the process, started by the first run.
		goleak.IgnoreTopFunction("github.com/rcrowley/go-metrics.(*meterArbiter).tick"),
		goleak.IgnoreTopFunction("os/signal.signal_recv"))
	if err != nil {
		b.Fatalf("goroutines outlive the program: %v", err)
	}
}
