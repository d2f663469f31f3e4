package onnxpb

import (
	"bytes"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"unsafe"

	"google.golang.org/protobuf/encoding/protowire"
)

// fullModel uses every field of every message the package knows.
func fullModel() *Model {
	tensorType := func(et int32, dims ...Dim) *Type {
		return &Type{Tensor: &TensorType{ElemType: et, Shape: &Shape{Dims: dims}}}
	}
	meta := []StringStringEntry{{Key: "k", Value: "v"}, {Key: "", Value: "empty key"}}
	sparse := &SparseTensor{
		Values:  &Tensor{DataType: 1, Dims: []int64{2}, FloatData: []float32{1, 2}},
		Indices: &Tensor{DataType: 7, Dims: []int64{2}, Int64Data: []int64{0, 5}},
		Dims:    []int64{2, 3},
	}
	body := &Graph{
		Name:    "body",
		Nodes:   []*Node{{OpType: "Add", Inputs: []string{"a", "b"}, Outputs: []string{"c"}}},
		Inputs:  []*ValueInfo{{Name: "a", Type: tensorType(1)}},
		Outputs: []*ValueInfo{{Name: "c", Type: tensorType(1)}},
	}
	attrs := []*Attribute{
		{Name: "f", Type: AttrFloat, F: -1.25, DocString: "a float"},
		{Name: "f0", Type: AttrFloat, F: 0},
		{Name: "i", Type: AttrInt, I: math.MinInt64},
		{Name: "i0", Type: AttrInt, I: 0},
		{Name: "s", Type: AttrString, S: []byte("héllo")},
		{Name: "t", Type: AttrTensor, T: &Tensor{Name: "tv", DataType: 6, Dims: []int64{3}, Int32Data: []int32{-1, 0, 1 << 30}}},
		{Name: "g", Type: AttrGraph, G: body},
		{Name: "sp", Type: AttrSparseTensor, SparseTensor: sparse},
		{Name: "tp", Type: AttrTypeProto, TP: tensorType(7, Dim{Param: "N"})},
		{Name: "fs", Type: AttrFloats, Floats: []float32{1, float32(math.Inf(-1)), 0}},
		{Name: "is", Type: AttrInts, Ints: []int64{-1, 0, math.MaxInt64}},
		{Name: "ss", Type: AttrStrings, Strings: [][]byte{[]byte("x"), nil, []byte("z")}},
		{Name: "ts", Type: AttrTensors, Tensors: []*Tensor{{DataType: 11, DoubleData: []float64{math.Pi}}}},
		{Name: "gs", Type: AttrGraphs, Graphs: []*Graph{body, {Name: "empty"}}},
		{Name: "sps", Type: AttrSparseTensors, SparseTensors: []*SparseTensor{sparse}},
		{Name: "tps", Type: AttrTypeProtos, TypeProtos: []*Type{tensorType(1), {Sequence: tensorType(2)}}},
		{Name: "ref", RefAttrName: "outer", Type: AttrInt},
	}
	types := []*Type{
		tensorType(1, Dim{Value: 0, HasValue: true}, Dim{Param: "batch", Denotation: "DATA_BATCH"}, Dim{}),
		{Tensor: &TensorType{ElemType: 1, Shape: &Shape{}}}, // scalar
		{Tensor: &TensorType{ElemType: 1}},                  // unknown rank
		{Sequence: tensorType(9)},
		{IsMap: true, MapKey: 8, MapValue: &Type{Sequence: tensorType(1)}},
		{IsMap: true, MapKey: 7},
		{Optional: &Type{Optional: tensorType(6)}},
		{SparseTensor: &TensorType{ElemType: 1, Shape: &Shape{Dims: []Dim{{Value: 10, HasValue: true}}}}},
		{Opaque: &OpaqueType{Domain: "d", Name: "n"}, Denotation: "IMAGE"},
	}
	var inputs []*ValueInfo
	for i, ty := range types {
		inputs = append(inputs, &ValueInfo{Name: string(rune('a' + i)), Type: ty, DocString: "doc", MetadataProps: meta})
	}
	return &Model{
		IRVersion:       10,
		OpsetImport:     []OperatorSetID{{Version: 21}, {Domain: "ai.onnx.ml", Version: 3}, {Domain: "local", Version: 1}},
		ProducerName:    "onnxrun",
		ProducerVersion: "0.1",
		Domain:          "org.example",
		ModelVersion:    -3,
		DocString:       "every field",
		MetadataProps:   meta,
		Graph: &Graph{
			Name:      "main",
			DocString: "graph doc",
			Nodes: []*Node{
				{Name: "n0", OpType: "Custom", Domain: "local", Overload: "ov", DocString: "node doc",
					Inputs: []string{"a", "", "c"}, Outputs: []string{"", "y"}, Attributes: attrs, MetadataProps: meta},
				{OpType: "Identity", Inputs: []string{"y"}, Outputs: []string{"z"}},
			},
			Initializers: []*Tensor{
				{Name: "raw", DataType: 1, Dims: []int64{2, 1}, RawData: []byte{0, 0, 128, 63, 0, 0, 0, 64}, HasRawData: true, DocString: "d", MetadataProps: meta},
				{Name: "emptyraw", DataType: 1, Dims: []int64{0}, HasRawData: true},
				{Name: "str", DataType: 8, Dims: []int64{2}, StringData: [][]byte{[]byte("a"), nil}},
				{Name: "u64", DataType: 13, Dims: []int64{1}, Uint64Data: []uint64{math.MaxUint64}},
				{Name: "i64", DataType: 7, Dims: []int64{2}, Int64Data: []int64{math.MinInt64, -1}},
				{Name: "ext", DataType: 1, Dims: []int64{4}, DataLocation: 1,
					ExternalData: []StringStringEntry{{Key: "location", Value: "w.bin"}, {Key: "offset", Value: "4096"}}},
				{Name: "seg", DataType: 1, Dims: []int64{1}, Segment: &Segment{Begin: 3, End: 4}, FloatData: []float32{1}},
			},
			SparseInitializers: []*SparseTensor{sparse},
			Inputs:             inputs,
			Outputs:            []*ValueInfo{{Name: "z", Type: tensorType(1)}},
			ValueInfo:          []*ValueInfo{{Name: "y"}},
			MetadataProps:      meta,
		},
		Functions: []*Function{{
			Name: "Custom", Domain: "local", Overload: "ov", DocString: "fn",
			Inputs: []string{"a", "b", "c"}, Outputs: []string{"x", "y"}, Attributes: []string{"alpha"},
			AttributeProto: []*Attribute{{Name: "beta", Type: AttrFloat, F: 2}},
			Nodes:          []*Node{{OpType: "Mul", Inputs: []string{"a", "b"}, Outputs: []string{"y"}}},
			OpsetImport:    []OperatorSetID{{Version: 21}},
			ValueInfo:      []*ValueInfo{{Name: "y", Type: tensorType(1)}},
			MetadataProps:  meta,
		}},
	}
}

func TestModelRoundTrip(t *testing.T) {
	m := fullModel()
	b := EncodeModel(m)
	got, err := DecodeModel(b, Limits{})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, m) {
		// Narrow the report down to the first differing part.
		for i := range m.Graph.Nodes {
			if !reflect.DeepEqual(got.Graph.Nodes[i], m.Graph.Nodes[i]) {
				for j, a := range m.Graph.Nodes[i].Attributes {
					if !reflect.DeepEqual(got.Graph.Nodes[i].Attributes[j], a) {
						t.Errorf("attribute %q: got %+v, want %+v", a.Name, got.Graph.Nodes[i].Attributes[j], a)
					}
				}
			}
		}
		for i, v := range m.Graph.Inputs {
			if !reflect.DeepEqual(got.Graph.Inputs[i], v) {
				t.Errorf("input %d: got %+v, want %+v", i, got.Graph.Inputs[i].Type, v.Type)
			}
		}
		for i, in := range m.Graph.Initializers {
			if !reflect.DeepEqual(got.Graph.Initializers[i], in) {
				t.Errorf("initializer %q: got %+v, want %+v", in.Name, got.Graph.Initializers[i], in)
			}
		}
		t.Fatal("decoded model differs from the encoded one")
	}
	// Encoding is deterministic: the decoded model encodes to the same bytes.
	if !bytes.Equal(EncodeModel(got), b) {
		t.Error("re-encoding changed the bytes")
	}
	// raw_data aliases the input buffer (documented); nothing else does.
	raw := got.Graph.Initializers[0].RawData
	if len(raw) == 0 || !aliases(raw, b) {
		t.Error("raw_data does not alias the input")
	}
	if s := got.Graph.Nodes[0].Attributes[4].S; aliases(s, b) {
		t.Error("attribute s aliases the input")
	}
}

func aliases(s, buf []byte) bool {
	if len(s) == 0 || len(buf) == 0 {
		return false
	}
	p, lo := uintptr(unsafe.Pointer(&s[0])), uintptr(unsafe.Pointer(&buf[0]))
	return p >= lo && p < lo+uintptr(len(buf))
}

func TestDataRoundTrip(t *testing.T) {
	tensor := &Tensor{DataType: 7, Dims: []int64{1}, Int64Data: []int64{42}}
	seq := &Sequence{Name: "s", ElemType: ElemTensor, Tensors: []*Tensor{tensor, tensor}}
	m := &Map{Name: "m", KeyType: 7, Keys: []int64{1, -2}, Values: &Sequence{ElemType: ElemTensor, Tensors: []*Tensor{tensor, tensor}}}
	sm := &Map{KeyType: 8, StringKeys: [][]byte{[]byte("a")}, Values: &Sequence{ElemType: ElemTensor, Tensors: []*Tensor{tensor}}}
	nested := &Sequence{ElemType: ElemSequence, Sequences: []*Sequence{seq, {}}}
	opt := &Optional{Name: "o", ElemType: ElemSequence, Sequence: seq}
	allOpt := &Optional{Tensor: tensor, SparseTensor: &SparseTensor{Dims: []int64{3}}, Map: sm, Optional: &Optional{}}
	mixed := &Sequence{ElemType: ElemMap, Maps: []*Map{m, sm}, Optionals: []*Optional{opt, {}}, SparseTensors: []*SparseTensor{{Dims: []int64{1}}}}

	for _, s := range []*Sequence{seq, nested, mixed, {}} {
		got, err := DecodeSequence(EncodeSequence(s), Limits{})
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, s) {
			t.Errorf("sequence: got %+v, want %+v", got, s)
		}
	}
	for _, mp := range []*Map{m, sm} {
		got, err := DecodeMap(EncodeMap(mp), Limits{})
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, mp) {
			t.Errorf("map: got %+v, want %+v", got, mp)
		}
	}
	for _, o := range []*Optional{opt, allOpt, {}} {
		got, err := DecodeOptional(EncodeOptional(o), Limits{})
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, o) {
			t.Errorf("optional: got %+v, want %+v", got, o)
		}
	}
	// Nesting of data messages is bounded.
	deep := EncodeOptional(&Optional{})
	for i := 0; i < 200; i++ {
		deep = protowire.AppendBytes(protowire.AppendTag(nil, 7, protowire.BytesType), deep)
	}
	if _, err := DecodeOptional(deep, Limits{}); err == nil || !strings.Contains(err.Error(), "nested") {
		t.Errorf("optional nested 200 deep: %v", err)
	}
}

// TestReencodeSharedModels checks the encoder on real models: decoding,
// encoding and decoding again gives the same structs.
func TestReencodeSharedModels(t *testing.T) {
	dir := testdataDir(t, "onnx/node")
	paths, _ := filepath.Glob(filepath.Join(dir, "*", "model.onnx"))
	if len(paths) == 0 {
		t.Skip("no models found")
	}
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		m1, err := DecodeModel(b, Limits{})
		if err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		m2, err := DecodeModel(EncodeModel(m1), Limits{})
		if err != nil {
			t.Fatalf("%s: re-encoded: %v", p, err)
		}
		if !reflect.DeepEqual(m1, m2) {
			t.Errorf("%s: re-encoded model differs", p)
		}
	}
}
