package cumsum

import (
	"errors"
	"fmt"
	"math/rand"
	"testing"

	"github.com/onnxrun/onnxrun/operators"
	ot "github.com/onnxrun/onnxrun/operators/internal/optest"
)

// ref sums by explicit coordinates: out[..., k, ...] = sum of x[..., i, ...]
// over i <= k (or i < k exclusive; reversed: i >= k / i > k).
func ref(x []float64, shape []int, axis int, exclusive, reverse bool) []float64 {
	outer, n, inner := 1, shape[axis], 1
	for _, d := range shape[:axis] {
		outer *= d
	}
	for _, d := range shape[axis+1:] {
		inner *= d
	}
	out := make([]float64, len(x))
	for o := 0; o < outer; o++ {
		for k := 0; k < n; k++ {
			for j := 0; j < inner; j++ {
				s := 0.0
				for i := 0; i < n; i++ {
					in := i <= k
					if reverse {
						in = i >= k
					}
					if exclusive && i == k {
						in = false
					}
					if in {
						s += x[(o*n+i)*inner+j]
					}
				}
				out[(o*n+k)*inner+j] = s
			}
		}
	}
	return out
}

func TestCumSum(t *testing.T) {
	r := rand.New(rand.NewSource(13))
	for it := 0; it < 40; it++ {
		rank := 1 + r.Intn(3)
		shape := make([]int, rank)
		for i := range shape {
			shape[i] = 1 + r.Intn(4)
		}
		x := make([]float64, operators.NumElements(shape))
		for i := range x {
			x[i] = float64(r.Intn(20))
		}
		axis := r.Intn(rank)
		exc, rev := r.Intn(2) == 1, r.Intn(2) == 1
		want := ref(x, shape, axis, exc, rev)
		op := ot.MustBuild(t, "CumSum", 14, 2, ot.Int("exclusive", map[bool]int64{true: 1}[exc]), ot.Int("reverse", map[bool]int64{true: 1}[rev]))
		for _, dt := range []operators.DType{operators.Float32, operators.Float64, operators.Int32, operators.Int64, operators.Uint32, operators.Uint64, operators.Float16} {
			t.Run(fmt.Sprintf("%v/%v_axis%d_exc%v_rev%v", dt, shape, axis, exc, rev), func(t *testing.T) {
				a := int64(axis)
				if it%2 == 1 {
					a -= int64(rank)
				}
				av, _ := operators.FromSlice([]int64{a}, []int{})
				if it%3 == 0 {
					av, _ = operators.FromSlice([]int32{int32(a)}, []int{1})
				}
				y := ot.MustExec(t, op, ot.Val(dt, shape, x...), av)[0]
				ot.MustClose(t, y, shape, want, 0, 0)
			})
		}
	}
}

func TestCumSumErrors(t *testing.T) {
	op := ot.MustBuild(t, "CumSum", 14, 2)
	x := ot.Val(operators.Float32, []int{2, 2}, 1, 2, 3, 4)
	bad, _ := operators.FromSlice([]int64{2}, []int{})
	var ae *operators.AttributeError
	if _, err := ot.Exec(op, x, bad); !errors.As(err, &ae) || ae.Attr != "axis" {
		t.Errorf("axis 2 at rank 2: %v", err)
	}
	two, _ := operators.FromSlice([]int64{0, 1}, []int{2})
	if _, err := ot.Exec(op, x, two); !errors.Is(err, operators.ErrShape) {
		t.Errorf("two axes: %v", err)
	}
	if _, err := ot.Build("CumSum", 14, 2, ot.Int("reverse", 2)); !errors.As(err, &ae) {
		t.Errorf("reverse=2: %v", err)
	}
	if _, err := ot.Exec(op, ot.Val(operators.Int8, []int{1}, 1), bad); !errors.Is(err, operators.ErrUnsupportedType) {
		t.Errorf("int8: %v", err)
	}
}
