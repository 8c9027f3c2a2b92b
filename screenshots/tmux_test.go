package main

import (
	"context"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// newTestTmux returns a driver with short waits, whose servers die with the
// test.
func newTestTmux(t *testing.T) *tmux {
	t.Helper()
	if _, err := exec.LookPath("tmux"); err != nil {
		t.Fatalf("these tests drive tmux, which must be installed: %v", err)
	}
	tm, err := newTmux(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	tm.timeout, tm.settle = 5*time.Second, 50*time.Millisecond
	t.Cleanup(tm.killServers)
	return tm
}

func assertNoSessions(t *testing.T, tm *tmux) {
	t.Helper()
	for _, srv := range []server{tm.app, tm.view} {
		// Listing fails once the server has exited with its last session.
		if out, err := srv.run(context.Background(), "list-sessions"); err == nil && out != "" {
			t.Errorf("sessions outlived their shot:\n%s", out)
		}
	}
}

// sh is a shot that runs script with sh, and keeps the pane open after it.
func sh(name, script, waitFor string) shot {
	return shot{name: name, args: []string{"-c", script + "; sleep 30"}, waitFor: waitFor}
}

func TestShoot(t *testing.T) {
	tm := newTestTmux(t)
	s := sh("hello", `printf '\033[1;31mhello\033[0m 日本\n'; echo "$TERM $COLORTERM"; stty size`, "40 120")
	screen, err := tm.shoot(context.Background(), s, "sh")
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(screen, "\n"), "\n")
	if len(lines) != rows {
		t.Errorf("captured %d lines, want %d:\n%s", len(lines), rows, screen)
	}
	if !strings.Contains(screen, "xterm-256color truecolor") {
		t.Errorf("the program did not see an xterm with truecolor:\n%s", screen)
	}

	grid := parseScreen(screen, cols, rows)
	if got := strings.TrimRight(texts(grid)[0], " "); got != "hello 日·本·" {
		t.Errorf("first line reads %q", got)
	}
	if st := grid[0][0].style; st != (style{fg: xterm16[1], bold: true}) {
		t.Errorf("hello has style %+v, want bold red", st)
	}
	assertContains(t, string(renderSVG(grid, "sh")),
		`<text x="16" y="49" textLength="42.15" lengthAdjust="spacing" fill="#cd0000" font-weight="bold" xml:space="preserve">hello</text>`,
		`<text x="66.58" y="49" textLength="16.86" lengthAdjust="spacing" fill="#d0d0d0" xml:space="preserve">日</text>`,
		`<text x="83.44" y="49" textLength="16.86" lengthAdjust="spacing" fill="#d0d0d0" xml:space="preserve">本</text>`,
	)

	assertNoSessions(t, tm)
}

func TestShootKeepsColouredBlanks(t *testing.T) {
	tm := newTestTmux(t)
	screen, err := tm.shoot(context.Background(), sh("blanks", `printf '\033[44m  bar  \033[0m\n'`, "bar"), "sh")
	if err != nil {
		t.Fatal(err)
	}
	grid := parseScreen(screen, cols, rows)
	for x := range 7 {
		if bg := grid[0][x].style.bg; bg != xterm16[4] {
			t.Errorf("cell %d has background %q, want blue", x, bg)
		}
	}
}

func TestShootKeepsErasedBackgrounds(t *testing.T) {
	tm := newTestTmux(t)
	// The second line is erased once the screen is already being viewed.
	script := `printf '\033[44mA\033[K\033[0m\n'; sleep 0.3; printf '\033[42mB\033[K\033[0m\nready\n'`
	screen, err := tm.shoot(context.Background(), sh("erased", script, "ready"), "sh")
	if err != nil {
		t.Fatal(err)
	}
	grid := parseScreen(screen, cols, rows)
	for y, want := range []string{xterm16[4], xterm16[2]} {
		for x := range cols {
			if bg := grid[y][x].style.bg; bg != want {
				t.Fatalf("cell %d,%d has background %q, want %s:\n%q", x, y, bg, want, screen)
			}
		}
	}
}

func TestShootSendsKeys(t *testing.T) {
	tm := newTestTmux(t)
	s := sh("keys", `echo ready; read line; echo "got $line"`, "ready")
	s.keys, s.then = []string{"-abc", "Enter"}, "got -abc"
	screen, err := tm.shoot(context.Background(), s, "sh")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(screen, "got -abc") {
		t.Errorf("the keys did not arrive:\n%s", screen)
	}
}

func TestShootTimesOut(t *testing.T) {
	tm := newTestTmux(t)
	tm.timeout = 300 * time.Millisecond
	_, err := tm.shoot(context.Background(), sh("slow", "echo something else", "never"), "sh")
	if err == nil {
		t.Fatal("shoot succeeded, want a timeout")
	}
	for _, want := range []string{`shot "slow"`, `"never" did not appear within 300ms`, "the screen showed:\nsomething else"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q lacks %q", err, want)
		}
	}
	assertNoSessions(t, tm)
}

func TestShootReportsEarlyExit(t *testing.T) {
	tm := newTestTmux(t)
	// The program lingers a moment after its last words: tmux loses the
	// output of a child that exits at once, now and then, before it has
	// read it (seen with plain tmux too).
	s := shot{name: "crash", args: []string{"-c", "echo boom; sleep 0.2; exit 3"}, waitFor: "never"}
	start := time.Now()
	_, err := tm.shoot(context.Background(), s, "sh")
	if err == nil {
		t.Fatal("shoot succeeded, want an error")
	}
	for _, want := range []string{`shot "crash"`, `the program exited before "never" appeared`, "boom"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q lacks %q", err, want)
		}
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("took %v to notice the exit", d)
	}
}

func TestShootStopsWhenCancelled(t *testing.T) {
	tm := newTestTmux(t)
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	_, err := tm.shoot(ctx, sh("cancelled", "true", "never"), "sh")
	if err == nil {
		t.Fatal("shoot succeeded, want an error")
	}
	assertNoSessions(t, tm)
}
