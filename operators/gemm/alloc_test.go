package gemm

import (
	"math/rand"
	"strings"
	"testing"

	"github.com/onnxrun/onnxrun/operators"
)

type fixedAlloc struct{ v *operators.Value }

func (f fixedAlloc) Alloc(dt operators.DType, shape []int, zero bool) (*operators.Value, error) {
	return f.v, nil
}

// TestSteadyStateAllocs: single-threaded Gemm and MatMul runs with a
// recycled output allocate nothing (packing buffers come from a pool,
// MatMul's plan is memoised).
func TestSteadyStateAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("sync.Pool drops items under the race detector")
	}
	r := rand.New(rand.NewSource(12))
	for _, c := range []struct {
		name string
		op   operators.Op
		in   []*operators.Value
	}{
		{"Gemm", build(t, node("Gemm", 13, 3, iattr("transB", 1))), []*operators.Value{randVal(r, 8, 33), randVal(r, 20, 33), randVal(r, 20)}},
		{"Gemm_row", build(t, node("Gemm", 13, 3, iattr("transB", 1))), []*operators.Value{randVal(r, 1, 64), randVal(r, 10, 64), randVal(r, 10)}},
		{"MatMul", build(t, node("MatMul", 13, 2)), []*operators.Value{randVal(r, 2, 5, 16), randVal(r, 16, 7)}},
		{"Gemm_const", build(t, node("Gemm", 13, 3, iattr("transB", 1))), []*operators.Value{randVal(r, 8, 33), randVal(r, 20, 33), randVal(r, 20)}},
		{"Gemm_row_const", build(t, node("Gemm", 13, 3, iattr("transB", 1))), []*operators.Value{randVal(r, 1, 64), randVal(r, 10, 64), randVal(r, 10)}},
		{"MatMul_const", build(t, node("MatMul", 13, 2)), []*operators.Value{randVal(r, 2, 5, 16), randVal(r, 16, 7)}},
	} {
		if strings.HasSuffix(c.name, "_const") {
			// B is a constant: packed on the first run, then reused.
			metas := make([]operators.Meta, len(c.in))
			for i, v := range c.in {
				metas[i] = v.Meta()
			}
			if _, err := c.op.Infer(metas, c.in); err != nil {
				t.Fatal(err)
			}
		}
		out := make([]*operators.Value, 1)
		if err := c.op.Run(nil, c.in, out); err != nil {
			t.Fatal(err)
		}
		rc := &operators.RunContext{Threads: 1, Alloc: fixedAlloc{out[0]}}
		if n := testing.AllocsPerRun(20, func() { c.op.Run(rc, c.in, out) }); n != 0 {
			t.Errorf("%s: %v allocations per run, want 0", c.name, n)
		}
	}
}
