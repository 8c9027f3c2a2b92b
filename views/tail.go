package views

import (
	"context"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"kscope/kafkaclient"
	"kscope/views/decode"
	"kscope/views/sanitize"
	"kscope/views/widget"
)

// Default bounds of a tail's buffer.
const (
	DefaultTailRecords = 100_000
	DefaultTailBytes   = 64 << 20
)

// TailOpened answers a Tail view's request to open its tail.
type TailOpened struct {
	Tail *kafkaclient.Tail
	Err  error
	// gen is the opening answered; the answer to an opening that a seek
	// replaced is dropped.
	gen int
}

// tailClosed says a tail's event channel closed: its context ended.
type tailClosed struct{ id int }

// Tail is the live tail of a topic: a bounded buffer of the newest
// records, a filter over it, and a list that follows new records until
// the user scrolls.
type Tail struct {
	c     *Common
	scope Scope
	tails Tailer
	spec  kafkaclient.TailSpec
	tail  *kafkaclient.Tail
	// backlog holds records the buffer cannot take yet: they would evict
	// records the filter has still to read.
	backlog []arrival
	// hold is closed when the backlog has gone into the buffer, so the
	// view waits for the tail's next event again; nil while it is empty.
	hold  chan struct{}
	err   error
	ended error
	// gen numbers the openings: a seek opens the tail again, in the same
	// view, under a context of its own that the next opening cancels.
	gen    int
	cancel context.CancelFunc
	// start asks where to start, before the first opening or for a seek.
	start *widget.Form
	// nested is set for a tail opened from its topic's partitions, whose
	// title already names the topic.
	nested bool

	ring    *widget.Ring[kafkaclient.Record]
	filter  recordFilter
	expr    string   // the filter as typed
	matches []uint64 // sequence numbers of matching records, oldest first
	scan    filterScan
	// reading holds the first sequence number of each chunk a filter is
	// reading in place, a cancelled filter's too until it answers: the
	// buffer evicts none of those records meanwhile.
	reading []uint64
	// parse is parseFilter; tests count evaluations through it.
	parse func(string) (recordFilter, error)
	// wake carries wake-ups to listen: a filter was set, or records
	// arrived while it was idle.
	wake chan struct{}

	follow   bool
	sel      uint64 // sequence number of the selected record while paused
	top      uint64 // sequence number of the first row shown while paused
	newSince int64

	keyMode, valueMode decode.Mode

	received, bytes int64
	samples         []rateSample
	progress        []kafkaclient.PartitionProgress
	// notices holds the latest notice of each partition that still
	// matters: a notice replaces one of the same partition only when it is
	// at least as important, so a reset is not hidden by a retry.
	notices map[int32]kafkaclient.TailNotice

	// leaders remembers who led each tailed partition, to tell when one moves.
	leaders map[int32]int32

	width, height int
	export        *exportPrompt
}

// NewTail makes a tail view, its buffer bounded as c says; its Init opens the tail.
func NewTail(c *Common, spec kafkaclient.TailSpec) *Tail {
	maxRecords, maxBytes := c.TailRecords, c.TailBytes
	if maxRecords <= 0 {
		maxRecords = DefaultTailRecords
	}
	if maxBytes <= 0 {
		maxBytes = DefaultTailBytes
	}
	spec.OnOutOfRange = c.TailReset
	return &Tail{c: c, tails: c.Client.Tails, spec: spec, ring: widget.NewRing(maxRecords, maxBytes, (*kafkaclient.Record).Size), follow: true,
		parse: parseFilter, wake: make(chan struct{}, 1)}
}

// Init implements View: it opens the tail off the event loop, or first
// asks where to start when the view was made to ask, and listens for
// filters to apply.
func (v *Tail) Init(s Scope) tea.Cmd {
	v.scope = s
	if v.filter != nil {
		v.startScan()
	}
	if v.start != nil {
		return tea.Batch(v.start.Focus(), v.listen())
	}
	return tea.Batch(v.open(), v.listen())
}

// open opens the tail as v.spec says, closing the one open before. Each
// opening runs under a context of its own, derived from the view's, so
// closing the view ends it too, even before it opened.
func (v *Tail) open() tea.Cmd {
	if v.cancel != nil {
		v.cancel()
	}
	v.gen++
	ctx, cancel := context.WithCancel(v.scope.Ctx)
	v.cancel = cancel
	spec, tails, gen := v.spec, v.tails, v.gen
	spec.Marker = v.marker()
	return v.scope.Do(func(context.Context) tea.Msg {
		t, err := tails.Tail(ctx, spec)
		return TailOpened{Tail: t, Err: err, gen: gen}
	})
}

// wait delivers the tail's next event, once any hold is released.
func (v *Tail) wait() tea.Cmd {
	t, hold := v.tail, v.hold
	return v.scope.Do(func(ctx context.Context) tea.Msg {
		if hold != nil {
			select {
			case <-hold:
			case <-ctx.Done():
				return nil
			}
		}
		select {
		case e, ok := <-t.Events():
			if !ok {
				return tailClosed{t.ID}
			}
			return e
		case <-ctx.Done():
			return nil
		}
	})
}

// current reports whether an event of the tail numbered id is for the
// tail open now, rather than for one a seek closed.
func (v *Tail) current(id int) bool { return v.tail != nil && v.tail.ID == id }

// Title implements View. A tail opened from a topic's partitions does
// not name the topic again: the view beneath does.
func (v *Tail) Title() string {
	s := "tail"
	if !v.nested {
		name, _ := sanitize.Plain(v.spec.Topic)
		s += " " + name
	}
	if v.spec.Partitions != nil {
		parts := make([]string, len(v.spec.Partitions))
		for i, p := range v.spec.Partitions {
			parts[i] = strconv.Itoa(int(p))
		}
		noun := " partitions "
		if len(parts) == 1 {
			noun = " partition "
		}
		s += noun + strings.Join(parts, ",")
	}
	if v.gen == 0 && v.start != nil {
		return s
	}
	return s + " from " + v.spec.From.String()
}

// SetSize implements View.
func (v *Tail) SetSize(w, h int) {
	v.width, v.height = w, h
	if v.start != nil {
		v.start.SetSize(v.formSize())
	}
}

// CapturesInput implements InputCapturer while the export prompt or the
// start form is open.
func (v *Tail) CapturesInput() bool { return v.export != nil || v.start != nil }

// FilterOnSubmit implements SubmitFilter: a regular expression or jq
// filter over the whole buffer costs too much to rerun at each keystroke.
func (v *Tail) FilterOnSubmit() {}

// Update implements View.
func (v *Tail) Update(msg tea.Msg) (View, tea.Cmd) {
	switch msg := msg.(type) {
	case filterWake:
		return v, tea.Batch(v.listen(), v.scanNext())
	case filterChunkDone:
		return v, v.merge(msg)
	}
	if km, isKey := msg.(tea.KeyPressMsg); isKey && v.export != nil {
		cmd, done, took := v.export.update(km)
		if done {
			v.export = nil
		}
		if took {
			return v, cmd
		}
		return v, tea.Batch(cmd, v.key(km))
	}
	if v.start != nil {
		if cmd, took := v.updateStart(msg); took {
			return v, cmd
		}
	}
	switch msg := msg.(type) {
	case TailOpened:
		if msg.gen != v.gen {
			return v, nil
		}
		if msg.Err != nil {
			v.err = msg.Err
			return v, notify(msg.Err.Error(), true)
		}
		v.tail = msg.Tail
		v.mark()
		v.release(true)
		return v, v.wait()
	case kafkaclient.RecordBatch:
		if !v.current(msg.Tail) {
			return v, nil
		}
		v.ingest(msg)
		return v, v.waitOrHold()
	case kafkaclient.TailNotice:
		if !v.current(msg.Tail) {
			return v, nil
		}
		v.note(msg)
		return v, v.waitOrHold()
	case kafkaclient.TailEnded:
		if !v.current(msg.Tail) {
			return v, nil
		}
		v.ended = msg.Err
		return v, notify("tail ended: "+msg.Err.Error(), true)
	case tailClosed:
		return v, nil
	case decode.SchemasChanged:
		// Records matched on their raw bytes while their schema was on its
		// way are read again, decoded.
		if v.filter != nil {
			v.startScan()
		}
	case exportExists:
		v.export = msg.reopen()
	case kafkaclient.ClusterUpdated:
		v.watchLeaders(msg.Snapshot)
	case tea.KeyPressMsg:
		return v, v.key(msg)
	case tea.MouseWheelMsg:
		switch msg.Button {
		case tea.MouseWheelUp:
			v.move(-3)
		case tea.MouseWheelDown:
			v.move(3)
		}
	}
	return v, nil
}

// watchLeaders notes partitions of the tail whose leader changed since
// the previous snapshot; the consumers follow the move by themselves.
func (v *Tail) watchLeaders(snap *kafkaclient.Snapshot) {
	t := snap.Topic(v.spec.Topic)
	if t == nil {
		return
	}
	first := v.leaders == nil
	if first {
		v.leaders = map[int32]int32{}
	}
	for _, p := range t.Partitions {
		if v.spec.Partitions != nil && !slices.Contains(v.spec.Partitions, p.ID) {
			continue
		}
		old, seen := v.leaders[p.ID]
		v.leaders[p.ID] = p.Leader
		if first || !seen || old == p.Leader {
			continue
		}
		text := fmt.Sprintf("leader moved from broker %d to %d", old, p.Leader)
		if p.Leader < 0 {
			text = fmt.Sprintf("leader %d lost; the partition is offline", old)
		}
		level := kafkaclient.NoticeInfo
		if p.Leader < 0 {
			level = kafkaclient.NoticeRetrying
		}
		v.note(kafkaclient.TailNotice{Partition: p.ID, Text: text, Err: p.Leader < 0, Level: level})
	}
}

// note keeps n unless a more important notice of its partition stands.
func (v *Tail) note(n kafkaclient.TailNotice) {
	if old, ok := v.notices[n.Partition]; ok && old.Level > n.Level {
		return
	}
	if v.notices == nil {
		v.notices = map[int32]kafkaclient.TailNotice{}
	}
	v.notices[n.Partition] = n
}

// count is the number of records the list shows.
func (v *Tail) count() int {
	if v.filter != nil {
		return len(v.matches)
	}
	return v.ring.Len()
}

// seqAt is the sequence number of the list's i-th record.
func (v *Tail) seqAt(i int) uint64 {
	if v.filter != nil {
		return v.matches[i]
	}
	return v.ring.First() + uint64(i)
}

// indexOf is the list position of seq, or of the first record after it.
func (v *Tail) indexOf(seq uint64) int {
	if v.filter != nil {
		i, _ := slices.BinarySearch(v.matches, seq)
		return i
	}
	if seq < v.ring.First() {
		return 0
	}
	return int(seq - v.ring.First())
}

// nearest is the listed record at or after seq, else the last one.
func (v *Tail) nearest(seq uint64) uint64 {
	n := v.count()
	if n == 0 {
		return v.ring.End()
	}
	return v.seqAt(min(v.indexOf(seq), n-1))
}

// rows is how many records the list shows: the view less its two status
// lines, the header and, while it is open, the export prompt at the foot.
func (v *Tail) rows() int {
	if v.export != nil {
		return max(v.height-4, 1)
	}
	return max(v.height-3, 1)
}

// selected is the list position of the selected record.
func (v *Tail) selected() int {
	n := v.count()
	if v.follow || n == 0 {
		return n - 1
	}
	return min(v.indexOf(v.sel), n-1)
}

// pause stops following, keeping what is on screen where it is.
func (v *Tail) pause() {
	if !v.follow {
		return
	}
	v.follow = false
	v.newSince = 0
	n := v.count()
	if n == 0 {
		v.sel, v.top = v.ring.End(), v.ring.End()
		return
	}
	v.sel = v.seqAt(n - 1)
	v.top = v.seqAt(max(n-v.rows(), 0))
}

func (v *Tail) resume() {
	v.follow = true
	v.newSince = 0
}

func (v *Tail) move(delta int) {
	v.pause()
	n := v.count()
	if n == 0 {
		return
	}
	i := min(max(v.selected()+delta, 0), n-1)
	v.sel = v.seqAt(i)
	top := v.indexOf(v.top)
	if i < top {
		top = i
	}
	if i >= top+v.rows() {
		top = i - v.rows() + 1
	}
	v.top = v.seqAt(min(max(top, 0), n-1))
}

func (v *Tail) key(msg tea.KeyPressMsg) tea.Cmd {
	k := v.c.Keys
	if cmd := k.refused(msg, v.FullHelp()); cmd != nil {
		return cmd
	}
	if key.Matches(msg, k.Follow) { // before Step: G and end follow, they do not just move
		v.resume()
		return nil
	}
	if delta, ok := k.Step(msg, v.rows(), v.count()); ok {
		v.move(delta)
		return nil
	}
	switch {
	case key.Matches(msg, k.Pause):
		if v.follow {
			v.pause()
		} else {
			v.resume()
		}
	case key.Matches(msg, k.KeyDecoder):
		v.keyMode = v.keyMode.Next()
		return notify("key decoder: "+v.keyMode.String(), false)
	case key.Matches(msg, k.ValueDecoder):
		v.valueMode = v.valueMode.Next()
		return notify("value decoder: "+v.valueMode.String(), false)
	case key.Matches(msg, k.Inspect):
		n := v.count()
		if n == 0 {
			return nil
		}
		seq := v.seqAt(v.selected())
		v.pause()
		v.sel = seq
		return push(NewDetail(v.c, v, seq, v.keyMode, v.valueMode))
	case key.Matches(msg, k.Produce):
		return produceDialog(v.c, v.c.Client.Producer, v.spec.Topic)
	case key.Matches(msg, k.Seek):
		return v.ask()
	case key.Matches(msg, k.Export):
		if v.filtering() {
			// What it found so far is not what the filter selects.
			return notify(fmt.Sprintf("the filter has read %s of %s records: export once it is done",
				count(v.scan.scanned), count(v.scan.scanned+v.pending())), true)
		}
		if v.count() == 0 {
			return notify("nothing to export yet", true)
		}
		v.export = newExportPrompt(v.c, v.scope, v.exportJob, v.spec.Topic, v.width)
		return v.export.focus()
	}
	return nil
}

// Record implements RecordSource.
func (v *Tail) Record(seq uint64) *kafkaclient.Record { return v.ring.Get(seq) }

// Step implements RecordSource: the listed record dir places from seq,
// which becomes the tail's selection.
func (v *Tail) Step(seq uint64, dir int) (uint64, *kafkaclient.Record) {
	n := v.count()
	if n == 0 {
		return seq, nil
	}
	i := v.indexOf(seq) + dir
	if i < 0 || i >= n {
		return seq, nil
	}
	s := v.seqAt(i)
	v.sel = s
	return s, v.ring.Get(s)
}

// exportJob copies the listed records; their payloads are shared, which
// is safe as nothing writes to them.
func (v *Tail) exportJob() exportJob {
	n := v.count()
	recs := make([]kafkaclient.Record, 0, n)
	for i := range n {
		recs = append(recs, *v.ring.Get(v.seqAt(i)))
	}
	return exportJob{n: n, noun: "records", write: func(w io.Writer) error { return WriteRecords(w, recs, v.c.Client.Schemas) }}
}

// ShortHelp implements help.KeyMap.
func (v *Tail) ShortHelp() []key.Binding {
	k := v.c.Keys
	return []key.Binding{k.Inspect, k.Pause, k.Follow, k.Seek, k.KeyDecoder, k.ValueDecoder, k.Export, k.Produce}
}

// FullHelp implements help.KeyMap.
func (v *Tail) FullHelp() [][]key.Binding {
	k := v.c.Keys
	return [][]key.Binding{{k.Inspect, k.Pause, k.Follow, k.Seek, k.KeyDecoder, k.ValueDecoder, k.Export, k.Produce}, k.Movement()}
}
