//go:build amd64 && !purego

package dispatch

// plugRows installs the row-batch entries of an x86 tier, after its row
// kernels: row lengths that are whole vectors go to the assembly, which
// runs the row kernels' loops for many rows per call; other lengths go row
// by row through the tier's row kernels. Both give the same bits.
// (vecAVX2Wide runs the AVX2 assembly on multiples of 16 only.)
func plugRows(k *Kernels, v vecExp) {
	rk := rowKernelsOf(k)
	w := v.lanes32()
	k.SoftmaxRowsF32 = func(dst, x []float32, rows, d int) {
		n := rowsSpan(len(dst), len(x), rows, d)
		if n == 0 {
			return
		}
		if d%w != 0 {
			rk.softmax(dst, x, rows, d)
			return
		}
		v.softmaxRows(dst[:n], x[:n], rows, d)
	}
	k.LogSoftmaxRowsF32 = func(dst, x []float32, rows, d int) {
		n := rowsSpan(len(dst), len(x), rows, d)
		if n == 0 {
			return
		}
		if d%w != 0 {
			rk.logSoftmax(dst, x, rows, d)
			return
		}
		logSoftmaxRowsVec(dst[:n], x[:n], rows, d, v)
	}
}

// logBatch is how many elements of LogSoftmax rows logSoftmaxRowsVec
// takes per batch (16 KiB of float32): a batch's rows are read by the
// max-and-sum pass and rewritten by the subtraction while in L1.
const logBatch = 4096

// logSoftmaxRowsVec computes LogSoftmax rows in batches: the assembly
// stores x - max and each row's sum of exponentials, the logarithms are
// taken here, and the assembly subtracts them.
func logSoftmaxRowsVec(dst, x []float32, rows, d int, v vecExp) {
	var s [64]float32
	batch := max(1, min(len(s), logBatch/d))
	for r := 0; r < rows; r += batch {
		c := min(batch, rows-r)
		xs, ds := x[r*d:(r+c)*d], dst[r*d:(r+c)*d]
		b := s[:c]
		v.maxSumRows(ds, xs, b, c, d)
		logs32(b) // float32(math.Log(float64(b[i]))), faster
		v.subRows(ds, b, c, d)
	}
}

func (v vecExp) softmaxRows(dst, x []float32, rows, d int) {
	if v == vecAVX512 {
		softmaxRowsF32AVX512(dst, x, rows, d)
		return
	}
	softmaxRowsF32AVX2(dst, x, rows, d)
}

func (v vecExp) maxSumRows(dst, x, s []float32, rows, d int) {
	if v == vecAVX512 {
		maxSumRowsF32AVX512(dst, x, s, rows, d)
		return
	}
	maxSumRowsF32AVX2(dst, x, s, rows, d)
}

func (v vecExp) subRows(dst, b []float32, rows, d int) {
	if v == vecAVX512 {
		subRowsF32AVX512(dst, b, rows, d)
		return
	}
	subRowsF32AVX2(dst, b, rows, d)
}

// Row-batch assembly (softmax_f32_amd64.s). d is a multiple of the vector
// width (8 for AVX2, 16 for AVX-512), rows >= 1 and dst, x hold rows*d
// elements; dst may be x.

// softmaxRowsF32AVX2 computes, for each row, maxF32AVX2, expSumF32AVX2
// into dst and scaleF32AVX2 by 1/float32(sum).
//
//go:noescape
func softmaxRowsF32AVX2(dst, x []float32, rows, d int)

// maxSumRowsF32AVX2 computes, for each row r, m = max (maxF32AVX2),
// dst = x - m and s[r] = float32(sum of exp(x - m)) as expSumF32AVX2 sums
// it. len(s) >= rows.
//
//go:noescape
func maxSumRowsF32AVX2(dst, x, s []float32, rows, d int)

// subRowsF32AVX2 computes dst[r*d+i] -= b[r]. len(b) >= rows.
//
//go:noescape
func subRowsF32AVX2(dst, b []float32, rows, d int)

//go:noescape
func softmaxRowsF32AVX512(dst, x []float32, rows, d int)

//go:noescape
func maxSumRowsF32AVX512(dst, x, s []float32, rows, d int)

//go:noescape
func subRowsF32AVX512(dst, b []float32, rows, d int)
