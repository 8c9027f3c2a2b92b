package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// kscopeBin is the binary built once for the tests that run it.
var kscopeBin string

func TestMain(m *testing.M) {
	if childProcess() {
		// A cluster or a consumer started by a benchmark runs one test and
		// needs no binary; building one would be timed with a consumer.
		os.Exit(m.Run())
	}
	dir, err := os.MkdirTemp("", "kscope-test")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	kscopeBin = filepath.Join(dir, "kscope")
	if out, err := exec.Command("go", "build", "-o", kscopeBin, ".").CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "build: %v\n%s", err, out)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// term is the built binary running in a real terminal: a pane of a
// private tmux server.
type term struct {
	t      testing.TB
	socket string
}

// startTerm runs kscope with args in a 120×40 tmux pane.
func startTerm(t testing.TB, args ...string) *term {
	t.Helper()
	return startTermCmd(t, kscopeBin, args...)
}

// startTermCmd runs any command in a 120×40 tmux pane, with a state
// directory of its own so that no test writes to the user's.
func startTermCmd(t testing.TB, name string, args ...string) *term {
	t.Helper()
	return startTermState(t, t.TempDir(), name, args...)
}

// startTermState is startTermCmd with the state directory given, so that
// a second run can find what the first one kept.
func startTermState(t testing.TB, state, name string, args ...string) *term {
	t.Helper()
	if _, err := exec.LookPath("tmux"); err != nil {
		t.Fatal("tmux is required for end-to-end tests (apt-get install tmux)")
	}
	tm := &term{t: t, socket: filepath.Join(t.TempDir(), "tmux.sock")}
	cmd := append([]string{"new-session", "-d", "-x", "120", "-y", "40", "-e", "TERM=xterm-256color", "-e", "XDG_STATE_HOME=" + state, "--", name}, args...)
	tm.tmux(cmd...)
	tm.tmux("set-option", "-g", "remain-on-exit", "on")
	t.Cleanup(tm.close)
	return tm
}

// close ends the terminal and what runs in it.
func (tm *term) close() { _ = exec.Command("tmux", "-S", tm.socket, "kill-server").Run() }

func (tm *term) tmux(args ...string) string {
	tm.t.Helper()
	var stderr bytes.Buffer
	cmd := exec.Command("tmux", append([]string{"-S", tm.socket, "-f", "/dev/null"}, args...)...)
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		tm.t.Fatalf("tmux %v: %v: %s", args, err, stderr.String())
	}
	return string(out)
}

// screen is what the pane shows now, as plain text.
func (tm *term) screen() string { return tm.tmux("capture-pane", "-p") }

// styled is the pane with its colours as SGR sequences.
func (tm *term) styled() string { return tm.tmux("capture-pane", "-p", "-e") }

// keys types into the pane (tmux send-keys names: Enter, Escape, Down…).
func (tm *term) keys(keys ...string) { tm.tmux(append([]string{"send-keys"}, keys...)...) }

// waitFor polls the screen until ok accepts it, and returns it.
func (tm *term) waitFor(what string, timeout time.Duration, ok func(string) bool) string {
	tm.t.Helper()
	return tm.poll(what, timeout, 5*time.Millisecond, ok)
}

// poll looks at the screen every interval until ok accepts it, and
// returns it; after timeout it fails the test.
func (tm *term) poll(what string, timeout, interval time.Duration, ok func(string) bool) string {
	tm.t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		s := tm.screen()
		if ok(s) {
			return s
		}
		if time.Now().After(deadline) {
			tm.t.Fatalf("waiting for %s: gave up after %s; screen:\n%s", what, timeout, s)
		}
		time.Sleep(interval)
	}
}

func (tm *term) waitText(text string, timeout time.Duration) string {
	tm.t.Helper()
	return tm.waitFor(fmt.Sprintf("%q", text), timeout, func(s string) bool { return strings.Contains(s, text) })
}
