package runtime

import (
	"context"
	"fmt"
	"testing"

	"github.com/onnxrun/onnxrun/operators"
	"github.com/onnxrun/onnxrun/runtime/onnxpb"
)

var benchSink map[string]*operators.Value

// chainModel is n AddOne steps in a row: the executor's per-step cost
// dominates when the tensors are small.
func chainModel(n int) *onnxpb.Model {
	g := &onnxpb.Graph{
		Inputs:  []*onnxpb.ValueInfo{vinfo("v0", operators.Float32, "n")},
		Outputs: []*onnxpb.ValueInfo{vinfo(fmt.Sprintf("v%d", n), operators.Float32, "n")},
	}
	for i := range n {
		g.Nodes = append(g.Nodes, tnode(fmt.Sprintf("step%d", i), "AddOne",
			[]string{fmt.Sprintf("v%d", i)}, []string{fmt.Sprintf("v%d", i+1)}))
	}
	return model(g)
}

// BenchmarkExecutor measures a run of a 100-step chain per tensor size;
// with 1 element it is the executor's overhead per step (times 100).
func BenchmarkExecutor(b *testing.B) {
	s := mustLoad(b, chainModel(100), WithThreads(1))
	for _, n := range []int{1, 1000, 100000} {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			in := map[string]*operators.Value{"v0": f32([]int{n}, make([]float32, n)...)}
			ctx := context.Background()
			b.SetBytes(int64(100 * 2 * 4 * n))
			b.ReportAllocs()
			for b.Loop() {
				out, err := s.RunValues(ctx, in)
				if err != nil {
					b.Fatal(err)
				}
				benchSink = out
			}
		})
	}
}

// BenchmarkExecutorParallel runs the same session from every P.
func BenchmarkExecutorParallel(b *testing.B) {
	s := mustLoad(b, chainModel(100), WithThreads(1))
	in := map[string]*operators.Value{"v0": f32([]int{1000}, make([]float32, 1000)...)}
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := s.RunValues(context.Background(), in); err != nil {
				b.Fatal(err)
			}
		}
	})
}
