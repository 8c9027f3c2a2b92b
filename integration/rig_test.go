//go:build realkafka

// Package integration runs kscope's kafkaclient against a real Apache
// Kafka 4.4 cluster (integration/kafka/cluster.sh) and compares what kscope
// reports with what Kafka's own command-line tools report at the same
// moment. It is built only with the realkafka tag:
//
//	go test -tags realkafka ./integration/...
//
// When KSCOPE_BOOTSTRAP is set the cluster is taken to be running already
// (CI starts it with `cluster.sh up`); otherwise TestMain starts it and
// stops it at the end.
package integration

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"kscope/kafkaclient"
)

// rig is what the tests know about the cluster.
var rig struct {
	script string
	env    map[string]string
	// bootstrap and sasl are the plaintext and SASL_SSL listeners of every node.
	bootstrap, sasl []string
	// run makes the names of this run's topics and groups unique, so the
	// suite can run twice against one cluster.
	run string
}

func TestMain(m *testing.M) { os.Exit(runSuite(m)) }

func runSuite(m *testing.M) int {
	_, file, _, _ := runtime.Caller(0)
	rig.script = filepath.Join(filepath.Dir(file), "kafka", "cluster.sh")
	if os.Getenv("KSCOPE_BOOTSTRAP") == "" {
		start := time.Now()
		up := exec.Command(rig.script, "up")
		up.Stdout, up.Stderr = os.Stderr, os.Stderr
		if err := up.Run(); err != nil {
			fmt.Fprintf(os.Stderr, "starting the cluster: %v\n", err)
			return 1
		}
		fmt.Fprintf(os.Stderr, "cluster started in %s\n", time.Since(start).Round(100*time.Millisecond))
		defer func() {
			down := exec.Command(rig.script, "down")
			down.Stdout, down.Stderr = os.Stderr, os.Stderr
			_ = down.Run()
		}()
	}
	out, err := exec.Command(rig.script, "env").Output()
	if err != nil {
		fmt.Fprintf(os.Stderr, "cluster.sh env: %v\n", err)
		return 1
	}
	rig.env = map[string]string{}
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		if k, v, ok := strings.Cut(sc.Text(), "="); ok {
			rig.env[k] = v
		}
	}
	if b := os.Getenv("KSCOPE_BOOTSTRAP"); b != "" {
		rig.env["KSCOPE_BOOTSTRAP"] = b
	}
	rig.bootstrap = strings.Split(rig.env["KSCOPE_BOOTSTRAP"], ",")
	rig.sasl = strings.Split(rig.env["KSCOPE_SASL_BOOTSTRAP"], ",")
	rig.run = fmt.Sprintf("%x", time.Now().UnixNano()&0xffffff)
	if err := waitHealthy(3 * time.Minute); err != nil {
		fmt.Fprintf(os.Stderr, "the cluster is not healthy: %v\n", err)
		return 1
	}
	return m.Run()
}

// name returns a topic or group name unique to this run.
func name(kind string) string { return "it-" + kind + "-" + rig.run }

// bootstrapArg is the --bootstrap-server argument of the plaintext listeners.
func bootstrapArg() string { return strings.Join(rig.bootstrap, ",") }

// --- Kafka's tools.

// runTool runs one of Kafka's command-line tools through cluster.sh and
// returns its standard output.
func runTool(ctx context.Context, tool string, args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, rig.script, append([]string{"tool", tool}, args...)...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return stdout.String(), fmt.Errorf("%s %s: %v\nstdout:\n%s\nstderr:\n%s", tool, strings.Join(args, " "), err, stdout.String(), stderr.String())
	}
	return stdout.String(), nil
}

// toolText runs a tool for a comparison: its output, or the error as
// text, which differs from anything kscope says and so is retried.
func toolText(t testing.TB, name string, args ...string) string {
	out, err := runTool(t.Context(), name, args...)
	if err != nil {
		return "tool failed: " + err.Error()
	}
	return out
}

// tool runs a tool and fails the test if it fails.
func tool(t testing.TB, name string, args ...string) string {
	t.Helper()
	out, err := runTool(context.Background(), name, args...)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// background is a tool left running, e.g. a console consumer.
type background struct {
	cmd    *exec.Cmd
	stdout *lockedBuffer
	stderr *lockedBuffer
	done   chan struct{}
}

// lockedBuffer is a buffer the process writes to while the test reads it.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// startTool starts a tool in the background; it is killed when the test
// ends if it is still running. cluster.sh execs the JVM, so signals sent
// to the process reach the tool itself.
func startTool(t testing.TB, name string, args ...string) *background {
	t.Helper()
	cmd := exec.Command(rig.script, append([]string{"tool", name}, args...)...)
	bg := &background{cmd: cmd, stdout: &lockedBuffer{}, stderr: &lockedBuffer{}, done: make(chan struct{})}
	cmd.Stdout, cmd.Stderr = bg.stdout, bg.stderr
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting %s: %v", name, err)
	}
	go func() { _ = cmd.Wait(); close(bg.done) }()
	t.Cleanup(func() {
		if !bg.exited() {
			_ = cmd.Process.Kill()
			<-bg.done
		}
	})
	return bg
}

func (b *background) exited() bool {
	select {
	case <-b.done:
		return true
	default:
		return false
	}
}

// wait waits for the tool to exit by itself.
func (b *background) wait(t testing.TB, within time.Duration) {
	t.Helper()
	select {
	case <-b.done:
	case <-time.After(within):
		t.Fatalf("%s still running after %s\nstderr:\n%s", b.cmd.Args[2], within, b.stderr.String())
	}
}

// --- Nodes.

// node runs cluster.sh on one node: pause, resume, kill, start.
func node(t testing.TB, action string, id int32) {
	t.Helper()
	out, err := exec.Command(rig.script, action, fmt.Sprint(id)).CombinedOutput()
	if err != nil {
		t.Fatalf("cluster.sh %s %d: %v\n%s", action, id, err, out)
	}
}

// restoreNodes makes sure every node runs again when the test ends, and
// waits until every partition has all its replicas in sync, so that a test
// that stops a broker leaves a whole cluster to the next.
func restoreNodes(t testing.TB) {
	t.Cleanup(func() {
		for id := int32(1); id <= 3; id++ {
			state := nodeState(id)
			switch state {
			case "paused":
				node(t, "resume", id)
			case "down":
				node(t, "start", id)
			}
		}
		if err := waitHealthy(2 * time.Minute); err != nil {
			t.Errorf("the cluster did not recover after the test: %v", err)
		}
	})
}

// nodeState is running, paused or down, as cluster.sh status says.
func nodeState(id int32) string {
	out, _ := exec.Command(rig.script, "status").Output()
	for _, line := range strings.Split(string(out), "\n") {
		f := strings.Fields(line)
		if len(f) >= 3 && f[0] == "node" && f[1] == fmt.Sprintf("%d:", id) {
			return f[2]
		}
	}
	return "unknown"
}

// waitHealthy waits until kafka-topics lists no under-replicated and no
// unavailable partition.
func waitHealthy(within time.Duration) error {
	deadline := time.Now().Add(within)
	var last string
	for {
		out, err := runTool(context.Background(), "kafka-topics", "--bootstrap-server", bootstrapArg(), "--describe", "--under-replicated-partitions")
		if err == nil {
			var un string
			un, err = runTool(context.Background(), "kafka-topics", "--bootstrap-server", bootstrapArg(), "--describe", "--unavailable-partitions")
			out += un
		}
		if err == nil && strings.TrimSpace(out) == "" {
			return nil
		}
		last = out
		if err != nil {
			last = err.Error()
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("after %s: %s", within, last)
		}
		time.Sleep(time.Second)
	}
}

// --- kscope.

// session is a kafkaclient.Client whose events are read as they come,
// keeping the latest snapshot.
type session struct {
	*kafkaclient.Client
	mu   sync.Mutex
	last *kafkaclient.Snapshot
	// controllers are the controller ids of every snapshot published.
	controllers []int32
	updated     chan struct{}
	done        chan struct{}
}

// config is the Config the tests connect with: the rig's plaintext
// listeners and shorter timeouts than the defaults, so that a paused
// broker costs a refresh seconds, not a quarter of a minute.
func config() kafkaclient.Config {
	return kafkaclient.Config{
		Brokers:         rig.bootstrap,
		ClientID:        "kscope-it",
		ConnectTimeout:  5 * time.Second,
		RequestTimeout:  5 * time.Second,
		RefreshInterval: time.Second,
	}
}

// connect connects kscope; the client is closed when the test ends.
func connect(t testing.TB, cfg kafkaclient.Config) *session {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	c, err := kafkaclient.Connect(ctx, cfg)
	if err != nil {
		t.Fatalf("connect: %v", err)
	}
	s := &session{Client: c, updated: make(chan struct{}, 1), done: make(chan struct{})}
	go func() {
		defer close(s.done)
		for e := range c.Events() {
			if u, ok := e.(kafkaclient.ClusterUpdated); ok {
				s.mu.Lock()
				s.last = u.Snapshot
				s.controllers = append(s.controllers, u.Snapshot.ControllerID)
				s.mu.Unlock()
				select {
				case s.updated <- struct{}{}:
				default:
				}
			}
		}
	}()
	t.Cleanup(func() {
		c.Close()
		<-s.done
	})
	return s
}

// fresh returns the first snapshot whose metadata was read after the call
// and whose watermarks and broker states were read after that: what the
// screen shows after the next full refresh.
func (s *session) fresh(t testing.TB) *kafkaclient.Snapshot {
	t.Helper()
	start := time.Now()
	s.Refresh()
	deadline := time.After(90 * time.Second)
	for {
		s.mu.Lock()
		snap := s.last
		s.mu.Unlock()
		if snap != nil && snap.At.After(start) && !snap.WatermarksAt.Before(snap.At) {
			return snap
		}
		select {
		case <-s.updated:
		case <-time.After(500 * time.Millisecond):
			s.Refresh()
		case <-deadline:
			t.Fatalf("no refreshed snapshot within 90s")
		}
	}
}

// --- Comparing.

// agree compares kscope's view with a tool's until they are equal at the
// same moment: kscope, the tool, then kscope again, equal all three. The
// cluster may be changing (a broker fenced, a rebalance), so unequal
// answers are retried until within has passed; then the last difference
// fails the test. It returns the agreed text.
func agree(t testing.TB, what string, within time.Duration, kscope, reference func(testing.TB) string) string {
	t.Helper()
	deadline := time.Now().Add(within)
	var before, ref, after string
	for attempt := 1; ; attempt++ {
		before = kscope(t)
		ref = reference(t)
		after = kscope(t)
		if before == ref && after == ref {
			if attempt > 1 {
				t.Logf("%s: kscope and Kafka's tools agree (attempt %d)", what, attempt)
			}
			return ref
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: kscope and Kafka's tools still differ after %s\n%s", what, within, diff(before, ref, after))
		}
		time.Sleep(500 * time.Millisecond)
	}
}

// eventually waits until cond returns "" (nothing wrong), failing with its
// last complaint after within.
func eventually(t testing.TB, what string, within time.Duration, cond func() string) {
	t.Helper()
	deadline := time.Now().Add(within)
	for {
		msg := cond()
		if msg == "" {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within %s: %s", what, within, msg)
		}
		time.Sleep(500 * time.Millisecond)
	}
}

// expect is eventually that only marks the test failed, so that the steps
// after it still run; it reports whether cond was met.
func expect(t testing.TB, what string, within time.Duration, cond func() string) bool {
	t.Helper()
	deadline := time.Now().Add(within)
	for {
		msg := cond()
		if msg == "" {
			return true
		}
		if time.Now().After(deadline) {
			t.Errorf("%s: not within %s: %s", what, within, msg)
			return false
		}
		time.Sleep(500 * time.Millisecond)
	}
}

// diff shows the lines on which kscope and the reference differ.
func diff(before, ref, after string) string {
	k := strings.Split(strings.TrimSpace(after), "\n")
	r := strings.Split(strings.TrimSpace(ref), "\n")
	var b strings.Builder
	for _, l := range r {
		if !slices.Contains(k, l) {
			b.WriteString("  tool only:   " + l + "\n")
		}
	}
	for _, l := range k {
		if !slices.Contains(r, l) {
			b.WriteString("  kscope only: " + l + "\n")
		}
	}
	if before != after {
		b.WriteString("  (kscope's own two readings differed too: the cluster was changing)\n")
	}
	if b.Len() == 0 {
		b.WriteString("  same lines in another order\n")
	}
	return b.String() + "kscope:\n" + indent(after) + "tool:\n" + indent(ref)
}

func indent(s string) string {
	var b strings.Builder
	for _, l := range strings.Split(strings.TrimRight(s, "\n"), "\n") {
		b.WriteString("    " + l + "\n")
	}
	return b.String()
}

// lines sorts and joins lines, the canonical form both sides are compared in.
func lines(ls []string) string {
	slices.Sort(ls)
	return strings.Join(ls, "\n")
}

// ints formats ids as 1,2,3 in the given order.
func ints[T ~int32 | ~int64 | ~int](xs []T) string {
	s := make([]string, len(xs))
	for i, x := range xs {
		s[i] = fmt.Sprint(x)
	}
	return strings.Join(s, ",")
}

// sortedInts formats ids sorted.
func sortedInts[T ~int32 | ~int64 | ~int](xs []T) string {
	c := slices.Clone(xs)
	slices.Sort(c)
	return ints(c)
}
