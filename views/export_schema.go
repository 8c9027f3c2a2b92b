package views

import (
	"bufio"
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"time"

	"kscope/kafkaclient"
	"kscope/views/decode"
)

// exportSchemaWait bounds how long an export waits for the schemas of
// the records it writes; the registry client's own timeouts are shorter.
const exportSchemaWait = time.Minute

// schemaRecord is a JSON Lines row of a record whose key or value is
// framed for the Schema Registry: the decoded field is written as the
// JSON it decodes to, with the schema's id and type (schema_id and
// schema_type for the value, key_schema_id and key_schema_type for the
// key), or with schema_error and its bytes as WriteJSONL writes them when
// it does not decode. With the raw flag, value_raw and key_raw hold the
// bytes in base64.
type schemaRecord struct {
	Topic          string           `json:"topic"`
	Partition      int32            `json:"partition"`
	Offset         int64            `json:"offset"`
	Timestamp      string           `json:"timestamp"`
	TimestampType  string           `json:"timestamp_type"`
	Key            json.RawMessage  `json:"key"`
	KeyEncoding    string           `json:"key_encoding,omitempty"`
	KeySchemaID    *int             `json:"key_schema_id,omitempty"`
	KeySchemaGUID  string           `json:"key_schema_guid,omitempty"`
	KeySchemaType  string           `json:"key_schema_type,omitempty"`
	KeySchemaError string           `json:"key_schema_error,omitempty"`
	KeyRaw         string           `json:"key_raw,omitempty"`
	Value          json.RawMessage  `json:"value"`
	ValueEncoding  string           `json:"value_encoding,omitempty"`
	SchemaID       *int             `json:"schema_id,omitempty"`
	SchemaGUID     string           `json:"schema_guid,omitempty"`
	SchemaType     string           `json:"schema_type,omitempty"`
	SchemaError    string           `json:"schema_error,omitempty"`
	ValueRaw       string           `json:"value_raw,omitempty"`
	Headers        []exportedHeader `json:"headers"`
}

// exportField is one side of a schemaRecord.
type exportField struct {
	value    *json.RawMessage
	encoding *string
	id       **int
	guid     *string
	typ      *string
	err      *string
	raw      *string
}

// WriteRecords writes records as JSON Lines: the ones schemas decodes with
// their decoded key or value and schema (see schemaRecord), the others
// as WriteJSONL does. It waits for the schemas it needs, so it runs off
// the event loop.
func WriteRecords(w io.Writer, recs []kafkaclient.Record, schemas *decode.Schemas) error {
	if schemas == nil {
		return WriteJSONL(w, recs)
	}
	ctx, cancel := context.WithTimeout(context.Background(), exportSchemaWait)
	defer cancel()
	bw := bufio.NewWriter(w)
	enc := json.NewEncoder(bw)
	enc.SetEscapeHTML(false)
	plain := 0 // where the run of records without a schema starts
	flushPlain := func(end int) error {
		if plain == end {
			return nil
		}
		return WriteJSONL(bw, recs[plain:end])
	}
	for i := range recs {
		r := &recs[i]
		kx, kFramed := schemas.Export(ctx, r, true)
		vx, vFramed := schemas.Export(ctx, r, false)
		if !kFramed && !vFramed {
			continue
		}
		if err := flushPlain(i); err != nil {
			return err
		}
		plain = i + 1
		if err := enc.Encode(schemaRow(r, kx, kFramed, vx, vFramed, schemas.ExportRaw())); err != nil {
			return err
		}
	}
	if err := flushPlain(len(recs)); err != nil {
		return err
	}
	return bw.Flush()
}

func schemaRow(r *kafkaclient.Record, kx decode.Exported, kFramed bool, vx decode.Exported, vFramed, raw bool) schemaRecord {
	out := schemaRecord{
		Topic: r.Topic, Partition: r.Partition, Offset: r.Offset,
		Timestamp: r.Timestamp.UTC().Format(timestampLayout), TimestampType: "CreateTime",
		Headers: make([]exportedHeader, 0, len(r.Headers)),
	}
	if r.LogAppendTime {
		out.TimestampType = "LogAppendTime"
	}
	fill(exportField{&out.Key, &out.KeyEncoding, &out.KeySchemaID, &out.KeySchemaGUID, &out.KeySchemaType, &out.KeySchemaError, &out.KeyRaw},
		r.Key, kx, kFramed, raw)
	fill(exportField{&out.Value, &out.ValueEncoding, &out.SchemaID, &out.SchemaGUID, &out.SchemaType, &out.SchemaError, &out.ValueRaw},
		r.Value, vx, vFramed, raw)
	for _, h := range r.Headers {
		var eh exportedHeader
		eh.Key, eh.KeyEncoding = encodeBytes(h.Key)
		eh.Value, eh.ValueEncoding = encodeBytes(h.Value)
		out.Headers = append(out.Headers, eh)
	}
	return out
}

// fill writes one field: decoded, with its schema; or as bytes, with why
// a framed one did not decode.
func fill(f exportField, b []byte, x decode.Exported, framed, raw bool) {
	switch {
	case framed && x.JSON != nil:
		*f.value = x.JSON
		id := x.SchemaID
		*f.id, *f.guid, *f.typ = &id, x.SchemaGUID, string(x.Type)
		if raw {
			*f.raw = base64.StdEncoding.EncodeToString(b)
		}
		return
	case framed:
		id := x.SchemaID
		*f.id, *f.guid, *f.err = &id, x.SchemaGUID, x.Err
		if x.SchemaGUID != "" && id == 0 {
			*f.id = nil
		}
	}
	if b == nil {
		*f.value = json.RawMessage("null")
		return
	}
	s, e := encodeBytes(b)
	*f.value, *f.encoding = quoteJSON(s), e
}

// quoteJSON is s as a JSON string, with <, > and & as they are, as
// WriteJSONL writes them.
func quoteJSON(s string) json.RawMessage {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.Encode(s) // a string always encodes
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
}
