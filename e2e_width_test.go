package main

import (
	"strings"
	"testing"
	"time"

	"github.com/IBM/sarama"
	"github.com/charmbracelet/x/ansi"
	"github.com/twmb/franz-go/pkg/kfake"
)

// TestEndToEndEmojiRows tails records holding emoji that terminals draw in
// different widths (a skin tone, a ZWJ family, emoji selectors on narrow
// symbols) in tmux, which draws code points and does not announce
// grapheme clusters, so bubbletea measures code points too: every row
// must still end with its whole size at the screen's last cell.
func TestEndToEndEmojiRows(t *testing.T) {
	c, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.SeedTopics(1, "emoji"))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	conf := sarama.NewConfig()
	conf.Version = sarama.V2_8_0_0
	conf.Producer.Return.Successes = true
	p, err := sarama.NewSyncProducer(c.ListenAddrs(), conf)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	values := []string{"plain", "x👍🏽y", "x👨\u200d👩\u200d👧\u200d👦y", "x❤️y", "x☀️y", "last"}
	for _, v := range values {
		if _, _, err := p.SendMessage(&sarama.ProducerMessage{Topic: "emoji", Value: sarama.StringEncoder(v)}); err != nil {
			t.Fatal(err)
		}
	}

	tm := startTerm(t, "-b", strings.Join(c.ListenAddrs(), ","), "-c", "tail emoji --from earliest")
	s := tm.waitText("last", 10*time.Second)
	rows := 0
	for _, line := range strings.Split(s, "\n") {
		f := strings.Fields(line)
		if len(f) < 2 || f[len(f)-1] != "B" || !strings.Contains(line, "x") && !strings.Contains(line, "plain") && !strings.Contains(line, "last") {
			continue
		}
		rows++
		// What tmux shows holds no emoji it draws in other than its code
		// points' cells, so counting them gives where the row ends.
		if w := ansi.WcWidth.StringWidth(line); w != 120 {
			t.Errorf("row ends at cell %d, not 120: %q", w, line)
		}
	}
	if rows != len(values) {
		t.Errorf("%d of %d rows end in their size:\n%s", rows, len(values), s)
	}
}
