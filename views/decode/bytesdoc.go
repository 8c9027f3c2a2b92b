package decode

import "encoding/base64"

const hexDigits = "0123456789abcdef"

// hexBytes is how many bytes a hex dump line shows.
const hexBytes = 16

// hexWidth is the length of a full hex dump line: the offset, the hex
// columns with their margins and middle gap, and the ASCII column between
// bars.
const hexWidth = 8 + 1 + 3*hexBytes + 1 + 2 + 1 + hexBytes + 1

// hexDoc is a classic hex dump, as hexdump -C makes:
//
//	00000000  48 65 6c 6c 6f 20 77 6f  72 6c 64 0a 00 01 02 03  |Hello world.....|
//
// Each line is made from its own 16 bytes when it is drawn.
type hexDoc struct {
	b []byte
	p *palette
}

func (d hexDoc) Kind() Kind { return KindBinary }
func (d hexDoc) Len() int   { return (len(d.b) + hexBytes - 1) / hexBytes }

func (d hexDoc) Line(i, width int) string {
	if i < 0 || i >= d.Len() {
		return ""
	}
	offset, dump, ascii := hexLine(d.b, i)
	return d.p.line([]span{
		asciiSpan(offset, d.p.muted),
		asciiSpan(dump, d.p.text),
		asciiSpan("|", d.p.muted),
		asciiSpan(ascii, d.p.text),
		asciiSpan("|", d.p.muted),
	}, false, width)
}

// hexLine returns the parts of line i of the dump of b: the offset, the
// bytes in hex between two-space margins, padded to full length on the last
// line, and the bytes as ASCII, with a dot for each one that is not
// printable.
func hexLine(b []byte, i int) (offset, dump, ascii string) {
	start := i * hexBytes
	chunk := b[start:min(start+hexBytes, len(b))]
	var buf [hexWidth]byte
	out := buf[:0]
	for shift := 28; shift >= 0; shift -= 4 {
		out = append(out, hexDigits[start>>shift&0xf])
	}
	split := len(out)
	out = append(out, ' ')
	for k := range hexBytes {
		if k == hexBytes/2 {
			out = append(out, ' ')
		}
		if k < len(chunk) {
			out = append(out, ' ', hexDigits[chunk[k]>>4], hexDigits[chunk[k]&0xf])
		} else {
			out = append(out, ' ', ' ', ' ')
		}
	}
	out = append(out, ' ', ' ')
	text := len(out)
	for _, c := range chunk {
		if c < ' ' || c >= 0x7f {
			c = '.'
		}
		out = append(out, c)
	}
	s := string(out)
	return s[:split], s[split:text], s[text:]
}

func (d hexDoc) Plain() []byte {
	out := make([]byte, 0, d.Len()*(hexWidth+1))
	for i := range d.Len() {
		offset, dump, ascii := hexLine(d.b, i)
		out = append(out, offset...)
		out = append(out, dump...)
		out = append(out, '|')
		out = append(out, ascii...)
		out = append(out, '|', '\n')
	}
	return out
}

// base64Bytes is how many bytes a base64 line shows: 76 characters, the
// MIME line length.
const base64Bytes = 57

// base64Doc is standard base64 wrapped at 76 characters, each line encoded
// from its own 57 bytes when it is drawn.
type base64Doc struct {
	b []byte
	p *palette
}

func (d base64Doc) Kind() Kind    { return KindBinary }
func (d base64Doc) Len() int      { return (len(d.b) + base64Bytes - 1) / base64Bytes }
func (d base64Doc) Plain() []byte { return base64.StdEncoding.AppendEncode(nil, d.b) }

func (d base64Doc) Line(i, width int) string {
	if i < 0 || i >= d.Len() {
		return ""
	}
	start := i * base64Bytes
	s := base64.StdEncoding.EncodeToString(d.b[start:min(start+base64Bytes, len(d.b))])
	return d.p.line([]span{asciiSpan(s, d.p.text)}, false, width)
}
