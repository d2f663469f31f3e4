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
// reduction allocates at most its output shape.
func TestSteadyStateAllocs(t *testing.T) {
	x, _ := operators.NewValue(operators.Float32, []int{8, 16, 32})
	axes, _ := operators.FromSlice([]int64{1}, []int{1})
	for _, c := range []struct {
		op    string
		opset int
		in    []*operators.Value
		attrs []*operators.Attr
	}{
		{"ReduceSum", 13, []*operators.Value{x, axes}, nil},
		{"ReduceMean", 13, []*operators.Value{x}, []*operators.Attr{ot.Ints("axes", 2)}},
		{"ReduceMax", 18, []*operators.Value{x}, nil},
		{"ArgMax", 13, []*operators.Value{x}, []*operators.Attr{ot.Int("axis", -1)}},
	} {
		op := ot.MustBuild(t, c.op, c.opset, len(c.in), c.attrs...)
		rc := &operators.RunContext{Alloc: &fixedAlloc{}, Threads: 1}
		out := make([]*operators.Value, 1)
		n := testing.AllocsPerRun(20, func() {
			if err := op.Run(rc, c.in, out); err != nil {
				t.Fatal(err)
			}
		})
		if n > 1 {
			t.Errorf("%s: %v allocations per run, want at most 1", c.op, n)
		}
	}
}
