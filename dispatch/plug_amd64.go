//go:build amd64 && !purego

package dispatch

import (
	"github.com/klauspost/cpuid/v2"
)

// archLevels: AVX2 needs AVX2 and FMA3; AVX512 additionally needs
// AVX-512 F, the only AVX-512 subset the kernels use (EVEX forms of the
// AVX2 instructions on zmm registers, VSCALEFPS/PD, VEXTRACTF64X4 and
// VINSERTF64X4; 128- and 256-bit steps use plain VEX encodings).
var archLevels = []Level{AVX2, AVX512}

func archCheck(l Level) (bool, string) {
	switch l {
	case AVX2:
		return need(cpuid.AVX2, cpuid.FMA3)
	case AVX512:
		return need(cpuid.AVX2, cpuid.FMA3, cpuid.AVX512F)
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

// plugAVX2 installs the AVX2+FMA kernels: every entry. Speed-up over the
// reference, one core of an AMD EPYC (Zen 3, 2.45 GHz), 1000 elements
// (columns: 20 rows of 50), thread CPU time on a shared machine:
//
//	float32  Max 20x, ExpSum 27-31x, SumExp 26-29x, Exp 30x, Scale 4-12x,
//	         Shift 7x; MaxCols 7x, ExpSumCols 9-16x, SumExpCols 10-28x,
//	         ScaleCols 4-6x, ShiftCols 5x
//	float64  Max 10x, ExpSum 12x, SumExp 11x, Exp 11x, Scale 4x, Shift 3-4x;
//	         MaxCols 5x, ExpSumCols 9-14x, SumExpCols 9-14x, ScaleCols 2-4x,
//	         ShiftCols 3-4x
//
// A float32 softmax row (max, exp-sum, scale) runs at 1.2-1.8 elements/ns
// for 1000 elements and 1.4-1.8 for 32000 (the reference: 0.06). The
// row-batch entries, in cache: 1.7-1.9 elements/ns for rows of 128 (the
// same rows one call each: 1.4), 2.0-2.1 for rows of 1000.
func plugAVX2(k *Kernels) {
	k.MaxF32 = func(x []float32) float32 { return maxF32Vec(x, maxF32AVX2) }
	k.ExpSumF32 = func(dst, x []float32, m float32) float32 {
		return expSumF32Vec(dst[:len(x)], x, m, vecAVX2)
	}
	k.SumExpF32 = func(x []float32, m float32) float32 { return expSumF32Vec(nil, x, m, vecAVX2) }
	k.ExpF32 = func(dst, x []float32) { expSumF32Vec(dst[:len(x)], x, 0, vecAVX2) }
	k.ScaleF32 = func(x []float32, s float32) {
		n := scaleF32AVX2(x, s)
		scaleF32Generic(x[n:], s)
	}
	k.ShiftF32 = func(dst, x []float32, a, b float32) {
		dst = dst[:len(x)]
		n := shiftF32AVX2(dst, x, a, b)
		shiftF32Generic(dst[n:], x[n:], a, b)
	}
	plugColsF32(k, vecAVX2, maxColsF32AVX2, expSumColsF32AVX2, scaleColsF32AVX2, shiftColsF32AVX2)
	plugRows(k, vecAVX2)
	k.SgemmMicroF32, k.SgemmMR, k.SgemmNR = sgemmMicroAVX2, 6, 16
	k.SgemmMicroStoreF32 = sgemmMicroStoreAVX2
	k.ClampF32 = func(x []float32, lo, hi float32) {
		n := clampF32AVX2(x, lo, hi)
		clampF32Generic(x[n:], lo, hi)
	}
	plugDwAVX2(k)
	plugF64(k, vecAVX2, maxF64AVX2, expSumF64AVX2, scaleF64AVX2, shiftF64AVX2,
		maxColsF64AVX2, expSumColsF64AVX2, scaleColsF64AVX2, shiftColsF64AVX2)
}

// plugColsF32 installs the column entries built on one tier's assembly.
// Each wrapper checks the buffer bounds the assembly relies on (so a bad
// caller panics instead of corrupting memory), runs the assembly on the
// whole vectors of columns and finishes the remaining columns with the
// reference.
func plugColsF32(k *Kernels, v vecExp,
	maxCols func(m, x []float32, n, width, stride int) int,
	expSumCols func(dst, x, m, s []float32, n, width, stride int) int,
	scaleCols func(x, s []float32, n, width, stride int) int,
	shiftCols func(dst, x, a, b []float32, n, width, stride int) int,
) {
	k.MaxColsF32 = func(m, x []float32, n, width, stride int) {
		if !colsOK(len(x), n, width, stride) || len(m) < width {
			maxColsF32Generic(m, x, n, width, stride)
			return
		}
		d := maxCols(m, x, n, width, stride)
		maxColsF32Generic(m[d:], x[d:], n, width-d, stride)
	}
	k.ExpSumColsF32 = func(dst, x, m, s []float32, n, width, stride int) {
		if !colsOK(len(x), n, width, stride) || !colsOK(len(dst), n, width, stride) || len(m) < width || len(s) < width {
			expSumColsF32Generic(dst, x, m, s, n, width, stride)
			return
		}
		d := expSumCols(dst, x, m, s, n, width, stride)
		if d < width {
			expColsTail32(dst[d:], x[d:], m[d:], s[d:], n, width-d, stride, v)
		}
	}
	k.SumExpColsF32 = func(x, m, s []float32, n, width, stride int) {
		if !colsOK(len(x), n, width, stride) || len(m) < width || len(s) < width {
			sumExpColsF32Generic(x, m, s, n, width, stride)
			return
		}
		d := expSumCols(nil, x, m, s, n, width, stride)
		if d < width {
			expColsTail32(nil, x[d:], m[d:], s[d:], n, width-d, stride, v)
		}
	}
	k.ScaleColsF32 = func(x, s []float32, n, width, stride int) {
		if !colsOK(len(x), n, width, stride) || len(s) < width {
			scaleColsF32Generic(x, s, n, width, stride)
			return
		}
		d := scaleCols(x, s, n, width, stride)
		scaleColsF32Generic(x[d:], s[d:], n, width-d, stride)
	}
	k.ShiftColsF32 = func(dst, x, a, b []float32, n, width, stride int) {
		if !colsOK(len(x), n, width, stride) || !colsOK(len(dst), n, width, stride) || len(a) < width || len(b) < width {
			shiftColsF32Generic(dst, x, a, b, n, width, stride)
			return
		}
		d := shiftCols(dst, x, a, b, n, width, stride)
		shiftColsF32Generic(dst[d:], x[d:], a[d:], b[d:], n, width-d, stride)
	}
}

// colsOK reports whether a buffer of length l holds n rows of width
// elements stride apart, with n >= 1 and width >= 1: the case the column
// assembly handles. Anything else goes to the reference, which either
// does nothing (n or width 0) or panics on the short buffer.
func colsOK(l, n, width, stride int) bool {
	return n >= 1 && width >= 1 && stride >= width && l >= (n-1)*stride+width
}

// plugAVX512 installs the AVX-512 kernels, the AVX2 ones widened to 16
// lanes (see the assembly file: the exponential gives the same bits).
// Every entry is plugged; no speed figures yet, as no AVX-512 host was at
// hand: record them here when measured.
func plugAVX512(k *Kernels) {
	k.MaxF32 = func(x []float32) float32 { return maxF32Vec(x, maxF32AVX512) }
	k.ExpSumF32 = func(dst, x []float32, m float32) float32 {
		return expSumF32Vec(dst[:len(x)], x, m, vecAVX512)
	}
	k.SumExpF32 = func(x []float32, m float32) float32 { return expSumF32Vec(nil, x, m, vecAVX512) }
	k.ExpF32 = func(dst, x []float32) { expSumF32Vec(dst[:len(x)], x, 0, vecAVX512) }
	k.ScaleF32 = func(x []float32, s float32) {
		n := scaleF32AVX512(x, s)
		scaleF32Generic(x[n:], s)
	}
	k.ShiftF32 = func(dst, x []float32, a, b float32) {
		dst = dst[:len(x)]
		n := shiftF32AVX512(dst, x, a, b)
		shiftF32Generic(dst[n:], x[n:], a, b)
	}
	plugColsF32(k, vecAVX512, maxColsF32AVX512, expSumColsF32AVX512, scaleColsF32AVX512, shiftColsF32AVX512)
	plugRows(k, vecAVX512)
	k.SgemmMicroF32, k.SgemmMR, k.SgemmNR = sgemmMicroAVX512, 6, 32
	k.SgemmMicroStoreF32 = sgemmMicroStoreAVX512
	k.ClampF32 = func(x []float32, lo, hi float32) {
		n := clampF32AVX512(x, lo, hi)
		clampF32Generic(x[n:], lo, hi)
	}
	plugDwAVX512(k)
	plugF64(k, vecAVX512, maxF64AVX512, expSumF64AVX512, scaleF64AVX512, shiftF64AVX512,
		maxColsF64AVX512, expSumColsF64AVX512, scaleColsF64AVX512, shiftColsF64AVX512)
}

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

// vecExp names a tier's row exp-sum kernels. The tail helpers below call
// them through it (rather than through a func value) so that the compiler
// sees the noescape assembly and keeps their buffers on the stack.
type vecExp uint8

const (
	vecAVX2 vecExp = iota
	vecAVX512
	// vecAVX2Wide runs the AVX2 kernels but claims the AVX-512 width, so
	// that tests on a host without AVX-512 still exercise the wrappers'
	// 16-lane tail handling.
	vecAVX2Wide
)

func (v vecExp) expSum32(dst, x []float32, m float32) (float64, int) {
	if v == vecAVX512 {
		return expSumF32AVX512(dst, x, m)
	}
	return expSumF32AVX2(dst, x, m)
}

func (v vecExp) expSum64(dst, x []float64, m float64) (float64, int) {
	if v == vecAVX512 {
		return expSumF64AVX512(dst, x, m)
	}
	return expSumF64AVX2(dst, x, m)
}

// lanes32 is the float32 vector width (float64: half of it).
func (v vecExp) lanes32() int {
	if v == vecAVX512 || v == vecAVX2Wide {
		return 16
	}
	return 8
}

// expSumF32Vec runs a tier's exp-sum kernel; dst == nil means do not
// store.
func expSumF32Vec(dst, x []float32, m float32, v vecExp) float32 {
	if len(x) < v.lanes32() { // no whole vector: only the tail
		return float32(expTail32(dst, x, m, v))
	}
	s, n := v.expSum32(dst, x, m)
	if n < len(x) {
		var d []float32
		if dst != nil {
			d = dst[n:]
		}
		s += expTail32(d, x[n:], m, v)
	}
	return float32(s)
}

// Tails of the exp kernels also go through the vector kernel rather than
// the reference (whose math.Exp costs ~12 ns an element here, as much as
// 25 vector elements): the few leftover values are copied into a
// zero-padded buffer of whole vectors, which the kernel transforms in
// place, and only the real lanes are kept. Every element of a row then
// gets the same exponential.

// expTail32 finishes an exp-sum whose kernel left the tail x (shorter
// than a vector): it stores exp(x[i] - m) into dst (unless nil) and
// returns their sum.
func expTail32(dst, x []float32, m float32, v vecExp) float64 {
	var buf [16]float32
	b := buf[:v.lanes32()]
	copy(b, x)
	v.expSum32(b, b, m)
	var s float64
	for _, e := range b[:len(x)] {
		s += float64(e)
	}
	copy(dst, b[:len(x)]) // no-op when dst is nil
	return s
}

// expTail64 is expTail32 for float64.
func expTail64(dst, x []float64, m float64, v vecExp) float64 {
	var buf [8]float64
	b := buf[:v.lanes32()/2]
	copy(b, x)
	v.expSum64(b, b, m)
	var s float64
	for _, e := range b[:len(x)] {
		s += e
	}
	copy(dst, b[:len(x)])
	return s
}

// expColsTail32 is ExpSumCols (SumExpCols when dst is nil) for width
// columns, fewer than a vector: it packs x[i*stride+j] - m[j] for as many
// rows as fit into a buffer, runs the row kernel on it with m = 0 (x - 0
// is exact, so the values are those the column kernel would compute) and
// scatters the results back, summing each column in float64.
func expColsTail32(dst, x, m, s []float32, n, width, stride int, v vecExp) {
	var acc [16]float64
	var buf [256]float32 // a multiple of every vector width
	w := v.lanes32()
	for i := 0; i < n; {
		r0, k := i, 0
		for i < n && k+width <= len(buf) {
			for j, e := range x[i*stride : i*stride+width] {
				buf[k+j] = e - m[j]
			}
			k += width
			i++
		}
		p := (k + w - 1) / w * w
		clear(buf[k:p])
		v.expSum32(buf[:p], buf[:p], 0)
		k = 0
		for r := r0; r < i; r++ {
			e := buf[k : k+width]
			if dst != nil {
				copy(dst[r*stride:r*stride+width], e)
			}
			for j, f := range e {
				acc[j] += float64(f)
			}
			k += width
		}
	}
	for j := range width {
		s[j] = float32(acc[j])
	}
}

// expColsTail64 is expColsTail32 for float64.
func expColsTail64(dst, x, m, s []float64, n, width, stride int, v vecExp) {
	var acc [8]float64
	var buf [128]float64
	w := v.lanes32() / 2
	for i := 0; i < n; {
		r0, k := i, 0
		for i < n && k+width <= len(buf) {
			for j, e := range x[i*stride : i*stride+width] {
				buf[k+j] = e - m[j]
			}
			k += width
			i++
		}
		p := (k + w - 1) / w * w
		clear(buf[k:p])
		v.expSum64(buf[:p], buf[:p], 0)
		k = 0
		for r := r0; r < i; r++ {
			e := buf[k : k+width]
			if dst != nil {
				copy(dst[r*stride:r*stride+width], e)
			}
			for j, f := range e {
				acc[j] += f
			}
			k += width
		}
	}
	for j := range width {
		s[j] = acc[j]
	}
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

// maxColsF32AVX2 computes, for the first done = width&^7 columns,
//
//	for j := range done { m[j] = -Inf; for i := range n { m[j] = max(m[j], x[i*stride+j]) } }
//
// skipping NaNs.
//
//go:noescape
func maxColsF32AVX2(m, x []float32, n, width, stride int) (done int)

// expSumColsF32AVX2 computes, for the first done = width&^7 columns,
//
//	for j := range done { s[j] = 0; for i := range n { e := exp(x[i*stride+j] - m[j]); if dst != nil { dst[i*stride+j] = e }; s[j] += e } }
//
// with s accumulated in float64 and rounded once.
//
//go:noescape
func expSumColsF32AVX2(dst, x, m, s []float32, n, width, stride int) (done int)

// scaleColsF32AVX2 computes, for the first done = width&^7 columns,
//
//	for i := range n { for j := range done { x[i*stride+j] *= s[j] } }
//
//go:noescape
func scaleColsF32AVX2(x, s []float32, n, width, stride int) (done int)

// shiftColsF32AVX2 computes, for the first done = width&^7 columns,
//
//	for i := range n { for j := range done { dst[i*stride+j] = (x[i*stride+j] - a[j]) - b[j] } }
//
//go:noescape
func shiftColsF32AVX2(dst, x, a, b []float32, n, width, stride int) (done int)

// Assembly kernels, AVX-512 (softmax_f32_amd64.s): the same loops as the
// AVX2 ones above, over whole 16-lane vectors (done is a multiple of 16).

//go:noescape
func maxF32AVX512(x []float32) (m float32, done int)

//go:noescape
func expSumF32AVX512(dst, x []float32, m float32) (s float64, done int)

//go:noescape
func scaleF32AVX512(x []float32, s float32) (done int)

//go:noescape
func shiftF32AVX512(dst, x []float32, a, b float32) (done int)

//go:noescape
func maxColsF32AVX512(m, x []float32, n, width, stride int) (done int)

//go:noescape
func expSumColsF32AVX512(dst, x, m, s []float32, n, width, stride int) (done int)

//go:noescape
func scaleColsF32AVX512(x, s []float32, n, width, stride int) (done int)

//go:noescape
func shiftColsF32AVX512(dst, x, a, b []float32, n, width, stride int) (done int)

// plugF64 installs every float64 entry built on one tier's assembly, with
// the same wrapping as the float32 ones.
func plugF64(k *Kernels, v vecExp,
	max func(x []float64) (float64, int),
	expSum func(dst, x []float64, m float64) (float64, int),
	scale func(x []float64, s float64) int,
	shift func(dst, x []float64, a, b float64) int,
	maxCols func(m, x []float64, n, width, stride int) int,
	expSumCols func(dst, x, m, s []float64, n, width, stride int) int,
	scaleCols func(x, s []float64, n, width, stride int) int,
	shiftCols func(dst, x, a, b []float64, n, width, stride int) int,
) {
	k.MaxF64 = func(x []float64) float64 {
		m, n := max(x)
		if n == 0 {
			return maxF64Generic(x)
		}
		for _, v := range x[n:] {
			if v > m {
				m = v
			}
		}
		return m
	}
	expSumVec := func(dst, x []float64, m float64) float64 {
		s, n := expSum(dst, x, m)
		if n < len(x) {
			var d []float64
			if dst != nil {
				d = dst[n:]
			}
			s += expTail64(d, x[n:], m, v)
		}
		return s
	}
	k.ExpSumF64 = func(dst, x []float64, m float64) float64 { return expSumVec(dst[:len(x)], x, m) }
	k.SumExpF64 = func(x []float64, m float64) float64 { return expSumVec(nil, x, m) }
	k.ExpF64 = func(dst, x []float64) { expSumVec(dst[:len(x)], x, 0) }
	k.ScaleF64 = func(x []float64, s float64) {
		n := scale(x, s)
		scaleF64Generic(x[n:], s)
	}
	k.ShiftF64 = func(dst, x []float64, a, b float64) {
		dst = dst[:len(x)]
		n := shift(dst, x, a, b)
		shiftF64Generic(dst[n:], x[n:], a, b)
	}
	k.MaxColsF64 = func(m, x []float64, n, width, stride int) {
		if !colsOK(len(x), n, width, stride) || len(m) < width {
			maxColsF64Generic(m, x, n, width, stride)
			return
		}
		d := maxCols(m, x, n, width, stride)
		maxColsF64Generic(m[d:], x[d:], n, width-d, stride)
	}
	k.ExpSumColsF64 = func(dst, x, m, s []float64, n, width, stride int) {
		if !colsOK(len(x), n, width, stride) || !colsOK(len(dst), n, width, stride) || len(m) < width || len(s) < width {
			expSumColsF64Generic(dst, x, m, s, n, width, stride)
			return
		}
		d := expSumCols(dst, x, m, s, n, width, stride)
		if d < width {
			expColsTail64(dst[d:], x[d:], m[d:], s[d:], n, width-d, stride, v)
		}
	}
	k.SumExpColsF64 = func(x, m, s []float64, n, width, stride int) {
		if !colsOK(len(x), n, width, stride) || len(m) < width || len(s) < width {
			sumExpColsF64Generic(x, m, s, n, width, stride)
			return
		}
		d := expSumCols(nil, x, m, s, n, width, stride)
		if d < width {
			expColsTail64(nil, x[d:], m[d:], s[d:], n, width-d, stride, v)
		}
	}
	k.ScaleColsF64 = func(x, s []float64, n, width, stride int) {
		if !colsOK(len(x), n, width, stride) || len(s) < width {
			scaleColsF64Generic(x, s, n, width, stride)
			return
		}
		d := scaleCols(x, s, n, width, stride)
		scaleColsF64Generic(x[d:], s[d:], n, width-d, stride)
	}
	k.ShiftColsF64 = func(dst, x, a, b []float64, n, width, stride int) {
		if !colsOK(len(x), n, width, stride) || !colsOK(len(dst), n, width, stride) || len(a) < width || len(b) < width {
			shiftColsF64Generic(dst, x, a, b, n, width, stride)
			return
		}
		d := shiftCols(dst, x, a, b, n, width, stride)
		shiftColsF64Generic(dst[d:], x[d:], a[d:], b[d:], n, width-d, stride)
	}
}

// Assembly kernels, float64 (softmax_f64_amd64.s): the float32 loops
// above over float64 lanes, 4 per AVX2 vector and 8 per AVX-512 vector
// (done is a multiple of 4 or 8). expSum accumulates in float64 directly;
// its exp is documented in the assembly file (within 1 ULP of math.Exp,
// see exp_test.go).

//go:noescape
func maxF64AVX2(x []float64) (m float64, done int)

//go:noescape
func expSumF64AVX2(dst, x []float64, m float64) (s float64, done int)

//go:noescape
func scaleF64AVX2(x []float64, s float64) (done int)

//go:noescape
func shiftF64AVX2(dst, x []float64, a, b float64) (done int)

//go:noescape
func maxColsF64AVX2(m, x []float64, n, width, stride int) (done int)

//go:noescape
func expSumColsF64AVX2(dst, x, m, s []float64, n, width, stride int) (done int)

//go:noescape
func scaleColsF64AVX2(x, s []float64, n, width, stride int) (done int)

//go:noescape
func shiftColsF64AVX2(dst, x, a, b []float64, n, width, stride int) (done int)

//go:noescape
func maxF64AVX512(x []float64) (m float64, done int)

//go:noescape
func expSumF64AVX512(dst, x []float64, m float64) (s float64, done int)

//go:noescape
func scaleF64AVX512(x []float64, s float64) (done int)

//go:noescape
func shiftF64AVX512(dst, x []float64, a, b float64) (done int)

//go:noescape
func maxColsF64AVX512(m, x []float64, n, width, stride int) (done int)

//go:noescape
func expSumColsF64AVX512(dst, x, m, s []float64, n, width, stride int) (done int)

//go:noescape
func scaleColsF64AVX512(x, s []float64, n, width, stride int) (done int)

//go:noescape
func shiftColsF64AVX512(dst, x, a, b []float64, n, width, stride int) (done int)

// GEMM micro-kernels (sgemm_amd64.s). The wrappers check the buffers
// against the tile shape, then run the assembly on the whole tile (the
// tile is whole vectors wide, so there is no tail).

// sgemmMicroAVX2 is SgemmMicroF32 for a 6×16 tile. Single thread on the
// EPYC above: see the GFLOP/s figures in operators/internal/gemm.
func sgemmMicroAVX2(kc int, a, b, c []float32, ldc int) {
	sgemmCheck(kc, a, b, c, ldc, 6, 16)
	if kc == 0 {
		return
	}
	sgemm6x16AVX2(kc, &a[0], &b[0], &c[0], ldc, 0)
}

// sgemmMicroStoreAVX2 is SgemmMicroStoreF32 for a 6×16 tile.
func sgemmMicroStoreAVX2(kc int, a, b, c []float32, ldc int) {
	sgemmCheck(kc, a, b, c, ldc, 6, 16)
	if kc == 0 {
		sgemmClearTile(c, ldc, 6, 16)
		return
	}
	sgemm6x16AVX2(kc, &a[0], &b[0], &c[0], ldc, 1)
}

// sgemmMicroAVX512 is SgemmMicroF32 for a 6×32 tile.
func sgemmMicroAVX512(kc int, a, b, c []float32, ldc int) {
	sgemmCheck(kc, a, b, c, ldc, 6, 32)
	if kc == 0 {
		return
	}
	sgemm6x32AVX512(kc, &a[0], &b[0], &c[0], ldc, 0)
}

// sgemmMicroStoreAVX512 is SgemmMicroStoreF32 for a 6×32 tile.
func sgemmMicroStoreAVX512(kc int, a, b, c []float32, ldc int) {
	sgemmCheck(kc, a, b, c, ldc, 6, 32)
	if kc == 0 {
		sgemmClearTile(c, ldc, 6, 32)
		return
	}
	sgemm6x32AVX512(kc, &a[0], &b[0], &c[0], ldc, 1)
}

// sgemm6x16AVX2 computes, with kc >= 1 and fused multiply-adds,
//
//	for p := range kc { for i := range 6 { for j := range 16 { c[i*ldc+j] += a[p*6+i] * b[p*16+j] } } }
//
// where a, b and c point at the first elements of the packed panels and
// the tile. With store != 0 the sums start from zero instead of from C,
// and C is not read.
//
//go:noescape
func sgemm6x16AVX2(kc int, a, b, c *float32, ldc int, store int)

// sgemm6x32AVX512 computes, with kc >= 1 and fused multiply-adds,
//
//	for p := range kc { for i := range 6 { for j := range 32 { c[i*ldc+j] += a[p*6+i] * b[p*32+j] } } }
//
// or stores the sums as sgemm6x16AVX2 does with store != 0.
//
//go:noescape
func sgemm6x32AVX512(kc int, a, b, c *float32, ldc int, store int)

// clampF32AVX2 computes ClampF32's loop over the whole vectors of x (done
// = len(x)&^7) with VMAXPS then VMINPS, x being the operand those return
// when the other is equal or either is NaN, so the results match the loop
// bit for bit.
//
//go:noescape
func clampF32AVX2(x []float32, lo, hi float32) (done int)

// clampF32AVX512 is clampF32AVX2 on 16-lane vectors (done = len(x)&^15).
//
//go:noescape
func clampF32AVX512(x []float32, lo, hi float32) (done int)
