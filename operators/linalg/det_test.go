package linalg

import (
	"errors"
	"testing"

	"github.com/onnxrun/onnxrun/operators"
	ot "github.com/onnxrun/onnxrun/operators/internal/optest"
)

func TestDet(t *testing.T) {
	op := ot.MustBuild(t, "Det", 11, 1)
	// Three 3×3 matrices with determinants from the cofactor expansion:
	// a permutation-needing one, a singular one, and diag(2,3,4).
	x := []float64{
		0, 2, 1, 1, 1, 1, 3, 0, 2, // 0(2-0) - 2(2-3) + 1(0-3) = -1
		1, 2, 3, 2, 4, 6, 1, 1, 1, // rows 1 and 2 are parallel: 0
		2, 0, 0, 0, 3, 0, 0, 0, 4, // 24
	}
	for _, dt := range []operators.DType{operators.Float32, operators.Float64, operators.Float16} {
		y := ot.MustExec(t, op, ot.Val(dt, []int{3, 3, 3}, x...))[0]
		ot.MustClose(t, y, []int{3}, []float64{-1, 0, 24}, 1e-6, 1e-6)
	}
	y := ot.MustExec(t, op, ot.Val(operators.Float32, []int{2, 2}, 4, 7, 2, 6))[0]
	ot.MustClose(t, y, []int{}, []float64{10}, 1e-6, 0)
	if _, err := ot.Exec(op, ot.Val(operators.Float32, []int{2, 3}, 1, 2, 3, 4, 5, 6)); !errors.Is(err, operators.ErrShape) {
		t.Errorf("2×3: %v", err)
	}
}
