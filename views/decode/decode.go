// Package decode turns record keys, values and header values into what the
// live-tail list and the record-detail view show: a one-line Preview for a
// list cell and a Document of lines for a viewport.
//
// Records can be large (megabytes) and hostile (escape sequences, bidi
// overrides, invalid UTF-8). So every piece of record data goes through the
// sanitizer before it is returned, a Preview costs O(width) whatever the size
// of the value, and a Document does its O(n) work once, when it is built,
// and styles only the lines that are drawn.
package decode

import (
	"fmt"
	"unicode/utf8"
)

// Mode is how a field is decoded. The user cycles it per field (key, value)
// with Next.
type Mode int

// The modes, in the order Next cycles through them.
const (
	// Auto picks JSON, text or hex from what Detect finds.
	Auto Mode = iota
	// JSON pretty-prints (Document) or compacts (Preview); invalid JSON is
	// shown as text.
	JSON
	// Text shows the bytes as text.
	Text
	// Hex shows the bytes in hexadecimal.
	Hex
	// Base64 shows the bytes in standard base64.
	Base64
	// Schema decodes the bytes with the schema a Schema Registry holds
	// for them, and says why when it cannot; Auto does so too, but only
	// for bytes framed for a registry (see Schemas).
	Schema
	modes
)

var modeNames = [modes]string{"auto", "json", "text", "hex", "base64", "schema"}

// String returns the mode's name, as the status line shows it.
func (m Mode) String() string {
	if m < 0 || m >= modes {
		return fmt.Sprintf("Mode(%d)", int(m))
	}
	return modeNames[m]
}

// Next returns the mode after m, wrapping from Schema back to Auto.
func (m Mode) Next() Mode {
	return (m + 1) % modes
}

// Kind is what a field's bytes were found to be.
type Kind int

// The kinds an automatic decode tells apart (see NewDocument).
const (
	// KindEmpty is a field with no bytes.
	KindEmpty Kind = iota
	// KindJSON is a valid JSON object or array.
	KindJSON
	// KindText is valid UTF-8 with few control characters.
	KindText
	// KindBinary is everything else.
	KindBinary
	// KindAvro, KindProtobuf and KindJSONSchema are records decoded, to
	// JSON, with the schema a Schema Registry holds for them.
	KindAvro
	KindProtobuf
	KindJSONSchema
)

// String returns "empty", "json", "text", "binary", "avro", "protobuf"
// or "json schema".
func (k Kind) String() string {
	switch k {
	case KindEmpty:
		return "empty"
	case KindJSON:
		return "json"
	case KindText:
		return "text"
	case KindBinary:
		return "binary"
	case KindAvro:
		return "avro"
	case KindProtobuf:
		return "protobuf"
	case KindJSONSchema:
		return "json schema"
	}
	return fmt.Sprintf("Kind(%d)", int(k))
}

// looksJSON reports whether the first byte after any JSON whitespace opens
// an object or an array.
func looksJSON(b []byte) bool {
	i := skipSpace(b, 0)
	return i < len(b) && (b[i] == '{' || b[i] == '[')
}

// isText reports whether b is valid UTF-8 with few controls. When b is a
// prefix cut from a longer value, cut says so, and a rune cut short at the
// end does not count against it.
func isText(b []byte, cut bool) bool {
	if cut {
		b = trimPartialRune(b)
	}
	if !utf8.Valid(b) {
		return false
	}
	limit := len(b) / 16
	controls := 0
	for _, c := range b {
		if (c < ' ' && c != '\t' && c != '\n' && c != '\r') || c == 0x7f {
			// Stop as soon as the verdict is known: binary full of
			// zeros is valid UTF-8 and would otherwise be read to the end.
			if controls++; controls > limit {
				return false
			}
		}
	}
	return true
}

// head returns at most n bytes from the start of b, cut back to a rune
// boundary, and whether anything was cut.
func head(b []byte, n int) ([]byte, bool) {
	if len(b) <= n {
		return b, false
	}
	return trimPartialRune(b[:n]), true
}

// trimPartialRune drops an incomplete UTF-8 sequence from the end of b, so
// that a cut does not show as escaped bytes.
func trimPartialRune(b []byte) []byte {
	for i := len(b) - 1; i >= 0 && i >= len(b)-utf8.UTFMax; i-- {
		if utf8.RuneStart(b[i]) {
			if !utf8.FullRune(b[i:]) {
				return b[:i]
			}
			break
		}
	}
	return b
}

// skipSpace returns the index of the first byte from i on that is not JSON
// whitespace.
func skipSpace(b []byte, i int) int {
	for i < len(b) && isSpace(b[i]) {
		i++
	}
	return i
}

func isSpace(c byte) bool {
	return c == ' ' || c == '\n' || c == '\r' || c == '\t'
}
