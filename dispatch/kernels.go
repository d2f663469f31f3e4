package dispatch

// Kernels is the table of numeric kernels. Every field is always set: the
// generic reference fills the table first and each ISA tier overrides the
// entries it accelerates. Operators copy the function values they need when
// a model is loaded, so the hot path never checks CPU features.
//
// Conventions shared by all entries:
//   - "Row" entries work on one contiguous vector x.
//   - "Cols" entries work on n rows of width elements, row i starting at
//     x[i*stride] (stride >= width), and reduce or broadcast down the
//     columns: vectors run along the contiguous inner extent, which is how
//     Softmax normalises an axis that is not the last one without a
//     transpose. A caller may split the columns of one block between
//     goroutines by passing a sub-slice and a smaller width.
//   - dst may alias x exactly (in-place) but must not partly overlap it.
//   - Lengths are the caller's promise: len(dst) == len(x) for row entries,
//     len(x) >= (n-1)*stride+width and len(m), len(s), ... >= width for
//     column entries; dst has the same layout as x. (The amd64 wrappers
//     check them before running assembly; a short buffer panics.)
//   - Accuracy: exp(v) = exp(x - m) is computed from the float32 (or
//     float64) difference v. float32 exp is within 1 ULP of the correctly
//     rounded value in every tier, subnormal results included; float64 exp
//     is within 1 ULP in the SIMD tiers and is math.Exp in the reference
//     (within 2 ULP on amd64). exp(-Inf) = 0, exp(NaN) = NaN, and values
//     past the overflow threshold give +Inf. Sums of float32 terms are
//     accumulated in float64 (the SIMD tiers add a few vectors in float32
//     first) and rounded once. Max, Scale and Shift round exactly as the
//     scalar expressions in their comments.
type Kernels struct {
	// MaxF32 returns the largest element of x (len(x) > 0). If x holds a
	// NaN the result may be NaN or the largest non-NaN element (-Inf if
	// there is none); callers rely on exp(NaN - m) propagating NaN into
	// the sum instead.
	MaxF32 func(x []float32) float32
	// ExpSumF32 computes dst[i] = exp(x[i] - m) and returns their sum.
	ExpSumF32 func(dst, x []float32, m float32) float32
	// SumExpF32 returns the sum of exp(x[i] - m) without writing anything.
	SumExpF32 func(x []float32, m float32) float32
	// ScaleF32 computes x[i] *= s.
	ScaleF32 func(x []float32, s float32)
	// ShiftF32 computes dst[i] = (x[i] - a) - b (LogSoftmax's last pass with
	// a = max and b = log(sum), in that order, as ONNX Runtime rounds it).
	ShiftF32 func(dst, x []float32, a, b float32)
	// ExpF32 computes dst[i] = exp(x[i]).
	ExpF32 func(dst, x []float32)

	// MaxColsF32 computes m[j] = max over i of x[i*stride+j], NaNs treated
	// as in MaxF32 (m[j] = -Inf when n == 0).
	MaxColsF32 func(m, x []float32, n, width, stride int)
	// ExpSumColsF32 computes dst[i*stride+j] = exp(x[i*stride+j] - m[j]) and
	// s[j] = the sum over i of those values.
	ExpSumColsF32 func(dst, x, m, s []float32, n, width, stride int)
	// SumExpColsF32 computes s[j] = sum over i of exp(x[i*stride+j] - m[j]).
	SumExpColsF32 func(x, m, s []float32, n, width, stride int)
	// ScaleColsF32 computes x[i*stride+j] *= s[j].
	ScaleColsF32 func(x, s []float32, n, width, stride int)
	// ShiftColsF32 computes dst[i*stride+j] = (x[i*stride+j] - a[j]) - b[j].
	ShiftColsF32 func(dst, x, a, b []float32, n, width, stride int)

	// SoftmaxRowsF32 normalises rows contiguous rows of d elements
	// (dst and x hold at least rows*d; dst may be x): each row gets
	// MaxF32, ExpSumF32 into dst and ScaleF32 by 1/sum, with the same bits
	// as those entries of the table called row by row. The SIMD tiers run
	// many rows per call when d is a multiple of their vector width, which
	// saves the per-row calls that dominate short rows.
	SoftmaxRowsF32 func(dst, x []float32, rows, d int)
	// LogSoftmaxRowsF32 is SoftmaxRowsF32 for LogSoftmax: each row gets
	// ShiftF32(dst, x, m, float32(log(s))) with m = MaxF32 and s =
	// SumExpF32, as row by row.
	LogSoftmaxRowsF32 func(dst, x []float32, rows, d int)
	// SoftmaxRowsStreamF32 and LogSoftmaxRowsStreamF32 are SoftmaxRowsF32
	// and LogSoftmaxRowsF32, with the same bits, for outputs too large to
	// stay in cache. Where the tier can (the x86 tiers, for whole-vector
	// row lengths and a dst aligned to the vector), they keep the
	// intermediate values in tmp, which must hold at least d elements and
	// stays in cache from row to row, and write dst with non-temporal
	// stores: each output line then goes to memory once, instead of being
	// read in first and written back later, evicting lines that are still
	// needed. With 2*d elements of tmp, the x86 tiers pipeline long
	// rows: one row's last pass runs in the loop of the next row's
	// exponentials. Elsewhere tmp is not used.
	SoftmaxRowsStreamF32    func(dst, x, tmp []float32, rows, d int)
	LogSoftmaxRowsStreamF32 func(dst, x, tmp []float32, rows, d int)

	// SgemmMicroF32 is the float32 GEMM micro-kernel: it multiplies a
	// packed panel of A (SgemmMR rows) by a packed panel of B (SgemmNR
	// columns) over kc steps and adds the product into a tile of C:
	//
	//	for p := range kc {
	//		for i := range SgemmMR {
	//			for j := range SgemmNR {
	//				c[i*ldc+j] += a[p*SgemmMR+i] * b[p*SgemmNR+j]
	//			}
	//		}
	//	}
	//
	// len(a) >= kc*SgemmMR, len(b) >= kc*SgemmNR, ldc >= SgemmNR and
	// len(c) >= (SgemmMR-1)*ldc+SgemmNR. The SIMD tiers use fused
	// multiply-adds, so a tile may differ from the reference by the
	// rounding of one product per step. kc may be 0 (c is unchanged).
	SgemmMicroF32 func(kc int, a, b, c []float32, ldc int)
	// SgemmMicroStoreF32 is SgemmMicroF32 storing the product into the
	// tile instead of adding it (c[i*ldc+j] = the sum over p, the tile's
	// previous contents ignored, so NaNs there do not propagate): the
	// first block of a GEMM's k range writes C without reading it or
	// having it cleared first. Same tile shape and buffer rules; the
	// stored sum has the bits SgemmMicroF32 would add to a zero tile.
	SgemmMicroStoreF32 func(kc int, a, b, c []float32, ldc int)
	// SgemmMR and SgemmNR are SgemmMicroF32's tile shape: a tier that
	// replaces the micro-kernel sets them too. Callers pack A and B to
	// this shape.
	SgemmMR, SgemmNR int

	// ClampF32 computes, in place, the epilogue activations Relu (lo = 0,
	// hi = +Inf) and Clip:
	//
	//	for i, v := range x { if v < lo { v = lo }; if v > hi { v = hi }; x[i] = v }
	//
	// NaN stays NaN and a zero equal to a bound keeps its sign, as in the
	// loop.
	ClampF32 func(x []float32, lo, hi float32)

	// DwConv3x3F32 computes an oh×ow block of a 3×3 depthwise convolution
	// (dilation 1) from a source that already holds its padding:
	//
	//	for y < oh, x < ow:
	//		acc := b
	//		for i := range 3 { for j := range 3 {
	//			acc += w[3*i+j] * src[(sh*y+i)*spitch + sw*x+j] } }
	//		dst[y*dpitch+x] = acc clamped to [lo, hi] as in ClampF32
	//
	// (lo = -Inf, hi = +Inf for no activation). The taps are added in that
	// order; the SIMD tiers fuse each multiply-add (one rounding per tap
	// instead of two). The SIMD tiers take sw 1 or 2 (other strides run
	// the reference) and read whole vectors: a row's loads may reach
	// DwSlack elements past its last tap, so a source with that much to
	// spare after the last row lets every row run in vectors (rows whose
	// loads would leave src run the reference). len(w) >= 9.
	DwConv3x3F32 func(dst []float32, dpitch int, src []float32, spitch, ow, oh, sh, sw int, w []float32, b, lo, hi float32)
	// MaxPoolF32 computes an oh×ow block of a 2-D max pooling with a
	// kh×kw window (dilation 1):
	//
	//	dst[y*dpitch+x] = max over i < kh, j < kw of src[(sh*y+i)*spitch + sw*x+j]
	//
	// A window holding a NaN gives NaN; when the maximum is a zero, its
	// sign is that of any zero in the window. Strides and slack are as in
	// DwConv3x3F32 (kw in place of 3).
	MaxPoolF32 func(dst []float32, dpitch int, src []float32, spitch, ow, oh, kh, kw, sh, sw int)

	// The float64 entries mirror the float32 ones.
	MaxF64        func(x []float64) float64
	ExpSumF64     func(dst, x []float64, m float64) float64
	SumExpF64     func(x []float64, m float64) float64
	ScaleF64      func(x []float64, s float64)
	ShiftF64      func(dst, x []float64, a, b float64)
	ExpF64        func(dst, x []float64)
	MaxColsF64    func(m, x []float64, n, width, stride int)
	ExpSumColsF64 func(dst, x, m, s []float64, n, width, stride int)
	SumExpColsF64 func(x, m, s []float64, n, width, stride int)
	ScaleColsF64  func(x, s []float64, n, width, stride int)
	ShiftColsF64  func(dst, x, a, b []float64, n, width, stride int)

	// Level is the tier the table was built for: every tier of the
	// architecture up to this one was applied (Entries tells which one
	// actually supplied each entry).
	Level Level
	// entry[i] is the tier that supplied the i-th function field, in
	// declaration order (see Entries).
	entry [numEntries]Level
}

// numEntries is the number of function fields of Kernels; a test checks it.
const numEntries = 31
