package views

import (
	"context"
	"errors"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"

	"kscope/kafkaclient"
	"kscope/views/viewtest"
)

func TestConfirmationWrapsItsTextInsteadOfCuttingIt(t *testing.T) {
	inBubble(t, func(t *testing.T, h *host) {
		c, _ := actionCommon(t, &recorder{})
		v := open(t, h, deleteOffsetsDialog(c, c.Client.GroupAdmin, kafkaclient.GroupInfo{Name: "inventory-sync"}, "orders"))
		v.SetSize(80, 20)
		s := plain(v)
		joined := prose(v)
		for _, want := range []string{"start that topic again from its offset reset policy."} {
			if !strings.Contains(joined, want) {
				t.Errorf("the explanation lost %q:\n%s", want, s)
			}
		}
		if strings.Contains(s, "…") {
			t.Errorf("the dialog cut its own text:\n%s", s)
		}
	})
}

func TestFailedChangeSaysWhatFailedAndHowToClose(t *testing.T) {
	inBubble(t, func(t *testing.T, h *host) {
		r := &recorder{err: errors.New("broker 2: TOPIC_DELETION_DISABLED")}
		c, _ := actionCommon(t, r)
		v := open(t, h, deleteTopicDialog(c, c.Client.TopicAdmin, nil, &kafkaclient.TopicInfo{Name: "orders"}))
		h.keys("orders")
		h.send(tea.KeyPressMsg{Code: tea.KeyEnter})
		s := plain(v)
		for _, want := range []string{"delete topic failed: broker 2: TOPIC_DELETION_DISABLED", "Delete topic orders", "enter/esc close"} {
			if !strings.Contains(s, want) {
				t.Errorf("failure lacks %q:\n%s", want, s)
			}
		}
		if strings.Contains(s, "Press enter to confirm") || strings.Contains(s, "Type orders") {
			t.Errorf("a failure asks to confirm again:\n%s", s)
		}
		h.send(tea.KeyPressMsg{Code: tea.KeyEscape})
		if len(h.stack) != 0 || len(r.calls) != 1 {
			t.Errorf("esc after the failure: stack %d, calls %v", len(h.stack), r.calls)
		}
	})
}

func TestResetWithMembersIsRefusedInThePreview(t *testing.T) {
	inBubble(t, func(t *testing.T, h *host) {
		r := &recorder{plan: resetPlan()}
		r.plan.Members = []kafkaclient.GroupMember{alice}
		c, _ := actionCommon(t, r)
		v := open(t, h, resetOffsetsDialog(c, c.Client.GroupAdmin, shop(t0, 100, "Stable", alice)))
		h.send(ctrlS)
		s := plain(v)
		joined := prose(v)
		for _, want := range []string{"orders/0", "100 → 40", "the group has 1 member: shop-a (/10.0.0.1)", "stop its consumers first", "enter/esc close"} {
			if !strings.Contains(joined, want) {
				t.Errorf("refused preview lacks %q:\n%s", want, s)
			}
		}
		if strings.Contains(s, "Type shop to confirm") {
			t.Errorf("a reset that will be refused asks for confirmation:\n%s", s)
		}
		h.keys("shop")
		h.send(tea.KeyPressMsg{Code: tea.KeyEnter})
		if len(r.applied) != 0 || len(h.stack) != 0 {
			t.Errorf("applied %v, stack %d: enter should only close", r.applied, len(h.stack))
		}
	})
}

func TestLongPreviewScrollsInsteadOfDroppingRows(t *testing.T) {
	inBubble(t, func(t *testing.T, h *host) {
		r := &recorder{plan: kafkaclient.ResetPlan{Group: "shop"}}
		for p := range 40 {
			r.plan.Rows = append(r.plan.Rows, kafkaclient.ResetPlanRow{TopicPartition: tp(int32(p)), Current: 10, New: 5, Delta: -5})
		}
		c, _ := actionCommon(t, r)
		v := open(t, h, resetOffsetsDialog(c, c.Client.GroupAdmin, shop(t0, 100, "Empty")))
		h.send(ctrlS)
		v.SetSize(80, 20)
		if s := plain(v); !strings.Contains(s, "more below") || strings.Contains(s, "orders/39") {
			t.Fatalf("no sign of the rows below:\n%s", s)
		}
		for range 40 {
			h.send(tea.KeyPressMsg{Code: tea.KeyDown})
		}
		if s := plain(v); !strings.Contains(s, "orders/39") || !strings.Contains(s, "re-consumed") || !strings.Contains(s, "Type shop to confirm") {
			t.Errorf("scrolled to the end:\n%s", s)
		}
	})
}

func TestDeleteTopicNamesTheGroupsConsumingIt(t *testing.T) {
	inBubble(t, func(t *testing.T, h *host) {
		r := &recorder{}
		c, _ := actionCommon(t, r)
		asked := 0
		fake := r.fake()
		fake.GroupsFn = func(context.Context) ([]kafkaclient.GroupInfo, error) {
			asked++
			billing := shop(t0, 5, "Empty")
			billing.Name = "billing"
			other := shop(t0, 5, "Empty")
			other.Name, other.Offsets = "audit", nil
			return []kafkaclient.GroupInfo{shop(t0, 10, "Stable", alice), billing, other}, nil
		}
		c.Client = ClientOf(fake)
		topic := &kafkaclient.TopicInfo{Name: "orders", Partitions: make([]kafkaclient.PartitionInfo, 1)}
		v := open(t, h, deleteTopicDialog(c, c.Client.TopicAdmin, c.Client.Groups, topic))
		s := prose(v)
		if !strings.Contains(s, "Consumed by 2 groups: shop, billing") || strings.Contains(s, "audit") || asked != 1 {
			t.Errorf("asked %d times; dialog:\n%s", asked, plain(v))
		}
		if !strings.Contains(s, "0 records in 1 partition?") {
			t.Errorf("counts:\n%s", s)
		}
	})
}

func TestDeleteTopicSaysWhenGroupsCannotBeListed(t *testing.T) {
	inBubble(t, func(t *testing.T, h *host) {
		c, _ := actionCommon(t, &recorder{})
		c.Client.Groups = &viewtest.Fake{}
		v := open(t, h, deleteTopicDialog(c, c.Client.TopicAdmin, c.Client.Groups, &kafkaclient.TopicInfo{Name: "orders"}))
		if s := prose(v); !strings.Contains(s, "could not be listed") {
			t.Errorf("dialog:\n%s", plain(v))
		}
	})
}

// prose is what a dialog says, its box and line breaks taken out, so
// that text wrapped over several lines reads as one.
func prose(v View) string {
	return strings.Join(strings.Fields(strings.ReplaceAll(plain(v), "│", "")), " ")
}
