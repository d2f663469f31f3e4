package conv

import (
	"fmt"
	"math"
	"math/rand"
	"testing"

	"github.com/onnxrun/onnxrun/dispatch"
	"github.com/onnxrun/onnxrun/dispatch/dispatchtest"
	"github.com/onnxrun/onnxrun/operators"
)

// TestPlane3x3 checks the one-pass depthwise 3×3 plane against the direct
// definition of a padded, strided 3×3 correlation, in int32 so that the
// comparison is exact, over planes narrower than the kernel, odd sizes,
// strides 1 and 2 and pads 0 to 2 (the output then reaches past the input
// on both sides).
func TestPlane3x3(t *testing.T) {
	for _, ih := range []int{1, 2, 3, 5, 8} {
		for _, iw := range []int{1, 3, 4, 7, 16} {
			for _, s := range []int{1, 2} {
				for _, p := range []int{0, 1, 2} {
					oh := (ih+2*p-3)/s + 1
					ow := (iw+2*p-3)/s + 1
					if ih+2*p < 3 || iw+2*p < 3 {
						continue
					}
					x := make([]int32, ih*iw)
					for i := range x {
						x[i] = int32(i*7%11) - 5
					}
					w := []int32{1, -2, 3, -4, 5, -6, 7, -8, 9}
					got := make([]int32, oh*ow+1)
					got[oh*ow] = 12345 // guard
					plane3x3(x, got[:oh*ow], w, 3, ih, iw, oh, ow, s, s, p, p)
					for zh := 0; zh < oh; zh++ {
						for zw := 0; zw < ow; zw++ {
							want := int32(3)
							for fh := 0; fh < 3; fh++ {
								for fw := 0; fw < 3; fw++ {
									y, xx := zh*s-p+fh, zw*s-p+fw
									if y >= 0 && y < ih && xx >= 0 && xx < iw {
										want += w[fh*3+fw] * x[y*iw+xx]
									}
								}
							}
							if g := got[zh*ow+zw]; g != want {
								t.Fatalf("%s: y[%d,%d] = %d, want %d", fmt.Sprintf("ih%d iw%d s%d p%d", ih, iw, s, p), zh, zw, g, want)
							}
						}
					}
					if got[oh*ow] != 12345 {
						t.Fatal("wrote past the plane")
					}
				}
			}
		}
	}
}

// TestDepthwiseFast checks the float32 depthwise 3×3 path through the
// dispatch kernel, at every kernel tier, against plane3x3 (the scalar
// plane loop, kept as the reference) followed by the activation: input
// sizes giving output widths 1 to 33 (around the 8- and 16-lane vectors),
// strides 1 and 2 per axis, pads 0 to 2 on each side independently, a
// batch of two, NaN and infinite inputs, each fused activation, and one
// and two threads (which must agree bit for bit).
//
// Tolerance: the tiers fuse each multiply-add where plane3x3 rounds the
// product and the sum, so an output may differ by about 10 roundings of
// the magnitudes summed: |got - want| <= 10 * 2^-24 * (|b| + sum |w*x|).
// Where that sum is infinite or the reference is NaN, NaN must match NaN
// and an infinite reference must be matched exactly.
func TestDepthwiseFast(t *testing.T) {
	acts := []operators.Activation{
		{},
		{Kind: operators.ActRelu},
		{Kind: operators.ActClip, Min: -0.5, Max: 0.75},
		{Kind: operators.ActLeakyRelu, Alpha: 0.1},
	}
	special := []float32{float32(math.NaN()), float32(math.Inf(1)), float32(math.Inf(-1))}
	dispatchtest.ForEachImpl(t, func(t *testing.T, _ *dispatch.Kernels) {
		r := rand.New(rand.NewSource(31))
		n := 0
		for _, ih := range []int{1, 3, 6, 9} {
			for iw := 1; iw <= 68; iw += 1 + iw/12 {
				for _, s := range [][2]int{{1, 1}, {2, 2}, {1, 2}, {2, 1}} {
					for _, pads := range [][4]int{{0, 0, 0, 0}, {1, 1, 1, 1}, {2, 0, 1, 2}, {0, 1, 0, 1}} {
						n++
						ph, pw, pe, pr := pads[0], pads[1], pads[2], pads[3]
						if ih+ph+pe < 3 || iw+pw+pr < 3 {
							continue
						}
						oh, ow := (ih+ph+pe-3)/s[0]+1, (iw+pw+pr-3)/s[1]+1
						const c = 3
						op, err := newConv(node(11, 3, ints("pads", int64(ph), int64(pw), int64(pe), int64(pr)),
							ints("strides", int64(s[0]), int64(s[1])), &operators.Attr{Name: "group", Type: operators.AttrInt, I: c}))
						if err != nil {
							t.Fatal(err)
						}
						x, w, b := randVal(r, 2, c, ih, iw), randVal(r, c, 1, 3, 3), randVal(r, c)
						if n%3 == 0 {
							for i := range x.F32() {
								if r.Intn(30) == 0 {
									x.F32()[i] = special[r.Intn(len(special))]
								}
							}
						}
						geo, err := op.(*Conv).resolve(x.Shape, w.Shape, b.Shape)
						if err != nil {
							t.Fatal(err)
						}
						if _, ok := dwFast(geo); !ok {
							t.Fatalf("ih%d iw%d s%v pads%v: dwFast refused", ih, iw, s, pads)
						}
						act := acts[n%len(acts)]
						want := make([]float32, 2*c*oh*ow)
						for nm := range 2 * c {
							m := nm % c
							plane3x3(x.F32()[nm*ih*iw:(nm+1)*ih*iw], want[nm*oh*ow:(nm+1)*oh*ow], w.F32()[m*9:m*9+9], b.F32()[m],
								ih, iw, oh, ow, s[0], s[1], ph, pw)
						}
						operators.Activate(act, want)
						var first []float32
						for _, threads := range []int{1, 2} {
							y := make([]float32, len(want)+1)
							y[len(want)] = 12345
							if !depthwiseFast(&operators.RunContext{Threads: threads}, geo, x.F32(), w.F32(), b.F32(), y[:len(want)], act) {
								t.Fatal("depthwiseFast refused float32")
							}
							if y[len(want)] != 12345 {
								t.Fatal("wrote past the output")
							}
							name := fmt.Sprintf("ih%d iw%d s%v pads%v act%v threads%d", ih, iw, s, pads, act.Kind, threads)
							for i, g := range y[:len(want)] {
								nm, o := i/(oh*ow), i%(oh*ow)
								zh, zw := o/ow, o%ow
								m := nm % c
								mag := math.Abs(float64(b.F32()[m]))
								for fh := range 3 {
									for fw := range 3 {
										yy, xx := zh*s[0]-ph+fh, zw*s[1]-pw+fw
										if yy >= 0 && yy < ih && xx >= 0 && xx < iw {
											mag += math.Abs(float64(w.F32()[m*9+fh*3+fw]) * float64(x.F32()[nm*ih*iw+yy*iw+xx]))
										}
									}
								}
								wv, gv := float64(want[i]), float64(g)
								var bad bool
								if math.IsNaN(wv) || math.IsInf(mag, 0) {
									bad = math.IsNaN(wv) != math.IsNaN(gv) || (math.IsInf(wv, 0) && wv != gv)
								} else {
									bad = !(math.Abs(gv-wv) <= 10*0x1p-24*mag*(1+float64(act.Alpha)))
								}
								if bad {
									t.Fatalf("%s: y[%d] = %v, want %v", name, i, g, want[i])
								}
							}
							if first == nil {
								first = y
							} else {
								for i := range want {
									if math.Float32bits(y[i]) != math.Float32bits(first[i]) {
										t.Fatalf("%s: threads 1 and 2 differ at %d", name, i)
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

// TestDepthwiseFastDeclines: float64, dilation and 5×5 windows keep the
// general loop.
func TestDepthwiseFastDeclines(t *testing.T) {
	for _, c := range []struct {
		attrs []*operators.Attr
		w     []int
	}{
		{[]*operators.Attr{ints("dilations", 2, 2)}, []int{4, 1, 3, 3}},
		{nil, []int{4, 1, 5, 5}},
		{[]*operators.Attr{ints("strides", 1, 3)}, []int{4, 1, 3, 3}},
	} {
		op, err := newConv(node(11, 2, append(c.attrs, &operators.Attr{Name: "group", Type: operators.AttrInt, I: 4})...))
		if err != nil {
			t.Fatal(err)
		}
		geo, err := op.(*Conv).resolve([]int{1, 4, 12, 12}, c.w, nil)
		if err != nil {
			t.Fatal(err)
		}
		if _, ok := dwFast(geo); ok {
			t.Errorf("%v %v: dwFast took it", c.attrs, c.w)
		}
	}
	op, _ := newConv(node(11, 2, &operators.Attr{Name: "group", Type: operators.AttrInt, I: 2}))
	geo, err := op.(*Conv).resolve([]int{1, 2, 5, 5}, []int{2, 1, 3, 3}, nil)
	if err != nil {
		t.Fatal(err)
	}
	x, w, y := make([]float64, 50), make([]float64, 18), make([]float64, 18)
	if depthwiseFast(nil, geo, x, w, nil, y, operators.Activation{}) {
		t.Error("depthwiseFast took float64")
	}
}

// TestDepthwiseFastAllocs: once its pools are filled, the float32
// depthwise path allocates nothing, on one thread or split over two.
func TestDepthwiseFastAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("sync.Pool drops items under the race detector")
	}
	r := rand.New(rand.NewSource(5))
	op, err := newConv(node(11, 3, ints("pads", 1, 1, 1, 1), &operators.Attr{Name: "group", Type: operators.AttrInt, I: 8}))
	if err != nil {
		t.Fatal(err)
	}
	x, w, b := randVal(r, 1, 8, 20, 20), randVal(r, 8, 1, 3, 3), randVal(r, 8)
	geo, err := op.(*Conv).resolve(x.Shape, w.Shape, b.Shape)
	if err != nil {
		t.Fatal(err)
	}
	y := make([]float32, 8*20*20)
	for _, threads := range []int{1, 2} {
		rc := &operators.RunContext{Threads: threads}
		run := func() {
			depthwiseFast(rc, geo, x.F32(), w.F32(), b.F32(), y, operators.Activation{Kind: operators.ActRelu})
		}
		run()
		if n := testing.AllocsPerRun(20, run); n != 0 {
			t.Errorf("threads %d: %v allocations per run, want 0", threads, n)
		}
	}
}
