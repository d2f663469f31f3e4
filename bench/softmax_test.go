package bench

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/onnxrun/onnxrun/dispatch"
	"github.com/onnxrun/onnxrun/operators"
	_ "github.com/onnxrun/onnxrun/operators/all"
	"github.com/onnxrun/onnxrun/runtime"
	"gorgonia.org/tensor"
)

// softmaxCase is one benchmarked Softmax/LogSoftmax input (opset 13).
type softmaxCase struct {
	shape   []int
	axis    int64
	threads []int
}

var softmaxCases = []softmaxCase{
	{[]int{1, 1000}, -1, []int{1}},
	{[]int{64, 1000}, -1, []int{1}},
	{[]int{256, 32000}, -1, []int{1, 2}},
	{[]int{8, 12, 128, 128}, -1, []int{1}},
	{[]int{8, 21, 64, 64}, 1, []int{1}},
	{[]int{64, 1000}, 0, []int{1}},
}

func shapeName(s []int) string {
	p := make([]string, len(s))
	for i, d := range s {
		p[i] = fmt.Sprint(d)
	}
	return strings.Join(p, "x")
}

func randData(n int, seed uint64) []float32 {
	r := rand.New(rand.NewPCG(seed, 1))
	d := make([]float32, n)
	for i := range d {
		d[i] = float32(r.Float64()*10 - 5)
	}
	return d
}

// oneNodeCase writes the opset-13 one-node model of op for c into dir
// and returns its path with the case's input data.
func oneNodeCase(tb testing.TB, dir, op string, c softmaxCase) (string, []float32) {
	n := operators.NumElements(c.shape)
	model := filepath.Join(dir, fmt.Sprintf("%s_%s_axis%d.onnx", op, shapeName(c.shape), c.axis))
	if err := os.WriteFile(model, OneNode(op, 13, c.axis, c.shape), 0o644); err != nil {
		tb.Fatal(err)
	}
	return model, randData(n, uint64(n))
}

// ortOneNode returns an ONNX Runtime session of a one-node model (input
// X, output Y, both of shape) with x bound as its input.
func ortOneNode(tb testing.TB, model string, shape []int, x []float32, threads int) *ORTFixed {
	s64 := toInt64(shape)
	r, err := NewORTFixed(model, []string{"X"}, [][]int64{s64}, [][]float32{x}, []string{"Y"}, [][]int64{s64}, threads)
	if err != nil {
		tb.Fatal(err)
	}
	return r
}

// sink keeps results alive.
var sink any

// BenchmarkSoftmax times Softmax and LogSoftmax (float32, opset 13) on the
// shapes above: ONNX Runtime's session run of a one-node model with
// pre-bound outputs ("ort"), onnxrun's Session.Run of the same model
// ("run"), Session.RunInto with an output tensor made once ("runinto"), and onnxrun's operator
// alone at every kernel level this CPU has ("op-<level>", output buffer
// reused). Bytes per op are one read of the input and one write of the
// output, so MB/s compares directly across implementations.
func BenchmarkSoftmax(b *testing.B) {
	dir := b.TempDir()
	for _, op := range []string{"Softmax", "LogSoftmax"} {
		for _, c := range softmaxCases {
			model, x := oneNodeCase(b, dir, op, c)
			for _, th := range c.threads {
				name := fmt.Sprintf("%s/%s/axis%d/t%d", op, shapeName(c.shape), c.axis, th)
				b.Run(name+"/impl=ort", func(b *testing.B) { benchORTOneNode(b, model, c.shape, x, th) })
				b.Run(name+"/impl=run", func(b *testing.B) { benchRunOneNode(b, model, c.shape, x, th) })
				b.Run(name+"/impl=runinto", func(b *testing.B) { benchRunIntoOneNode(b, model, c.shape, x, th) })
				for _, im := range dispatch.Impls() {
					if !im.Available {
						continue
					}
					b.Run(name+"/impl=op-"+im.Level.String(), func(b *testing.B) { benchOp(b, op, c, x, th, im.Level) })
				}
			}
		}
	}
}

func benchORTOneNode(b *testing.B, model string, shape []int, x []float32, threads int) {
	if err := ORTAvailable(); err != nil {
		b.Skip(err)
	}
	r := ortOneNode(b, model, shape, x, threads)
	defer r.Close()
	b.SetBytes(int64(8 * len(x)))
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if err := r.Run(); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	b.ReportMetric(float64(len(x))*float64(b.N)/float64(b.Elapsed().Nanoseconds()), "elem/ns")
}

func benchRunOneNode(b *testing.B, model string, shape []int, x []float32, threads int) {
	s, err := runtime.Load(model, runtime.WithThreads(threads))
	if err != nil {
		b.Fatal(err)
	}
	in := tensor.New(tensor.WithShape(shape...), tensor.WithBacking(x))
	inputs := map[string]*tensor.Dense{"X": in}
	ctx := context.Background()
	b.SetBytes(int64(8 * len(x)))
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		out, err := s.Run(ctx, inputs)
		if err != nil {
			b.Fatal(err)
		}
		sink = out
	}
	b.StopTimer()
	b.ReportMetric(float64(len(x))*float64(b.N)/float64(b.Elapsed().Nanoseconds()), "elem/ns")
}

// benchRunIntoOneNode times Session.RunInto with an output tensor made
// once, like ONNX Runtime's run with pre-bound outputs.
func benchRunIntoOneNode(b *testing.B, model string, shape []int, x []float32, threads int) {
	run := runIntoOneNode(b, model, shape, x, threads)
	b.SetBytes(int64(8 * len(x)))
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		run()
	}
	b.StopTimer()
	b.ReportMetric(float64(len(x))*float64(b.N)/float64(b.Elapsed().Nanoseconds()), "elem/ns")
}

// runIntoOneNode loads a one-node model and returns a function that runs
// it once with Session.RunInto on x, into an output tensor made once.
func runIntoOneNode(b *testing.B, model string, shape []int, x []float32, threads int) func() {
	s, err := runtime.Load(model, runtime.WithThreads(threads))
	if err != nil {
		b.Fatal(err)
	}
	inputs := map[string]*tensor.Dense{"X": tensor.New(tensor.WithShape(shape...), tensor.WithBacking(x))}
	outputs := map[string]*tensor.Dense{"Y": tensor.New(tensor.WithShape(shape...), tensor.Of(tensor.Float32))}
	sink = outputs
	ctx := context.Background()
	return func() {
		if err := s.RunInto(ctx, inputs, outputs); err != nil {
			b.Fatal(err)
		}
	}
}

// reuse hands back one preallocated output so the timing is the operator's.
type reuse struct{ v *operators.Value }

func (a reuse) Alloc(operators.DType, []int, bool) (*operators.Value, error) { return a.v, nil }

func benchOp(b *testing.B, opType string, c softmaxCase, x []float32, threads int, level dispatch.Level) {
	restore, err := dispatch.Use(level)
	if err != nil {
		b.Skip(err)
	}
	defer restore()
	reg, ok := operators.Lookup("", opType, 13)
	if !ok {
		b.Fatalf("%s-13 is not registered", opType)
	}
	op, err := reg.New(&operators.Node{
		Name: "bench", OpType: opType, Opset: 13, Since: reg.Since,
		Inputs: []string{"X"}, Outputs: []string{"Y"},
		Attrs: map[string]*operators.Attr{"axis": {Name: "axis", Type: operators.AttrInt, I: c.axis}},
	})
	if err != nil {
		b.Fatal(err)
	}
	in, err := operators.FromSlice(x, c.shape)
	if err != nil {
		b.Fatal(err)
	}
	outV, err := operators.NewValue(operators.Float32, c.shape)
	if err != nil {
		b.Fatal(err)
	}
	rc := &operators.RunContext{Ctx: context.Background(), Alloc: reuse{outV}, Threads: threads}
	ins, outs := []*operators.Value{in}, []*operators.Value{nil}
	b.SetBytes(int64(8 * len(x)))
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if err := op.Run(rc, ins, outs); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	b.ReportMetric(float64(len(x))*float64(b.N)/float64(b.Elapsed().Nanoseconds()), "elem/ns")
	sink = outs[0]
}

// TestSoftmaxAgreesWithORT checks, before anything is timed, that onnxrun
// and ONNX Runtime compute the same thing on every benchmarked case: the
// comparison would be meaningless otherwise. Tolerance: ONNX's rtol 1e-3,
// atol 1e-7 is for fixtures; here both sides compute in float32 from the
// same data, so a far tighter bound (1e-5 absolute on probabilities,
// 1e-4 on log-probabilities of magnitude up to ~20) holds.
func TestSoftmaxAgreesWithORT(t *testing.T) {
	if err := ORTAvailable(); err != nil {
		t.Skip(err)
	}
	dir := t.TempDir()
	for _, op := range []string{"Softmax", "LogSoftmax"} {
		for _, c := range softmaxCases {
			name := fmt.Sprintf("%s/%s/axis%d", op, shapeName(c.shape), c.axis)
			t.Run(name, func(t *testing.T) {
				model, x := oneNodeCase(t, dir, op, c)
				r := ortOneNode(t, model, c.shape, x, 1)
				defer r.Close()
				if err := r.Run(); err != nil {
					t.Fatal(err)
				}
				want := r.Output(0)
				s, err := runtime.Load(model, runtime.WithThreads(1))
				if err != nil {
					t.Fatal(err)
				}
				out, err := s.Run(context.Background(), map[string]*tensor.Dense{"X": tensor.New(tensor.WithShape(c.shape...), tensor.WithBacking(x))})
				if err != nil {
					t.Fatal(err)
				}
				got := out["Y"].Data().([]float32)
				tol := 1e-5
				if op == "LogSoftmax" {
					tol = 1e-4
				}
				worst := 0.0
				for i := range got {
					worst = math.Max(worst, math.Abs(float64(got[i])-float64(want[i])))
				}
				if worst > tol {
					t.Errorf("max |onnxrun - ort| = %g > %g", worst, tol)
				}
			})
		}
	}
}
