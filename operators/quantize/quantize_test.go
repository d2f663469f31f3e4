package quantize

import (
	"errors"
	"math"
	"testing"

	"github.com/onnxrun/onnxrun/operators"
	ot "github.com/onnxrun/onnxrun/operators/internal/optest"
)

func TestQuantizePerTensor(t *testing.T) {
	op := ot.MustBuild(t, "QuantizeLinear", 13, 3)
	x := ot.Val(operators.Float32, []int{2, 4}, 0, 2, 3, 5, 1000, -254, -1000, math.NaN())
	// 3/2 = 1.5 and 5/2 = 2.5 round half to even: 2 and 2.
	y := ot.MustExec(t, op, x, ot.Val(operators.Float32, []int{}, 2), ot.Val(operators.Uint8, []int{}, 128))[0]
	if y.DType != operators.Uint8 {
		t.Fatalf("type %v", y.DType)
	}
	ot.MustClose(t, y, []int{2, 4}, []float64{128, 129, 130, 130, 255, 1, 0, 0}, 0, 0)
	y = ot.MustExec(t, op, x, ot.Val(operators.Float32, []int{}, 2), ot.Val(operators.Int8, []int{}, -1))[0]
	ot.MustClose(t, y, []int{2, 4}, []float64{-1, 0, 1, 1, 127, -128, -128, 0}, 0, 0)
	// Without a zero point the output is uint8 with zero point 0.
	op2 := ot.MustBuild(t, "QuantizeLinear", 13, 2)
	y = ot.MustExec(t, op2, x, ot.Val(operators.Float32, []int{}, 2))[0]
	ot.MustClose(t, y, []int{2, 4}, []float64{0, 1, 2, 2, 255, 0, 0, 0}, 0, 0)
	// A float16 scale.
	y = ot.MustExec(t, op2, x, ot.Val(operators.Float16, []int{}, 0.5))[0]
	ot.MustClose(t, y, []int{2, 4}, []float64{0, 4, 6, 10, 255, 0, 0, 0}, 0, 0)
}

func TestQuantizePerAxisAndBlocked(t *testing.T) {
	x := ot.Val(operators.Float32, []int{2, 2, 3}, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12)
	op := ot.MustBuild(t, "QuantizeLinear", 13, 3) // axis 1 by default
	y := ot.MustExec(t, op, x, ot.Val(operators.Float32, []int{2}, 1, 2), ot.Val(operators.Uint8, []int{2}, 0, 100))[0]
	// Channel 0 (x/1): 1 2 3 and 7 8 9; channel 1 (x/2 + 100): 4/2 5/2 6/2 -> 102 102 103, 10/2.. -> 105 106 106.
	ot.MustClose(t, y, []int{2, 2, 3}, []float64{1, 2, 3, 102, 102, 103, 7, 8, 9, 105, 106, 106}, 0, 0)
	// Negative axis.
	opLast := ot.MustBuild(t, "QuantizeLinear", 13, 2, ot.Int("axis", -1))
	y = ot.MustExec(t, opLast, x, ot.Val(operators.Float32, []int{3}, 1, 2, 4))[0]
	ot.MustClose(t, y, []int{2, 2, 3}, []float64{1, 1, 1, 4, 2, 2, 7, 4, 2, 10, 6, 3}, 0, 0)
	// Blocked along the last axis, blocks of 2 (3 columns: blocks {0,1}, {2}).
	opBlk := ot.MustBuild(t, "QuantizeLinear", 21, 2, ot.Int("axis", 2), ot.Int("block_size", 2))
	scale := ot.Val(operators.Float32, []int{2, 2, 2}, 1, 2, 1, 2, 1, 2, 1, 4)
	y = ot.MustExec(t, opBlk, x, scale)[0]
	ot.MustClose(t, y, []int{2, 2, 3}, []float64{1, 2, 2, 4, 5, 3, 7, 8, 4, 10, 11, 3}, 0, 0)
	// A scale of the wrong length.
	if _, err := ot.Exec(op, x, ot.Val(operators.Float32, []int{3}, 1, 2, 3)); !errors.Is(err, operators.ErrShape) {
		t.Errorf("scale [3] on axis of 2: %v", err)
	}
	var ae *operators.AttributeError
	if _, err := ot.Exec(ot.MustBuild(t, "QuantizeLinear", 13, 2, ot.Int("axis", 3)), x, ot.Val(operators.Float32, []int{2}, 1, 2)); !errors.As(err, &ae) {
		t.Errorf("axis 3 at rank 3: %v", err)
	}
}

func TestDequantize(t *testing.T) {
	op := ot.MustBuild(t, "DequantizeLinear", 13, 3)
	x := ot.Val(operators.Uint8, []int{4}, 0, 3, 128, 255)
	y := ot.MustExec(t, op, x, ot.Val(operators.Float32, []int{}, 2), ot.Val(operators.Uint8, []int{}, 128))[0]
	ot.MustClose(t, y, []int{4}, []float64{-256, -250, 0, 254}, 0, 0)
	xi := ot.Val(operators.Int8, []int{2, 2}, -128, 127, -1, 1)
	y = ot.MustExec(t, op, xi, ot.Val(operators.Float32, []int{2}, 0.5, 4), ot.Val(operators.Int8, []int{2}, 0, -1))[0]
	// Axis 1: column 0 scale 0.5 zp 0, column 1 scale 4 zp -1.
	ot.MustClose(t, y, []int{2, 2}, []float64{-64, 512, -0.5, 8}, 0, 0)
	// int32 without a zero point.
	op2 := ot.MustBuild(t, "DequantizeLinear", 13, 2)
	i32, _ := operators.FromSlice([]int32{-1 << 20, 7}, []int{2})
	y = ot.MustExec(t, op2, i32, ot.Val(operators.Float32, []int{}, 0.25))[0]
	ot.MustClose(t, y, []int{2}, []float64{-(1 << 18), 1.75}, 0, 0)
	// A float16 scale gives float16 output.
	y = ot.MustExec(t, op2, x, ot.Val(operators.Float16, []int{}, 0.5))[0]
	if y.DType != operators.Float16 {
		t.Fatalf("type %v", y.DType)
	}
	ot.MustClose(t, y, []int{4}, []float64{0, 1.5, 64, 127.5}, 0, 0)
	if _, err := ot.Exec(op, x, ot.Val(operators.Float32, []int{}, 1), ot.Val(operators.Int8, []int{}, 0)); !errors.Is(err, operators.ErrInvalidModel) {
		t.Errorf("int8 zero point for uint8 x: %v", err)
	}
	// Round trip through QuantizeLinear recovers values on the grid.
	q := ot.MustBuild(t, "QuantizeLinear", 13, 3)
	grid := ot.Val(operators.Float32, []int{5}, -1, -0.5, 0, 0.25, 1.5)
	s, z := ot.Val(operators.Float32, []int{}, 0.25), ot.Val(operators.Int8, []int{}, 3)
	back := ot.MustExec(t, op, ot.MustExec(t, q, grid, s, z)[0], s, z)[0]
	ot.MustClose(t, back, []int{5}, []float64{-1, -0.5, 0, 0.25, 1.5}, 0, 0)
}

func TestDynamicQuantize(t *testing.T) {
	op := ot.MustBuild(t, "DynamicQuantizeLinear", 11, 1)
	xs := []float64{0, 2, -3, -2.5, 1.34, 0.5}
	out := ot.MustExec(t, op, ot.Val(operators.Float32, []int{6}, xs...))
	// Reference from the definition: range [-3, 2] (holds 0), scale =
	// 5/255, zero point = round(3/scale) = 153.
	scale := float64(float32(5) / 255)
	zp := math.RoundToEven(3 / scale)
	want := make([]float64, len(xs))
	for i, v := range xs {
		want[i] = math.Max(0, math.Min(255, math.RoundToEven(float64(float32(v)/float32(scale)))+zp))
	}
	ot.MustClose(t, out[0], []int{6}, want, 0, 0)
	ot.MustClose(t, out[1], []int{}, []float64{scale}, 1e-7, 0)
	ot.MustClose(t, out[2], []int{}, []float64{153}, 0, 0)
	// All zeros: scale 0, zero point 0, y 0.
	out = ot.MustExec(t, op, ot.Val(operators.Float32, []int{3}, 0, 0, 0))
	ot.MustClose(t, out[0], []int{3}, []float64{0, 0, 0}, 0, 0)
	ot.MustClose(t, out[1], []int{}, []float64{0}, 0, 0)
	// Only positive values: the range is widened to hold 0, zero point 0.
	out = ot.MustExec(t, op, ot.Val(operators.Float32, []int{2}, 1, 5.1))
	ot.MustClose(t, out[2], []int{}, []float64{0}, 0, 0)
	ot.MustClose(t, out[0], []int{2}, []float64{50, 255}, 0, 0)
}
