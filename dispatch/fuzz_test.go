package dispatch_test

import (
	"encoding/binary"
	"math"
	"testing"

	"github.com/onnxrun/onnxrun/dispatch"
)

// FuzzRowsF32 runs the best tier and the reference on the same row (the
// fuzzer's bytes read as float32 values, any bit pattern) and checks they
// agree within the kernel-test tolerances.
func FuzzRowsF32(f *testing.F) {
	f.Add([]byte{0, 0, 128, 63, 0, 0, 0, 64, 0, 0, 64, 64}, float32(0))
	f.Add(make([]byte, 4*37), float32(3))
	neg := make([]byte, 4*19)
	for i := 0; i < len(neg); i += 4 {
		binary.LittleEndian.PutUint32(neg[i:], math.Float32bits(-100-float32(i)))
	}
	f.Add(neg, float32(-1))
	best, ref := dispatch.Best(), dispatch.Generic()
	f.Fuzz(func(t *testing.T, raw []byte, m float32) {
		x := make([]float32, len(raw)/4)
		for i := range x {
			x[i] = math.Float32frombits(binary.LittleEndian.Uint32(raw[4*i:]))
		}
		got, want := make([]float32, len(x)), make([]float32, len(x))
		gs, ws := best.ExpSumF32(got, x, m), ref.ExpSumF32(want, x, m)
		for i := range x {
			if u := ulp32(got[i], want[i]); u > expULP {
				t.Fatalf("ExpSum[%d]: exp(%v - %v) = %v, reference %v (%v ULP)", i, x[i], m, got[i], want[i], u)
			}
		}
		if !sumClose(float64(gs), float64(ws), sumRel32, len(x), math.SmallestNonzeroFloat32) {
			t.Fatalf("ExpSum sum = %v, reference %v", gs, ws)
		}
		if len(x) > 0 {
			if g, w := best.MaxF32(x), ref.MaxF32(x); !maxOK(x, g, w) {
				t.Fatalf("Max = %v, reference %v", g, w)
			}
		}
		best.ExpF32(got, x)
		ref.ExpF32(want, x)
		for i := range x {
			if u := ulp32(got[i], want[i]); u > expULP {
				t.Fatalf("Exp[%d]: exp(%v) = %v, reference %v (%v ULP)", i, x[i], got[i], want[i], u)
			}
		}
	})
}
