package views

import (
	"strings"
	"testing"

	"kscope/kafkaclient"
)

func rec(offset int64, value string) *kafkaclient.Record {
	return &kafkaclient.Record{Offset: offset, Value: []byte(value)}
}

func TestRingBoundsByCount(t *testing.T) {
	g := NewRing(3, 1<<20)
	for i := range 5 {
		g.Push(rec(int64(i), "x"))
	}
	if g.Len() != 3 || g.First() != 2 || g.End() != 5 {
		t.Fatalf("len %d first %d end %d", g.Len(), g.First(), g.End())
	}
	if g.Get(1) != nil || g.Get(5) != nil {
		t.Error("evicted or future record returned")
	}
	for seq := uint64(2); seq < 5; seq++ {
		if r := g.Get(seq); r == nil || r.Offset != int64(seq) {
			t.Errorf("Get(%d) = %+v", seq, r)
		}
	}
}

func TestRingBoundsByBytes(t *testing.T) {
	g := NewRing(100, 10)
	g.Push(rec(0, "aaaa"))
	g.Push(rec(1, "bbbb"))
	g.Push(rec(2, "cccc")) // 12 bytes would exceed 10: the oldest goes
	if g.Len() != 2 || g.Bytes() != 8 || g.Get(0) != nil {
		t.Fatalf("len %d bytes %d", g.Len(), g.Bytes())
	}
	// A record larger than the whole budget is still kept, alone.
	g.Push(rec(3, strings.Repeat("z", 50)))
	if g.Len() != 1 || g.Get(3).Offset != 3 {
		t.Fatalf("oversized record: len %d", g.Len())
	}
}
