package conv

import (
	"sync"

	"github.com/onnxrun/onnxrun/operators"
	eng "github.com/onnxrun/onnxrun/operators/internal/gemm"
)

// The flat path runs a small unit-stride convolution as one GEMM over a
// padded copy of the image. With the image padded, the column matrix row
// of each kernel tap is, for every output position laid out at the
// padded row pitch, one contiguous run of the padded image starting at
// the tap's offset; the GEMM then packs its B panels with block copies
// instead of gathering each output row's run (with its zero padding)
// element by element. The price is the columns between the last output
// of a row and the first of the next (the padding's width, pb+pe): the
// GEMM computes them and they are dropped when the result is copied into
// Y. On layers with few output channels, where the gather cost as much as
// the multiply-adds (a 5×5 layer of 8 or 16 channels on a 28×28 or 14×14
// image), that trade wins by far.
//
// Every output sums the same products in the same order as the gathering
// path's GEMM, so both paths give the same bits.

// flatPlan is the geometry of the flat path for one resolved Conv.
type flatPlan struct {
	im     eng.Im2col // Flat: In is the padded size
	padVol int        // elements per padded channel
	cols   int        // the GEMM's n (im.Cols())
}

// flatBufs32 and flatBufs64 recycle the flat path's scratch (*[]T), at
// most flatMaxScratch elements: kept out of the runtime's allocator like
// the GEMM's packing buffers, as it lives only inside one call.
var flatBufs32, flatBufs64 sync.Pool

// Limits of the flat path: the columns it computes (valid outputs plus
// the padding columns between them) may be at most flatWaste times the
// outputs, and its scratch (the padded image and the GEMM's result for
// one group) at most flatMaxScratch elements, a size that stays in L2.
// Layers with more than flatMaxChannels output channels per group keep
// the gathering path: there the gather is a small part of the work,
// which the extra columns and copies would outweigh.
const (
	flatWaste       = 1.5
	flatMaxScratch  = 1 << 16
	flatMaxChannels = 32
)

// planFlat sets geo.flat when the flat path applies to geo.
func (geo *geometry) planFlat() {
	geo.flat = nil
	if geo.depthwise || geo.pointwise || geo.mg > flatMaxChannels {
		return
	}
	var in [3]int
	for i := range 3 {
		if geo.s[i] != 1 {
			return
		}
		in[i] = geo.out[i] + (geo.k[i]-1)*geo.d[i]
		if in[i] > flatMaxScratch {
			return // and the volume below cannot overflow
		}
	}
	f := &flatPlan{
		im:     eng.Im2col{C: geo.cg, In: in, K: geo.k, S: geo.s, D: geo.d, Out: geo.out, Flat: true},
		padVol: in[0] * in[1] * in[2],
	}
	f.cols = f.im.Cols()
	outVol := geo.out[0] * geo.out[1] * geo.out[2]
	if outVol == 0 || float64(f.cols) > flatWaste*float64(outVol) {
		return
	}
	if geo.cg > flatMaxScratch/f.padVol || geo.mg > flatMaxScratch/f.cols || geo.cg*f.padVol+geo.mg*f.cols > flatMaxScratch {
		return
	}
	geo.flat = f
}

// runFlat computes the convolution on the flat path (no residual) into y,
// with scratch from pool. pa and actFn are as in run.
func runFlat[T eng.Float](rc *operators.RunContext, geo *geometry, x, w, bias, y []T, e *eng.Engine[T], pa []*eng.PackedA[T], actFn func([]T), pool *sync.Pool) {
	threads := 1
	if rc != nil {
		threads = rc.Threads
	}
	f := geo.flat
	inVol := geo.in[0] * geo.in[1] * geo.in[2]
	outVol := geo.out[0] * geo.out[1] * geo.out[2]
	kRows := geo.cg * geo.k[0] * geo.k[1] * geo.k[2]
	bufp := scratch[T](pool, geo.cg*f.padVol+geo.mg*f.cols)
	defer pool.Put(bufp)
	xp := (*bufp)[:geo.cg*f.padVol]
	cs := (*bufp)[len(xp):]
	clear(xp) // the padding; the image is copied over the rest
	for n := 0; n < geo.n; n++ {
		for g := 0; g < geo.g; g++ {
			xg := x[(n*geo.c+g*geo.cg)*inVol : (n*geo.c+(g+1)*geo.cg)*inVol]
			padImage(geo, f, xg, xp)
			ep := eng.Epilogue[T]{Act: actFn}
			if bias != nil {
				ep.Bias = bias[g*geo.mg : (g+1)*geo.mg]
			}
			if pa != nil {
				e.GemmPacked(pa[g], f.cols, xp, f.cols, false, &f.im, 0, cs, f.cols, threads, ep)
			} else {
				wg := w[g*geo.mg*kRows : (g+1)*geo.mg*kRows]
				e.GemmIm(geo.mg, wg, kRows, xp, &f.im, 0, cs, f.cols, threads, ep)
			}
			yg := y[(n*geo.m+g*geo.mg)*outVol : (n*geo.m+(g+1)*geo.mg)*outVol]
			unpad(geo, f, cs, yg)
		}
	}
}

// padImage copies the channels of xg into the interior of the padded
// image xp, whose padding is already zero.
func padImage[T eng.Float](geo *geometry, f *flatPlan, xg, xp []T) {
	id, ih, iw := geo.in[0], geo.in[1], geo.in[2]
	pd, ph, pw := f.im.In[0], f.im.In[1], f.im.In[2]
	inVol := id * ih * iw
	// Rows of the input beyond the padded size (an end pad below zero)
	// are never read.
	nd, nh, nw := min(id, pd-geo.pb[0]), min(ih, ph-geo.pb[1]), min(iw, pw-geo.pb[2])
	for c := 0; c < geo.cg; c++ {
		src := xg[c*inVol : (c+1)*inVol]
		dst := xp[c*f.padVol : (c+1)*f.padVol]
		for z := 0; z < nd; z++ {
			for r := 0; r < nh; r++ {
				s := src[(z*ih+r)*iw : (z*ih+r)*iw+nw]
				o := ((z+geo.pb[0])*ph+r+geo.pb[1])*pw + geo.pb[2]
				copy(dst[o:o+nw], s)
			}
		}
	}
}

// unpad copies the valid columns of the flat result cs (mg rows of
// f.cols) into the output planes yg.
func unpad[T eng.Float](geo *geometry, f *flatPlan, cs, yg []T) {
	od, oh, ow := geo.out[0], geo.out[1], geo.out[2]
	ph, pw := f.im.In[1], f.im.In[2]
	outVol := od * oh * ow
	for m := 0; m < geo.mg; m++ {
		src := cs[m*f.cols : (m+1)*f.cols]
		dst := yg[m*outVol : (m+1)*outVol]
		for z := 0; z < od; z++ {
			for r := 0; r < oh; r++ {
				o := (z*ph + r) * pw
				copy(dst[(z*oh+r)*ow:(z*oh+r+1)*ow], src[o:o+ow])
			}
		}
	}
}
