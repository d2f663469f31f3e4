package qgemm

import (
	"math/rand/v2"
	"testing"

	"github.com/onnxrun/onnxrun/operators"
)

// TestGemm compares against a naive int64 triple loop on shapes that
// exercise partial row and column panels, k = 0 and both accumulate modes.
// Operands stay within ±255 so the int64 sums fit int32 and must match
// exactly.
func TestGemm(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, sz := range [][3]int{{1, 1, 1}, {3, 5, 7}, {4, 4, 4}, {9, 13, 31}, {17, 1, 300}, {1, 1000, 64}, {5, 6, 0}} {
		m, n, k := sz[0], sz[1], sz[2]
		ldb, ldc := n+3, n+1
		a := make([]int32, m*k)
		b := make([]int32, k*ldb)
		for i := range a {
			a[i] = rng.Int32N(511) - 255
		}
		for i := range b {
			b[i] = rng.Int32N(511) - 255
		}
		ap := make([]int32, PackedALen(m, k))
		PackA(ap, a, m, k, k)
		for _, acc := range []bool{false, true} {
			for _, threads := range []int{1, 2, 3} {
				c := make([]int32, m*ldc)
				for i := range c {
					c[i] = int32(i)
				}
				Gemm(&operators.RunContext{Threads: threads}, m, n, k, ap, b, ldb, c, ldc, acc)
				for i := 0; i < m; i++ {
					for j := 0; j < ldc; j++ {
						want := int64(i*ldc + j)
						if j < n {
							if !acc {
								want = 0
							}
							for p := 0; p < k; p++ {
								want += int64(a[i*k+p]) * int64(b[p*ldb+j])
							}
						}
						if got := int64(c[i*ldc+j]); got != want {
							t.Fatalf("m=%d n=%d k=%d acc=%v threads=%d: c[%d][%d] = %d, want %d", m, n, k, acc, threads, i, j, got, want)
						}
					}
				}
			}
		}
	}
}

func BenchmarkGemm(b *testing.B) {
	m, n, k := 64, 784, 576
	a := make([]int32, m*k)
	bb := make([]int32, k*n)
	c := make([]int32, m*n)
	ap := make([]int32, PackedALen(m, k))
	PackA(ap, a, m, k, k)
	b.SetBytes(int64(2 * m * n * k))
	for b.Loop() {
		Gemm(nil, m, n, k, ap, bb, n, c, n, false)
	}
}

// TestGemmExtremes drives the paired accumulators to the edges: every
// product at ±255², with sums of one sign in one column of a pair and the
// other sign in its neighbour, up to a depth whose sum is near the int32
// limit (30000 * 65025 ≈ 1.95e9 < 2^31-1), checked against int64 sums.
func TestGemmExtremes(t *testing.T) {
	for _, k := range []int{1, 2, 33, 30000} {
		m, n := 3, 5
		a := make([]int32, m*k)
		b := make([]int32, k*n)
		for i := range a {
			a[i] = -255
			if i/k == 1 {
				a[i] = 255
			}
		}
		for p := 0; p < k; p++ {
			for j := 0; j < n; j++ {
				b[p*n+j] = 255
				if j%2 == 1 {
					b[p*n+j] = -255
				}
			}
		}
		ap := make([]int32, PackedALen(m, k))
		PackA(ap, a, m, k, k)
		c := make([]int32, m*n)
		Gemm(nil, m, n, k, ap, b, n, c, n, false)
		for i := 0; i < m; i++ {
			for j := 0; j < n; j++ {
				var want int64
				for p := 0; p < k; p++ {
					want += int64(a[i*k+p]) * int64(b[p*n+j])
				}
				if int64(c[i*n+j]) != want {
					t.Fatalf("k=%d: c[%d][%d] = %d, want %d", k, i, j, c[i*n+j], want)
				}
			}
		}
	}
}
