package ui

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	tea "charm.land/bubbletea/v2"

	"kscope/kafkaclient"
	"kscope/views"
	"kscope/views/viewtest"
)

// sample is an argument each command that takes one accepts.
var sample = map[string]string{"topic": "orders", "group": "shop", "tail": "orders"}

func TestEveryRegisteredCommandOpens(t *testing.T) {
	for _, e := range registry {
		inBubble(t, func(t *testing.T) {
			m := withSnapshot(t, Command{Name: "topics"})
			m.c.Client = views.ClientOf(groupsFake())
			line := e.name
			if e.arg != "" {
				line += " " + sample[e.name]
			}
			press(m, ":")
			typeText(m, line)
			press(m, "enter")
			if e.open == nil {
				if !m.quitting {
					t.Errorf("%s: did not quit", e.name)
				}
				return
			}
			if len(m.stack) == 0 || strings.Contains(m.notice.Text, "known:") {
				t.Fatalf("%s: stack %d, notice %q", e.name, len(m.stack), m.notice.Text)
			}
			if s := screen(m); !strings.Contains(strings.Split(s, "\n")[1], strings.Fields(m.top().Title())[0]) {
				t.Errorf("%s: first frame does not show its view %q:\n%s", e.name, m.top().Title(), s)
			}
		})
	}
}

func TestHelpListsTheRegisteredCommands(t *testing.T) {
	inBubble(t, func(t *testing.T) {
		m := withSnapshot(t, Command{Name: "topics"})
		send(m, tea.WindowSizeMsg{Width: 120, Height: 40})
		press(m, "?")
		s := screen(m)
		for _, e := range registry {
			if !strings.Contains(s, strings.TrimSpace(":"+e.name+" "+e.arg)) || !strings.Contains(s, e.help) {
				t.Errorf("help lacks :%s (%s):\n%s", e.name, e.help, s)
			}
		}
	})
}

func TestTabCompletesCommandsAndNames(t *testing.T) {
	inBubble(t, func(t *testing.T) {
		m := withSnapshot(t, Command{Name: "topics"})
		press(m, ":")
		typeText(m, "bro")
		send(m, tea.KeyPressMsg{Code: tea.KeyTab})
		if got := m.input.Value(); got != "brokers " {
			t.Errorf("command completion: %q", got)
		}
		m.input.SetValue("topic or")
		m.input.CursorEnd()
		send(m, tea.KeyPressMsg{Code: tea.KeyTab})
		if got := m.input.Value(); got != "topic orders " {
			t.Errorf("topic completion: %q", got)
		}
		m.input.SetValue("topic l")
		m.input.CursorEnd()
		send(m, tea.KeyPressMsg{Code: tea.KeyTab})
		if got := m.input.Value(); got != "topic logs " {
			t.Errorf("topic completion: %q", got)
		}
		// Two topics start with nothing typed: tab completes what they share
		// and lists them.
		m.input.SetValue("tail ")
		m.input.CursorEnd()
		send(m, tea.KeyPressMsg{Code: tea.KeyTab})
		if got := m.input.Value(); got != "tail " || !strings.Contains(m.notice.Text, "logs") || !strings.Contains(m.notice.Text, "orders") {
			t.Errorf("ambiguous completion: %q, notice %q", got, m.notice.Text)
		}
	})
}

// groupsFake answers the groups list and one group, at once.
func groupsFake() *viewtest.Fake {
	shop := kafkaclient.GroupInfo{Name: "shop", State: "Stable", ProtocolType: "consumer", At: fixedNow}
	return &viewtest.Fake{
		GroupsFn: func(context.Context) ([]kafkaclient.GroupInfo, error) { return []kafkaclient.GroupInfo{shop}, nil },
		GroupFn:  func(context.Context, string) (kafkaclient.GroupInfo, error) { return shop, nil },
	}
}

func TestAnAnswerAtOnceReachesTheViewThatAsked(t *testing.T) {
	inBubble(t, func(t *testing.T) {
		m := withSnapshot(t, Command{Name: "topics"})
		m.c.Client = views.ClientOf(groupsFake())
		press(m, ":")
		typeText(m, "group shop")
		press(m, "enter")
		if s := screen(m); !strings.Contains(s, "Stable") || strings.Contains(s, "loading") {
			t.Errorf("the instant answer was lost:\n%s", s)
		}
	})
}

func TestAnswersOfAClosedViewAreDropped(t *testing.T) {
	inBubble(t, func(t *testing.T) {
		m := withSnapshot(t, Command{Name: "topics"})
		m.c.Client = views.ClientOf(groupsFake())
		_, cmd := m.Update(views.Push{View: views.NewGroup(m.c, "shop")})
		id := m.stack[len(m.stack)-1].id
		press(m, "esc")
		before := screen(m)
		runCmd(m, cmd, 0)
		send(m, views.Answer{To: id, Msg: views.Notice{Text: "late", Error: true}})
		if after := screen(m); after != before {
			t.Errorf("a closed view's answer changed the screen:\n%s", after)
		}
	})
}

func TestClosingAViewCancelsItsWork(t *testing.T) {
	inBubble(t, func(t *testing.T) {
		m := withSnapshot(t, Command{Name: "topics"})
		var ended []string
		m.c.Client.Tails = &viewtest.Fake{TailFn: func(ctx context.Context, spec kafkaclient.TailSpec) (*kafkaclient.Tail, error) {
			<-ctx.Done() // a tail still opening when its view closes
			ended = append(ended, spec.Topic)
			return nil, ctx.Err()
		}}
		press(m, ":")
		typeText(m, "tail orders")
		press(m, "enter")
		press(m, ":")
		typeText(m, "brokers")
		press(m, "enter")
		synctest.Wait()
		if len(ended) != 1 || ended[0] != "orders" {
			t.Errorf("the tail's open was not cancelled: %v", ended)
		}
	})
}

func TestCoveredGroupsListPauses(t *testing.T) {
	inBubble(t, func(t *testing.T) {
		calls := 0
		fake := groupsFake()
		list := fake.GroupsFn
		fake.GroupsFn = func(ctx context.Context) ([]kafkaclient.GroupInfo, error) {
			calls++
			return list(ctx)
		}
		m := withSnapshot(t, Command{Name: "topics"})
		m.c.Client = views.ClientOf(fake)
		m.c.GroupsEvery = time.Second
		press(m, ":")
		typeText(m, "groups")
		press(m, "enter")
		advance(m, 3*time.Second)
		if calls < 3 {
			t.Fatalf("the list on top was observed %d times in 3 s, polling every second", calls)
		}
		press(m, "enter") // open shop over the list
		covered := calls
		advance(m, 10*time.Second)
		if calls != covered {
			t.Errorf("the covered list was observed %d more times", calls-covered)
		}
		press(m, "esc")
		if calls != covered+1 {
			t.Errorf("back on top, the list was observed %d times, want once at once", calls-covered)
		}
	})
}

func TestBadNamesAreAnInlineErrorThatChangesNothing(t *testing.T) {
	for _, tc := range []struct{ line, want string }{
		{"topic nosuch", "no topic named nosuch in this cluster"},
		{"tail nosuch", "no topic named nosuch in this cluster"},
		{"tail orders --filter re:(", "missing closing )"},
		{"group nosuch", "no group named nosuch in this cluster"},
	} {
		inBubble(t, func(t *testing.T) {
			m := withSnapshot(t, Command{Name: "topics"})
			fake := groupsFake()
			fake.GroupFn = func(_ context.Context, name string) (kafkaclient.GroupInfo, error) {
				err := fmt.Errorf("%w: %s", kafkaclient.ErrNoSuchGroup, name)
				return kafkaclient.GroupInfo{Name: name, State: "Dead", Err: err}, err
			}
			m.c.Client = views.ClientOf(fake)
			press(m, "enter") // partitions of the first topic: a stack of two
			before := len(m.stack)
			press(m, ":")
			typeText(m, tc.line)
			press(m, "enter")
			if len(m.stack) != before || !strings.Contains(screen(m), tc.want) {
				t.Errorf("%s: stack %d (was %d):\n%s", tc.line, len(m.stack), before, screen(m))
			}
		})
	}
}

// TestATailOpensWithItsFilter: -c or : opens a tail with --filter in
// force from its first record.
func TestATailOpensWithItsFilter(t *testing.T) {
	inBubble(t, func(t *testing.T) {
		m := withSnapshot(t, Command{Name: "topics"})
		press(m, ":")
		typeText(m, `tail orders --from earliest --filter value:re:gold|silver`)
		press(m, "enter")
		tail, ok := m.top().(*views.Tail)
		if !ok || tail.Filter() != "value:re:gold|silver" {
			t.Fatalf("top view %T with filter %q:\n%s", m.top(), tail.Filter(), screen(m))
		}
	})
}
