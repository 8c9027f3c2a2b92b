package views

import (
	"fmt"
	"testing"

	"github.com/charmbracelet/x/exp/golden"

	"kscope/kafkaclient"
)

// goldenSizes are the terminal sizes every view's look is pinned at,
// less the four lines the root draws around a view.
var goldenSizes = [][2]int{{80, 24 - 4}, {120, 40 - 4}}

// requireGolden pins draw's output, styled, at each golden size.
func requireGolden(t *testing.T, draw func(w, h int) string) {
	for _, size := range goldenSizes {
		t.Run(fmt.Sprintf("%dx%d", size[0], size[1]+4), func(t *testing.T) {
			golden.RequireEqual(t, draw(size[0], size[1]))
		})
	}
}

func TestDetailGolden(t *testing.T) {
	v := openTestTail(t, 10)
	rec := order(2, 4711, "gold")
	rec.Headers = append(rec.Headers, kafkaclient.Header{Key: []byte("evil\x1b[2J"), Value: []byte{0xff, 0x00}})
	feed(v, rec)
	requireGolden(t, func(w, h int) string {
		d := NewDetail(v.c, v, v.ring.First(), v.keyMode, v.valueMode)
		d.SetSize(w, h)
		return d.View()
	})
}

func TestConfirmGolden(t *testing.T) {
	requireGolden(t, func(w, h int) (out string) {
		inBubble(t, func(t *testing.T, host *host) {
			c, _ := actionCommon(t, &recorder{})
			topic := &kafkaclient.TopicInfo{Name: "orders", Partitions: make([]kafkaclient.PartitionInfo, 6)}
			v := open(t, host, deleteTopicDialog(c, c.Client.TopicAdmin, nil, topic))
			host.keys("ord")
			v.SetSize(w, h)
			out = v.View()
		})
		return out
	})
}

func TestResetPreviewGolden(t *testing.T) {
	requireGolden(t, func(w, h int) (out string) {
		inBubble(t, func(t *testing.T, host *host) {
			c, _ := actionCommon(t, &recorder{plan: resetPlan()})
			v := open(t, host, resetOffsetsDialog(c, c.Client.GroupAdmin, shop(t0, 100, "Empty")))
			host.send(ctrlS)
			v.SetSize(w, h)
			out = v.View()
		})
		return out
	})
}

func TestResetRefusedGolden(t *testing.T) {
	requireGolden(t, func(w, h int) (out string) {
		inBubble(t, func(t *testing.T, host *host) {
			r := &recorder{plan: resetPlan()}
			r.plan.Members = []kafkaclient.GroupMember{alice}
			c, _ := actionCommon(t, r)
			v := open(t, host, resetOffsetsDialog(c, c.Client.GroupAdmin, shop(t0, 100, "Empty")))
			host.send(ctrlS)
			v.SetSize(w, h)
			out = v.View()
		})
		return out
	})
}

func TestDetailTextGolden(t *testing.T) {
	v := openTestTail(t, 10)
	rec := order(0, 4710, "gold")
	rec.Value = []byte(longText)
	feed(v, rec)
	v.Update(press("V"))
	v.Update(press("V")) // text
	requireGolden(t, func(w, h int) string {
		d := NewDetail(v.c, v, v.ring.First(), v.keyMode, v.valueMode)
		d.SetSize(w, h)
		return d.View()
	})
}

// longText is a log line of the kind services write as a record value.
const longText = "2026-11-21 09:00:04.710 WARN [payments-worker-3] Retrying the charge of order o-4710 " +
	"for customer c-321 after the gateway answered 503 Service Unavailable; attempt 3 of 5, next in 800ms. " +
	"The gateway has answered 503 to 12% of requests over the last five minutes, above the 2% alert threshold, " +
	"so the circuit breaker will open if the next two attempts fail as well."

func TestTailStartGolden(t *testing.T) {
	requireGolden(t, func(w, h int) (out string) {
		inBubble(t, func(t *testing.T, host *host) {
			r := &tailer{}
			v := host.push(askingTail(r.common(t), kafkaclient.TailSpec{Topic: "orders"}, false))
			v.SetSize(w, h)
			out = v.View()
		})
		return out
	})
}
