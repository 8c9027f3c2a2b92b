package views

import (
	"context"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"

	"kscope/kafkaclient"
	"kscope/views/viewtest"
)

// TestAChangeReloadsWhatItTouched: setting a config shows the new value
// at once, without waiting for a reload.
func TestAChangeReloadsWhatItTouched(t *testing.T) {
	inBubble(t, func(t *testing.T, h *host) {
		value := "3600000"
		fake := &viewtest.Fake{
			TopicConfigFn: func(context.Context, string) ([]kafkaclient.ConfigEntry, error) {
				return []kafkaclient.ConfigEntry{{Name: "retention.ms", Value: value, Source: "topic", Overridden: true, Default: "604800000"}}, nil
			},
			SetTopicConfigFn: func(_ context.Context, _, _ string, v *string) error { value = *v; return nil },
		}
		c := testCommon(t)
		c.Client = ClientOf(fake)
		configs := h.push(NewConfigs(c, "orders"))
		if s := plain(configs); !strings.Contains(s, "retention.ms  1h") {
			t.Fatalf("before:\n%s", s)
		}
		h.send(press("e"))
		if len(h.stack) != 2 {
			t.Fatalf("no edit dialog: %v", h.notices())
		}
		for range len(value) {
			h.send(tea.KeyPressMsg{Code: tea.KeyBackspace})
		}
		h.keys("7200000")
		h.send(ctrlS)
		if s := plain(configs); len(h.stack) != 1 || !strings.Contains(s, "retention.ms  2h") {
			t.Errorf("after the change, the configs view shows:\n%s", s)
		}
	})
}

// TestADeletedGroupLeavesTheListAtOnce: the list does not wait for its
// next observation to drop the group.
func TestADeletedGroupLeavesTheListAtOnce(t *testing.T) {
	inBubble(t, func(t *testing.T, h *host) {
		groups := []kafkaclient.GroupInfo{{Name: "old-reports", State: "Empty", ProtocolType: "consumer", At: t0}}
		fake := &viewtest.Fake{
			GroupsFn:      func(context.Context) ([]kafkaclient.GroupInfo, error) { return groups, nil },
			DeleteGroupFn: func(context.Context, string) error { groups = nil; return nil },
		}
		c := testCommon(t)
		c.Client = ClientOf(fake)
		list := h.push(NewGroups(c))
		if !strings.Contains(plain(list), "old-reports") {
			t.Fatalf("before:\n%s", plain(list))
		}
		h.send(tea.KeyPressMsg{Code: 'd', Mod: tea.ModCtrl})
		h.keys("old-reports")
		h.send(tea.KeyPressMsg{Code: tea.KeyEnter})
		if s := plain(list); len(h.stack) != 1 || strings.Contains(s, "old-reports") {
			t.Errorf("after deleting, the list shows:\n%s", s)
		}
	})
}
