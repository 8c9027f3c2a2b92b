package widget

import (
	"fmt"
	"strings"
	"testing"
)

type item struct {
	offset int64
	value  string
}

func itemSize(i *item) int { return len(i.value) }

func TestRingBoundsByCount(t *testing.T) {
	g := NewRing(3, 1<<20, itemSize)
	for i := range 5 {
		g.Push(&item{int64(i), "x"})
	}
	if g.Len() != 3 || g.First() != 2 || g.End() != 5 {
		t.Fatalf("len %d first %d end %d", g.Len(), g.First(), g.End())
	}
	if g.Get(1) != nil || g.Get(5) != nil {
		t.Error("evicted or future item returned")
	}
	for seq := uint64(2); seq < 5; seq++ {
		if r := g.Get(seq); r == nil || r.offset != int64(seq) {
			t.Errorf("Get(%d) = %+v", seq, r)
		}
	}
}

func TestRingBoundsByBytes(t *testing.T) {
	g := NewRing(100, 10, itemSize)
	g.Push(&item{0, "aaaa"})
	g.Push(&item{1, "bbbb"})
	g.Push(&item{2, "cccc"}) // 12 bytes would exceed 10: the oldest goes
	if g.Len() != 2 || g.Bytes() != 8 || g.Get(0) != nil {
		t.Fatalf("len %d bytes %d", g.Len(), g.Bytes())
	}
	// An item larger than the whole budget is still kept, alone.
	g.Push(&item{3, strings.Repeat("z", 50)})
	if g.Len() != 1 || g.Get(3).offset != 3 {
		t.Fatalf("oversized item: len %d", g.Len())
	}
}

// TestRingEvictsSaysWhatPushEvicts checks Evicts against Push, by count
// and by bytes, across the wrap of the slots.
func TestRingEvictsSaysWhatPushEvicts(t *testing.T) {
	g := NewRing(4, 10, itemSize)
	for i, v := range []string{"a", "bb", "ccc", "d", "eeee", "", "ffffff", "gg", strings.Repeat("h", 12), "i"} {
		want := g.Evicts(len(v))
		first := g.First()
		g.Push(&item{int64(i), v})
		if got := int(g.First() - first); got != want {
			t.Fatalf("push %d (%q): Evicts said %d, Push evicted %d", i, v, want, got)
		}
	}
}

// TestRingRangeIsTheItemsInOrder reads every range of a ring that has
// wrapped, against Get.
func TestRingRangeIsTheItemsInOrder(t *testing.T) {
	g := NewRing(5, 1<<20, itemSize)
	for i := range 8 {
		g.Push(&item{int64(i), "x"})
	}
	for from := uint64(0); from <= 9; from++ {
		for end := from; end <= 9; end++ {
			a, b := g.Range(from, end)
			var got []int64
			for _, it := range append(append([]item{}, a...), b...) {
				got = append(got, it.offset)
			}
			var want []int64
			for seq := max(from, g.First()); seq < min(end, g.End()); seq++ {
				want = append(want, g.Get(seq).offset)
			}
			if fmt.Sprint(got) != fmt.Sprint(want) {
				t.Fatalf("Range(%d, %d) = %v, want %v", from, end, got, want)
			}
		}
	}
}
