package onnxpb

// A differential check against the protobuf library's own decoder: onnx.proto
// (from $ONNXRUN_TESTDATA/docs/onnx, never copied into the repository) is
// parsed here into a descriptor, and dynamicpb messages decode the same bytes.
// Test-only: the package itself uses no descriptors and no registry.

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"unicode"

	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protodesc"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/reflect/protoregistry"
	"google.golang.org/protobuf/types/descriptorpb"
	"google.golang.org/protobuf/types/dynamicpb"
)

// protoParser reads the subset of proto2 syntax onnx.proto uses: messages,
// nested messages and enums, oneofs, labels, [packed = true], reserved and
// option statements.
type protoParser struct {
	toks []string
	pos  int
}

func tokenizeProto(src string) []string {
	var toks []string
	for _, line := range strings.Split(src, "\n") {
		if i := strings.Index(line, "//"); i >= 0 {
			line = line[:i]
		}
		for len(line) > 0 {
			c := rune(line[0])
			switch {
			case unicode.IsSpace(c):
				line = line[1:]
			case c == '"':
				j := strings.IndexByte(line[1:], '"')
				if j < 0 {
					j = len(line) - 2
				}
				toks = append(toks, line[:j+2])
				line = line[j+2:]
			case unicode.IsLetter(c) || unicode.IsDigit(c) || c == '_' || c == '.':
				j := 0
				for j < len(line) && (unicode.IsLetter(rune(line[j])) || unicode.IsDigit(rune(line[j])) || line[j] == '_' || line[j] == '.') {
					j++
				}
				toks = append(toks, line[:j])
				line = line[j:]
			default:
				toks = append(toks, string(c))
				line = line[1:]
			}
		}
	}
	return toks
}

func (p *protoParser) next() string {
	if p.pos >= len(p.toks) {
		return ""
	}
	p.pos++
	return p.toks[p.pos-1]
}

func (p *protoParser) peek() string {
	if p.pos >= len(p.toks) {
		return ""
	}
	return p.toks[p.pos]
}

// skipStatement skips to the end of a statement (";").
func (p *protoParser) skipStatement() {
	for p.pos < len(p.toks) && p.next() != ";" {
	}
}

var scalarTypes = map[string]descriptorpb.FieldDescriptorProto_Type{
	"double": descriptorpb.FieldDescriptorProto_TYPE_DOUBLE, "float": descriptorpb.FieldDescriptorProto_TYPE_FLOAT,
	"int64": descriptorpb.FieldDescriptorProto_TYPE_INT64, "uint64": descriptorpb.FieldDescriptorProto_TYPE_UINT64,
	"int32": descriptorpb.FieldDescriptorProto_TYPE_INT32, "uint32": descriptorpb.FieldDescriptorProto_TYPE_UINT32,
	"bool": descriptorpb.FieldDescriptorProto_TYPE_BOOL, "string": descriptorpb.FieldDescriptorProto_TYPE_STRING,
	"bytes": descriptorpb.FieldDescriptorProto_TYPE_BYTES,
}

func (p *protoParser) file() (*descriptorpb.FileDescriptorProto, error) {
	fd := &descriptorpb.FileDescriptorProto{Name: proto.String("onnx.proto"), Syntax: proto.String("proto2")}
	for p.pos < len(p.toks) {
		switch t := p.next(); t {
		case "package":
			fd.Package = proto.String(p.next())
			p.skipStatement()
		case "syntax", "import", "option":
			p.skipStatement()
		case "message":
			m, err := p.message()
			if err != nil {
				return nil, err
			}
			fd.MessageType = append(fd.MessageType, m)
		case "enum":
			fd.EnumType = append(fd.EnumType, p.enum())
		case ";":
		default:
			return nil, fmt.Errorf("unexpected token %q at top level", t)
		}
	}
	return fd, nil
}

func (p *protoParser) enum() *descriptorpb.EnumDescriptorProto {
	e := &descriptorpb.EnumDescriptorProto{Name: proto.String(p.next())}
	p.next() // {
	for {
		t := p.next()
		if t == "}" || t == "" {
			break
		}
		if t == "option" || t == "reserved" {
			p.skipStatement()
			continue
		}
		if t == ";" {
			continue
		}
		p.next() // =
		n, _ := strconv.ParseInt(p.next(), 0, 32)
		e.Value = append(e.Value, &descriptorpb.EnumValueDescriptorProto{Name: proto.String(t), Number: proto.Int32(int32(n))})
		p.skipStatement()
	}
	return e
}

func (p *protoParser) message() (*descriptorpb.DescriptorProto, error) {
	m := &descriptorpb.DescriptorProto{Name: proto.String(p.next())}
	p.next() // {
	oneof := int32(-1)
	for {
		t := p.next()
		switch t {
		case "":
			return nil, fmt.Errorf("message %s: unexpected end", m.GetName())
		case "}":
			if oneof >= 0 {
				oneof = -1
				continue
			}
			return m, nil
		case ";":
		case "message":
			nm, err := p.message()
			if err != nil {
				return nil, err
			}
			m.NestedType = append(m.NestedType, nm)
		case "enum":
			m.EnumType = append(m.EnumType, p.enum())
		case "reserved", "option", "extensions":
			p.skipStatement()
		case "oneof":
			m.OneofDecl = append(m.OneofDecl, &descriptorpb.OneofDescriptorProto{Name: proto.String(p.next())})
			oneof = int32(len(m.OneofDecl) - 1)
			p.next() // {
		default:
			label := descriptorpb.FieldDescriptorProto_LABEL_OPTIONAL
			typ := t
			switch t {
			case "optional", "required":
				typ = p.next()
			case "repeated":
				label = descriptorpb.FieldDescriptorProto_LABEL_REPEATED
				typ = p.next()
			}
			name := p.next()
			if p.next() != "=" {
				return nil, fmt.Errorf("message %s field %s: want =", m.GetName(), name)
			}
			num, err := strconv.ParseInt(p.next(), 0, 32)
			if err != nil {
				return nil, err
			}
			f := &descriptorpb.FieldDescriptorProto{Name: proto.String(name), Number: proto.Int32(int32(num)), Label: label.Enum()}
			if st, ok := scalarTypes[typ]; ok {
				f.Type = st.Enum()
			} else {
				f.TypeName = proto.String(typ) // resolved (message or enum) by protodesc
			}
			if oneof >= 0 {
				f.OneofIndex = proto.Int32(oneof)
			}
			if p.peek() == "[" {
				for p.peek() != "]" && p.peek() != "" {
					if p.next() == "packed" {
						p.next() // =
						f.Options = &descriptorpb.FieldOptions{Packed: proto.Bool(p.next() == "true")}
					}
				}
				p.next() // ]
			}
			m.Field = append(m.Field, f)
			p.skipStatement()
		}
	}
}

var refDescs = sync.OnceValues(func() (protoreflect.FileDescriptor, error) {
	root := os.Getenv("ONNXRUN_TESTDATA")
	if root == "" {
		return nil, nil
	}
	src, err := os.ReadFile(filepath.Join(root, "docs", "onnx", "onnx.proto"))
	if err != nil {
		return nil, err
	}
	p := &protoParser{toks: tokenizeProto(string(src))}
	fdp, err := p.file()
	if err != nil {
		return nil, err
	}
	return protodesc.NewFile(fdp, new(protoregistry.Files))
})

// refMessage returns an empty dynamic message of onnx.<name>, skipping the
// test when ONNXRUN_TESTDATA is unset.
func refMessage(t testing.TB, name string) *dynamicpb.Message {
	t.Helper()
	fd, err := refDescs()
	if err != nil {
		t.Fatalf("parsing onnx.proto: %v", err)
	}
	if fd == nil {
		t.Skip("ONNXRUN_TESTDATA is not set; the reference decoder needs its onnx.proto")
	}
	md := fd.Messages().ByName(protoreflect.Name(name))
	if md == nil {
		t.Fatalf("onnx.proto has no message %s", name)
	}
	return dynamicpb.NewMessage(md)
}

// Fields of onnx.proto that the package's structs do not keep.
var notKept = map[protoreflect.FullName]bool{
	"onnx.ModelProto.training_info":           true,
	"onnx.ModelProto.configuration":           true,
	"onnx.GraphProto.quantization_annotation": true,
	"onnx.NodeProto.device_configurations":    true,
}

// normalize clears, recursively, what the package does not promise to
// keep: unknown fields, fields it does not model, and the presence of
// zero-valued singular scalars (the encoder omits zeros; dim_value is the
// exception, as its presence means a known dimension).
func normalize(m protoreflect.Message) {
	m.SetUnknown(nil)
	m.Range(func(fd protoreflect.FieldDescriptor, v protoreflect.Value) bool {
		switch {
		case notKept[fd.FullName()]:
			m.Clear(fd)
		case fd.IsList() && fd.Message() != nil:
			l := v.List()
			for i := 0; i < l.Len(); i++ {
				normalize(l.Get(i).Message())
			}
		case fd.Message() != nil:
			normalize(v.Message())
		case fd.IsList():
		case fd.Name() == "dim_value":
		case isZero(fd, v):
			m.Clear(fd)
		}
		return true
	})
}

func isZero(fd protoreflect.FieldDescriptor, v protoreflect.Value) bool {
	switch fd.Kind() {
	case protoreflect.StringKind:
		return v.String() == ""
	case protoreflect.BytesKind:
		return len(v.Bytes()) == 0
	case protoreflect.FloatKind, protoreflect.DoubleKind:
		return v.Float() == 0 // either sign: the encoder drops an unused -0 too
	case protoreflect.EnumKind:
		return v.Enum() == 0
	case protoreflect.BoolKind:
		return !v.Bool()
	case protoreflect.Uint32Kind, protoreflect.Uint64Kind, protoreflect.Fixed32Kind, protoreflect.Fixed64Kind:
		return v.Uint() == 0
	default:
		return v.Int() == 0
	}
}

// compareWithReference decodes b with both decoders (message name is
// ModelProto or TensorProto) and reports a difference. The reference must
// accept whatever this package accepts, and what it reads must equal what
// this package re-encodes.
func compareWithReference(t testing.TB, name string, b []byte, ours []byte, oursErr error) {
	t.Helper()
	ref := refMessage(t, name)
	refErr := proto.UnmarshalOptions{DiscardUnknown: true}.Unmarshal(b, ref)
	if oursErr != nil {
		return // stricter than the reference is fine (wire-type mismatches, limits)
	}
	if refErr != nil {
		t.Fatalf("%s: accepted input the protobuf library refuses: %v", name, refErr)
	}
	again := refMessage(t, name)
	if err := proto.Unmarshal(ours, again); err != nil {
		t.Fatalf("%s: re-encoded bytes do not parse: %v", name, err)
	}
	normalize(ref)
	normalize(again)
	if !proto.Equal(ref, again) {
		t.Fatalf("%s differs from the protobuf library's reading", name)
	}
}

// TestReferenceDecoder compares every shared model and the node tests'
// .pb files with the protobuf library's reading of them.
func TestReferenceDecoder(t *testing.T) {
	refMessage(t, "ModelProto") // skips when the data is missing
	root := os.Getenv("ONNXRUN_TESTDATA")
	models, _ := filepath.Glob(filepath.Join(root, "onnx", "*", "*", "model.onnx"))
	zoo, _ := filepath.Glob(filepath.Join(root, "models*", "*", "model.onnx"))
	models = append(models, zoo...)
	for _, p := range models {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		m, err := DecodeModel(b, Limits{})
		if err != nil {
			t.Errorf("%s: %v", p, err)
			continue
		}
		t.Run(strings.TrimPrefix(p, root), func(t *testing.T) {
			compareWithReference(t, "ModelProto", b, EncodeModel(m), nil)
		})
	}
	pbs, _ := filepath.Glob(filepath.Join(root, "onnx", "node", "*", "test_data_set_0", "input_0.pb"))
	for _, p := range pbs {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		tp, err := DecodeTensor(b, Limits{})
		if err != nil {
			continue // a sequence or optional file
		}
		t.Run(strings.TrimPrefix(p, root), func(t *testing.T) {
			compareWithReference(t, "TensorProto", b, EncodeTensor(tp), nil)
		})
	}
	t.Logf("compared %d models and %d tensors", len(models), len(pbs))
}

// FuzzReference is the differential version of FuzzDecodeModel: the
// protobuf library must accept whatever this package accepts and read the
// same fields.
func FuzzReference(f *testing.F) {
	f.Add(EncodeModel(smallModel()))
	f.Add(EncodeModel(fullModel()))
	// An attribute without its type field, and one with f = -0.
	f.Add(wrapNode(msgField(5, cat(msgField(1, []byte("i")), varintField(3, 4)))))
	f.Add(wrapNode(msgField(5, cat(msgField(1, []byte("f")), []byte{0x15, 0, 0, 0, 0x80}))))
	addSeeds(f, ".onnx")
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := DecodeModel(b, fuzzLimits)
		var ours []byte
		if err == nil {
			ours = EncodeModel(m)
		}
		compareWithReference(t, "ModelProto", b, ours, err)
	})
}
