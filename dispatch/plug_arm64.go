//go:build arm64 && !purego

package dispatch

// go generate honours build constraints, so from another GOARCH run
// GOARCH=arm64 go generate ./dispatch/ (needs binutils-aarch64-linux-gnu);
// the generator itself is built for the host, hence the env.
//
//go:generate env GOOS= GOARCH= go run ./_gen/neon

// The arm64 build has one tier, NEON (Advanced SIMD: 4 float32 or 2
// float64 lanes). Its kernels are in softmax_arm64.s, generated from
// _gen/neon/softmax_arm64.s.in; the wrappers below finish what the assembly
// leaves (the last len%4 or len%2 elements, or width%4 or width%2 columns)
// with the reference code of generic.go and combine the partial results.
//
// Plugged: every entry. Against the reference, the exp kernels replace a
// call of math.Exp per element by an inline vector exp (Cody-Waite
// reduction, then a degree-7 minimax polynomial for float32 or the degree-13
// Taylor series for float64; both within about 1 ULP, see
// neon_arm64_test.go), and the column kernels keep a block of columns in
// registers while walking down the rows. Max, scale and shift do the same
// IEEE operations as the reference, 4 or 2 lanes at a time.
//
// These kernels have not been timed on arm64 hardware yet (emulated
// timings mean nothing), so the case for plugging rests on instruction
// counts: a step of the ExpSumF32 loop is 66 instructions for 8 elements
// (about 8 per element, no data-dependent branches, no divides), where the reference spends about 60
// per element in math.Exp (exp_arm64.s, with an FDIV) plus the loop and
// conversions; float64 ExpSum is 88 instructions per 4 elements. Max,
// scale and shift are loads and stores plus one operation per 4 or 2
// elements. TODO: time them on hardware (go test -bench . ./dispatch/) and
// record the ratios here.

var archLevels = []Level{NEON}

// archCheck: Advanced SIMD is part of every ARMv8-A core Go runs on (Go's
// own runtime uses it unconditionally), so there is nothing to detect.
func archCheck(l Level) (bool, string) {
	if l == NEON {
		return true, ""
	}
	return false, "no " + l.String() + " kernels in an arm64 build"
}

func buildDesc() string { return "arm64 build" }

func archPlug(k *Kernels, l Level) {
	if l != NEON {
		return
	}
	k.MaxF32 = maxF32NEONWrap
	k.SgemmMicroF32, k.SgemmMR, k.SgemmNR = sgemmMicroNEON, 4, 16
	k.SgemmMicroStoreF32 = sgemmMicroStoreNEON
	k.ExpSumF32 = expSumF32NEONWrap
	k.SumExpF32 = sumExpF32NEONWrap
	k.ScaleF32 = scaleF32NEONWrap
	k.ShiftF32 = shiftF32NEONWrap
	k.ExpF32 = expF32NEONWrap
	k.MaxColsF32 = maxColsF32NEONWrap
	k.ExpSumColsF32 = expSumColsF32NEONWrap
	k.SumExpColsF32 = sumExpColsF32NEONWrap
	k.ScaleColsF32 = scaleColsF32NEONWrap
	k.ShiftColsF32 = shiftColsF32NEONWrap
	plugRowsVia(k) // loops over the NEON row kernels above
	plugDwNEON(k)

	k.MaxF64 = maxF64NEONWrap
	k.ExpSumF64 = expSumF64NEONWrap
	k.SumExpF64 = sumExpF64NEONWrap
	k.ScaleF64 = scaleF64NEONWrap
	k.ShiftF64 = shiftF64NEONWrap
	k.ExpF64 = expF64NEONWrap
	k.MaxColsF64 = maxColsF64NEONWrap
	k.ExpSumColsF64 = expSumColsF64NEONWrap
	k.SumExpColsF64 = sumExpColsF64NEONWrap
	k.ScaleColsF64 = scaleColsF64NEONWrap
	k.ShiftColsF64 = shiftColsF64NEONWrap
}

// Assembly kernels, in softmax_arm64.s. Each does the first done elements
// (done = len(x) &^ 3) or, for the column kernels, the first done columns
// (done = width &^ 3) of every row, and leaves the rest alone. Slices are
// read and written only within the lengths the wrappers have checked.

// maxF32NEON returns the largest of x[:done] (and m = 0 when done = 0):
//
//	m = x[0]; for _, v := range x[:done] { m = max(m, v) }
//
// where max is FMAX: a NaN in x makes m NaN.
//
//go:noescape
func maxF32NEON(x []float32) (m float32, done int)

// expSumF32NEON computes, for i < done,
//
//	dst[i] = exp(x[i] - m); s += float64(dst[i])
//
// with the NEON exp; s is accumulated in float64. len(dst) >= len(x).
//
//go:noescape
func expSumF32NEON(dst, x []float32, m float32) (s float64, done int)

// sumExpF32NEON is expSumF32NEON without the stores:
//
//	for _, v := range x[:done] { s += float64(exp(v - m)) }
//
//go:noescape
func sumExpF32NEON(x []float32, m float32) (s float64, done int)

// expF32NEON computes dst[i] = exp(x[i]) for i < done. len(dst) >= len(x).
//
//go:noescape
func expF32NEON(dst, x []float32) (done int)

// scaleF32NEON computes x[i] *= s for i < done.
//
//go:noescape
func scaleF32NEON(x []float32, s float32) (done int)

// shiftF32NEON computes dst[i] = (x[i] - a) - b for i < done.
// len(dst) >= len(x).
//
//go:noescape
func shiftF32NEON(dst, x []float32, a, b float32) (done int)

// maxColsF32NEON computes, for j < done (done = 0 if n < 1),
//
//	m[j] = x[j]; for i := 1; i < n; i++ { m[j] = max(m[j], x[i*stride+j]) }
//
// with FMAX (NaN-propagating).
//
//go:noescape
func maxColsF32NEON(m, x []float32, n, width, stride int) (done int)

// expSumColsF32NEON computes, for j < done,
//
//	for i := 0; i < n; i++ { e := exp(x[i*stride+j] - m[j]); dst[i*stride+j] = e; acc[j] += float64(e) }
//	s[j] = float32(acc[j])
//
// with the NEON exp.
//
//go:noescape
func expSumColsF32NEON(dst, x, m, s []float32, n, width, stride int) (done int)

// sumExpColsF32NEON is expSumColsF32NEON without the stores to dst.
//
//go:noescape
func sumExpColsF32NEON(x, m, s []float32, n, width, stride int) (done int)

// scaleColsF32NEON computes x[i*stride+j] *= s[j] for i < n, j < done.
//
//go:noescape
func scaleColsF32NEON(x, s []float32, n, width, stride int) (done int)

// shiftColsF32NEON computes dst[i*stride+j] = (x[i*stride+j] - a[j]) - b[j]
// for i < n, j < done.
//
//go:noescape
func shiftColsF32NEON(dst, x, a, b []float32, n, width, stride int) (done int)

// ---- wrappers: the Kernels entries ----

func maxF32NEONWrap(x []float32) float32 {
	m, done := maxF32NEON(x)
	if done == 0 {
		return maxF32Generic(x)
	}
	for _, v := range x[done:] {
		if v > m {
			m = v
		}
	}
	return m
}

func expSumF32NEONWrap(dst, x []float32, m float32) float32 {
	dst = dst[:len(x)]
	s, done := expSumF32NEON(dst, x, m)
	for i := done; i < len(x); i++ {
		e := exp32(x[i] - m)
		dst[i] = e
		s += float64(e)
	}
	return float32(s)
}

func sumExpF32NEONWrap(x []float32, m float32) float32 {
	s, done := sumExpF32NEON(x, m)
	for _, v := range x[done:] {
		s += float64(exp32(v - m))
	}
	return float32(s)
}

func scaleF32NEONWrap(x []float32, s float32) {
	done := scaleF32NEON(x, s)
	scaleF32Generic(x[done:], s)
}

func shiftF32NEONWrap(dst, x []float32, a, b float32) {
	dst = dst[:len(x)]
	done := shiftF32NEON(dst, x, a, b)
	shiftF32Generic(dst[done:], x[done:], a, b)
}

func expF32NEONWrap(dst, x []float32) {
	dst = dst[:len(x)]
	done := expF32NEON(dst, x)
	expF32Generic(dst[done:], x[done:])
}

// checkCols panics, as the reference's slice expressions would, unless
// every buffer of a column kernel holds what n, width and stride promise;
// the assembly relies on it.
func checkCols[T float32 | float64](x []T, n, width, stride int, vecs ...[]T) {
	if width <= 0 {
		return
	}
	for _, v := range vecs {
		_ = v[width-1]
	}
	if n > 1 && stride < 0 {
		panic("dispatch: column kernel with a negative stride")
	}
	if n > 0 {
		_ = x[(n-1)*stride+width-1]
	}
}

func maxColsF32NEONWrap(m, x []float32, n, width, stride int) {
	if n <= 0 || width <= 0 {
		maxColsF32Generic(m, x, n, width, stride)
		return
	}
	checkCols(x, n, width, stride, m)
	done := maxColsF32NEON(m, x, n, width, stride)
	if done < width {
		maxColsF32Generic(m[done:], x[done:], n, width-done, stride)
	}
}

func expSumColsF32NEONWrap(dst, x, m, s []float32, n, width, stride int) {
	if n <= 0 || width <= 0 {
		expSumColsF32Generic(dst, x, m, s, n, width, stride)
		return
	}
	checkCols(x, n, width, stride, m, s)
	checkCols(dst, n, width, stride)
	done := expSumColsF32NEON(dst, x, m, s, n, width, stride)
	if done < width {
		expSumColsF32Generic(dst[done:], x[done:], m[done:], s[done:], n, width-done, stride)
	}
}

func sumExpColsF32NEONWrap(x, m, s []float32, n, width, stride int) {
	if n <= 0 || width <= 0 {
		sumExpColsF32Generic(x, m, s, n, width, stride)
		return
	}
	checkCols(x, n, width, stride, m, s)
	done := sumExpColsF32NEON(x, m, s, n, width, stride)
	if done < width {
		sumExpColsF32Generic(x[done:], m[done:], s[done:], n, width-done, stride)
	}
}

func scaleColsF32NEONWrap(x, s []float32, n, width, stride int) {
	if n <= 0 || width <= 0 {
		return
	}
	checkCols(x, n, width, stride, s)
	done := scaleColsF32NEON(x, s, n, width, stride)
	if done < width {
		scaleColsF32Generic(x[done:], s[done:], n, width-done, stride)
	}
}

func shiftColsF32NEONWrap(dst, x, a, b []float32, n, width, stride int) {
	if n <= 0 || width <= 0 {
		return
	}
	checkCols(x, n, width, stride, a, b)
	checkCols(dst, n, width, stride)
	done := shiftColsF32NEON(dst, x, a, b, n, width, stride)
	if done < width {
		shiftColsF32Generic(dst[done:], x[done:], a[done:], b[done:], n, width-done, stride)
	}
}

// ---- float64 ----
//
// The float64 kernels mirror the float32 ones with 2 lanes: done is
// len(x) &^ 1, or width &^ 1 columns, and sums accumulate in float64 in
// the assembly as in the reference (per column in the same row order).

// maxF64NEON returns the largest of x[:done] (and m = 0 when done = 0),
// with FMAX: a NaN in x makes m NaN.
//
//go:noescape
func maxF64NEON(x []float64) (m float64, done int)

// expSumF64NEON computes dst[i] = exp(x[i] - m); s += dst[i] for i < done.
// len(dst) >= len(x).
//
//go:noescape
func expSumF64NEON(dst, x []float64, m float64) (s float64, done int)

// sumExpF64NEON computes s += exp(x[i] - m) for i < done.
//
//go:noescape
func sumExpF64NEON(x []float64, m float64) (s float64, done int)

// expF64NEON computes dst[i] = exp(x[i]) for i < done. len(dst) >= len(x).
//
//go:noescape
func expF64NEON(dst, x []float64) (done int)

// scaleF64NEON computes x[i] *= s for i < done.
//
//go:noescape
func scaleF64NEON(x []float64, s float64) (done int)

// shiftF64NEON computes dst[i] = (x[i] - a) - b for i < done.
// len(dst) >= len(x).
//
//go:noescape
func shiftF64NEON(dst, x []float64, a, b float64) (done int)

// maxColsF64NEON computes m[j] = max over i < n of x[i*stride+j] for
// j < done (done = 0 if n < 1), with FMAX.
//
//go:noescape
func maxColsF64NEON(m, x []float64, n, width, stride int) (done int)

// expSumColsF64NEON computes, for j < done,
//
//	s[j] = 0; for i := 0; i < n; i++ { e := exp(x[i*stride+j] - m[j]); dst[i*stride+j] = e; s[j] += e }
//
//go:noescape
func expSumColsF64NEON(dst, x, m, s []float64, n, width, stride int) (done int)

// sumExpColsF64NEON is expSumColsF64NEON without the stores to dst.
//
//go:noescape
func sumExpColsF64NEON(x, m, s []float64, n, width, stride int) (done int)

// scaleColsF64NEON computes x[i*stride+j] *= s[j] for i < n, j < done.
//
//go:noescape
func scaleColsF64NEON(x, s []float64, n, width, stride int) (done int)

// shiftColsF64NEON computes dst[i*stride+j] = (x[i*stride+j] - a[j]) - b[j]
// for i < n, j < done.
//
//go:noescape
func shiftColsF64NEON(dst, x, a, b []float64, n, width, stride int) (done int)

func maxF64NEONWrap(x []float64) float64 {
	m, done := maxF64NEON(x)
	if done == 0 {
		return maxF64Generic(x)
	}
	for _, v := range x[done:] {
		if v > m {
			m = v
		}
	}
	return m
}

func expSumF64NEONWrap(dst, x []float64, m float64) float64 {
	dst = dst[:len(x)]
	s, done := expSumF64NEON(dst, x, m)
	return s + expSumF64Generic(dst[done:], x[done:], m)
}

func sumExpF64NEONWrap(x []float64, m float64) float64 {
	s, done := sumExpF64NEON(x, m)
	return s + sumExpF64Generic(x[done:], m)
}

func scaleF64NEONWrap(x []float64, s float64) {
	done := scaleF64NEON(x, s)
	scaleF64Generic(x[done:], s)
}

func shiftF64NEONWrap(dst, x []float64, a, b float64) {
	dst = dst[:len(x)]
	done := shiftF64NEON(dst, x, a, b)
	shiftF64Generic(dst[done:], x[done:], a, b)
}

func expF64NEONWrap(dst, x []float64) {
	dst = dst[:len(x)]
	done := expF64NEON(dst, x)
	expF64Generic(dst[done:], x[done:])
}

func maxColsF64NEONWrap(m, x []float64, n, width, stride int) {
	if n <= 0 || width <= 0 {
		maxColsF64Generic(m, x, n, width, stride)
		return
	}
	checkCols(x, n, width, stride, m)
	done := maxColsF64NEON(m, x, n, width, stride)
	if done < width {
		maxColsF64Generic(m[done:], x[done:], n, width-done, stride)
	}
}

func expSumColsF64NEONWrap(dst, x, m, s []float64, n, width, stride int) {
	if n <= 0 || width <= 0 {
		expSumColsF64Generic(dst, x, m, s, n, width, stride)
		return
	}
	checkCols(x, n, width, stride, m, s)
	checkCols(dst, n, width, stride)
	done := expSumColsF64NEON(dst, x, m, s, n, width, stride)
	if done < width {
		expSumColsF64Generic(dst[done:], x[done:], m[done:], s[done:], n, width-done, stride)
	}
}

func sumExpColsF64NEONWrap(x, m, s []float64, n, width, stride int) {
	if n <= 0 || width <= 0 {
		sumExpColsF64Generic(x, m, s, n, width, stride)
		return
	}
	checkCols(x, n, width, stride, m, s)
	done := sumExpColsF64NEON(x, m, s, n, width, stride)
	if done < width {
		sumExpColsF64Generic(x[done:], m[done:], s[done:], n, width-done, stride)
	}
}

func scaleColsF64NEONWrap(x, s []float64, n, width, stride int) {
	if n <= 0 || width <= 0 {
		return
	}
	checkCols(x, n, width, stride, s)
	done := scaleColsF64NEON(x, s, n, width, stride)
	if done < width {
		scaleColsF64Generic(x[done:], s[done:], n, width-done, stride)
	}
}

func shiftColsF64NEONWrap(dst, x, a, b []float64, n, width, stride int) {
	if n <= 0 || width <= 0 {
		return
	}
	checkCols(x, n, width, stride, a, b)
	checkCols(dst, n, width, stride)
	done := shiftColsF64NEON(dst, x, a, b, n, width, stride)
	if done < width {
		shiftColsF64Generic(dst[done:], x[done:], a[done:], b[done:], n, width-done, stride)
	}
}

// sgemmMicroNEON is SgemmMicroF32 for a 4×16 tile (sgemm_arm64.s, from
// _gen/neon/sgemm_arm64.s.in). The tile is whole vectors wide, so there
// is no tail.
func sgemmMicroNEON(kc int, a, b, c []float32, ldc int) {
	sgemmCheck(kc, a, b, c, ldc, 4, 16)
	if kc == 0 {
		return
	}
	sgemm4x16NEON(kc, &a[0], &b[0], &c[0], ldc, 0)
}

// sgemmMicroStoreNEON is SgemmMicroStoreF32 for a 4×16 tile.
func sgemmMicroStoreNEON(kc int, a, b, c []float32, ldc int) {
	sgemmCheck(kc, a, b, c, ldc, 4, 16)
	if kc == 0 {
		sgemmClearTile(c, ldc, 4, 16)
		return
	}
	sgemm4x16NEON(kc, &a[0], &b[0], &c[0], ldc, 1)
}

// sgemm4x16NEON computes, with kc >= 1 and fused multiply-adds,
//
//	for p := range kc { for i := range 4 { for j := range 16 { c[i*ldc+j] += a[p*4+i] * b[p*16+j] } } }
//
// where a, b and c point at the first elements of the packed panels and
// the tile. With store != 0 the sums start from zero instead of from C,
// and C is not read.
//
//go:noescape
func sgemm4x16NEON(kc int, a, b, c *float32, ldc int, store int)
