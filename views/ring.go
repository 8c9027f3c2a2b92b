package views

import "kscope/kafkaclient"

// Ring keeps the newest records within a count and a byte budget. Each
// record gets a sequence number that never repeats, so a filtered index
// can refer to records and notice when they were evicted.
type Ring struct {
	recs     []kafkaclient.Record
	sizes    []int
	head     int // slot of the oldest record
	n        int
	bytes    int
	maxBytes int
	first    uint64 // sequence number of the oldest record
}

// NewRing makes a ring for at most maxRecords records and maxBytes bytes
// of keys, values and headers.
func NewRing(maxRecords, maxBytes int) *Ring {
	maxRecords = max(maxRecords, 1)
	return &Ring{recs: make([]kafkaclient.Record, maxRecords), sizes: make([]int, maxRecords), maxBytes: maxBytes}
}

// Push adds r as the newest record, evicting the oldest ones that no longer fit.
func (g *Ring) Push(r *kafkaclient.Record) {
	size := r.Size()
	for g.n > 0 && (g.n == len(g.recs) || g.bytes+size > g.maxBytes) {
		g.evict()
	}
	slot := (g.head + g.n) % len(g.recs)
	g.recs[slot] = *r
	g.sizes[slot] = size
	g.n++
	g.bytes += size
}

func (g *Ring) evict() {
	g.bytes -= g.sizes[g.head]
	// Drop the references so evicted payloads can be collected.
	g.recs[g.head] = kafkaclient.Record{}
	g.head = (g.head + 1) % len(g.recs)
	g.n--
	g.first++
}

// Len is the number of records held; Bytes their size; Cap the record limit.
func (g *Ring) Len() int   { return g.n }
func (g *Ring) Bytes() int { return g.bytes }
func (g *Ring) Cap() int   { return len(g.recs) }

// MaxBytes is the byte limit.
func (g *Ring) MaxBytes() int { return g.maxBytes }

// First is the sequence number of the oldest record; End the one the next record will get.
func (g *Ring) First() uint64 { return g.first }
func (g *Ring) End() uint64   { return g.first + uint64(g.n) }

// Get returns the record with sequence number seq, or nil once it was evicted.
func (g *Ring) Get(seq uint64) *kafkaclient.Record {
	if seq < g.first || seq >= g.End() {
		return nil
	}
	return &g.recs[(g.head+int(seq-g.first))%len(g.recs)]
}
