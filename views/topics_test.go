package views

import (
	"strings"
	"testing"

	"kscope/kafkaclient"
)

func TestTopicsSortKeys(t *testing.T) {
	c := testCommon(t)
	parts := func(n int, high int64) []kafkaclient.PartitionInfo {
		ps := make([]kafkaclient.PartitionInfo, n)
		for i := range ps {
			ps[i] = kafkaclient.PartitionInfo{ID: int32(i), Replicas: []int32{1}, ISR: []int32{1}, High: high, WatermarksKnown: true}
		}
		return ps
	}
	c.Snapshot = &kafkaclient.Snapshot{WatermarksAt: t0, Topics: []kafkaclient.TopicInfo{
		{Name: "audit", Partitions: parts(1, 500)},
		{Name: "clicks", Partitions: parts(12, 10)},
		{Name: "orders", Partitions: parts(6, 40)},
		{Name: "payments", Partitions: parts(6, 1)},
	}}
	v := NewTopics(c)
	v.SetSize(100, 10)
	names := func() string {
		var out []string
		for _, l := range strings.Split(plain(v), "\n")[1:] {
			out = append(out, strings.Fields(l)[0])
		}
		return strings.Join(out, " ")
	}
	steps := []struct{ key, want string }{
		{"", "audit clicks orders payments"},
		{"s", "clicks orders payments audit"}, // partitions, most first, ties by name
		{"S", "audit orders payments clicks"},
		{"s", "audit clicks orders payments"}, // RF: all equal, by name
		{"s", "audit orders clicks payments"}, // messages, most first
	}
	for _, s := range steps {
		if s.key != "" {
			v.Update(press(s.key))
		}
		if got := names(); got != s.want {
			t.Errorf("after %q: %s, want %s", s.key, got, s.want)
		}
	}
	if !strings.Contains(strings.Split(plain(v), "\n")[0], "MESSAGES▼") {
		t.Errorf("sort mark not on MESSAGES:\n%s", plain(v))
	}
	v.SetFilter("a")
	if got := v.Title(); got != "topics (2 of 4)" {
		t.Errorf("title %q", got)
	}
}

// TestTopicsSizeWithoutDiskReads: SIZE waits ("…") for the first read of
// the log dirs, and says there is none ("-") in a session that does not
// read them.
func TestTopicsSizeWithoutDiskReads(t *testing.T) {
	for _, off := range []bool{false, true} {
		c := testCommon(t)
		c.DiskOff = off
		c.Snapshot = &kafkaclient.Snapshot{WatermarksAt: t0, Topics: []kafkaclient.TopicInfo{{Name: "orders", Partitions: []kafkaclient.PartitionInfo{
			{ID: 0, Leader: 1, Replicas: []int32{1}, ISR: []int32{1}, High: 5, WatermarksKnown: true}}}}}
		v := NewTopics(c)
		v.SetSize(100, 5)
		f := strings.Fields(strings.Split(plain(v), "\n")[1])
		want := map[bool]string{false: "…", true: "-"}[off]
		if len(f) < 5 || f[4] != want {
			t.Errorf("disk reads off %v: row %q, want SIZE %q", off, f, want)
		}
	}
}
