package main

import (
	"encoding/binary"
	"math"

	"google.golang.org/protobuf/encoding/protowire"
)

// msg builds one protobuf message. The generator writes the ONNX messages
// field by field with protowire so that it depends on nothing in onnxrun
// that it is meant to test.
type msg struct{ b []byte }

func (m *msg) varint(num protowire.Number, v uint64) *msg {
	m.b = protowire.AppendTag(m.b, num, protowire.VarintType)
	m.b = protowire.AppendVarint(m.b, v)
	return m
}

func (m *msg) bytes(num protowire.Number, v []byte) *msg {
	m.b = protowire.AppendTag(m.b, num, protowire.BytesType)
	m.b = protowire.AppendBytes(m.b, v)
	return m
}

func (m *msg) str(num protowire.Number, s string) *msg { return m.bytes(num, []byte(s)) }

func (m *msg) sub(num protowire.Number, s *msg) *msg { return m.bytes(num, s.b) }

func (m *msg) float(num protowire.Number, f float32) *msg {
	m.b = protowire.AppendTag(m.b, num, protowire.Fixed32Type)
	m.b = protowire.AppendFixed32(m.b, math.Float32bits(f))
	return m
}

func (m *msg) packedInts(num protowire.Number, v []int64) *msg {
	var p []byte
	for _, x := range v {
		p = protowire.AppendVarint(p, uint64(x))
	}
	return m.bytes(num, p)
}

// ONNX element types used here (TensorProto.DataType).
const (
	tFloat  = 1
	tInt64  = 7
	tDouble = 11
)

// tensor is a dense tensor of the generator: float64 values and the ONNX
// element type they are stored as.
type tensor struct {
	name  string
	dtype int
	shape []int64
	data  []float64
}

func (t tensor) proto() *msg {
	m := &msg{}
	m.packedInts(1, t.shape)
	m.varint(2, uint64(t.dtype))
	m.str(8, t.name)
	var raw []byte
	for _, v := range t.data {
		switch t.dtype {
		case tFloat:
			raw = binary.LittleEndian.AppendUint32(raw, math.Float32bits(float32(v)))
		case tDouble:
			raw = binary.LittleEndian.AppendUint64(raw, math.Float64bits(v))
		case tInt64:
			raw = binary.LittleEndian.AppendUint64(raw, uint64(int64(v)))
		default:
			panic("generator: unhandled element type")
		}
	}
	if raw == nil {
		raw = []byte{}
	}
	m.bytes(9, raw)
	return m
}

// attr is one node attribute: exactly one of the value fields is used,
// chosen by kind.
type attr struct {
	name string
	kind int // 1 FLOAT, 2 INT, 4 TENSOR, 7 INTS
	f    float32
	i    int64
	t    *tensor
	ints []int64
}

func intAttr(name string, v int64) attr     { return attr{name: name, kind: 2, i: v} }
func intsAttr(name string, v ...int64) attr { return attr{name: name, kind: 7, ints: v} }
func tensorAttr(name string, t tensor) attr { return attr{name: name, kind: 4, t: &t} }
func floatAttr(name string, v float32) attr { return attr{name: name, kind: 1, f: v} }

func (a attr) proto() *msg {
	m := (&msg{}).str(1, a.name)
	switch a.kind {
	case 1:
		m.float(2, a.f)
	case 2:
		m.varint(3, uint64(a.i))
	case 4:
		m.sub(5, a.t.proto())
	case 7:
		m.packedInts(8, a.ints)
	}
	m.varint(20, uint64(a.kind))
	return m
}

type node struct {
	name, op string
	in, out  []string
	attrs    []attr
}

func (n node) proto() *msg {
	m := &msg{}
	for _, s := range n.in {
		m.str(1, s)
	}
	for _, s := range n.out {
		m.str(2, s)
	}
	m.str(3, n.name)
	m.str(4, n.op)
	for _, a := range n.attrs {
		m.sub(5, a.proto())
	}
	return m
}

// valueInfo declares a graph input or output. A dimension below zero is
// written as the symbolic name in params (by position), or left unknown.
type valueInfo struct {
	name   string
	dtype  int
	shape  []int64
	params []string
}

func (v valueInfo) proto() *msg {
	shape := &msg{}
	for i, d := range v.shape {
		dim := &msg{}
		if d >= 0 {
			dim.varint(1, uint64(d))
		} else if i < len(v.params) && v.params[i] != "" {
			dim.str(2, v.params[i])
		}
		shape.sub(1, dim)
	}
	tt := (&msg{}).varint(1, uint64(v.dtype)).sub(2, shape)
	typ := (&msg{}).sub(1, tt)
	return (&msg{}).str(1, v.name).sub(2, typ)
}

type graph struct {
	name    string
	nodes   []node
	inits   []tensor
	inputs  []valueInfo
	outputs []valueInfo
}

// model encodes a ModelProto with one default-domain opset import.
func model(g graph, opset, irVersion int64, doc string) []byte {
	gm := &msg{}
	for _, n := range g.nodes {
		gm.sub(1, n.proto())
	}
	gm.str(2, g.name)
	for _, t := range g.inits {
		gm.sub(5, t.proto())
	}
	gm.str(10, doc)
	for _, v := range g.inputs {
		gm.sub(11, v.proto())
	}
	for _, v := range g.outputs {
		gm.sub(12, v.proto())
	}
	m := &msg{}
	m.varint(1, uint64(irVersion))
	m.str(2, "onnxrun-models-gen")
	m.str(3, "1")
	m.sub(7, gm)
	m.sub(8, (&msg{}).str(1, "").varint(2, uint64(opset)))
	return m.b
}
