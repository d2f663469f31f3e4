package runtime

import (
	"slices"
	"testing"

	"github.com/onnxrun/onnxrun/operators"
	"github.com/onnxrun/onnxrun/runtime/onnxpb"
)

// TestSubgraphOutputMetas: a compiled subgraph reports its outputs' types
// and shapes, declared or inferred, through OutputMetas.
func TestSubgraphOutputMetas(t *testing.T) {
	var got []operators.Meta
	operators.Register(operators.Registration{Domain: testDomain, OpType: "PeekMetas", Since: 1, New: func(n *operators.Node) (operators.Op, error) {
		g, err := n.Subgraph(n.Attrs["body"].G)
		if err != nil {
			return nil, err
		}
		got = g.(interface{ OutputMetas() []operators.Meta }).OutputMetas()
		return &testOp{name: n.Name,
			infer: func(in []operators.Meta) ([]operators.Meta, error) { return in, nil },
			run:   func(rc *operators.RunContext, in, out []*operators.Value) error { copy(out, in); return nil }}, nil
	}})
	body := &onnxpb.Graph{
		Name:    "body",
		Nodes:   []*onnxpb.Node{tnode("one", "AddOne", []string{"x"}, []string{"inferred"})},
		Outputs: []*onnxpb.ValueInfo{vinfo("declared", operators.Int64, 3, "n"), {Name: "inferred"}},
		Inputs:  []*onnxpb.ValueInfo{vinfo("declared", operators.Int64, 3, "n")},
	}
	mustLoad(t, model(&onnxpb.Graph{
		Nodes:   []*onnxpb.Node{tnode("peek", "PeekMetas", []string{"x"}, []string{"y"}, graphAttr("body", body))},
		Inputs:  []*onnxpb.ValueInfo{vinfo("x", operators.Float32, 2)},
		Outputs: []*onnxpb.ValueInfo{vinfo("y", operators.Float32, 2)},
	}))
	if len(got) != 2 {
		t.Fatalf("got %d metas, want 2", len(got))
	}
	if m := got[0]; m.DType != operators.Int64 || !m.HasShape || !slices.Equal(m.Shape, []int{3, -1}) {
		t.Errorf("declared output: %+v, want int64 [3 -1]", m)
	}
	if m := got[1]; m.DType != operators.Float32 || !m.HasShape || !slices.Equal(m.Shape, []int{2}) {
		t.Errorf("inferred output: %+v, want float32 [2]", m)
	}
}
