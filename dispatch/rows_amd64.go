//go:build amd64 && !purego

package dispatch

import "unsafe"

// plugRows installs the row-batch entries of an x86 tier, after its row
// kernels: row lengths that are whole vectors go to the assembly, which
// runs the row kernels' loops for many rows per call; other lengths go row
// by row through the tier's row kernels. Both give the same bits.
// (vecAVX2Wide runs the AVX2 assembly on multiples of 16 only.)
//
// The streaming entries take the assembly's streaming form when, besides,
// tmp holds a row and dst starts on a vector boundary (VMOVNTPS faults on
// an unaligned address; rows of whole vectors keep every row aligned).
func plugRows(k *Kernels, v vecExp) {
	rk := rowKernelsOf(k)
	w := v.lanes32()
	// The streaming entries; a nil tmp, or one the streaming form cannot
	// take, gives the plain form, so the plain entries are these with nil.
	softmax := func(dst, x, tmp []float32, rows, d int) {
		n := rowsSpan(len(dst), len(x), rows, d)
		if n == 0 {
			return
		}
		if d%w != 0 {
			rk.softmax(dst, x, rows, d)
			return
		}
		tmp = streamTmp(dst, tmp, d, w)
		if pipelined(tmp, d) {
			pipelineRows(dst, x, tmp, rows, d, false, v)
			return
		}
		v.softmaxRows(dst[:n], x[:n], tmp, rows, d)
	}
	logSoftmax := func(dst, x, tmp []float32, rows, d int) {
		n := rowsSpan(len(dst), len(x), rows, d)
		if n == 0 {
			return
		}
		if d%w != 0 {
			rk.logSoftmax(dst, x, rows, d)
			return
		}
		tmp = streamTmp(dst, tmp, d, w)
		if pipelined(tmp, d) {
			pipelineRows(dst, x, tmp, rows, d, true, v)
			return
		}
		logSoftmaxRowsVec(dst[:n], x[:n], tmp, rows, d, v)
	}
	k.SoftmaxRowsStreamF32 = softmax
	k.LogSoftmaxRowsStreamF32 = logSoftmax
	k.SoftmaxRowsF32 = func(dst, x []float32, rows, d int) { softmax(dst, x, nil, rows, d) }
	k.LogSoftmaxRowsF32 = func(dst, x []float32, rows, d int) { logSoftmax(dst, x, nil, rows, d) }
}

// streamTmp returns tmp cut to what the streaming assembly takes, or nil
// (the plain form) when tmp holds less than a row of d elements or dst
// does not start on a w-lane vector boundary.
func streamTmp(dst, tmp []float32, d, w int) []float32 {
	if len(tmp) < d || uintptr(unsafe.Pointer(unsafe.SliceData(dst)))%uintptr(4*w) != 0 {
		return nil
	}
	return tmp
}

// pipeMin is the row length from which the streaming entries pipeline
// rows (pipelineRows). The pipelining was measured on rows of 32000
// elements; shorter rows keep the row-batch assembly, which saves the two
// calls from Go that the pipelined form makes per row.
const pipeMin = 4096

// pipelined reports whether the streaming entries pipeline rows of d
// elements with scratch tmp (as streamTmp returned it): two rows of
// scratch and long rows.
func pipelined(tmp []float32, d int) bool {
	return d >= pipeMin && len(tmp) >= 2*d
}

// pipelineRows is the streaming form for long rows: each row's
// exponentials (Softmax) or differences x - max (LogSoftmax) go to one
// half of tmp while the previous row's, in the other half, are scaled by
// the reciprocal of their sum or shifted by its log into dst with
// non-temporal stores, and the next row's maximum is taken, all in one
// loop (pipeRowF32AVX2). The stores to memory and the next row's loads
// then overlap the exponentials; in passes of their own, as in
// softmaxRows and logSoftmaxRowsVec, the core waits on them, and no row
// but the first has a maximum pass of its own. The outputs have the bits
// of those forms (the maximum may differ in ways no output shows; see the
// assembly). d is a multiple of v's vector width, tmp holds 2*d elements
// and dst is aligned to the vector.
func pipelineRows(dst, x, tmp []float32, rows, d int, log bool, v vecExp) {
	cur, prev := tmp[:d:d], tmp[d:2*d:2*d]
	var pd []float32 // the previous row's output, or nil for the first
	var a float32    // the previous row's 1/sum or log(sum)
	m := v.max32(x[:d:d])
	for r := range rows {
		xs := x[r*d : (r+1)*d : (r+1)*d]
		var nx []float32
		if r+1 < rows {
			nx = x[(r+1)*d : (r+2)*d : (r+2)*d]
		}
		s, nm := v.pipeRow(cur, xs, m, pd, prev, a, nx, log)
		if log {
			a = log32(float32(s))
		} else {
			a = 1 / float32(s)
		}
		m = nm
		pd = dst[r*d : (r+1)*d : (r+1)*d]
		cur, prev = prev, cur
	}
	v.pipeRow(nil, nil, 0, pd, prev, a, nil, log)
}

func (v vecExp) pipeRow(t, x []float32, m float32, dst, src []float32, a float32, nx []float32, log bool) (float64, float32) {
	if v == vecAVX512 {
		return pipeRowF32AVX512(t, x, m, dst, src, a, nx, log)
	}
	return pipeRowF32AVX2(t, x, m, dst, src, a, nx, log)
}

// max32 is the tier's maxF32 kernel on a whole-vector x.
func (v vecExp) max32(x []float32) float32 {
	if v == vecAVX512 {
		m, _ := maxF32AVX512(x)
		return m
	}
	m, _ := maxF32AVX2(x)
	return m
}

// logBatch is how many elements of LogSoftmax rows logSoftmaxRowsVec
// takes per batch (16 KiB of float32): a batch's rows are read by the
// max-and-sum pass and rewritten by the subtraction while in L1.
const logBatch = 4096

// logSoftmaxRowsVec computes LogSoftmax rows in batches: the assembly
// stores x - max and each row's sum of exponentials, the logarithms are
// taken here, and the assembly subtracts them. With tmp (at least d
// elements), the differences go to tmp, as many rows of them as it holds
// up to a batch, and the subtraction writes dst with non-temporal stores.
func logSoftmaxRowsVec(dst, x, tmp []float32, rows, d int, v vecExp) {
	var s [64]float32
	batch := max(1, min(len(s), logBatch/d))
	if tmp != nil {
		batch = min(batch, len(tmp)/d)
	}
	for r := 0; r < rows; r += batch {
		c := min(batch, rows-r)
		xs, ds := x[r*d:(r+c)*d], dst[r*d:(r+c)*d]
		b := s[:c]
		if tmp == nil {
			v.maxSumRows(ds, xs, b, c, d, false)
			logs32(b) // float32(math.Log(float64(b[i]))), faster
			v.subRows(ds, ds, b, c, d, false)
			continue
		}
		ts := tmp[:c*d]
		v.maxSumRows(ts, xs, b, c, d, true)
		logs32(b)
		v.subRows(ds, ts, b, c, d, true)
	}
}

func (v vecExp) softmaxRows(dst, x, tmp []float32, rows, d int) {
	if v == vecAVX512 {
		softmaxRowsF32AVX512(dst, x, tmp, rows, d)
		return
	}
	softmaxRowsF32AVX2(dst, x, tmp, rows, d)
}

func (v vecExp) maxSumRows(dst, x, s []float32, rows, d int, scratch bool) {
	if v == vecAVX512 {
		maxSumRowsF32AVX512(dst, x, s, rows, d, scratch)
		return
	}
	maxSumRowsF32AVX2(dst, x, s, rows, d, scratch)
}

func (v vecExp) subRows(dst, src, b []float32, rows, d int, stream bool) {
	if v == vecAVX512 {
		subRowsF32AVX512(dst, src, b, rows, d, stream)
		return
	}
	subRowsF32AVX2(dst, src, b, rows, d, stream)
}

// Row-batch assembly (softmax_f32_amd64.s). d is a multiple of the vector
// width (8 for AVX2, 16 for AVX-512), rows >= 1 and dst, x hold rows*d
// elements; dst may be x.

// softmaxRowsF32AVX2 computes, for each row, maxF32AVX2, expSumF32AVX2
// into dst and scaleF32AVX2 by 1/float32(sum). With a non-empty tmp (at
// least d elements; dst 32-byte aligned) the exponentials go to tmp and
// the scaled values to dst with non-temporal stores.
//
//go:noescape
func softmaxRowsF32AVX2(dst, x, tmp []float32, rows, d int)

// maxSumRowsF32AVX2 computes, for each row r, m = max (maxF32AVX2),
// dst = x - m and s[r] = float32(sum of exp(x - m)) as expSumF32AVX2 sums
// it. len(s) >= rows. With scratch, dst is a scratch buffer holding just
// these rows, and only x is prefetched beyond the row being computed.
//
//go:noescape
func maxSumRowsF32AVX2(dst, x, s []float32, rows, d int, scratch bool)

// subRowsF32AVX2 computes dst[r*d+i] = src[r*d+i] - b[r] (src may be
// dst). len(b) >= rows. With stream, dst is 32-byte aligned and written
// with non-temporal stores.
//
//go:noescape
func subRowsF32AVX2(dst, src, b []float32, rows, d int, stream bool)

//go:noescape
func softmaxRowsF32AVX512(dst, x, tmp []float32, rows, d int)

//go:noescape
func maxSumRowsF32AVX512(dst, x, s []float32, rows, d int, scratch bool)

//go:noescape
func subRowsF32AVX512(dst, src, b []float32, rows, d int, stream bool)

// pipeRowF32AVX2 computes, for the non-empty ones of x, dst and nx (of
// the same length, a multiple of 8; dst 32-byte aligned): t[i] = x[i] -
// m (log) or exp(x[i] - m) and s = the sum of exp(x[i] - m), with the
// bits of maxSumRowsF32AVX2 and softmaxRowsF32AVX2; dst[i] = src[i] - a
// (log) or src[i] * a with non-temporal stores; and nm = the maximum of
// nx (see the assembly for how it may differ from maxF32AVX2's).
//
//go:noescape
func pipeRowF32AVX2(t, x []float32, m float32, dst, src []float32, a float32, nx []float32, log bool) (s float64, nm float32)

//go:noescape
func pipeRowF32AVX512(t, x []float32, m float32, dst, src []float32, a float32, nx []float32, log bool) (s float64, nm float32)
