package quant

import (
	"fmt"
	"math"

	"github.com/onnxrun/onnxrun/operators"
)

// Is8Bit reports whether dt is one of the 8-bit integer types.
func Is8Bit(dt operators.DType) bool { return dt == operators.Uint8 || dt == operators.Int8 }

// Values returns v's elements as float64. v may be uint8, int8, int32 or
// float32.
func Values(v *operators.Value, idx int, name string) ([]float64, error) {
	n := v.Len()
	out := make([]float64, n)
	switch v.DType {
	case operators.Uint8:
		for i, x := range v.U8()[:n] {
			out[i] = float64(x)
		}
	case operators.Int8:
		for i, x := range v.I8()[:n] {
			out[i] = float64(x)
		}
	case operators.Int32:
		for i, x := range v.I32()[:n] {
			out[i] = float64(x)
		}
	case operators.Float32:
		for i, x := range v.F32()[:n] {
			out[i] = float64(x)
		}
	default:
		return nil, fmt.Errorf("%w: input %d (%s) has type %v", operators.ErrUnsupportedType, idx, name, v.DType)
	}
	return out, nil
}

// Param reads an optional per-tensor or per-channel parameter (a zero
// point or scale): nil v gives def; otherwise it must hold 1 or n values.
func Param(v *operators.Value, idx int, name string, n int, def float64) ([]float64, error) {
	if v == nil {
		return []float64{def}, nil
	}
	p, err := Values(v, idx, name)
	if err != nil {
		return nil, err
	}
	if len(p) == 0 && n == 0 {
		return []float64{def}, nil // no channel will read it
	}
	if len(p) != 1 && len(p) != n {
		return nil, fmt.Errorf("%w: input %d (%s) has %d values, want 1 or %d", operators.ErrShape, idx, name, len(p), n)
	}
	return p, nil
}

// At returns p[i], or p[0] for a per-tensor parameter.
func At(p []float64, i int) float64 {
	if len(p) == 1 {
		return p[0]
	}
	return p[i]
}

// Widen returns x's elements minus their zero point as float64. The zero
// point is per tensor (len(zp) == 1) or per row of rowLen elements.
func Widen(x *operators.Value, idx int, name string, zp []float64, rowLen int) ([]float64, error) {
	v, err := Values(x, idx, name)
	if err != nil {
		return nil, err
	}
	if len(zp) == 1 {
		for i := range v {
			v[i] -= zp[0]
		}
		return v, nil
	}
	for i := range v {
		v[i] -= zp[(i/rowLen)%len(zp)]
	}
	return v, nil
}

// Store writes round-half-to-even(x) + zp, saturated, into element i of an
// 8-bit value.
func Store(y *operators.Value, i int, x, zp float64) {
	q := math.RoundToEven(x) + zp
	switch y.DType {
	case operators.Uint8:
		y.U8()[i] = uint8(math.Max(0, math.Min(255, q)))
	case operators.Int8:
		y.I8()[i] = int8(math.Max(-128, math.Min(127, q)))
	}
}
