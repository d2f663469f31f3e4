package reduce

import (
	"fmt"
	"testing"

	"github.com/onnxrun/onnxrun/operators"
	ot "github.com/onnxrun/onnxrun/operators/internal/optest"
)

func TestHardmax(t *testing.T) {
	// Shape [2, 2, 3]; ties go to the first index.
	x := []float64{
		1, 5, 5, 2, 0, 9,
		7, 7, 1, 0, 3, 3,
	}
	shape := []int{2, 2, 3}
	cases := []struct {
		opset int
		axis  *int64
		want  []float64
	}{
		// Opset 13, default axis -1: per row of 3.
		{13, nil, []float64{0, 1, 0, 0, 0, 1, 1, 0, 0, 0, 1, 0}},
		// Opset 13, axis 1: down the middle axis, per (i, k).
		{13, ptr(1), []float64{0, 1, 0, 1, 0, 1, 1, 1, 0, 0, 0, 1}},
		// Opset 11, default axis 1: each [2x3] block flattened, one 1 per block.
		{11, nil, []float64{0, 0, 0, 0, 0, 1, 1, 0, 0, 0, 0, 0}},
		// Opset 11, axis 2: rows of 3, like opset 13's last axis.
		{11, ptr(2), []float64{0, 1, 0, 0, 0, 1, 1, 0, 0, 0, 1, 0}},
		// Opset 1, axis 0: the whole tensor is one row.
		{1, ptr(0), []float64{0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0}},
	}
	for _, c := range cases {
		var attrs []*operators.Attr
		if c.axis != nil {
			attrs = append(attrs, ot.Int("axis", *c.axis))
		}
		op := ot.MustBuild(t, "Hardmax", c.opset, 1, attrs...)
		for _, dt := range []operators.DType{operators.Float32, operators.Float64, operators.Float16} {
			t.Run(fmt.Sprintf("%d/%v/%v", c.opset, c.axis != nil, dt), func(t *testing.T) {
				y := ot.MustExec(t, op, ot.Val(dt, shape, x...))[0]
				ot.MustClose(t, y, shape, c.want, 0, 0)
			})
		}
	}
	if _, err := ot.Exec(ot.MustBuild(t, "Hardmax", 13, 1), ot.Val(operators.Int32, []int{1}, 1)); err == nil {
		t.Error("Hardmax of int32 gave no error")
	}
}

func ptr(v int64) *int64 { return &v }
