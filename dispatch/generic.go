package dispatch

import "math"

// This file holds the portable reference for every entry of Kernels. It is
// compiled on every platform and with every tag: it is the table on CPUs
// without a SIMD tier, the tail code of the SIMD wrappers, and the yardstick
// the SIMD kernels are tested against. It favours accuracy:
//   - float32 exp is computed in float64 with math.Exp and rounded once to
//     float32, so it is within half an ULP of the true value plus the tiny
//     float64 error (faithful in practice);
//   - float32 sums accumulate in float64 and are rounded once at the end.

// Generic returns a table whose every entry is the portable reference.
// The table is shared; callers must not modify it.
func Generic() *Kernels { return genericTable }

var genericTable = newGeneric()

func newGeneric() *Kernels {
	return &Kernels{
		MaxF32:        maxF32Generic,
		ExpSumF32:     expSumF32Generic,
		SumExpF32:     sumExpF32Generic,
		ScaleF32:      scaleF32Generic,
		ShiftF32:      shiftF32Generic,
		ExpF32:        expF32Generic,
		MaxColsF32:    maxColsF32Generic,
		ExpSumColsF32: expSumColsF32Generic,
		SumExpColsF32: sumExpColsF32Generic,
		ScaleColsF32:  scaleColsF32Generic,
		ShiftColsF32:  shiftColsF32Generic,

		SoftmaxRowsF32:    softmaxRowsF32Generic,
		LogSoftmaxRowsF32: logSoftmaxRowsF32Generic,

		SoftmaxRowsStreamF32:    softmaxRowsStreamF32Generic,
		LogSoftmaxRowsStreamF32: logSoftmaxRowsStreamF32Generic,

		SgemmMicroF32: sgemmMicroGeneric,
		SgemmMR:       sgemmGenericMR,
		SgemmNR:       sgemmGenericNR,

		SgemmMicroStoreF32: sgemmMicroStoreGeneric,

		ClampF32:     clampF32Generic,
		DwConv3x3F32: dwConv3x3F32Generic,
		MaxPoolF32:   maxPoolF32Generic,

		MaxF64:        maxF64Generic,
		ExpSumF64:     expSumF64Generic,
		SumExpF64:     sumExpF64Generic,
		ScaleF64:      scaleF64Generic,
		ShiftF64:      shiftF64Generic,
		ExpF64:        expF64Generic,
		MaxColsF64:    maxColsF64Generic,
		ExpSumColsF64: expSumColsF64Generic,
		SumExpColsF64: sumExpColsF64Generic,
		ScaleColsF64:  scaleColsF64Generic,
		ShiftColsF64:  shiftColsF64Generic,
		Level:         GenericLevel,
	}
}

// exp32 is the reference float32 exponential: math.Exp in float64, rounded
// once to float32. It gives +Inf above ~88.72, subnormals down to
// exp(-103.97) and 0 below; exp(-Inf) = 0 and exp(NaN) = NaN.
func exp32(x float32) float32 { return float32(math.Exp(float64(x))) }

// exp64 is the reference float64 exponential: math.Exp, except just below
// the overflow threshold. On amd64 math.Exp returns +Inf for x above
// 709.436 although exp(x) only overflows above 709.7827; there the result
// is exp(x - 0.5) * e^0.5 (x - 0.5 is exact; the product adds at most one
// rounding).
func exp64(x float64) float64 {
	if x > 709.4 && x < 709.79 {
		return math.Exp(x-0.5) * math.SqrtE
	}
	return math.Exp(x)
}

// ---- float32, rows ----

func maxF32Generic(x []float32) float32 {
	m := x[0]
	for _, v := range x[1:] {
		if v > m {
			m = v
		}
	}
	return m
}

func expSumF32Generic(dst, x []float32, m float32) float32 {
	dst = dst[:len(x)]
	var s float64
	for i, v := range x {
		e := exp32(v - m)
		dst[i] = e
		s += float64(e)
	}
	return float32(s)
}

func sumExpF32Generic(x []float32, m float32) float32 {
	var s float64
	for _, v := range x {
		s += float64(exp32(v - m))
	}
	return float32(s)
}

func scaleF32Generic(x []float32, s float32) {
	for i := range x {
		x[i] *= s
	}
}

func shiftF32Generic(dst, x []float32, a, b float32) {
	dst = dst[:len(x)]
	for i, v := range x {
		dst[i] = (v - a) - b
	}
}

func expF32Generic(dst, x []float32) {
	dst = dst[:len(x)]
	for i, v := range x {
		dst[i] = exp32(v)
	}
}

// ---- float32, columns ----

// colChunk is how many columns the column reductions accumulate at once in
// a float64 array on the stack: enough to stream whole cache lines of every
// row while keeping the accumulators in L1.
const colChunk = 64

func maxColsF32Generic(m, x []float32, n, width, stride int) {
	m = m[:width]
	if n <= 0 {
		for j := range m {
			m[j] = float32(math.Inf(-1))
		}
		return
	}
	copy(m, x[:width])
	for i := 1; i < n; i++ {
		row := x[i*stride : i*stride+width]
		for j, v := range row {
			if v > m[j] {
				m[j] = v
			}
		}
	}
}

func expSumColsF32Generic(dst, x, m, s []float32, n, width, stride int) {
	var acc [colChunk]float64
	for j0 := 0; j0 < width; j0 += colChunk {
		w := min(colChunk, width-j0)
		a := acc[:w]
		clear(a)
		mm := m[j0 : j0+w]
		for i := 0; i < n; i++ {
			off := i*stride + j0
			row := x[off : off+w]
			out := dst[off : off+w]
			for j, v := range row {
				e := exp32(v - mm[j])
				out[j] = e
				a[j] += float64(e)
			}
		}
		for j, v := range a {
			s[j0+j] = float32(v)
		}
	}
}

func sumExpColsF32Generic(x, m, s []float32, n, width, stride int) {
	var acc [colChunk]float64
	for j0 := 0; j0 < width; j0 += colChunk {
		w := min(colChunk, width-j0)
		a := acc[:w]
		clear(a)
		mm := m[j0 : j0+w]
		for i := 0; i < n; i++ {
			off := i*stride + j0
			for j, v := range x[off : off+w] {
				a[j] += float64(exp32(v - mm[j]))
			}
		}
		for j, v := range a {
			s[j0+j] = float32(v)
		}
	}
}

func scaleColsF32Generic(x, s []float32, n, width, stride int) {
	s = s[:width]
	for i := 0; i < n; i++ {
		row := x[i*stride : i*stride+width]
		for j := range row {
			row[j] *= s[j]
		}
	}
}

func shiftColsF32Generic(dst, x, a, b []float32, n, width, stride int) {
	a, b = a[:width], b[:width]
	for i := 0; i < n; i++ {
		row := x[i*stride : i*stride+width]
		out := dst[i*stride : i*stride+width]
		for j, v := range row {
			out[j] = (v - a[j]) - b[j]
		}
	}
}

// ---- float64, rows ----

func maxF64Generic(x []float64) float64 {
	m := x[0]
	for _, v := range x[1:] {
		if v > m {
			m = v
		}
	}
	return m
}

func expSumF64Generic(dst, x []float64, m float64) float64 {
	dst = dst[:len(x)]
	var s float64
	for i, v := range x {
		e := exp64(v - m)
		dst[i] = e
		s += e
	}
	return s
}

func sumExpF64Generic(x []float64, m float64) float64 {
	var s float64
	for _, v := range x {
		s += exp64(v - m)
	}
	return s
}

func scaleF64Generic(x []float64, s float64) {
	for i := range x {
		x[i] *= s
	}
}

func shiftF64Generic(dst, x []float64, a, b float64) {
	dst = dst[:len(x)]
	for i, v := range x {
		dst[i] = (v - a) - b
	}
}

func expF64Generic(dst, x []float64) {
	dst = dst[:len(x)]
	for i, v := range x {
		dst[i] = exp64(v)
	}
}

// ---- float64, columns ----

func maxColsF64Generic(m, x []float64, n, width, stride int) {
	m = m[:width]
	if n <= 0 {
		for j := range m {
			m[j] = math.Inf(-1)
		}
		return
	}
	copy(m, x[:width])
	for i := 1; i < n; i++ {
		row := x[i*stride : i*stride+width]
		for j, v := range row {
			if v > m[j] {
				m[j] = v
			}
		}
	}
}

func expSumColsF64Generic(dst, x, m, s []float64, n, width, stride int) {
	s, m = s[:width], m[:width]
	clear(s)
	for i := 0; i < n; i++ {
		row := x[i*stride : i*stride+width]
		out := dst[i*stride : i*stride+width]
		for j, v := range row {
			e := exp64(v - m[j])
			out[j] = e
			s[j] += e
		}
	}
}

func sumExpColsF64Generic(x, m, s []float64, n, width, stride int) {
	s, m = s[:width], m[:width]
	clear(s)
	for i := 0; i < n; i++ {
		for j, v := range x[i*stride : i*stride+width] {
			s[j] += exp64(v - m[j])
		}
	}
}

func scaleColsF64Generic(x, s []float64, n, width, stride int) {
	s = s[:width]
	for i := 0; i < n; i++ {
		row := x[i*stride : i*stride+width]
		for j := range row {
			row[j] *= s[j]
		}
	}
}

func shiftColsF64Generic(dst, x, a, b []float64, n, width, stride int) {
	a, b = a[:width], b[:width]
	for i := 0; i < n; i++ {
		row := x[i*stride : i*stride+width]
		out := dst[i*stride : i*stride+width]
		for j, v := range row {
			out[j] = (v - a[j]) - b[j]
		}
	}
}
