package gemm

import (
	"fmt"
	"math"
	"math/rand"
	"testing"

	"github.com/onnxrun/onnxrun/dispatch"
	"github.com/onnxrun/onnxrun/dispatch/dispatchtest"
)

// refIm2col builds the column matrix of image x for im element by element
// (row (c, kd, kh, kw), column (od, oh, ow)), independently of packIm.
func refIm2col(im *Im2col, x []float32) []float32 {
	rows, cols := im.Rows(), im.Cols()
	out := make([]float32, rows*cols)
	for c := 0; c < im.C; c++ {
		for a := 0; a < im.K[0]; a++ {
			for b := 0; b < im.K[1]; b++ {
				for d := 0; d < im.K[2]; d++ {
					r := ((c*im.K[0]+a)*im.K[1]+b)*im.K[2] + d
					j := 0
					for z := 0; z < im.Out[0]; z++ {
						for y := 0; y < im.Out[1]; y++ {
							for w := 0; w < im.Out[2]; w++ {
								iz := z*im.S[0] - im.Pad[0] + a*im.D[0]
								iy := y*im.S[1] - im.Pad[1] + b*im.D[1]
								ix := w*im.S[2] - im.Pad[2] + d*im.D[2]
								if iz >= 0 && iz < im.In[0] && iy >= 0 && iy < im.In[1] && ix >= 0 && ix < im.In[2] {
									out[r*cols+j] = x[((c*im.In[0]+iz)*im.In[1]+iy)*im.In[2]+ix]
								}
								j++
							}
						}
					}
				}
			}
		}
	}
	return out
}

// im2colCases are convolution geometries for the implicit column matrix:
// strides, pads (that reach past a whole kernel row), dilations, 1-D and
// 3-D, outputs narrower than a tile, and a K spanning several KC blocks.
func im2colCases() []Im2col {
	one := [3]int{1, 1, 1}
	outOf := func(im Im2col) Im2col {
		for i := range 3 {
			span := (im.K[i]-1)*im.D[i] + 1
			im.Out[i] = (im.In[i]+2*im.Pad[i]-span)/im.S[i] + 1
		}
		return im
	}
	return []Im2col{
		outOf(Im2col{C: 3, In: [3]int{1, 9, 11}, K: [3]int{1, 3, 3}, S: one, D: one, Pad: [3]int{0, 1, 1}}),
		outOf(Im2col{C: 2, In: [3]int{1, 13, 17}, K: [3]int{1, 3, 2}, S: [3]int{1, 2, 3}, D: one, Pad: [3]int{0, 2, 1}}),
		outOf(Im2col{C: 4, In: [3]int{1, 12, 12}, K: [3]int{1, 3, 3}, S: one, D: [3]int{1, 2, 3}, Pad: [3]int{0, 2, 3}}),
		outOf(Im2col{C: 5, In: [3]int{1, 1, 40}, K: [3]int{1, 1, 5}, S: [3]int{1, 1, 2}, D: one, Pad: [3]int{0, 0, 2}}),
		outOf(Im2col{C: 2, In: [3]int{5, 6, 7}, K: [3]int{3, 2, 3}, S: [3]int{1, 2, 2}, D: one, Pad: [3]int{1, 0, 1}}),
		outOf(Im2col{C: 3, In: [3]int{1, 4, 4}, K: [3]int{1, 7, 7}, S: one, D: one, Pad: [3]int{0, 3, 3}}),
		outOf(Im2col{C: 40, In: [3]int{1, 7, 7}, K: [3]int{1, 3, 3}, S: one, D: one, Pad: [3]int{0, 1, 1}}),
		outOf(Im2col{C: 8, In: [3]int{1, 20, 60}, K: [3]int{1, 1, 1}, S: [3]int{1, 2, 2}, D: one, Pad: one}),
		outOf(Im2col{C: 1, In: [3]int{1, 28, 28}, K: [3]int{1, 5, 5}, S: one, D: one, Pad: [3]int{0, 2, 2}}),
	}
}

// TestPackedEveryLevel checks PackA with GemmPacked (matrix B, either
// orientation, and the implicit column matrix) and GemmIm against the
// float64 reference on the explicit matrices, at every dispatch tier, on
// one and two threads; the parallel and serial results must agree
// bit for bit. C has guard columns that must keep their values.
func TestPackedEveryLevel(t *testing.T) {
	dispatchtest.ForEachImpl(t, func(t *testing.T, k *dispatch.Kernels) {
		e := F32()
		r := rand.New(rand.NewSource(11))
		check := func(name string, m, n, kk int, want []float64, ldc int, c0 []float32, run func(c []float32, threads int)) {
			t.Helper()
			var first []float32
			for _, threads := range []int{1, 2} {
				c := append([]float32(nil), c0...)
				run(c, threads)
				for i := 0; i < m; i++ {
					for j := 0; j < ldc; j++ {
						x := i*ldc + j
						if j >= n {
							if !sameBits(c[x], c0[x]) {
								t.Fatalf("%s t%d: guard C[%d,%d] changed", name, threads, i, j)
							}
							continue
						}
						// float32 sums of kk products of N(0,1) values.
						tol := 1e-5 + 1e-5*math.Sqrt(float64(kk)+1)*(1+math.Abs(want[x]))
						if d := math.Abs(float64(c[x]) - want[x]); !(d <= tol) {
							t.Fatalf("%s t%d: C[%d,%d] = %g, want %g", name, threads, i, j, c[x], want[x])
						}
					}
				}
				if first == nil {
					first = c
					continue
				}
				for i := range c {
					if !sameBits(c[i], first[i]) {
						t.Fatalf("%s: one and two threads differ at %d", name, i)
					}
				}
			}
		}
		// Matrix B.
		for _, sz := range [][3]int{{1, 17, 9}, {13, 1, 9}, {7, 37, 1}, {6, 16, 5}, {67, 35, 600}, {125, 300, 20}, {19, 2061, 3}, {1, 1000, 600}, {2, 70, 300}} {
			for _, tr := range [][2]bool{{false, false}, {true, false}, {false, true}, {true, true}} {
				m, n, kk := sz[0], sz[1], sz[2]
				name := fmt.Sprintf("%dx%dx%d/%v", m, n, kk, tr)
				lda, ldb, ldc := kk+1, n+3, n+7
				ar, br := m, kk
				if tr[0] {
					lda, ar = m+2, kk
				}
				if tr[1] {
					ldb, br = kk+5, n
				}
				a, b := randSlice(r, ar*lda), randSlice(r, br*ldb)
				c0 := randSlice(r, m*ldc)
				const alpha, beta = -0.5, 1.5
				pa := e.PackA(tr[0], m, kk, alpha, a, lda)
				if gm, gk := pa.Dims(); gm != m || gk != kk || pa.Engine() != e || pa.Len() < m*kk {
					t.Fatalf("%s: PackA gave %dx%d, %d elements", name, gm, gk, pa.Len())
				}
				want := naive(tr[0], tr[1], m, n, kk, alpha, a, lda, b, ldb, beta, c0, ldc)
				check(name, m, n, kk, want, ldc, c0, func(c []float32, threads int) {
					e.GemmPacked(pa, n, b, ldb, tr[1], nil, beta, c, ldc, threads, Epilogue[float32]{})
				})
				pb := e.PackB(tr[1], kk, n, b, ldb)
				if gk, gn := pb.Dims(); gk != kk || gn != n || pb.Engine() != e || pb.Len() < n*kk {
					t.Fatalf("%s: PackB gave %dx%d, %d elements", name, gk, gn, pb.Len())
				}
				check(name+"/packedB", m, n, kk, want, ldc, c0, func(c []float32, threads int) {
					e.GemmPackedB(tr[0], m, alpha, a, lda, pb, beta, c, ldc, threads)
				})
			}
		}
		// Implicit column matrix.
		for ci, im := range im2colCases() {
			for _, m := range []int{1, 5, 16, 70} {
				im := im
				kk, n := im.Rows(), im.Cols()
				name := fmt.Sprintf("im2col%d/m%d", ci, m)
				x := randSlice(r, im.C*im.In[0]*im.In[1]*im.In[2])
				col := refIm2col(&im, x)
				a := randSlice(r, m*kk)
				ldc := n + 2
				c0 := randSlice(r, m*ldc)
				want := naive(false, false, m, n, kk, 1, a, kk, col, n, 1, c0, ldc)
				pa := e.PackA(false, m, kk, 1, a, kk)
				check(name+"/packed", m, n, kk, want, ldc, c0, func(c []float32, threads int) {
					e.GemmPacked(pa, n, x, 0, false, &im, 1, c, ldc, threads, Epilogue[float32]{})
				})
				check(name+"/im", m, n, kk, want, ldc, c0, func(c []float32, threads int) {
					e.GemmIm(m, a, kk, x, &im, 1, c, ldc, threads, Epilogue[float32]{})
				})
			}
		}
	})
}

// TestPackedKernels runs the implicit column matrix through every pure-Go
// tile shape, so the panel dealing handles any NR.
func TestPackedKernels(t *testing.T) {
	r := rand.New(rand.NewSource(12))
	for _, kern := range testKernels() {
		e := New(kern)
		for ci, im := range im2colCases() {
			im := im
			m, kk, n := 9, im.Rows(), im.Cols()
			x := randSlice(r, im.C*im.In[0]*im.In[1]*im.In[2])
			a := randSlice(r, m*kk)
			c := make([]float32, m*n)
			want := naive(false, false, m, n, kk, 1, a, kk, refIm2col(&im, x), n, 0, c, n)
			e.GemmPacked(e.PackA(false, m, kk, 1, a, kk), n, x, 0, false, &im, 0, c, n, 2, Epilogue[float32]{})
			for i := range c {
				if math.Abs(float64(c[i])-want[i]) > 1e-5*math.Sqrt(float64(kk)+1)*(1+math.Abs(want[i])) {
					t.Fatalf("%s case %d: C[%d] = %g, want %g", kern.Name, ci, i, c[i], want[i])
				}
			}
		}
	}
}

// TestPackedMisuse checks the panics that guard GemmPacked's contract.
func TestPackedMisuse(t *testing.T) {
	e1, e2 := New(testKernels()[0]), New(testKernels()[1])
	pa := e1.PackA(false, 2, 3, 1, make([]float32, 6), 3)
	for name, f := range map[string]func(){
		"other engine": func() {
			e2.GemmPacked(pa, 2, make([]float32, 6), 2, false, nil, 0, make([]float32, 4), 2, 1, Epilogue[float32]{})
		},
		"other engine B": func() {
			e2.GemmPackedB(false, 2, 1, make([]float32, 6), 3, e1.PackB(false, 3, 2, make([]float32, 6), 2), 0, make([]float32, 4), 2, 1)
		},
		"column shape": func() {
			im := Im2col{C: 1, In: [3]int{1, 1, 4}, K: [3]int{1, 1, 2}, S: [3]int{1, 1, 1}, D: [3]int{1, 1, 1}, Out: [3]int{1, 1, 3}}
			e1.GemmPacked(pa, 3, make([]float32, 4), 0, false, &im, 0, make([]float32, 6), 3, 1, Epilogue[float32]{})
		},
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s: no panic", name)
				}
			}()
			f()
		}()
	}
}

// TestPackedNoAllocs: a steady stream of packed and implicit-im2col
// GEMMs on two threads allocates nothing.
func TestPackedNoAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector allocates")
	}
	e := F32()
	im := im2colCases()[6]
	m, kk, n := 64, im.Rows(), im.Cols()
	a, x, c := make([]float32, m*kk), make([]float32, im.C*49), make([]float32, m*n)
	pa := e.PackA(false, m, kk, 1, a, kk)
	pb := e.PackB(false, kk, n, make([]float32, kk*n), n)
	run := func() {
		e.GemmPackedB(false, m, 1, a, kk, pb, 0, c, n, 2)
		e.GemmPackedB(false, 1, 1, a, kk, pb, 0, c, n, 2)
		e.GemmPacked(pa, n, x, 0, false, &im, 0, c, n, 2, Epilogue[float32]{})
		e.GemmIm(m, a, kk, x, &im, 0, c, n, 2, Epilogue[float32]{})
	}
	run()
	if allocs := testing.AllocsPerRun(50, run); allocs >= 1 {
		t.Errorf("%.1f allocations per run, want 0", allocs)
	}
}

// TestEpilogue checks GemmPacked's and GemmIm's epilogue at every dispatch
// tier on one and two threads (column strips and row strips): C starts
// from the bias (or zero, or beta*C without one), then the residual is
// added and the activation applied, against the float64 reference with the
// same steps; K = 0 still runs the epilogue. The two thread counts must
// agree bit for bit, and the result must equal the separate passes
// (bias fill, beta-1 GEMM, residual add, activation) bit for bit, though
// the engine stores the first k-block's product and adds the bias after
// it. With a bias or beta 0, C's previous contents (NaNs) are ignored.
func TestEpilogue(t *testing.T) {
	relu := func(x []float32) {
		for i, v := range x {
			x[i] = max(v, 0)
		}
	}
	dispatchtest.ForEachImpl(t, func(t *testing.T, _ *dispatch.Kernels) {
		e := F32()
		r := rand.New(rand.NewSource(13))
		// m*n*k >= parallelMinFlops but for K = 0; K = 300 and 600 span two
		// and three KC blocks, m = 300 three MC blocks, n = 600 three NC.
		for _, sz := range [][3]int{{7, 600, 70}, {300, 20, 60}, {5, 9, 0}, {13, 70, 300}, {130, 40, 600}} {
			m, n, kk := sz[0], sz[1], sz[2]
			for _, mode := range []string{"bias+res+act", "bias", "zero+res", "beta+act"} {
				name := fmt.Sprintf("%dx%dx%d/%s", m, n, kk, mode)
				a := randSlice(r, max(m*kk, 1))
				bm := randSlice(r, max(kk*n, 1))
				ldc, ldr := n+3, n+1
				c0 := randSlice(r, m*ldc)
				if mode != "beta+act" {
					// C is started by the GEMM (stored, not added to):
					// NaNs there must not show through.
					for i := 0; i < m; i++ {
						for j := i % 3; j < n; j += 3 {
							c0[i*ldc+j] = float32(math.NaN())
						}
					}
				}
				var ep Epilogue[float32]
				var beta float32
				switch mode {
				case "bias+res+act":
					ep = Epilogue[float32]{Bias: randSlice(r, m), Res: randSlice(r, m*ldr), LdRes: ldr, Act: relu}
				case "bias":
					ep = Epilogue[float32]{Bias: randSlice(r, m)}
				case "zero+res":
					ep = Epilogue[float32]{Res: randSlice(r, m*ldr), LdRes: ldr}
				case "beta+act":
					beta, ep = 1.5, Epilogue[float32]{Act: relu}
				}
				// The same steps as separate passes.
				sep := append([]float32(nil), c0...)
				if ep.Bias != nil {
					for i := 0; i < m; i++ {
						for j := 0; j < n; j++ {
							sep[i*ldc+j] = ep.Bias[i]
						}
					}
					e.Gemm(false, false, m, n, kk, 1, a, max(kk, 1), bm, n, 1, sep, ldc, 1)
				} else {
					e.Gemm(false, false, m, n, kk, 1, a, max(kk, 1), bm, n, beta, sep, ldc, 1)
				}
				for i := 0; i < m; i++ {
					row := sep[i*ldc : i*ldc+n]
					if ep.Res != nil {
						for j := range row {
							row[j] += ep.Res[i*ldr+j]
						}
					}
					if ep.Act != nil {
						ep.Act(row)
					}
				}
				// The float64 reference.
				start := append([]float32(nil), c0...)
				if ep.Bias != nil {
					for i := 0; i < m; i++ {
						for j := 0; j < n; j++ {
							start[i*ldc+j] = ep.Bias[i]
						}
					}
				}
				refBeta := float64(beta)
				if ep.Bias != nil {
					refBeta = 1
				}
				want := naive(false, false, m, n, kk, 1, a, max(kk, 1), bm, n, refBeta, start, ldc)
				for i := 0; i < m; i++ {
					for j := 0; j < n; j++ {
						if ep.Res != nil {
							want[i*ldc+j] += float64(ep.Res[i*ldr+j])
						}
						if ep.Act != nil {
							want[i*ldc+j] = max(want[i*ldc+j], 0)
						}
					}
				}
				pa := e.PackA(false, m, kk, 1, a, max(kk, 1))
				for _, threads := range []int{1, 2} {
					c := append([]float32(nil), c0...)
					e.GemmPacked(pa, n, bm, n, false, nil, beta, c, ldc, threads, ep)
					for i := 0; i < m; i++ {
						for j := 0; j < ldc; j++ {
							x := i*ldc + j
							if j >= n {
								if !sameBits(c[x], c0[x]) {
									t.Fatalf("%s t%d: guard C[%d,%d] changed", name, threads, i, j)
								}
								continue
							}
							tol := 1e-5 + 1e-5*math.Sqrt(float64(kk)+1)*(1+math.Abs(want[x]))
							if d := math.Abs(float64(c[x]) - want[x]); !(d <= tol) {
								t.Fatalf("%s t%d: C[%d,%d] = %g, want %g", name, threads, i, j, c[x], want[x])
							}
							if !sameBits(c[x], sep[x]) {
								t.Fatalf("%s t%d: C[%d,%d] = %g, the separate passes give %g", name, threads, i, j, c[x], sep[x])
							}
						}
					}
				}
			}
		}
		// GemmIm with the epilogue, against GemmPacked with it.
		im := im2colCases()[1]
		m, kk, n := 9, im.Rows(), im.Cols()
		x := randSlice(r, im.C*im.In[0]*im.In[1]*im.In[2])
		a := randSlice(r, m*kk)
		ep := Epilogue[float32]{Bias: randSlice(r, m), Res: randSlice(r, m*n), LdRes: n, Act: relu}
		want := make([]float32, m*n)
		e.GemmPacked(e.PackA(false, m, kk, 1, a, kk), n, x, 0, false, &im, 0, want, n, 1, ep)
		for _, threads := range []int{1, 2} {
			c := make([]float32, m*n)
			e.GemmIm(m, a, kk, x, &im, 0, c, n, threads, ep)
			for i := range c {
				if !sameBits(c[i], want[i]) {
					t.Fatalf("GemmIm t%d: C[%d] = %g, GemmPacked gives %g", threads, i, c[i], want[i])
				}
			}
		}
	})
}
