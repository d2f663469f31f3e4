package pool

import (
	"fmt"
	"math"
	"math/rand"
	"testing"

	"github.com/onnxrun/onnxrun/dispatch"
	"github.com/onnxrun/onnxrun/dispatch/dispatchtest"
	"github.com/onnxrun/onnxrun/operators"
)

// TestMaxPoolFast compares the float32 MaxPool path through the
// MaxPoolF32 kernel, at every kernel tier and with one and two threads,
// with maxRange2D (the scalar loop, kept as the reference): windows 1×1
// to 3×3 and 2×5, strides 1 and 2 per axis and 3 or 4 along the row (the
// column maxima of maxRangeStrided), pads up to 2 on each side, ceil_mode, output widths 1
// to about 35 (around the 8- and 16-lane vectors), and NaNs, infinities
// and signed zeros among the inputs. The maximum is exact: outputs must
// be equal, a zero matching a zero of either sign (the sign of a zero
// maximum is unspecified), or both NaN.
func TestMaxPoolFast(t *testing.T) {
	special := []float32{float32(math.NaN()), float32(math.Inf(1)), float32(math.Inf(-1)), 0, float32(math.Copysign(0, -1))}
	dispatchtest.ForEachImpl(t, func(t *testing.T, _ *dispatch.Kernels) {
		r := rand.New(rand.NewSource(41))
		n := 0
		for _, ih := range []int{1, 2, 5, 9} {
			for iw := 1; iw <= 72; iw += 1 + iw/10 {
				for _, k := range [][2]int{{1, 1}, {2, 2}, {3, 3}, {2, 5}} {
					for _, s := range [][2]int{{1, 1}, {2, 2}, {1, 2}, {2, 1}, {3, 3}, {1, 3}, {2, 4}} {
						for _, pads := range [][4]int{{0, 0, 0, 0}, {1, 1, 1, 1}, {0, 2, 1, 0}} {
							n++
							ceil := n%2 == 0
							if pads[0] >= k[0] || pads[1] >= k[1] || pads[2] >= k[0] || pads[3] >= k[1] {
								continue
							}
							if ih+pads[0]+pads[2] < k[0] || iw+pads[1]+pads[3] < k[1] {
								continue
							}
							attrs := []*operators.Attr{ints("kernel_shape", int64(k[0]), int64(k[1])), ints("strides", int64(s[0]), int64(s[1])),
								ints("pads", int64(pads[0]), int64(pads[1]), int64(pads[2]), int64(pads[3]))}
							if ceil {
								attrs = append(attrs, iattr("ceil_mode", 1))
							}
							op := build(t, "MaxPool", 12, attrs...)
							x, _ := operators.NewValue(operators.Float32, []int{2, 3, ih, iw})
							for i := range x.F32() {
								if n%3 == 0 && r.Intn(25) == 0 {
									x.F32()[i] = special[r.Intn(len(special))]
								} else {
									x.F32()[i] = float32(r.NormFloat64())
								}
							}
							p := op.(*Pool)
							g, err := p.resolve(x.Shape)
							if err != nil {
								t.Fatal(err)
							}
							if !maxFast(g) {
								t.Fatalf("maxFast = %v for strides %v", maxFast(g), s)
							}
							want := make([]float32, g.nc*g.out[1]*g.out[2])
							maxRange2D(g, x.F32(), want, negInf32, 0, g.nc)
							name := fmt.Sprintf("in %dx%d k%v s%v pads%v ceil %v", ih, iw, k, s, pads, ceil)
							for _, threads := range []int{1, 2} {
								out := make([]*operators.Value, 1)
								if err := op.Run(&operators.RunContext{Threads: threads}, []*operators.Value{x}, out); err != nil {
									t.Fatal(err)
								}
								for i, v := range out[0].F32() {
									if v != want[i] && !(v != v && want[i] != want[i]) {
										t.Fatalf("%s threads %d: y[%d] = %v, want %v", name, threads, i, v, want[i])
									}
								}
							}
						}
					}
				}
			}
		}
	})
}

// TestMaxPoolSplitAllocs: a float32 MaxPool split over two threads
// allocates nothing once the geometry is memoised and its job pooled.
// (Under the race detector sync.Pool drops items at random; the count is
// then not checked.)
func TestMaxPoolSplitAllocs(t *testing.T) {
	x, _ := operators.NewValue(operators.Float32, []int{1, 8, 20, 20})
	op := build(t, "MaxPool", 12, ints("kernel_shape", 3, 3), ints("strides", 2, 2), ints("pads", 1, 1, 1, 1))
	out := make([]*operators.Value, 1)
	if err := op.Run(nil, []*operators.Value{x}, out); err != nil {
		t.Fatal(err)
	}
	rc := &operators.RunContext{Threads: 2, Alloc: fixedAlloc{out[0]}}
	in := []*operators.Value{x}
	n := testing.AllocsPerRun(20, func() { op.Run(rc, in, out) })
	if n != 0 && !raceOn {
		t.Errorf("%v allocations per run, want 0", n)
	}
}

// TestAvgPoolFast compares the float32 3×3 AveragePool path (window sums
// by the depthwise kernel with unit weights) with avgScalar, the scalar
// loop kept as the reference, at every kernel tier and with one and two
// threads: strides 1 and 2 per axis, pads up to 2, ceil_mode,
// count_include_pad, NaNs and infinities among the inputs, output widths
// around the vector widths. The sums are added in the same order and
// rounded the same way (a fused multiply-add by 1 rounds as the add), so
// the outputs must be bit for bit the reference's (NaN matching NaN).
func TestAvgPoolFast(t *testing.T) {
	special := []float32{float32(math.NaN()), float32(math.Inf(1)), float32(math.Inf(-1)), float32(math.Copysign(0, -1))}
	dispatchtest.ForEachImpl(t, func(t *testing.T, _ *dispatch.Kernels) {
		r := rand.New(rand.NewSource(43))
		n := 0
		for _, ih := range []int{1, 3, 7} {
			for iw := 1; iw <= 72; iw += 1 + iw/8 {
				for _, s := range [][2]int{{1, 1}, {2, 2}, {1, 2}, {2, 1}} {
					for _, pads := range [][4]int{{0, 0, 0, 0}, {1, 1, 1, 1}, {2, 0, 1, 2}} {
						n++
						ceil, cip := n%2 == 0, n%3 == 0
						if ih+pads[0]+pads[2] < 3 || iw+pads[1]+pads[3] < 3 {
							continue
						}
						attrs := []*operators.Attr{ints("kernel_shape", 3, 3), ints("strides", int64(s[0]), int64(s[1])),
							ints("pads", int64(pads[0]), int64(pads[1]), int64(pads[2]), int64(pads[3]))}
						if ceil {
							attrs = append(attrs, iattr("ceil_mode", 1))
						}
						if cip {
							attrs = append(attrs, iattr("count_include_pad", 1))
						}
						op := build(t, "AveragePool", 11, attrs...)
						x, _ := operators.NewValue(operators.Float32, []int{2, 2, ih, iw})
						for i := range x.F32() {
							if n%4 == 0 && r.Intn(25) == 0 {
								x.F32()[i] = special[r.Intn(len(special))]
							} else {
								x.F32()[i] = float32(r.NormFloat64())
							}
						}
						p := op.(*Pool)
						g, err := p.resolve(x.Shape)
						if err != nil {
							t.Fatal(err)
						}
						if !avgFast(g) {
							t.Fatalf("avgFast refused strides %v", s)
						}
						want := make([]float32, g.nc*g.out[1]*g.out[2])
						avgScalar(p, g, x.F32(), want, 0, g.nc)
						name := fmt.Sprintf("in %dx%d s%v pads%v ceil %v cip %v", ih, iw, s, pads, ceil, cip)
						for _, threads := range []int{1, 2} {
							out := make([]*operators.Value, 1)
							if err := op.Run(&operators.RunContext{Threads: threads}, []*operators.Value{x}, out); err != nil {
								t.Fatal(err)
							}
							for i, v := range out[0].F32() {
								if math.Float32bits(v) != math.Float32bits(want[i]) && !(v != v && want[i] != want[i]) {
									t.Fatalf("%s threads %d: y[%d] = %v, want %v", name, threads, i, v, want[i])
								}
							}
						}
					}
				}
			}
		}
	})
}
