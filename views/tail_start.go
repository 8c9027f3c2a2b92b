package views

import (
	"strconv"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"

	"kscope/kafkaclient"
	"kscope/views/widget"
)

// The start positions the start form offers, in the order it cycles them.
var startChoices = []string{"latest", "earliest", "last N", "time", "offset"}

// askingTail is a tail view that first asks where to start, for the tail
// key of the topics and partitions views; nested says the view beneath
// already names the topic.
func askingTail(c *Common, spec kafkaclient.TailSpec, nested bool) *Tail {
	v := NewTail(c, spec)
	v.nested = nested
	v.start = v.startForm()
	return v
}

// ask opens the start form over a running tail: a seek.
func (v *Tail) ask() tea.Cmd {
	v.start = v.startForm()
	v.start.SetSize(v.formSize())
	return v.start.Focus()
}

// startForm asks where to start, filled in with where the tail started.
func (v *Tail) startForm() *widget.Form {
	choice, value := "latest", ""
	switch f := v.spec.From; f.Kind {
	case kafkaclient.FromEarliest:
		choice = "earliest"
	case kafkaclient.FromLast:
		choice, value = "last N", strconv.FormatInt(f.Last, 10)
	case kafkaclient.FromTime:
		choice, value = "time", f.Time.In(v.c.Zone()).Format(time.RFC3339)
	case kafkaclient.FromOffset:
		choice, value = "offset", strconv.FormatInt(f.Offset, 10)
	}
	title, submit := "Tail "+plainName(v.spec.Topic)+": where to start", "start"
	if v.gen > 0 {
		title, submit = "Seek: start "+plainName(v.spec.Topic)+" again from", "seek"
	}
	f := widget.NewForm(v.c.Styles, title, []widget.Field{
		{Name: "from", Label: "Start from", Kind: widget.FieldChoice, Choices: startChoices, Value: choice},
		{Name: "value", Label: "N, time or offset", Value: value,
			Help: "last N: 100 · time: -15m or 2026-11-21T09:00:00Z · offset: 1234"},
	}, submit)
	f.EnterSubmits()
	return f
}

// formSize is the start form's box: the width of the view, up to 76
// cells, below the two status lines.
func (v *Tail) formSize() (int, int) {
	return min(v.width, 76), min(max(v.height-2, 3), 10)
}

// updateStart gives msg to the start form; took is false for what the
// form leaves to the view (the tail's events).
func (v *Tail) updateStart(msg tea.Msg) (tea.Cmd, bool) {
	switch msg.(type) {
	case TailOpened, kafkaclient.RecordBatch, kafkaclient.TailNotice, kafkaclient.TailEnded, tailClosed,
		kafkaclient.ClusterUpdated, exportExists, ThemeChanged, tea.MouseWheelMsg:
		return nil, false
	}
	cmd, done, ok := v.start.Update(msg)
	switch {
	case done && ok:
		from, err := startFrom(v.start.Value("from"), v.start.Value("value"), v.c.Now())
		if err != nil {
			v.start.SetError("value", err.Error())
			return nil, true
		}
		v.start = nil
		v.spec.From = from
		v.restart()
		return v.open(), true
	case done && v.gen == 0:
		// Nothing was opened: leaving the form leaves the view.
		return pop, true
	case done:
		v.start = nil
		return nil, true
	}
	return cmd, true
}

// restart empties the view for a tail opened again from elsewhere: what
// was buffered and counted belongs to the tail before.
func (v *Tail) restart() {
	v.ring = widget.NewRing(v.ring.Cap(), v.ring.MaxBytes(), (*kafkaclient.Record).Size)
	v.backlog = nil
	v.startScan()
	v.tail, v.err, v.ended = nil, nil, nil
	v.follow, v.newSince = true, 0
	v.received, v.bytes, v.samples, v.progress = 0, 0, nil, nil
	v.notices = nil
}

// startFrom reads the start form: where to start, and the N, time or
// offset that choice needs.
func startFrom(choice, value string, now time.Time) (kafkaclient.From, error) {
	value = strings.TrimSpace(value)
	switch choice {
	case "earliest":
		return kafkaclient.From{Kind: kafkaclient.FromEarliest}, nil
	case "last N":
		n, err := strconv.ParseInt(value, 10, 64)
		if err != nil || n <= 0 {
			return kafkaclient.From{}, errNeed("a number of records, such as 100")
		}
		return kafkaclient.From{Kind: kafkaclient.FromLast, Last: n}, nil
	case "time":
		f, err := kafkaclient.ParseFrom(value, now)
		if err != nil || f.Kind != kafkaclient.FromTime {
			return kafkaclient.From{}, errNeed("a time such as 2026-11-21T09:00:00Z, or -15m")
		}
		return f, nil
	case "offset":
		n, err := strconv.ParseInt(value, 10, 64)
		if err != nil || n < 0 {
			return kafkaclient.From{}, errNeed("an offset, such as 1234")
		}
		return kafkaclient.From{Kind: kafkaclient.FromOffset, Offset: n}, nil
	}
	return kafkaclient.From{Kind: kafkaclient.FromLatest}, nil
}

// errNeed says what a field wants.
type errNeed string

func (e errNeed) Error() string { return string(e) }
