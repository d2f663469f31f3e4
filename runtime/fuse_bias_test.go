package runtime

import (
	"context"
	"math"
	"slices"
	"testing"

	"github.com/onnxrun/onnxrun/operators"
	"github.com/onnxrun/onnxrun/runtime/onnxpb"
)

// biasModel holds Conv (no bias input) -> Add(constant) chains: ones the
// fusion folds (a [3,1,1] constant then Relu; a [1,3,1,1] constant on the
// Add's left; a depthwise Conv; a Conv summing 270 products, more than
// one GEMM k-block) and ones it must leave (a B that is a graph input, a
// B that broadcasts along the width, a Conv that has a bias input).
func biasModel() *onnxpb.Model {
	seq := func(n int, f float64) []float32 {
		v := make([]float32, n)
		for i := range v {
			v[i] = float32(math.Sin(float64(i)*f + 0.3))
		}
		return v
	}
	pads := intsAttr("pads", 1, 1, 1, 1)
	g := &onnxpb.Graph{
		Name: "bias",
		Inputs: []*onnxpb.ValueInfo{
			vinfo("x", operators.Float32, 1, 2, 6, 5),
			vinfo("xd", operators.Float32, 1, 30, 4, 4),
			vinfo("bx", operators.Float32, 3, 1, 1),
		},
		Outputs: []*onnxpb.ValueInfo{
			vinfo("y1", operators.Float32, 1, 3, 6, 5),
			vinfo("y2", operators.Float32, 1, 3, 6, 5),
			vinfo("y3", operators.Float32, 1, 2, 6, 5),
			vinfo("y4", operators.Float32, 1, 3, 4, 4),
			vinfo("y5", operators.Float32, 1, 3, 6, 5),
			vinfo("y6", operators.Float32, 1, 3, 6, 5),
			vinfo("y7", operators.Float32, 1, 3, 6, 5),
		},
		Initializers: []*onnxpb.Tensor{
			initializer("w", f32([]int{3, 2, 3, 3}, seq(54, 1.3)...)),
			initializer("wd", f32([]int{2, 1, 3, 3}, seq(18, 0.7)...)),
			initializer("wk", f32([]int{3, 30, 3, 3}, seq(810, 0.9)...)),
			initializer("b", f32([]int{3}, 0.1, -0.2, 0.05)),
			initializer("b311", f32([]int{3, 1, 1}, 0.25, -0.5, 1e-3)),
			initializer("b1311", f32([]int{1, 3, 1, 1}, -0.125, 0.75, 0.3)),
			initializer("b211", f32([]int{2, 1, 1}, 0.4, -0.6)),
			initializer("bw", f32([]int{1, 1, 1, 5}, 1, 2, 3, 4, 5)),
		},
		Nodes: []*onnxpb.Node{
			node("conv1", "Conv", []string{"x", "w"}, []string{"c1"}, pads),
			node("add1", "Add", []string{"c1", "b311"}, []string{"a1"}),
			node("relu1", "Relu", []string{"a1"}, []string{"y1"}),
			node("conv2", "Conv", []string{"x", "w"}, []string{"c2"}, pads),
			node("add2", "Add", []string{"b1311", "c2"}, []string{"y2"}),
			node("conv3", "Conv", []string{"x", "wd"}, []string{"c3"}, pads, intAttr("group", 2)),
			node("add3", "Add", []string{"c3", "b211"}, []string{"a3"}),
			node("relu3", "Relu", []string{"a3"}, []string{"y3"}),
			node("conv4", "Conv", []string{"xd", "wk"}, []string{"c4"}, pads),
			node("add4", "Add", []string{"c4", "b311"}, []string{"a4"}),
			node("relu4", "Relu", []string{"a4"}, []string{"y4"}),
			node("conv5", "Conv", []string{"x", "w"}, []string{"c5"}, pads),
			node("add5", "Add", []string{"c5", "bx"}, []string{"y5"}),
			node("conv6", "Conv", []string{"x", "w"}, []string{"c6"}, pads),
			node("add6", "Add", []string{"c6", "bw"}, []string{"y6"}),
			node("conv7", "Conv", []string{"x", "w", "b"}, []string{"c7"}, pads),
			node("add7", "Add", []string{"c7", "b311"}, []string{"y7"}),
		},
	}
	return model(g)
}

// TestBiasFusion checks which Adds of a per-channel constant fold into
// the Conv before them (and the Relus after those), and that the fused
// plan computes the same bits as the plan without optimisations on one
// and two threads, on every Conv path.
func TestBiasFusion(t *testing.T) {
	m := biasModel()
	in := map[string]*operators.Value{}
	for _, c := range []struct {
		name  string
		shape []int
	}{{"x", []int{1, 2, 6, 5}}, {"xd", []int{1, 30, 4, 4}}, {"bx", []int{3, 1, 1}}} {
		v := make([]float32, operators.NumElements(c.shape))
		for i := range v {
			v[i] = float32(math.Cos(float64(i)*0.37 + float64(len(c.name))))
		}
		in[c.name] = f32(c.shape, v...)
	}
	for _, threads := range []int{1, 2} {
		s := mustLoad(t, m, WithThreads(threads))
		plain := mustLoad(t, m, WithoutOptimizations(), WithThreads(threads))
		var ops []string
		for _, st := range s.Plan().Steps() {
			ops = append(ops, st.Name)
		}
		want := []string{"conv1", "conv2", "conv3", "conv4", "conv5", "add5", "conv6", "add6", "conv7", "add7"}
		if !slices.Equal(ops, want) {
			t.Errorf("steps %v, want %v", ops, want)
		}
		for run := 0; run < 2; run++ { // the second run reuses pooled buffers
			a, err := s.RunValues(context.Background(), in)
			if err != nil {
				t.Fatal(err)
			}
			b, err := plain.RunValues(context.Background(), in)
			if err != nil {
				t.Fatal(err)
			}
			for _, k := range []string{"y1", "y2", "y3", "y4", "y5", "y6", "y7"} {
				if a[k] == nil || b[k] == nil {
					t.Fatalf("output %s missing", k)
				}
				ga, gb := a[k].F32(), b[k].F32()
				if len(ga) != len(gb) {
					t.Fatalf("output %s: %d values, want %d", k, len(ga), len(gb))
				}
				for i := range ga {
					if math.Float32bits(ga[i]) != math.Float32bits(gb[i]) {
						t.Fatalf("threads %d: %s[%d] = %g fused, %g plain", threads, k, i, ga[i], gb[i])
					}
				}
			}
			var neg, pos, zero bool
			for _, v := range b["y2"].F32() {
				neg, pos = neg || v < 0, pos || v > 0
			}
			for _, v := range b["y1"].F32() {
				zero = zero || v == 0
			}
			if !neg || !pos || !zero {
				t.Error("the test data exercise one sign only")
			}
		}
	}
}

// TestPerChannel checks the shapes the bias fusion accepts.
func TestPerChannel(t *testing.T) {
	for _, c := range []struct {
		out, b []int
		ok     bool
	}{
		{[]int{1, 8, 28, 28}, []int{8, 1, 1}, true},
		{[]int{1, 8, 28, 28}, []int{1, 8, 1, 1}, true},
		{[]int{-1, 8, 28, 28}, []int{8, 1, 1}, true},
		{[]int{1, 8, 10}, []int{8, 1}, true},
		{[]int{1, 8, 28, 28}, []int{8}, false},          // along the width
		{[]int{1, 8, 28, 28}, []int{1, 1}, false},       // one value for all
		{[]int{1, 8, 28, 28}, []int{2, 8, 1, 1}, false}, // grows the batch
		{[]int{1, 8, 28, 28}, []int{1, 1, 8, 1, 1}, false},
		{[]int{1, 8, 28, 28}, []int{4, 1, 1}, false},
		{[]int{1, -1, 28, 28}, []int{8, 1, 1}, false},
		{[]int{1, 8, 28, 28}, []int{8, 1, 28}, false},
	} {
		if got := perChannel(c.out, c.b); got != c.ok {
			t.Errorf("perChannel(%v, %v) = %v, want %v", c.out, c.b, got, c.ok)
		}
	}
}
