// Package filter is the live tail's record filter: the expression typed after
// "/" that decides which records are shown, both those already buffered and
// those that arrive afterwards.
//
// # Syntax
//
// An expression takes one of these forms:
//
//	TEXT                  substring of the key, the value or any header value
//	re:PATTERN            Go regular expression (RE2 syntax) over the same fields
//	text:TEXT             TEXT as a substring even when it looks like another form
//	jq:EXPR               jq expression over the value parsed as JSON
//	.EXPR                 the same: an expression starting with "." is jq
//	key:MATCH             TEXT, re:PATTERN or text:TEXT over the key only
//	value:MATCH           ... over the value only
//	header:NAME:MATCH     ... over the values of the headers whose key is NAME
//	!EXPR                 any of the above, inverted: the records it does not match
//
// Substrings ignore the case of ASCII letters; any other character must match
// exactly. Regular expressions are case-sensitive unless they start with
// (?i), and match anywhere in the field unless anchored with ^ or $. Both work
// on raw bytes, so keys and values need not be UTF-8.
//
// A jq expression (github.com/itchyny/gojq) matches a record when its first
// output is neither false nor null, e.g. .customer.tier == "gold",
// .amount > 100 and .currency == "EUR", or .items | length > 2. A value that
// is not one JSON document never matches, nor does an expression that fails
// on it (.a.b where .a is a string, say). Numbers keep their precision, so a
// 64-bit id compares exactly.
//
// A leading "!" inverts the whole expression, so "!key:re:^test-" hides the
// records keyed test-…; "text:!x" is the substring "!x". The prefixes are
// lower-case and are recognised only at the start, in the order above
// after any "!": "key:re:^a" is a regexp over the key, "key:.com" the substring
// ".com" in the key, "text:re:x" the substring "re:x" anywhere. A header NAME
// ends at the first ":" and is compared exactly, so a header whose key
// contains ":" cannot be named. When a header appears more than once, any of
// its values may match; a record without it never matches.
//
// The empty expression is no filter at all: Parse returns a nil *Filter,
// which matches every record. An empty TEXT or PATTERN after a prefix is an
// error rather than a filter that matches everything.
//
// # Bounds on jq
//
// Only the first output of a jq expression is computed, so generators such as
// repeat(.) or range(1e18) cost no more than their first value. An expression
// that runs on without producing anything (until(false; .), [range(1e9)], a
// recursive def without a base case) is not rejected up front, since no check
// can tell it apart from a long but finite one; instead each evaluation has a
// budget of jq steps, after which the record does not match (inverted or not)
// and Eval says the budget ran out. A step budget rather than a timeout keeps
// the answer the same for the same record however loaded the machine is, and
// costs no timer.
//
// Steps are not all alike: those that keep what they make (a call that
// recurses, an array that grows) hold a hundred bytes or more each, so a
// million steps of def f: [f]; f held over 100 MB. The budget therefore
// grows with the value a filter looks at, 2^16 steps and 8 more per byte of
// it, up to 2^19: a linear filter over a large value ([.. | numbers] takes
// about 6 steps a byte) has what it needs, while a runaway one stops within
// a few milliseconds and megabytes on the small records most topics hold, and
// within about 100 ms and 70 MB on the largest. A step that is one native
// call can still cost more ("x" * 1e9 allocates a gigabyte in one step).
//
// Evaluation is safe for concurrent use: a Filter is not modified after Parse.
package filter

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strings"

	"github.com/itchyny/gojq"

	"kscope/kafkaclient"
)

// The step budget of one jq evaluation; see the package comment.
const (
	jqBaseSteps    = 1 << 16
	jqStepsPerByte = 8
	jqMaxSteps     = 1 << 19
)

// jqBudget is the step budget for evaluating a value of size bytes.
func jqBudget(size int) int {
	return min(jqBaseSteps+jqStepsPerByte*size, jqMaxSteps)
}

// ErrStepLimit is what Eval returns for a record whose jq evaluation ran
// out of steps: the record does not match.
var ErrStepLimit = errors.New("jq step limit reached")

// Filter is a parsed filter expression. The nil *Filter matches everything.
type Filter struct {
	expr string

	scope  scope
	header string // the header key, when scope is inHeader

	// Exactly one of needle, re and jq is set.
	needle []byte // lower-cased
	anchor int    // index in needle of the byte containsFold scans for
	fold   bool   // needle contains an ASCII letter, so case matters to the search
	re     *regexp.Regexp
	jq     *gojq.Code

	// source is the TEXT, PATTERN or EXPR without its prefixes, for Describe.
	source string
	// not inverts the match: the expression started with "!".
	not bool
}

type scope uint8

const (
	inAll scope = iota // key, value and header values
	inKey
	inValue
	inHeader
)

// Parse parses a filter expression, in the syntax of the package comment.
// The empty expression gives a nil *Filter and no error.
func Parse(expr string) (*Filter, error) {
	if expr == "" {
		return nil, nil
	}
	f := &Filter{expr: expr}
	expr, f.not = strings.CutPrefix(expr, "!")
	if f.not && expr == "" {
		return nil, errors.New("nothing to match after \"!\"")
	}
	src, isJQ := strings.CutPrefix(expr, "jq:")
	if !isJQ && strings.HasPrefix(expr, ".") {
		src, isJQ = expr, true
	}
	if isJQ {
		if err := f.compileJQ(src); err != nil {
			return nil, err
		}
		return f, nil
	}
	rest := expr
	switch {
	case strings.HasPrefix(rest, "key:"):
		f.scope, rest = inKey, rest[len("key:"):]
	case strings.HasPrefix(rest, "value:"):
		f.scope, rest = inValue, rest[len("value:"):]
	case strings.HasPrefix(rest, "header:"):
		name, match, ok := strings.Cut(rest[len("header:"):], ":")
		if !ok || name == "" {
			return nil, errors.New(`header filter needs a name and what to match: header:NAME:TEXT`)
		}
		f.scope, f.header, rest = inHeader, name, match
	}
	if pattern, ok := strings.CutPrefix(rest, "re:"); ok {
		if pattern == "" {
			return nil, errors.New("re: needs a pattern")
		}
		re, err := regexp.Compile(pattern)
		if err != nil {
			return nil, fmt.Errorf("re: %w", err)
		}
		f.re, f.source = re, pattern
		return f, nil
	}
	rest, _ = strings.CutPrefix(rest, "text:")
	if rest == "" {
		return nil, fmt.Errorf("nothing to match after %q", expr)
	}
	f.needle, f.fold = lower(rest)
	f.anchor = rarest(f.needle)
	f.source = rest
	return f, nil
}

func (f *Filter) compileJQ(src string) error {
	q, err := gojq.Parse(src)
	if err != nil {
		return fmt.Errorf("jq: %w", err)
	}
	// No input iterator, so input and inputs are compile errors: a filter
	// sees one record at a time.
	code, err := gojq.Compile(q)
	if err != nil {
		return fmt.Errorf("jq: %w", err)
	}
	f.jq, f.source = code, strings.TrimSpace(src)
	return nil
}

// lower returns s with its ASCII letters lower-cased, and whether it has any.
func lower(s string) ([]byte, bool) {
	b := []byte(s)
	letters := false
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
		letters = letters || 'a' <= b[i] && b[i] <= 'z'
	}
	return b, letters
}

// Eval reports whether r passes the filter. A nil f matches every record.
// A jq evaluation that runs out of steps returns ErrStepLimit, and one cut
// short because ctx ended returns ctx's error; either way r does not match.
// It may be called from several goroutines at once.
func (f *Filter) Eval(ctx context.Context, r *kafkaclient.Record) (bool, error) {
	switch {
	case f == nil:
		return true, nil
	case f.jq != nil:
		ok, err := f.evalJQ(ctx, r.Value)
		if err != nil {
			return false, err
		}
		return ok != f.not, nil
	}
	return f.match(r) != f.not, nil
}

// ParseText parses an expression for plain text, such as a list's rows:
// TEXT, re:PATTERN and text:TEXT, each after an optional "!". The forms
// that need a record's fields (jq, key:, value:, header:) are errors.
func ParseText(expr string) (*Filter, error) {
	f, err := Parse(expr)
	if err != nil || f == nil {
		return f, err
	}
	if f.jq != nil || f.scope != inAll {
		return nil, errors.New("a list is filtered by TEXT, re:PATTERN or text:TEXT, each after an optional ! to invert it")
	}
	return f, nil
}

// MatchText reports whether text passes a filter made by ParseText. A nil
// f matches all text.
func (f *Filter) MatchText(text string) bool {
	if f == nil {
		return true
	}
	return f.matchField([]byte(text)) != f.not
}

// match is Eval of a filter that is not jq, before any inversion.
func (f *Filter) match(r *kafkaclient.Record) bool {
	switch f.scope {
	case inKey:
		return f.matchField(r.Key)
	case inValue:
		return f.matchField(r.Value)
	case inHeader:
		for _, h := range r.Headers {
			if string(h.Key) == f.header && f.matchField(h.Value) {
				return true
			}
		}
		return false
	}
	if f.matchField(r.Key) || f.matchField(r.Value) {
		return true
	}
	for _, h := range r.Headers {
		if f.matchField(h.Value) {
			return true
		}
	}
	return false
}

func (f *Filter) matchField(b []byte) bool {
	switch {
	case f.re != nil:
		return f.re.Match(b)
	case f.fold:
		return containsFold(b, f.needle, f.anchor)
	default:
		return bytes.Contains(b, f.needle)
	}
}

// containsFold reports whether needle, non-empty and lower-case, occurs in
// h when ASCII letters in h are compared without case. It looks for the
// needle's byte at index anchor, in either case, with bytes.IndexByte, which
// is vectorised: the rarer that byte, the fewer false starts to check. The
// next lower-case one is remembered, and the upper case is looked for only
// before it, so each byte is scanned for each case once, in as few calls
// as there are candidates.
func containsFold(h, needle []byte, anchor int) bool {
	if len(h) < len(needle) {
		return false
	}
	// starts[i] is the byte that must match the anchor if needle starts at i.
	starts := h[anchor : len(h)-len(needle)+anchor+1]
	lo, up := needle[anchor], needle[anchor]
	if 'a' <= lo && lo <= 'z' {
		up = lo - ('a' - 'A')
	}
	nextLo := -1
	for i := 0; i < len(starts); i++ {
		if nextLo < i {
			nextLo = len(starts)
			if k := bytes.IndexByte(starts[i:], lo); k >= 0 {
				nextLo = i + k
			}
		}
		j := nextLo
		if up != lo {
			if k := bytes.IndexByte(starts[i:j], up); k >= 0 {
				j = i + k
			}
		}
		if j == len(starts) {
			return false
		}
		i = j
		if hasPrefixFold(h[i:], needle) {
			return true
		}
	}
	return false
}

// rarest returns the index of the needle byte least common in typical keys
// and values, by byteRank.
func rarest(needle []byte) int {
	best := 0
	for i, c := range needle {
		if byteRank[c] < byteRank[needle[best]] {
			best = i
		}
	}
	return best
}

// byteRank guesses how common each byte is in record keys and values, JSON
// and English words mostly: 0 for the rarest, higher for more common.
var byteRank = func() (rank [256]uint8) {
	const mostCommonFirst = `",:etaoisnr0 1l2cdu3m54p-6h789._{}gfybwvkxjqz[]/`
	for i := range len(mostCommonFirst) {
		rank[mostCommonFirst[i]] = uint8(len(mostCommonFirst) - i)
	}
	return rank
}()

// hasPrefixFold reports whether h starts with the lower-case prefix, ASCII
// letters in h compared without case; h is at least as long as prefix.
func hasPrefixFold(h, prefix []byte) bool {
	for i, p := range prefix {
		c := h[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != p {
			return false
		}
	}
	return true
}

// evalJQ runs the jq expression on value, within its step budget.
func (f *Filter) evalJQ(ctx context.Context, value []byte) (bool, error) {
	v, ok := decodeJSON(value)
	if !ok {
		return false, nil
	}
	budget := newStepBudget(ctx, jqBudget(len(value)))
	out, ok := f.jq.RunWithContext(budget, v).Next()
	switch out := out.(type) {
	case nil:
		return false, budget.err
	case bool:
		return out, budget.err
	case error:
		// An error of the expression's own (.a of a string) is no match.
		return false, budget.err
	}
	return true, budget.err
}

// decodeJSON decodes b if it holds exactly one JSON document. Numbers stay
// json.Number, which gojq compares exactly, where float64 would round
// integers beyond 2^53.
func decodeJSON(b []byte) (any, bool) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var v any
	if dec.Decode(&v) != nil {
		return nil, false
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, false
	}
	return v, true
}

// stepBudget is the context a jq evaluation runs under. gojq looks at Done
// before each instruction it executes, so counting those calls counts steps;
// when the budget is spent, or every 1024 steps finds the evaluation's own
// context ended, the channel is closed and gojq stops, yielding Err as its
// output.
type stepBudget struct {
	context.Context
	left int
	done chan struct{}
	err  error
}

func newStepBudget(ctx context.Context, steps int) *stepBudget {
	return &stepBudget{Context: ctx, left: steps, done: make(chan struct{})}
}

// Done returns the same channel every time, as a context must, and closes
// it on the call that spends the last step or finds the context ended.
func (b *stepBudget) Done() <-chan struct{} {
	if b.err == nil {
		b.left--
		switch {
		case b.left <= 0:
			b.err = ErrStepLimit
		case b.left&1023 == 0:
			b.err = b.Context.Err()
		}
		if b.err != nil {
			close(b.done)
		}
	}
	return b.done
}

// Err is non-nil once Done is closed, as a context's must be.
func (b *stepBudget) Err() error { return b.err }

// String returns the expression as given to Parse; "" for the nil filter.
func (f *Filter) String() string {
	if f == nil {
		return ""
	}
	return f.expr
}

// Costly reports a filter whose every evaluation parses the value as
// JSON and runs a program over it (jq), microseconds a record rather than
// the tens of nanoseconds of a text search.
func (f *Filter) Costly() bool { return f != nil && f.jq != nil }

// Describe returns a short account of the filter for a status line, e.g.
// `substring "abc" in key/value/headers`, `regexp ^a in key` or
// `jq .customer.tier == "gold"`; "" for the nil filter. Patterns and jq
// expressions appear as typed, so it needs sanitizing like anything else
// put on screen.
func (f *Filter) Describe() string {
	if f == nil {
		return ""
	}
	not := ""
	if f.not {
		not = "not "
	}
	var where string
	switch f.scope {
	case inAll:
		where = "key/value/headers"
	case inKey:
		where = "key"
	case inValue:
		where = "value"
	case inHeader:
		where = "header " + f.header
	}
	switch {
	case f.jq != nil:
		return not + "jq " + f.source
	case f.re != nil:
		return not + "regexp " + f.source + " in " + where
	default:
		return fmt.Sprintf("%ssubstring %q in %s", not, f.source, where)
	}
}
