package kafkaclient

// A Marker evaluates records as the tail reads them, in the goroutine that
// decoded them, while they are fresh in the cache: a filter that reads
// every record of a fast tail costs less there than in a batch a frame
// later, and the reader of the batches need not read the records again.
type Marker struct {
	// Tag names the marker in the marks it makes, so that the reader of
	// the batches tells a mark of the marker in force from an older one's.
	Tag int
	// Mark evaluates a chunk of records; several fetchers may call it at
	// once. It may stop early, saying so in Marks.Read.
	Mark func(recs []Record) Marks
}

// Marks is what a Marker found in a chunk of records: it read the first
// Read of them, and Matches are the indices of those that matched,
// ascending.
type Marks struct {
	Tag     int
	Read    int
	Matches []int
}

// SetMarker has m mark every chunk of records the tail reads from now on;
// nil stops the marking. It may be called from any goroutine, and does not
// wait.
func (t *Tail) SetMarker(m *Marker) { t.marker.Store(m) }

// mark is what the marker in force found in chunk, if there is one.
func (t *Tail) mark(chunk []Record) Marks {
	m := t.marker.Load()
	if m == nil || len(chunk) == 0 {
		return Marks{}
	}
	marks := m.Mark(chunk)
	marks.Tag = m.Tag
	return marks
}
