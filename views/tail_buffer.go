package views

import (
	"slices"
	"sort"
	"time"

	"kscope/kafkaclient"
)

// arrival is records from one chunk of a batch that the buffer has yet
// to take. The filter of scan gen read the first read of them as they
// arrived, and matches are the indices of those that matched, ascending.
type arrival struct {
	recs    []kafkaclient.Record
	gen     int
	read    int
	matches []int
}

// skip drops the first n records, once the buffer took them.
func (a *arrival) skip(n int) {
	a.recs, a.read = a.recs[n:], max(a.read-n, 0)
	k := 0
	for _, i := range a.matches {
		if i >= n {
			a.matches[k] = i - n
			k++
		}
	}
	a.matches = a.matches[:k]
}

// marker is how the tail marks the records it reads with the filter in
// force, as they arrive, off the event loop; nil when the filter reads
// them in chunks instead: there is none, or it is costly, a jq program,
// whose evaluations are shared among the processors in chunks. Records
// marked with everything before them read go into the buffer read: they
// cost the event loop no chunk and never hold the tail, where a chunk
// reads them again from the buffer, and the tail waits whenever the
// buffer would evict records it has not reached. The marks of a filter
// set since are ignored, and records marked while the filter was still
// reading the buffer are read again in a chunk.
func (v *Tail) marker() *kafkaclient.Marker {
	f, s := v.filter, &v.scan
	if f == nil {
		return nil
	}
	if costly(f) {
		return nil
	}
	ctx, schemas := s.ctx, v.c.Client.Schemas
	return &kafkaclient.Marker{Tag: s.gen, Mark: func(recs []kafkaclient.Record) kafkaclient.Marks {
		var done filterChunkDone
		evalChunk(ctx, f, recs, &done, schemas, time.Now())
		marks := kafkaclient.Marks{Read: done.n, Matches: make([]int, len(done.matches))}
		for i, m := range done.matches {
			marks.Matches[i] = int(m)
		}
		return marks
	}}
}

// mark has the tail mark its records with the filter in force.
func (v *Tail) mark() {
	if v.tail != nil {
		v.tail.SetMarker(v.marker())
	}
}

// ingest adds a batch to the buffer; it is the view's hot path. A filter
// reads the new records in its turn: as they arrived (marked), after the
// chunk it is reading, or once woken.
func (v *Tail) ingest(b kafkaclient.RecordBatch) {
	for i, recs := range b.Records {
		a := arrival{recs: recs}
		if i < len(b.Marks) {
			m := b.Marks[i]
			a.gen, a.read, a.matches = m.Tag, m.Read, m.Matches
		}
		v.backlog = append(v.backlog, a)
	}
	v.admitted(v.admit())
	v.received, v.bytes = b.Received, b.Bytes
	v.progress = b.Progress
	v.samples = append(v.samples, rateSample{b.At, b.Received, b.Bytes})
	cut := 0
	for cut < len(v.samples)-1 && b.At.Sub(v.samples[cut].at) > rateWindow {
		cut++
	}
	v.samples = v.samples[cut:]
}

// admit moves records from the backlog to the buffer, as long as none
// the filter has yet to read is evicted to make room: a search reads
// every record, however fast they come. It returns how many it moved.
func (v *Tail) admit() int {
	n := 0
	for len(v.backlog) > 0 {
		a := &v.backlog[0]
		i := len(a.recs)
		if v.filter == nil && len(v.reading) == 0 {
			for j := range a.recs {
				v.ring.Push(&a.recs[j])
			}
		} else {
			i = v.admitFiltered(a)
		}
		n += i
		if i < len(a.recs) {
			a.skip(i)
			break
		}
		v.backlog[0] = arrival{}
		v.backlog = v.backlog[1:]
	}
	return n
}

// admitFiltered pushes a's records while none the filter has yet to read
// is evicted, and returns how many it pushed. A record the filter read as
// it arrived counts as read once every record before it is.
func (v *Tail) admitFiltered(a *arrival) int {
	s := &v.scan
	read, m := v.readTo(), 0
	fresh := v.filter != nil && a.gen == s.gen
	if fresh && a.read == len(a.recs) && read == v.ring.End() {
		// All read on their way, and all before them: they go in as
		// unfiltered records do, their matches with them.
		first := v.ring.End()
		for i := range a.recs {
			v.ring.Push(&a.recs[i])
		}
		for _, i := range a.matches {
			v.matches = append(v.matches, first+uint64(i))
		}
		s.next = v.ring.End()
		s.scanned += int64(len(a.recs))
		s.matched += int64(len(a.matches))
		return len(a.recs)
	}
	for i := range a.recs {
		r := &a.recs[i]
		// Everything buffered read, anything may go.
		if read < v.ring.End() && v.ring.First()+uint64(v.ring.Evicts(r.Size())) > read {
			return i
		}
		seq := v.ring.End()
		at := max(s.next, v.ring.First())
		v.ring.Push(r)
		hit := m < len(a.matches) && a.matches[m] == i
		if hit {
			m++
		}
		if !fresh || i >= a.read || at != seq {
			continue
		}
		s.next = seq + 1
		s.scanned++
		if hit {
			v.matches = append(v.matches, seq)
			s.matched++
		}
		read = v.readTo()
	}
	return len(a.recs)
}

// readTo is the first record a filter still has to read or is reading:
// the buffer may evict only the records before it.
func (v *Tail) readTo() uint64 {
	to := v.ring.End()
	if v.filter != nil {
		to = max(v.scan.next, v.ring.First())
	}
	for _, from := range v.reading {
		to = min(to, from)
	}
	return to
}

// admitted updates what depends on the buffer after n records came in.
func (v *Tail) admitted(n int) {
	if n == 0 {
		return
	}
	v.prune()
	if v.filter != nil && !v.scan.busy && v.pending() > 0 {
		v.wakeFilter()
	}
	if !v.follow {
		v.newSince += int64(n)
		// A selection evicted moves to the oldest record listed; one the
		// filter has not reached yet stays, and the list shows the
		// nearest match after it.
		if v.ring.Get(v.sel) == nil {
			v.sel = v.nearest(v.sel)
		}
	}
}

// prune forgets matches whose records were evicted.
func (v *Tail) prune() {
	first := v.ring.First()
	i := sort.Search(len(v.matches), func(i int) bool { return v.matches[i] >= first })
	if i > 0 {
		v.matches = slices.Delete(v.matches, 0, i)
	}
}
