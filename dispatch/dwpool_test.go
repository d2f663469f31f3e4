package dispatch_test

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/onnxrun/onnxrun/dispatch"
	"github.com/onnxrun/onnxrun/dispatch/dispatchtest"
)

const guard = float32(-12345.5)

// block is one DwConv3x3F32 / MaxPoolF32 call: an oh×ow output block at
// dst pitch dp, over a source of pitch sp.
type block struct {
	ow, oh, dp, sp, kh, kw, sh, sw int
	slack                          int // source elements past the last tap
}

func (b block) String() string {
	return fmt.Sprintf("ow%d oh%d dp%d sp%d k%dx%d s%dx%d slack%d", b.ow, b.oh, b.dp, b.sp, b.kh, b.kw, b.sh, b.sw, b.slack)
}

// srcLen is the smallest source holding every tap, plus the slack.
func (b block) srcLen() int {
	return (b.sh*(b.oh-1)+b.kh-1)*b.sp + b.sw*(b.ow-1) + b.kw + b.slack
}

// blocks lists the shapes the kernels are tested on: widths 1 to 33
// (around both vector widths, 8 and 16, and twice that plus one), heights
// with and without leftover rows after groups of four, both strides,
// pitches wider than needed, and sources with no room past the last tap
// (the wrappers then finish the last rows in Go) or with DwSlack.
func blocks(kernels [][2]int) []block {
	var out []block
	for _, k := range kernels {
		for _, sw := range []int{1, 2} {
			for _, sh := range []int{1, 2, 3} {
				for ow := 1; ow <= 33; ow++ {
					for _, oh := range []int{1, 3, 4, 5, 9} {
						for _, extra := range []int{0, 3} {
							for _, slack := range []int{0, dispatch.DwSlack} {
								out = append(out, block{ow: ow, oh: oh, dp: ow + extra, sp: sw*(ow-1) + k[1] + extra + 1, kh: k[0], kw: k[1], sh: sh, sw: sw, slack: slack})
							}
						}
					}
				}
			}
		}
	}
	return out
}

// dwFill returns n values: normal numbers, and with special set a few NaNs,
// infinities and zeros of both signs.
func dwFill(rng *rand.Rand, n int, special bool) []float32 {
	sp := []float32{float32(math.NaN()), float32(math.Inf(1)), float32(math.Inf(-1)), 0, float32(math.Copysign(0, -1))}
	x := make([]float32, n)
	for i := range x {
		if special && rng.IntN(40) == 0 {
			x[i] = sp[rng.IntN(len(sp))]
		} else {
			x[i] = float32(rng.NormFloat64() * 3)
		}
	}
	return x
}

// checkGuards fails if anything outside the block's outputs changed.
func checkGuards(t *testing.T, b block, dst []float32) {
	t.Helper()
	for i, v := range dst {
		y, x := i/b.dp, i%b.dp
		if (y >= b.oh || x >= b.ow) && v != guard {
			t.Fatalf("%v: dst[%d] (row %d, column %d) outside the block was written: %v", b, i, y, x, v)
		}
	}
}

// TestDwConv3x3 checks every tier's DwConv3x3F32 against a float64
// evaluation of its definition. The tiers add the nine products to the
// bias in float32, one rounding per product and sum (or one per fused
// step), so each output is within 10 roundings of the magnitudes involved:
// |got - want| <= 10 * 2^-24 * (|b| + sum |w*x|), before the clamp, which
// does not widen the gap. With infinities or NaNs among the inputs the
// result must be NaN exactly when the reference's is, and equal it when it
// is infinite.
func TestDwConv3x3(t *testing.T) {
	acts := [][2]float32{{float32(math.Inf(-1)), float32(math.Inf(1))}, {0, float32(math.Inf(1))}, {0, 6}}
	dispatchtest.ForEachImpl(t, func(t *testing.T, k *dispatch.Kernels) {
		rng := rand.New(rand.NewPCG(7, 8))
		for n, b := range blocks([][2]int{{3, 3}}) {
			special := n%3 == 0
			act := acts[n%len(acts)]
			src := dwFill(rng, b.srcLen(), special)
			w := dwFill(rng, 9, false)
			bias := float32(rng.NormFloat64())
			dst := make([]float32, (b.oh+1)*b.dp)
			for i := range dst {
				dst[i] = guard
			}
			k.DwConv3x3F32(dst, b.dp, src, b.sp, b.ow, b.oh, b.sh, b.sw, w, bias, act[0], act[1])
			checkGuards(t, b, dst)
			for y := 0; y < b.oh; y++ {
				for x := 0; x < b.ow; x++ {
					want, mag := float64(bias), math.Abs(float64(bias))
					for i := range 3 {
						for j := range 3 {
							p := float64(w[3*i+j]) * float64(src[(b.sh*y+i)*b.sp+b.sw*x+j])
							want += p
							mag += math.Abs(p)
						}
					}
					want = math.Min(math.Max(want, float64(act[0])), float64(act[1]))
					got := float64(dst[y*b.dp+x])
					bad := false
					switch {
					case math.IsNaN(want) || math.IsInf(mag, 0):
						// Infinite terms: compare with the reference tier,
						// which adds the same terms in the same order.
						ref := make([]float32, len(dst))
						dispatch.Generic().DwConv3x3F32(ref, b.dp, src, b.sp, b.ow, b.oh, b.sh, b.sw, w, bias, act[0], act[1])
						r := float64(ref[y*b.dp+x])
						bad = math.IsNaN(r) != math.IsNaN(got) || (math.IsInf(r, 0) && r != got)
					default:
						bad = math.Abs(got-want) > 10*0x1p-24*mag
					}
					if bad {
						t.Fatalf("%v act %v: y[%d,%d] = %v, want %v (magnitude %v)", b, act, y, x, got, want, mag)
					}
				}
			}
		}
	})
}

// TestMaxPool checks every tier's MaxPoolF32 against the definition: the
// maximum is exact, so outputs must be equal (a zero of either sign
// matching a zero) or both NaN when the window holds a NaN.
func TestMaxPool(t *testing.T) {
	dispatchtest.ForEachImpl(t, func(t *testing.T, k *dispatch.Kernels) {
		rng := rand.New(rand.NewPCG(9, 10))
		for n, b := range blocks([][2]int{{1, 1}, {2, 2}, {3, 3}, {2, 5}, {5, 4}}) {
			src := dwFill(rng, b.srcLen(), n%2 == 0)
			dst := make([]float32, (b.oh+1)*b.dp)
			for i := range dst {
				dst[i] = guard
			}
			k.MaxPoolF32(dst, b.dp, src, b.sp, b.ow, b.oh, b.kh, b.kw, b.sh, b.sw)
			checkGuards(t, b, dst)
			for y := 0; y < b.oh; y++ {
				for x := 0; x < b.ow; x++ {
					want, nan := math.Inf(-1), false
					for i := 0; i < b.kh; i++ {
						for j := 0; j < b.kw; j++ {
							v := float64(src[(b.sh*y+i)*b.sp+b.sw*x+j])
							nan = nan || math.IsNaN(v)
							want = math.Max(want, v)
						}
					}
					got := float64(dst[y*b.dp+x])
					if nan && !math.IsNaN(got) || !nan && got != want {
						t.Fatalf("%v: y[%d,%d] = %v, want %v", b, y, x, got, want)
					}
				}
			}
		}
	})
}

// TestDwPoolFallback: strides the SIMD tiers do not take, and a short
// destination, go to the reference (which panics on the short buffer
// rather than writing past it).
func TestDwPoolFallback(t *testing.T) {
	dispatchtest.ForEachImpl(t, func(t *testing.T, k *dispatch.Kernels) {
		src := make([]float32, 100)
		for i := range src {
			src[i] = float32(i)
		}
		w := []float32{0, 0, 0, 0, 1, 0, 0, 0, 0}
		dst := make([]float32, 3)
		k.DwConv3x3F32(dst, 3, src, 10, 3, 1, 1, 3, w, 0, float32(math.Inf(-1)), float32(math.Inf(1)))
		if dst[0] != 11 || dst[1] != 14 || dst[2] != 17 {
			t.Errorf("stride 3 depthwise: %v, want [11 14 17]", dst)
		}
		k.MaxPoolF32(dst, 3, src, 10, 3, 1, 2, 2, 1, 3)
		if dst[0] != 11 || dst[1] != 14 || dst[2] != 17 {
			t.Errorf("stride 3 max pool: %v, want [11 14 17]", dst)
		}
		defer func() {
			if recover() == nil {
				t.Error("a destination too short for the block did not panic")
			}
		}()
		k.MaxPoolF32(make([]float32, 2), 3, src, 10, 3, 1, 2, 2, 1, 1)
	})
}
