//go:build amd64 && !purego

package dispatch

import (
	"github.com/klauspost/cpuid/v2"
)

// archLevels: AVX2 needs AVX2 and FMA3; AVX512 additionally needs AVX-512
// F, DQ, BW and VL (every AVX-512 x86 core since Skylake-SP has all four).
var archLevels = []Level{AVX2, AVX512}

func archCheck(l Level) (bool, string) {
	switch l {
	case AVX2:
		return need(cpuid.AVX2, cpuid.FMA3)
	case AVX512:
		return need(cpuid.AVX2, cpuid.FMA3, cpuid.AVX512F, cpuid.AVX512DQ, cpuid.AVX512BW, cpuid.AVX512VL)
	}
	return false, "no " + l.String() + " kernels in an amd64 build"
}

// need reports whether the CPU has every feature, naming the first missing.
func need(fs ...cpuid.FeatureID) (bool, string) {
	for _, f := range fs {
		if !cpuid.CPU.Supports(f) {
			return false, "CPU lacks " + f.String()
		}
	}
	return true, ""
}

func buildDesc() string { return "amd64 build" }

func archPlug(k *Kernels, l Level) {
	switch l {
	case AVX2:
		plugAVX2(k)
	case AVX512:
		plugAVX512(k)
	}
}

// plugAVX2 installs the AVX2+FMA kernels. Measured on an AMD EPYC (one
// core, float32): see the benchmarks in bench_test.go and the figures in
// the commit history; every plugged entry beats the reference by a wide
// margin (the exp kernels by more than 10x).
func plugAVX2(k *Kernels) {
	k.MaxF32 = func(x []float32) float32 { return maxF32Vec(x, maxF32AVX2) }
	k.ExpSumF32 = func(dst, x []float32, m float32) float32 {
		return expSumF32Vec(dst[:len(x)], x, m, expSumF32AVX2)
	}
	k.SumExpF32 = func(x []float32, m float32) float32 { return expSumF32Vec(nil, x, m, expSumF32AVX2) }
	k.ExpF32 = func(dst, x []float32) { expSumF32Vec(dst[:len(x)], x, 0, expSumF32AVX2) }
	k.ScaleF32 = func(x []float32, s float32) {
		n := scaleF32AVX2(x, s)
		scaleF32Generic(x[n:], s)
	}
	k.ShiftF32 = func(dst, x []float32, a, b float32) {
		dst = dst[:len(x)]
		n := shiftF32AVX2(dst, x, a, b)
		shiftF32Generic(dst[n:], x[n:], a, b)
	}
}

func plugAVX512(k *Kernels) {}

// The SIMD wrappers shared by the tiers. Each assembly function does the
// longest prefix of whole vectors and returns its length; the wrapper
// finishes the tail with the reference and combines the results.

func maxF32Vec(x []float32, vec func([]float32) (float32, int)) float32 {
	m, n := vec(x)
	if n == 0 {
		return maxF32Generic(x)
	}
	for _, v := range x[n:] { // m is not NaN: NaNs are skipped here too
		if v > m {
			m = v
		}
	}
	return m
}

// expSumF32Vec runs an exp-sum kernel; dst == nil means do not store.
func expSumF32Vec(dst, x []float32, m float32, vec func(dst, x []float32, m float32) (float64, int)) float32 {
	s, n := vec(dst, x, m)
	if n < len(x) {
		var t float32
		if dst == nil {
			t = sumExpF32Generic(x[n:], m)
		} else {
			t = expSumF32Generic(dst[n:], x[n:], m)
		}
		s += float64(t)
	}
	return float32(s)
}

// Assembly kernels, AVX2+FMA (softmax_f32_amd64.s). "Whole" is the
// longest prefix of x whose length is a multiple of 8; each returns its
// length as done. exp is the vectorised exponential documented in the
// assembly file (at most 1 ULP from the reference, see exp_test.go).

// maxF32AVX2 computes m = max(x[:done]) (NaN handling as MaxF32; m is
// unspecified when done == 0).
//
//go:noescape
func maxF32AVX2(x []float32) (m float32, done int)

// expSumF32AVX2 computes, over the whole vectors of x,
//
//	for i := range x[:done] { e := exp(x[i] - m); if dst != nil { dst[i] = e }; s += float64(e) }
//
// with the sum taken in float32 over groups of 4 vectors and then
// accumulated in float64. len(dst) >= len(x) or dst == nil.
//
//go:noescape
func expSumF32AVX2(dst, x []float32, m float32) (s float64, done int)

// scaleF32AVX2 computes for i := range x[:done] { x[i] *= s }.
//
//go:noescape
func scaleF32AVX2(x []float32, s float32) (done int)

// shiftF32AVX2 computes for i := range x[:done] { dst[i] = (x[i] - a) - b }.
// len(dst) >= len(x).
//
//go:noescape
func shiftF32AVX2(dst, x []float32, a, b float32) (done int)
