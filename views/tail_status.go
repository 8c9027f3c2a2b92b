package views

import (
	"fmt"
	"strings"
	"time"

	"github.com/charmbracelet/x/ansi"

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
	case v.tail != nil:
		parts = append(parts, st.Warn.Render(fmt.Sprintf("◌ catching up %.0f%%", v.caughtUpPercent())))
	}
	recRate, byteRate := v.rates()
	parts = append(parts,
		plural(v.received, "record", "records"),
		fmt.Sprintf("%s rec/s", count(int64(recRate))),
		fmt.Sprintf("%.2f MB/s", byteRate/1e6),
		st.Muted.Render("key:"+v.keyMode.String()+" value:"+v.valueMode.String()))
	if v.filter != nil {
		parts = append(parts, st.Accent.Render(fmt.Sprintf("matched %s / %s scanned", count(v.matched), count(v.scanned))))
	}
	parts = append(parts, fmt.Sprintf("buffer %s/%s %s/%s", count(int64(v.ring.Len())), count(int64(v.ring.Cap())),
		bytesize(int64(v.ring.Bytes())), bytesize(int64(v.ring.MaxBytes()))))
	return ansi.Truncate(strings.Join(parts, st.Muted.Render(" · ")), v.width, "…")
}

// secondLine shows per-partition progress while catching up, else the
// latest notice or the filter in force.
func (v *Tail) secondLine() string {
	st := v.c.Styles
	if v.hasNotice {
		text, _ := sanitize.Plain(v.notice.Text)
		if v.notice.Partition >= 0 {
			text = fmt.Sprintf("partition %d: %s", v.notice.Partition, text)
		}
		style := st.Text
		if v.notice.Err {
			style = st.Error
		}
		return style.Render(ansi.Truncate(text, v.width, "…"))
	}
	if v.tail != nil && !v.live() {
		var b strings.Builder
		for _, p := range v.progress {
			if !p.CaughtUp() {
				fmt.Fprintf(&b, "p%d %.0f%%  ", p.Partition, p.Percent())
			}
		}
		return st.Muted.Render(ansi.Truncate(b.String(), v.width, "…"))
	}
	if v.filter != nil {
		return st.Muted.Render(ansi.Truncate("filter: "+v.filter.Describe(), v.width, "…"))
	}
	return ""
}

func (v *Tail) live() bool {
	if len(v.progress) == 0 {
		return false
	}
	for _, p := range v.progress {
		if !p.CaughtUp() {
			return false
		}
	}
	return true
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
