//go:build arm64 && !purego

package dispatch

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// These tests compare every NEON entry with the reference of generic.go on
// the same inputs. Off arm64 hardware they run under emulation:
//
//	GOARCH=arm64 go test -exec qemu-aarch64-static ./dispatch/
//
// Tolerances:
//   - Max, Scale, Shift and their column forms do the same IEEE operations
//     as the reference, so results must be equal (NaN matching NaN, and for
//     max +0 matching -0, which FMAX may order differently).
//   - exp: the float32 reference is math.Exp rounded once (within 0.5 ULP
//     plus float64 error) and the NEON exp is at most 1.028 ULP from float64
//     math.Exp and one float32 step from the reference over every float32
//     (measured on its bit-exact Go model, neon_model_test.go); the
//     float64 reference is math.Exp (under 1 ULP) and the NEON one measures
//     within 1 ULP of it. So the two may differ by up to 2 ULP.
//   - sums of exp: every term is positive and within 2 ULP. float32 sums
//     accumulate in float64 on both sides and round once, so they agree to
//     2·2^-23 plus one float32 rounding: 3e-7 relative. float64 sums are
//     accumulated in a different order (lanes vs one sequence); for the
//     at most 1000 terms here each order is within 1000·2^-53 ≈ 1.1e-13 of
//     the exact sum, so 1e-12 relative covers both orders and the terms.

const neonExpULPLimit = 2

type neonFloat interface{ ~float32 | ~float64 }

// neonKernels holds the entries of one element type.
type neonKernels[T neonFloat] struct {
	Max        func(x []T) T
	ExpSum     func(dst, x []T, m T) T
	SumExp     func(x []T, m T) T
	Scale      func(x []T, s T)
	Shift      func(dst, x []T, a, b T)
	Exp        func(dst, x []T)
	MaxCols    func(m, x []T, n, width, stride int)
	ExpSumCols func(dst, x, m, s []T, n, width, stride int)
	SumExpCols func(x, m, s []T, n, width, stride int)
	ScaleCols  func(x, s []T, n, width, stride int)
	ShiftCols  func(dst, x, a, b []T, n, width, stride int)
}

func neonF32(k *Kernels) neonKernels[float32] {
	return neonKernels[float32]{k.MaxF32, k.ExpSumF32, k.SumExpF32, k.ScaleF32, k.ShiftF32, k.ExpF32,
		k.MaxColsF32, k.ExpSumColsF32, k.SumExpColsF32, k.ScaleColsF32, k.ShiftColsF32}
}

func neonF64(k *Kernels) neonKernels[float64] {
	return neonKernels[float64]{k.MaxF64, k.ExpSumF64, k.SumExpF64, k.ScaleF64, k.ShiftF64, k.ExpF64,
		k.MaxColsF64, k.ExpSumColsF64, k.SumExpColsF64, k.ScaleColsF64, k.ShiftColsF64}
}

// neonTable returns the NEON table and checks every entry came from it.
func neonTable(t *testing.T) *Kernels {
	t.Helper()
	k, err := ForLevel(NEON)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range k.Entries() {
		if e.Name == "ClampF32" {
			continue // NEON FMAX/FMIN order zeros by sign: the reference serves
		}
		if e.Level != NEON {
			t.Errorf("entry %s comes from %s, want neon", e.Name, e.Level)
		}
	}
	return k
}

func is64[T neonFloat]() bool { var z T; return any(z) != any(float32(0)) }

// neonUlps returns how many ULPs of T (measured at want) got is from want;
// 0 if both are the same infinity or both NaN, +Inf if only one is. Below
// the normal range the ULP is the subnormal spacing.
func neonUlps[T neonFloat](got T, want float64) float64 {
	mant, minExp := 24, -126
	if is64[T]() {
		mant, minExp = 53, -1022
	}
	if w := float64(T(want)); math.IsInf(w, 0) {
		want = w // past the range of T: the right answer is ±Inf
	}
	g := float64(got)
	switch {
	case math.IsNaN(g) || math.IsNaN(want):
		if math.IsNaN(g) && math.IsNaN(want) {
			return 0
		}
		return math.Inf(1)
	case math.IsInf(want, 0) || math.IsInf(g, 0):
		if g == want {
			return 0
		}
		return math.Inf(1)
	}
	w := math.Abs(want)
	ulp := math.Ldexp(1, minExp-mant+1)
	if w >= math.Ldexp(1, minExp) {
		_, e := math.Frexp(w) // w = f·2^e, f in [0.5, 1)
		ulp = math.Ldexp(1, e-mant)
	}
	return math.Abs(g-want) / ulp
}

// neonSame reports whether a and b are equal or both NaN.
func neonSame[T neonFloat](a, b T) bool { return a == b || (a != a && b != b) }

func neonEdgeValues[T neonFloat]() []T {
	v := []float64{
		0, math.Copysign(0, -1), 1, -1, 0.5, -0.5, math.NaN(), math.Inf(1), math.Inf(-1),
		88, 88.72, 88.73, 89, 100, 1e4, -1e4, -87, -88, -100, -103.97, -103.98, -104, -150,
		math.MaxFloat32, -math.MaxFloat32, math.SmallestNonzeroFloat32, 1e-30, -1e-30,
	}
	if is64[T]() {
		v = append(v, 709.78, 709.79, 710, -708.4, -745.1, -745.2, -746, -800,
			math.MaxFloat64, -math.MaxFloat64, math.SmallestNonzeroFloat64)
	}
	out := make([]T, len(v))
	for i, x := range v {
		out[i] = T(x)
	}
	return out
}

// neonRandVec returns n values: mostly uniform in [-lim, lim], with an
// edge value now and then when edges is set.
func neonRandVec[T neonFloat](r *rand.Rand, n int, lim float64, edges bool) []T {
	ev := neonEdgeValues[T]()
	v := make([]T, n)
	for i := range v {
		if edges && r.IntN(8) == 0 {
			v[i] = ev[r.IntN(len(ev))]
			continue
		}
		v[i] = T((2*r.Float64() - 1) * lim)
	}
	return v
}

// neonGuarded returns a slice holding v at offset off inside a buffer with
// guard NaNs on both sides, and a function that fails the test if a guard
// changed.
func neonGuarded[T neonFloat](t *testing.T, v []T, off int) ([]T, func()) {
	t.Helper()
	const g = 5
	buf := make([]T, off+len(v)+2*g)
	guard := neonGuardNaN[T]()
	for i := range buf {
		buf[i] = guard
	}
	s := buf[off+g : off+g+len(v) : off+g+len(v)]
	copy(s, v)
	return s, func() {
		t.Helper()
		for i, x := range buf {
			if i >= off+g && i < off+g+len(v) {
				continue
			}
			if !neonIsGuard(x) {
				t.Fatalf("guard element %d (buffer start %d, length %d) overwritten: %v", i, off+g, len(v), x)
			}
		}
	}
}

// neonGuardNaN is a NaN with a payload no arithmetic produces.
func neonGuardNaN[T neonFloat]() T {
	var z T
	switch p := any(&z).(type) {
	case *float32:
		*p = math.Float32frombits(0x7fc0dead)
	case *float64:
		*p = math.Float64frombits(0x7ff800000000dead)
	}
	return z
}

func neonIsGuard[T neonFloat](x T) bool {
	switch v := any(x).(type) {
	case float32:
		return math.Float32bits(v) == 0x7fc0dead
	case float64:
		return math.Float64bits(v) == 0x7ff800000000dead
	}
	return false
}

func neonNewRand(t *testing.T) *rand.Rand {
	seed := uint64(0x5eed0f00d)
	t.Logf("seed %#x", seed)
	return rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
}

// TestNEONExpULP measures the NEON exp against float64 math.Exp over dense
// sweeps of the range where the result is finite and nonzero, and checks
// the special cases the reference has.
func TestNEONExpULP(t *testing.T) {
	k := neonTable(t)
	t.Run("float32", func(t *testing.T) {
		var xs []float32
		// Every 61st float32 in [-104, -2^-20]: about 3.7 million values
		// covering every binade, including results that come out subnormal.
		for b := math.Float32bits(-104); b >= math.Float32bits(-0x1p-20); b -= 61 {
			xs = append(xs, math.Float32frombits(b))
		}
		for i := 0; i <= 1<<16; i++ {
			xs = append(xs, -104*float32(i)/(1<<16), 89*float32(i)/(1<<16))
		}
		xs = append(xs, neonEdgeValues[float32]()...)
		neonExpSweep(t, k.ExpF32, xs, 1.5)
		// The kernel must be exactly its Go model (neon_model_test.go),
		// which TestNEONExpModelSweep measures over every float32.
		got := make([]float32, len(xs))
		k.ExpF32(got, xs[:len(xs)&^7]) // vector lanes only: the tail is the reference's
		for i, x := range xs[:len(xs)&^7] {
			if m := neonExp32Model(x); math.Float32bits(got[i]) != math.Float32bits(m) && !(m != m && got[i] != got[i]) {
				t.Fatalf("NEON exp(%v) = %v (%#x), model %v (%#x)", x, got[i], math.Float32bits(got[i]), m, math.Float32bits(m))
			}
		}
		neonExpCases(t, k.ExpF32, []neonExpCase{
			{-100, func(y float64) bool { return math.Abs(y-3.7835e-44) < 2e-45 }, "≈ 3.78e-44 (subnormal)"},
			{-103.9, func(y float64) bool { return y > 0 }, "> 0"},
			{-103.99, func(y float64) bool { return y == 0 }, "0"},
			{88.7, func(y float64) bool { return !math.IsInf(y, 0) && y > 3e38 }, "finite, > 3e38"},
			{88.73, func(y float64) bool { return math.IsInf(y, 1) }, "+Inf"},
		})
	})
	t.Run("float64", func(t *testing.T) {
		var xs []float64
		r := neonNewRand(t)
		for i := 0; i <= 1<<19; i++ {
			xs = append(xs, -746+1456*float64(i)/(1<<19)) // [-746, 710]
		}
		for i := 0; i < 1<<18; i++ {
			xs = append(xs, -math.Ldexp(1+r.Float64(), r.IntN(60)-50)) // every binade near 0
		}
		for i := 0; i < 1<<16; i++ {
			xs = append(xs, -745.2+r.Float64()*(745.2-708.3)) // subnormal results
		}
		xs = append(xs, neonEdgeValues[float64]()...)
		neonExpSweep(t, k.ExpF64, xs, 1.5)
		neonExpCases(t, k.ExpF64, []neonExpCase{
			{-740, func(y float64) bool { return y > 4e-322 && y < 5e-322 }, "≈ 4.2e-322 (subnormal)"},
			{-745.1, func(y float64) bool { return y == math.SmallestNonzeroFloat64 }, "2^-1074"},
			{-745.2, func(y float64) bool { return y == 0 }, "0"},
			{709.78, func(y float64) bool { return !math.IsInf(y, 0) && y > 1.7e308 }, "finite, > 1.7e308"},
			{709.79, func(y float64) bool { return math.IsInf(y, 1) }, "+Inf"},
		})
	})
}

func neonExpSweep[T neonFloat](t *testing.T, exp func(dst, x []T), xs []T, limit float64) {
	got := make([]T, len(xs))
	exp(got, xs)
	worst, worstX, worstNormal := 0.0, T(0), 0.0
	minNormal := math.Ldexp(1, -126)
	if is64[T]() {
		minNormal = math.Ldexp(1, -1022)
	}
	for i, x := range xs {
		want := math.Exp(float64(x))
		e := neonUlps(got[i], want)
		if e > worst {
			worst, worstX = e, x
		}
		if want >= minNormal {
			worstNormal = max(worstNormal, e)
		}
	}
	t.Logf("NEON exp: max error %.3f ULP against math.Exp (at x = %v; %.3f ULP where the result is normal) over %d inputs",
		worst, worstX, worstNormal, len(xs))
	if worst > limit {
		t.Errorf("NEON exp error %.3f ULP at x = %v, want <= %v", worst, worstX, limit)
	}
}

type neonExpCase struct {
	x    float64
	want func(float64) bool
	desc string
}

func neonExpCases[T neonFloat](t *testing.T, exp func(dst, x []T), extra []neonExpCase) {
	cases := append([]neonExpCase{
		{-1000, func(y float64) bool { return y == 0 }, "0"},
		{math.Inf(-1), func(y float64) bool { return y == 0 && !math.Signbit(y) }, "+0"},
		{math.NaN(), func(y float64) bool { return y != y }, "NaN"},
		{1e4, func(y float64) bool { return math.IsInf(y, 1) }, "+Inf"},
		{math.Inf(1), func(y float64) bool { return math.IsInf(y, 1) }, "+Inf"},
		{0, func(y float64) bool { return y == 1 }, "1"},
		{math.Copysign(0, -1), func(y float64) bool { return y == 1 }, "1"},
		{1, func(y float64) bool { return neonUlps(T(y), math.E) <= 1 }, "e within 1 ULP"},
	}, extra...)
	for _, c := range cases {
		// Put the value in every lane of a block of 8 elements, which the
		// vector code does whole. (A ninth element would be the reference's:
		// Go's math.Exp on arm64 returns 0 for x in (-745.13, -745.0],
		// where the NEON exp gives 2^-1074.)
		for pos := 0; pos < 8; pos++ {
			x := []T{1, 1, 1, 1, 1, 1, 1, 1}
			x[pos] = T(c.x)
			y := make([]T, len(x))
			exp(y, x)
			if !c.want(float64(y[pos])) {
				t.Errorf("exp(%v) at index %d = %v, want %s", c.x, pos, y[pos], c.desc)
			}
		}
	}
}

func TestNEONRows(t *testing.T) {
	k, g := neonTable(t), Generic()
	lengths := []int{}
	for n := 0; n <= 40; n++ {
		lengths = append(lengths, n)
	}
	lengths = append(lengths, 1000)
	t.Run("float32", func(t *testing.T) { neonRows(t, neonF32(k), neonF32(g), lengths, 3e-7) })
	t.Run("float64", func(t *testing.T) { neonRows(t, neonF64(k), neonF64(g), lengths, 1e-12) })
}

func neonRows[T neonFloat](t *testing.T, k, g neonKernels[T], lengths []int, sumTol float64) {
	r := neonNewRand(t)
	for _, n := range lengths {
		for off := 0; off < 2; off++ {
			for _, edges := range []bool{false, true} {
				in := neonRandVec[T](r, n, 30, edges)
				t.Run(fmt.Sprintf("n=%d/off=%d/edges=%v", n, off, edges), func(t *testing.T) {
					neonCheckRows(t, k, g, in, off, sumTol)
				})
			}
		}
	}
	// All-equal rows and a rising ramp (max at the end).
	for _, n := range []int{1, 2, 3, 4, 7, 8, 9, 33} {
		eq := make([]T, n)
		ramp := make([]T, n)
		for i := range eq {
			eq[i], ramp[i] = 3.25, T(i)-5
		}
		t.Run(fmt.Sprintf("equal/n=%d", n), func(t *testing.T) { neonCheckRows(t, k, g, eq, 0, sumTol) })
		t.Run(fmt.Sprintf("ramp/n=%d", n), func(t *testing.T) { neonCheckRows(t, k, g, ramp, 1, sumTol) })
	}
}

func neonCheckRows[T neonFloat](t *testing.T, k, g neonKernels[T], in []T, off int, sumTol float64) {
	n := len(in)
	x, checkX := neonGuarded(t, in, off)
	unchanged := func(what string) {
		t.Helper()
		checkX()
		for i := range x {
			if !neonSame(x[i], in[i]) {
				t.Fatalf("%s changed its input at %d: %v -> %v", what, i, in[i], x[i])
			}
		}
	}
	checkSum := func(what string, got, want T) {
		t.Helper()
		if !neonSumOK(got, want, sumTol) {
			t.Errorf("%s = %v, want %v (relative tolerance %g)", what, got, want, sumTol)
		}
	}

	m := T(0.75)
	if n > 0 {
		got, want := k.Max(x), g.Max(in)
		unchanged("Max")
		hasNaN := false
		for _, v := range in {
			hasNaN = hasNaN || v != v
		}
		if !(got == want || (hasNaN && got != got)) {
			t.Errorf("Max = %v, want %v", got, want)
		}
		if want == want && !math.IsInf(float64(want), 0) {
			m = want
		}
	}

	// ExpSum out of place and in place, SumExp.
	want := make([]T, n)
	wantS := g.ExpSum(want, in, m)
	dst, checkDst := neonGuarded(t, make([]T, n), 1-off)
	gotS := k.ExpSum(dst, x, m)
	unchanged("ExpSum")
	checkDst()
	neonCheckExp(t, "ExpSum", dst, want)
	checkSum("ExpSum sum", gotS, wantS)
	checkSum("SumExp", k.SumExp(x, m), wantS)
	unchanged("SumExp")
	inPlace, checkIP := neonGuarded(t, in, off)
	gotS = k.ExpSum(inPlace, inPlace, m)
	checkIP()
	neonCheckExp(t, "ExpSum in place", inPlace, want)
	checkSum("ExpSum in place sum", gotS, wantS)

	// Exp.
	g.Exp(want, in)
	k.Exp(dst, x)
	unchanged("Exp")
	checkDst()
	neonCheckExp(t, "Exp", dst, want)

	// Shift, out of place and in place: exact.
	a, b := T(1.5), T(-0.25)
	g.Shift(want, in, a, b)
	k.Shift(dst, x, a, b)
	unchanged("Shift")
	checkDst()
	neonCheckExact(t, "Shift", dst, want)
	copy(inPlace, in)
	k.Shift(inPlace, inPlace, a, b)
	checkIP()
	neonCheckExact(t, "Shift in place", inPlace, want)

	// Scale (in place by definition): exact.
	copy(want, in)
	g.Scale(want, 0.3)
	copy(inPlace, in)
	k.Scale(inPlace, 0.3)
	checkIP()
	neonCheckExact(t, "Scale", inPlace, want)
}

func neonSumOK[T neonFloat](got, want T, tol float64) bool {
	if want != want || got != got {
		return want != want && got != got
	}
	if math.IsInf(float64(want), 0) {
		return got == want
	}
	return math.Abs(float64(got)-float64(want)) <= tol*math.Abs(float64(want))
}

func neonCheckExp[T neonFloat](t *testing.T, what string, got, want []T) {
	t.Helper()
	for i := range want {
		if e := neonUlps(got[i], float64(want[i])); e > neonExpULPLimit {
			t.Fatalf("%s[%d] = %v, want %v (%.2f ULP apart, limit %d)", what, i, got[i], want[i], e, neonExpULPLimit)
		}
	}
}

func neonCheckExact[T neonFloat](t *testing.T, what string, got, want []T) {
	t.Helper()
	for i := range want {
		if !neonSame(got[i], want[i]) {
			t.Fatalf("%s[%d] = %v, want %v", what, i, got[i], want[i])
		}
	}
}

func TestNEONCols(t *testing.T) {
	k, g := neonTable(t), Generic()
	t.Run("float32", func(t *testing.T) { neonCols(t, neonF32(k), neonF32(g), 3e-7) })
	t.Run("float64", func(t *testing.T) { neonCols(t, neonF64(k), neonF64(g), 1e-12) })
}

func neonCols[T neonFloat](t *testing.T, k, g neonKernels[T], sumTol float64) {
	r := neonNewRand(t)
	widths := []int{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 12, 15, 16, 17, 20, 24, 31, 32, 33, 40, 100}
	for _, n := range []int{0, 1, 2, 3, 5, 9} {
		for _, width := range widths {
			for _, pad := range []int{0, 3, -width} {
				if pad == -width && (n != 1 || width == 0) {
					continue // stride 0 only makes sense for one row
				}
				for _, edges := range []bool{false, true} {
					stride := width + pad
					size := 0
					if n > 0 {
						size = (n-1)*stride + width
					}
					in := neonRandVec[T](r, size, 30, edges)
					name := fmt.Sprintf("n=%d/width=%d/stride=%d/edges=%v", n, width, stride, edges)
					t.Run(name, func(t *testing.T) { neonCheckCols(t, k, g, in, n, width, stride, sumTol) })
				}
			}
		}
	}
}

func neonCheckCols[T neonFloat](t *testing.T, k, g neonKernels[T], in []T, n, width, stride int, sumTol float64) {
	x, checkX := neonGuarded(t, in, 1)
	unchanged := func(what string) {
		t.Helper()
		checkX()
		for i := range x {
			if !neonSame(x[i], in[i]) {
				t.Fatalf("%s changed its input at %d: %v -> %v", what, i, in[i], x[i])
			}
		}
	}
	vec := func() ([]T, func()) { return neonGuarded(t, make([]T, width), 0) }
	checkSums := func(what string, got, want []T) {
		t.Helper()
		for j := range want {
			if !neonSumOK(got[j], want[j], sumTol) {
				t.Errorf("%s column %d = %v, want %v (relative tolerance %g)", what, j, got[j], want[j], sumTol)
			}
		}
	}

	// MaxCols.
	wantM := make([]T, width)
	g.MaxCols(wantM, in, n, width, stride)
	m, checkM := vec()
	k.MaxCols(m, x, n, width, stride)
	unchanged("MaxCols")
	checkM()
	for j := range wantM {
		colNaN := false
		for i := 0; i < n; i++ {
			colNaN = colNaN || in[i*stride+j] != in[i*stride+j]
		}
		if !(m[j] == wantM[j] || (colNaN && m[j] != m[j])) {
			t.Fatalf("MaxCols m[%d] = %v, want %v", j, m[j], wantM[j])
		}
	}
	// Use a finite max per column for the exp kernels, as Softmax does.
	for j := range m {
		if m[j] != m[j] || math.IsInf(float64(m[j]), 0) {
			m[j] = 0.5
		}
	}
	mRef := append([]T(nil), m...)

	// ExpSumCols out of place and in place, SumExpCols.
	want := append([]T(nil), in...) // elements between rows keep their values
	wantS := make([]T, width)
	g.ExpSumCols(want, in, mRef, wantS, n, width, stride)
	dst, checkDst := neonGuarded(t, in, 0)
	s, checkS := vec()
	k.ExpSumCols(dst, x, m, s, n, width, stride)
	unchanged("ExpSumCols")
	checkDst()
	checkS()
	neonCheckExp(t, "ExpSumCols", dst, want)
	checkSums("ExpSumCols", s, wantS)
	s2, checkS2 := vec()
	k.SumExpCols(x, m, s2, n, width, stride)
	unchanged("SumExpCols")
	checkS2()
	checkSums("SumExpCols", s2, wantS)
	ip, checkIP := neonGuarded(t, in, 1)
	k.ExpSumCols(ip, ip, m, s, n, width, stride)
	checkIP()
	neonCheckExp(t, "ExpSumCols in place", ip, want)

	// ShiftCols and ScaleCols: exact.
	a, b := make([]T, width), make([]T, width)
	for j := range a {
		a[j], b[j] = T(j)*0.5-3, T(j%5)*-0.125
	}
	copy(want, in)
	g.ShiftCols(want, in, a, b, n, width, stride)
	copy(dst, in)
	k.ShiftCols(dst, x, a, b, n, width, stride)
	unchanged("ShiftCols")
	checkDst()
	neonCheckExact(t, "ShiftCols", dst, want)
	copy(ip, in)
	k.ShiftCols(ip, ip, a, b, n, width, stride)
	checkIP()
	neonCheckExact(t, "ShiftCols in place", ip, want)

	copy(want, in)
	g.ScaleCols(want, a, n, width, stride)
	copy(ip, in)
	k.ScaleCols(ip, a, n, width, stride)
	checkIP()
	neonCheckExact(t, "ScaleCols", ip, want)
}

// TestNEONColsSubSlice checks that a column kernel given a sub-slice and a
// smaller width (how a caller splits one block's columns between
// goroutines) touches only its own columns.
func TestNEONColsSubSlice(t *testing.T) {
	k := neonTable(t)
	const n, stride = 3, 21
	x := make([]float32, n*stride)
	for i := range x {
		x[i] = float32(i%7) - 3
	}
	orig := append([]float32(nil), x...)
	lo, width := 5, 10 // columns 5..14
	s := make([]float32, stride)
	for j := range s {
		s[j] = 2
	}
	k.ScaleColsF32(x[lo:], s[lo:], n, width, stride)
	for i := 0; i < n; i++ {
		for j := 0; j < stride; j++ {
			v, o := x[i*stride+j], orig[i*stride+j]
			want := o
			if j >= lo && j < lo+width {
				want = 2 * o
			}
			if v != want {
				t.Fatalf("row %d column %d = %v, want %v", i, j, v, want)
			}
		}
	}
}

// BenchmarkNEONExpSumF32 only checks that the kernels run in a benchmark
// loop; under emulation the timings mean nothing.
func BenchmarkNEONExpSumF32(b *testing.B) {
	for _, lv := range []Level{GenericLevel, NEON} {
		k, err := ForLevel(lv)
		if err != nil {
			b.Fatal(err)
		}
		for _, n := range []int{7, 8, 1000} {
			x := make([]float32, n)
			for i := range x {
				x[i] = float32(i%17) * -0.5
			}
			dst := make([]float32, n)
			b.Run(fmt.Sprintf("%s/n=%d", lv, n), func(b *testing.B) {
				b.SetBytes(int64(8 * n))
				b.ReportAllocs()
				var s float32
				for b.Loop() {
					s += k.ExpSumF32(dst, x, 0)
				}
				neonBenchSink = s
			})
		}
	}
}

var neonBenchSink float32
