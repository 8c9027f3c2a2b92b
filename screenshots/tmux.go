package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"
)

// tmuxConfig is read by both private servers when they start.
//
// The program picks its colour depth from TERM and COLORTERM: an xterm TERM
// with COLORTERM=truecolor gets 24-bit colour, a tmux TERM only 256 colours.
// tmux 3.3 replaces the TERM given to new-session -e with default-terminal,
// so the xterm name goes there.
//
// The overrides concern the client that views the program (see tmux): RGB
// lets it pass 24-bit colour on, and without bce it paints coloured blanks
// as cells instead of erasing them.
const tmuxConfig = `set -g default-terminal xterm-256color
set -as terminal-overrides ",xterm-256color:RGB:bce@"
# The status line would take one of the rows.
set -g status off
# A program that dies early leaves its last words on screen for the error.
set -g remain-on-exit on
# The server outlives each shot's session: one exiting as the next shot's
# new-session reached it failed that shot ("server exited unexpectedly").
set -s exit-empty off
`

// server is a private tmux server, so that taking shots neither sees nor
// disturbs anyone's own sessions. Its socket lives in a directory of its
// own rather than under a -L name, because tmux leaves a -L socket file
// behind in the shared socket directory when the server exits.
type server struct {
	tmux, socket, config string
}

func (s server) run(ctx context.Context, args ...string) (string, error) {
	cmd := exec.CommandContext(ctx, s.tmux, append([]string{"-S", s.socket, "-f", s.config}, args...)...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	switch {
	case ctx.Err() != nil:
		return "", ctx.Err()
	case err != nil && stderr.Len() > 0:
		return "", fmt.Errorf("tmux %s: %w: %s", args[0], err, strings.TrimSpace(stderr.String()))
	case err != nil:
		return "", fmt.Errorf("tmux %s: %w", args[0], err)
	}
	return string(out), nil
}

// tmux takes shots with two servers. The program runs in a pane of app, but
// is captured from view, whose pane runs a tmux client attached to it: tmux
// forgets the colour of blanks a program made by erasing (EL, ECH), as
// terminal UIs do for the rest of a coloured bar, so capture-pane would
// leave them out, while the client paints them as cells of its own pane.
type tmux struct {
	app, view server
	timeout   time.Duration
	settle    time.Duration // how long a screen must stay up before capture
	started   int
}

// newTmux prepares the servers, keeping their sockets and config in dir,
// which must be private to them. They start with their first sessions.
func newTmux(dir string) (*tmux, error) {
	bin, err := exec.LookPath("tmux")
	if err != nil {
		return nil, fmt.Errorf("tmux is needed to take screenshots: %w", err)
	}
	config := filepath.Join(dir, "tmux.conf")
	if err := os.WriteFile(config, []byte(tmuxConfig), 0o600); err != nil {
		return nil, err
	}
	return &tmux{
		app:     server{tmux: bin, socket: filepath.Join(dir, "app.sock"), config: config},
		view:    server{tmux: bin, socket: filepath.Join(dir, "view.sock"), config: config},
		timeout: 20 * time.Second,
		settle:  time.Second,
	}, nil
}

// killServers stops both servers, which outlive their sessions. It reports
// nothing: a server that never started has nothing to stop.
func (t *tmux) killServers() {
	for _, s := range []server{t.app, t.view} {
		_, _ = s.run(context.Background(), "kill-server")
	}
}

// shoot runs bin with s.args in a new session of cols×s.rows() cells, waits for
// s.waitFor, sends s.keys and waits for s.then, and returns the screen with
// its SGR sequences.
func (t *tmux) shoot(ctx context.Context, s shot, bin string) (string, error) {
	t.started++
	session := "shot" + strconv.Itoa(t.started)
	newSession := []string{"new-session", "-d", "-s", session, "-x", strconv.Itoa(cols), "-y", strconv.Itoa(s.rows())}
	program := slices.Concat(newSession, []string{"-e", "TERM=xterm-256color", "-e", "COLORTERM=truecolor", "--", bin}, s.args)
	// Deferred first, as an interrupted new-session may still have made
	// its session.
	defer killSession(ctx, t.app, session)
	if _, err := t.app.run(ctx, program...); err != nil {
		return "", fmt.Errorf("shot %q: %w", s.name, err)
	}
	viewer := slices.Concat(newSession, []string{"--", t.app.tmux, "-S", t.app.socket, "attach-session", "-t", session})
	defer killSession(ctx, t.view, session)
	if _, err := t.view.run(ctx, viewer...); err != nil {
		return "", fmt.Errorf("shot %q: %w", s.name, err)
	}

	if err := t.waitFor(ctx, s, session, s.waitFor); err != nil {
		return "", err
	}
	steps := s.more
	if len(s.keys) > 0 {
		steps = append([]step{{s.keys, s.then}}, steps...)
	}
	for _, st := range steps {
		if _, err := t.app.run(ctx, append([]string{"send-keys", "-t", session, "--"}, st.keys...)...); err != nil {
			return "", fmt.Errorf("shot %q: %w", s.name, err)
		}
		if err := t.waitFor(ctx, s, session, st.then); err != nil {
			return "", err
		}
	}
	select {
	case <-ctx.Done():
		return "", ctx.Err()
	case <-time.After(t.settle):
	}
	// -N keeps trailing blanks, which may be coloured.
	screen, err := t.view.run(ctx, "capture-pane", "-p", "-e", "-N", "-t", session)
	if err != nil {
		return "", fmt.Errorf("shot %q: %w", s.name, err)
	}
	return screen, nil
}

// killSession ends a session even after an interrupt, which has cancelled
// ctx. There is nothing to do about a failure.
func killSession(ctx context.Context, srv server, session string) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	_, _ = srv.run(ctx, "kill-session", "-t", session)
}

// waitFor polls the viewed screen until it shows text, failing with what the
// program shows instead if it exits or the timeout passes first.
func (t *tmux) waitFor(ctx context.Context, s shot, session, text string) error {
	timeout := t.timeout
	if s.patience > 0 {
		timeout = s.patience
	}
	deadline := time.Now().Add(timeout)
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	for {
		// Read before the screen, so that a program that printed text and
		// exited in between still counts as having shown it.
		dead, err := t.app.run(ctx, "display-message", "-p", "-t", session, "#{pane_dead}")
		if err != nil {
			return fmt.Errorf("shot %q: %w", s.name, err)
		}
		screen, err := t.view.run(ctx, "capture-pane", "-p", "-t", session)
		if err != nil {
			return fmt.Errorf("shot %q: %w", s.name, err)
		}
		switch {
		case strings.Contains(screen, text):
			return nil
		case strings.TrimSpace(dead) == "1":
			// tmux may scroll the program's last output into the history
			// to make room for its "Pane is dead" line.
			if all, err := t.app.run(ctx, "capture-pane", "-p", "-S", "-", "-t", session); err == nil {
				screen = all
			}
			return fmt.Errorf("shot %q: the program exited before %q appeared; the screen showed:\n%s",
				s.name, text, strings.TrimSpace(screen))
		case time.Now().After(deadline):
			return fmt.Errorf("shot %q: %q did not appear within %v; the screen showed:\n%s",
				s.name, text, timeout, strings.TrimSpace(screen))
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-tick.C:
		}
	}
}
