package bench

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/onnxrun/onnxrun/operators"
	"github.com/onnxrun/onnxrun/runtime"
	"gorgonia.org/tensor"
)

func testdata(tb testing.TB) string {
	d := os.Getenv("ONNXRUN_TESTDATA")
	if d == "" {
		tb.Skip("ONNXRUN_TESTDATA is not set: point it at the shared test data to time the exported models")
	}
	return d
}

// forEachModel calls f with the name, folder, model file and description
// of every model folder of $ONNXRUN_TESTDATA/models (b is skipped without
// it).
func forEachModel(b *testing.B, f func(name, dir, path string, info *ModelInfo)) {
	dirs, err := ModelDirs(filepath.Join(testdata(b), "models"))
	if err != nil {
		b.Fatal(err)
	}
	for _, dir := range dirs {
		info, err := ReadModelInfo(dir)
		if err != nil {
			b.Fatal(err)
		}
		f(filepath.Base(dir), dir, filepath.Join(dir, "model.onnx"), info)
	}
}

// BenchmarkModels times every model folder of $ONNXRUN_TESTDATA/models at
// batch 1 (and 8 where the batch dimension is symbolic) with one and two
// intra-op threads, in ONNX Runtime ("ort") and onnxrun ("run"), on
// test_data_set_0's inputs. Cases are named Models/<folder>/b<batch>/t<threads>/impl=<runtime>.
func BenchmarkModels(b *testing.B) {
	forEachModel(b, func(name, dir, path string, info *ModelInfo) {
		probe, err := runtime.Load(path, runtime.WithThreads(1))
		if err != nil {
			b.Fatalf("%s: %v", name, err)
		}
		batches := []int{1}
		if info.Batchable {
			batches = append(batches, 8)
		}
		for _, batch := range batches {
			ins, err := ReadInputs(dir, info.Inputs, batch)
			if err != nil {
				b.Fatal(err)
			}
			for _, th := range []int{1, 2} {
				prefix := fmt.Sprintf("%s/b%d/t%d", name, batch, th)
				b.Run(prefix+"/impl=ort", func(b *testing.B) { benchORTModel(b, path, probe, ins, th) })
				b.Run(prefix+"/impl=run", func(b *testing.B) { benchRunModel(b, path, ins, th) })
			}
		}
	})
}

func benchRunModel(b *testing.B, path string, ins map[string]*operators.Value, threads int) {
	run := runForModel(b, path, ins, threads)
	run() // warm-up fills the buffer pool
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		run()
	}
}

// runForModel returns a function that runs the model once with
// Session.Run on ins.
func runForModel(b *testing.B, path string, ins map[string]*operators.Value, threads int) func() {
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
	return func() {
		out, err := s.Run(ctx, dense)
		if err != nil {
			b.Fatal(err)
		}
		sink = out
	}
}

// BenchmarkPairedModels interleaves ONNX Runtime and onnxrun (Session.Run)
// on every model folder at batch 1 and one thread, as BenchmarkPaired does
// for Softmax: x-ort is the median over rounds of ONNX Runtime's time /
// onnxrun's (0.5: onnxrun takes twice as long).
//
//	ONNXRUN_TESTDATA=/path/to/shared go test -run '^$' -bench '^BenchmarkPairedModels$' -benchtime 40x .
func BenchmarkPairedModels(b *testing.B) {
	forEachModel(b, func(name, dir, path string, info *ModelInfo) {
		ins, err := ReadInputs(dir, info.Inputs, 1)
		if err != nil {
			b.Fatal(err)
		}
		b.Run(name, func(b *testing.B) {
			probe, err := runtime.Load(path, runtime.WithThreads(1))
			if err != nil {
				b.Fatalf("%s: %v", name, err)
			}
			o := ortForModel(b, path, probe, ins, 1)
			defer o.Close()
			ortRun := func() {
				if err := o.Run(); err != nil {
					b.Fatal(err)
				}
			}
			pairRounds(b, ortRun, runForModel(b, path, ins, 1), "ort", "onnxrun")
		})
	})
}

func benchORTModel(b *testing.B, path string, probe *runtime.Session, ins map[string]*operators.Value, threads int) {
	r := ortForModel(b, path, probe, ins, threads)
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

// ortForModel returns an ONNX Runtime session of the model with ins bound
// and its outputs bound to buffers of the shapes one onnxrun run (probe)
// gives on the same inputs. It skips b when ONNX Runtime is missing or an
// input or output is not float32.
func ortForModel(b *testing.B, path string, probe *runtime.Session, ins map[string]*operators.Value, threads int) *ORTFixed {
	if err := ORTAvailable(); err != nil {
		b.Skip(err)
	}
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
	return r
}

func toInt64(s []int) []int64 {
	r := make([]int64, len(s))
	for i, d := range s {
		r[i] = int64(d)
	}
	return r
}
