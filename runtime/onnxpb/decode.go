package onnxpb

import (
	"fmt"

	"google.golang.org/protobuf/encoding/protowire"

	"github.com/onnxrun/onnxrun/operators"
)

// DecodeModel decodes a serialized ModelProto.
//
// The returned Model aliases b: every Tensor.RawData is a sub-slice of b
// (so decoding a model with large initializers copies none of them). Do not
// modify b while the Model is in use; TensorToValue copies the data out.
// All other fields are copies.
//
// The model must have a graph, IR version 3 or later (any newer version is
// accepted; its unknown fields are skipped) and at least one opset_import.
// Nothing else is validated here: operator attributes, names and types are
// the runtime's business.
//
// Every error wraps operators.ErrInvalidModel and says where the problem is,
// for example `graph "main": node 12 "conv1" (Conv): attribute "pads": ...`.
// Errors caused by lim also wrap ErrLimit.
func DecodeModel(b []byte, lim Limits) (*Model, error) {
	lim = lim.withDefaults()
	if int64(len(b)) > lim.MaxModelBytes {
		return nil, invalid(limitErr("model is %d bytes, MaxModelBytes = %d", len(b), lim.MaxModelBytes))
	}
	d := &decoder{lim: lim}
	m, err := d.model(b)
	if err != nil {
		return nil, invalid(err)
	}
	return m, nil
}

// DecodeTensor decodes a serialized TensorProto, such as the
// input_N.pb / output_N.pb files of the ONNX test layout. Like DecodeModel,
// RawData aliases b.
func DecodeTensor(b []byte, lim Limits) (*Tensor, error) {
	lim = lim.withDefaults()
	if int64(len(b)) > lim.MaxModelBytes {
		return nil, invalid(limitErr("tensor file is %d bytes, MaxModelBytes = %d", len(b), lim.MaxModelBytes))
	}
	d := &decoder{lim: lim}
	t, err := d.tensor(b)
	if err != nil {
		return nil, invalid(named("tensor", peekString(b, 8), err))
	}
	return t, nil
}

func invalid(err error) error {
	return fmt.Errorf("%w: %w", operators.ErrInvalidModel, err)
}

// named prefixes err with kind and name, e.g. `initializer "w": `.
func named(kind, name string, err error) error {
	if name == "" {
		return fmt.Errorf("%s: %w", kind, err)
	}
	return fmt.Errorf("%s %q: %w", kind, name, err)
}

// indexed is named with a position: `node 3 "conv1": `.
func indexed(kind string, i int, name string, err error) error {
	if name == "" {
		return fmt.Errorf("%s %d: %w", kind, i, err)
	}
	return fmt.Errorf("%s %d %q: %w", kind, i, name, err)
}

// decoder carries the limits and the running totals of one decode.
type decoder struct {
	lim   Limits
	nodes int // nodes counted so far, over all graphs and functions
	depth int // current graph nesting
	msgs  int // messages decoded so far
}

// charge counts one message against MaxMessages; it is called before the
// message's struct is allocated.
func (d *decoder) charge() error {
	d.msgs++
	if d.msgs > d.lim.MaxMessages {
		return limitErr("input holds more than MaxMessages = %d messages", d.lim.MaxMessages)
	}
	return nil
}

func (d *decoder) model(b []byte) (*Model, error) {
	if err := d.charge(); err != nil {
		return nil, err
	}
	m := &Model{}
	// Size the repeated message fields first so each slice is allocated once.
	nFunc, err := countField(b, 25)
	if err != nil {
		return nil, err
	}
	if nFunc > 0 {
		m.Functions = make([]*Function, 0, nFunc)
	}
	for len(b) > 0 {
		f, rest, err := next(b)
		if err != nil {
			return nil, err
		}
		b = rest
		switch f.num {
		case 1:
			m.IRVersion, err = f.int64("ir_version")
		case 2:
			m.ProducerName, err = f.str("producer_name")
		case 3:
			m.ProducerVersion, err = f.str("producer_version")
		case 4:
			m.Domain, err = f.str("domain")
		case 5:
			m.ModelVersion, err = f.int64("model_version")
		case 6:
			m.DocString, err = f.str("doc_string")
		case 7:
			var p []byte
			if p, err = f.single(m.Graph != nil, "graph"); err == nil {
				m.Graph, err = d.graph(p)
			}
		case 8:
			var p []byte
			if p, err = f.bytes("opset_import"); err == nil {
				var o OperatorSetID
				if o, err = d.opsetID(p); err == nil {
					m.OpsetImport = append(m.OpsetImport, o)
				} else {
					err = fmt.Errorf("opset_import %d: %w", len(m.OpsetImport), err)
				}
			}
		case 14:
			m.MetadataProps, err = d.appendEntry(m.MetadataProps, &f, "metadata_props")
		case 25:
			var p []byte
			if p, err = f.bytes("functions"); err == nil {
				var fn *Function
				if fn, err = d.function(p); err == nil {
					m.Functions = append(m.Functions, fn)
				} else {
					err = indexed("function", len(m.Functions), peekString(p, 1), err)
				}
			}
		}
		if err != nil {
			return nil, err
		}
	}
	if m.Graph == nil {
		return nil, fmt.Errorf("model has no graph")
	}
	if m.IRVersion < 3 {
		return nil, fmt.Errorf("IR version %d is not supported (IR 3, ONNX 1.0, and later are)", m.IRVersion)
	}
	if len(m.OpsetImport) == 0 {
		return nil, fmt.Errorf("model has no opset_import (required from IR version 3)")
	}
	return m, nil
}

func (d *decoder) opsetID(b []byte) (OperatorSetID, error) {
	if err := d.charge(); err != nil {
		return OperatorSetID{}, err
	}
	var o OperatorSetID
	for len(b) > 0 {
		f, rest, err := next(b)
		if err != nil {
			return o, err
		}
		b = rest
		switch f.num {
		case 1:
			o.Domain, err = f.str("domain")
		case 2:
			o.Version, err = f.int64("version")
		}
		if err != nil {
			return o, err
		}
	}
	return o, nil
}

func (d *decoder) appendEntry(dst []StringStringEntry, f *field, name string) ([]StringStringEntry, error) {
	p, err := f.bytes(name)
	if err != nil {
		return nil, err
	}
	e, err := d.entry(p)
	if err != nil {
		return nil, fmt.Errorf("%s %d: %w", name, len(dst), err)
	}
	return append(dst, e), nil
}

func (d *decoder) entry(b []byte) (StringStringEntry, error) {
	if err := d.charge(); err != nil {
		return StringStringEntry{}, err
	}
	var e StringStringEntry
	for len(b) > 0 {
		f, rest, err := next(b)
		if err != nil {
			return e, err
		}
		b = rest
		switch f.num {
		case 1:
			e.Key, err = f.str("key")
		case 2:
			e.Value, err = f.str("value")
		}
		if err != nil {
			return e, err
		}
	}
	return e, nil
}

// countNodes counts the node fields (number num) of a graph or function
// body and charges them to the model-wide node budget before any node is
// allocated.
func (d *decoder) countNodes(b []byte, num protowire.Number) (int, error) {
	n, err := countField(b, num)
	if err != nil {
		return 0, err
	}
	if n > d.lim.MaxNodes-d.nodes {
		return 0, limitErr("model has more than MaxNodes = %d nodes (%d so far, %d more here)", d.lim.MaxNodes, d.nodes, n)
	}
	d.nodes += n
	return n, nil
}

func (d *decoder) graph(b []byte) (g *Graph, err error) {
	if err := d.charge(); err != nil {
		return nil, err
	}
	d.depth++
	whole := b
	defer func() {
		d.depth--
		if err != nil {
			err = named("graph", peekString(whole, 2), err)
		}
	}()
	if d.depth > d.lim.MaxGraphDepth {
		return nil, limitErr("subgraphs nested deeper than MaxGraphDepth = %d", d.lim.MaxGraphDepth)
	}
	n, err := d.countNodes(b, 1)
	if err != nil {
		return nil, err
	}
	g = &Graph{}
	if n > 0 {
		g.Nodes = make([]*Node, 0, n)
	}
	for len(b) > 0 {
		f, rest, err := next(b)
		if err != nil {
			return nil, err
		}
		b = rest
		var p []byte
		switch f.num {
		case 1:
			if p, err = f.bytes("node"); err == nil {
				var nd *Node
				if nd, err = d.node(p); err == nil {
					g.Nodes = append(g.Nodes, nd)
				} else {
					err = nodeErr(len(g.Nodes), p, err)
				}
			}
		case 2:
			g.Name, err = f.str("name")
		case 5:
			if p, err = f.bytes("initializer"); err == nil {
				var t *Tensor
				if t, err = d.tensor(p); err == nil {
					g.Initializers = append(g.Initializers, t)
				} else {
					err = indexedOrNamed("initializer", len(g.Initializers), peekString(p, 8), err)
				}
			}
		case 15:
			if p, err = f.bytes("sparse_initializer"); err == nil {
				var s *SparseTensor
				if s, err = d.sparse(p); err == nil {
					g.SparseInitializers = append(g.SparseInitializers, s)
				} else {
					err = fmt.Errorf("sparse_initializer %d: %w", len(g.SparseInitializers), err)
				}
			}
		case 10:
			g.DocString, err = f.str("doc_string")
		case 11:
			g.Inputs, err = d.appendValueInfo(g.Inputs, &f, "input")
		case 12:
			g.Outputs, err = d.appendValueInfo(g.Outputs, &f, "output")
		case 13:
			g.ValueInfo, err = d.appendValueInfo(g.ValueInfo, &f, "value_info")
		case 16:
			g.MetadataProps, err = d.appendEntry(g.MetadataProps, &f, "metadata_props")
		}
		if err != nil {
			return nil, err
		}
	}
	return g, nil
}

// indexedOrNamed names a message by its name if it has one, else by index.
func indexedOrNamed(kind string, i int, name string, err error) error {
	if name == "" {
		return fmt.Errorf("%s %d: %w", kind, i, err)
	}
	return fmt.Errorf("%s %q: %w", kind, name, err)
}

func nodeErr(i int, p []byte, err error) error {
	name, op := peekString(p, 3), peekString(p, 4)
	if op != "" {
		name = fmt.Sprintf("%q (%s)", name, op)
		if peekString(p, 3) == "" {
			name = "(" + op + ")"
		}
		return fmt.Errorf("node %d %s: %w", i, name, err)
	}
	return indexed("node", i, name, err)
}

func (d *decoder) appendValueInfo(dst []*ValueInfo, f *field, kind string) ([]*ValueInfo, error) {
	p, err := f.bytes(kind)
	if err != nil {
		return nil, err
	}
	v, err := d.valueInfo(p)
	if err != nil {
		return nil, indexedOrNamed(kind, len(dst), peekString(p, 1), err)
	}
	return append(dst, v), nil
}

func (d *decoder) valueInfo(b []byte) (*ValueInfo, error) {
	if err := d.charge(); err != nil {
		return nil, err
	}
	v := &ValueInfo{}
	for len(b) > 0 {
		f, rest, err := next(b)
		if err != nil {
			return nil, err
		}
		b = rest
		switch f.num {
		case 1:
			v.Name, err = f.str("name")
		case 2:
			var p []byte
			if p, err = f.single(v.Type != nil, "type"); err == nil {
				v.Type, err = d.typeProto(p, 1)
			}
		case 3:
			v.DocString, err = f.str("doc_string")
		case 4:
			v.MetadataProps, err = d.appendEntry(v.MetadataProps, &f, "metadata_props")
		}
		if err != nil {
			return nil, err
		}
	}
	return v, nil
}

func (d *decoder) node(b []byte) (*Node, error) {
	if err := d.charge(); err != nil {
		return nil, err
	}
	n := &Node{}
	for len(b) > 0 {
		f, rest, err := next(b)
		if err != nil {
			return nil, err
		}
		b = rest
		switch f.num {
		case 1:
			var s string
			if s, err = f.str("input"); err == nil {
				n.Inputs = append(n.Inputs, s)
			}
		case 2:
			var s string
			if s, err = f.str("output"); err == nil {
				n.Outputs = append(n.Outputs, s)
			}
		case 3:
			n.Name, err = f.str("name")
		case 4:
			n.OpType, err = f.str("op_type")
		case 5:
			var p []byte
			if p, err = f.bytes("attribute"); err == nil {
				var a *Attribute
				if a, err = d.attribute(p); err == nil {
					n.Attributes = append(n.Attributes, a)
				} else {
					err = indexedOrNamed("attribute", len(n.Attributes), peekString(p, 1), err)
				}
			}
		case 6:
			n.DocString, err = f.str("doc_string")
		case 7:
			n.Domain, err = f.str("domain")
		case 8:
			n.Overload, err = f.str("overload")
		case 9:
			n.MetadataProps, err = d.appendEntry(n.MetadataProps, &f, "metadata_props")
		}
		if err != nil {
			return nil, err
		}
	}
	return n, nil
}

// Attribute types (AttributeProto.AttributeType).
const (
	AttrUndefined     AttributeType = 0
	AttrFloat         AttributeType = 1
	AttrInt           AttributeType = 2
	AttrString        AttributeType = 3
	AttrTensor        AttributeType = 4
	AttrGraph         AttributeType = 5
	AttrFloats        AttributeType = 6
	AttrInts          AttributeType = 7
	AttrStrings       AttributeType = 8
	AttrTensors       AttributeType = 9
	AttrGraphs        AttributeType = 10
	AttrSparseTensor  AttributeType = 11
	AttrSparseTensors AttributeType = 12
	AttrTypeProto     AttributeType = 13
	AttrTypeProtos    AttributeType = 14
)

var attrTypeNames = map[AttributeType]string{
	AttrUndefined: "UNDEFINED", AttrFloat: "FLOAT", AttrInt: "INT", AttrString: "STRING",
	AttrTensor: "TENSOR", AttrGraph: "GRAPH", AttrFloats: "FLOATS", AttrInts: "INTS",
	AttrStrings: "STRINGS", AttrTensors: "TENSORS", AttrGraphs: "GRAPHS",
	AttrSparseTensor: "SPARSE_TENSOR", AttrSparseTensors: "SPARSE_TENSORS",
	AttrTypeProto: "TYPE_PROTO", AttrTypeProtos: "TYPE_PROTOS",
}

func (t AttributeType) String() string {
	if s, ok := attrTypeNames[t]; ok {
		return s
	}
	return fmt.Sprintf("AttributeType(%d)", int32(t))
}

// attribute keeps Type as written. IR 3 and later require it, so the value
// fields present are not used to guess a missing one.
func (d *decoder) attribute(b []byte) (*Attribute, error) {
	if err := d.charge(); err != nil {
		return nil, err
	}
	a := &Attribute{}
	max := d.lim.MaxTensorElements
	for len(b) > 0 {
		f, rest, err := next(b)
		if err != nil {
			return nil, err
		}
		b = rest
		var p []byte
		switch f.num {
		case 1:
			a.Name, err = f.str("name")
		case 21:
			a.RefAttrName, err = f.str("ref_attr_name")
		case 13:
			a.DocString, err = f.str("doc_string")
		case 20:
			var v int32
			v, err = f.int32("type")
			a.Type = AttributeType(v)
		case 2:
			a.F, err = f.float32("f")
		case 3:
			a.I, err = f.int64("i")
		case 4:
			a.S, err = f.bytesCopy("s")
		case 5:
			if p, err = f.single(a.T != nil, "t"); err == nil {
				if a.T, err = d.tensor(p); err != nil {
					err = named("tensor", peekString(p, 8), err)
				}
			}
		case 6:
			if p, err = f.single(a.G != nil, "g"); err == nil {
				a.G, err = d.graph(p)
			}
		case 22:
			if p, err = f.single(a.SparseTensor != nil, "sparse_tensor"); err == nil {
				if a.SparseTensor, err = d.sparse(p); err != nil {
					err = fmt.Errorf("sparse_tensor: %w", err)
				}
			}
		case 14:
			if p, err = f.single(a.TP != nil, "tp"); err == nil {
				if a.TP, err = d.typeProto(p, 1); err != nil {
					err = fmt.Errorf("tp: %w", err)
				}
			}
		case 7:
			a.Floats, err = appendFixed32s(a.Floats, &f, "floats", max, toFloat32)
		case 8:
			a.Ints, err = appendVarints(a.Ints, &f, "ints", max, toInt64)
		case 9:
			var s []byte
			if s, err = f.bytesCopy("strings"); err == nil {
				a.Strings = append(a.Strings, s)
			}
		case 10:
			if p, err = f.bytes("tensors"); err == nil {
				var t *Tensor
				if t, err = d.tensor(p); err == nil {
					a.Tensors = append(a.Tensors, t)
				} else {
					err = indexedOrNamed("tensors", len(a.Tensors), peekString(p, 8), err)
				}
			}
		case 11:
			if p, err = f.bytes("graphs"); err == nil {
				var g *Graph
				if g, err = d.graph(p); err == nil {
					a.Graphs = append(a.Graphs, g)
				} else {
					err = fmt.Errorf("graphs %d: %w", len(a.Graphs), err)
				}
			}
		case 23:
			if p, err = f.bytes("sparse_tensors"); err == nil {
				var s *SparseTensor
				if s, err = d.sparse(p); err == nil {
					a.SparseTensors = append(a.SparseTensors, s)
				} else {
					err = fmt.Errorf("sparse_tensors %d: %w", len(a.SparseTensors), err)
				}
			}
		case 15:
			if p, err = f.bytes("type_protos"); err == nil {
				var t *Type
				if t, err = d.typeProto(p, 1); err == nil {
					a.TypeProtos = append(a.TypeProtos, t)
				} else {
					err = fmt.Errorf("type_protos %d: %w", len(a.TypeProtos), err)
				}
			}
		}
		if err != nil {
			return nil, err
		}
	}
	return a, nil
}

func (d *decoder) tensor(b []byte) (*Tensor, error) {
	if err := d.charge(); err != nil {
		return nil, err
	}
	t := &Tensor{}
	max := d.lim.MaxTensorElements
	for len(b) > 0 {
		f, rest, err := next(b)
		if err != nil {
			return nil, err
		}
		b = rest
		switch f.num {
		case 1:
			t.Dims, err = appendVarints(t.Dims, &f, "dims", max, toInt64)
		case 2:
			t.DataType, err = f.int32("data_type")
		case 3:
			var p []byte
			if p, err = f.single(t.Segment != nil, "segment"); err == nil {
				t.Segment, err = d.segment(p)
			}
		case 4:
			t.FloatData, err = appendFixed32s(t.FloatData, &f, "float_data", max, toFloat32)
		case 5:
			t.Int32Data, err = appendVarints(t.Int32Data, &f, "int32_data", max, toInt32)
		case 6:
			var s []byte
			if s, err = f.bytesCopy("string_data"); err == nil {
				if int64(len(t.StringData)) >= max {
					err = limitErr("string_data has more than %d elements", max)
				}
				t.StringData = append(t.StringData, s)
			}
		case 7:
			t.Int64Data, err = appendVarints(t.Int64Data, &f, "int64_data", max, toInt64)
		case 8:
			t.Name, err = f.str("name")
		case 12:
			t.DocString, err = f.str("doc_string")
		case 9:
			t.RawData, err = f.bytes("raw_data")
			t.HasRawData = true
			if len(t.RawData) == 0 {
				t.RawData = nil
			}
		case 13:
			t.ExternalData, err = d.appendEntry(t.ExternalData, &f, "external_data")
		case 14:
			t.DataLocation, err = f.int32("data_location")
		case 10:
			t.DoubleData, err = appendFixed64s(t.DoubleData, &f, "double_data", max, toFloat64)
		case 11:
			t.Uint64Data, err = appendVarints(t.Uint64Data, &f, "uint64_data", max, toUint64)
		case 16:
			t.MetadataProps, err = d.appendEntry(t.MetadataProps, &f, "metadata_props")
		}
		if err != nil {
			return nil, err
		}
	}
	n, err := dimsProduct(t.Dims, max)
	if err != nil {
		return nil, err
	}
	if _, err := checkBytes(n, operators.DType(t.DataType).Size(), d.lim.MaxTensorBytes); err != nil {
		return nil, err
	}
	return t, nil
}

func (d *decoder) segment(b []byte) (*Segment, error) {
	if err := d.charge(); err != nil {
		return nil, err
	}
	s := &Segment{}
	for len(b) > 0 {
		f, rest, err := next(b)
		if err != nil {
			return nil, err
		}
		b = rest
		switch f.num {
		case 1:
			s.Begin, err = f.int64("begin")
		case 2:
			s.End, err = f.int64("end")
		}
		if err != nil {
			return nil, fmt.Errorf("segment: %w", err)
		}
	}
	return s, nil
}

func (d *decoder) sparse(b []byte) (*SparseTensor, error) {
	if err := d.charge(); err != nil {
		return nil, err
	}
	s := &SparseTensor{}
	for len(b) > 0 {
		f, rest, err := next(b)
		if err != nil {
			return nil, err
		}
		b = rest
		var p []byte
		switch f.num {
		case 1:
			if p, err = f.single(s.Values != nil, "values"); err == nil {
				if s.Values, err = d.tensor(p); err != nil {
					err = fmt.Errorf("values: %w", err)
				}
			}
		case 2:
			if p, err = f.single(s.Indices != nil, "indices"); err == nil {
				if s.Indices, err = d.tensor(p); err != nil {
					err = fmt.Errorf("indices: %w", err)
				}
			}
		case 3:
			s.Dims, err = appendVarints(s.Dims, &f, "dims", d.lim.MaxTensorElements, toInt64)
		}
		if err != nil {
			return nil, err
		}
	}
	// The dense shape is what a user of the tensor would allocate.
	if _, err := dimsProduct(s.Dims, d.lim.MaxTensorElements); err != nil {
		return nil, fmt.Errorf("dims: %w", err)
	}
	return s, nil
}

// typeProto decodes a TypeProto at nesting depth depth.
func (d *decoder) typeProto(b []byte, depth int) (*Type, error) {
	if err := d.charge(); err != nil {
		return nil, err
	}
	if depth > maxTypeDepth {
		return nil, limitErr("type nested deeper than %d", maxTypeDepth)
	}
	t := &Type{}
	for len(b) > 0 {
		f, rest, err := next(b)
		if err != nil {
			return nil, err
		}
		b = rest
		var p []byte
		switch f.num {
		case 1:
			if p, err = f.single(t.hasVariant(), "tensor_type"); err == nil {
				if t.Tensor, err = d.tensorType(p); err != nil {
					err = fmt.Errorf("tensor_type: %w", err)
				}
			}
		case 4:
			if p, err = f.single(t.hasVariant(), "sequence_type"); err == nil {
				if t.Sequence, err = d.elemType(p, depth); err != nil {
					err = fmt.Errorf("sequence_type: %w", err)
				}
			}
		case 5:
			if p, err = f.single(t.hasVariant(), "map_type"); err == nil {
				t.IsMap = true
				if err = d.mapType(t, p, depth); err != nil {
					err = fmt.Errorf("map_type: %w", err)
				}
			}
		case 9:
			if p, err = f.single(t.hasVariant(), "optional_type"); err == nil {
				if t.Optional, err = d.elemType(p, depth); err != nil {
					err = fmt.Errorf("optional_type: %w", err)
				}
			}
		case 8:
			if p, err = f.single(t.hasVariant(), "sparse_tensor_type"); err == nil {
				if t.SparseTensor, err = d.tensorType(p); err != nil {
					err = fmt.Errorf("sparse_tensor_type: %w", err)
				}
			}
		case 7:
			if p, err = f.single(t.hasVariant(), "opaque_type"); err == nil {
				t.Opaque, err = d.opaqueType(p)
			}
		case 6:
			t.Denotation, err = f.str("denotation")
		}
		if err != nil {
			return nil, err
		}
	}
	return t, nil
}

// elemType decodes Sequence or Optional: a message whose field 1 is the
// element TypeProto. A missing element type leaves a non-nil empty Type so
// the variant stays visible.
func (d *decoder) elemType(b []byte, depth int) (*Type, error) {
	if err := d.charge(); err != nil {
		return nil, err
	}
	e := &Type{}
	seen := false
	for len(b) > 0 {
		f, rest, err := next(b)
		if err != nil {
			return nil, err
		}
		b = rest
		if f.num == 1 {
			var p []byte
			if p, err = f.single(seen, "elem_type"); err == nil {
				e, err = d.typeProto(p, depth+1)
				seen = true
			}
			if err != nil {
				return nil, fmt.Errorf("elem_type: %w", err)
			}
		}
	}
	return e, nil
}

func (d *decoder) mapType(t *Type, b []byte, depth int) error {
	if err := d.charge(); err != nil {
		return err
	}
	for len(b) > 0 {
		f, rest, err := next(b)
		if err != nil {
			return err
		}
		b = rest
		switch f.num {
		case 1:
			t.MapKey, err = f.int32("key_type")
		case 2:
			var p []byte
			if p, err = f.single(t.MapValue != nil, "value_type"); err == nil {
				if t.MapValue, err = d.typeProto(p, depth+1); err != nil {
					err = fmt.Errorf("value_type: %w", err)
				}
			}
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// hasVariant reports whether one of TypeProto's oneof variants is set.
// A second one is refused rather than replacing the first.
func (t *Type) hasVariant() bool {
	return t.Tensor != nil || t.Sequence != nil || t.IsMap || t.Optional != nil || t.SparseTensor != nil || t.Opaque != nil
}

func (d *decoder) opaqueType(b []byte) (*OpaqueType, error) {
	if err := d.charge(); err != nil {
		return nil, err
	}
	o := &OpaqueType{}
	for len(b) > 0 {
		f, rest, err := next(b)
		if err != nil {
			return nil, err
		}
		b = rest
		switch f.num {
		case 1:
			o.Domain, err = f.str("domain")
		case 2:
			o.Name, err = f.str("name")
		}
		if err != nil {
			return nil, fmt.Errorf("opaque_type: %w", err)
		}
	}
	return o, nil
}

func (d *decoder) tensorType(b []byte) (*TensorType, error) {
	if err := d.charge(); err != nil {
		return nil, err
	}
	t := &TensorType{}
	for len(b) > 0 {
		f, rest, err := next(b)
		if err != nil {
			return nil, err
		}
		b = rest
		switch f.num {
		case 1:
			t.ElemType, err = f.int32("elem_type")
		case 2:
			var p []byte
			if p, err = f.single(t.Shape != nil, "shape"); err == nil {
				t.Shape, err = d.shape(p)
			}
		}
		if err != nil {
			return nil, err
		}
	}
	return t, nil
}

func (d *decoder) shape(b []byte) (*Shape, error) {
	if err := d.charge(); err != nil {
		return nil, err
	}
	n, err := countField(b, 1)
	if err != nil {
		return nil, fmt.Errorf("shape: %w", err)
	}
	s := &Shape{}
	if n > 0 {
		s.Dims = make([]Dim, 0, n)
	}
	for len(b) > 0 {
		f, rest, err := next(b)
		if err != nil {
			return nil, fmt.Errorf("shape: %w", err)
		}
		b = rest
		if f.num != 1 {
			continue
		}
		p, err := f.bytes("dim")
		if err == nil {
			var dm Dim
			if dm, err = d.dim(p); err == nil {
				s.Dims = append(s.Dims, dm)
			}
		}
		if err != nil {
			return nil, fmt.Errorf("shape: dim %d: %w", len(s.Dims), err)
		}
	}
	return s, nil
}

func (d *decoder) dim(b []byte) (Dim, error) {
	if err := d.charge(); err != nil {
		return Dim{}, err
	}
	var dm Dim
	for len(b) > 0 {
		f, rest, err := next(b)
		if err != nil {
			return dm, err
		}
		b = rest
		switch f.num {
		case 1:
			// dim_value and dim_param are a oneof: the last one wins.
			dm.Value, err = f.int64("dim_value")
			dm.HasValue, dm.Param = true, ""
		case 2:
			dm.Param, err = f.str("dim_param")
			dm.Value, dm.HasValue = 0, false
		case 3:
			dm.Denotation, err = f.str("denotation")
		}
		if err != nil {
			return dm, err
		}
	}
	return dm, nil
}

func (d *decoder) function(b []byte) (*Function, error) {
	if err := d.charge(); err != nil {
		return nil, err
	}
	d.depth++
	defer func() { d.depth-- }()
	if d.depth > d.lim.MaxGraphDepth {
		return nil, limitErr("subgraphs nested deeper than MaxGraphDepth = %d", d.lim.MaxGraphDepth)
	}
	n, err := d.countNodes(b, 7)
	if err != nil {
		return nil, err
	}
	fn := &Function{}
	if n > 0 {
		fn.Nodes = make([]*Node, 0, n)
	}
	for len(b) > 0 {
		f, rest, err := next(b)
		if err != nil {
			return nil, err
		}
		b = rest
		var p []byte
		var s string
		switch f.num {
		case 1:
			fn.Name, err = f.str("name")
		case 4:
			if s, err = f.str("input"); err == nil {
				fn.Inputs = append(fn.Inputs, s)
			}
		case 5:
			if s, err = f.str("output"); err == nil {
				fn.Outputs = append(fn.Outputs, s)
			}
		case 6:
			if s, err = f.str("attribute"); err == nil {
				fn.Attributes = append(fn.Attributes, s)
			}
		case 11:
			if p, err = f.bytes("attribute_proto"); err == nil {
				var a *Attribute
				if a, err = d.attribute(p); err == nil {
					fn.AttributeProto = append(fn.AttributeProto, a)
				} else {
					err = indexedOrNamed("attribute_proto", len(fn.AttributeProto), peekString(p, 1), err)
				}
			}
		case 7:
			if p, err = f.bytes("node"); err == nil {
				var nd *Node
				if nd, err = d.node(p); err == nil {
					fn.Nodes = append(fn.Nodes, nd)
				} else {
					err = nodeErr(len(fn.Nodes), p, err)
				}
			}
		case 8:
			fn.DocString, err = f.str("doc_string")
		case 9:
			if p, err = f.bytes("opset_import"); err == nil {
				var o OperatorSetID
				if o, err = d.opsetID(p); err == nil {
					fn.OpsetImport = append(fn.OpsetImport, o)
				} else {
					err = fmt.Errorf("opset_import %d: %w", len(fn.OpsetImport), err)
				}
			}
		case 10:
			fn.Domain, err = f.str("domain")
		case 12:
			fn.ValueInfo, err = d.appendValueInfo(fn.ValueInfo, &f, "value_info")
		case 13:
			fn.Overload, err = f.str("overload")
		case 14:
			fn.MetadataProps, err = d.appendEntry(fn.MetadataProps, &f, "metadata_props")
		}
		if err != nil {
			return nil, err
		}
	}
	return fn, nil
}
