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
// runs it on inputs of the declared shapes filled with numbers derived
// from the model's bytes. Neither may panic; errors are fine. Limits are
// lowered so that a small input cannot ask for much memory. The seeds are
// the bundled models and, when ONNXRUN_TESTDATA is set, the models of the
// ONNX node tests.
func FuzzLoad(f *testing.F) {
	seeds, _ := filepath.Glob(filepath.Join("..", "models", "testdata", "*", "model.onnx"))
	if d := os.Getenv("ONNXRUN_TESTDATA"); d != "" {
		node, _ := filepath.Glob(filepath.Join(d, "onnx", "node", "*", "model.onnx"))
		seeds = append(seeds, node...)
	}
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
			fillFuzz(v, b)
			ins[in.Name] = v
		}
		s.RunValues(context.Background(), ins)
	})
}

// FuzzRunInputs hands a loaded model inputs of arbitrary type, shape and
// buffer length. The run must check them and fail cleanly, or succeed;
// it may never panic.
func FuzzRunInputs(f *testing.F) {
	bcast := model(&onnxpb.Graph{
		Nodes:   []*onnxpb.Node{node("add", "Add", []string{"a", "b"}, []string{"y"})},
		Inputs:  []*onnxpb.ValueInfo{vinfo("a", operators.Float32, "n", 3), {Name: "b"}},
		Outputs: []*onnxpb.ValueInfo{{Name: "y"}},
	})
	sessions := []*Session{mustLoad(f, softmaxChainModel(), WithThreads(1)), mustLoad(f, bcast, WithThreads(1))}
	f.Add(uint8(0), uint8(1), []byte{2, 3, 4}, 96, uint8(1), []byte{3}, 12)
	f.Add(uint8(1), uint8(1), []byte{2, 3}, 24, uint8(1), []byte{1, 3}, 12)
	f.Add(uint8(1), uint8(7), []byte{0, 3}, 0, uint8(1), []byte{}, 4)
	f.Fuzz(func(t *testing.T, which, dtA uint8, dimsA []byte, lenA int, dtB uint8, dimsB []byte, lenB int) {
		s := sessions[int(which)%len(sessions)]
		mk := func(dt uint8, dims []byte, n int) *operators.Value {
			if len(dims) > 6 || n < 0 || n > 1<<12 {
				return nil
			}
			shape := make([]int, len(dims))
			for i, d := range dims {
				shape[i] = int(d % 16)
			}
			return &operators.Value{DType: operators.DType(dt % 17), Shape: shape, Raw: make([]byte, n)}
		}
		in := map[string]*operators.Value{}
		names := []string{}
		for _, vi := range s.Inputs() {
			names = append(names, vi.Name)
		}
		if v := mk(dtA, dimsA, lenA); v != nil {
			in[names[0]] = v
		}
		if len(names) > 1 {
			if v := mk(dtB, dimsB, lenB); v != nil {
				in[names[1]] = v
			}
		}
		s.RunValues(context.Background(), in)
	})
}

// fillFuzz fills a float input with small numbers (including zero and
// negatives) derived from seed, so the same fuzz input always runs on the
// same data. Other types stay zero, a valid value for every operator.
func fillFuzz(v *operators.Value, seed []byte) {
	h := uint64(len(seed)) | 1
	for i, c := range seed {
		if i == 64 {
			break
		}
		h = h*0x100000001b3 ^ uint64(c)
	}
	next := func() float64 {
		h ^= h << 13
		h ^= h >> 7
		h ^= h << 17
		return float64(int64(h%17)-8) / 4
	}
	switch v.DType {
	case operators.Float32:
		xs := v.F32()
		for i := range xs {
			xs[i] = float32(next())
		}
	case operators.Float64:
		xs := v.F64()
		for i := range xs {
			xs[i] = next()
		}
	}
}
