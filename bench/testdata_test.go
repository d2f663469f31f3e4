package bench

import (
	"encoding/binary"
	"math"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/onnxrun/onnxrun/operators"
	"github.com/onnxrun/onnxrun/runtime/onnxpb"
)

// writeModelDir writes a model folder: graph input X of shape [dim0, 3],
// an initializer W (float32 [3,4], 48 bytes) that old exporters also list
// among the graph inputs, a Constant node holding int64 [2] (16 bytes), and
// test_data_set_0/input_0.pb holding X = [[1, 2, 3]].
func writeModelDir(t *testing.T, dir string, dim0 onnxpb.Dim) {
	t.Helper()
	f32 := func(dims ...onnxpb.Dim) *onnxpb.Type {
		return &onnxpb.Type{Tensor: &onnxpb.TensorType{ElemType: int32(operators.Float32), Shape: &onnxpb.Shape{Dims: dims}}}
	}
	fixed := func(n int64) onnxpb.Dim { return onnxpb.Dim{Value: n, HasValue: true} }
	m := &onnxpb.Model{
		IRVersion:   3,
		OpsetImport: []onnxpb.OperatorSetID{{Version: 13}},
		Graph: &onnxpb.Graph{
			Name: "g",
			Nodes: []*onnxpb.Node{
				{OpType: "Constant", Name: "c", Outputs: []string{"C"}, Attributes: []*onnxpb.Attribute{{
					Name: "value", Type: onnxpb.AttributeType(operators.AttrTensor),
					T: &onnxpb.Tensor{Dims: []int64{2}, DataType: int32(operators.Int64), Int64Data: []int64{1, 2}},
				}}},
				{OpType: "MatMul", Name: "mm", Inputs: []string{"X", "W"}, Outputs: []string{"Y"}},
			},
			Initializers: []*onnxpb.Tensor{{Name: "W", Dims: []int64{3, 4}, DataType: int32(operators.Float32), FloatData: make([]float32, 12)}},
			Inputs: []*onnxpb.ValueInfo{
				{Name: "X", Type: f32(dim0, fixed(3))},
				{Name: "W", Type: f32(fixed(3), fixed(4))},
			},
			Outputs: []*onnxpb.ValueInfo{{Name: "Y", Type: f32(dim0, fixed(4))}},
		},
	}
	data := filepath.Join(dir, "test_data_set_0")
	if err := os.MkdirAll(data, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "model.onnx"), onnxpb.EncodeModel(m), 0o644); err != nil {
		t.Fatal(err)
	}
	raw := make([]byte, 12)
	for i, v := range []float32{1, 2, 3} {
		binary.LittleEndian.PutUint32(raw[4*i:], math.Float32bits(v))
	}
	x := &onnxpb.Tensor{Name: "X", Dims: []int64{1, 3}, DataType: int32(operators.Float32), RawData: raw, HasRawData: true}
	if err := os.WriteFile(filepath.Join(data, "input_0.pb"), onnxpb.EncodeTensor(x), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestModelDirsAndInfo(t *testing.T) {
	root := t.TempDir()
	writeModelDir(t, filepath.Join(root, "b_fixed"), onnxpb.Dim{Value: 1, HasValue: true})
	writeModelDir(t, filepath.Join(root, "a_batch"), onnxpb.Dim{Param: "N"})
	if err := os.Mkdir(filepath.Join(root, "no_model"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(root, "MANIFEST.tsv"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	dirs, err := ModelDirs(root)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{filepath.Join(root, "a_batch"), filepath.Join(root, "b_fixed")}
	if !slices.Equal(dirs, want) {
		t.Fatalf("ModelDirs = %q, want %q", dirs, want)
	}
	for i, batchable := range []bool{true, false} {
		info, err := ReadModelInfo(dirs[i])
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(info.Inputs, []string{"X"}) || !slices.Equal(info.Outputs, []string{"Y"}) {
			t.Errorf("%s: inputs %q, outputs %q; want [X] (W is an initializer) and [Y]", dirs[i], info.Inputs, info.Outputs)
		}
		if info.Batchable != batchable {
			t.Errorf("%s: Batchable = %v, want %v", dirs[i], info.Batchable, batchable)
		}
		if info.WeightBytes != 48+16 {
			t.Errorf("%s: WeightBytes = %d, want 64 (float32 [3,4] initializer, int64 [2] Constant)", dirs[i], info.WeightBytes)
		}
	}
	if _, err := ModelDirs(filepath.Join(root, "no_model")); err == nil {
		t.Error("ModelDirs of a folder without models returned no error")
	}
}

func TestReadInputsBatches(t *testing.T) {
	dir := t.TempDir()
	writeModelDir(t, dir, onnxpb.Dim{Param: "N"})
	for _, batch := range []int{1, 3} {
		ins, err := ReadInputs(dir, []string{"X"}, batch)
		if err != nil {
			t.Fatal(err)
		}
		x := ins["X"]
		if x == nil || !slices.Equal(x.Shape, []int{batch, 3}) {
			t.Fatalf("batch %d: X = %+v, want shape [%d 3]", batch, x, batch)
		}
		var want []float32
		for range batch {
			want = append(want, 1, 2, 3)
		}
		if got := x.F32(); !slices.Equal(got, want) {
			t.Errorf("batch %d: X = %v, want %v", batch, got, want)
		}
	}
	if _, err := ReadInputs(dir, []string{"X", "Z"}, 1); err == nil {
		t.Error("a missing input_1.pb gave no error")
	}
}
