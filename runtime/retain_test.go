package runtime

import (
	"os"
	"path/filepath"
	goruntime "runtime"
	"testing"

	"github.com/onnxrun/onnxrun/operators"
	"github.com/onnxrun/onnxrun/runtime/onnxpb"
)

// TestLoadDropsFileBytes loads a model whose only large part is an 8 MB
// initializer and checks that the live heap grows by about one copy of
// it: the session keeps the decoded weight, not the file's bytes (the
// decoded protos alias them, so any proto reachable from a step, e.g.
// through a node's subgraph compiler, would keep a second copy alive).
func TestLoadDropsFileBytes(t *testing.T) {
	if raceEnabled {
		t.Skip("heap figures are not meaningful under the race detector")
	}
	const n = 2 << 20 // float32 elements: 8 MiB
	w, err := operators.NewValue(operators.Float32, []int{1, n})
	if err != nil {
		t.Fatal(err)
	}
	for i := range w.F32() {
		w.F32()[i] = float32(i % 7)
	}
	g := &onnxpb.Graph{
		Name:         "g",
		Inputs:       []*onnxpb.ValueInfo{vinfo("x", operators.Float32, 1, n)},
		Outputs:      []*onnxpb.ValueInfo{vinfo("y", operators.Float32, 1, n)},
		Initializers: []*onnxpb.Tensor{initializer("w", w)},
		Nodes:        []*onnxpb.Node{node("add", "Add", []string{"x", "w"}, []string{"y"})},
	}
	path := filepath.Join(t.TempDir(), "model.onnx")
	if err := os.WriteFile(path, onnxpb.EncodeModel(model(g)), 0o644); err != nil {
		t.Fatal(err)
	}
	w, g = nil, nil
	live := func() int64 {
		goruntime.GC()
		goruntime.GC()
		var ms goruntime.MemStats
		goruntime.ReadMemStats(&ms)
		return int64(ms.HeapAlloc)
	}
	before := live()
	s, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	grew := live() - before
	goruntime.KeepAlive(s)
	// One copy is 8 MiB; the file would be another 8 MiB. Allow 3 MiB for
	// everything else the session holds.
	if limit := int64(4*n + 3<<20); grew > limit {
		t.Errorf("the live heap grew by %.1f MiB after loading, want at most %.1f MiB (one copy of the weight and a little more)", float64(grew)/(1<<20), float64(limit)/(1<<20))
	}
	t.Logf("live heap grew by %.1f MiB for an 8 MiB weight", float64(grew)/(1<<20))
}
