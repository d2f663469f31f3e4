package elementwise

import (
	"fmt"
	"sync"
	"testing"

	"github.com/onnxrun/onnxrun/operators"
	ot "github.com/onnxrun/onnxrun/operators/internal/optest"
)

// fixedAlloc hands out one preallocated value, like a runtime pool in
// steady state, so tests can count the allocations the operator itself
// makes.
type fixedAlloc struct{ v *operators.Value }

func (f *fixedAlloc) Alloc(dt operators.DType, shape []int, zero bool) (*operators.Value, error) {
	if f.v == nil || f.v.DType != dt || operators.NumElements(f.v.Shape) != operators.NumElements(shape) {
		v, err := operators.NewValue(dt, shape)
		f.v = v
		return v, err
	}
	return f.v, nil
}

// TestSteadyStateAllocs bounds what a Run allocates besides its output
// (which comes from the allocator): nothing when the output has an
// operand's shape, else only the broadcast output shape; never kernels,
// scratch or anything proportional to the tensor.
func TestSteadyStateAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("allocation counts are meaningless under -race")
	}
	x, _ := operators.NewValue(operators.Float32, []int{64, 256})
	row, _ := operators.NewValue(operators.Float32, []int{256})
	h, _ := operators.NewValue(operators.Float16, []int{64, 256})
	hrow, _ := operators.NewValue(operators.Float16, []int{256})
	lo, _ := operators.NewValue(operators.Float32, []int{})
	cond, _ := operators.NewValue(operators.Bool, []int{64, 1})
	col, _ := operators.NewValue(operators.Float32, []int{64, 1})
	cases := []struct {
		op  string
		in  []*operators.Value
		max float64
	}{
		{"Add", []*operators.Value{x, x}, 0},
		{"Mul", []*operators.Value{x, row}, 0},
		{"Sub", []*operators.Value{h, hrow}, 0},
		{"Less", []*operators.Value{x, row}, 0},
		{"PRelu", []*operators.Value{x, row}, 0},
		{"Exp", []*operators.Value{x}, 0},
		{"Relu", []*operators.Value{x}, 0},
		{"Sigmoid", []*operators.Value{h}, 0},
		{"Clip", []*operators.Value{x, lo, nil}, 0},
		{"Where", []*operators.Value{cond, x, lo}, 0},
		{"Pow", []*operators.Value{x, lo}, 0},
		{"Add", []*operators.Value{col, row}, 1}, // both operands expand
	}
	for _, c := range cases {
		op := ot.MustBuild(t, c.op, 14, len(c.in))
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

// TestConcurrentRuns shares each operator between goroutines that run it
// on different shapes at once; run with -race it shows the operators keep
// no state between runs.
func TestConcurrentRuns(t *testing.T) {
	ops := map[string]operators.Op{
		"Add":  ot.MustBuild(t, "Add", 14, 2),
		"Exp":  ot.MustBuild(t, "Exp", 13, 1),
		"Sum":  ot.MustBuild(t, "Sum", 13, 3),
		"Clip": ot.MustBuild(t, "Clip", 13, 3),
	}
	var wg sync.WaitGroup
	errs := make(chan error, 64)
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			n := 1 + g
			a := make([]float64, n*3)
			for i := range a {
				a[i] = float64(i + g)
			}
			x := ot.Val(operators.Float32, []int{n, 3}, a...)
			r := ot.Val(operators.Float32, []int{3}, 1, 2, 3)
			for it := 0; it < 50; it++ {
				y, err := ot.Exec(ops["Add"], x, r)
				if err == nil {
					err = ot.Close(y[0], []int{n, 3}, refBroadcast(a, []int{n, 3}, []float64{1, 2, 3}, []int{3}, []int{n, 3}, arithRef["Add"]), 0, 0)
				}
				if err == nil {
					_, err = ot.Exec(ops["Exp"], x)
				}
				if err == nil {
					_, err = ot.Exec(ops["Sum"], x, r, r)
				}
				if err == nil {
					_, err = ot.Exec(ops["Clip"], x, ot.Val(operators.Float32, []int{}, float64(g)))
				}
				if err != nil {
					errs <- fmt.Errorf("goroutine %d: %w", g, err)
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

// TestSplitRunsAllocateNothing: large enough to be split between two
// threads, the broadcast and unary operators hand their work out through
// pooled jobs.
func TestSplitRunsAllocateNothing(t *testing.T) {
	if raceEnabled {
		t.Skip("allocation counts are meaningless under -race")
	}
	x, _ := operators.NewValue(operators.Float32, []int{64, 4096})
	row, _ := operators.NewValue(operators.Float32, []int{4096})
	for _, c := range []struct {
		op string
		in []*operators.Value
	}{
		{"Add", []*operators.Value{x, x}},
		{"Mul", []*operators.Value{x, row}},
		{"Relu", []*operators.Value{x}},
		{"Exp", []*operators.Value{x}},
	} {
		op := ot.MustBuild(t, c.op, 14, len(c.in))
		rc := &operators.RunContext{Alloc: &fixedAlloc{}, Threads: 2}
		out := make([]*operators.Value, 1)
		if err := op.Run(rc, c.in, out); err != nil {
			t.Fatal(err)
		}
		n := testing.AllocsPerRun(20, func() {
			if err := op.Run(rc, c.in, out); err != nil {
				t.Fatal(err)
			}
		})
		if n != 0 {
			t.Errorf("%s on two threads: %v allocations per run, want 0", c.op, n)
		}
	}
}
