package bench

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/onnxrun/onnxrun/operators"
	"github.com/onnxrun/onnxrun/runtime"
	"gorgonia.org/tensor"
)

// BenchmarkPaired compares ONNX Runtime's one-node session run with
// onnxrun's RunInto on the Softmax cases by interleaving them: each of
// b.N rounds times a block of ONNX Runtime runs and then a block of
// onnxrun runs (blocks of about a millisecond), and the reported ratio is
// the median over rounds of ort time / onnxrun time. Figures taken one
// after the other drift with the load on a shared machine (the same
// benchmark moved by a quarter between runs here); a ratio taken within
// each round moves much less. Run with -benchtime Nx (N rounds), e.g.
//
//	go test -run '^$' -bench Paired -benchtime 300x .
//
// One thread only: ONNX Runtime's pool threads keep spinning for a while
// after a run, and with two threads they take the CPU from the onnxrun
// block that follows (its two-thread time rose by 60 % here), so interleaving
// would measure that rather than either runtime.
//
// Metrics: x-ort (the median ratio; above 1 onnxrun is faster), x-ort-p10
// and x-ort-p90 (its spread over rounds), and each runtime's median time
// per run.
func BenchmarkPaired(b *testing.B) {
	if err := ORTAvailable(); err != nil {
		b.Skip(err)
	}
	dir := b.TempDir()
	for _, op := range []string{"Softmax", "LogSoftmax"} {
		for _, c := range softmaxCases {
			n := operators.NumElements(c.shape)
			x := randData(n, uint64(n))
			model := filepath.Join(dir, fmt.Sprintf("%s_%s_axis%d.onnx", op, shapeName(c.shape), c.axis))
			if err := os.WriteFile(model, OneNode(op, 13, c.axis, c.shape), 0o644); err != nil {
				b.Fatal(err)
			}
			name := fmt.Sprintf("%s/%s/axis%d/t1", op, shapeName(c.shape), c.axis)
			b.Run(name, func(b *testing.B) { benchPaired(b, model, c.shape, x, 1) })
		}
	}
}

func benchPaired(b *testing.B, model string, shape []int, x []float32, threads int) {
	s64 := make([]int64, len(shape))
	for i, d := range shape {
		s64[i] = int64(d)
	}
	o, err := NewORTFixed(model, []string{"X"}, [][]int64{s64}, [][]float32{x}, []string{"Y"}, [][]int64{s64}, threads)
	if err != nil {
		b.Fatal(err)
	}
	defer o.Close()
	s, err := runtime.Load(model, runtime.WithThreads(threads))
	if err != nil {
		b.Fatal(err)
	}
	inputs := map[string]*tensor.Dense{"X": tensor.New(tensor.WithShape(shape...), tensor.WithBacking(x))}
	outputs := map[string]*tensor.Dense{"Y": tensor.New(tensor.WithShape(shape...), tensor.Of(tensor.Float32))}
	ctx := context.Background()
	ortRun := func() {
		if err := o.Run(); err != nil {
			b.Fatal(err)
		}
	}
	ourRun := func() {
		if err := s.RunInto(ctx, inputs, outputs); err != nil {
			b.Fatal(err)
		}
	}
	// A block is as many runs as take about a millisecond (at least one),
	// sized on ONNX Runtime after a warm-up of both.
	block := func(f func(), k int) float64 {
		t := time.Now()
		for range k {
			f()
		}
		return float64(time.Since(t).Nanoseconds()) / float64(k)
	}
	block(ourRun, 3)
	k := max(1, int(1e6/block(ortRun, 3)))
	var ratios, ortNs, ourNs []float64
	b.ResetTimer()
	for b.Loop() {
		on := block(ortRun, k)
		un := block(ourRun, k)
		ratios = append(ratios, on/un)
		ortNs = append(ortNs, on)
		ourNs = append(ourNs, un)
	}
	b.StopTimer()
	q := func(v []float64, p float64) float64 {
		slices.Sort(v)
		return v[min(len(v)-1, int(p*float64(len(v))))]
	}
	b.ReportMetric(q(ratios, 0.5), "x-ort")
	b.ReportMetric(q(ratios, 0.1), "x-ort-p10")
	b.ReportMetric(q(ratios, 0.9), "x-ort-p90")
	b.ReportMetric(q(ortNs, 0.5), "ort-ns/run")
	b.ReportMetric(q(ourNs, 0.5), "onnxrun-ns/run")
	sink = outputs
}
