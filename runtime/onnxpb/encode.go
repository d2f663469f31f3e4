package onnxpb

import (
	"math"

	"google.golang.org/protobuf/encoding/protowire"
)

// Encoding writes fields in field-number order and leaves out fields that
// hold their zero value, except where ONNX gives presence a meaning: an
// attribute's value field matching its type, a dim_value of 0, an empty but
// present raw_data, a known-rank (possibly scalar) shape, and empty strings
// inside repeated string fields (a node's missing optional inputs). Packed
// encoding is used for the TensorProto data fields, which onnx.proto
// declares packed; dims and attribute lists use the unpacked form that
// onnx.proto's proto2 declarations imply. Decoders accept both forms.

// EncodeModel serializes m as a ModelProto.
func EncodeModel(m *Model) []byte {
	if m == nil {
		return nil
	}
	var b []byte
	b = appendInt64(b, 1, m.IRVersion)
	b = appendString(b, 2, m.ProducerName)
	b = appendString(b, 3, m.ProducerVersion)
	b = appendString(b, 4, m.Domain)
	b = appendInt64(b, 5, m.ModelVersion)
	b = appendString(b, 6, m.DocString)
	if m.Graph != nil {
		b = appendMsg(b, 7, encodeGraph(m.Graph))
	}
	for _, o := range m.OpsetImport {
		b = appendMsg(b, 8, encodeOpset(o))
	}
	b = appendEntries(b, 14, m.MetadataProps)
	for _, f := range m.Functions {
		b = appendMsg(b, 25, encodeFunction(f))
	}
	return b
}

// EncodeTensor serializes t as a TensorProto.
func EncodeTensor(t *Tensor) []byte {
	if t == nil {
		return nil
	}
	var b []byte
	for _, d := range t.Dims {
		b = protowire.AppendTag(b, 1, protowire.VarintType)
		b = protowire.AppendVarint(b, uint64(d))
	}
	b = appendInt64(b, 2, int64(t.DataType))
	if t.Segment != nil {
		var s []byte
		s = appendInt64(s, 1, t.Segment.Begin)
		s = appendInt64(s, 2, t.Segment.End)
		b = appendMsg(b, 3, s)
	}
	if len(t.FloatData) > 0 {
		b = protowire.AppendTag(b, 4, protowire.BytesType)
		b = protowire.AppendVarint(b, uint64(4*len(t.FloatData)))
		for _, x := range t.FloatData {
			b = protowire.AppendFixed32(b, math.Float32bits(x))
		}
	}
	if len(t.Int32Data) > 0 {
		b = appendPackedVarints(b, 5, t.Int32Data, func(x int32) uint64 { return uint64(int64(x)) })
	}
	for _, s := range t.StringData {
		b = protowire.AppendTag(b, 6, protowire.BytesType)
		b = protowire.AppendBytes(b, s)
	}
	if len(t.Int64Data) > 0 {
		b = appendPackedVarints(b, 7, t.Int64Data, func(x int64) uint64 { return uint64(x) })
	}
	b = appendString(b, 8, t.Name)
	if t.HasRawData || len(t.RawData) > 0 {
		b = protowire.AppendTag(b, 9, protowire.BytesType)
		b = protowire.AppendBytes(b, t.RawData)
	}
	if len(t.DoubleData) > 0 {
		b = protowire.AppendTag(b, 10, protowire.BytesType)
		b = protowire.AppendVarint(b, uint64(8*len(t.DoubleData)))
		for _, x := range t.DoubleData {
			b = protowire.AppendFixed64(b, math.Float64bits(x))
		}
	}
	if len(t.Uint64Data) > 0 {
		b = appendPackedVarints(b, 11, t.Uint64Data, func(x uint64) uint64 { return x })
	}
	b = appendString(b, 12, t.DocString)
	b = appendEntries(b, 13, t.ExternalData)
	b = appendInt64(b, 14, int64(t.DataLocation))
	b = appendEntries(b, 16, t.MetadataProps)
	return b
}

// EncodeSequence serializes s as a SequenceProto.
func EncodeSequence(s *Sequence) []byte {
	if s == nil {
		return nil
	}
	var b []byte
	b = appendString(b, 1, s.Name)
	b = appendInt64(b, 2, int64(s.ElemType))
	for _, t := range s.Tensors {
		b = appendMsg(b, 3, EncodeTensor(t))
	}
	for _, t := range s.SparseTensors {
		b = appendMsg(b, 4, encodeSparse(t))
	}
	for _, t := range s.Sequences {
		b = appendMsg(b, 5, EncodeSequence(t))
	}
	for _, t := range s.Maps {
		b = appendMsg(b, 6, EncodeMap(t))
	}
	for _, t := range s.Optionals {
		b = appendMsg(b, 7, EncodeOptional(t))
	}
	return b
}

// EncodeMap serializes m as a MapProto.
func EncodeMap(m *Map) []byte {
	if m == nil {
		return nil
	}
	var b []byte
	b = appendString(b, 1, m.Name)
	b = appendInt64(b, 2, int64(m.KeyType))
	if len(m.Keys) > 0 {
		b = appendPackedVarints(b, 3, m.Keys, func(x int64) uint64 { return uint64(x) })
	}
	for _, s := range m.StringKeys {
		b = protowire.AppendTag(b, 4, protowire.BytesType)
		b = protowire.AppendBytes(b, s)
	}
	if m.Values != nil {
		b = appendMsg(b, 5, EncodeSequence(m.Values))
	}
	return b
}

// EncodeOptional serializes o as an OptionalProto.
func EncodeOptional(o *Optional) []byte {
	if o == nil {
		return nil
	}
	var b []byte
	b = appendString(b, 1, o.Name)
	b = appendInt64(b, 2, int64(o.ElemType))
	if o.Tensor != nil {
		b = appendMsg(b, 3, EncodeTensor(o.Tensor))
	}
	if o.SparseTensor != nil {
		b = appendMsg(b, 4, encodeSparse(o.SparseTensor))
	}
	if o.Sequence != nil {
		b = appendMsg(b, 5, EncodeSequence(o.Sequence))
	}
	if o.Map != nil {
		b = appendMsg(b, 6, EncodeMap(o.Map))
	}
	if o.Optional != nil {
		b = appendMsg(b, 7, EncodeOptional(o.Optional))
	}
	return b
}

func encodeGraph(g *Graph) []byte {
	var b []byte
	for _, n := range g.Nodes {
		b = appendMsg(b, 1, encodeNode(n))
	}
	b = appendString(b, 2, g.Name)
	for _, t := range g.Initializers {
		b = appendMsg(b, 5, EncodeTensor(t))
	}
	b = appendString(b, 10, g.DocString)
	for _, v := range g.Inputs {
		b = appendMsg(b, 11, encodeValueInfo(v))
	}
	for _, v := range g.Outputs {
		b = appendMsg(b, 12, encodeValueInfo(v))
	}
	for _, v := range g.ValueInfo {
		b = appendMsg(b, 13, encodeValueInfo(v))
	}
	for _, s := range g.SparseInitializers {
		b = appendMsg(b, 15, encodeSparse(s))
	}
	b = appendEntries(b, 16, g.MetadataProps)
	return b
}

func encodeNode(n *Node) []byte {
	var b []byte
	b = appendStrings(b, 1, n.Inputs)
	b = appendStrings(b, 2, n.Outputs)
	b = appendString(b, 3, n.Name)
	b = appendString(b, 4, n.OpType)
	for _, a := range n.Attributes {
		b = appendMsg(b, 5, encodeAttribute(a))
	}
	b = appendString(b, 6, n.DocString)
	b = appendString(b, 7, n.Domain)
	b = appendString(b, 8, n.Overload)
	b = appendEntries(b, 9, n.MetadataProps)
	return b
}

func encodeAttribute(a *Attribute) []byte {
	var b []byte
	b = appendString(b, 1, a.Name)
	if a.F != 0 || a.Type == AttrFloat {
		b = protowire.AppendTag(b, 2, protowire.Fixed32Type)
		b = protowire.AppendFixed32(b, math.Float32bits(a.F))
	}
	if a.I != 0 || a.Type == AttrInt {
		b = protowire.AppendTag(b, 3, protowire.VarintType)
		b = protowire.AppendVarint(b, uint64(a.I))
	}
	if len(a.S) > 0 || a.Type == AttrString {
		b = protowire.AppendTag(b, 4, protowire.BytesType)
		b = protowire.AppendBytes(b, a.S)
	}
	if a.T != nil {
		b = appendMsg(b, 5, EncodeTensor(a.T))
	}
	if a.G != nil {
		b = appendMsg(b, 6, encodeGraph(a.G))
	}
	for _, x := range a.Floats {
		b = protowire.AppendTag(b, 7, protowire.Fixed32Type)
		b = protowire.AppendFixed32(b, math.Float32bits(x))
	}
	for _, x := range a.Ints {
		b = protowire.AppendTag(b, 8, protowire.VarintType)
		b = protowire.AppendVarint(b, uint64(x))
	}
	for _, s := range a.Strings {
		b = protowire.AppendTag(b, 9, protowire.BytesType)
		b = protowire.AppendBytes(b, s)
	}
	for _, t := range a.Tensors {
		b = appendMsg(b, 10, EncodeTensor(t))
	}
	for _, g := range a.Graphs {
		b = appendMsg(b, 11, encodeGraph(g))
	}
	b = appendString(b, 13, a.DocString)
	if a.TP != nil {
		b = appendMsg(b, 14, encodeType(a.TP))
	}
	for _, t := range a.TypeProtos {
		b = appendMsg(b, 15, encodeType(t))
	}
	b = appendInt64(b, 20, int64(a.Type))
	b = appendString(b, 21, a.RefAttrName)
	if a.SparseTensor != nil {
		b = appendMsg(b, 22, encodeSparse(a.SparseTensor))
	}
	for _, s := range a.SparseTensors {
		b = appendMsg(b, 23, encodeSparse(s))
	}
	return b
}

func encodeSparse(s *SparseTensor) []byte {
	var b []byte
	if s.Values != nil {
		b = appendMsg(b, 1, EncodeTensor(s.Values))
	}
	if s.Indices != nil {
		b = appendMsg(b, 2, EncodeTensor(s.Indices))
	}
	for _, d := range s.Dims {
		b = protowire.AppendTag(b, 3, protowire.VarintType)
		b = protowire.AppendVarint(b, uint64(d))
	}
	return b
}

func encodeValueInfo(v *ValueInfo) []byte {
	var b []byte
	b = appendString(b, 1, v.Name)
	if v.Type != nil {
		b = appendMsg(b, 2, encodeType(v.Type))
	}
	b = appendString(b, 3, v.DocString)
	b = appendEntries(b, 4, v.MetadataProps)
	return b
}

func encodeType(t *Type) []byte {
	var b []byte
	if t.Tensor != nil {
		b = appendMsg(b, 1, encodeTensorType(t.Tensor))
	}
	if t.Sequence != nil {
		b = appendMsg(b, 4, appendMsg(nil, 1, encodeType(t.Sequence)))
	}
	if t.IsMap || t.MapValue != nil || t.MapKey != 0 {
		var m []byte
		m = appendInt64(m, 1, int64(t.MapKey))
		if t.MapValue != nil {
			m = appendMsg(m, 2, encodeType(t.MapValue))
		}
		b = appendMsg(b, 5, m)
	}
	b = appendString(b, 6, t.Denotation)
	if t.Opaque != nil {
		var o []byte
		o = appendString(o, 1, t.Opaque.Domain)
		o = appendString(o, 2, t.Opaque.Name)
		b = appendMsg(b, 7, o)
	}
	if t.SparseTensor != nil {
		b = appendMsg(b, 8, encodeTensorType(t.SparseTensor))
	}
	if t.Optional != nil {
		b = appendMsg(b, 9, appendMsg(nil, 1, encodeType(t.Optional)))
	}
	return b
}

func encodeTensorType(t *TensorType) []byte {
	var b []byte
	b = appendInt64(b, 1, int64(t.ElemType))
	if t.Shape != nil {
		var s []byte
		for _, d := range t.Shape.Dims {
			var m []byte
			if d.HasValue {
				m = protowire.AppendTag(m, 1, protowire.VarintType)
				m = protowire.AppendVarint(m, uint64(d.Value))
			} else {
				m = appendString(m, 2, d.Param)
			}
			m = appendString(m, 3, d.Denotation)
			s = appendMsg(s, 1, m)
		}
		b = appendMsg(b, 2, s)
	}
	return b
}

func encodeOpset(o OperatorSetID) []byte {
	var b []byte
	b = appendString(b, 1, o.Domain)
	b = protowire.AppendTag(b, 2, protowire.VarintType)
	return protowire.AppendVarint(b, uint64(o.Version))
}

func encodeFunction(f *Function) []byte {
	var b []byte
	b = appendString(b, 1, f.Name)
	b = appendStrings(b, 4, f.Inputs)
	b = appendStrings(b, 5, f.Outputs)
	b = appendStrings(b, 6, f.Attributes)
	for _, n := range f.Nodes {
		b = appendMsg(b, 7, encodeNode(n))
	}
	b = appendString(b, 8, f.DocString)
	for _, o := range f.OpsetImport {
		b = appendMsg(b, 9, encodeOpset(o))
	}
	b = appendString(b, 10, f.Domain)
	for _, a := range f.AttributeProto {
		b = appendMsg(b, 11, encodeAttribute(a))
	}
	for _, v := range f.ValueInfo {
		b = appendMsg(b, 12, encodeValueInfo(v))
	}
	b = appendString(b, 13, f.Overload)
	b = appendEntries(b, 14, f.MetadataProps)
	return b
}

// appendMsg appends a length-delimited field holding msg (possibly empty:
// an empty message that is present differs from an absent one).
func appendMsg(b []byte, num protowire.Number, msg []byte) []byte {
	b = protowire.AppendTag(b, num, protowire.BytesType)
	return protowire.AppendBytes(b, msg)
}

func appendString(b []byte, num protowire.Number, s string) []byte {
	if s == "" {
		return b
	}
	b = protowire.AppendTag(b, num, protowire.BytesType)
	return protowire.AppendString(b, s)
}

// appendStrings writes every element, empty ones included.
func appendStrings(b []byte, num protowire.Number, ss []string) []byte {
	for _, s := range ss {
		b = protowire.AppendTag(b, num, protowire.BytesType)
		b = protowire.AppendString(b, s)
	}
	return b
}

func appendInt64(b []byte, num protowire.Number, v int64) []byte {
	if v == 0 {
		return b
	}
	b = protowire.AppendTag(b, num, protowire.VarintType)
	return protowire.AppendVarint(b, uint64(v))
}

func appendEntries(b []byte, num protowire.Number, es []StringStringEntry) []byte {
	for _, e := range es {
		var m []byte
		m = appendString(m, 1, e.Key)
		m = appendString(m, 2, e.Value)
		b = appendMsg(b, num, m)
	}
	return b
}

func appendPackedVarints[T any](b []byte, num protowire.Number, xs []T, conv func(T) uint64) []byte {
	n := 0
	for _, x := range xs {
		n += protowire.SizeVarint(conv(x))
	}
	b = protowire.AppendTag(b, num, protowire.BytesType)
	b = protowire.AppendVarint(b, uint64(n))
	for _, x := range xs {
		b = protowire.AppendVarint(b, conv(x))
	}
	return b
}
