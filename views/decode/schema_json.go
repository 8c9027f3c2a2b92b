package decode

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"golang.org/x/text/language"
	"golang.org/x/text/message"

	"kscope/kafkaclient"
)

// jsonSchemaBase is the address the registered schema is compiled at;
// references named by a relative path resolve against it, as they would
// against the registry's own base.
const jsonSchemaBase = "https://schema-registry.kscope.invalid/schema.json"

// maxSchemaErrors bounds how many of a value's faults a refusal lists.
const maxSchemaErrors = 3

// jsonCodec checks JSON values against one JSON Schema. Records framed
// with a JSON Schema carry plain JSON, which needs no decoding.
type jsonCodec struct {
	schema *jsonschema.Schema
}

// refuseLoader keeps the validator from reading anything a schema names
// that the registry did not give: a hostile schema's $ref to a file or a
// URL loads nothing.
type refuseLoader struct{}

func (refuseLoader) Load(u string) (any, error) {
	return nil, fmt.Errorf("%s is not among the schema's references", u)
}

// newJSONCodec compiles s with its references, each at the address the
// schema names it by.
func newJSONCodec(s *kafkaclient.Schema) (*jsonCodec, error) {
	c := jsonschema.NewCompiler()
	c.UseLoader(refuseLoader{})
	base, _ := url.Parse(jsonSchemaBase)
	added := map[string]bool{}
	var add func(loc string, s *kafkaclient.Schema) error
	add = func(loc string, s *kafkaclient.Schema) error {
		if added[loc] {
			return nil
		}
		added[loc] = true
		doc, err := jsonschema.UnmarshalJSON(strings.NewReader(s.Text))
		if err != nil {
			return fmt.Errorf("%s: not JSON: %w", loc, err)
		}
		if err := c.AddResource(loc, doc); err != nil {
			return err
		}
		for _, ref := range s.References {
			if ref.Schema == nil {
				continue
			}
			u, err := url.Parse(ref.Name)
			if err != nil {
				return fmt.Errorf("reference %q is not a URL", ref.Name)
			}
			if err := add(base.ResolveReference(u).String(), ref.Schema); err != nil {
				return err
			}
		}
		return nil
	}
	if err := add(jsonSchemaBase, s); err != nil {
		return nil, err
	}
	schema, err := c.Compile(jsonSchemaBase)
	if err != nil {
		return nil, errors.New(strings.ReplaceAll(err.Error(), jsonSchemaBase, "schema"))
	}
	return &jsonCodec{schema: schema}, nil
}

// decode returns the record's JSON, compacted.
func (c *jsonCodec) decode(payload []byte) ([]byte, error) {
	var buf bytes.Buffer
	if err := json.Compact(&buf, payload); err != nil {
		return nil, fmt.Errorf("not valid JSON: %w", err)
	}
	return buf.Bytes(), nil
}

// encode checks text against the schema and returns it compacted; a
// refusal names where in the value each fault is.
func (c *jsonCodec) encode(text []byte) ([]byte, error) {
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(text))
	if err != nil {
		return nil, fmt.Errorf("not valid JSON: %w", err)
	}
	if err := c.schema.Validate(v); err != nil {
		var ve *jsonschema.ValidationError
		if errors.As(err, &ve) {
			return nil, errors.New(faults(ve))
		}
		return nil, err
	}
	return c.decode(text)
}

// faults lists the deepest causes of a refusal, each after the JSON
// pointer of the value it concerns ("/amount: must be >= 0").
func faults(ve *jsonschema.ValidationError) string {
	p := message.NewPrinter(language.English)
	var out []string
	var walk func(e *jsonschema.ValidationError)
	walk = func(e *jsonschema.ValidationError) {
		if len(out) == maxSchemaErrors {
			return
		}
		if len(e.Causes) == 0 {
			out = append(out, "/"+strings.Join(e.InstanceLocation, "/")+": "+e.ErrorKind.LocalizedString(p))
			return
		}
		for _, c := range e.Causes {
			walk(c)
		}
	}
	walk(ve)
	return strings.Join(out, "; ")
}
