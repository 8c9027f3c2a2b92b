package main

import (
	"bytes"
	"os"
	"os/exec"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/creack/pty"
)

// ptyFirst runs name in a pseudo-terminal of 120×40 of its own, outside
// tmux, and returns how long its output took to carry marker. It shows
// what kscope costs without tmux's: under tmux (the TMUX variable set),
// loading lipgloss runs `tmux info` to learn the colours, and the tmux
// harness's polling competes with the program for the CPU.
func ptyFirst(b testing.TB, marker string, name string, args ...string) time.Duration {
	b.Helper()
	cmd := exec.Command(name, args...)
	cmd.Env = append(slices.DeleteFunc(os.Environ(), func(kv string) bool {
		return strings.HasPrefix(kv, "TMUX=") || strings.HasPrefix(kv, "TERM=")
	}), "TERM=xterm-256color")
	start := time.Now()
	tty, err := pty.StartWithSize(cmd, &pty.Winsize{Rows: 40, Cols: 120})
	if err != nil {
		b.Fatalf("%s in a pty: %v", name, err)
	}
	defer func() {
		_ = cmd.Process.Kill()
		_ = tty.Close()
		_ = cmd.Wait()
	}()
	var out []byte
	buf := make([]byte, 64<<10)
	for !bytes.Contains(out, []byte(marker)) {
		n, err := tty.Read(buf)
		if err != nil {
			b.Fatalf("%s in a pty: no %q before %v; output:\n%q", name, marker, err, out)
		}
		out = append(out, buf[:n]...)
	}
	return time.Since(start)
}

// TestPtyFirstTimesTheMarker: the time runs to the marker, not to the
// first output, and the program runs outside tmux in a terminal of the
// size asked.
func TestPtyFirstTimesTheMarker(t *testing.T) {
	t.Setenv("TMUX", "/tmp/tmux-0/default,1,0")
	took := ptyFirst(t, "size 40 120 tmux [] done", "sh", "-c", `echo early; sleep 0.2; echo "size $(stty size) tmux [$TMUX] done"`)
	if took < 200*time.Millisecond {
		t.Errorf("took %v: timed to the first output rather than the marker", took)
	}
}
