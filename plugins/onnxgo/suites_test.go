package onnxgo_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"testing"

	onnx "github.com/owulveryck/onnx-go"
	"gorgonia.org/tensor"

	"github.com/onnxrun/onnxrun/plugins/onnxgo"
	"github.com/onnxrun/onnxrun/runtime"
	"github.com/onnxrun/onnxrun/runtime/onnxpb"
)

// TestBackendSuites runs test_data_set_0 of every ONNX backend test that
// both onnx-go can decode and onnxrun can run, through the plugin and
// through onnxrun directly, and requires identical outputs (bit for bit:
// the same runtime computes both). Tests onnx-go cannot decode (float16,
// bfloat16, subgraphs) or onnxrun does not support are counted, not failed.
func TestBackendSuites(t *testing.T) {
	root := os.Getenv("ONNXRUN_TESTDATA")
	if root == "" {
		t.Skip("ONNXRUN_TESTDATA is not set: set it to the shared test data folder to run the ONNX backend suites through onnx-go")
	}
	if testing.Short() {
		t.Skip("the backend suites take several seconds; skipped with -short")
	}
	var models []string
	for _, suite := range []string{"node", "simple", "pytorch-converted", "pytorch-operator"} {
		m, _ := filepath.Glob(filepath.Join(root, "onnx", suite, "*", "model.onnx"))
		models = append(models, m...)
	}
	if len(models) == 0 {
		t.Fatalf("no backend tests under %s/onnx", root)
	}
	var ran, undecodable, unsupported int
	for _, path := range models {
		dir := filepath.Dir(path)
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		ins, ok := readInputs(t, filepath.Join(dir, "test_data_set_0"))
		if !ok {
			continue
		}
		sess, err := runtime.LoadBytes(b)
		if err != nil {
			unsupported++
			continue
		}
		feed := map[string]*tensor.Dense{}
		for i, vi := range sess.Inputs() {
			if i < len(ins) {
				feed[vi.Name] = ins[i]
			}
		}
		ref, err := sess.Run(context.Background(), feed)
		if err != nil {
			unsupported++
			continue
		}
		backend, err := onnxgo.NewFromBytes(b)
		if err != nil {
			t.Errorf("%s: onnxrun loads the model but the backend does not: %v", dir, err)
			continue
		}
		model := onnx.NewModel(backend)
		if err := model.UnmarshalBinary(b); err != nil {
			undecodable++
			continue
		}
		for i, x := range ins {
			if err := model.SetInput(i, x); err != nil {
				t.Errorf("%s: SetInput(%d): %v", dir, i, err)
			}
		}
		if err := backend.Run(); err != nil {
			t.Errorf("%s: %v", dir, err)
			continue
		}
		outs, err := model.GetOutputTensors()
		if err != nil {
			t.Errorf("%s: %v", dir, err)
			continue
		}
		for k, vi := range sess.Outputs() {
			if err := sameDense(outs[k], ref[vi.Name]); err != nil {
				t.Errorf("%s: output %q: %v", dir, vi.Name, err)
			}
		}
		ran++
	}
	t.Logf("%d tests identical through onnx-go, %d not decodable by onnx-go, %d not run by onnxrun", ran, undecodable, unsupported)
	if ran == 0 {
		t.Fatal("no backend test ran")
	}
}

// readInputs reads the input tensors of a data set; ok is false when there
// is none or an input is not a tensor gorgonia can hold.
func readInputs(t *testing.T, set string) (ins []*tensor.Dense, ok bool) {
	if _, err := os.Stat(set); err != nil {
		return nil, false
	}
	for k := 0; ; k++ {
		p := filepath.Join(set, fmt.Sprintf("input_%d.pb", k))
		if _, err := os.Stat(p); err != nil {
			return ins, true
		}
		tp, err := onnxpb.ReadTensor(p, onnxpb.DefaultLimits())
		if err != nil {
			return nil, false // a sequence, map or optional
		}
		v, err := onnxpb.TensorToValue(tp, set, onnxpb.DefaultLimits())
		if err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		d, err := runtime.ValueToDense(v)
		if err != nil {
			return nil, false // float16 and other types gorgonia lacks
		}
		ins = append(ins, d)
	}
}

// sameDense compares two tensors' type, shape and bytes (empty tensors
// included, which gorgonia's Data cannot return).
func sameDense(got tensor.Tensor, want *tensor.Dense) error {
	g, ok := got.(*tensor.Dense)
	if !ok {
		return fmt.Errorf("got a %T, want *tensor.Dense", got)
	}
	gv, err := runtime.DenseToValue(g)
	if err != nil {
		return err
	}
	wv, err := runtime.DenseToValue(want)
	if err != nil {
		return err
	}
	if gv.DType != wv.DType || !slices.Equal(gv.Shape, wv.Shape) {
		return fmt.Errorf("got %v %v, want %v %v", gv.DType, gv.Shape, wv.DType, wv.Shape)
	}
	if !bytes.Equal(gv.Raw, wv.Raw) || !slices.Equal(gv.Strs, wv.Strs) {
		return fmt.Errorf("values differ from onnxrun's")
	}
	return nil
}
