package topk

import (
	"errors"
	"fmt"
	"math"
	"math/rand"
	"testing"

	"github.com/onnxrun/onnxrun/operators"
	ot "github.com/onnxrun/onnxrun/operators/internal/optest"
)

// ref picks, k times, the best element not yet taken: the largest (or
// smallest) value, NaN above everything, the lowest index among equals.
func ref(x []float64, shape []int, axis, k int, largest bool) ([]float64, []float64) {
	outer, n, inner := 1, shape[axis], 1
	for _, d := range shape[:axis] {
		outer *= d
	}
	for _, d := range shape[axis+1:] {
		inner *= d
	}
	vals := make([]float64, outer*k*inner)
	idx := make([]float64, outer*k*inner)
	better := func(a, b float64) bool { // a strictly better than b
		switch {
		case math.IsNaN(a) && math.IsNaN(b):
			return false
		case math.IsNaN(a):
			return largest // NaN counts as the largest value
		case math.IsNaN(b):
			return !largest
		case largest:
			return a > b
		}
		return a < b
	}
	for o := 0; o < outer; o++ {
		for j := 0; j < inner; j++ {
			taken := make([]bool, n)
			for r := 0; r < k; r++ {
				best := -1
				for i := 0; i < n; i++ {
					if taken[i] {
						continue
					}
					if best < 0 || better(x[(o*n+i)*inner+j], x[(o*n+best)*inner+j]) {
						best = i
					}
				}
				taken[best] = true
				p := (o*k+r)*inner + j
				vals[p], idx[p] = x[(o*n+best)*inner+j], float64(best)
			}
		}
	}
	return vals, idx
}

func TestTopK(t *testing.T) {
	seed := int64(17)
	t.Logf("seed %d", seed)
	r := rand.New(rand.NewSource(seed))
	for it := 0; it < 30; it++ {
		rank := 1 + r.Intn(3)
		shape := make([]int, rank)
		for i := range shape {
			shape[i] = 1 + r.Intn(5)
		}
		x := make([]float64, operators.NumElements(shape))
		for i := range x {
			x[i] = float64(r.Intn(6)) // ties
		}
		axis := r.Intn(rank)
		k := r.Intn(shape[axis] + 1)
		largest := r.Intn(2) == 1
		wantV, wantI := ref(x, shape, axis, k, largest)
		oshape := append([]int(nil), shape...)
		oshape[axis] = k
		op := ot.MustBuild(t, "TopK", 11, 2, ot.Int("axis", int64(axis-rank)), ot.Int("largest", map[bool]int64{true: 1}[largest]))
		kv, _ := operators.FromSlice([]int64{int64(k)}, []int{1})
		for _, dt := range []operators.DType{operators.Float32, operators.Float64, operators.Int32, operators.Int64, operators.Uint8, operators.Float16} {
			t.Run(fmt.Sprintf("%v/%v_axis%d_k%d_largest%v", dt, shape, axis, k, largest), func(t *testing.T) {
				out := ot.MustExec(t, op, ot.Val(dt, shape, x...), kv)
				ot.MustClose(t, out[0], oshape, wantV, 0, 0)
				ot.MustClose(t, out[1], oshape, wantI, 0, 0)
			})
		}
	}
}

func TestTopKNaNAndVersions(t *testing.T) {
	x := []float64{1, math.NaN(), 3, 3, -1}
	for _, largest := range []bool{true, false} {
		wantV, wantI := ref(x, []int{5}, 0, 5, largest)
		op := ot.MustBuild(t, "TopK", 11, 2, ot.Int("largest", map[bool]int64{true: 1}[largest]))
		kv, _ := operators.FromSlice([]int64{5}, []int{1})
		out := ot.MustExec(t, op, ot.Val(operators.Float32, []int{5}, x...), kv)
		ot.MustClose(t, out[0], []int{5}, wantV, 0, 0)
		ot.MustClose(t, out[1], []int{5}, wantI, 0, 0)
	}
	// Opset 1: k is an attribute.
	op := ot.MustBuild(t, "TopK", 1, 1, ot.Int("k", 2))
	out := ot.MustExec(t, op, ot.Val(operators.Float32, []int{2, 3}, 1, 5, 3, 9, 7, 8))
	ot.MustClose(t, out[0], []int{2, 2}, []float64{5, 3, 9, 8}, 0, 0)
	ot.MustClose(t, out[1], []int{2, 2}, []float64{1, 2, 0, 2}, 0, 0)
}

func TestTopKErrors(t *testing.T) {
	var ae *operators.AttributeError
	if _, err := ot.Build("TopK", 1, 1); !errors.As(err, &ae) || ae.Attr != "k" {
		t.Errorf("TopK-1 without k: %v", err)
	}
	if _, err := ot.Build("TopK", 11, 2, ot.Int("largest", 2)); !errors.As(err, &ae) {
		t.Errorf("largest=2: %v", err)
	}
	op := ot.MustBuild(t, "TopK", 11, 2)
	x := ot.Val(operators.Float32, []int{3}, 1, 2, 3)
	four, _ := operators.FromSlice([]int64{4}, []int{1})
	if _, err := ot.Exec(op, x, four); !errors.Is(err, operators.ErrShape) {
		t.Errorf("k > n: %v", err)
	}
	neg, _ := operators.FromSlice([]int64{-1}, []int{1})
	if _, err := ot.Exec(op, x, neg); !errors.Is(err, operators.ErrInvalidModel) {
		t.Errorf("k < 0: %v", err)
	}
	op = ot.MustBuild(t, "TopK", 11, 2, ot.Int("axis", 1))
	one, _ := operators.FromSlice([]int64{1}, []int{1})
	if _, err := ot.Exec(op, x, one); !errors.As(err, &ae) || ae.Attr != "axis" {
		t.Errorf("axis 1 at rank 1: %v", err)
	}
}
