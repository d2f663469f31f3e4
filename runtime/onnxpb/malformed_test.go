package onnxpb

import (
	"errors"
	"strings"
	"testing"

	"google.golang.org/protobuf/encoding/protowire"

	"github.com/onnxrun/onnxrun/operators"
)

// smallModel is a one-node model with attributes of several kinds, a
// subgraph, an initializer and typed inputs: enough structure that
// truncation hits every decoder.
func smallModel() *Model {
	sub := &Graph{
		Name:    "then",
		Nodes:   []*Node{{OpType: "Identity", Inputs: []string{"x"}, Outputs: []string{"t"}}},
		Outputs: []*ValueInfo{{Name: "t"}},
	}
	return &Model{
		IRVersion:    8,
		ProducerName: "onnxpb-test",
		Graph: &Graph{
			Name: "main",
			Nodes: []*Node{
				{Name: "sm", OpType: "Softmax", Inputs: []string{"x"}, Outputs: []string{"y"},
					Attributes: []*Attribute{{Name: "axis", Type: AttrInt, I: -1}}},
				{Name: "c", OpType: "Conv", Inputs: []string{"y", "w", ""}, Outputs: []string{"z"},
					Attributes: []*Attribute{
						{Name: "pads", Type: AttrInts, Ints: []int64{1, 1, 1, 1}},
						{Name: "alpha", Type: AttrFloat, F: 0.5},
						{Name: "mode", Type: AttrString, S: []byte("constant")},
					}},
				{Name: "if", OpType: "If", Inputs: []string{"cond"}, Outputs: []string{"o"},
					Attributes: []*Attribute{{Name: "then_branch", Type: AttrGraph, G: sub}}},
			},
			Initializers: []*Tensor{{Name: "w", DataType: 1, Dims: []int64{2}, FloatData: []float32{1, 2}}},
			Inputs: []*ValueInfo{{Name: "x", Type: &Type{Tensor: &TensorType{ElemType: 1,
				Shape: &Shape{Dims: []Dim{{Param: "N"}, {Value: 3, HasValue: true}}}}}}},
			Outputs: []*ValueInfo{{Name: "z", Type: &Type{Tensor: &TensorType{ElemType: 1}}}},
		},
		// Last, so that every strict prefix of the encoding lacks it or
		// cuts it short.
		OpsetImport: []OperatorSetID{{Version: 13}},
	}
}

func TestTruncationNeverPanics(t *testing.T) {
	b := EncodeModel(smallModel())
	if _, err := DecodeModel(b, Limits{}); err != nil {
		t.Fatalf("full model: %v", err)
	}
	for i := 0; i < len(b); i++ {
		m, err := DecodeModel(b[:i], Limits{})
		if err == nil {
			t.Fatalf("prefix of %d/%d bytes decoded without error: %+v", i, len(b), m)
		}
		if !errors.Is(err, operators.ErrInvalidModel) {
			t.Fatalf("prefix %d: error %v does not wrap ErrInvalidModel", i, err)
		}
	}
	tb := EncodeTensor(&Tensor{Name: "t", DataType: 7, Dims: []int64{3}, Int64Data: []int64{1, -2, 300}})
	for i := 0; i < len(tb); i++ {
		// A tensor prefix may be a valid, smaller message; it must not panic
		// and, if it decodes, must be convertible or refused cleanly.
		if tp, err := DecodeTensor(tb[:i], Limits{}); err == nil {
			_, _ = TensorToValue(tp, "", Limits{})
		}
	}
}

// tag builds field bytes by hand.
func tag(num protowire.Number, typ protowire.Type) []byte {
	return protowire.AppendTag(nil, num, typ)
}

func msgField(num protowire.Number, payload []byte) []byte {
	return protowire.AppendBytes(tag(num, protowire.BytesType), payload)
}

func varintField(num protowire.Number, v uint64) []byte {
	return protowire.AppendVarint(tag(num, protowire.VarintType), v)
}

func cat(parts ...[]byte) []byte {
	var b []byte
	for _, p := range parts {
		b = append(b, p...)
	}
	return b
}

// wrapModel puts graph bytes into a minimal valid model.
func wrapModel(graph []byte) []byte {
	return cat(varintField(1, 8), msgField(7, graph), msgField(8, varintField(2, 13)))
}

func wrapNode(node []byte) []byte {
	return wrapModel(cat(msgField(1, node), msgField(2, []byte("main"))))
}

func TestMalformed(t *testing.T) {
	axis := msgField(5, cat(msgField(1, []byte("axis")), varintField(3, 1), varintField(20, 2)))
	node := cat(msgField(3, []byte("conv1")), msgField(4, []byte("Conv")))
	cases := []struct {
		name    string
		b       []byte
		want    []string // substrings of the error
		isLimit bool
	}{
		{"empty", nil, []string{"no graph"}, false},
		{"ir version 2", cat(varintField(1, 2), msgField(7, nil), msgField(8, varintField(2, 1))), []string{"IR version 2"}, false},
		{"no opset", cat(varintField(1, 7), msgField(7, nil)), []string{"opset_import"}, false},
		{"graph as varint", cat(varintField(1, 7), varintField(7, 5)), []string{"field 7 (graph)", "wire type varint, want bytes"}, false},
		{"ir_version as bytes", msgField(1, []byte("x")), []string{"ir_version", "want varint"}, false},
		{"varint overflow", cat(tag(1, protowire.VarintType), []byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01}), []string{"overflow"}, false},
		{"length past end", cat(tag(7, protowire.BytesType), []byte{0x7f, 0x00}), []string{"unexpected EOF"}, false},
		{"huge length", cat(tag(7, protowire.BytesType), protowire.AppendVarint(nil, 1<<62)), []string{"unexpected EOF"}, false},
		{"field number 0", []byte{0x00, 0x01}, []string{"invalid field number"}, false},
		{"stray end group", tag(3, protowire.EndGroupType), []string{"end group"}, false},
		{"reserved wire type", []byte{0x0e}, []string{"reserved wire type"}, false},
		{"attribute f as varint",
			wrapNode(cat(node, msgField(5, cat(msgField(1, []byte("alpha")), varintField(2, 1))))),
			[]string{`graph "main": node 0 "conv1" (Conv): attribute "alpha": field 2 (f): wire type varint, want fixed32`}, false},
		{"attribute ints packed truncated",
			wrapNode(cat(node, axis, msgField(5, cat(msgField(1, []byte("kernel_shape")), msgField(8, []byte{0x03, 0x83}))))),
			[]string{`node 0 "conv1" (Conv): attribute "kernel_shape": field 8 (ints)`, "unexpected EOF"}, false},
		{"initializer negative dim",
			wrapModel(cat(msgField(2, []byte("g")), msgField(5, cat(varintField(1, uint64(1<<64-1)), varintField(2, 1), msgField(8, []byte("w")))))),
			[]string{`graph "g": initializer "w": dims[0] is negative`}, false},
		{"initializer float_data odd length",
			wrapModel(msgField(5, cat(msgField(4, []byte{1, 2, 3}), msgField(8, []byte("w"))))),
			[]string{`initializer "w"`, "not a multiple of 4"}, false},
		{"unnamed node",
			wrapModel(msgField(1, msgField(5, varintField(1, 3)))),
			[]string{"node 0: attribute 0: field 1 (name)"}, false},
		{"2^40 elements",
			wrapModel(msgField(5, cat(varintField(1, 1<<20), varintField(1, 1<<20), varintField(2, 1), msgField(8, []byte("big"))))),
			[]string{`initializer "big"`, "MaxTensorElements"}, true},
		{"2^30 float64 over 4 GiB",
			wrapModel(msgField(5, cat(varintField(1, 1<<30), varintField(2, 11), msgField(8, []byte("big"))))),
			[]string{`initializer "big"`, "MaxTensorBytes"}, true},
		{"overflowing dims",
			wrapModel(msgField(5, cat(varintField(1, 1<<62), varintField(1, 1<<62), varintField(1, 1<<62), varintField(2, 1)))),
			[]string{"MaxTensorElements"}, true},
		{"graph twice",
			cat(varintField(1, 8), msgField(7, nil), msgField(7, nil), msgField(8, varintField(2, 13))),
			[]string{"field 7 (graph) appears more than once"}, false},
		{"type with two variants",
			wrapModel(msgField(11, cat(msgField(1, []byte("x")), msgField(2, cat(msgField(1, nil), msgField(4, nil)))))),
			[]string{`input "x"`, "field 4 (sequence_type) appears more than once, or with another member of its oneof"}, false},
		{"sparse dense shape too big",
			wrapModel(msgField(15, cat(varintField(3, 1<<40), varintField(3, 1<<40)))),
			[]string{"sparse_initializer 0: dims", "MaxTensorElements"}, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := DecodeModel(c.b, Limits{})
			if err == nil {
				t.Fatal("decoded without error")
			}
			if !errors.Is(err, operators.ErrInvalidModel) {
				t.Errorf("error %v does not wrap ErrInvalidModel", err)
			}
			if errors.Is(err, ErrLimit) != c.isLimit {
				t.Errorf("errors.Is(err, ErrLimit) = %v, want %v", !c.isLimit, c.isLimit)
			}
			for _, w := range c.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
		})
	}
}

// TestTenMillionNodes declares 10^7 (empty) nodes, 20 MB of input, and
// checks that the node limit refuses them before any Node is allocated:
// the decoder's allocations stay far below 10^7 Node structs.
func TestTenMillionNodes(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a 20 MB message")
	}
	const n = 10_000_000
	g := make([]byte, 0, 2*n)
	for i := 0; i < n; i++ {
		g = append(g, 0x0a, 0x00) // field 1 (node), length 0
	}
	b := wrapModel(g)
	var err error
	allocs := testing.AllocsPerRun(1, func() { _, err = DecodeModel(b, Limits{}) })
	if err == nil || !errors.Is(err, ErrLimit) || !strings.Contains(err.Error(), "MaxNodes") {
		t.Fatalf("error %v, want a MaxNodes limit error", err)
	}
	if allocs > 100 {
		t.Errorf("%v allocations before refusing; the count must be checked before allocating", allocs)
	}

	// The same limit applies over all graphs together: 3 nodes in the
	// main graph plus 3 in a subgraph exceed MaxNodes = 5.
	sub := cat(msgField(1, nil), msgField(1, nil), msgField(1, nil))
	withSub := msgField(1, msgField(5, cat(msgField(1, []byte("body")), varintField(20, 5), msgField(6, sub))))
	main := cat(withSub, msgField(1, nil), msgField(1, nil))
	if _, err := DecodeModel(wrapModel(main), Limits{MaxNodes: 5}); !errors.Is(err, ErrLimit) {
		t.Errorf("6 nodes with MaxNodes 5: error %v, want ErrLimit", err)
	}
	if _, err := DecodeModel(wrapModel(main), Limits{MaxNodes: 6}); err != nil {
		t.Errorf("6 nodes with MaxNodes 6: %v", err)
	}
}

// nested returns a graph whose single node holds a graph attribute, depth
// levels deep (depth 1 is a graph with no subgraph).
func nested(depth int) []byte {
	g := msgField(2, []byte("leaf"))
	for i := 1; i < depth; i++ {
		attr := cat(msgField(1, []byte("body")), msgField(6, g), varintField(20, 5))
		g = msgField(1, cat(msgField(4, []byte("Loop")), msgField(5, attr)))
	}
	return g
}

func TestGraphDepth(t *testing.T) {
	def := DefaultLimits().MaxGraphDepth
	if _, err := DecodeModel(wrapModel(nested(def)), Limits{}); err != nil {
		t.Errorf("depth %d (the limit): %v", def, err)
	}
	_, err := DecodeModel(wrapModel(nested(def+1)), Limits{})
	if !errors.Is(err, ErrLimit) || !strings.Contains(err.Error(), "MaxGraphDepth") {
		t.Errorf("depth %d: error %v, want MaxGraphDepth limit", def+1, err)
	}
	if _, err := DecodeModel(wrapModel(nested(4)), Limits{MaxGraphDepth: 3}); !errors.Is(err, ErrLimit) {
		t.Errorf("depth 4 with limit 3: error %v, want ErrLimit", err)
	}
	// Deep type nesting (sequence of sequence of ...) is bounded too.
	ty := msgField(1, varintField(1, 1))
	for i := 0; i < 1000; i++ {
		ty = msgField(4, msgField(1, ty))
	}
	in := msgField(11, cat(msgField(1, []byte("x")), msgField(2, ty)))
	if _, err := DecodeModel(wrapModel(in), Limits{}); !errors.Is(err, ErrLimit) {
		t.Errorf("type nested 1000 deep: error %v, want ErrLimit", err)
	}
}

func TestLoweredLimits(t *testing.T) {
	b := EncodeModel(smallModel())
	if _, err := DecodeModel(b, Limits{MaxModelBytes: int64(len(b) - 1)}); !errors.Is(err, ErrLimit) {
		t.Errorf("MaxModelBytes: error %v", err)
	}
	// pads has 4 elements.
	if _, err := DecodeModel(b, Limits{MaxTensorElements: 3}); !errors.Is(err, ErrLimit) {
		t.Errorf("MaxTensorElements 3: error %v", err)
	}
	if _, err := DecodeModel(b, Limits{MaxTensorElements: 4}); err != nil {
		t.Errorf("MaxTensorElements 4: %v", err)
	}
	// The initializer is 2 float32s = 8 bytes.
	if _, err := DecodeModel(b, Limits{MaxTensorBytes: 7}); !errors.Is(err, ErrLimit) {
		t.Errorf("MaxTensorBytes 7: error %v", err)
	}
	if _, err := DecodeModel(b, Limits{MaxTensorBytes: 8}); err != nil {
		t.Errorf("MaxTensorBytes 8: %v", err)
	}
	// 3 nodes in main + 1 in the subgraph.
	if _, err := DecodeModel(b, Limits{MaxNodes: 3}); !errors.Is(err, ErrLimit) {
		t.Errorf("MaxNodes 3: error %v", err)
	}
	if _, err := DecodeModel(b, Limits{MaxNodes: 4}); err != nil {
		t.Errorf("MaxNodes 4: %v", err)
	}
	if _, err := DecodeModel(b, Limits{MaxMessages: 10}); !errors.Is(err, ErrLimit) || !strings.Contains(err.Error(), "MaxMessages") {
		t.Errorf("MaxMessages 10: error %v", err)
	}
}

// TestManyEmptyMessages: 100000 empty initializers (2 bytes each, a few
// hundred bytes of structs each) are refused by MaxMessages.
func TestManyEmptyMessages(t *testing.T) {
	var g []byte
	for i := 0; i < 100000; i++ {
		g = append(g, msgField(5, nil)...)
	}
	b := wrapModel(g)
	if _, err := DecodeModel(b, Limits{MaxMessages: 50000}); !errors.Is(err, ErrLimit) {
		t.Errorf("error %v, want ErrLimit", err)
	}
	// Every message counts: the model, its graph, the opset import and the
	// initializers.
	if _, err := DecodeModel(b, Limits{MaxMessages: 100003}); err != nil {
		t.Errorf("exactly at the limit: %v", err)
	}
	if _, err := DecodeModel(b, Limits{MaxMessages: 100002}); !errors.Is(err, ErrLimit) {
		t.Errorf("one over the limit: error %v", err)
	}
}

func TestUnknownFieldsSkipped(t *testing.T) {
	b := EncodeModel(smallModel())
	want, err := DecodeModel(b, Limits{})
	if err != nil {
		t.Fatal(err)
	}
	// Unknown fields of every wire type, including a group, at the top.
	group := cat(tag(99, protowire.StartGroupType), varintField(1, 5), tag(99, protowire.EndGroupType))
	extra := cat(varintField(1000, 7), protowire.AppendFixed32(tag(1001, protowire.Fixed32Type), 1),
		protowire.AppendFixed64(tag(1002, protowire.Fixed64Type), 2), msgField(1003, []byte("zz")), group)
	got, err := DecodeModel(append(extra, b...), Limits{})
	if err != nil {
		t.Fatal(err)
	}
	if EncodeModel(got) == nil || string(EncodeModel(got)) != string(EncodeModel(want)) {
		t.Error("unknown fields changed the decoded model")
	}
}
