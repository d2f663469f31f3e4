package runtime

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/onnxrun/onnxrun/operators"
	"github.com/onnxrun/onnxrun/runtime/onnxpb"
)

// FuzzLoad feeds arbitrary bytes to the loader and, when a model loads,
// runs it on zero inputs. Neither may panic; errors are fine. Limits are
// lowered so that a small input cannot ask for much memory.
func FuzzLoad(f *testing.F) {
	seeds, _ := filepath.Glob(filepath.Join("..", "models", "testdata", "*", "model.onnx"))
	for _, p := range seeds {
		if b, err := os.ReadFile(p); err == nil {
			f.Add(b)
		}
	}
	fm, _ := localFunctionModel()
	for _, m := range []*onnxpb.Model{softmaxChainModel(), poolModel(), fm, chainModel(3)} {
		f.Add(onnxpb.EncodeModel(m))
	}
	lim := onnxpb.Limits{
		MaxModelBytes: 1 << 20, MaxTensorElements: 1 << 16, MaxTensorBytes: 1 << 20,
		MaxNodes: 256, MaxGraphDepth: 4, MaxExternalBytes: 1,
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		s, err := LoadBytes(b, WithLimits(lim), WithThreads(1))
		if err != nil {
			return
		}
		ins := map[string]*operators.Value{}
		for _, in := range s.Inputs() {
			if !in.HasShape {
				return
			}
			shape := make([]int, len(in.Shape))
			for i, d := range in.Shape {
				shape[i] = d
				if d < 0 {
					shape[i] = 1
				}
			}
			if n := operators.NumElements(shape); n < 0 || n > 1<<12 {
				return
			}
			v, err := operators.NewValue(in.DType, shape)
			if err != nil {
				return
			}
			ins[in.Name] = v
		}
		s.RunValues(context.Background(), ins)
	})
}
