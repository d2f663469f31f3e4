package bench

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/onnxrun/onnxrun/operators"
	"github.com/onnxrun/onnxrun/runtime"
	"github.com/onnxrun/onnxrun/runtime/onnxpb"
	"gorgonia.org/tensor"
)

// benchModels are the exported classifiers timed beside ONNX Runtime, from
// $ONNXRUN_TESTDATA/models.
var benchModels = []string{"mnist-8", "resnet18", "mobilenet_v2", "squeezenet1_1", "shufflenet_v2_x0_5"}

// modelInputs reads test_data_set_0's inputs of a model folder, repeated
// batch times along the first axis when batch > 1.
func modelInputs(dir string, s *runtime.Session, batch int) (map[string]*operators.Value, error) {
	ins := map[string]*operators.Value{}
	for i, vi := range s.Inputs() {
		p := filepath.Join(dir, "test_data_set_0", fmt.Sprintf("input_%d.pb", i))
		t, err := onnxpb.ReadTensor(p, onnxpb.Limits{})
		if err != nil {
			return nil, err
		}
		v, err := onnxpb.TensorToValue(t, "", onnxpb.Limits{})
		if err != nil {
			return nil, fmt.Errorf("%s: %w", p, err)
		}
		if batch > 1 {
			if len(v.Shape) == 0 || v.Shape[0] != 1 {
				return nil, fmt.Errorf("%s: cannot batch shape %v", p, v.Shape)
			}
			raw := make([]byte, 0, len(v.Raw)*batch)
			for range batch {
				raw = append(raw, v.Raw...)
			}
			shape := slices.Clone(v.Shape)
			shape[0] = batch
			nv, err := operators.NewValue(v.DType, shape)
			if err != nil {
				return nil, err
			}
			copy(nv.Raw, raw)
			v = nv
		}
		ins[vi.Name] = v
	}
	return ins, nil
}

func testdata(tb testing.TB) string {
	d := os.Getenv("ONNXRUN_TESTDATA")
	if d == "" {
		tb.Skip("ONNXRUN_TESTDATA is not set: point it at the shared test data to time the exported models")
	}
	return d
}

// BenchmarkModels times the exported classifiers at batch 1 (and 8 where
// the batch dimension is symbolic) with one and two intra-op threads, in
// ONNX Runtime ("ort") and onnxrun ("run"), on test_data_set_0's inputs.
func BenchmarkModels(b *testing.B) {
	root := testdata(b)
	for _, name := range benchModels {
		dir := filepath.Join(root, "models", name)
		path := filepath.Join(dir, "model.onnx")
		probe, err := runtime.Load(path, runtime.WithThreads(1))
		if err != nil {
			b.Fatalf("%s: %v", name, err)
		}
		batches := []int{1}
		if in := probe.Inputs(); len(in) == 1 && len(in[0].Shape) > 0 && in[0].Shape[0] < 0 {
			batches = append(batches, 8)
		}
		for _, batch := range batches {
			ins, err := modelInputs(dir, probe, batch)
			if err != nil {
				b.Fatal(err)
			}
			for _, th := range []int{1, 2} {
				prefix := fmt.Sprintf("%s/b%d/t%d", name, batch, th)
				b.Run(prefix+"/impl=ort", func(b *testing.B) { benchORTModel(b, path, probe, ins, th) })
				b.Run(prefix+"/impl=run", func(b *testing.B) { benchRunModel(b, path, ins, th) })
			}
		}
	}
}

func benchRunModel(b *testing.B, path string, ins map[string]*operators.Value, threads int) {
	s, err := runtime.Load(path, runtime.WithThreads(threads))
	if err != nil {
		b.Fatal(err)
	}
	dense := map[string]*tensor.Dense{}
	for k, v := range ins {
		d, err := runtime.ValueToDense(v)
		if err != nil {
			b.Fatal(err)
		}
		dense[k] = d
	}
	ctx := context.Background()
	if _, err := s.Run(ctx, dense); err != nil { // warm-up fills the buffer pool
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		out, err := s.Run(ctx, dense)
		if err != nil {
			b.Fatal(err)
		}
		sink = out
	}
}

func benchORTModel(b *testing.B, path string, probe *runtime.Session, ins map[string]*operators.Value, threads int) {
	if err := ORTAvailable(); err != nil {
		b.Skip(err)
	}
	// Output shapes come from one onnxrun run on the same inputs.
	outs, err := probe.RunValues(context.Background(), ins)
	if err != nil {
		b.Fatal(err)
	}
	var inNames, outNames []string
	var inShapes, outShapes [][]int64
	var inData [][]float32
	for _, vi := range probe.Inputs() {
		v := ins[vi.Name]
		if v.DType != operators.Float32 {
			b.Skipf("input %q is %v; the ORT runner binds float32 only", vi.Name, v.DType)
		}
		inNames = append(inNames, vi.Name)
		inShapes = append(inShapes, toInt64(v.Shape))
		inData = append(inData, v.F32())
	}
	for _, vi := range probe.Outputs() {
		v := outs[vi.Name]
		if v.DType != operators.Float32 {
			b.Skipf("output %q is %v; the ORT runner binds float32 only", vi.Name, v.DType)
		}
		outNames = append(outNames, vi.Name)
		outShapes = append(outShapes, toInt64(v.Shape))
	}
	r, err := NewORTFixed(path, inNames, inShapes, inData, outNames, outShapes, threads)
	if err != nil {
		b.Fatal(err)
	}
	defer r.Close()
	if err := r.Run(); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if err := r.Run(); err != nil {
			b.Fatal(err)
		}
	}
}

func toInt64(s []int) []int64 {
	r := make([]int64, len(s))
	for i, d := range s {
		r[i] = int64(d)
	}
	return r
}
