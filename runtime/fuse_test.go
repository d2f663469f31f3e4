package runtime

import (
	"context"
	"math"
	"slices"
	"testing"

	"github.com/onnxrun/onnxrun/operators"
	"github.com/onnxrun/onnxrun/runtime/onnxpb"
)

// fuseModel is Conv (2 -> 3 channels, 3x3, pad 1) -> Relu -> Identity ->
// Clip(-1, 0.5) -> y, plus a second Conv -> LeakyRelu whose Conv output is
// also a graph output (so it must not be fused).
func fuseModel() *onnxpb.Model {
	w := make([]float32, 3*2*3*3)
	for i := range w {
		w[i] = float32(math.Sin(float64(i))) // mixed signs
	}
	bias := []float32{0.1, -0.2, 0.05}
	g := &onnxpb.Graph{
		Name:   "fuse",
		Inputs: []*onnxpb.ValueInfo{vinfo("x", operators.Float32, 1, 2, 5, 5)},
		Outputs: []*onnxpb.ValueInfo{
			vinfo("y", operators.Float32, 1, 3, 5, 5),
			vinfo("c2", operators.Float32, 1, 3, 5, 5),
			vinfo("z", operators.Float32, 1, 3, 5, 5),
		},
		Initializers: []*onnxpb.Tensor{
			initializer("w", f32([]int{3, 2, 3, 3}, w...)),
			initializer("b", f32([]int{3}, bias...)),
			initializer("lo", f32(nil, -1)),
			initializer("hi", f32(nil, 0.5)),
		},
		Nodes: []*onnxpb.Node{
			node("conv", "Conv", []string{"x", "w", "b"}, []string{"c"}, intsAttr("pads", 1, 1, 1, 1)),
			node("relu", "Relu", []string{"c"}, []string{"r"}),
			node("id", "Identity", []string{"r"}, []string{"i"}),
			node("clip", "Clip", []string{"i", "lo", "hi"}, []string{"y"}),
			node("conv2", "Conv", []string{"x", "w"}, []string{"c2"}, intsAttr("pads", 1, 1, 1, 1)),
			node("leaky", "LeakyRelu", []string{"c2"}, []string{"z"}),
		},
	}
	return model(g)
}

func intsAttr(name string, v ...int64) *onnxpb.Attribute {
	return &onnxpb.Attribute{Name: name, Type: onnxpb.AttributeType(operators.AttrInts), Ints: v}
}

// TestFusion checks which nodes the load-time pass removes and that the
// fused plan computes the same bits as the plan without optimisations
// (Relu, Clip and LeakyRelu are exact, so fusing them changes nothing).
func TestFusion(t *testing.T) {
	m := fuseModel()
	s := mustLoad(t, m)
	plain := mustLoad(t, m, WithoutOptimizations())
	var ops []string
	for _, st := range s.Plan().Steps() {
		ops = append(ops, st.Name)
	}
	// relu is fused into conv and id removed; clip stays (conv already has
	// an activation); leaky stays because c2 is a graph output.
	if want := []string{"conv", "clip", "conv2", "leaky"}; !slices.Equal(ops, want) {
		t.Errorf("steps %v, want %v", ops, want)
	}
	if n := len(plain.Plan().Steps()); n != 6 {
		t.Errorf("without optimisations: %d steps, want 6", n)
	}
	x := make([]float32, 2*5*5)
	for i := range x {
		x[i] = float32(math.Cos(float64(i) * 0.7))
	}
	in := map[string]*operators.Value{"x": f32([]int{1, 2, 5, 5}, x...)}
	a, err := s.RunValues(context.Background(), in)
	if err != nil {
		t.Fatal(err)
	}
	b, err := plain.RunValues(context.Background(), in)
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"y", "c2", "z"} {
		if a[k] == nil || b[k] == nil || !slices.Equal(a[k].F32(), b[k].F32()) {
			t.Errorf("output %s differs between the fused and the plain plan", k)
		}
	}
	// The clip really clipped and the relu really ran: y in [0, 0.5].
	var pos bool
	for _, v := range a["y"].F32() {
		if v < 0 || v > 0.5 {
			t.Fatalf("y holds %v, outside [0, 0.5]", v)
		}
		pos = pos || v > 0
	}
	if !pos {
		t.Error("y is all zero: the test data exercise nothing")
	}
}
