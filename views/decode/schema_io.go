package decode

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"

	"github.com/twmb/avro"

	"kscope/kafkaclient"
)

// Exported is a framed field as an export writes it.
type Exported struct {
	// JSON is the decoded value, compact; nil when it was not decoded.
	JSON []byte
	// SchemaID and SchemaGUID name the schema as the record did; Type is
	// the registry's name for its kind (AVRO, PROTOBUF, JSON).
	SchemaID   int
	SchemaGUID string
	Type       kafkaclient.SchemaType
	// Err says why the field was not decoded.
	Err string
}

// Export decodes r's key or value for an export, waiting for its schema
// as long as ctx lasts: an export runs off the event loop, and should
// hold what a person would see. framed is false for a field that is not
// framed for a registry, or in a session without one.
func (s *Schemas) Export(ctx context.Context, r *kafkaclient.Record, key bool) (e Exported, framed bool) {
	if s == nil {
		return Exported{}, false
	}
	res := s.decodeField(ctx, r, key, true)
	if res == nil {
		return Exported{}, false
	}
	e.SchemaID, e.SchemaGUID = res.frame.key.id, res.frame.key.guid
	if res.codec != nil {
		e.Type = res.codec.schema.Type
		if e.SchemaGUID != "" {
			e.SchemaID = res.codec.schema.ID
		}
	}
	switch {
	case res.err != nil:
		e.Err = res.err.Error()
	case res.pending:
		e.Err = res.waiting()
	default:
		e.JSON = res.json
	}
	return e, true
}

// FieldError is a value that does not fit its schema; Path says where in
// the value, when the library that refused it said.
type FieldError struct {
	Path string
	Err  error
}

// Error says where, then what.
func (e *FieldError) Error() string {
	if e.Path == "" {
		return e.Err.Error()
	}
	return e.Path + ": " + e.Err.Error()
}

// Unwrap returns what the encoder said.
func (e *FieldError) Unwrap() error { return e.Err }

// Encode turns text, JSON typed by a person, into the wire format of
// version of subject (-1: the latest): checked against the schema, encoded
// in its type, framed with its id (and, for Protobuf, the index path of
// message, or of the first message when message is empty). A value that
// does not fit is a *FieldError naming the field where the library says.
func (s *Schemas) Encode(ctx context.Context, subject string, version int, message string, text []byte) ([]byte, error) {
	switch {
	case s == nil:
		return nil, errors.New(noRegistry)
	case s.broken != nil:
		return nil, s.broken
	}
	sch, _, err := s.reg.SubjectSchema(ctx, subject, version)
	if err != nil {
		return nil, err
	}
	c, _, err := s.lookup(ctx, schemaKey{id: sch.ID}, true)
	if err != nil {
		return nil, err
	}
	var payload []byte
	var index []int
	switch c.kind {
	case KindProtobuf:
		payload, index, err = c.proto.encode(message, text)
	case KindJSONSchema:
		payload, err = c.json.encode(text)
	default:
		payload, err = c.avro.encode(text)
	}
	if err != nil {
		return nil, fieldError(err)
	}
	return appendFrame(make([]byte, 0, len(payload)+16), sch.ID, index, payload)
}

// jsonKind names what a JSON value decoded as t is.
func jsonKind(t reflect.Type) string {
	switch {
	case t == nil:
		return "null"
	case t == reflect.TypeFor[json.Number]():
		return "a number"
	}
	switch t.Kind() {
	case reflect.String:
		return "text"
	case reflect.Bool:
		return "true or false"
	case reflect.Map:
		return "an object"
	case reflect.Slice:
		return "an array"
	}
	return t.String()
}

// fieldError finds where in the value an encoder's error is: Avro names
// the field path; the JSON Schema faults already start with theirs.
func fieldError(err error) error {
	var se *avro.SemanticError
	if errors.As(err, &se) && se.Field != "" {
		inner := se.Err
		if inner == nil {
			inner = fmt.Errorf("%s cannot be Avro type %s", jsonKind(se.GoType), se.AvroType)
		}
		return &FieldError{Path: "/" + strings.ReplaceAll(se.Field, ".", "/"), Err: inner}
	}
	return &FieldError{Err: err}
}
