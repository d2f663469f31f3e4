package quant

import (
	"fmt"
	"math"

	"github.com/onnxrun/onnxrun/operators"
)

// ZeroPoints converts zero points read by Param (whole numbers held as
// float64) to int32.
func ZeroPoints(zp []float64) []int32 {
	out := make([]int32, len(zp))
	for i, v := range zp {
		out[i] = int32(v)
	}
	return out
}

// WidenInt returns the 8-bit x's elements minus their zero point as int32,
// the operands of the integer GEMM. The zero point is per tensor
// (len(zp) == 1) or per row of rowLen elements, rows cycling through zp.
func WidenInt(x *operators.Value, idx int, name string, zp []int32, rowLen int) ([]int32, error) {
	return WidenIntTo(make([]int32, x.Len()), x, idx, name, zp, rowLen)
}

// WidenIntTo is WidenInt writing into dst, which holds x.Len() values.
func WidenIntTo(dst []int32, x *operators.Value, idx int, name string, zp []int32, rowLen int) ([]int32, error) {
	n := x.Len()
	out := dst[:n]
	switch x.DType {
	case operators.Uint8:
		for i, v := range x.U8()[:n] {
			out[i] = int32(v)
		}
	case operators.Int8:
		for i, v := range x.I8()[:n] {
			out[i] = int32(v)
		}
	default:
		return nil, fmt.Errorf("%w: input %d (%s) has type %v, want uint8 or int8", operators.ErrUnsupportedType, idx, name, x.DType)
	}
	if len(zp) == 1 {
		if z := zp[0]; z != 0 {
			for i := range out {
				out[i] -= z
			}
		}
		return out, nil
	}
	if rowLen <= 0 {
		return out, nil
	}
	for r := 0; r*rowLen < n; r++ {
		z := zp[r%len(zp)]
		row := out[r*rowLen : min(n, (r+1)*rowLen)]
		for i := range row {
			row[i] -= z
		}
	}
	return out, nil
}

// Scratch returns n int32s of step scratch from the run's allocator (they
// go back to its pool when the step ends, so steady-state runs allocate
// nothing), or from the heap without one. The contents are undefined.
func Scratch(rc *operators.RunContext, n int) ([]int32, error) {
	if rc == nil || rc.Alloc == nil {
		return make([]int32, n), nil
	}
	v, err := rc.Alloc.Alloc(operators.Int32, []int{n}, false)
	if err != nil {
		return nil, err
	}
	return v.I32()[:n], nil
}

// Requantize returns round_half_to_even(float32(acc) * mul) + zp
// saturated to [lo, hi], in float32 as ONNX Runtime computes it: the
// scaled value is clamped to [lo-zp, hi-zp] first, then rounded. A NaN
// (a zero output scale) gives zp.
func Requantize(acc int32, mul float32, zp, lo, hi int32) int32 {
	f := float32(acc) * mul
	if f != f {
		return zp
	}
	f = max(f, float32(lo-zp))
	f = min(f, float32(hi-zp))
	// Adding and subtracting 1.5*2^23 rounds a float32 of magnitude below
	// 2^22 to an integer, half to even (the FPU's rounding mode); f is
	// clamped to a few hundred here.
	const magic = 12582912
	r := float32(f + magic) // the conversion forces rounding to float32
	return int32(r-magic) + zp
}

// Range returns the bounds of the 8-bit type dt.
func Range(dt operators.DType) (lo, hi int32) {
	if dt == operators.Int8 {
		return math.MinInt8, math.MaxInt8
	}
	return 0, math.MaxUint8
}

// WantType checks that optional input idx of in, when present, has type
// want: zero points share their tensor's type, scales are float32 and
// QLinearConv's bias is int32. A negative idx, or an input past the end
// or omitted (type Undefined), passes.
func WantType(in []operators.Meta, idx int, name string, want operators.DType) error {
	if idx < 0 || idx >= len(in) || in[idx].DType == operators.Undefined || in[idx].DType == want {
		return nil
	}
	return fmt.Errorf("%w: input %d (%s) has type %v, want %v", operators.ErrUnsupportedType, idx, name, in[idx].DType, want)
}
