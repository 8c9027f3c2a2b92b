package decode

import "fmt"

// The JSON here is checked and laid out in one pass of its own rather than
// with encoding/json: json.Valid followed by json.Indent reads a 10 MB value
// twice through a byte-at-a-time state machine, which alone takes several
// times the detail view's 100 ms budget, and json.Indent writes every line's
// indentation out, which a deeply nested value turns into gigabytes.

// layout says what a jsonScan writes besides checking.
type layout uint8

const (
	checkOnly layout = iota
	// compact writes the value without insignificant whitespace, as
	// json.Compact does.
	compact
	// pretty writes one line per json.Indent line without its indentation:
	// line starts go to starts, and the depth of every depthEvery-th line to
	// depths, from which any line's depth can be worked out.
	pretty
)

// depthEvery is how many lines share one recorded depth: a line's depth is
// found by walking at most this many lines from the last record.
const depthEvery = 64

// jsonScan checks that src is one JSON value, optionally surrounded by
// whitespace, and lays it out as its layout says. Offsets are uint32: Kafka
// sizes a record's key and value with an int32.
type jsonScan struct {
	src    []byte
	layout layout
	out    []byte
	starts []uint32
	depths []uint32
	stack  []byte // the closing bracket of every open container
}

// syntaxError is where and why src is not JSON. A value cut short (the end
// of the input reached inside it) is an error at len(src), which a prefix
// check may accept.
type syntaxError struct {
	offset int
	c      byte
	eof    bool
}

func (e *syntaxError) Error() string {
	if e.eof {
		return "unexpected end of input"
	}
	what := fmt.Sprintf("byte 0x%02x", e.c)
	if e.c >= ' ' && e.c < 0x7f {
		what = fmt.Sprintf("%q", rune(e.c))
	}
	return fmt.Sprintf("unexpected %s at offset %d", what, e.offset)
}

// cutShort reports whether err says the input ended inside the value,
// which is no error when the input is only the head of a value.
func cutShort(err error) bool {
	e, ok := err.(*syntaxError)
	return ok && e.eof
}

func (s *jsonScan) fail(i int) error {
	if i >= len(s.src) {
		return &syntaxError{offset: len(s.src), eof: true}
	}
	return &syntaxError{offset: i, c: s.src[i]}
}

func (s *jsonScan) put(b []byte) {
	if s.layout != checkOnly {
		s.out = append(s.out, b...)
	}
}

func (s *jsonScan) putByte(c byte) {
	if s.layout != checkOnly {
		s.out = append(s.out, c)
	}
}

// newline starts a line at the current depth when laying out pretty.
func (s *jsonScan) newline() {
	if s.layout != pretty {
		return
	}
	if len(s.starts)%depthEvery == 0 {
		s.depths = append(s.depths, uint32(len(s.stack)))
	}
	s.starts = append(s.starts, uint32(len(s.out)))
}

// run scans the whole of src.
func (s *jsonScan) run() error {
	src := s.src
	s.newline()
	i := skipSpace(src, 0)
	for {
		// A value starts at i.
		if i >= len(src) {
			return s.fail(i)
		}
		var err error
		start := i
		switch c := src[i]; c {
		case '{', '[':
			closer := c + 2 // '}' and ']' follow '{' and '[' two apart
			s.putByte(c)
			i = skipSpace(src, i+1)
			if i < len(src) && src[i] == closer {
				s.putByte(closer)
				i++
				break
			}
			s.stack = append(s.stack, closer)
			s.newline()
			if c == '{' {
				if i, err = s.key(i); err != nil {
					return err
				}
			}
			continue
		case '"':
			i, err = s.str(i)
		case 't':
			i, err = s.literal(i, "true")
		case 'f':
			i, err = s.literal(i, "false")
		case 'n':
			i, err = s.literal(i, "null")
		default:
			i, err = s.number(i)
		}
		if err != nil {
			return s.partial(start, err)
		}
		// A value ended at i: close containers until one goes on.
		for {
			i = skipSpace(src, i)
			if len(s.stack) == 0 {
				if i < len(src) {
					return s.fail(i)
				}
				return nil
			}
			if i >= len(src) {
				return s.fail(i)
			}
			closer := s.stack[len(s.stack)-1]
			if src[i] == closer {
				s.stack = s.stack[:len(s.stack)-1]
				s.newline()
				s.putByte(closer)
				i++
				continue
			}
			if src[i] != ',' {
				return s.fail(i)
			}
			s.putByte(',')
			s.newline()
			i = skipSpace(src, i+1)
			if closer == '}' {
				if i, err = s.key(i); err != nil {
					return err
				}
			}
			break
		}
	}
}

// partial lays out what there is of a token that the end of the input cut
// short, so that a compacted head of a value shows all of its head.
func (s *jsonScan) partial(start int, err error) error {
	if s.layout == compact && cutShort(err) {
		s.put(s.src[start:])
	}
	return err
}

// key scans an object's key and its colon, and the space before the value.
func (s *jsonScan) key(i int) (int, error) {
	src := s.src
	if i >= len(src) || src[i] != '"' {
		return i, s.fail(i)
	}
	start := i
	i, err := s.str(i)
	if err != nil {
		return i, s.partial(start, err)
	}
	i = skipSpace(src, i)
	if i >= len(src) || src[i] != ':' {
		return i, s.fail(i)
	}
	switch s.layout {
	case compact:
		s.putByte(':')
	case pretty:
		s.out = append(s.out, ':', ' ')
	}
	return skipSpace(src, i+1), nil
}

// plainInString marks the bytes a string can hold as they are: not the
// closing quote, a backslash or a control character. Bytes from 0x80 up
// pass whether or not they make valid UTF-8, as in json.Valid; the
// sanitizer shows the invalid ones.
var plainInString = func() (t [256]bool) {
	for c := range t {
		t[c] = c >= ' ' && c != '"' && c != '\\'
	}
	return t
}()

// str scans the string starting at the quote at i and returns the index
// after its closing quote.
func (s *jsonScan) str(i int) (int, error) {
	src := s.src
	j := i + 1
	for {
		for j < len(src) && plainInString[src[j]] {
			j++
		}
		if j >= len(src) {
			return j, s.fail(j)
		}
		switch src[j] {
		case '"':
			s.put(src[i : j+1])
			return j + 1, nil
		case '\\':
			j++
			if j >= len(src) {
				return j, s.fail(j)
			}
			switch src[j] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				j++
			case 'u':
				for k := 0; k < 4; k++ {
					if j++; j >= len(src) || !isHex(src[j]) {
						return j, s.fail(j)
					}
				}
				j++
			default:
				return j, s.fail(j)
			}
		default:
			return j, s.fail(j)
		}
	}
}

func isHex(c byte) bool {
	return c-'0' < 10 || (c|0x20)-'a' < 6
}

func isDigit(c byte) bool {
	return c-'0' < 10
}

// number scans -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)? at i.
func (s *jsonScan) number(i int) (int, error) {
	src := s.src
	j := i
	if src[j] == '-' {
		j++
	}
	switch {
	case j >= len(src) || !isDigit(src[j]):
		return j, s.fail(j)
	case src[j] == '0':
		j++
	default:
		j = digits(src, j)
	}
	if j < len(src) && src[j] == '.' {
		if j++; j >= len(src) || !isDigit(src[j]) {
			return j, s.fail(j)
		}
		j = digits(src, j)
	}
	if j < len(src) && (src[j] == 'e' || src[j] == 'E') {
		if j++; j < len(src) && (src[j] == '+' || src[j] == '-') {
			j++
		}
		if j >= len(src) || !isDigit(src[j]) {
			return j, s.fail(j)
		}
		j = digits(src, j)
	}
	s.put(src[i:j])
	return j, nil
}

func digits(b []byte, i int) int {
	for i < len(b) && isDigit(b[i]) {
		i++
	}
	return i
}

// literal scans the word lit (true, false or null) at i.
func (s *jsonScan) literal(i int, lit string) (int, error) {
	src := s.src
	for k := 0; k < len(lit); k++ {
		if i+k >= len(src) || src[i+k] != lit[k] {
			return i + k, s.fail(i + k)
		}
	}
	s.put(src[i : i+len(lit)])
	return i + len(lit), nil
}
