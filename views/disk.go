package views

// noDisk is what a disk figure shows before the first read of the log
// dirs: "…" while one is to come, "-" in a session that does not read
// them (--disk-refresh 0).
func (c *Common) noDisk() string {
	if c.DiskOff {
		return c.Styles.Muted.Render("-")
	}
	return c.Styles.Muted.Render("…")
}

// diskCell returns how a size from c.Disk shows: noDisk before the first
// read, "-" for a size no broker reported (-1), and "≥" before a size
// that misses the replicas of a broker or a log dir that did not answer.
func diskCell(c *Common) func(int64) string {
	st, d := c.Styles, c.Disk
	if d == nil {
		none := c.noDisk()
		return func(int64) string { return none }
	}
	prefix := ""
	if !d.Complete() {
		prefix = "≥"
	}
	unknown := st.Muted.Render("-")
	return func(n int64) string {
		if n < 0 {
			return unknown
		}
		return prefix + bytesize(n)
	}
}
