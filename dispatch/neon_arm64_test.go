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
//   - MaxF32, ScaleF32, ShiftF32 and their column forms do the same IEEE
//     operations as the reference, so results must be equal (NaN matching
//     NaN, and for max +0 matching -0, which FMAX may order differently).
//   - exp: the reference is math.Exp rounded once (within 0.5 ULP plus
//     float64 error); the NEON exp measures under 1.02 ULP from the exact
//     value (TestNEONExpULP), so the two may differ by up to 2 ULP.
//   - sums of exp: every term is positive and within 2 ULP (2^-22
//     relative), both sides accumulate in float64 and round once, so the
//     sums agree to 2^-22 plus one float32 rounding: 3e-7 relative.

const (
	neonExpULPLimit = 2
	neonSumRelTol   = 3e-7
)

// neonTable returns the NEON table.
func neonTable(t *testing.T) *Kernels {
	t.Helper()
	k, err := ForLevel(NEON)
	if err != nil {
		t.Fatal(err)
	}
	if k.Level != NEON {
		t.Fatalf("table level %s, want neon", k.Level)
	}
	return k
}

// neonUlps returns how many float32 ULPs (of want) got is from want, a float64
// value; 0 if both are the same infinity or both NaN, +Inf if only one is.
// Below the normal range the ULP is the subnormal spacing 2^-149.
func neonUlps(got float32, want float64) float64 {
	g := float64(got)
	if w32 := float64(float32(want)); math.IsInf(w32, 0) {
		want = w32 // past the float32 range: the right answer is ±Inf
	}
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
	ulp := math.Ldexp(1, -149)
	if w >= math.Ldexp(1, -126) {
		_, e := math.Frexp(w) // w = f·2^e, f in [0.5, 1)
		ulp = math.Ldexp(1, e-24)
	}
	return math.Abs(g-want) / ulp
}

// neonSameF32 reports whether a and b are equal or both NaN.
func neonSameF32(a, b float32) bool { return a == b || (a != a && b != b) }

var neonEdgeValues = []float32{
	0, float32(math.Copysign(0, -1)), 1, -1, 0.5, -0.5,
	float32(math.NaN()), float32(math.Inf(1)), float32(math.Inf(-1)),
	88, 88.72, 88.73, 89, 100, 1e4, -1e4, -87, -88, -100, -103.97, -103.98, -104, -150,
	math.MaxFloat32, -math.MaxFloat32, math.SmallestNonzeroFloat32, 1e-30, -1e-30,
}

// neonRandVec returns n values: mostly uniform in [-lim, lim], with an edge
// value now and then when edges is set.
func neonRandVec(r *rand.Rand, n int, lim float32, edges bool) []float32 {
	v := make([]float32, n)
	for i := range v {
		if edges && r.IntN(8) == 0 {
			v[i] = neonEdgeValues[r.IntN(len(neonEdgeValues))]
			continue
		}
		v[i] = (2*r.Float32() - 1) * lim
	}
	return v
}

// neonGuarded returns a slice holding v at offset off inside a buffer with
// guard NaNs on both sides, and a function that fails the test if a guard
// changed.
func neonGuarded(t *testing.T, v []float32, off int) ([]float32, func()) {
	t.Helper()
	const g = 5
	buf := make([]float32, off+len(v)+2*g)
	guard := math.Float32frombits(0x7fc0dead) // a NaN with a payload
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
			if math.Float32bits(x) != 0x7fc0dead {
				t.Fatalf("guard element %d (buffer start %d, length %d) overwritten: %v", i, off+g, len(v), x)
			}
		}
	}
}

func neonNewRand(t *testing.T) *rand.Rand {
	seed := uint64(0x5eed0f00d)
	t.Logf("seed %#x", seed)
	return rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
}

var neonRowLengths = func() []int {
	var ls []int
	for n := 0; n <= 40; n++ {
		ls = append(ls, n)
	}
	return append(ls, 1000)
}()

// TestNEONExpULP measures the NEON exp against float64 math.Exp over a dense
// sweep of [-104, 0], a sweep of (0, 89] and the edge values, and checks
// the special cases the reference has.
func TestNEONExpULP(t *testing.T) {
	k := neonTable(t)
	var xs []float32
	// Every 61st float32 in [-104, -2^-20]: about 290k values covering
	// every binade, including the results that come out subnormal.
	for b := math.Float32bits(-104); b >= math.Float32bits(-0x1p-20); b -= 61 {
		xs = append(xs, math.Float32frombits(b))
	}
	for i := 0; i <= 1<<16; i++ {
		xs = append(xs, -104*float32(i)/(1<<16), 89*float32(i)/(1<<16))
	}
	xs = append(xs, neonEdgeValues...)
	got := make([]float32, len(xs))
	k.ExpF32(got, xs)
	worst, worstX := 0.0, float32(0)
	for i, x := range xs {
		e := neonUlps(got[i], math.Exp(float64(x)))
		if e > worst {
			worst, worstX = e, x
		}
	}
	t.Logf("NEON exp: max error %.3f ULP (at x = %g) over %d inputs", worst, worstX, len(xs))
	if worst > 1.5 {
		t.Errorf("NEON exp error %.3f ULP at x = %g, want <= 1.5", worst, worstX)
	}

	cases := []struct {
		x    float32
		want func(float32) bool
		desc string
	}{
		{-100, func(y float32) bool { return math.Abs(float64(y)-3.7835e-44) < 2e-45 }, "≈ 3.78e-44 (subnormal)"},
		{-103.9, func(y float32) bool { return y > 0 }, "> 0"},
		{-103.99, func(y float32) bool { return y == 0 }, "0"},
		{-1000, func(y float32) bool { return y == 0 }, "0"},
		{float32(math.Inf(-1)), func(y float32) bool { return y == 0 && !math.Signbit(float64(y)) }, "+0"},
		{float32(math.NaN()), func(y float32) bool { return y != y }, "NaN"},
		{88.7, func(y float32) bool { return !math.IsInf(float64(y), 0) && y > 3e38 }, "finite, > 3e38"},
		{88.73, func(y float32) bool { return math.IsInf(float64(y), 1) }, "+Inf"},
		{1e4, func(y float32) bool { return math.IsInf(float64(y), 1) }, "+Inf"},
		{float32(math.Inf(1)), func(y float32) bool { return math.IsInf(float64(y), 1) }, "+Inf"},
		{0, func(y float32) bool { return y == 1 }, "1"},
		{float32(math.Copysign(0, -1)), func(y float32) bool { return y == 1 }, "1"},
	}
	for _, c := range cases {
		// Put the value in every lane position of a full vector and in the
		// scalar tail.
		for pos := 0; pos < 5; pos++ {
			x := []float32{1, 1, 1, 1, 1}
			x[pos] = c.x
			y := make([]float32, len(x))
			k.ExpF32(y, x)
			if !c.want(y[pos]) {
				t.Errorf("exp(%g) in lane %d = %g, want %s", c.x, pos, y[pos], c.desc)
			}
		}
	}
}

func TestNEONRows(t *testing.T) {
	k, g := neonTable(t), Generic()
	r := neonNewRand(t)
	for _, n := range neonRowLengths {
		for off := 0; off < 2; off++ {
			for _, edges := range []bool{false, true} {
				name := fmt.Sprintf("n=%d/off=%d/edges=%v", n, off, edges)
				in := neonRandVec(r, n, 30, edges)
				t.Run(name, func(t *testing.T) { neonCheckRows(t, k, g, in, off) })
			}
		}
	}
	// All-equal rows and rows whose max is at either end.
	for _, n := range []int{1, 4, 7, 8, 9, 33} {
		eq := make([]float32, n)
		for i := range eq {
			eq[i] = 3.25
		}
		t.Run(fmt.Sprintf("equal/n=%d", n), func(t *testing.T) { neonCheckRows(t, k, g, eq, 0) })
		ramp := make([]float32, n)
		for i := range ramp {
			ramp[i] = float32(i) - 5
		}
		t.Run(fmt.Sprintf("ramp/n=%d", n), func(t *testing.T) { neonCheckRows(t, k, g, ramp, 1) })
	}
}

func neonCheckRows(t *testing.T, k, g *Kernels, in []float32, off int) {
	n := len(in)
	x, checkX := neonGuarded(t, in, off)
	unchanged := func(what string) {
		t.Helper()
		checkX()
		for i := range x {
			if math.Float32bits(x[i]) != math.Float32bits(in[i]) {
				t.Fatalf("%s changed its input at %d: %v -> %v", what, i, in[i], x[i])
			}
		}
	}

	m := float32(0.75)
	if n > 0 {
		got, want := k.MaxF32(x), g.MaxF32(in)
		unchanged("MaxF32")
		hasNaN := false
		for _, v := range in {
			hasNaN = hasNaN || v != v
		}
		if !(got == want || (hasNaN && got != got)) {
			t.Errorf("MaxF32 = %v, want %v", got, want)
		}
		if want == want && !math.IsInf(float64(want), 0) {
			m = want
		}
	}

	// ExpSumF32, out of place and in place.
	want := make([]float32, n)
	wantS := g.ExpSumF32(want, in, m)
	dst, checkDst := neonGuarded(t, make([]float32, n), 1-off)
	gotS := k.ExpSumF32(dst, x, m)
	unchanged("ExpSumF32")
	checkDst()
	neonCheckExp(t, "ExpSumF32", dst, want)
	neonCheckSum(t, "ExpSumF32", gotS, wantS)
	if s := k.SumExpF32(x, m); !neonSumOK(s, wantS) {
		t.Errorf("SumExpF32 = %v, want %v", s, wantS)
	}
	unchanged("SumExpF32")
	inPlace, checkIP := neonGuarded(t, in, off)
	gotS = k.ExpSumF32(inPlace, inPlace, m)
	checkIP()
	neonCheckExp(t, "ExpSumF32 in place", inPlace, want)
	neonCheckSum(t, "ExpSumF32 in place", gotS, wantS)

	// ExpF32.
	g.ExpF32(want, in)
	k.ExpF32(dst, x)
	unchanged("ExpF32")
	checkDst()
	neonCheckExp(t, "ExpF32", dst, want)

	// ShiftF32, out of place and in place: exact.
	a, b := float32(1.5), float32(-0.25)
	g.ShiftF32(want, in, a, b)
	k.ShiftF32(dst, x, a, b)
	unchanged("ShiftF32")
	checkDst()
	neonCheckExact(t, "ShiftF32", dst, want)
	copy(inPlace, in)
	k.ShiftF32(inPlace, inPlace, a, b)
	checkIP()
	neonCheckExact(t, "ShiftF32 in place", inPlace, want)

	// ScaleF32 (in place by definition): exact.
	copy(want, in)
	g.ScaleF32(want, 0.3)
	copy(inPlace, in)
	k.ScaleF32(inPlace, 0.3)
	checkIP()
	neonCheckExact(t, "ScaleF32", inPlace, want)
}

func neonSumOK(got, want float32) bool {
	if want != want || got != got {
		return want != want && got != got
	}
	if math.IsInf(float64(want), 0) {
		return got == want
	}
	return math.Abs(float64(got)-float64(want)) <= neonSumRelTol*math.Abs(float64(want))
}

func neonCheckSum(t *testing.T, what string, got, want float32) {
	t.Helper()
	if !neonSumOK(got, want) {
		t.Errorf("%s sum = %v, want %v (relative tolerance %g)", what, got, want, neonSumRelTol)
	}
}

func neonCheckExp(t *testing.T, what string, got, want []float32) {
	t.Helper()
	for i := range want {
		if e := neonUlps(got[i], float64(want[i])); e > neonExpULPLimit {
			t.Fatalf("%s[%d] = %v, want %v (%.2f ULP apart, limit %d)", what, i, got[i], want[i], e, neonExpULPLimit)
		}
	}
}

func neonCheckExact(t *testing.T, what string, got, want []float32) {
	t.Helper()
	for i := range want {
		if !neonSameF32(got[i], want[i]) {
			t.Fatalf("%s[%d] = %v, want %v", what, i, got[i], want[i])
		}
	}
}

func TestNEONCols(t *testing.T) {
	k, g := neonTable(t), Generic()
	r := neonNewRand(t)
	widths := []int{0, 1, 3, 4, 5, 7, 8, 9, 12, 15, 16, 17, 20, 24, 31, 32, 33, 40, 100}
	for _, n := range []int{0, 1, 2, 3, 5, 9} {
		for _, width := range widths {
			for _, pad := range []int{0, 3} {
				for _, edges := range []bool{false, true} {
					stride := width + pad
					size := 0
					if n > 0 {
						size = (n-1)*stride + width
					}
					in := neonRandVec(r, size, 30, edges)
					name := fmt.Sprintf("n=%d/width=%d/stride=%d/edges=%v", n, width, stride, edges)
					t.Run(name, func(t *testing.T) { neonCheckCols(t, k, g, in, n, width, stride) })
				}
			}
		}
	}
}

func neonCheckCols(t *testing.T, k, g *Kernels, in []float32, n, width, stride int) {
	x, checkX := neonGuarded(t, in, 1)
	unchanged := func(what string) {
		t.Helper()
		checkX()
		for i := range x {
			if math.Float32bits(x[i]) != math.Float32bits(in[i]) {
				t.Fatalf("%s changed its input at %d: %v -> %v", what, i, in[i], x[i])
			}
		}
	}
	vec := func() ([]float32, func()) { return neonGuarded(t, make([]float32, width), 0) }

	// MaxColsF32.
	wantM := make([]float32, width)
	g.MaxColsF32(wantM, in, n, width, stride)
	m, checkM := vec()
	k.MaxColsF32(m, x, n, width, stride)
	unchanged("MaxColsF32")
	checkM()
	for j := range wantM {
		colNaN := false
		for i := 0; i < n; i++ {
			colNaN = colNaN || in[i*stride+j] != in[i*stride+j]
		}
		if !(m[j] == wantM[j] || (colNaN && m[j] != m[j])) {
			t.Fatalf("MaxColsF32 m[%d] = %v, want %v", j, m[j], wantM[j])
		}
	}
	// Use a finite max per column for the exp kernels, as Softmax does.
	for j := range m {
		if m[j] != m[j] || math.IsInf(float64(m[j]), 0) {
			m[j] = 0.5
		}
	}
	mRef := append([]float32(nil), m...)

	// ExpSumColsF32, out of place and in place, and SumExpColsF32.
	want := make([]float32, len(in))
	copy(want, in) // elements between rows keep their values
	wantS := make([]float32, width)
	g.ExpSumColsF32(want, in, mRef, wantS, n, width, stride)
	dst, checkDst := neonGuarded(t, in, 0)
	s, checkS := vec()
	k.ExpSumColsF32(dst, x, m, s, n, width, stride)
	unchanged("ExpSumColsF32")
	checkDst()
	checkS()
	neonCheckExp(t, "ExpSumColsF32", dst, want)
	for j := range wantS {
		neonCheckSum(t, fmt.Sprintf("ExpSumColsF32 column %d", j), s[j], wantS[j])
	}
	s2, checkS2 := vec()
	k.SumExpColsF32(x, m, s2, n, width, stride)
	unchanged("SumExpColsF32")
	checkS2()
	for j := range wantS {
		neonCheckSum(t, fmt.Sprintf("SumExpColsF32 column %d", j), s2[j], wantS[j])
	}
	ip, checkIP := neonGuarded(t, in, 1)
	k.ExpSumColsF32(ip, ip, m, s, n, width, stride)
	checkIP()
	neonCheckExp(t, "ExpSumColsF32 in place", ip, want)

	// ShiftColsF32 and ScaleColsF32: exact.
	a, b := make([]float32, width), make([]float32, width)
	for j := range a {
		a[j], b[j] = float32(j)*0.5-3, float32(j%5)*-0.125
	}
	copy(want, in)
	g.ShiftColsF32(want, in, a, b, n, width, stride)
	copy(dst, in)
	k.ShiftColsF32(dst, x, a, b, n, width, stride)
	unchanged("ShiftColsF32")
	checkDst()
	neonCheckExact(t, "ShiftColsF32", dst, want)
	copy(ip, in)
	k.ShiftColsF32(ip, ip, a, b, n, width, stride)
	checkIP()
	neonCheckExact(t, "ShiftColsF32 in place", ip, want)

	copy(want, in)
	g.ScaleColsF32(want, a, n, width, stride)
	copy(ip, in)
	k.ScaleColsF32(ip, a, n, width, stride)
	checkIP()
	neonCheckExact(t, "ScaleColsF32", ip, want)
}

// TestNEONColsSubSlice checks that a column kernel given a sub-slice and a
// smaller width (how a caller splits one block's columns between
// goroutines) touches only its own columns.
func TestNEONColsSubSlice(t *testing.T) {
	k := neonTable(t)
	const n, stride = 3, 21
	x := make([]float32, (n-1)*stride+stride)
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
