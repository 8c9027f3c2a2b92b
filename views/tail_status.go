package views

import (
	"fmt"
	"strings"
	"time"

	"github.com/charmbracelet/x/ansi"

	"kscope/kafkaclient"
	"kscope/views/sanitize"
)

// rateWindow is how far back the rates on the status line look.
const rateWindow = 3 * time.Second

type rateSample struct {
	at              time.Time
	received, bytes int64
}

func (v *Tail) statusLine() string {
	st := v.c.Styles
	if v.gen == 0 {
		// Nothing opened yet: there is nothing to count.
		return st.Muted.Render(ansi.Truncate("not started: choose where to start", v.width, "…"))
	}
	var parts []string
	switch {
	case v.ended != nil:
		parts = append(parts, st.Error.Render("■ ENDED"))
	case !v.follow:
		parts = append(parts, st.Warn.Render(fmt.Sprintf("⏸ PAUSED +%s new", count(v.newSince))))
	case v.live():
		parts = append(parts, st.OK.Render("● LIVE"))
	case v.tail != nil && v.troubled() > 0:
		parts = append(parts, st.Error.Render(fmt.Sprintf("◌ NOT LIVE: %s", plural(int64(v.troubled()), "partition stalled", "partitions stalled"))))
	case v.tail != nil:
		parts = append(parts, st.Warn.Render(fmt.Sprintf("◌ catching up %.0f%%", v.caughtUpPercent())))
	}
	recRate, byteRate := v.rates()
	parts = append(parts, plural(v.received, "record", "records"))
	// The filter's progress comes before what a narrow screen may cut.
	parts = append(parts, v.filterStatus()...)
	parts = append(parts,
		fmt.Sprintf("%s rec/s", count(int64(recRate))),
		fmt.Sprintf("%.2f MB/s", byteRate/1e6),
		st.Muted.Render("key:"+v.keyMode.String()+" value:"+v.valueMode.String()))
	parts = append(parts, fmt.Sprintf("buffer %s/%s %s/%s", count(int64(v.ring.Len())), count(int64(v.ring.Cap())),
		bytesize(int64(v.ring.Bytes())), bytesize(int64(v.ring.MaxBytes()))))
	return ansi.Truncate(strings.Join(parts, st.Muted.Render(" · ")), v.width, "…")
}

// filterStatus says how far the filter has read the buffer, what matched,
// and how many records ran out of jq steps.
func (v *Tail) filterStatus() []string {
	if v.filter == nil {
		return nil
	}
	st, s := v.c.Styles, &v.scan
	var parts []string
	if v.filtering() {
		parts = append(parts, st.Warn.Render(fmt.Sprintf("filtering %s / %s…", count(s.scanned), count(s.scanned+v.pending()))),
			st.Accent.Render("matched "+count(s.matched)))
	} else {
		parts = append(parts, st.Accent.Render(fmt.Sprintf("matched %s / %s scanned", count(s.matched), count(s.scanned))))
	}
	if s.limited > 0 {
		parts = append(parts, st.Warn.Render(plural(s.limited, "record", "records")+" over the jq step limit"))
	}
	return parts
}

// secondLine shows the most important notice, else what keeps the tail
// from being live partition by partition, else the filter in force.
func (v *Tail) secondLine() string {
	st := v.c.Styles
	if n, ok := v.topNotice(); ok {
		text, _ := sanitize.Plain(n.Text)
		if n.Partition >= 0 {
			text = fmt.Sprintf("partition %d: %s", n.Partition, text)
		}
		style := st.Text
		if n.Err {
			style = st.Error
		}
		return style.Render(ansi.Truncate(text, v.width, "…"))
	}
	if v.tail != nil && !v.live() {
		now := v.c.Now()
		var b strings.Builder
		for _, p := range v.progress {
			if s := partitionTrouble(p, now); s != "" {
				b.WriteString(s + "  ")
			}
		}
		return st.Muted.Render(ansi.Truncate(b.String(), v.width, "…"))
	}
	if v.filter != nil {
		// A filter is typed, but may have been pasted from anywhere.
		desc, _ := sanitize.Plain(v.filter.Describe())
		return st.Muted.Render(ansi.Truncate("filter: "+desc, v.width, "…"))
	}
	return ""
}

// live is the tail's promise that it shows what the cluster holds now:
// every partition's reader runs and reached the high watermark of the last
// few seconds, by the view's clock, so a tail that stops hearing loses it.
func (v *Tail) live() bool {
	return kafkaclient.TailProgress(v.progress).Live(v.c.Now())
}

// troubled counts the partitions whose reader is not simply catching up.
func (v *Tail) troubled() int {
	now, n := v.c.Now(), 0
	for _, p := range v.progress {
		if p.State != kafkaclient.ReaderRunning || p.Stalled(now) {
			n++
		}
	}
	return n
}

// partitionTrouble says why partition p is not live, or "" when it is.
func partitionTrouble(p kafkaclient.PartitionProgress, now time.Time) string {
	reason := func(err error) string {
		if err == nil {
			return ""
		}
		text, _ := sanitize.Plain(err.Error())
		return ": " + text
	}
	switch {
	case p.Live(now):
		return ""
	case p.State == kafkaclient.ReaderResetting:
		s := fmt.Sprintf("p%d resetting%s", p.Partition, reason(p.Err))
		if !p.RetryAt.IsZero() {
			s += fmt.Sprintf(" (retry in %s)", p.RetryAt.Sub(now).Round(100*time.Millisecond))
		}
		return s
	case p.State == kafkaclient.ReaderRestarting:
		return fmt.Sprintf("p%d restarting in %s%s", p.Partition, max(p.RetryAt.Sub(now), 0).Round(100*time.Millisecond), reason(p.Err))
	case p.Stalled(now):
		return fmt.Sprintf("p%d stalled for %s%s", p.Partition, now.Sub(p.MovedAt).Truncate(time.Second), reason(p.Err))
	case !p.CaughtUp():
		return fmt.Sprintf("p%d %.0f%%", p.Partition, p.Percent())
	}
	return fmt.Sprintf("p%d %s behind", p.Partition, count(max(p.High-p.Next, 0)))
}

// topNotice is the notice to show: the most important, the partition
// first in order among equals.
func (v *Tail) topNotice() (kafkaclient.TailNotice, bool) {
	var top kafkaclient.TailNotice
	found := false
	for _, n := range v.notices {
		if !found || n.Level > top.Level || n.Level == top.Level && n.Partition < top.Partition {
			top, found = n, true
		}
	}
	return top, found
}

func (v *Tail) caughtUpPercent() float64 {
	var done, total int64
	for _, p := range v.progress {
		total += max(p.Target-p.Start, 0)
		done += max(min(p.Next, p.Target)-p.Start, 0)
	}
	if total == 0 {
		return 100
	}
	return 100 * float64(done) / float64(total)
}

func (v *Tail) rates() (recs, bytes float64) {
	if len(v.samples) < 2 {
		return 0, 0
	}
	a, b := v.samples[0], v.samples[len(v.samples)-1]
	dt := b.at.Sub(a.at).Seconds()
	if dt <= 0 {
		return 0, 0
	}
	return float64(b.received-a.received) / dt, float64(b.bytes-a.bytes) / dt
}
