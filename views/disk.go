package views

import (
	"kscope/kafkaclient"
	"kscope/themes"
)

// diskCell returns how a size from d shows: "…" before the first read,
// "-" for a size no broker reported (-1), and "≥" before a size that
// misses the replicas of a broker or a log dir that did not answer.
func diskCell(st *themes.Styles, d *kafkaclient.LogDirs) func(int64) string {
	if d == nil {
		return func(int64) string { return st.Muted.Render("…") }
	}
	prefix := ""
	if !d.Complete() {
		prefix = "≥"
	}
	return func(n int64) string {
		if n < 0 {
			return st.Muted.Render("-")
		}
		return prefix + bytesize(n)
	}
}
