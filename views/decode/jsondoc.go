package decode

import "strings"

// jsonDoc is JSON pretty-printed as json.Indent would with a two-space
// indent. It keeps the lines without their indentation and works out a
// line's depth when the line is drawn, so that memory stays proportional to
// the value however deeply it nests.
type jsonDoc struct {
	src    []byte
	out    []byte   // the lines, unindented, one after another
	starts []uint32 // where each line starts in out
	depths []uint32 // the depth of every depthEvery-th line
	p      *palette
}

func newJSONDoc(b []byte, p *palette) (*jsonDoc, error) {
	s := jsonScan{src: b, layout: pretty, out: make([]byte, 0, len(b)+len(b)/8), starts: make([]uint32, 0, len(b)/16)}
	if err := s.run(); err != nil {
		return nil, err
	}
	return &jsonDoc{src: b, out: s.out, starts: s.starts, depths: s.depths, p: p}, nil
}

func (d *jsonDoc) Kind() Kind { return KindJSON }
func (d *jsonDoc) Len() int   { return len(d.starts) }

// content returns line i without its indentation.
func (d *jsonDoc) content(i int) []byte {
	end := len(d.out)
	if i+1 < len(d.starts) {
		end = int(d.starts[i+1])
	}
	return d.out[d.starts[i]:end]
}

// depth returns line i's depth from the last recorded one before it. A
// line one deeper follows each line that opens a container (ends in '{'
// or '['; empty ones close on the same line), and a line that closes one
// (starts with '}' or ']') is one shallower.
func (d *jsonDoc) depth(i int) int {
	j := i / depthEvery * depthEvery
	depth := int(d.depths[j/depthEvery])
	for ; j < i; j++ {
		depth += step(d.content(j), d.content(j+1))
	}
	return depth
}

// step is the change in depth from a line to the next.
func step(line, next []byte) int {
	switch {
	case line[len(line)-1] == '{' || line[len(line)-1] == '[':
		return 1
	case next[0] == '}' || next[0] == ']':
		return -1
	}
	return 0
}

func (d *jsonDoc) Line(i, width int) string {
	if i < 0 || i >= len(d.starts) || width <= 0 {
		return ""
	}
	// Indentation past the width only pushes the line off the screen.
	spans := []span{asciiSpan(spaces(min(2*d.depth(i), width+1)), sgr{})}
	h, more := head(d.content(i), textHead(width))
	return d.p.line(d.tokens(spans, string(h)), more, width)
}

// tokens appends the spans of a line's tokens, coloured by what they are.
// The line may be cut short, in the middle of a token.
func (d *jsonDoc) tokens(spans []span, line string) []span {
	p := d.p
	for i := 0; i < len(line); {
		j := i + 1
		style := p.muted
		switch c := line[i]; {
		case c == '"':
			j = stringEnd(line, i)
			style = p.str
			if j < len(line) && line[j] == ':' {
				style = p.key
			}
		case c == '-' || isDigit(c):
			for j < len(line) && strings.IndexByte("0123456789+-.eE", line[j]) >= 0 {
				j++
			}
			style = p.num
		case c >= 'a' && c <= 'z':
			for j < len(line) && line[j] >= 'a' && line[j] <= 'z' {
				j++
			}
			style = p.lit
		default:
			for j < len(line) && strings.IndexByte("{}[],: ", line[j]) >= 0 {
				j++
			}
		}
		spans = append(spans, p.dataSpan(line[i:j], style))
		i = j
	}
	return spans
}

// stringEnd returns the index after the closing quote of the string that
// starts at i, or len(s) if s ends first.
func stringEnd(s string, i int) int {
	for j := i + 1; j < len(s); j++ {
		switch s[j] {
		case '\\':
			j++
		case '"':
			return j + 1
		}
	}
	return len(s)
}

// plainLimit bounds the pretty text Plain makes. Only deep nesting comes
// near it, by multiplying the indentation; the value is then copied as it
// came.
func plainLimit(n int) int {
	return 8*n + 1<<20
}

func (d *jsonDoc) Plain() []byte {
	size, depth := 0, 0
	for i := range d.starts {
		line := d.content(i)
		size += 2*depth + len(line) + 1
		if i+1 < len(d.starts) {
			depth += step(line, d.content(i+1))
		}
	}
	if size > plainLimit(len(d.src)) {
		return d.src
	}
	out := make([]byte, 0, size)
	depth = 0
	for i := range d.starts {
		line := d.content(i)
		for k := 0; k < depth; k++ {
			out = append(out, ' ', ' ')
		}
		out = append(append(out, line...), '\n')
		if i+1 < len(d.starts) {
			depth += step(line, d.content(i+1))
		}
	}
	return out
}
