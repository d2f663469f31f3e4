package runtime

import (
	"context"
	"math"
	"slices"
	"testing"

	"github.com/onnxrun/onnxrun/operators"
	"github.com/onnxrun/onnxrun/runtime/onnxpb"
)

// residualModel is ResNet's block tail, conv1 -> conv2 -> Add(conv2,
// conv1) -> Relu -> y (the Add and the Relu fold into conv2), the Add's
// operands swapped for a Conv without bias (c3 + c4 -> Relu -> z, folded
// into c4), and an Add whose other operand is computed after its Conv
// (c5 = Conv(x); s = Sigmoid(x); Add(c5, s) -> u), which must stay.
func residualModel() *onnxpb.Model {
	w := make([]float32, 3*3*3*3)
	for i := range w {
		w[i] = float32(math.Sin(float64(i) * 1.3))
	}
	g := &onnxpb.Graph{
		Name:   "residual",
		Inputs: []*onnxpb.ValueInfo{vinfo("x", operators.Float32, 1, 3, 6, 5)},
		Outputs: []*onnxpb.ValueInfo{
			vinfo("y", operators.Float32, 1, 3, 6, 5),
			vinfo("z", operators.Float32, 1, 3, 6, 5),
			vinfo("u", operators.Float32, 1, 3, 6, 5),
		},
		Initializers: []*onnxpb.Tensor{
			initializer("w", f32([]int{3, 3, 3, 3}, w...)),
			initializer("b", f32([]int{3}, 0.1, -0.2, 0.05)),
		},
		Nodes: []*onnxpb.Node{
			node("conv1", "Conv", []string{"x", "w", "b"}, []string{"c1"}, intsAttr("pads", 1, 1, 1, 1)),
			node("conv2", "Conv", []string{"c1", "w", "b"}, []string{"c2"}, intsAttr("pads", 1, 1, 1, 1)),
			node("add", "Add", []string{"c2", "c1"}, []string{"a"}),
			node("relu", "Relu", []string{"a"}, []string{"y"}),
			node("conv3", "Conv", []string{"x", "w"}, []string{"c3"}, intsAttr("pads", 1, 1, 1, 1)),
			node("conv4", "Conv", []string{"c3", "w"}, []string{"c4"}, intsAttr("pads", 1, 1, 1, 1)),
			node("add2", "Add", []string{"c3", "c4"}, []string{"a2"}),
			node("relu2", "Relu", []string{"a2"}, []string{"z"}),
			node("conv5", "Conv", []string{"x", "w", "b"}, []string{"c5"}, intsAttr("pads", 1, 1, 1, 1)),
			node("sig", "Sigmoid", []string{"x"}, []string{"s"}),
			node("add3", "Add", []string{"c5", "s"}, []string{"u"}),
		},
	}
	return model(g)
}

// TestResidualFusion checks that the Add of a residual connection and the
// Relu after it fold into the Conv that feeds the Add, only when the other
// operand exists before that Conv runs, and that the fused plan computes
// the same bits as the plan without optimisations, on one and two threads.
func TestResidualFusion(t *testing.T) {
	m := residualModel()
	for _, threads := range []int{1, 2} {
		s := mustLoad(t, m, WithThreads(threads))
		plain := mustLoad(t, m, WithoutOptimizations(), WithThreads(threads))
		var ops []string
		for _, st := range s.Plan().Steps() {
			ops = append(ops, st.Name)
		}
		if want := []string{"conv1", "conv2", "conv3", "conv4", "conv5", "sig", "add3"}; !slices.Equal(ops, want) {
			t.Errorf("steps %v, want %v", ops, want)
		}
		x := make([]float32, 3*6*5)
		for i := range x {
			x[i] = float32(math.Cos(float64(i) * 0.7))
		}
		in := map[string]*operators.Value{"x": f32([]int{1, 3, 6, 5}, x...)}
		for run := 0; run < 2; run++ { // the second run reuses pooled buffers
			a, err := s.RunValues(context.Background(), in)
			if err != nil {
				t.Fatal(err)
			}
			b, err := plain.RunValues(context.Background(), in)
			if err != nil {
				t.Fatal(err)
			}
			for _, k := range []string{"y", "z", "u"} {
				if a[k] == nil || b[k] == nil || !slices.Equal(a[k].F32(), b[k].F32()) {
					t.Errorf("threads %d: output %s differs between the fused and the plain plan", threads, k)
				}
			}
			var neg, pos bool
			for _, v := range b["u"].F32() {
				neg, pos = neg || v < 0, pos || v > 0
			}
			for _, v := range a["y"].F32() {
				if v < 0 {
					t.Fatalf("y holds %v: the Relu after the residual did not run", v)
				}
			}
			if !neg || !pos {
				t.Error("u has one sign only: the test data exercise nothing")
			}
		}
	}
}
