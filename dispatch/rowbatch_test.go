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

// The row-batch entries promise the bits of the table's own row kernels
// called row by row (which TestRowsF32 checks against the reference), so
// they are compared bit for bit with that composition.

func TestRowBatchF32(t *testing.T) {
	dispatchtest.ForEachImpl(t, func(t *testing.T, k *dispatch.Kernels) { testRowBatch(t, k) })
}

// rowBatchLengths covers every d from 0 to 2W+1 for the widest vector
// (W = 16 lanes), so each tier sees lengths it takes in assembly and
// lengths it hands to the row kernels, and a few longer rows.
func rowBatchLengths() []int {
	var ds []int
	for d := 0; d <= 33; d++ {
		ds = append(ds, d)
	}
	return append(ds, 40, 48, 64, 100, 128, 1000, 4104)
}

func testRowBatch(t *testing.T, k *dispatch.Kernels) {
	r := testRand(t)
	for _, kind := range append(kinds, "zeros") {
		for _, d := range rowBatchLengths() {
			for _, rows := range []int{1, 2, 3, 7, 70} {
				if rows*d > 20000 {
					continue
				}
				for _, off := range []int{0, 1} {
					for _, log := range []bool{false, true} {
						name := fmt.Sprintf("%s/d=%d/rows=%d/off=%d/log=%v", kind, d, rows, off, log)
						x, orig := rowBatchInput(r, kind, rows*d, off)
						want := composeRows(k, log, x, rows, d)
						batch := k.SoftmaxRowsF32
						if log {
							batch = k.LogSoftmaxRowsF32
						}
						dst := guarded32(rows*d, 1-off)
						batch(dst, x, rows, d)
						checkBatch(t, name, dst, x, orig, want)
						// In place.
						batch(x, x, rows, d)
						if i := firstDiff(x, want); i >= 0 {
							t.Fatalf("%s: in place [%d] = %v, row by row %v", name, i, x[i], want[i])
						}
						checkGuards32(t, name+"/in place", x)
					}
				}
			}
		}
	}
	// Nothing to do, and short buffers.
	k.SoftmaxRowsF32(nil, nil, 0, 8)
	k.LogSoftmaxRowsF32(nil, nil, 3, 0)
	for _, log := range []bool{false, true} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("log=%v: a batch longer than its buffers did not panic", log)
				}
			}()
			x := make([]float32, 15)
			if log {
				k.LogSoftmaxRowsF32(x, x, 2, 8)
			} else {
				k.SoftmaxRowsF32(x, x, 2, 8)
			}
		}()
	}
}

// rowBatchInput returns a guarded input of n elements starting off
// elements into its allocation, filled as kind says ("zeros" for
// fillZeros, else one of fill's kinds), and a copy of it.
func rowBatchInput(r *rand.Rand, kind string, n, off int) (x, orig []float32) {
	x = guarded32(n, off)
	if kind == "zeros" {
		fillZeros(r, x)
	} else {
		fill(r, kind, x)
	}
	return x, slices.Clone(x)
}

// checkBatch fails t unless dst holds want's bits (firstDiff), x still
// holds orig's, and the guards around dst and x are intact.
func checkBatch(t *testing.T, name string, dst, x, orig, want []float32) {
	t.Helper()
	if i := firstDiff(dst, want); i >= 0 {
		t.Fatalf("%s: [%d] = %v, row by row %v (x %v)", name, i, dst[i], want[i], x[i])
	}
	if !sameBits(x, orig) {
		t.Fatalf("%s: input changed", name)
	}
	checkGuards32(t, name+"/dst", dst)
	checkGuards32(t, name+"/x", x)
}

// composeRows computes the batch with the table's row kernels, one row at
// a time.
func composeRows(k *dispatch.Kernels, log bool, x []float32, rows, d int) []float32 {
	out := make([]float32, rows*d)
	for r := range rows {
		xs, ds := x[r*d:(r+1)*d], out[r*d:(r+1)*d]
		if d == 0 {
			continue
		}
		m := k.MaxF32(xs)
		if log {
			s := k.SumExpF32(xs, m)
			k.ShiftF32(ds, xs, m, float32(math.Log(float64(s))))
		} else {
			s := k.ExpSumF32(ds, xs, m)
			k.ScaleF32(ds, 1/s)
		}
	}
	return out
}

// firstDiff returns the first index where a and b differ in their bits
// (any NaN matching any NaN; +0 and -0 differ), or -1.
func firstDiff(a, b []float32) int {
	for i := range a {
		if math.Float32bits(a[i]) != math.Float32bits(b[i]) && !(a[i] != a[i] && b[i] != b[i]) {
			return i
		}
	}
	return -1
}

// fillZeros fills rows whose maximum is often a zero of either sign (so
// the sign a maximum pass settles on is exercised): ±0, small negatives,
// -Inf and an occasional NaN.
func fillZeros(r *rand.Rand, x []float32) {
	vals := []float32{0, float32(math.Copysign(0, -1)), -1, -3.5, -90, float32(math.Inf(-1))}
	for i := range x {
		x[i] = vals[r.IntN(len(vals))]
		if r.IntN(64) == 0 {
			x[i] = float32(math.NaN())
		}
	}
}

// TestRowBatchValues checks the reference entries against softmax
// computed in float64 from the float32 differences x - max (the entries'
// documented input to exp): every output is within 4e-7 relative
// (Softmax: exp within half an ULP, the sum and the reciprocal rounded
// once each, one product) or 2e-6 absolute (LogSoftmax: log(sum) and the
// final difference, each rounded, of magnitude below 20).
func TestRowBatchValues(t *testing.T) {
	k := dispatch.Generic()
	r := testRand(t)
	const rows, d = 5, 37
	x := make([]float32, rows*d)
	fill(r, "normal", x)
	sm, lsm := make([]float32, len(x)), make([]float32, len(x))
	k.SoftmaxRowsF32(sm, x, rows, d)
	k.LogSoftmaxRowsF32(lsm, x, rows, d)
	for i := range rows {
		row := x[i*d : (i+1)*d]
		m := slices.Max(row)
		var s float64
		for _, v := range row {
			s += math.Exp(float64(v - m))
		}
		for j, v := range row {
			want := math.Exp(float64(v-m)) / s
			if got := float64(sm[i*d+j]); math.Abs(got-want) > 4e-7*want {
				t.Fatalf("Softmax row %d [%d] = %v, want %v", i, j, got, want)
			}
			wl := float64(v-m) - math.Log(s)
			if got := float64(lsm[i*d+j]); math.Abs(got-wl) > 2e-6 {
				t.Fatalf("LogSoftmax row %d [%d] = %v, want %v", i, j, got, wl)
			}
		}
	}
}

// TestRowBatchStreamF32 checks the streaming row-batch entries against
// the table's row kernels composed row by row (the same bits are
// promised), with dst aligned and not, tmp too short, exactly a row, two
// rows and longer, and in place (checkStream).
func TestRowBatchStreamF32(t *testing.T) {
	dispatchtest.ForEachImpl(t, func(t *testing.T, k *dispatch.Kernels) {
		r := testRand(t)
		type shape struct{ rows, d int }
		var shapes []shape
		for _, d := range rowBatchLengths() {
			for _, rows := range []int{1, 2, 3, 70} {
				if rows*d <= 20000 {
					shapes = append(shapes, shape{rows, d})
				}
			}
		}
		shapes = append(shapes, shape{3, 32000})
		for _, kind := range append(kinds, "zeros") {
			for _, sh := range shapes {
				for _, off := range []int{0, 1, 8} {
					for _, tl := range []int{0, sh.d - 1, sh.d, 2 * sh.d, 5*sh.d + 3} {
						if tl < 0 {
							continue
						}
						for _, log := range []bool{false, true} {
							checkStream(t, k, r, kind, sh.rows, sh.d, off, tl, log)
						}
					}
				}
			}
		}
	})
}

// TestRowBatchStreamPipelined is the part of TestRowBatchStreamF32 that
// reaches the pipelined forms (long rows, two rows of tmp), small enough
// to run on an emulated CPU.
func TestRowBatchStreamPipelined(t *testing.T) {
	dispatchtest.ForEachImpl(t, func(t *testing.T, k *dispatch.Kernels) {
		r := testRand(t)
		for _, kind := range append(kinds, "zeros") {
			for _, d := range []int{x86PipeMin, x86PipeMin + 24, x86PipeMin + 64} {
				for _, rows := range []int{1, 2, 3} {
					for _, log := range []bool{false, true} {
						checkStream(t, k, r, kind, rows, d, 0, 2*d, log)
					}
				}
			}
		}
	})
}

// checkStream runs one streaming row batch, rows of d elements, with dst
// off elements past a 64-byte boundary and tl elements of tmp, against
// the row kernels composed row by row, also in place. At the x86 tiers, a
// whole-vector d with an aligned dst and a long enough tmp must take the
// streaming form, which leaves its intermediate values in tmp, and long
// rows with two rows of tmp the pipelined form, which uses both: that is
// checked too, so a wrapper that always fell back would fail.
func checkStream(t *testing.T, k *dispatch.Kernels, r *rand.Rand, kind string, rows, d, off, tl int, log bool) {
	t.Helper()
	name := fmt.Sprintf("%s/d=%d/rows=%d/off=%d/tmp=%d/log=%v", kind, d, rows, off, tl, log)
	x, orig := rowBatchInput(r, kind, rows*d, 1)
	want := composeRows(k, log, x, rows, d)
	batch := k.SoftmaxRowsStreamF32
	if log {
		batch = k.LogSoftmaxRowsStreamF32
	}
	dst := alignedGuarded32(rows*d, off)
	tmp := guarded32(tl, 0)
	batch(dst, x, tmp, rows, d)
	checkBatch(t, name, dst, x, orig, want)
	checkGuards32(t, name+"/tmp", tmp)
	x86 := k.Level == dispatch.AVX2 || k.Level == dispatch.AVX512
	w := 8 // float32 lanes of the x86 tier
	if k.Level == dispatch.AVX512 {
		w = 16
	}
	if x86 && d > 0 && d%w == 0 && off%w == 0 && tl >= d {
		if untouched(tmp) {
			t.Fatalf("%s: tmp untouched: the streaming form did not run", name)
		}
		if rows > 1 && d >= x86PipeMin && tl >= 2*d && untouched(tmp[d:2*d]) {
			t.Fatalf("%s: the second row of tmp untouched: the pipelined form did not run", name)
		}
	}
	// In place, dst aligned as x is.
	xa := alignedGuarded32(rows*d, off)
	copy(xa, orig)
	batch(xa, xa, tmp, rows, d)
	if i := firstDiff(xa, want); i >= 0 {
		t.Fatalf("%s: in place [%d] = %v, row by row %v", name, i, xa[i], want[i])
	}
	checkGuards32(t, name+"/in place", xa)
}

// x86PipeMin is dispatch's pipeMin: the row length from which the x86
// tiers pipeline streaming rows given two rows of tmp.
const x86PipeMin = 4096

// untouched reports whether every element of s still holds the guard
// value guarded32 filled it with.
func untouched(s []float32) bool {
	for _, v := range s {
		if math.Float32bits(v) != guard32 {
			return false
		}
	}
	return true
}
