package decode

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"math/big"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/twmb/avro"

	"kscope/kafkaclient"
)

// avroCodec decodes and encodes the records of one Avro schema. Decoded
// records become JSON in the schema's field order, with logical types
// written as people read them (timestamps in RFC 3339, decimals as
// numbers, UUIDs as text) rather than as their Avro JSON encodings
// (epoch milliseconds, raw bytes), and union values bare.
type avroCodec struct {
	schema *avro.Schema
	root   *avroNode
}

// avroNode is a schema node laid out once for writing JSON: references
// resolved to their definitions (a recursive type is a cycle), field
// names already quoted, union branches by the name the decoder tags
// them with.
type avroNode struct {
	typ      string // the Avro type: record, enum, array, map, union, fixed or a primitive
	logical  string
	scale    int
	fields   []avroField
	items    *avroNode // array
	values   *avroNode // map
	branches map[string]*avroNode
}

type avroField struct {
	name string
	key  []byte // `"name":`
	node *avroNode
}

// newAvroCodec parses s, after the schemas it references (theirs first),
// in one cache, so that references resolve as the registry means them.
func newAvroCodec(s *kafkaclient.Schema) (*avroCodec, error) {
	var cache avro.SchemaCache
	seen := map[*kafkaclient.Schema]bool{}
	var parseRefs func(s *kafkaclient.Schema) error
	parseRefs = func(s *kafkaclient.Schema) error {
		for _, ref := range s.References {
			if ref.Schema == nil || seen[ref.Schema] {
				continue
			}
			seen[ref.Schema] = true
			if err := parseRefs(ref.Schema); err != nil {
				return err
			}
			if _, err := cache.Parse(ref.Schema.Text); err != nil {
				return fmt.Errorf("reference %s: %w", ref.Name, err)
			}
		}
		return nil
	}
	if err := parseRefs(s); err != nil {
		return nil, err
	}
	schema, err := cache.Parse(s.Text)
	if err != nil {
		return nil, err
	}
	b := avroBuilder{defs: map[string]*avro.SchemaNode{}, built: map[*avro.SchemaNode]*avroNode{}}
	root := schema.Root()
	b.collect(root)
	return &avroCodec{schema: schema, root: b.build(root)}, nil
}

// avroBuilder lays a schema's nodes out as avroNodes.
type avroBuilder struct {
	// defs finds a named type's definition by its full name, and by its
	// short name for references written relative to a namespace.
	defs  map[string]*avro.SchemaNode
	built map[*avro.SchemaNode]*avroNode
}

// collect records every named type defined in n.
func (b *avroBuilder) collect(n *avro.SchemaNode) {
	switch n.Type {
	case "record", "error", "enum", "fixed":
		for _, name := range []string{fullName(n), n.Name} {
			if _, dup := b.defs[name]; !dup {
				b.defs[name] = n
			}
		}
	}
	for i := range n.Fields {
		b.collect(&n.Fields[i].Type)
	}
	for i := range n.Branches {
		b.collect(&n.Branches[i])
	}
	if n.Items != nil {
		b.collect(n.Items)
	}
	if n.Values != nil {
		b.collect(n.Values)
	}
}

func fullName(n *avro.SchemaNode) string {
	if strings.Contains(n.Name, ".") || n.Namespace == "" {
		return n.Name
	}
	return n.Namespace + "." + n.Name
}

// primitive and complex type names, which are never references.
var avroKeywords = map[string]bool{
	"null": true, "boolean": true, "int": true, "long": true, "float": true, "double": true,
	"string": true, "bytes": true, "record": true, "error": true, "enum": true, "array": true,
	"map": true, "fixed": true, "union": true,
}

// def is the definition n stands for: n itself, or the named type it refers to.
func (b *avroBuilder) def(n *avro.SchemaNode) *avro.SchemaNode {
	if avroKeywords[n.Type] {
		return n
	}
	if d := b.defs[n.Type]; d != nil {
		return d
	}
	if i := strings.LastIndexByte(n.Type, '.'); i >= 0 {
		if d := b.defs[n.Type[i+1:]]; d != nil {
			return d
		}
	}
	return n
}

// build lays n out, once per definition, so recursive types end.
func (b *avroBuilder) build(n *avro.SchemaNode) *avroNode {
	n = b.def(n)
	if out := b.built[n]; out != nil {
		return out
	}
	out := &avroNode{typ: n.Type, logical: n.LogicalType, scale: n.Scale}
	b.built[n] = out
	for i := range n.Fields {
		f := &n.Fields[i]
		out.fields = append(out.fields, avroField{name: f.Name, key: append(appendJSONString(nil, f.Name), ':'), node: b.build(&f.Type)})
	}
	if n.Items != nil {
		out.items = b.build(n.Items)
	}
	if n.Values != nil {
		out.values = b.build(n.Values)
	}
	if len(n.Branches) > 0 {
		out.branches = map[string]*avroNode{}
		for i := range n.Branches {
			d := b.def(&n.Branches[i])
			// TaggedUnions names a branch by its type, or a named type by its full name.
			name := d.Type
			switch d.Type {
			case "record", "error", "enum", "fixed":
				name = fullName(d)
			}
			out.branches[name] = b.build(d)
		}
	}
	return out
}

// decode turns one Avro-encoded record into compact JSON.
func (c *avroCodec) decode(payload []byte) ([]byte, error) {
	var v any
	rest, err := c.schema.Decode(payload, &v, avro.TaggedUnions(), avro.AliasInput())
	if err != nil {
		return nil, err
	}
	if len(rest) > 0 {
		return nil, fmt.Errorf("%d bytes left over after the record", len(rest))
	}
	return appendAvro(make([]byte, 0, 2*len(payload)+16), c.root, v), nil
}

// encode turns JSON typed by a person into the schema's binary encoding.
// It takes what decode writes: unions bare (or as {"branch": value}),
// timestamps as RFC 3339 text or epoch numbers, decimals as numbers or
// numeric text, missing fields from their defaults. Errors name the field.
func (c *avroCodec) encode(text []byte) ([]byte, error) {
	dec := json.NewDecoder(bytes.NewReader(text))
	dec.UseNumber() // a long keeps all its digits, a decimal its scale
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, fmt.Errorf("not valid JSON: %w", err)
	}
	if dec.More() {
		return nil, errors.New("not valid JSON: more than one value")
	}
	return c.schema.Encode(v)
}

// appendAvro writes v, decoded with the schema node n, as JSON.
func appendAvro(dst []byte, n *avroNode, v any) []byte {
	if v == nil {
		return append(dst, "null"...)
	}
	switch n.typ {
	case "record", "error":
		m, ok := v.(map[string]any)
		if !ok {
			break
		}
		dst = append(dst, '{')
		for i := range n.fields {
			f := &n.fields[i]
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = appendAvro(append(dst, f.key...), f.node, m[f.name])
		}
		return append(dst, '}')
	case "array":
		a, ok := v.([]any)
		if !ok {
			break
		}
		dst = append(dst, '[')
		for i, e := range a {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = appendAvro(dst, n.items, e)
		}
		return append(dst, ']')
	case "map":
		m, ok := v.(map[string]any)
		if !ok {
			break
		}
		keys := make([]string, 0, len(m))
		for k := range m {
			keys = append(keys, k)
		}
		slices.Sort(keys) // the same record always reads the same
		dst = append(dst, '{')
		for i, k := range keys {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = appendAvro(append(appendJSONString(dst, k), ':'), n.values, m[k])
		}
		return append(dst, '}')
	case "union":
		// Decoded with TaggedUnions, a union's value comes as
		// {"branch": value}, which tells the node that formats it; it is
		// written bare.
		if m, ok := v.(map[string]any); ok && len(m) == 1 {
			for tag, inner := range m {
				if b := n.branches[tag]; b != nil {
					return appendAvro(dst, b, inner)
				}
				return appendAvroScalar(dst, n, inner)
			}
		}
	}
	return appendAvroScalar(dst, n, v)
}

// appendAvroScalar writes a value that is not a container: primitives,
// enums, fixed and the logical types, as the decoder gave them.
func appendAvroScalar(dst []byte, n *avroNode, v any) []byte {
	switch x := v.(type) {
	case nil:
		return append(dst, "null"...)
	case bool:
		return strconv.AppendBool(dst, x)
	case int32:
		return strconv.AppendInt(dst, int64(x), 10)
	case int64:
		return strconv.AppendInt(dst, x, 10)
	case int:
		return strconv.AppendInt(dst, int64(x), 10)
	case float32:
		return appendFloat(dst, float64(x), 32)
	case float64:
		return appendFloat(dst, x, 64)
	case string:
		return appendJSONString(dst, x)
	case []byte:
		return appendJSONString(dst, latin1(x))
	case [16]byte:
		if n.logical == "uuid" {
			return appendJSONString(dst, uuidText(x[:]))
		}
		return appendJSONString(dst, latin1(x[:]))
	case time.Time:
		return appendJSONString(dst, timeText(n.logical, x))
	case time.Duration:
		return appendJSONString(dst, clockText(x))
	case *big.Rat:
		return append(dst, x.FloatString(max(n.scale, 0))...)
	case avro.Duration:
		return fmt.Appendf(dst, `{"months":%d,"days":%d,"milliseconds":%d}`, x.Months, x.Days, x.Milliseconds)
	}
	// Nothing else is expected from the decoder; should it come, it is
	// shown rather than lost.
	b, err := json.Marshal(v)
	if err != nil {
		return appendJSONString(dst, fmt.Sprint(v))
	}
	return append(dst, b...)
}

// appendFloat writes f as JSON would, and NaN and the infinities as the
// strings Avro's JSON encoding uses for them.
func appendFloat(dst []byte, f float64, bits int) []byte {
	switch {
	case math.IsNaN(f):
		return append(dst, `"NaN"`...)
	case math.IsInf(f, 1):
		return append(dst, `"Infinity"`...)
	case math.IsInf(f, -1):
		return append(dst, `"-Infinity"`...)
	}
	format := byte('f')
	if a := math.Abs(f); a != 0 && (a < 1e-6 || a >= 1e21) {
		format = 'e'
	}
	return strconv.AppendFloat(dst, f, format, -1, bits)
}

// latin1 maps each byte to the code point of the same number, as Avro's
// JSON encoding writes bytes and fixed values.
func latin1(b []byte) string {
	r := make([]rune, len(b))
	for i, c := range b {
		r[i] = rune(c)
	}
	return string(r)
}

func uuidText(b []byte) string {
	const hex = "0123456789abcdef"
	out := make([]byte, 0, 36)
	for i, c := range b {
		if i == 4 || i == 6 || i == 8 || i == 10 {
			out = append(out, '-')
		}
		out = append(out, hex[c>>4], hex[c&0xf])
	}
	return string(out)
}

// timeText writes a date as a date, a local timestamp without a zone, and
// other timestamps in UTC.
func timeText(logical string, t time.Time) string {
	switch {
	case logical == "date":
		return t.UTC().Format(time.DateOnly)
	case strings.HasPrefix(logical, "local-timestamp"):
		return t.UTC().Format("2006-01-02T15:04:05.999999999")
	}
	return t.UTC().Format(time.RFC3339Nano)
}

// clockText writes a time of day (time-millis, time-micros).
func clockText(d time.Duration) string {
	return time.Time{}.Add(d).Format("15:04:05.999999")
}

// appendJSONString writes s as a JSON string; invalid UTF-8 becomes
// U+FFFD, since JSON cannot carry it.
func appendJSONString(dst []byte, s string) []byte {
	dst = append(dst, '"')
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			switch {
			case c == '"' || c == '\\':
				dst = append(dst, '\\', c)
			case c == '\n':
				dst = append(dst, '\\', 'n')
			case c == '\r':
				dst = append(dst, '\\', 'r')
			case c == '\t':
				dst = append(dst, '\\', 't')
			case c < 0x20 || c == 0x7f:
				dst = fmt.Appendf(dst, `\u%04x`, c)
			default:
				dst = append(dst, c)
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			dst = append(dst, `\ufffd`...)
		} else {
			dst = append(dst, s[i:i+size]...)
		}
		i += size
	}
	return append(dst, '"')
}
