package pool

import (
	"math"
	"sync"

	"github.com/onnxrun/onnxrun/dispatch"
	"github.com/onnxrun/onnxrun/operators"
)

// inner returns the output positions [lo, hi) along one dimension whose
// whole window (k taps, unit dilation) lies inside the input of size n.
func inner(out, n, k, s, pad int) (lo, hi int) {
	lo = (pad + s - 1) / s
	if n-k+pad >= 0 {
		hi = min(out, (n-k+pad)/s+1)
	}
	if lo > hi {
		lo = hi
	}
	return lo, hi
}

// maxFast reports whether maxRangeF32 takes the geometry: 1-D or 2-D
// pooling with unit dilation.
func maxFast(g *geometry) bool {
	return g.in[0] == 1 && g.out[0] == 1 && g.k[0] == 1 && g.d[1] == 1 && g.d[2] == 1
}

// maxRangeF32 pools the float32 planes [lo, hi) as maxRange2D does: the
// outputs whose windows lie inside the plane go to the MaxPoolF32
// kernel, reading the input in place (its loads may run into the planes
// that follow, which the kernel's wrapper keeps inside x), and the
// border outputs, whose windows reach into the padding, are taken here
// over their taps inside the plane.
func maxRangeF32(g *geometry, x, y []float32, lo, hi int) {
	if g.s[2] > 2 {
		maxRangeStrided(g, x, y, lo, hi)
		return
	}
	ih, iw := g.in[1], g.in[2]
	oh, ow := g.out[1], g.out[2]
	kh, kw := g.k[1], g.k[2]
	sh, sw := g.s[1], g.s[2]
	ph, pw := g.pb[1], g.pb[2]
	y0, y1 := inner(oh, ih, kh, sh, ph)
	x0, x1 := inner(ow, iw, kw, sw, pw)
	kern := dispatch.Active().MaxPoolF32
	for c := lo; c < hi; c++ {
		xc := x[c*ih*iw : (c+1)*ih*iw]
		yc := y[c*oh*ow : (c+1)*oh*ow]
		base := c * ih * iw
		if y1 > y0 && x1 > x0 {
			off := base + (y0*sh-ph)*iw + x0*sw - pw
			kern(yc[y0*ow+x0:], ow, x[off:], iw, x1-x0, y1-y0, kh, kw, sh, sw)
		}
		// A border row's windows over the interior columns all cover the
		// same input rows, fewer than kh: a block of one row with a
		// shorter window. Likewise a border column over the interior rows.
		for oy := 0; oy < oh; oy++ {
			if oy >= y0 && oy < y1 {
				continue
			}
			maxBorder(g, xc, yc, oy, 0, x0)
			maxBorder(g, xc, yc, oy, x1, ow)
			rh := g.taps[1][oy]
			if rh.hi <= rh.lo || x1 <= x0 {
				maxBorder(g, xc, yc, oy, x0, x1)
				continue
			}
			off := base + (oy*sh-ph+rh.lo)*iw + x0*sw - pw
			kern(yc[oy*ow+x0:], ow, x[off:], iw, x1-x0, 1, rh.hi-rh.lo, kw, sh, sw)
		}
		if y1 <= y0 {
			continue
		}
		for ox := 0; ox < ow; ox++ {
			if ox >= x0 && ox < x1 {
				continue
			}
			rw := g.taps[2][ox]
			if rw.hi <= rw.lo {
				for oy := y0; oy < y1; oy++ {
					maxBorder(g, xc, yc, oy, ox, ox+1)
				}
				continue
			}
			off := base + (y0*sh-ph)*iw + ox*sw - pw + rw.lo
			kern(yc[y0*ow+ox:], ow, x[off:], iw, 1, y1-y0, kh, rw.hi-rw.lo, sh, sw)
		}
	}
}

// maxColsBuf bounds the column maxima maxRangeStrided keeps on its stack.
const maxColsBuf = 256

// maxRangeStrided is maxRangeF32 for column strides above 2, which the
// MaxPoolF32 kernel takes only through its scalar reference (a 3×3
// window of stride 3, say). Each interior output row is taken in two
// passes: the maximum over the window's rows of every input column under
// the row's windows, then each output as the maximum of its kw column
// maxima. The columns, and then the outputs, are independent of one
// another, so their short chains of max overlap, where the scalar loop
// runs one chain of kh×kw dependent steps per output. The maximum is the
// same (Go's max: NaN wins, and a zero maximum may take the sign of
// either zero, as in maxRange2D). Border outputs go through maxBorder.
func maxRangeStrided(g *geometry, x, y []float32, lo, hi int) {
	ih, iw := g.in[1], g.in[2]
	oh, ow := g.out[1], g.out[2]
	kh, kw := g.k[1], g.k[2]
	sh, sw := g.s[1], g.s[2]
	ph, pw := g.pb[1], g.pb[2]
	y0, y1 := inner(oh, ih, kh, sh, ph)
	x0, x1 := inner(ow, iw, kw, sw, pw)
	width := (x1-x0-1)*sw + kw // input columns under the interior windows
	if x1 <= x0 || width > maxColsBuf {
		y0, y1 = 0, 0 // all border
	}
	var buf [maxColsBuf]float32
	for c := lo; c < hi; c++ {
		xc := x[c*ih*iw : (c+1)*ih*iw]
		yc := y[c*oh*ow : (c+1)*oh*ow]
		for oy := 0; oy < oh; oy++ {
			if oy < y0 || oy >= y1 {
				maxBorder(g, xc, yc, oy, 0, ow)
				continue
			}
			if x0 > 0 {
				maxBorder(g, xc, yc, oy, 0, x0)
			}
			if x1 < ow {
				maxBorder(g, xc, yc, oy, x1, ow)
			}
			off := (oy*sh-ph)*iw + x0*sw - pw
			col := buf[:width]
			copy(col, xc[off:off+width])
			for i := 1; i < kh; i++ {
				row := xc[off+i*iw : off+i*iw+width]
				for j, v := range row {
					col[j] = max(col[j], v)
				}
			}
			out := yc[oy*ow+x0 : oy*ow+x1]
			for i := range out {
				w := col[i*sw : i*sw+kw]
				acc := w[0]
				for _, v := range w[1:] {
					acc = max(acc, v)
				}
				out[i] = acc
			}
		}
	}
}

// maxBorder computes the outputs [ox0, ox1) of row oy of one plane over
// the taps inside the plane (-Inf when there are none), NaN winning as in
// maxRange2D.
func maxBorder(g *geometry, xc, yc []float32, oy, ox0, ox1 int) {
	r := &g.taps
	rh := r[1][oy]
	bh := oy*g.s[1] - g.pb[1]
	for ox := ox0; ox < ox1; ox++ {
		rw := r[2][ox]
		bw := ox*g.s[2] - g.pb[2]
		acc := negInf32
		for th := rh.lo; th < rh.hi; th++ {
			base := (bh+th)*g.in[2] + bw
			for _, v := range xc[base+rw.lo : base+rw.hi] {
				acc = max(acc, v)
			}
		}
		yc[oy*g.out[2]+ox] = acc
	}
}

// maxJob is maxRangeF32 over planes as an operators.Ranger; jobs are
// pooled, so a split MaxPool allocates nothing in a steady state.
type maxJob struct {
	g    *geometry
	x, y []float32
}

var maxJobs sync.Pool // *maxJob

// Range implements operators.Ranger.
func (j *maxJob) Range(lo, hi int) { maxRangeF32(j.g, j.x, j.y, lo, hi) }

// maxParallelF32 splits maxRangeF32 over the planes between rc's threads.
func maxParallelF32(rc *operators.RunContext, g *geometry, x, y []float32) {
	j, _ := maxJobs.Get().(*maxJob)
	if j == nil {
		j = new(maxJob)
	}
	*j = maxJob{g, x, y}
	rc.ParallelRange(g.nc, g.minPlanes(), j)
	*j = maxJob{}
	maxJobs.Put(j)
}

// avgFast reports whether avgRangeF32 takes the geometry: 2-D 3×3
// averaging with unit dilation and a column stride of 1 or 2.
func avgFast(g *geometry) bool {
	return maxFast(g) && g.k[1] == 3 && g.k[2] == 3
}

// ones are the weights that turn the depthwise kernel into a window sum.
var ones = [9]float32{1, 1, 1, 1, 1, 1, 1, 1, 1}

// avgRangeF32 pools the float32 planes [lo, hi) as avgRange does. The
// interior windows are summed by the DwConv3x3F32 kernel with unit
// weights from a zero bias: a fused multiply-add by 1 rounds as the add
// does, and the taps go in avgRange's order, so the sums have avgRange's
// bits; each is then divided by 9, the count of an interior window
// whether or not padding counts. Border outputs are avgRange's own.
func avgRangeF32(p *Pool, g *geometry, x, y []float32, lo, hi int) {
	ih, iw := g.in[1], g.in[2]
	oh, ow := g.out[1], g.out[2]
	sh, sw := g.s[1], g.s[2]
	ph, pw := g.pb[1], g.pb[2]
	y0, y1 := inner(oh, ih, 3, sh, ph)
	x0, x1 := inner(ow, iw, 3, sw, pw)
	kern := dispatch.Active().DwConv3x3F32
	inf := float32(math.Inf(1))
	for c := lo; c < hi; c++ {
		xc := x[c*ih*iw : (c+1)*ih*iw]
		yc := y[c*oh*ow : (c+1)*oh*ow]
		if y1 > y0 && x1 > x0 {
			off := c*ih*iw + (y0*sh-ph)*iw + x0*sw - pw
			kern(yc[y0*ow+x0:], ow, x[off:], iw, x1-x0, y1-y0, sh, sw, ones[:], 0, -inf, inf)
			for oy := y0; oy < y1; oy++ {
				row := yc[oy*ow+x0 : oy*ow+x1]
				for i := range row {
					row[i] /= 9
				}
			}
		}
		for oy := 0; oy < oh; oy++ {
			if oy >= y0 && oy < y1 {
				avgBorder(p, g, xc, yc, oy, 0, x0)
				avgBorder(p, g, xc, yc, oy, x1, ow)
				continue
			}
			avgBorder(p, g, xc, yc, oy, 0, ow)
		}
	}
}

// avgBorder computes the outputs [ox0, ox1) of row oy of one 2-D plane as
// avgRange does.
func avgBorder(p *Pool, g *geometry, xc, yc []float32, oy, ox0, ox1 int) {
	r := &g.taps
	rh := r[1][oy]
	bh := oy*g.s[1] - g.pb[1]
	for ox := ox0; ox < ox1; ox++ {
		rw := r[2][ox]
		bw := ox*g.s[2] - g.pb[2]
		var acc float32
		for th := rh.lo; th < rh.hi; th++ {
			row := xc[(bh+th)*g.in[2]:]
			for tw := rw.lo; tw < rw.hi; tw++ {
				acc += row[bw+tw]
			}
		}
		var cnt int
		if p.includePad {
			cnt = rh.padded * rw.padded
		} else {
			cnt = (rh.hi - rh.lo) * (rw.hi - rw.lo)
		}
		if cnt > 0 {
			acc /= float32(cnt)
		} else {
			acc = float32(math.NaN())
		}
		yc[oy*g.out[2]+ox] = acc
	}
}
