package softmaxcore

import (
	"testing"

	"github.com/onnxrun/onnxrun/dispatch"
	"github.com/onnxrun/onnxrun/dispatch/dispatchtest"
	"github.com/onnxrun/onnxrun/operators"
	"github.com/onnxrun/onnxrun/operators/internal/half"
)

// halfTolerance bounds the error of a float16/bfloat16 result against the
// float64 reference computed from the same (already rounded) inputs. The
// output's rounding to nearest costs at most half an ULP: 2^-11 relative
// for float16 (11-bit significand), 2^-8 for bfloat16; rtol is twice that.
// atol covers the float16 subnormal grid (2^-24) for Softmax, and for
// LogSoftmax the float32 computation's absolute error near 0 (as in
// tolerance).
func halfTolerance(kind Kind, dt operators.DType) (atol, rtol float64) {
	rtol = 1.0 / (1 << 10)
	if dt == operators.BFloat16 {
		rtol = 1.0 / (1 << 7)
	}
	atol = 1.0 / (1 << 24)
	if kind == LogSoftmax {
		atol = 2e-5
	}
	return atol, rtol
}

func TestHalf(t *testing.T) {
	r := newRand(t)
	cases := []layoutCase{
		{"v13/rows", 13, -1, []int{4, 37}},
		{"v13/cols", 13, 1, []int{2, 9, 19}},
		{"v11/coerced", 11, 1, []int{3, 4, 5}},
	}
	dispatchtest.ForEachImpl(t, func(t *testing.T, k *dispatch.Kernels) {
		for _, kind := range kinds {
			for _, dt := range []operators.DType{operators.Float16, operators.BFloat16} {
				for _, c := range cases {
					if dt == operators.BFloat16 && c.since < 13 {
						continue
					}
					t.Run(kind.String()+"/"+dt.String()+"/"+c.name, func(t *testing.T) {
						op, err := NewWith(testNode(kind, &c.axis), kind, c.since, k)
						if err != nil {
							t.Fatal(err)
						}
						n := operators.NumElements(c.shape)
						data := randomData(r, n, 8)
						data[0], data[n-1] = -inf, 1e4 // edge values survive the conversions
						x, exact := makeValue(t, dt, c.shape, data)
						y := runOp(t, op, x, 1)
						atol, rtol := halfTolerance(kind, dt)
						checkClose(t, "output", floats(y), reference(kind, c.since, c.axis, c.shape, exact), atol, rtol)

						// The half path is exactly: widen, run the float32
						// kernels, round to nearest even.
						wide, _ := makeValue(t, operators.Float32, c.shape, exact)
						yw := runOp(t, op, wide, 1)
						for i, f := range yw.F32() {
							want := half.ToFloat16(f)
							if dt == operators.BFloat16 {
								want = half.ToBFloat16(f)
							}
							if got := y.U16()[i]; got != want {
								t.Fatalf("[%d] = %#04x, want %#04x (float32 result %v rounded)", i, got, want, f)
							}
						}
					})
				}
			}
		}
	})
}
