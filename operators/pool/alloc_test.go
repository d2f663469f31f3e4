package pool

import (
	"testing"

	"github.com/onnxrun/onnxrun/operators"
)

type fixedAlloc struct{ v *operators.Value }

func (f fixedAlloc) Alloc(dt operators.DType, shape []int, zero bool) (*operators.Value, error) {
	return f.v, nil
}

// TestSteadyStateAllocs: a single-threaded run with a recycled output
// allocates nothing once the window geometry is memoised.
func TestSteadyStateAllocs(t *testing.T) {
	x, _ := operators.NewValue(operators.Float32, []int{1, 4, 9, 9})
	for _, c := range []struct {
		op    string
		attrs []*operators.Attr
	}{
		{"MaxPool", []*operators.Attr{ints("kernel_shape", 3, 3), ints("strides", 2, 2), ints("pads", 1, 1, 1, 1)}},
		{"AveragePool", []*operators.Attr{ints("kernel_shape", 2, 2)}},
		{"GlobalAveragePool", nil},
	} {
		op := build(t, c.op, 13, c.attrs...)
		out := make([]*operators.Value, 1)
		if err := op.Run(nil, []*operators.Value{x}, out); err != nil {
			t.Fatal(err)
		}
		rc := &operators.RunContext{Threads: 1, Alloc: fixedAlloc{out[0]}}
		in := []*operators.Value{x}
		if n := testing.AllocsPerRun(20, func() { op.Run(rc, in, out) }); n != 0 {
			t.Errorf("%s: %v allocations per run, want 0", c.op, n)
		}
	}
}
