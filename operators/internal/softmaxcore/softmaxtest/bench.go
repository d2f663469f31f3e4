package softmaxtest

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/onnxrun/onnxrun/dispatch"
	"github.com/onnxrun/onnxrun/operators"
)

// BenchShape is one benchmarked input: its shape, the axis and opset, and
// the thread counts to time it with.
type BenchShape struct {
	Shape   []int
	Axis    int64
	Opset   int
	Threads []int
}

// BenchShapes are the shapes of the benchmark matrix: a single
// classifier row, a batch of them, a language-model vocabulary, attention
// scores, a segmentation head normalised over its channel axis, and a
// column (axis 0) reduction.
var BenchShapes = []BenchShape{
	{[]int{1, 1000}, -1, 13, []int{1}},
	{[]int{64, 1000}, -1, 13, []int{1}},
	{[]int{256, 32000}, -1, 13, []int{1, 2}},
	{[]int{8, 12, 128, 128}, -1, 13, []int{1}},
	{[]int{8, 21, 64, 64}, 1, 13, []int{1}},
	{[]int{64, 1000}, 0, 13, []int{1}},
}

// reuse hands back one preallocated output so the timing is the kernels'.
type reuse struct{ v *operators.Value }

func (a reuse) Alloc(operators.DType, []int, bool) (*operators.Value, error) { return a.v, nil }

// Sink keeps benchmark results alive.
var Sink *operators.Value

// Bench times the registered opType over BenchShapes in float32 at every
// kernel tier this machine runs, as sub-benchmarks named
// <tier>/<shape>/axis<a>/t<threads>. It reports bytes read and written per
// operation and elements per nanosecond.
func Bench(b *testing.B, opType string) {
	for _, im := range dispatch.Impls() {
		if !im.Available {
			continue
		}
		b.Run(im.Level.String(), func(b *testing.B) {
			restore, err := dispatch.Use(im.Level)
			if err != nil {
				b.Fatal(err)
			}
			defer restore()
			for _, s := range BenchShapes {
				for _, th := range s.Threads {
					b.Run(fmt.Sprintf("%s/axis%d/t%d", shapeName(s.Shape), s.Axis, th), func(b *testing.B) {
						benchOne(b, opType, s, th)
					})
				}
			}
		})
	}
}

func benchOne(b *testing.B, opType string, s BenchShape, threads int) {
	reg, ok := operators.Lookup("", opType, s.Opset)
	if !ok {
		b.Fatalf("no %s registered for opset %d", opType, s.Opset)
	}
	node := &operators.Node{
		Name: "bench", OpType: opType, Opset: s.Opset, Since: reg.Since,
		Inputs: []string{"x"}, Outputs: []string{"y"},
		Attrs: map[string]*operators.Attr{"axis": {Name: "axis", Type: operators.AttrInt, I: s.Axis}},
	}
	op, err := reg.New(node)
	if err != nil {
		b.Fatal(err)
	}
	x, err := operators.NewValue(operators.Float32, s.Shape)
	if err != nil {
		b.Fatal(err)
	}
	r := rand.New(rand.NewPCG(1, 2))
	for i := range x.F32() {
		x.F32()[i] = float32(r.NormFloat64() * 4)
	}
	y, _ := operators.NewValue(operators.Float32, s.Shape)
	rc := &operators.RunContext{Alloc: reuse{y}, Threads: threads}
	in, out := []*operators.Value{x}, make([]*operators.Value, 1)
	// One run before timing faults in the output's pages and fills the
	// scratch pools.
	if err := op.Run(rc, in, out); err != nil {
		b.Fatal(err)
	}
	n := x.Len()
	b.SetBytes(int64(2 * 4 * n))
	b.ReportAllocs()
	iters := 0
	for b.Loop() {
		if err := op.Run(rc, in, out); err != nil {
			b.Fatal(err)
		}
		iters++
	}
	Sink = out[0]
	if ns := b.Elapsed().Nanoseconds(); ns > 0 {
		b.ReportMetric(float64(n)*float64(iters)/float64(ns), "elem/ns")
	}
}

func shapeName(shape []int) string {
	parts := make([]string, len(shape))
	for i, d := range shape {
		parts[i] = fmt.Sprint(d)
	}
	return strings.Join(parts, "x")
}
