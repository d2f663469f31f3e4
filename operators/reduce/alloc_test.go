package reduce

import (
	"testing"

	"github.com/onnxrun/onnxrun/operators"
	ot "github.com/onnxrun/onnxrun/operators/internal/optest"
)

type fixedAlloc struct{ v *operators.Value }

func (f *fixedAlloc) Alloc(dt operators.DType, shape []int, zero bool) (*operators.Value, error) {
	if f.v == nil || f.v.DType != dt || operators.NumElements(f.v.Shape) != operators.NumElements(shape) {
		v, err := operators.NewValue(dt, shape)
		f.v = v
		return v, err
	}
	return f.v, nil
}

// TestSteadyStateAllocs: with the output from a pooling allocator, a
// reduction allocates nothing (its output shape is remembered from the
// previous run), ArgMax at most its output shape.
func TestSteadyStateAllocs(t *testing.T) {
	x, _ := operators.NewValue(operators.Float32, []int{8, 16, 32})
	axes, _ := operators.FromSlice([]int64{1}, []int{1})
	for _, c := range []struct {
		op    string
		opset int
		in    []*operators.Value
		attrs []*operators.Attr
		max   float64
	}{
		{"ReduceSum", 13, []*operators.Value{x, axes}, nil, 0},
		{"ReduceMean", 13, []*operators.Value{x}, []*operators.Attr{ot.Ints("axes", 2)}, 0},
		{"ReduceMax", 18, []*operators.Value{x}, nil, 0},
		{"ArgMax", 13, []*operators.Value{x}, []*operators.Attr{ot.Int("axis", -1)}, 1},
	} {
		op := ot.MustBuild(t, c.op, c.opset, len(c.in), c.attrs...)
		rc := &operators.RunContext{Alloc: &fixedAlloc{}, Threads: 1}
		out := make([]*operators.Value, 1)
		n := testing.AllocsPerRun(20, func() {
			if err := op.Run(rc, c.in, out); err != nil {
				t.Fatal(err)
			}
		})
		if n > c.max {
			t.Errorf("%s: %v allocations per run, want at most %v", c.op, n, c.max)
		}
	}
}

// TestRememberedShapeFollowsInputs runs one reduction on changing input
// shapes and axes: the remembered output shape must never be a stale one.
func TestRememberedShapeFollowsInputs(t *testing.T) {
	op := ot.MustBuild(t, "ReduceSum", 13, 2, ot.Int("keepdims", 0))
	for _, c := range []struct {
		shape []int
		axes  []int64
		want  []int
	}{
		{[]int{2, 3, 4}, []int64{1}, []int{2, 4}},
		{[]int{2, 3, 4}, []int64{2}, []int{2, 3}},
		{[]int{2, 5, 4}, []int64{2}, []int{2, 5}},
		{[]int{2, 5}, []int64{0}, []int{5}},
		{[]int{2, 3, 4}, []int64{1}, []int{2, 4}},
	} {
		x, _ := operators.NewValue(operators.Float32, c.shape)
		axes, _ := operators.FromSlice(c.axes, []int{len(c.axes)})
		y := ot.MustExec(t, op, x, axes)[0]
		if len(y.Shape) != len(c.want) {
			t.Fatalf("%v over %v: shape %v, want %v", c.shape, c.axes, y.Shape, c.want)
		}
		for i := range c.want {
			if y.Shape[i] != c.want[i] {
				t.Fatalf("%v over %v: shape %v, want %v", c.shape, c.axes, y.Shape, c.want)
			}
		}
	}
}
