package ui

import (
	"errors"
	"regexp"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/golden"

	"kscope/kafkaclient"
	"kscope/themes"
)

func TestTooSmall(t *testing.T) {
	inBubble(t, func(t *testing.T) {
		m := withSnapshot(t, Command{Name: "topics"})
		send(m, tea.WindowSizeMsg{Width: 59, Height: 20})
		if s := screen(m); !strings.Contains(s, "terminal too small: 59×20") {
			t.Errorf("got %q", s)
		}
		send(m, tea.WindowSizeMsg{Width: 60, Height: 15})
		if s := screen(m); strings.Contains(s, "too small") || len(strings.Split(s, "\n")) != 15 {
			t.Errorf("60×15 should draw the layout in 15 lines:\n%s", s)
		}
	})
}

func TestEveryLineFitsTheWidth(t *testing.T) {
	inBubble(t, func(t *testing.T) {
		for _, start := range []Command{{Name: "topics"}, {Name: "topic", Arg: "orders"}, {Name: "brokers"}} {
			m := withSnapshot(t, start)
			for _, w := range []int{60, 80, 133} {
				send(m, tea.WindowSizeMsg{Width: w, Height: 20})
				lines := strings.Split(m.render(), "\n")
				if len(lines) != 20 {
					t.Errorf("%s at %d: %d lines", start.Name, w, len(lines))
				}
				for i, l := range lines {
					if lw := ansi.StringWidth(l); lw > w {
						t.Errorf("%s at %d: line %d is %d wide: %q", start.Name, w, i, lw, ansi.Strip(l))
					}
				}
			}
		}
	})
}

func TestTopicNameEscapesAreNeutralised(t *testing.T) {
	inBubble(t, func(t *testing.T) {
		m := withSnapshot(t, Command{Name: "topics"})
		out := m.render()
		sgr := regexp.MustCompile("\x1b\\[[0-9;]*m")
		if rest := sgr.ReplaceAllString(out, ""); strings.ContainsAny(rest, "\x1b\x07") {
			t.Fatalf("raw control bytes reached the screen: %q", rest)
		}
		if !strings.Contains(ansi.Strip(out), `evil\x1b]0;pwned\x07\x1b[2J`) {
			t.Errorf("escaped name not shown:\n%s", ansi.Strip(out))
		}
	})
}

func TestHelpShowsAllBindings(t *testing.T) {
	inBubble(t, func(t *testing.T) {
		m := withSnapshot(t, Command{Name: "topics"})
		press(m, "?")
		s := screen(m)
		for _, want := range []string{"reverse", "internal topics", "command", "filter", "quit"} {
			if !strings.Contains(s, want) {
				t.Errorf("help lacks %q:\n%s", want, s)
			}
		}
		press(m, "?")
		if strings.Contains(screen(m), "Keys") {
			t.Error("? did not close help")
		}
	})
}

func TestHeaderShowsClusterState(t *testing.T) {
	inBubble(t, func(t *testing.T) {
		m := newModel(t, Command{Name: "topics"})
		now := fixedNow
		m.c.Now = func() time.Time { return now }
		send(m, tea.WindowSizeMsg{Width: 140, Height: 24})
		if h := strings.Split(screen(m), "\n")[0]; !strings.Contains(h, "connecting") {
			t.Errorf("before data: %q", h)
		}
		// Until the quorum names it, the controller is not known.
		unknown := snapshot()
		unknown.ControllerID = kafkaclient.ControllerUnknown
		send(m, kafkaclient.ClusterUpdated{Snapshot: unknown})
		if h := strings.Split(screen(m), "\n")[0]; !strings.Contains(h, "controller ?") {
			t.Errorf("controller unknown: %q", h)
		}
		send(m, kafkaclient.ClusterUpdated{Snapshot: snapshot()})
		h := strings.Split(screen(m), "\n")[0]
		for _, want := range []string{"127.0.0.1:9092", "cluster test-cluster", "brokers 2/3", "controller 2", "refreshed 09:30:00"} {
			if !strings.Contains(h, want) {
				t.Errorf("header %q lacks %q", h, want)
			}
		}
		if !strings.Contains(h, "brokers 2/3 (down: 3)") {
			t.Errorf("header %q does not name the broker that is down", h)
		}
		now = fixedNow.Add(12 * time.Second)
		send(m, kafkaclient.RefreshFailed{Err: errors.New("metadata refresh failed: EOF"), At: now})
		lines := strings.Split(screen(m), "\n")
		if !strings.Contains(lines[0], "stale 12s (refresh failed)") || !strings.Contains(lines[len(lines)-2], "metadata refresh failed: EOF") {
			t.Errorf("after failure: header %q, status %q", lines[0], lines[len(lines)-2])
		}
		if !strings.Contains(screen(m), "orders") {
			t.Error("a failed refresh must keep the last data on screen")
		}
		// A refresh that reached no broker says so in the header.
		down := snapshot()
		for i := range down.Brokers {
			down.Brokers[i].Up, down.Brokers[i].Err = false, errors.New("connection refused")
		}
		send(m, kafkaclient.RefreshFailed{Err: errors.New("metadata refresh failed: no broker answered"), At: now, Snapshot: down})
		if h := strings.Split(screen(m), "\n")[0]; !strings.Contains(h, "brokers 0/3 (down: 1,2,3)") || !strings.Contains(h, "stale 12s") {
			t.Errorf("every broker unreachable: header %q", h)
		}
	})
}

func TestBackgroundPicksThemeUnlessFixed(t *testing.T) {
	inBubble(t, func(t *testing.T) {
		p, _ := themes.Builtin("dark")
		m := New(Options{Theme: p, Start: Command{Name: "topics"}})
		send(m, tea.BackgroundColorMsg{Color: lightGray{}})
		if m.c.Styles.Palette.Name != "light" {
			t.Errorf("light background gave theme %q", m.c.Styles.Palette.Name)
		}
		fixed := newModel(t, Command{Name: "topics"})
		send(fixed, tea.BackgroundColorMsg{Color: lightGray{}})
		if fixed.c.Styles.Palette.Name != "dark" {
			t.Error("a theme chosen with --theme was replaced")
		}
	})
}

// TestGolden pins the look of each view at 100×24 in the dark theme, as
// plain text and with its colours.
func TestGolden(t *testing.T) {
	views := map[string]func(*Model){
		"topics":     func(*Model) {},
		"partitions": func(m *Model) { press(m, "down", "down", "enter") },
		"configs":    func(m *Model) { press(m, "down", "down", "c") },
		"brokers":    func(m *Model) { press(m, ":"); typeText(m, "brokers"); press(m, "enter") },
		"help":       func(m *Model) { press(m, "?") },
	}
	for name, steps := range views {
		t.Run(name, func(t *testing.T) {
			var plain, styled string
			inBubble(t, func(t *testing.T) {
				m := withSnapshot(t, Command{Name: "topics"})
				steps(m)
				plain, styled = screen(m), m.render()
			})
			t.Run("plain", func(t *testing.T) { golden.RequireEqual(t, plain) })
			t.Run("styled", func(t *testing.T) { golden.RequireEqual(t, styled) })
		})
	}
}

type lightGray struct{}

func (lightGray) RGBA() (r, g, b, a uint32) { return 0xeeee, 0xeeee, 0xeeee, 0xffff }

func TestStartupWarningsAreOnScreen(t *testing.T) {
	inBubble(t, func(t *testing.T) {
		p, _ := themes.Builtin("dark")
		m := New(Options{Theme: p, ThemeFixed: true, Warnings: []string{"config.yaml:5:7: tls settings ignored: tls.enabled is not true"}})
		send(m, tea.WindowSizeMsg{Width: 120, Height: 20})
		if s := screen(m); !strings.Contains(s, "warning: config.yaml:5:7: tls settings ignored") {
			t.Errorf("the warning is not on screen:\n%s", s)
		}
	})
}

// TestNarrowHeaderKeepsWhatMatters: at 80 columns the controller and the
// cluster id go before the brokers and the refresh time.
func TestNarrowHeaderKeepsWhatMatters(t *testing.T) {
	inBubble(t, func(t *testing.T) {
		m := withSnapshot(t, Command{Name: "topics"})
		send(m, tea.WindowSizeMsg{Width: 80, Height: 24})
		h := strings.Split(screen(m), "\n")[0]
		if !strings.Contains(h, "brokers 2/3 (down: 3)") || !strings.Contains(h, "refreshed 09:30:00") || strings.Contains(h, "controller") {
			t.Errorf("header at 80 columns: %q", h)
		}
	})
}
