package kafkaclient

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kfake"
)

// markedChunks reads a tail's batches until want records arrived, and
// returns each chunk of records with its marks.
func markedChunks(t *testing.T, tl *Tail, want int) (chunks [][]Record, marks []Marks) {
	t.Helper()
	deadline := time.After(10 * time.Second)
	for n := 0; n < want; {
		select {
		case e := <-tl.Events():
			b, ok := e.(RecordBatch)
			if !ok || len(b.Records) == 0 {
				continue
			}
			if len(b.Marks) != len(b.Records) {
				t.Fatalf("%d chunks with %d marks", len(b.Records), len(b.Marks))
			}
			for _, c := range b.Records {
				n += len(c)
			}
			chunks, marks = append(chunks, b.Records...), append(marks, b.Marks...)
		case <-deadline:
			t.Fatalf("records did not arrive within 10s")
		}
	}
	return chunks, marks
}

// A marker given with the spec marks every chunk the tail reads, from the
// first fetch on, with its tag, each mark beside its chunk; SetMarker(nil)
// stops the marking.
func TestTailMarksChunks(t *testing.T) {
	t.Parallel()
	c := newCluster(t, 3, kfake.SeedTopics(2, "t"))
	cl := connect(t, c)
	var vals []string
	for i := range 12 {
		vals = append(vals, fmt.Sprint(i)+strings.Repeat("x", i%3/2))
	}
	produceValues(t, c, "t", 0, time.Now(), vals[:6]...)
	produceValues(t, c, "t", 1, time.Now(), vals[6:]...)
	marker := &Marker{Tag: 7, Mark: func(recs []Record) Marks {
		m := Marks{Read: len(recs)}
		for i, r := range recs {
			if strings.Contains(string(r.Value), "x") {
				m.Matches = append(m.Matches, i)
			}
		}
		return m
	}}
	tl, err := cl.Tail(context.Background(), TailSpec{Topic: "t", From: From{Kind: FromEarliest}, Marker: marker})
	if err != nil {
		t.Fatal(err)
	}
	defer tl.Close()
	chunks, marks := markedChunks(t, tl, len(vals))
	found := 0
	for i, chunk := range chunks {
		var want []int
		for j, r := range chunk {
			if strings.Contains(string(r.Value), "x") {
				want = append(want, j)
			}
		}
		if m := marks[i]; m.Tag != 7 || m.Read != len(chunk) || !slices.Equal(m.Matches, want) {
			t.Errorf("chunk %d of %d records marked %+v; want tag 7, all read, matches %v", i, len(chunk), m, want)
		}
		found += len(want)
	}
	if found != 4 {
		t.Errorf("%d records with an x, want 4", found)
	}

	tl.SetMarker(nil)
	produceValues(t, c, "t", 0, time.Now(), "y", "yx")
	_, marks = markedChunks(t, tl, 2)
	for _, m := range marks {
		if m.Tag != 0 || m.Read != 0 || m.Matches != nil {
			t.Errorf("a chunk read without a marker is marked %+v", m)
		}
	}
}
