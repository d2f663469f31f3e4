package onnxgo_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	onnx "github.com/owulveryck/onnx-go"
	"gorgonia.org/tensor"

	"github.com/onnxrun/onnxrun/plugins/onnxgo"
	"github.com/onnxrun/onnxrun/runtime"
	"github.com/onnxrun/onnxrun/runtime/onnxpb"
)

// bundled is the folder of the project's own generated models.
var bundled = filepath.Join("..", "..", "models", "testdata")

// readDense reads a TensorProto file into a gorgonia tensor.
func readDense(t *testing.T, path string) *tensor.Dense {
	t.Helper()
	tp, err := onnxpb.ReadTensor(path, onnxpb.DefaultLimits())
	if err != nil {
		t.Fatal(err)
	}
	v, err := onnxpb.TensorToValue(tp, filepath.Dir(path), onnxpb.DefaultLimits())
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	d, err := runtime.ValueToDense(v)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return d
}

// dataSet reads the inputs and expected outputs of one test_data_set_N.
func dataSet(t *testing.T, dir string) (ins, outs []*tensor.Dense) {
	t.Helper()
	for k := 0; ; k++ {
		p := filepath.Join(dir, fmt.Sprintf("input_%d.pb", k))
		if _, err := os.Stat(p); err != nil {
			break
		}
		ins = append(ins, readDense(t, p))
	}
	for k := 0; ; k++ {
		p := filepath.Join(dir, fmt.Sprintf("output_%d.pb", k))
		if _, err := os.Stat(p); err != nil {
			break
		}
		outs = append(outs, readDense(t, p))
	}
	return ins, outs
}

// viaOnnxGo runs model bytes b on ins through onnx-go's calling sequence
// with the onnxrun backend and returns the output tensors.
func viaOnnxGo(t *testing.T, b []byte, ins []*tensor.Dense) []tensor.Tensor {
	t.Helper()
	backend, err := onnxgo.NewFromBytes(b)
	if err != nil {
		t.Fatal(err)
	}
	model := onnx.NewModel(backend)
	if err := model.UnmarshalBinary(b); err != nil {
		t.Fatalf("onnx-go UnmarshalBinary: %v", err)
	}
	for i, x := range ins {
		if err := model.SetInput(i, x); err != nil {
			t.Fatalf("SetInput(%d): %v", i, err)
		}
	}
	if err := backend.Run(); err != nil {
		t.Fatal(err)
	}
	outs, err := model.GetOutputTensors()
	if err != nil {
		t.Fatal(err)
	}
	return outs
}

// direct runs model bytes b on ins with onnxrun's own API, feeding the
// inputs by the names the session reports, in graph order.
func direct(t *testing.T, b []byte, ins []*tensor.Dense) []*tensor.Dense {
	t.Helper()
	s, err := runtime.LoadBytes(b)
	if err != nil {
		t.Fatal(err)
	}
	infos := s.Inputs()
	if len(infos) != len(ins) {
		t.Fatalf("model has %d inputs, data set has %d", len(infos), len(ins))
	}
	feed := map[string]*tensor.Dense{}
	for i, vi := range infos {
		feed[vi.Name] = ins[i]
	}
	res, err := s.Run(context.Background(), feed)
	if err != nil {
		t.Fatal(err)
	}
	var outs []*tensor.Dense
	for _, vi := range s.Outputs() {
		outs = append(outs, res[vi.Name])
	}
	return outs
}

// float64s returns a tensor's elements widened to float64.
func float64s(t *testing.T, x tensor.Tensor) []float64 {
	t.Helper()
	switch d := x.Data().(type) {
	case []float32:
		r := make([]float64, len(d))
		for i, v := range d {
			r[i] = float64(v)
		}
		return r
	case []float64:
		return d
	case []int64:
		r := make([]float64, len(d))
		for i, v := range d {
			r[i] = float64(v)
		}
		return r
	}
	t.Fatalf("unexpected element type %T", x.Data())
	return nil
}
