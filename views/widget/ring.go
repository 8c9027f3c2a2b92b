package widget

// Ring keeps the newest items within a count and a byte budget. Each item
// gets a sequence number that never repeats, so a filtered index can refer
// to items and notice when they were evicted.
type Ring[T any] struct {
	items    []T
	sizes    []int
	size     func(*T) int
	head     int // slot of the oldest item
	n        int
	bytes    int
	maxBytes int
	first    uint64 // sequence number of the oldest item
}

// NewRing makes a ring for at most maxItems items and maxBytes bytes, an
// item weighing what size says.
func NewRing[T any](maxItems, maxBytes int, size func(*T) int) *Ring[T] {
	maxItems = max(maxItems, 1)
	return &Ring[T]{items: make([]T, maxItems), sizes: make([]int, maxItems), size: size, maxBytes: maxBytes}
}

// Push copies *r in as the newest item, evicting the oldest ones that no
// longer fit. An item larger than the whole budget is still kept, alone.
func (g *Ring[T]) Push(r *T) {
	size := g.size(r)
	for g.n > 0 && (g.n == len(g.items) || g.bytes+size > g.maxBytes) {
		g.evict()
	}
	slot := (g.head + g.n) % len(g.items)
	g.items[slot] = *r
	g.sizes[slot] = size
	g.n++
	g.bytes += size
}

// Range is the items from sequence number from to end, as one or two
// slices of the ring's own storage. They stay valid for as long as none
// of those items is evicted: a reader elsewhere may use them if the
// owner pushes nothing that evicts them meanwhile.
func (g *Ring[T]) Range(from, end uint64) (a, b []T) {
	from, end = max(from, g.first), min(end, g.End())
	if from >= end {
		return nil, nil
	}
	i := (g.head + int(from-g.first)) % len(g.items)
	n := int(end - from)
	if i+n <= len(g.items) {
		return g.items[i : i+n], nil
	}
	return g.items[i:], g.items[:i+n-len(g.items)]
}

// Evicts is how many of the oldest items pushing an item of size bytes
// would evict.
func (g *Ring[T]) Evicts(size int) int {
	n, bytes := g.n, g.bytes
	for n > 0 && (n == len(g.items) || bytes+size > g.maxBytes) {
		bytes -= g.sizes[(g.head+g.n-n)%len(g.items)]
		n--
	}
	return g.n - n
}

func (g *Ring[T]) evict() {
	g.bytes -= g.sizes[g.head]
	// Drop the references so evicted payloads can be collected.
	var zero T
	g.items[g.head] = zero
	g.head = (g.head + 1) % len(g.items)
	g.n--
	g.first++
}

// Len is the number of items held.
func (g *Ring[T]) Len() int { return g.n }

// Bytes is the size of the items held.
func (g *Ring[T]) Bytes() int { return g.bytes }

// Cap is the item limit.
func (g *Ring[T]) Cap() int { return len(g.items) }

// MaxBytes is the byte limit.
func (g *Ring[T]) MaxBytes() int { return g.maxBytes }

// First is the sequence number of the oldest item.
func (g *Ring[T]) First() uint64 { return g.first }

// End is the sequence number the next item will get.
func (g *Ring[T]) End() uint64 { return g.first + uint64(g.n) }

// Get returns the item with sequence number seq, or nil once it was evicted.
func (g *Ring[T]) Get(seq uint64) *T {
	if seq < g.first || seq >= g.End() {
		return nil
	}
	return &g.items[(g.head+int(seq-g.first))%len(g.items)]
}
