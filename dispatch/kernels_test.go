package dispatch_test

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/onnxrun/onnxrun/dispatch"
	"github.com/onnxrun/onnxrun/dispatch/dispatchtest"
)

// Tolerances against the reference (generic.go), which computes float32
// exp in float64 and sums in float64:
//   - Max, Scale, Shift and their column forms do the same IEEE operations
//     in every tier: results must be equal.
//   - exp: each element within expULP of the reference; the SIMD
//     exponential is within 1 ULP of correctly rounded exp (exp_test.go
//     sweeps every float32 to show it), and the reference is correctly
//     rounded except in double-rounding ties, so 1 ULP is the bound.
//   - sums of exp (positive terms): every term within 1 ULP (relative 2^-23
//     = 1.2e-7), the SIMD kernels add 4 vectors in float32 (2 roundings,
//     1.2e-7) before widening to float64, and the result is rounded to
//     float32 once (6e-8): at most 3e-7 relative however long the row, so
//     5e-7 has margin. float64 sums: a different summation order over up to
//     32000 terms, each within 1 ULP: 1e-13 relative.
//   - float64 exp: the SIMD exponential is within 1 ULP of the correctly
//     rounded value and math.Exp within 2 (TestExpF64Accuracy), so they
//     may be 3 ULP apart.
const (
	expULP   = 1
	expULP64 = 3
	sumRel32 = 5e-7
	sumRel64 = 1e-13
)

type float interface{ float32 | float64 }

// ops is one element type's view of a table.
type ops[T float] struct {
	max        func(x []T) T
	expSum     func(dst, x []T, m T) T
	sumExp     func(x []T, m T) T
	scale      func(x []T, s T)
	shift      func(dst, x []T, a, b T)
	exp        func(dst, x []T)
	maxCols    func(m, x []T, n, width, stride int)
	expSumCols func(dst, x, m, s []T, n, width, stride int)
	sumExpCols func(x, m, s []T, n, width, stride int)
	scaleCols  func(x, s []T, n, width, stride int)
	shiftCols  func(dst, x, a, b []T, n, width, stride int)

	guarded func(n, off int) []T
	check   func(t *testing.T, name string, s []T)
	ulp     func(a, b T) float64
	sumRel  float64
	expULP  float64
	tiny    float64 // the smallest subnormal
}

func ops32(k *dispatch.Kernels) ops[float32] {
	return ops[float32]{k.MaxF32, k.ExpSumF32, k.SumExpF32, k.ScaleF32, k.ShiftF32, k.ExpF32,
		k.MaxColsF32, k.ExpSumColsF32, k.SumExpColsF32, k.ScaleColsF32, k.ShiftColsF32,
		guarded32, checkGuards32, ulp32, sumRel32, expULP, math.SmallestNonzeroFloat32}
}

func ops64(k *dispatch.Kernels) ops[float64] {
	return ops[float64]{k.MaxF64, k.ExpSumF64, k.SumExpF64, k.ScaleF64, k.ShiftF64, k.ExpF64,
		k.MaxColsF64, k.ExpSumColsF64, k.SumExpColsF64, k.ScaleColsF64, k.ShiftColsF64,
		guarded64, checkGuards64, ulp64, sumRel64, expULP64, math.SmallestNonzeroFloat64}
}

// Data kinds: how a test vector is filled.
var kinds = []string{"normal", "wide", "large", "equal", "specials", "masked", "deep", "hot"}

func fill[T float](r *rand.Rand, kind string, x []T) {
	for i := range x {
		var v float64
		switch kind {
		case "normal":
			v = r.NormFloat64() * 3
		case "wide": // the whole range where float32 exp is finite and nonzero
			v = r.Float64()*200 - 110
		case "large": // test_softmax_large_number territory
			v = (r.Float64()*2 - 1) * 1e4
		case "equal":
			v = 3.5
		case "specials":
			v = r.NormFloat64() * 10
			switch r.IntN(8) {
			case 0:
				v = math.NaN()
			case 1:
				v = math.Inf(1)
			case 2:
				v = math.Inf(-1)
			case 3:
				v = math.Copysign(0, -1)
			}
		case "masked": // attention-style rows: many -Inf or -1e9 entries
			v = r.NormFloat64()
			switch r.IntN(3) {
			case 0:
				v = math.Inf(-1)
			case 1:
				v = -1e9
			}
		case "deep": // x - max lands where exp is subnormal
			v = -80 - r.Float64()*30
		case "hot": // past float32 exp overflow (ExpF32 sees these raw)
			v = 80 + r.Float64()*20
		}
		x[i] = T(v)
	}
}

// rowLengths covers 0..70 (every remainder around the widths 4, 8, 16, 32
// and 64 with unrolling) and a few long rows.
func rowLengths(short bool) []int {
	var ls []int
	for n := 0; n <= 70; n++ {
		ls = append(ls, n)
	}
	ls = append(ls, 127, 128, 129, 255, 1000)
	if !short {
		ls = append(ls, 4099, 32000)
	}
	return ls
}

func TestRowsF32(t *testing.T) {
	dispatchtest.ForEachImpl(t, func(t *testing.T, k *dispatch.Kernels) {
		testRows(t, ops32(dispatch.Generic()), ops32(k))
	})
}

func TestRowsF64(t *testing.T) {
	dispatchtest.ForEachImpl(t, func(t *testing.T, k *dispatch.Kernels) {
		testRows(t, ops64(dispatch.Generic()), ops64(k))
	})
}

func testRows[T float](t *testing.T, ref, got ops[T]) {
	r := testRand(t)
	for _, kind := range kinds {
		for _, n := range rowLengths(testing.Short() || raceEnabled) {
			for _, off := range []int{0, 1} {
				name := fmt.Sprintf("%s/n=%d/off=%d", kind, n, off)
				x := got.guarded(n, off)
				fill(r, kind, x)
				orig := slices.Clone(x)
				checkRow(t, name, ref, got, x)
				if !sameBits(x, orig) {
					t.Fatalf("%s: input changed", name)
				}
				got.check(t, name+"/x", x)
				if t.Failed() {
					return
				}
			}
		}
	}
}

func checkRow[T float](t *testing.T, name string, ref, got ops[T], x []T) {
	t.Helper()
	n := len(x)
	m := T(0)
	if n > 0 {
		gm, wm := got.max(x), ref.max(x)
		if !maxOK(x, gm, wm) {
			t.Fatalf("%s: Max = %v, reference %v", name, gm, wm)
		}
		m = wm
	}
	// Also an m that is not the maximum (exp(x - m) > 1).
	for _, mm := range []T{m, m - 3} {
		dst, want := got.guarded(n, 1), make([]T, n)
		ws := ref.expSum(want, x, mm)
		gs := got.expSum(dst, x, mm)
		for i := range dst {
			if u := got.ulp(dst[i], want[i]); u > got.expULP {
				t.Fatalf("%s: ExpSum(m=%v)[%d] = %v, reference %v (x %v, %v ULP)", name, mm, i, dst[i], want[i], x[i], u)
			}
		}
		if !sumClose(float64(gs), float64(ws), got.sumRel, n, got.tiny) {
			t.Fatalf("%s: ExpSum(m=%v) sum = %v, reference %v", name, mm, gs, ws)
		}
		got.check(t, name+"/expsum dst", dst)
		if s := got.sumExp(x, mm); !sumClose(float64(s), float64(ws), got.sumRel, n, got.tiny) {
			t.Fatalf("%s: SumExp(m=%v) = %v, reference %v", name, mm, s, ws)
		}
		// In place.
		in := slices.Clone(x)
		if s := got.expSum(in, in, mm); !sumClose(float64(s), float64(ws), got.sumRel, n, got.tiny) || !ulpAll(got, in, want) {
			t.Fatalf("%s: in-place ExpSum differs", name)
		}
	}

	dst, want := got.guarded(n, 0), make([]T, n)
	ref.exp(want, x)
	got.exp(dst, x)
	for i := range dst {
		if u := got.ulp(dst[i], want[i]); u > got.expULP {
			t.Fatalf("%s: Exp[%d] = %v, reference %v (x %v, %v ULP)", name, i, dst[i], want[i], x[i], u)
		}
	}
	got.check(t, name+"/exp dst", dst)

	a, b := T(1.75), T(0.3)
	want = make([]T, n)
	ref.shift(want, x, a, b)
	got.shift(dst, x, a, b)
	if !sameBits(dst, want) {
		t.Fatalf("%s: Shift = %v, reference %v", name, dst, want)
	}
	got.check(t, name+"/shift dst", dst)

	sx := slices.Clone(x)
	copy(want, x)
	ref.scale(want, 0.37)
	copy(dst, x)
	got.scale(dst, 0.37)
	if !sameBits(dst, want) {
		t.Fatalf("%s: Scale = %v, reference %v", name, dst, want)
	}
	got.check(t, name+"/scale", dst)
	if !sameBits(sx, x) {
		t.Fatalf("%s: Scale touched another buffer", name)
	}
}

// maxOK accepts the reference's maximum, or, when x holds a NaN, NaN or
// the maximum of the other elements (the documented freedom).
func maxOK[T float](x []T, got, want T) bool {
	hasNaN := false
	best := T(math.Inf(-1))
	for _, v := range x {
		if v != v {
			hasNaN = true
		} else if v > best {
			best = v
		}
	}
	if hasNaN {
		return got != got || got == best
	}
	return got == want
}

func ulpAll[T float](o ops[T], got, want []T) bool {
	for i := range got {
		if o.ulp(got[i], want[i]) > o.expULP {
			return false
		}
	}
	return true
}

// sameBits reports whether a and b are equal element by element, NaN
// matching any NaN.
func sameBits[T float](a, b []T) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] && !(a[i] != a[i] && b[i] != b[i]) {
			return false
		}
	}
	return true
}

func TestColsF32(t *testing.T) {
	dispatchtest.ForEachImpl(t, func(t *testing.T, k *dispatch.Kernels) {
		testCols(t, ops32(dispatch.Generic()), ops32(k))
	})
}

func TestColsF64(t *testing.T) {
	dispatchtest.ForEachImpl(t, func(t *testing.T, k *dispatch.Kernels) {
		testCols(t, ops64(dispatch.Generic()), ops64(k))
	})
}

func testCols[T float](t *testing.T, ref, got ops[T]) {
	r := testRand(t)
	var widths []int
	for w := 0; w <= 40; w++ {
		widths = append(widths, w)
	}
	widths = append(widths, 63, 64, 65, 100, 257)
	for _, kind := range []string{"normal", "wide", "large", "specials", "masked", "deep"} {
		for _, n := range []int{1, 2, 3, 4, 5, 9} {
			for _, w := range widths {
				for _, extra := range []int{0, 3} {
					stride := w + extra
					name := fmt.Sprintf("%s/n=%d/w=%d/stride=%d", kind, n, w, stride)
					checkCols(t, r, name, kind, ref, got, n, w, stride)
					if t.Failed() {
						return
					}
				}
			}
		}
	}
}

func checkCols[T float](t *testing.T, r *rand.Rand, name, kind string, ref, got ops[T], n, w, stride int) {
	t.Helper()
	size := 0
	if n > 0 {
		size = (n-1)*stride + w
	}
	x := got.guarded(size, 1)
	fill(r, kind, x)
	orig := slices.Clone(x)

	m, wm := got.guarded(w, 0), make([]T, w)
	ref.maxCols(wm, x, n, w, stride)
	got.maxCols(m, x, n, w, stride)
	for j := range m {
		col := make([]T, n)
		for i := range col {
			col[i] = x[i*stride+j]
		}
		if !maxOK(col, m[j], wm[j]) {
			t.Fatalf("%s: MaxCols[%d] = %v, reference %v", name, j, m[j], wm[j])
		}
	}
	got.check(t, name+"/m", m)
	copy(m, wm)

	dst, want := got.guarded(size, 0), make([]T, size)
	s, ws := got.guarded(w, 1), make([]T, w)
	ref.expSumCols(want, x, m, ws, n, w, stride)
	got.expSumCols(dst, x, m, s, n, w, stride)
	for i := 0; i < n; i++ {
		for j := 0; j < w; j++ {
			p := i*stride + j
			if u := got.ulp(dst[p], want[p]); u > got.expULP {
				t.Fatalf("%s: ExpSumCols dst[%d][%d] = %v, reference %v (%v ULP)", name, i, j, dst[p], want[p], u)
			}
		}
	}
	for j := range s {
		if !sumClose(float64(s[j]), float64(ws[j]), got.sumRel, n, got.tiny) {
			t.Fatalf("%s: ExpSumCols s[%d] = %v, reference %v", name, j, s[j], ws[j])
		}
	}
	got.check(t, name+"/dst", dst)
	got.check(t, name+"/s", s)

	s2 := got.guarded(w, 0)
	got.sumExpCols(x, m, s2, n, w, stride)
	for j := range s2 {
		if !sumClose(float64(s2[j]), float64(ws[j]), got.sumRel, n, got.tiny) {
			t.Fatalf("%s: SumExpCols s[%d] = %v, reference %v", name, j, s2[j], ws[j])
		}
	}
	got.check(t, name+"/s2", s2)

	// Scale and shift: the gaps between rows (stride > width) must stay.
	for j := range s {
		s[j] = T(0.5 + r.Float64())
	}
	copy(dst, x)
	copy(want, x)
	ref.scaleCols(want, s, n, w, stride)
	got.scaleCols(dst, s, n, w, stride)
	if !sameBits(dst, want) {
		t.Fatalf("%s: ScaleCols = %v, reference %v", name, dst, want)
	}
	a := got.guarded(w, 1)
	fill(r, "normal", a)
	ref.shiftCols(want, x, a, s, n, w, stride)
	clear(dst)
	copy(dst, x)
	got.shiftCols(dst, x, a, s, n, w, stride)
	if !sameBits(dst, want) {
		t.Fatalf("%s: ShiftCols = %v, reference %v", name, dst, want)
	}
	got.check(t, name+"/dst2", dst)
	if !sameBits(x, orig) {
		t.Fatalf("%s: input changed", name)
	}
	got.check(t, name+"/x", x)
}

// TestNoAllocs checks that no entry allocates, tails included (a buffer
// that escapes to the heap would cost an allocation per call).
func TestNoAllocs(t *testing.T) {
	dispatchtest.ForEachImpl(t, func(t *testing.T, k *dispatch.Kernels) {
		x32, d32 := make([]float32, 37), make([]float32, 37)
		x64, d64 := make([]float64, 37), make([]float64, 37)
		m32, s32 := make([]float32, 13), make([]float32, 13)
		m64, s64 := make([]float64, 13), make([]float64, 13)
		for i := range x32 {
			x32[i], x64[i] = float32(i)/10, float64(i)/10
		}
		runs := map[string]func(){
			"f32 rows": func() {
				m := k.MaxF32(x32)
				k.ExpSumF32(d32, x32, m)
				k.SumExpF32(x32, m)
				k.ExpF32(d32, x32)
				k.ScaleF32(d32, 2)
				k.ShiftF32(d32, x32, 1, 2)
			},
			"f32 cols": func() {
				k.MaxColsF32(m32, x32, 2, 13, 17)
				k.ExpSumColsF32(d32, x32, m32, s32, 2, 13, 17)
				k.SumExpColsF32(x32, m32, s32, 2, 13, 17)
				k.ScaleColsF32(d32, s32, 2, 13, 17)
				k.ShiftColsF32(d32, x32, m32, s32, 2, 13, 17)
			},
			"f64 rows": func() {
				m := k.MaxF64(x64)
				k.ExpSumF64(d64, x64, m)
				k.SumExpF64(x64, m)
				k.ExpF64(d64, x64)
				k.ScaleF64(d64, 2)
				k.ShiftF64(d64, x64, 1, 2)
			},
			"f64 cols": func() {
				k.MaxColsF64(m64, x64, 2, 13, 17)
				k.ExpSumColsF64(d64, x64, m64, s64, 2, 13, 17)
				k.SumExpColsF64(x64, m64, s64, 2, 13, 17)
				k.ScaleColsF64(d64, s64, 2, 13, 17)
				k.ShiftColsF64(d64, x64, m64, s64, 2, 13, 17)
			},
		}
		for name, f := range runs {
			if a := testing.AllocsPerRun(20, f); a != 0 {
				t.Errorf("%s: %v allocations per run", name, a)
			}
		}
	})
}
