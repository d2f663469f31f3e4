package quant

import (
	"math"
	"testing"

	"github.com/onnxrun/onnxrun/operators"
)

// TestRequantize checks round half to even on exact ties (the products
// below are exact in float32), saturation at both ends of both 8-bit
// types, the zero point's shift and a NaN multiplier. Expected values are
// worked out by hand from the specification's formula.
func TestRequantize(t *testing.T) {
	cases := []struct {
		acc     int32
		mul     float32
		zp      int32
		dt      operators.DType
		want    int32
		comment string
	}{
		{5, 0.5, 0, operators.Uint8, 2, "2.5 rounds to 2"},
		{7, 0.5, 0, operators.Uint8, 4, "3.5 rounds to 4"},
		{-5, 0.5, 0, operators.Int8, -2, "-2.5 rounds to -2"},
		{-7, 0.5, 0, operators.Int8, -4, "-3.5 rounds to -4"},
		{3, 0.5, 10, operators.Uint8, 12, "1.5 rounds to 2, plus 10"},
		{1, 0.25, 0, operators.Uint8, 0, "0.25 rounds to 0"},
		{3, 0.25, 0, operators.Uint8, 1, "0.75 rounds to 1"},
		{1000, 1, 0, operators.Uint8, 255, "saturates high"},
		{-1000, 1, 0, operators.Uint8, 0, "saturates low"},
		{1000, 1, -3, operators.Int8, 127, "saturates high"},
		{-1000, 1, 3, operators.Int8, -128, "saturates low"},
		{-10, 1, 128, operators.Uint8, 118, "zero point shifts"},
		{251, 1, 4, operators.Uint8, 255, "255 exactly"},
		{252, 1, 4, operators.Uint8, 255, "one past 255"},
		{math.MaxInt32, 1e-9, 0, operators.Int8, 2, "2.147 rounds to 2"},
		{9, float32(math.NaN()), 7, operators.Uint8, 7, "NaN gives the zero point"},
		{9, float32(math.Inf(1)), 0, operators.Int8, 127, "infinity saturates"},
	}
	for _, c := range cases {
		lo, hi := Range(c.dt)
		if got := Requantize(c.acc, c.mul, c.zp, lo, hi); got != c.want {
			t.Errorf("Requantize(%d, %v, zp %d, %v) = %d, want %d (%s)", c.acc, c.mul, c.zp, c.dt, got, c.want, c.comment)
		}
	}
}

// TestWidenInt checks per-tensor and per-row zero points on both 8-bit
// types, and that other types are refused.
func TestWidenInt(t *testing.T) {
	u, _ := operators.FromSlice([]uint8{0, 255, 7, 8, 9, 10}, []int{3, 2})
	got, err := WidenInt(u, 0, "x", []int32{7}, 1)
	if err != nil {
		t.Fatal(err)
	}
	for i, want := range []int32{-7, 248, 0, 1, 2, 3} {
		if got[i] != want {
			t.Errorf("per tensor: [%d] = %d, want %d", i, got[i], want)
		}
	}
	s, _ := operators.FromSlice([]int8{-128, 127, 1, 2, 3, 4}, []int{3, 2})
	got, err = WidenInt(s, 0, "w", []int32{1, -1, 2}, 2)
	if err != nil {
		t.Fatal(err)
	}
	for i, want := range []int32{-129, 126, 2, 3, 1, 2} {
		if got[i] != want {
			t.Errorf("per row: [%d] = %d, want %d", i, got[i], want)
		}
	}
	f, _ := operators.FromSlice([]float32{1}, []int{1})
	if _, err := WidenInt(f, 3, "w", []int32{0}, 1); err == nil {
		t.Error("WidenInt accepted float32")
	}
}
