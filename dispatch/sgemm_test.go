package dispatch_test

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/onnxrun/onnxrun/dispatch"
	"github.com/onnxrun/onnxrun/dispatch/dispatchtest"
)

// TestSgemmMicro runs every tier's micro-kernels (SgemmMicroF32 and
// SgemmMicroStoreF32) on random panels and compares the tile with a
// float64 evaluation of the documented loop: the add entry starts from
// the tile's values, the store entry from zero (its tile starts as NaN,
// which must not show through). Guard cells around every row of the tile
// (the row stride is wider than the tile) must keep their values.
// Tolerance: each of the kc products is rounded once in float32 (or
// fused) and the sum accumulates in float32, so the error is bounded by
// about kc * 2^-24 * sum |a*b|; the test allows 4x that plus the rounding
// of the start value.
func TestSgemmMicro(t *testing.T) {
	dispatchtest.ForEachImpl(t, func(t *testing.T, k *dispatch.Kernels) {
		mr, nr := k.SgemmMR, k.SgemmNR
		if mr < 1 || nr < 1 {
			t.Fatalf("tile %dx%d", mr, nr)
		}
		rng := rand.New(rand.NewPCG(1, 2))
		for _, store := range []bool{false, true} {
			micro := k.SgemmMicroF32
			if store {
				micro = k.SgemmMicroStoreF32
			}
			for _, kc := range []int{0, 1, 2, 3, 7, 16, 33, 256, 1000} {
				for _, pad := range []int{0, 5} {
					ldc := nr + pad
					a := make([]float32, kc*mr)
					b := make([]float32, kc*nr)
					for i := range a {
						a[i] = float32(rng.NormFloat64())
					}
					for i := range b {
						b[i] = float32(rng.NormFloat64())
					}
					const guard = -12345.5
					c := make([]float32, (mr-1)*ldc+nr+3)
					for i := range c {
						c[i] = guard
					}
					for i := range mr {
						for j := range nr {
							c[i*ldc+j] = float32(i*nr + j)
							if store {
								c[i*ldc+j] = float32(math.NaN())
							}
						}
					}
					micro(kc, a, b, c, ldc)
					for i := range c {
						row, col := i/ldc, i%ldc
						if row >= mr || col >= nr {
							if c[i] != guard {
								t.Fatalf("store=%v kc=%d ldc=%d: guard cell %d overwritten: %v", store, kc, ldc, i, c[i])
							}
							continue
						}
						want, mag := float64(row*nr+col), 0.0
						if store {
							want = 0
						}
						for p := range kc {
							v := float64(a[p*mr+row]) * float64(b[p*nr+col])
							want += v
							mag += math.Abs(v)
						}
						tol := 4*float64(kc+1)*mag*0x1p-24 + math.Abs(want)*0x1p-23
						if d := math.Abs(float64(c[i]) - want); !(d <= tol) {
							t.Fatalf("store=%v kc=%d ldc=%d: c[%d][%d] = %v, want %v (tolerance %g)", store, kc, ldc, row, col, c[i], want, tol)
						}
					}
				}
			}
		}
	})
}

// TestSgemmMicroStoreBits checks that SgemmMicroStoreF32 stores exactly
// the bits SgemmMicroF32 adds to a zero tile, at every tier: the GEMM
// engine relies on it to give the same C whether a block was cleared
// and accumulated into or stored directly. Products of opposite signs
// that cancel exercise the sign of zero sums.
func TestSgemmMicroStoreBits(t *testing.T) {
	dispatchtest.ForEachImpl(t, func(t *testing.T, k *dispatch.Kernels) {
		mr, nr := k.SgemmMR, k.SgemmNR
		rng := rand.New(rand.NewPCG(5, 6))
		for _, kc := range []int{1, 2, 5, 64, 300} {
			a := make([]float32, kc*mr)
			b := make([]float32, kc*nr)
			for i := range a {
				a[i] = float32(rng.NormFloat64())
				if rng.IntN(4) == 0 {
					a[i] = 0
				}
			}
			for i := range b {
				b[i] = float32(rng.NormFloat64())
				if rng.IntN(4) == 0 {
					b[i] = float32(math.Copysign(0, -1))
				}
			}
			ldc := nr + 3
			added := make([]float32, mr*ldc)
			stored := make([]float32, mr*ldc)
			for i := range stored {
				stored[i] = float32(math.Inf(1))
			}
			k.SgemmMicroF32(kc, a, b, added, ldc)
			k.SgemmMicroStoreF32(kc, a, b, stored, ldc)
			for i := range mr {
				for j := range nr {
					x, y := added[i*ldc+j], stored[i*ldc+j]
					if math.Float32bits(x) != math.Float32bits(y) {
						t.Fatalf("kc=%d: c[%d][%d] stored %v (%#x), added to zero %v (%#x)", kc, i, j, y, math.Float32bits(y), x, math.Float32bits(x))
					}
				}
			}
		}
	})
}

// TestSgemmMicroShortBuffers checks that the SIMD wrappers refuse buffers
// too short for the tile instead of reading past them.
func TestSgemmMicroShortBuffers(t *testing.T) {
	dispatchtest.ForEachImpl(t, func(t *testing.T, k *dispatch.Kernels) {
		if k.Level == dispatch.GenericLevel {
			t.Skip("the reference relies on Go's bounds checks")
		}
		mr, nr := k.SgemmMR, k.SgemmNR
		for _, micro := range []func(int, []float32, []float32, []float32, int){k.SgemmMicroF32, k.SgemmMicroStoreF32} {
			func() {
				defer func() {
					if recover() == nil {
						t.Error("short A panel accepted")
					}
				}()
				micro(4, make([]float32, 4*mr-1), make([]float32, 4*nr), make([]float32, mr*nr), nr)
			}()
			func() {
				defer func() {
					if recover() == nil {
						t.Error("short C tile accepted")
					}
				}()
				micro(4, make([]float32, 4*mr), make([]float32, 4*nr), make([]float32, (mr-1)*nr+nr-1), nr)
			}()
		}
	})
}

// BenchmarkSgemmMicro reports the micro-kernel's GFLOP/s with panels that
// stay in L1 (kc = 256).
func BenchmarkSgemmMicro(b *testing.B) {
	for _, im := range dispatch.Impls() {
		if !im.Available {
			continue
		}
		k, err := dispatch.ForLevel(im.Level)
		if err != nil {
			b.Fatal(err)
		}
		b.Run(im.Level.String(), func(b *testing.B) {
			const kc = 256
			mr, nr := k.SgemmMR, k.SgemmNR
			pa := make([]float32, kc*mr)
			pb := make([]float32, kc*nr)
			c := make([]float32, mr*nr)
			for b.Loop() {
				k.SgemmMicroF32(kc, pa, pb, c, nr)
			}
			b.ReportMetric(float64(2*kc*mr*nr)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
		})
		b.Run(im.Level.String()+"/store", func(b *testing.B) {
			const kc = 256
			mr, nr := k.SgemmMR, k.SgemmNR
			pa := make([]float32, kc*mr)
			pb := make([]float32, kc*nr)
			c := make([]float32, mr*nr)
			for b.Loop() {
				k.SgemmMicroStoreF32(kc, pa, pb, c, nr)
			}
			b.ReportMetric(float64(2*kc*mr*nr)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
		})
	}
}

// TestClamp compares every tier's ClampF32 with the reference loop bit for
// bit, on lengths around the vector widths, with NaNs, infinities and
// zeros of both signs among the values and bounds (Relu's 0/+Inf, Relu6's
// 0/6, a negative lower bound). Guard elements past the slice must stay.
func TestClamp(t *testing.T) {
	special := []float32{float32(math.NaN()), float32(math.Inf(1)), float32(math.Inf(-1)), 0, float32(math.Copysign(0, -1)), 6, -1}
	dispatchtest.ForEachImpl(t, func(t *testing.T, k *dispatch.Kernels) {
		rng := rand.New(rand.NewPCG(3, 4))
		bounds := [][2]float32{{0, float32(math.Inf(1))}, {0, 6}, {-1, 0.5}, {float32(math.Copysign(0, -1)), 0}}
		for _, n := range []int{0, 1, 7, 8, 9, 31, 32, 33, 64, 100, 1000} {
			for _, bd := range bounds {
				x := make([]float32, n+2)
				for i := range x {
					if rng.IntN(5) == 0 {
						x[i] = special[rng.IntN(len(special))]
					} else {
						x[i] = float32(rng.NormFloat64() * 4)
					}
				}
				want := append([]float32(nil), x...)
				for i, v := range want[:n] {
					if v < bd[0] {
						v = bd[0]
					}
					if v > bd[1] {
						v = bd[1]
					}
					want[i] = v
				}
				k.ClampF32(x[:n], bd[0], bd[1])
				for i := range x {
					if math.Float32bits(x[i]) != math.Float32bits(want[i]) && !(x[i] != x[i] && want[i] != want[i]) {
						t.Fatalf("n=%d bounds %v: x[%d] = %v, want %v", n, bd, i, x[i], want[i])
					}
				}
			}
		}
	})
}
