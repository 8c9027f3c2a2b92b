package ui

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"kscope/themes"
	"kscope/views"
)

func connectingModel(t *testing.T, connect func(ctx context.Context) (Session, error)) *Model {
	p, _ := themes.Builtin("dark")
	m := New(Options{Theme: p, ThemeFixed: true, Connect: connect, Target: "prod (ops@PLAIN)",
		Brokers: []string{"b1:9092", "b2:9092"}, Start: Command{Name: "brokers"}})
	send(m, tea.WindowSizeMsg{Width: 100, Height: 20})
	runCmd(m, m.Init(), 0)
	return m
}

func TestConnectingScreenShowsWhatIsTriedAndGivesUp(t *testing.T) {
	inBubble(t, func(t *testing.T) {
		m := connectingModel(t, func(ctx context.Context) (Session, error) {
			<-ctx.Done() // a broker that never answers
			return Session{}, ctx.Err()
		})
		advance(m, 3*time.Second)
		s := screen(m)
		for _, want := range []string{"kscope │ prod (ops@PLAIN)", "Connecting to prod (ops@PLAIN)", "trying 2 bootstrap brokers for 3s", "b1:9092", "b2:9092", "ctrl+c gives up"} {
			if !strings.Contains(s, want) {
				t.Errorf("connecting screen lacks %q:\n%s", want, s)
			}
		}
		press(m, "q")
		if m.quitting || !strings.Contains(screen(m), "still connecting") {
			t.Errorf("q while connecting: quitting %v\n%s", m.quitting, screen(m))
		}
		press(m, "ctrl+c")
		// The cancelled connecting still answers, with its own error.
		send(m, connected{err: errors.New("no broker answered within 30s")})
		if err := m.ConnectErr(); !m.quitting || err == nil || err.Error() != "gave up connecting to prod (ops@PLAIN) after 3s" {
			t.Errorf("ctrl+c: quitting %v, err %v", m.quitting, err)
		}
	})
}

func TestAFailedConnectionEndsTheProgramWithItsReason(t *testing.T) {
	inBubble(t, func(t *testing.T) {
		refused := errors.New("no bootstrap broker could be reached:\n  b1:9092: connection refused")
		m := connectingModel(t, func(context.Context) (Session, error) { return Session{}, refused })
		if !m.quitting || !errors.Is(m.ConnectErr(), refused) {
			t.Errorf("quitting %v, err %v", m.quitting, m.ConnectErr())
		}
	})
}

func TestOnceConnectedTheStartViewOpens(t *testing.T) {
	inBubble(t, func(t *testing.T) {
		m := connectingModel(t, func(context.Context) (Session, error) {
			return Session{Label: "prod (ops@PLAIN)", Client: views.ClientOf(groupsFake())}, nil
		})
		if m.connecting != nil || len(m.stack) != 1 || !strings.Contains(screen(m), "brokers") {
			t.Errorf("after connecting:\n%s", screen(m))
		}
	})
}
