package views

import (
	"context"
	"strings"
	"testing"

	"kscope/kafkaclient"
	"kscope/views/viewtest"
)

func TestHumanConfig(t *testing.T) {
	for _, tc := range []struct{ name, value, want string }{
		{"retention.ms", "259200000", "3d"},
		{"retention.ms", "604800000", "7d"},
		{"retention.ms", "-1", "unlimited"},
		{"segment.ms", "5400000", "1h 30m"},
		{"segment.jitter.ms", "0", "0"},
		{"file.delete.delay.ms", "60000", "1m"},
		{"max.compaction.lag.ms", "9223372036854775807", "∞"},
		{"flush.ms", "90061001", "~1d 1h"},
		{"local.retention.ms", "-2", "-2"},
		{"retention.bytes", "-1", "unlimited"},
		{"segment.bytes", "1073741824", "1 GiB"},
		{"segment.index.bytes", "10485760", "10 MiB"},
		{"max.message.bytes", "1048588", "~1.0 MiB"},
		{"index.interval.bytes", "4096", "4 KiB"},
		{"min.insync.replicas", "2", "2"},
		{"cleanup.policy", "compact,delete", "compact,delete"},
		{"retention.ms", "soon", "soon"},
	} {
		if got := humanConfig(tc.name, tc.value); got != tc.want {
			t.Errorf("humanConfig(%s, %s) = %q, want %q", tc.name, tc.value, got, tc.want)
		}
	}
}

func TestConfigsShowValuesHumanizedAndTheEditorTheRawOnes(t *testing.T) {
	inBubble(t, func(t *testing.T, h *host) {
		c := testCommon(t)
		c.Client = ClientOf(&viewtest.Fake{TopicConfigFn: func(context.Context, string) ([]kafkaclient.ConfigEntry, error) {
			return []kafkaclient.ConfigEntry{
				{Name: "retention.ms", Value: "259200000", Default: "604800000", Source: "topic", Overridden: true},
				{Name: "segment.bytes", Value: "1073741824", Default: "1073741824", Source: "default"},
			}, nil
		}})
		v := h.push(NewConfigs(c, "orders"))
		line := lineWith(t, plain(v), "retention.ms")
		if !strings.Contains(line, "3d") || !strings.Contains(line, "7d") || strings.Contains(line, "259200000") {
			t.Errorf("retention.ms row: %q", line)
		}
		if line := lineWith(t, plain(v), "segment.bytes"); !strings.Contains(line, "1 GiB") {
			t.Errorf("segment.bytes row: %q", line)
		}
		if err := v.(*Configs).SetFilter("3d"); err != nil || !strings.Contains(v.Title(), "configs of orders") {
			t.Errorf("filter by the humanized value: %v, %q", err, v.Title())
		}
		h.send(press("e"))
		s := plain(h.top())
		if !strings.Contains(s, "259200000") || !strings.Contains(s, "now 259200000 (3d) (from topic); default 604800000 (7d)") {
			t.Errorf("the editor does not show the raw value:\n%s", s)
		}
	})
}
