package views

import (
	"context"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"kscope/kafkaclient"
	"kscope/views/viewtest"
)

func str(s string) *string { return &s }

// undoHistory is a history of one config change and one offset reset
// made on "prod", newest last.
func undoHistory() *memAudit {
	return &memAudit{
		{Time: t0, Context: "prod", Action: "set config", Target: "orders retention.ms", Topic: "orders", Result: "ok",
			Changes: []kafkaclient.Change{kafkaclient.ConfigChange("retention.ms", str("3600000"), str("7200000"))}},
		{Time: t0.Add(time.Minute), Context: "prod", Action: "reset offsets", Target: "shop orders", Group: "shop", Topic: "orders", Result: "ok",
			Changes: []kafkaclient.Change{{What: "orders/0", Before: str("100"), After: str("40")}, {What: "orders/1", Before: nil, After: str("0")}}},
	}
}

func TestHistoryShowsBeforeAndAfterAndUndoes(t *testing.T) {
	inBubble(t, func(t *testing.T, h *host) {
		var set []string
		var applied []kafkaclient.ResetPlan
		fake := &viewtest.Fake{
			SetTopicConfigFn: func(_ context.Context, topic, name string, v *string) error {
				set = append(set, topic+" "+name+"="+*v)
				return nil
			},
			ApplyResetFn: func(_ context.Context, p kafkaclient.ResetPlan) error { applied = append(applied, p); return nil },
		}
		c := testCommon(t)
		audit := undoHistory()
		c.Client, c.Audit, c.Context = ClientOf(fake), audit, "prod"
		hist := h.push(NewHistory(c))
		s := plain(hist)
		for _, want := range []string{"retention.ms 3600000 → 7200000", "2: orders/0 100→40, orders/1 —→0"} {
			if !strings.Contains(s, want) {
				t.Errorf("history lacks %q:\n%s", want, s)
			}
		}
		// Newest first: the reset is selected. Undo it.
		h.send(press("u"))
		if s := plain(h.top()); !strings.Contains(s, "40 → 100") || !strings.Contains(s, "orders/1") {
			t.Errorf("undo preview:\n%s", s)
		}
		h.keys("shop")
		h.send(tea.KeyPressMsg{Code: tea.KeyEnter})
		if len(applied) != 1 || len(applied[0].Rows) != 1 || applied[0].Rows[0].New != 100 || applied[0].Group != "shop" {
			t.Fatalf("applied %+v", applied)
		}
		// The config change, below it.
		h.send(press("down"))
		h.send(press("u"))
		h.keys("retention.ms")
		h.send(tea.KeyPressMsg{Code: tea.KeyEnter})
		if len(set) != 1 || set[0] != "orders retention.ms=3600000" {
			t.Errorf("config undo set %v", set)
		}
		last := (*audit)[len(*audit)-1]
		if last.Action != "undo config" || last.Changes[0].Before == nil || *last.Changes[0].Before != "7200000" {
			t.Errorf("the undo was recorded as %+v", last)
		}
	})
}

func TestUndoRefusesAnotherClustersChange(t *testing.T) {
	c := testCommon(t)
	c.Context = "staging"
	msg := undoDialog(c, (*undoHistory())[0])()
	if n, ok := msg.(Notice); !ok || !n.Error || !strings.Contains(n.Text, "made on prod") {
		t.Errorf("got %+v", msg)
	}
}
