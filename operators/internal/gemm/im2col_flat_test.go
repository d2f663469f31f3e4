package gemm

import (
	"fmt"
	"math"
	"math/rand"
	"testing"

	"github.com/onnxrun/onnxrun/dispatch"
	"github.com/onnxrun/onnxrun/dispatch/dispatchtest"
)

// refFlat builds the column matrix of a Flat im2col element by element:
// row (c, kd, kh, kw), column j holds x[c][j + the tap's offset], the
// channel's flattened (padded) volume read from the tap on.
func refFlat(im *Im2col, x []float32) []float32 {
	rows, cols := im.Rows(), im.Cols()
	inVol := im.In[0] * im.In[1] * im.In[2]
	out := make([]float32, rows*cols)
	r := 0
	for c := 0; c < im.C; c++ {
		for a := 0; a < im.K[0]; a++ {
			for b := 0; b < im.K[1]; b++ {
				for d := 0; d < im.K[2]; d++ {
					off := (a*im.D[0]*im.In[1]+b*im.D[1])*im.In[2] + d*im.D[2]
					for j := 0; j < cols; j++ {
						out[r*cols+j] = x[c*inVol+off+j]
					}
					r++
				}
			}
		}
	}
	return out
}

// TestFlatIm2col checks GemmPacked and GemmIm over Flat column matrices
// against the float64 product of the explicit matrix, at every dispatch
// tier, on one and two threads (which must agree bit for bit): 1-, 2- and
// 3-D kernels with dilations, and a K of several KC blocks whose blocks
// start inside a channel's taps.
func TestFlatIm2col(t *testing.T) {
	one := [3]int{1, 1, 1}
	flat := func(c int, out, k, d [3]int) Im2col {
		var in [3]int
		for i := range 3 {
			in[i] = out[i] + (k[i]-1)*d[i]
		}
		return Im2col{C: c, In: in, K: k, S: one, D: d, Out: out, Flat: true}
	}
	cases := []Im2col{
		flat(1, [3]int{1, 28, 28}, [3]int{1, 5, 5}, one),
		flat(8, [3]int{1, 14, 14}, [3]int{1, 5, 5}, one),
		flat(3, [3]int{1, 1, 37}, [3]int{1, 1, 4}, [3]int{1, 1, 2}),
		flat(2, [3]int{3, 4, 5}, [3]int{2, 3, 2}, [3]int{2, 1, 2}),
		flat(12, [3]int{2, 3, 3}, [3]int{3, 3, 3}, one), // K = 324
	}
	dispatchtest.ForEachImpl(t, func(t *testing.T, _ *dispatch.Kernels) {
		e := F32()
		r := rand.New(rand.NewSource(12))
		for ci, im := range cases {
			for _, m := range []int{1, 8, 16, 23} {
				im := im
				kk, n := im.Rows(), im.Cols()
				x := randSlice(r, im.C*im.In[0]*im.In[1]*im.In[2])
				col := refFlat(&im, x)
				a := randSlice(r, m*kk)
				ldc := n + 3
				c0 := randSlice(r, m*ldc)
				want := naive(false, false, m, n, kk, 1, a, kk, col, n, 0, c0, ldc)
				pa := e.PackA(false, m, kk, 1, a, kk)
				for _, packed := range []bool{false, true} {
					name := fmt.Sprintf("flat%d/m%d/packed=%v", ci, m, packed)
					var first []float32
					for _, threads := range []int{1, 2} {
						c := append([]float32(nil), c0...)
						if packed {
							e.GemmPacked(pa, n, x, 0, false, &im, 0, c, ldc, threads, Epilogue[float32]{})
						} else {
							e.GemmIm(m, a, kk, x, &im, 0, c, ldc, threads, Epilogue[float32]{})
						}
						for i := 0; i < m; i++ {
							for j := 0; j < ldc; j++ {
								p := i*ldc + j
								if j >= n {
									if !sameBits(c[p], c0[p]) {
										t.Fatalf("%s t%d: guard C[%d,%d] changed", name, threads, i, j)
									}
									continue
								}
								// float32 sums of kk products of N(0,1) values.
								tol := 1e-5 + 1e-5*math.Sqrt(float64(kk)+1)*(1+math.Abs(want[p]))
								if d := math.Abs(float64(c[p]) - want[p]); !(d <= tol) {
									t.Fatalf("%s t%d: C[%d,%d] = %g, want %g", name, threads, i, j, c[p], want[p])
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
			}
		}
	})
}
