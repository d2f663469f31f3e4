package gemm

import (
	"fmt"
	"math"
	"math/rand"
	"syscall"
	"testing"
	"time"

	"github.com/onnxrun/onnxrun/dispatch"
)

// cpuTime is the process's user plus system CPU time.
func cpuTime() time.Duration {
	var r syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &r) != nil {
		return 0
	}
	return time.Duration(r.Utime.Nano() + r.Stime.Nano())
}

// naive is the float64 reference: C = alpha*op(A)*op(B) + beta*C.
func naive(transA, transB bool, m, n, k int, alpha float64, a []float32, lda int, b []float32, ldb int, beta float64, c []float32, ldc int) []float64 {
	out := make([]float64, len(c))
	for i := range c {
		out[i] = float64(c[i])
	}
	for i := 0; i < m; i++ {
		for j := 0; j < n; j++ {
			var s float64
			for p := 0; p < k; p++ {
				var av, bv float32
				if transA {
					av = a[p*lda+i]
				} else {
					av = a[i*lda+p]
				}
				if transB {
					bv = b[j*ldb+p]
				} else {
					bv = b[p*ldb+j]
				}
				s += float64(av) * float64(bv)
			}
			cv := beta * out[i*ldc+j]
			if beta == 0 {
				cv = 0
			}
			out[i*ldc+j] = alpha*s + cv
		}
	}
	return out
}

func randSlice(r *rand.Rand, n int) []float32 {
	s := make([]float32, n)
	for i := range s {
		s[i] = float32(r.NormFloat64())
	}
	return s
}

func TestSgemm(t *testing.T) {
	const seed = 1
	t.Logf("seed %d", seed)
	r := rand.New(rand.NewSource(seed))
	sizes := [][3]int{
		{1, 1, 1}, {1, 7, 5}, {7, 1, 5}, {3, 5, 0}, {4, 8, 16}, {5, 9, 17}, {3, 13, 300},
		{67, 35, 260}, {130, 70, 3}, {9, 2100, 7}, {33, 17, 513}, {2, 2, 2},
	}
	for _, sz := range sizes {
		for _, tr := range [][2]bool{{false, false}, {true, false}, {false, true}, {true, true}} {
			for _, ab := range [][2]float32{{1, 0}, {0.5, 1}, {-2, 0.25}} {
				m, n, k := sz[0], sz[1], sz[2]
				name := fmt.Sprintf("m%d_n%d_k%d_tA%v_tB%v_a%g_b%g", m, n, k, tr[0], tr[1], ab[0], ab[1])
				t.Run(name, func(t *testing.T) {
					// Leading dimensions larger than the width check strided access.
					lda, ldb, ldc := k+3, n+2, n+5
					ar, br := m, k
					if tr[0] {
						lda, ar = m+1, k
					}
					if tr[1] {
						ldb, br = k+4, n
					}
					a := randSlice(r, max(ar*lda, 1))
					b := randSlice(r, max(br*ldb, 1))
					c0 := randSlice(r, max(m*ldc, 1))
					if ab[1] == 0 {
						for i := range c0 {
							c0[i] = float32(math.NaN()) // beta 0 must ignore C
						}
					}
					want := naive(tr[0], tr[1], m, n, k, float64(ab[0]), a, lda, b, ldb, float64(ab[1]), c0, ldc)
					var results [][]float32
					for _, threads := range []int{1, 2, 3} {
						c := append([]float32(nil), c0...)
						Sgemm(tr[0], tr[1], m, n, k, ab[0], a, lda, b, ldb, ab[1], c, ldc, threads)
						results = append(results, c)
						for i := 0; i < m; i++ {
							for j := 0; j < n; j++ {
								got, w := float64(c[i*ldc+j]), want[i*ldc+j]
								// float32 accumulation of k products of N(0,1)
								// values: error grows like sqrt(k)*eps*|terms|.
								tol := 1e-5 + 1e-5*math.Sqrt(float64(k)+1)*(1+math.Abs(w))
								if math.Abs(got-w) > tol || math.IsNaN(got) {
									t.Fatalf("threads %d: C[%d,%d] = %g, want %g", threads, i, j, got, w)
								}
							}
							// Padding columns past n must be untouched.
							for j := n; j < ldc && i*ldc+j < len(c); j++ {
								if !sameBits(c[i*ldc+j], c0[i*ldc+j]) {
									t.Fatalf("threads %d: wrote padding C[%d,%d]", threads, i, j)
								}
							}
						}
					}
					for ti := 1; ti < len(results); ti++ {
						for i := range results[0] {
							if !sameBits(results[0][i], results[ti][i]) {
								t.Fatalf("threads 1 and %d differ at %d: %g vs %g", ti+1, i, results[0][i], results[ti][i])
							}
						}
					}
				})
			}
		}
	}
}

func sameBits(a, b float32) bool {
	return math.Float32bits(a) == math.Float32bits(b) || (a != a && b != b)
}

func TestDgemm(t *testing.T) {
	r := rand.New(rand.NewSource(2))
	m, n, k := 37, 29, 71
	a := make([]float64, m*k)
	b := make([]float64, k*n)
	c := make([]float64, m*n)
	for i := range a {
		a[i] = r.NormFloat64()
	}
	for i := range b {
		b[i] = r.NormFloat64()
	}
	Dgemm(false, false, m, n, k, 1, a, k, b, n, 0, c, n, 2)
	for i := 0; i < m; i++ {
		for j := 0; j < n; j++ {
			var s float64
			for p := 0; p < k; p++ {
				s += a[i*k+p] * b[p*n+j]
			}
			if math.Abs(s-c[i*n+j]) > 1e-12*(1+math.Abs(s)) {
				t.Fatalf("C[%d,%d] = %g, want %g", i, j, c[i*n+j], s)
			}
		}
	}
}

// testKernels lists every pure-Go micro-kernel, so each is tested and
// benchmarked even when it is not the default.
func testKernels() []Kernel[float32] {
	return []Kernel[float32]{
		{Name: "go2x4", MR: 2, NR: 4, Micro: micro2x4[float32]},
		{Name: "go4x2", MR: 4, NR: 2, Micro: micro4x2[float32]},
		{Name: "go4x4", MR: 4, NR: 4, Micro: micro4x4[float32]},
		{Name: "go4x8", MR: 4, NR: 8, Micro: micro4x8[float32]},
	}
}

func TestKernelsAgree(t *testing.T) {
	// Every micro-kernel must match the float64 reference through the
	// same blocking code, on ragged sizes and with transposes.
	r := rand.New(rand.NewSource(3))
	for _, kern := range testKernels() {
		e := New(kern)
		for _, sz := range [][3]int{{23, 19, 301}, {5, 3, 7}, {64, 65, 257}} {
			m, n, k := sz[0], sz[1], sz[2]
			for _, tr := range [][2]bool{{false, false}, {true, true}} {
				a, b := randSlice(r, m*k), randSlice(r, k*n)
				lda, ldb := k, n
				if tr[0] {
					lda = m
				}
				if tr[1] {
					ldb = k
				}
				c := make([]float32, m*n)
				want := naive(tr[0], tr[1], m, n, k, 1, a, lda, b, ldb, 0, c, n)
				e.Gemm(tr[0], tr[1], m, n, k, 1, a, lda, b, ldb, 0, c, n, 2)
				for i := range c {
					if math.Abs(float64(c[i])-want[i]) > 1e-5*math.Sqrt(float64(k))*(1+math.Abs(want[i])) {
						t.Fatalf("%s %v: C[%d] = %g, want %g", kern.Name, sz, i, c[i], want[i])
					}
				}
			}
		}
	}
}

var benchSink float32

func BenchmarkSgemm(b *testing.B) {
	shapes := []struct {
		name    string
		m, n, k int
	}{
		{"256x256x256", 256, 256, 256},
		{"1024x1024x1024", 1024, 1024, 1024},
		// ResNet-18 convolutions as im2col GEMMs (M = out channels,
		// N = output pixels, K = in channels * kernel area).
		{"resnet_conv1_64x12544x147", 64, 12544, 147},
		{"resnet_l1_64x3136x576", 64, 3136, 576},
		{"resnet_l2_128x784x1152", 128, 784, 1152},
		{"resnet_l3_256x196x2304", 256, 196, 2304},
		{"resnet_l4_512x49x4608", 512, 49, 4608},
		{"resnet_fc_1x1000x512", 1, 1000, 512},
	}
	// Every dispatch tier's micro-kernel this CPU runs, then the Go ones.
	var kernels []*Engine[float32]
	for _, im := range dispatch.Impls() {
		if t, err := dispatch.ForLevel(im.Level); err == nil && im.Level != dispatch.GenericLevel {
			kernels = append(kernels, NewF32(t))
		}
	}
	for _, k := range testKernels() {
		kernels = append(kernels, New(k))
	}
	for _, s := range shapes {
		for _, e := range kernels {
			for _, threads := range []int{1, 2} {
				b.Run(fmt.Sprintf("%s/%s/t%d", s.name, e.Name(), threads), func(b *testing.B) {
					r := rand.New(rand.NewSource(1))
					a, bb := randSlice(r, s.m*s.k), randSlice(r, s.k*s.n)
					c := make([]float32, s.m*s.n)
					b.ReportAllocs()
					b.ResetTimer()
					cpu0 := cpuTime()
					for i := 0; i < b.N; i++ {
						e.Gemm(false, false, s.m, s.n, s.k, 1, a, s.k, bb, s.n, 0, c, s.n, threads)
					}
					flops := 2 * float64(s.m) * float64(s.n) * float64(s.k) * float64(b.N)
					b.ReportMetric(flops/b.Elapsed().Seconds()/1e9, "GFLOP/s")
					// On a shared machine wall time mostly measures the
					// neighbours; process CPU time (summed over threads)
					// measures the kernel.
					if d := cpuTime() - cpu0; d > 0 {
						b.ReportMetric(flops/d.Seconds()/1e9, "cpuGFLOP/s")
					}
					benchSink = c[0]
				})
			}
		}
	}
}

// TestMicroStore checks that the Go store kernels store exactly what
// their add kernels add to a zero tile (the engine's bits must not depend
// on which of the two started a block), in float32 and float64, and that
// New's fallback store for a kernel without one does the same.
func TestMicroStore(t *testing.T) {
	r := rand.New(rand.NewSource(21))
	for _, kc := range []int{0, 1, 3, 4, 5, 9, 64, 257} {
		a, b := randSlice(r, kc*2), randSlice(r, kc*4)
		const ldc = 7
		added, stored := make([]float32, 2*ldc), make([]float32, 2*ldc)
		for i := range stored {
			stored[i] = float32(math.NaN())
		}
		micro2x4(kc, a, b, added, ldc)
		micro2x4Store(kc, a, b, stored, ldc)
		fallback := New(Kernel[float32]{MR: 2, NR: 4, Micro: micro2x4[float32]}).k.Store
		viaNew := make([]float32, 2*ldc)
		for i := range viaNew {
			viaNew[i] = float32(math.Inf(-1))
		}
		fallback(kc, a, b, viaNew, ldc)
		a64, b64 := make([]float64, len(a)), make([]float64, len(b))
		for i, v := range a {
			a64[i] = float64(v) / 3
		}
		for i, v := range b {
			b64[i] = float64(v) / 7
		}
		added64, stored64 := make([]float64, 2*ldc), make([]float64, 2*ldc)
		micro2x4(kc, a64, b64, added64, ldc)
		micro2x4Store(kc, a64, b64, stored64, ldc)
		for i := range 2 {
			for j := range 4 {
				x := i*ldc + j
				if !sameBits(stored[x], added[x]) || !sameBits(viaNew[x], added[x]) {
					t.Fatalf("kc=%d: C[%d,%d] stored %g, fallback %g, added to zero %g", kc, i, j, stored[x], viaNew[x], added[x])
				}
				if math.Float64bits(stored64[x]) != math.Float64bits(added64[x]) {
					t.Fatalf("kc=%d float64: C[%d,%d] stored %g, added to zero %g", kc, i, j, stored64[x], added64[x])
				}
			}
		}
		if !math.IsNaN(float64(stored[4])) || !math.IsInf(float64(viaNew[4]), -1) {
			t.Fatalf("kc=%d: a store wrote past its tile's row", kc)
		}
	}
}

// TestFill checks fill against a plain loop for lengths around the
// doubling steps.
func TestFill(t *testing.T) {
	for n := range 70 {
		row := make([]float32, n+2)
		fill(row[1:n+1], 2.5)
		for j, v := range row {
			want := float32(2.5)
			if j == 0 || j == n+1 {
				want = 0
			}
			if v != want {
				t.Fatalf("n=%d: row[%d] = %v, want %v", n, j, v, want)
			}
		}
	}
}
