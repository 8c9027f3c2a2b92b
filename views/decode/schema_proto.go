package decode

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/bufbuild/protocompile"
	"github.com/bufbuild/protocompile/linker"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/reflect/protoregistry"
	"google.golang.org/protobuf/types/dynamicpb"

	"kscope/kafkaclient"
)

// protoMainFile is the name the registered schema is compiled under; its
// references are compiled under their own names, which are the import
// paths the schema uses.
const protoMainFile = "kscope-registered-schema.proto"

// maxIndexPath bounds a message-index path: real ones are a few levels
// deep, and a hostile record must not make kscope allocate much.
const maxIndexPath = 64

// protoCodec decodes and encodes the messages of one Protobuf schema.
type protoCodec struct {
	file     protoreflect.FileDescriptor
	resolver typeResolver
}

// newProtoCodec compiles s with the schemas it imports: its references,
// under the names it imports them by, and the well-known types.
func newProtoCodec(s *kafkaclient.Schema) (*protoCodec, error) {
	sources := map[string]string{protoMainFile: s.Text}
	var add func(s *kafkaclient.Schema)
	add = func(s *kafkaclient.Schema) {
		for _, ref := range s.References {
			if ref.Schema == nil {
				continue
			}
			if _, done := sources[ref.Name]; done {
				continue
			}
			sources[ref.Name] = ref.Schema.Text
			add(ref.Schema)
		}
	}
	add(s)
	compiler := protocompile.Compiler{
		Resolver:       protocompile.WithStandardImports(&protocompile.SourceResolver{Accessor: protocompile.SourceAccessorFromMap(sources)}),
		MaxParallelism: 1,
	}
	files, err := compiler.Compile(context.Background(), protoMainFile)
	if err != nil {
		return nil, errors.New(strings.ReplaceAll(err.Error(), protoMainFile, "schema"))
	}
	return &protoCodec{file: files[0], resolver: typeResolver{files.AsResolver()}}, nil
}

// message finds the message an index path names: [i] the file's i-th
// message, [i, j] the j-th message nested in it, and so on; the empty
// path is the first message.
func (c *protoCodec) message(path []int) (protoreflect.MessageDescriptor, error) {
	if len(path) == 0 {
		path = []int{0}
	}
	msgs := c.file.Messages()
	var md protoreflect.MessageDescriptor
	for depth, i := range path {
		if i < 0 || i >= msgs.Len() {
			return nil, fmt.Errorf("message index %v: there is no message %d at depth %d (%d there)", path, i, depth, msgs.Len())
		}
		md = msgs.Get(i)
		msgs = md.Messages()
	}
	return md, nil
}

// byName finds a message by its full or short name; empty is the first.
func (c *protoCodec) byName(name string) (protoreflect.MessageDescriptor, error) {
	if name == "" {
		return c.message(nil)
	}
	var found protoreflect.MessageDescriptor
	var walk func(protoreflect.MessageDescriptors)
	walk = func(msgs protoreflect.MessageDescriptors) {
		for i := 0; i < msgs.Len() && found == nil; i++ {
			md := msgs.Get(i)
			if string(md.FullName()) == name || string(md.Name()) == name {
				found = md
				return
			}
			walk(md.Messages())
		}
	}
	walk(c.file.Messages())
	if found == nil {
		return nil, fmt.Errorf("the schema has no message %s", name)
	}
	return found, nil
}

// indexPath is where md sits in its file, as the wire format names it.
func indexPath(md protoreflect.MessageDescriptor) []int {
	var path []int
	for d := protoreflect.Descriptor(md); ; d = d.Parent() {
		m, ok := d.(protoreflect.MessageDescriptor)
		if !ok {
			break
		}
		path = append([]int{m.Index()}, path...)
	}
	return path
}

// decode turns one message, of the type path names, into compact JSON
// with the schema's field names. Fields left at their defaults are shown,
// so every field of the message can be read; well-known types take their
// JSON forms (a Timestamp is RFC 3339 text).
func (c *protoCodec) decode(path []int, payload []byte) ([]byte, string, error) {
	md, err := c.message(path)
	if err != nil {
		return nil, "", err
	}
	msg := dynamicpb.NewMessage(md)
	if err := (proto.UnmarshalOptions{Resolver: c.resolver}).Unmarshal(payload, msg); err != nil {
		return nil, "", fmt.Errorf("%s: %w", md.FullName(), err)
	}
	out, err := protojson.MarshalOptions{UseProtoNames: true, EmitUnpopulated: true, Resolver: c.resolver}.Marshal(msg)
	if err != nil {
		return nil, "", fmt.Errorf("%s: %w", md.FullName(), err)
	}
	// protojson varies its spacing on purpose; compacted, the same record
	// always reads the same.
	var buf bytes.Buffer
	if err := json.Compact(&buf, out); err != nil {
		return nil, "", err
	}
	return buf.Bytes(), string(md.FullName()), nil
}

// encode turns JSON typed by a person into message name's encoding, and
// returns the index path that names it. protojson's errors name the field.
func (c *protoCodec) encode(name string, text []byte) ([]byte, []int, error) {
	md, err := c.byName(name)
	if err != nil {
		return nil, nil, err
	}
	msg := dynamicpb.NewMessage(md)
	if err := (protojson.UnmarshalOptions{Resolver: c.resolver}).Unmarshal(text, msg); err != nil {
		return nil, nil, fmt.Errorf("%s: %w", md.FullName(), err)
	}
	b, err := proto.Marshal(msg)
	return b, indexPath(md), err
}

// typeResolver finds message types in the compiled schema, then among
// the types Go knows (the well-known ones), for google.protobuf.Any.
type typeResolver struct{ files linker.Resolver }

func (r typeResolver) FindMessageByName(name protoreflect.FullName) (protoreflect.MessageType, error) {
	if mt, err := r.files.FindMessageByName(name); err == nil {
		return mt, nil
	}
	return protoregistry.GlobalTypes.FindMessageByName(name)
}

func (r typeResolver) FindMessageByURL(url string) (protoreflect.MessageType, error) {
	if mt, err := r.files.FindMessageByURL(url); err == nil {
		return mt, nil
	}
	return protoregistry.GlobalTypes.FindMessageByURL(url)
}

func (r typeResolver) FindExtensionByName(field protoreflect.FullName) (protoreflect.ExtensionType, error) {
	if xt, err := r.files.FindExtensionByName(field); err == nil {
		return xt, nil
	}
	return protoregistry.GlobalTypes.FindExtensionByName(field)
}

func (r typeResolver) FindExtensionByNumber(message protoreflect.FullName, field protoreflect.FieldNumber) (protoreflect.ExtensionType, error) {
	if xt, err := r.files.FindExtensionByNumber(message, field); err == nil {
		return xt, nil
	}
	return protoregistry.GlobalTypes.FindExtensionByNumber(message, field)
}
