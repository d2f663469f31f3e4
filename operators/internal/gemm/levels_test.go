package gemm

import (
	"fmt"
	"math"
	"math/rand"
	"testing"

	"github.com/onnxrun/onnxrun/dispatch"
	"github.com/onnxrun/onnxrun/dispatch/dispatchtest"
)

// TestF32EveryLevel runs the float32 engine of every dispatch tier (F32
// follows the active table) against the float64 reference on sizes that
// are not multiples of any tile, K = 1 and a K spanning several KC blocks,
// both transposes, alpha/beta, one and two threads. C has guard columns
// (ldc > n) and a guard row past the end that must keep their values.
func TestF32EveryLevel(t *testing.T) {
	dispatchtest.ForEachImpl(t, func(t *testing.T, k *dispatch.Kernels) {
		e := F32()
		t.Logf("engine %s", e.Name())
		if k.Level != dispatch.GenericLevel && e.k.MR != k.SgemmMR {
			t.Fatalf("engine %s does not use the table's %dx%d tile", e.Name(), k.SgemmMR, k.SgemmNR)
		}
		r := rand.New(rand.NewSource(7))
		sizes := [][3]int{{1, 17, 9}, {13, 1, 9}, {7, 37, 1}, {6, 16, 5}, {12, 32, 64},
			{11, 35, 600}, {125, 50, 20}, {19, 2061, 3}, {64, 196, 300}}
		for _, sz := range sizes {
			for _, tr := range [][2]bool{{false, false}, {true, false}, {false, true}, {true, true}} {
				for _, ab := range [][2]float32{{1, 0}, {-0.5, 1.5}} {
					for _, threads := range []int{1, 2} {
						m, n, kk := sz[0], sz[1], sz[2]
						name := fmt.Sprintf("%dx%dx%d/%v/%v/t%d", m, n, kk, tr, ab, threads)
						lda, ldb, ldc := kk+1, n+3, n+7
						ar, br := m, kk
						if tr[0] {
							lda, ar = m+2, kk
						}
						if tr[1] {
							ldb, br = kk+5, n
						}
						a, b := randSlice(r, ar*lda), randSlice(r, br*ldb)
						c := randSlice(r, (m+1)*ldc)
						c0 := append([]float32(nil), c...)
						want := naive(tr[0], tr[1], m, n, kk, float64(ab[0]), a, lda, b, ldb, float64(ab[1]), c, ldc)
						e.Gemm(tr[0], tr[1], m, n, kk, ab[0], a, lda, b, ldb, ab[1], c, ldc, threads)
						for i := 0; i <= m; i++ {
							for j := 0; j < ldc; j++ {
								x := i*ldc + j
								if i == m || j >= n {
									if !sameBits(c[x], c0[x]) {
										t.Fatalf("%s: guard C[%d,%d] changed", name, i, j)
									}
									continue
								}
								// float32 sums of kk products of N(0,1) values
								// (fused or not): error ~ sqrt(kk)*eps*|terms|.
								tol := 1e-5 + 1e-5*math.Sqrt(float64(kk)+1)*(1+math.Abs(want[x]))
								if d := math.Abs(float64(c[x]) - want[x]); !(d <= tol) {
									t.Fatalf("%s: C[%d,%d] = %g, want %g", name, i, j, c[x], want[x])
								}
							}
						}
					}
				}
			}
		}
	})
}

// TestParallelNoAllocs checks that a steady stream of two-thread GEMMs
// allocates nothing: strips go to long-lived workers, the packing buffers
// and wait groups come from pools. (AllocsPerRun averages over the runs; a
// GC emptying a pool mid-run could cost an allocation, hence < 1.)
func TestParallelNoAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector allocates")
	}
	e := F32()
	m, n, k := 64, 300, 64
	a, b, c := make([]float32, m*k), make([]float32, k*n), make([]float32, m*n)
	e.Gemm(false, false, m, n, k, 1, a, k, b, n, 0, c, n, 2)
	allocs := testing.AllocsPerRun(50, func() {
		e.Gemm(false, false, m, n, k, 1, a, k, b, n, 0, c, n, 2)
	})
	if allocs >= 1 {
		t.Errorf("%.1f allocations per parallel GEMM, want 0", allocs)
	}
}
