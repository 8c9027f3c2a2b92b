package views

import (
	"slices"
	"sort"

	"kscope/kafkaclient"
)

// ingest adds a batch to the buffer; it is the view's hot path. A filter
// reads the new records in its turn: after the chunk it is reading, or
// once woken.
func (v *Tail) ingest(b kafkaclient.RecordBatch) {
	v.backlog = append(v.backlog, b.Records...)
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
		chunk := v.backlog[0]
		i := 0
		if v.filter == nil && len(v.reading) == 0 {
			for ; i < len(chunk); i++ {
				v.ring.Push(&chunk[i])
			}
		} else {
			read := v.readTo()
			for ; i < len(chunk); i++ {
				if v.ring.First()+uint64(v.ring.Evicts(chunk[i].Size())) > read {
					break
				}
				v.ring.Push(&chunk[i])
			}
		}
		n += i
		if i < len(chunk) {
			v.backlog[0] = chunk[i:]
			break
		}
		v.backlog[0] = nil
		v.backlog = v.backlog[1:]
	}
	return n
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
	if v.filter != nil && !v.scan.busy {
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
