package dispatch

// This file holds the row-batch entries SoftmaxRowsF32 and
// LogSoftmaxRowsF32 built on a table's row kernels: the reference, the
// fallback of the SIMD tiers for row lengths their assembly does not take,
// and the NEON tier's entries.

// rowsSpan returns rows*d after checking that dst and x hold that many
// elements (a short buffer panics, as with the other entries); 0 when
// there is nothing to do.
func rowsSpan(ld, lx, rows, d int) int {
	if rows <= 0 || d <= 0 {
		return 0
	}
	n := rows * d
	if n/d != rows || ld < n || lx < n {
		panic("dispatch: row batch of " + itoa(rows) + "×" + itoa(d) + " elements does not fit its buffers")
	}
	return n
}

func itoa(v int) string {
	if v < 0 {
		return "-" + itoa(-v)
	}
	if v < 10 {
		return string(rune('0' + v))
	}
	return itoa(v/10) + string(rune('0'+v%10))
}

// rowKernels32 are the float32 row kernels a row batch is built on.
type rowKernels32 struct {
	max    func(x []float32) float32
	expSum func(dst, x []float32, m float32) float32
	sumExp func(x []float32, m float32) float32
	scale  func(x []float32, s float32)
	shift  func(dst, x []float32, a, b float32)
}

func rowKernelsOf(k *Kernels) rowKernels32 {
	return rowKernels32{max: k.MaxF32, expSum: k.ExpSumF32, sumExp: k.SumExpF32, scale: k.ScaleF32, shift: k.ShiftF32}
}

// softmax normalises rows rows of d elements one by one: max, exp-sum,
// then a scale by the reciprocal of the sum.
func (rk rowKernels32) softmax(dst, x []float32, rows, d int) {
	if rowsSpan(len(dst), len(x), rows, d) == 0 {
		return
	}
	for r := range rows {
		xs := x[r*d : (r+1)*d : (r+1)*d]
		ds := dst[r*d : (r+1)*d : (r+1)*d]
		s := rk.expSum(ds, xs, rk.max(xs))
		rk.scale(ds, 1/s)
	}
}

// logSoftmax is softmax for LogSoftmax: (x - max) - log(sum).
func (rk rowKernels32) logSoftmax(dst, x []float32, rows, d int) {
	if rowsSpan(len(dst), len(x), rows, d) == 0 {
		return
	}
	for r := range rows {
		xs := x[r*d : (r+1)*d : (r+1)*d]
		ds := dst[r*d : (r+1)*d : (r+1)*d]
		m := rk.max(xs)
		s := rk.sumExp(xs, m)
		rk.shift(ds, xs, m, log32(s)) // float32(math.Log(float64(s)))
	}
}

// plugRowsVia sets the row-batch entries of k to loops over k's current
// row kernels; the streaming entries are the same loops (Go has no
// non-temporal store).
func plugRowsVia(k *Kernels) {
	rk := rowKernelsOf(k)
	k.SoftmaxRowsF32 = rk.softmax
	k.LogSoftmaxRowsF32 = rk.logSoftmax
	k.SoftmaxRowsStreamF32 = func(dst, x, _ []float32, rows, d int) { rk.softmax(dst, x, rows, d) }
	k.LogSoftmaxRowsStreamF32 = func(dst, x, _ []float32, rows, d int) { rk.logSoftmax(dst, x, rows, d) }
}

func softmaxRowsF32Generic(dst, x []float32, rows, d int) {
	genericRows.softmax(dst, x, rows, d)
}

func logSoftmaxRowsF32Generic(dst, x []float32, rows, d int) {
	genericRows.logSoftmax(dst, x, rows, d)
}

func softmaxRowsStreamF32Generic(dst, x, _ []float32, rows, d int) {
	genericRows.softmax(dst, x, rows, d)
}

func logSoftmaxRowsStreamF32Generic(dst, x, _ []float32, rows, d int) {
	genericRows.logSoftmax(dst, x, rows, d)
}

var genericRows = rowKernels32{
	max: maxF32Generic, expSum: expSumF32Generic, sumExp: sumExpF32Generic,
	scale: scaleF32Generic, shift: shiftF32Generic,
}
