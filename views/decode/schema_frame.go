package decode

import (
	"fmt"
	"math"

	"github.com/twmb/franz-go/pkg/sr"

	"kscope/kafkaclient"
)

// The record headers in which newer serializers carry a key's or a
// value's schema instead of framing the bytes with it.
const (
	KeySchemaHeader   = "__key_schema_id"
	ValueSchemaHeader = "__value_schema_id"
)

// magicGUID starts a schema's GUID in a header: the byte 1 and 16 bytes.
// (A 0 and a 4-byte id, sr.ConfluentHeader's format, may start either.)
const magicGUID = 1

// frame is where a framed field's schema and payload are.
type frame struct {
	key schemaKey
	// payload is what follows the id: for Protobuf framed in the bytes,
	// the message-index path and then the message.
	payload []byte
	// header is set when the id came from a header; index is what
	// followed it there: for Protobuf, the message-index path.
	header bool
	index  []byte
}

// frameOf finds how r's key or value names its schema: a schema-id
// header for the field, else the magic byte 0 and a 4-byte id at the
// start of the bytes. framed is false for a field that does neither; a
// header that is there but not a schema id is framed, with an error.
func frameOf(r *kafkaclient.Record, key bool) (f frame, framed bool, err error) {
	name := ValueSchemaHeader
	if key {
		name = KeySchemaHeader
	}
	b := field(r, key)
	// The last header wins, as Kafka's own Headers.lastHeader has it.
	for i := len(r.Headers) - 1; i >= 0; i-- {
		h := r.Headers[i]
		if string(h.Key) != name {
			continue
		}
		f = frame{payload: b, header: true}
		v := h.Value
		if id, rest, ok := schemaID(v); ok {
			f.key.id, f.index = id, rest
			return f, true, nil
		}
		if len(v) >= 17 && v[0] == magicGUID {
			f.key.guid, f.index = uuidText(v[1:17]), v[17:]
			return f, true, nil
		}
		return f, true, fmt.Errorf("header %s is not a schema id (want the byte 0 and an id, or 1 and a GUID)", name)
	}
	id, rest, ok := schemaID(b)
	if !ok {
		return frame{}, false, nil
	}
	return frame{key: schemaKey{id: id}, payload: rest}, true, nil
}

// schemaID reads the magic byte 0 and a schema id from the start of b;
// registries number schemas with positive 32-bit integers.
func schemaID(b []byte) (int, []byte, bool) {
	var h sr.ConfluentHeader
	id, rest, err := h.DecodeID(b)
	if err != nil || id > math.MaxInt32 {
		return 0, nil, false
	}
	return id, rest, true
}

// protoIndex takes the Protobuf message-index path off the frame: from
// the header it came in, or from the front of the payload.
func (f frame) protoIndex() (path []int, payload []byte, err error) {
	var h sr.ConfluentHeader
	if f.header {
		if len(f.index) == 0 {
			return nil, f.payload, nil
		}
		path, _, err = h.DecodeIndex(f.index, maxIndexPath)
		if err != nil {
			return nil, nil, fmt.Errorf("the message-index path in the header does not read: %w", err)
		}
		return path, f.payload, nil
	}
	path, payload, err = h.DecodeIndex(f.payload, maxIndexPath)
	if err != nil {
		return nil, nil, fmt.Errorf("the message-index path does not read: %w", err)
	}
	return path, payload, nil
}

// appendFrame frames payload with id as Confluent's serializers do,
// with the message-index path for Protobuf.
func appendFrame(dst []byte, id int, index []int, payload []byte) ([]byte, error) {
	var h sr.ConfluentHeader
	dst, err := h.AppendEncode(dst, id, index)
	if err != nil {
		return nil, err
	}
	return append(dst, payload...), nil
}
