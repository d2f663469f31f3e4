package trilu

import (
	"errors"
	"fmt"
	"testing"

	"github.com/onnxrun/onnxrun/operators"
	ot "github.com/onnxrun/onnxrun/operators/internal/optest"
)

func TestTrilu(t *testing.T) {
	// Two 3x4 matrices holding 1..24.
	shape := []int{2, 3, 4}
	x := make([]float64, 24)
	for i := range x {
		x[i] = float64(i + 1)
	}
	for _, upper := range []int64{1, 0} {
		for _, k := range []int64{-5, -1, 0, 1, 2, 5} {
			want := make([]float64, 24)
			for m := 0; m < 2; m++ {
				for i := 0; i < 3; i++ {
					for j := 0; j < 4; j++ {
						keep := int64(j-i) >= k
						if upper == 0 {
							keep = int64(j-i) <= k
						}
						if keep {
							want[(m*3+i)*4+j] = x[(m*3+i)*4+j]
						}
					}
				}
			}
			op := ot.MustBuild(t, "Trilu", 14, 2, ot.Int("upper", upper))
			kv, _ := operators.FromSlice([]int64{k}, []int{})
			for _, dt := range []operators.DType{operators.Float32, operators.Int64, operators.Float16, operators.Uint8} {
				t.Run(fmt.Sprintf("upper%d/k%d/%v", upper, k, dt), func(t *testing.T) {
					y := ot.MustExec(t, op, ot.Val(dt, shape, x...), kv)[0]
					ot.MustClose(t, y, shape, want, 0, 0)
				})
			}
		}
	}
	// Without k, the main diagonal.
	op := ot.MustBuild(t, "Trilu", 14, 1)
	y := ot.MustExec(t, op, ot.Val(operators.Float32, []int{2, 2}, 1, 2, 3, 4))[0]
	ot.MustClose(t, y, []int{2, 2}, []float64{1, 2, 0, 4}, 0, 0)
	// Empty matrices.
	y = ot.MustExec(t, op, ot.Val(operators.Float32, []int{0, 3}))[0]
	ot.MustClose(t, y, []int{0, 3}, nil, 0, 0)
	if _, err := ot.Exec(op, ot.Val(operators.Float32, []int{3}, 1, 2, 3)); !errors.Is(err, operators.ErrShape) {
		t.Errorf("rank 1: %v", err)
	}
	var ae *operators.AttributeError
	if _, err := ot.Build("Trilu", 14, 1, ot.Int("upper", 2)); !errors.As(err, &ae) {
		t.Errorf("upper=2: %v", err)
	}
}
