package filter

import (
	"bytes"
	"context"
	"errors"
	"runtime"
	"strings"
	"sync"
	"testing"

	"kscope/kafkaclient"
)

func rec(key, value string, headers ...string) *kafkaclient.Record {
	r := &kafkaclient.Record{Topic: "orders", Key: []byte(key), Value: []byte(value)}
	for i := 0; i+1 < len(headers); i += 2 {
		r.Headers = append(r.Headers, kafkaclient.Header{Key: []byte(headers[i]), Value: []byte(headers[i+1])})
	}
	return r
}

var (
	order = rec("Order-42",
		`{"customer":{"tier":"gold","name":"Zoë"},"amount":150.5,"currency":"EUR","items":[1,2,3],"id":9007199254740993,"note":null,"ok":false}`,
		"trace-id", "abc123", "content-type", "application/json", "retry", "1", "retry", "2")
	plain   = rec("k1", "Hello, World", "Trace-Id", "XYZ")
	binary  = rec("\xff\xfe\x00key", "\xc3\x28 GOLD \x80\xff", "\xff", "\xfe\xfd", "bin", "\x00\x01")
	empty   = &kafkaclient.Record{}
	scalars = rec("", `42`)
)

func TestMatch(t *testing.T) {
	tests := []struct {
		expr string
		r    *kafkaclient.Record
		want bool
	}{
		// substring, all fields
		{"gold", order, true},
		{"GOLD", order, true},
		{"GoLd", binary, true},
		{"order-42", order, true},
		{"ABC1", order, true},      // header value
		{"trace-id", order, false}, // header keys are not searched
		{"application/JSON", order, true},
		{"platinum", order, false},
		{"world", plain, true},
		{"o, w", plain, true},
		{"hello, world!", plain, false},
		{"zoë", order, true},
		{"ZOË", order, false}, // only ASCII letters fold
		{"9007199254740993", order, true},
		{"\x00key", binary, true},
		{"\xfe\xfd", binary, true},
		{"x", empty, false},
		{"text:.com", rec("", "mail@example.COM"), true},
		{"text:re:x", rec("", "re:X"), true},
		{"text:re:x", rec("", "x"), false},

		// scopes
		{"key:order", order, true},
		{"key:gold", order, false},
		{"value:gold", order, true},
		{"value:order-42", order, false},
		{"value:.com", rec("", "example.com"), true},
		{"header:trace-id:ABC", order, true},
		{"header:trace-id:abc9", order, false},
		{"header:Trace-Id:abc", order, false}, // names are exact
		{"header:Trace-Id:xyz", plain, true},
		{"header:retry:2", order, true}, // any of a repeated header
		{"header:missing:abc", order, false},
		{"header:missing:re:.*", order, false},
		{"header:bin:\x01", binary, true},
		{"key:text:re:", rec("re:", ""), true},

		// inverted
		{"!gold", order, false},
		{"!platinum", order, true},
		{"!key:re:^Order", order, false},
		{"!key:re:^Test", order, true},
		{`!.customer.tier == "silver"`, order, true},
		{`!.`, plain, true}, // what never matches, inverted, always does
		{"text:!x", rec("", "a!x"), true},
		{"text:!x", rec("", "ax"), false},

		// regexp
		{`re:^Order-\d+$`, order, true},
		{`re:^order`, order, false},
		{`re:(?i)^order`, order, true},
		{`re:"tier":"(gold|silver)"`, order, true},
		{`re:platinum`, order, false},
		{`key:re:^Order`, order, true},
		{`key:re:^$`, empty, true},
		{`value:re:^\{`, order, true},
		{`header:trace-id:re:^abc`, order, true},
		{`header:trace-id:re:^123`, order, false},
		{`re:GOLD`, binary, true},
		{`re:\xff`, binary, false}, // \xff is the rune U+00FF, not the byte
		{`re:.`, empty, false},

		// jq
		{`.customer.tier == "gold"`, order, true},
		{`.customer.tier == "silver"`, order, false},
		{`jq:.customer.tier == "gold"`, order, true},
		{`jq: .amount > 100`, order, true},
		{`.amount > 100 and .currency == "EUR"`, order, true},
		{`.amount > 200 or .currency == "USD"`, order, false},
		{`.items | length > 2`, order, true},
		{`.items | length > 3`, order, false},
		{`.id == 9007199254740993`, order, true},
		{`.id == 9007199254740992`, order, false}, // float64 would round both to 2^53
		{`.customer`, order, true},
		{`.missing`, order, false},
		{`.note`, order, false},
		{`.ok`, order, false},
		{`.items[0]`, order, true},         // numbers are truthy, zero too
		{`.customer.tier.x`, order, false}, // error: cannot index a string
		{`.items[]`, order, true},          // first output only
		{`jq:empty`, order, false},         // no output
		{`jq:. == 42`, scalars, true},
		{`.`, plain, false},  // not JSON
		{`.`, binary, false}, // not JSON
		{`.`, empty, false},  // no value
		{`.`, rec("", `{"a":1} {"b":2}`), false},
		{`.`, rec("", `{"a":1}x`), false},
		{`.a`, rec("", " {\"a\":1}\n"), true},
		{`jq:true`, empty, false}, // no value is not JSON null
		{`jq:repeat(.)`, order, true},
		{`jq:range(1e18) | select(. == 1)`, order, true},
		{`jq:until(false; .)`, order, false},
		{`jq:def f: f; f`, order, false},
		{`jq:halt_error`, order, false},
	}
	for _, tt := range tests {
		f, err := Parse(tt.expr)
		if err != nil {
			t.Errorf("Parse(%q): %v", tt.expr, err)
			continue
		}
		if got := matches(f, tt.r); got != tt.want {
			t.Errorf("Parse(%q).Eval(key %q, value %q) = %v, want %v", tt.expr, tt.r.Key, tt.r.Value, got, tt.want)
		}
	}
}

func TestEmpty(t *testing.T) {
	f, err := Parse("")
	if f != nil || err != nil {
		t.Fatalf(`Parse("") = %v, %v; want nil, nil`, f, err)
	}
	for _, r := range []*kafkaclient.Record{order, binary, empty} {
		if !matches(f, r) {
			t.Errorf("nil filter rejected %q", r.Value)
		}
	}
	if f.String() != "" || f.Describe() != "" {
		t.Errorf("nil filter: String %q, Describe %q; want empty", f.String(), f.Describe())
	}
}

func TestParseText(t *testing.T) {
	tests := []struct {
		expr, text string
		want       bool
	}{
		{"orders", "ORDERS-v2 12 3", true},
		{"!orders", "orders-v2", false},
		{"!orders", "payments", true},
		{`re:^orders-v\d$`, "orders-v2", true},
		{`!re:^orders`, "user-orders", true},
		{"text:re:x", "re:x", true},
		{"", "anything", true},
	}
	for _, tt := range tests {
		f, err := ParseText(tt.expr)
		if err != nil {
			t.Errorf("ParseText(%q): %v", tt.expr, err)
			continue
		}
		if got := f.MatchText(tt.text); got != tt.want {
			t.Errorf("ParseText(%q).MatchText(%q) = %v, want %v", tt.expr, tt.text, got, tt.want)
		}
	}
	for _, expr := range []string{".a == 1", "jq:.a", "key:x", "!value:re:x", "header:h:x"} {
		if f, err := ParseText(expr); err == nil || f != nil || !strings.Contains(err.Error(), "re:PATTERN") {
			t.Errorf("ParseText(%q) = %v, %v; want an error naming the forms a list takes", expr, f, err)
		}
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct{ expr, want string }{
		{"re:(a", "missing closing )"},
		{"re:a**", "invalid nested repetition operator"},
		{"key:re:[z-a]", "invalid character class range"},
		{"re:", "re: needs a pattern"},
		{".a ==", "jq: unexpected EOF"},
		{".a | foo", "function not defined: foo/0"},
		{`.a = = 1`, `jq: unexpected token "="`},
		{"jq:", "jq: missing query"},
		{"jq:input", "input(s)/0 is not allowed"},
		{".a | debug", "function not defined: debug/0"},
		{"header:trace-id", "header:NAME:TEXT"},
		{"header::abc", "header:NAME:TEXT"},
		{"header:trace-id:", `nothing to match after "header:trace-id:"`},
		{"key:", `nothing to match after "key:"`},
		{"value:text:", `nothing to match after "value:text:"`},
		{"text:", `nothing to match after "text:"`},
		{"!", `nothing to match after "!"`},
		{"!re:", "re: needs a pattern"},
	}
	for _, tt := range tests {
		f, err := Parse(tt.expr)
		if err == nil {
			t.Errorf("Parse(%q) = %v, want an error", tt.expr, f.Describe())
			continue
		}
		if f != nil {
			t.Errorf("Parse(%q) returned a filter with its error", tt.expr)
		}
		if !strings.Contains(err.Error(), tt.want) {
			t.Errorf("Parse(%q) error %q does not say %q", tt.expr, err, tt.want)
		}
	}
}

func TestDescribe(t *testing.T) {
	tests := []struct{ expr, want string }{
		{"abc", `substring "abc" in key/value/headers`},
		{"ABC", `substring "ABC" in key/value/headers`},
		{"text:.com", `substring ".com" in key/value/headers`},
		{"key:abc", `substring "abc" in key`},
		{"value:abc", `substring "abc" in value`},
		{"header:trace-id:abc", `substring "abc" in header trace-id`},
		{"re:^a", "regexp ^a in key/value/headers"},
		{"key:re:^a", "regexp ^a in key"},
		{"header:trace-id:re:^abc", "regexp ^abc in header trace-id"},
		{`.customer.tier == "gold"`, `jq .customer.tier == "gold"`},
		{`jq: .amount > 100 `, `jq .amount > 100`},
		{"repeat(.)", `substring "repeat(.)" in key/value/headers`},
		{"tab\there", `substring "tab\there" in key/value/headers`},
		{"!abc", `not substring "abc" in key/value/headers`},
		{"!key:re:^a", "not regexp ^a in key"},
	}
	for _, tt := range tests {
		f, err := Parse(tt.expr)
		if err != nil {
			t.Errorf("Parse(%q): %v", tt.expr, err)
			continue
		}
		if got := f.Describe(); got != tt.want {
			t.Errorf("Parse(%q).Describe() = %q, want %q", tt.expr, got, tt.want)
		}
		if got := f.String(); got != tt.expr {
			t.Errorf("Parse(%q).String() = %q", tt.expr, got)
		}
	}
}

// TestContainsFold compares the search with a plain lower-case-both-sides
// reference over every substring of a text that has both cases of letters,
// repeated first bytes and non-letters.
func TestContainsFold(t *testing.T) {
	asciiLower := func(b []byte) []byte {
		out, _ := lower(string(b))
		return out
	}
	hay := []byte("aAab-ABBA_aaAb\xffzZ9a")
	for i := range hay {
		for j := i + 1; j <= len(hay); j++ {
			needle := asciiLower(hay[i:j])
			for _, h := range [][]byte{hay, hay[1:], hay[:len(hay)-1], []byte("xx"), nil} {
				want := bytes.Contains(asciiLower(h), needle)
				for anchor := range needle {
					if got := containsFold(h, needle, anchor); got != want {
						t.Errorf("containsFold(%q, %q, %d) = %v, want %v", h, needle, anchor, got, want)
					}
				}
			}
		}
	}
}

// matches is Eval without a context to end it, and without its error.
func matches(f *Filter, r *kafkaclient.Record) bool {
	ok, _ := f.Eval(context.Background(), r)
	return ok
}

// TestJQStepBudget: expressions that never produce an output, or that
// build without end, stop at the step budget whatever they do, inverted or
// not, and say so; what they allocate meanwhile stays within a few
// megabytes on a small record. An ended context stops them too.
func TestJQStepBudget(t *testing.T) {
	for _, expr := range []string{
		`jq:until(false; .)`, `jq:[range(1e9)]`, `jq:[repeat(.)]`, `jq:last(repeat(.))`, `jq:last(range(1e18))`,
		`jq:def f: f; f`, `jq:def f: [f]; f`, `jq:def f: 1 + f; f`, `jq:def f(g): f(g|g); f(.)`,
		`jq:[range(1e9) | {a: .}]`, `!jq:until(false; .)`, `jq:try until(false; .) catch true`,
	} {
		f, err := Parse(expr)
		if err != nil {
			t.Fatal(err)
		}
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		ok, err := f.Eval(context.Background(), order)
		runtime.ReadMemStats(&after)
		if ok || !errors.Is(err, ErrStepLimit) {
			t.Errorf("%s: Eval = %v, %v; want false, ErrStepLimit", expr, ok, err)
		}
		if mb := (after.TotalAlloc - before.TotalAlloc) >> 20; mb > 32 {
			t.Errorf("%s allocated %d MB within its budget", expr, mb)
		}
	}
	if got := jqBudget(len(order.Value)); got != jqBaseSteps+jqStepsPerByte*len(order.Value) {
		t.Errorf("budget of a small record: %d steps", got)
	}
	if got := jqBudget(10 << 20); got != jqMaxSteps {
		t.Errorf("budget of a 10 MB record: %d steps", got)
	}

	f, _ := Parse(`jq:until(false; .)`)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if ok, err := f.Eval(ctx, order); ok || !errors.Is(err, context.Canceled) {
		t.Errorf("with its context ended: Eval = %v, %v", ok, err)
	}
}

// TestConcurrentMatch shares one Filter of each kind between goroutines, for
// the race detector.
func TestConcurrentMatch(t *testing.T) {
	for _, expr := range []string{"gold", "re:(?i)gold", `header:trace-id:abc`, `.customer.tier == "gold"`} {
		f, err := Parse(expr)
		if err != nil {
			t.Fatal(err)
		}
		var wg sync.WaitGroup
		for range 8 {
			wg.Go(func() {
				for range 200 {
					if !matches(f, order) {
						t.Errorf("%s: no match", expr)
						return
					}
				}
			})
		}
		wg.Wait()
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"", "gold", "GOLD", "text:re:x", "re:^a.*b$", "re:(a", "key:abc", "value:re:x", "header:h:v",
		"header:h:re:^v", "header::", "header:h", ".", ".a.b", `.a == "x"`, "jq:.[0]", ".a ==",
		".items | length > 2", "jq:until(false; .)", "jq:[.[]?] | length", `.. | numbers`, "\xff", "re:\xff",
	} {
		f.Add(s)
	}
	records := []*kafkaclient.Record{order, plain, binary, empty, scalars,
		rec("", `[1,[2,[3]],{"a":{"b":null}},"s",true,-1.5e300,123456789012345678901234567890]`)}
	f.Fuzz(func(t *testing.T, expr string) {
		flt, err := Parse(expr)
		if err != nil {
			if flt != nil {
				t.Fatalf("Parse(%q) returned a filter with its error", expr)
			}
			return
		}
		if (flt == nil) != (expr == "") {
			t.Fatalf("Parse(%q) = %v", expr, flt)
		}
		if flt.String() != expr {
			t.Fatalf("Parse(%q).String() = %q", expr, flt.String())
		}
		_ = flt.Describe()
		for _, r := range records {
			_, _ = flt.Eval(context.Background(), r)
		}
	})
}

// benchValue is a typical JSON value of 100 bytes.
const benchValue = `{"orderId":"ord-5581","customer":{"id":"c-20931","tier":"silver"},"amount":1290.50,"currency":"EUR"}`

func benchRecord(value string) *kafkaclient.Record {
	return rec("ord-5581", value, "trace-id", "4bf92f3577b34da6", "source", "checkout")
}

func benchMatch(b *testing.B, expr string, r *kafkaclient.Record, want bool) {
	f, err := Parse(expr)
	if err != nil {
		b.Fatal(err)
	}
	if matches(f, r) != want {
		b.Fatalf("%s: Eval != %v", expr, want)
	}
	b.ReportAllocs()
	for b.Loop() {
		_, _ = f.Eval(context.Background(), r)
	}
}

func BenchmarkMatchSubstring(b *testing.B) {
	if len(benchValue) != 100 {
		b.Fatalf("value is %d bytes", len(benchValue))
	}
	benchMatch(b, "refund", benchRecord(benchValue), false)
}

func BenchmarkMatchRegexp(b *testing.B) {
	benchMatch(b, `re:ord-9\d+`, benchRecord(benchValue), false)
}

func BenchmarkMatchJQ(b *testing.B) {
	value := `{"orderId":"ord-5581","customer":{"id":"c-20931","tier":"gold","since":2019},"amount":129.5,"currency":"EUR","items":[{"sku":"A1","qty":2}]}`
	benchMatch(b, `.customer.tier == "gold" and .amount > 100`, benchRecord(value), true)
}

// FuzzContainsFold checks the search against lower-casing both sides.
func FuzzContainsFold(f *testing.F) {
	f.Add([]byte("Hello, World"), []byte("o, w"), 0)
	f.Add([]byte("aAaAb"), []byte("AB"), 1)
	f.Fuzz(func(t *testing.T, h, needle []byte, anchor int) {
		if len(needle) == 0 {
			return
		}
		needle, _ = lower(string(needle))
		anchor = int(uint(anchor) % uint(len(needle)))
		lh, _ := lower(string(h))
		if got, want := containsFold(h, needle, anchor), bytes.Contains(lh, needle); got != want {
			t.Fatalf("containsFold(%q, %q, %d) = %v, want %v", h, needle, anchor, got, want)
		}
	})
}

// Only jq filters parse every value: they are the costly ones.
func TestCostly(t *testing.T) {
	for expr, want := range map[string]bool{"jq:.a == 1": true, "!jq:.a": true, "GOLD": false, "value:GOLD": false, "re:^a": false, "header:k:v": false, ".a == 1": true} {
		f, err := Parse(expr)
		if err != nil {
			t.Fatalf("%s: %v", expr, err)
		}
		if f.Costly() != want {
			t.Errorf("%s: costly %v", expr, f.Costly())
		}
	}
	if (*Filter)(nil).Costly() {
		t.Error("no filter is costly")
	}
}
