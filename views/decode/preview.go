package decode

import (
	"encoding/base64"

	"kscope/themes"
	"kscope/views/sanitize"
)

// Preview returns b as one line of at most width cells for a list cell,
// ending in "…" when cut. Record data goes through the sanitizer, its
// escapes (newlines and tabs among them) styled with st.Escape; nothing
// else is styled, so the cell takes the list's colours. An empty b is a
// muted "∅".
//
// In Auto mode objects and arrays are compacted as json.Compact would,
// other text is shown as it is, and binary as hex ("0a ff 12 …"). JSON mode
// shows anything that is not JSON as text; the other modes always apply.
//
// Only the head of b is read, a few bytes per cell, so a 10 MB value costs
// what a short one does. Auto therefore judges a long value by its head: one
// that starts as valid JSON is previewed as JSON even if it goes wrong
// further on.
func Preview(b []byte, mode Mode, width int, st *themes.Styles) string {
	switch {
	case width <= 0:
		return ""
	case len(b) == 0:
		return st.Muted.Render("∅")
	}
	switch mode {
	case Hex:
		return hexPreview(b, width)
	case Base64:
		return base64Preview(b, width)
	case Text:
		return textPreview(b, width, st)
	case JSON:
		if s, ok := jsonPreview(b, width, st); ok {
			return s
		}
		return textPreview(b, width, st)
	}
	if looksJSON(b[:min(len(b), jsonHead(width))]) {
		if s, ok := jsonPreview(b, width, st); ok {
			return s
		}
	}
	if h, cut := head(b, textHead(width)); isText(h, cut) {
		return textPreview(b, width, st)
	}
	return hexPreview(b, width)
}

// textHead is how many bytes of text are read to fill width cells: enough
// for any line of ordinary text, wide characters and escapes included.
// Only text thick with zero-width characters falls short, and then shows
// less than the width before its "…".
func textHead(width int) int {
	return 4*width + 64
}

// jsonHead is how many bytes of JSON are read: more than textHead, for the
// whitespace compacting takes out of indented JSON.
func jsonHead(width int) int {
	return 8*width + 256
}

// cut draws s in at most width cells. more says s is only the head of the
// value, so "…" ends it even if it fits.
func cut(s string, more bool, width int, st *themes.Styles) string {
	if more {
		return sanitize.Line(s, width-1, "", st.Escape) + "…"
	}
	return sanitize.Line(s, width, "…", st.Escape)
}

func textPreview(b []byte, width int, st *themes.Styles) string {
	h, more := head(b, textHead(width))
	return cut(string(h), more, width, st)
}

// jsonPreview compacts the head of b. It fails if the head is not the
// start of a JSON value.
func jsonPreview(b []byte, width int, st *themes.Styles) (string, bool) {
	h, more := head(b, jsonHead(width))
	s := jsonScan{src: h, layout: compact, out: make([]byte, 0, len(h))}
	if err := s.run(); err != nil && !(more && cutShort(err)) {
		return "", false
	}
	return cut(string(s.out), more, width, st), true
}

// hexPreview shows as many bytes as fit, as space-separated pairs.
func hexPreview(b []byte, width int) string {
	n := (width + 1) / 3 // n pairs and their separators take 3n-1 cells
	more := len(b) > n
	if more {
		n = (width - 1) / 3 // leave room for " …", or just "…" when n is 0
	}
	out := make([]byte, 0, width+4)
	for i, c := range b[:min(n, len(b))] {
		if i > 0 {
			out = append(out, ' ')
		}
		out = append(out, hexDigits[c>>4], hexDigits[c&0xf])
	}
	if more {
		if n > 0 {
			out = append(out, ' ')
		}
		out = append(out, "…"...)
	}
	return string(out)
}

// base64Preview encodes as many bytes as fit.
func base64Preview(b []byte, width int) string {
	enc := base64.StdEncoding
	if enc.EncodedLen(len(b)) <= width {
		return enc.EncodeToString(b)
	}
	// Whole groups of three bytes, so that no padding appears mid-value.
	s := enc.EncodeToString(b[:min(len(b), 3*((width+3)/4))])
	return s[:width-1] + "…"
}
