package views

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"kscope/kafkaclient"
	"kscope/views/decode"
	"kscope/views/widget"
)

// The produce form's choices of what the registry's schemas encode.
const (
	encodeNone  = "none: the bytes as typed"
	encodeValue = "encode the value"
	encodeBoth  = "encode key and value"
	encodeKey   = "encode the key"
)

// schemaFields adds to the produce form, in a session with a Schema
// Registry, the choice of encoding the key or the value with a
// subject's schema (by default <topic>-key and <topic>-value, the
// latest version, or SUBJECT@VERSION), after the value's JSON check.
func schemaFields(c *Common, topic string, fields []widget.Field) []widget.Field {
	if c.Client.Schemas == nil {
		return fields
	}
	at := len(fields)
	if i := slices.IndexFunc(fields, func(f widget.Field) bool { return f.Name == "json" }); i >= 0 {
		at = i + 1
	}
	return slices.Insert(fields, at,
		widget.Field{Name: "schema", Label: "Schema", Kind: widget.FieldChoice, Choices: []string{encodeNone, encodeValue, encodeBoth, encodeKey}},
		widget.Field{Name: "valueSubject", Label: "Value subject", Value: topic + "-value", Help: "SUBJECT (latest version) or SUBJECT@VERSION"},
		widget.Field{Name: "keySubject", Label: "Key subject", Value: topic + "-key"},
		widget.Field{Name: "message", Label: "Protobuf message", Help: "empty: the schema's first message"},
	)
}

// schemaEncoding reads what the produce form asks to encode, on the event
// loop, and returns what encodes a request that way, off it: the key and
// the value typed as JSON, checked against their subjects' schemas and
// framed with the schemas' ids. A value that does not fit is an error
// beside the field it came from, naming where in it.
func schemaEncoding(c *Common, f *widget.Form) func(context.Context, kafkaclient.ProduceRequest) (kafkaclient.ProduceRequest, error) {
	schemas := c.Client.Schemas
	choice := f.Value("schema")
	if schemas == nil || choice == "" || choice == encodeNone {
		return func(_ context.Context, r kafkaclient.ProduceRequest) (kafkaclient.ProduceRequest, error) {
			return r, nil
		}
	}
	value := choice == encodeValue || choice == encodeBoth
	key := choice == encodeKey || choice == encodeBoth
	valueSubject, keySubject, message := f.Value("valueSubject"), f.Value("keySubject"), strings.TrimSpace(f.Value("message"))
	return func(ctx context.Context, r kafkaclient.ProduceRequest) (kafkaclient.ProduceRequest, error) {
		var errs []error
		if value {
			var err error
			if r.Value, err = encodeField(ctx, schemas, "value", "valueSubject", valueSubject, message, r.Value); err != nil {
				errs = append(errs, err)
			}
		}
		if key {
			var err error
			if r.Key, err = encodeField(ctx, schemas, "key", "keySubject", keySubject, message, r.Key); err != nil {
				errs = append(errs, err)
			}
		}
		return r, errors.Join(errs...)
	}
}

// encodeField encodes one field with subject ("name" or "name@version").
// A subject that does not parse or does not exist is an error beside the
// subject field; a value that does not fit, beside the field itself.
func encodeField(ctx context.Context, schemas *decode.Schemas, field, subjectField, subject, message string, text []byte) ([]byte, error) {
	name, version, err := parseSubject(subject)
	if err != nil {
		return nil, &kafkaclient.FieldError{Field: subjectField, Msg: err.Error()}
	}
	b, err := schemas.Encode(ctx, name, version, message, text)
	var fe *decode.FieldError
	switch {
	case errors.As(err, &fe):
		return nil, &kafkaclient.FieldError{Field: field, Msg: fe.Error()}
	case errors.Is(err, kafkaclient.ErrSchemaNotFound):
		return nil, &kafkaclient.FieldError{Field: subjectField, Msg: fmt.Sprintf("no subject %s (or no such version) in the registry", subject)}
	case err != nil:
		return nil, &kafkaclient.FieldError{Field: field, Msg: err.Error()}
	}
	return b, nil
}

// parseSubject splits "name@version"; without a version it is the latest (-1).
func parseSubject(s string) (string, int, error) {
	s = strings.TrimSpace(s)
	name, v, pinned := strings.Cut(s, "@")
	switch {
	case name == "":
		return "", 0, errors.New("a subject to encode with")
	case !pinned:
		return name, -1, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 {
		return "", 0, fmt.Errorf("version %q: want SUBJECT@N with N a version number", v)
	}
	return name, n, nil
}
