package conv

import (
	"math"
	"sync"

	"github.com/onnxrun/onnxrun/dispatch"
	"github.com/onnxrun/onnxrun/operators"
	eng "github.com/onnxrun/onnxrun/operators/internal/gemm"
)

// plane3x3 computes one output plane of a depthwise 3×3 convolution with
// dilation 1 (MobileNet's and ShuffleNet's depthwise layers) in one pass
// over the output: each output value is the bias plus its nine taps, added
// in the same order as depthwiseRange adds them (row by row, left to
// right), so both paths give the same bits. The generic path makes nine
// passes over the plane, one per tap.
//
// xc is the input plane (ih×iw), yc the output plane (oh×ow), wm the nine
// weights; sh, sw are the strides and ph, pw the leading pads.
func plane3x3[T elem](xc, yc, wm []T, b T, ih, iw, oh, ow, sh, sw, ph, pw int) {
	wk := (*[9]T)(wm[:9])
	w00, w01, w02 := wk[0], wk[1], wk[2]
	w10, w11, w12 := wk[3], wk[4], wk[5]
	w20, w21, w22 := wk[6], wk[7], wk[8]
	// Output columns whose three taps all lie inside the row.
	olo := (pw + sw - 1) / sw
	ohi := 0
	if iw-3+pw >= 0 {
		ohi = min(ow, (iw-3+pw)/sw+1)
	}
	olo = min(olo, ohi)
	for zh := 0; zh < oh; zh++ {
		dst := yc[zh*ow : (zh+1)*ow]
		iy := zh*sh - ph
		if iy < 0 || iy+2 >= ih {
			for o := range dst {
				dst[o] = edge3x3(xc, wk, b, ih, iw, iy, o*sw-pw)
			}
			continue
		}
		r0 := xc[iy*iw : (iy+1)*iw]
		r1 := xc[(iy+1)*iw : (iy+2)*iw]
		r2 := xc[(iy+2)*iw : (iy+3)*iw]
		for o := 0; o < olo; o++ {
			dst[o] = edge3x3(xc, wk, b, ih, iw, iy, o*sw-pw)
		}
		for o := olo; o < ohi; o++ {
			i := o*sw - pw
			a0 := (*[3]T)(r0[i : i+3])
			a1 := (*[3]T)(r1[i : i+3])
			a2 := (*[3]T)(r2[i : i+3])
			dst[o] = b + w00*a0[0] + w01*a0[1] + w02*a0[2] +
				w10*a1[0] + w11*a1[1] + w12*a1[2] +
				w20*a2[0] + w21*a2[1] + w22*a2[2]
		}
		for o := ohi; o < ow; o++ {
			dst[o] = edge3x3(xc, wk, b, ih, iw, iy, o*sw-pw)
		}
	}
}

// edge3x3 is one output value of plane3x3 whose window (top-left input
// position iy, ix) may reach into the padding.
func edge3x3[T elem](xc []T, wk *[9]T, b T, ih, iw, iy, ix int) T {
	s := b
	for fh := 0; fh < 3; fh++ {
		y := iy + fh
		if y < 0 || y >= ih {
			continue
		}
		for fw := 0; fw < 3; fw++ {
			x := ix + fw
			if x < 0 || x >= iw {
				continue
			}
			s += wk[fh*3+fw] * xc[y*iw+x]
		}
	}
	return s
}

// dwPad is the padded copy of one input plane that the dispatch kernel
// DwConv3x3F32 reads: rows of pitch elements (the width the output's
// windows span), rows enough for every window, zeros in the padding, and
// dispatch.DwSlack elements to spare after the last row so that the SIMD
// tiers load whole vectors on every row.
type dwPad struct {
	pitch, rows, size int
}

// dwFast reports whether the float32 depthwise kernel takes geo: a 2-D
// (or 1-D) 3×3 window with dilation 1 and a column stride of 1 or 2, one
// output channel per input channel.
func dwFast(geo *geometry) (dwPad, bool) {
	if !geo.depthwise || geo.mg != 1 || geo.in[0] != 1 || geo.k[0] != 1 || geo.out[0] != 1 ||
		geo.k[1] != 3 || geo.k[2] != 3 || geo.d[1] != 1 || geo.d[2] != 1 ||
		(geo.s[2] != 1 && geo.s[2] != 2) {
		return dwPad{}, false
	}
	p := dwPad{pitch: geo.s[2]*(geo.out[2]-1) + 3, rows: geo.s[1]*(geo.out[1]-1) + 3}
	if p.rows > (maxScratch-dispatch.DwSlack)/p.pitch {
		return dwPad{}, false
	}
	p.size = p.rows*p.pitch + dispatch.DwSlack
	return p, true
}

// dwBufs holds the padded planes between runs.
var dwBufs sync.Pool // *[]float32

// depthwiseFast runs a float32 depthwise 3×3 Conv (dwFast) through the
// dispatch kernel, applying act (Relu and Clip as the kernel's clamp,
// others per plane while it is in cache). It reports false, doing
// nothing, for any other element type or geometry.
func depthwiseFast[T eng.Float](rc *operators.RunContext, geo *geometry, x, w, bias, y []T, act operators.Activation) bool {
	x32, ok := any(x).([]float32)
	if !ok {
		return false
	}
	p, ok := dwFast(geo)
	if !ok {
		return false
	}
	w32, y32 := any(w).([]float32), any(y).([]float32)
	var b32 []float32
	if bias != nil {
		b32 = any(bias).([]float32)
	}
	lo, hi := float32(math.Inf(-1)), float32(math.Inf(1))
	switch act.Kind {
	case operators.ActRelu:
		lo = 0
	case operators.ActClip:
		lo, hi = act.Min, act.Max
	}
	planes := geo.n * geo.m
	slots := 1
	if rc != nil && rc.Threads > 1 && p.size <= maxScratch/rc.Threads {
		slots = min(rc.Threads, planes)
	}
	// The padded planes are small (one per goroutine) and every depthwise
	// Conv of a model can share them: a process-wide pool keeps one set.
	pooled, _ := dwBufs.Get().(*[]float32)
	if pooled == nil || cap(*pooled) < slots*p.size {
		s := make([]float32, slots*p.size)
		pooled = &s
	}
	buf := (*pooled)[:slots*p.size]
	k := dispatch.Active().DwConv3x3F32
	if slots == 1 {
		dwPlanes(k, geo, p, x32, w32, b32, y32, buf, lo, hi, act, 0, planes)
	} else {
		j, _ := dwJobs.Get().(*dwJob)
		if j == nil {
			j = new(dwJob)
		}
		*j = dwJob{k, geo, p, x32, w32, b32, y32, buf, lo, hi, act, planes, slots}
		rc.ParallelRange(slots, 1, j)
		*j = dwJob{}
		dwJobs.Put(j)
	}
	dwBufs.Put(pooled)
	return true
}

// dwJob is a multi-threaded depthwiseFast call: slot s of slots computes
// its share of the planes with its own padded plane. Jobs are pooled, so
// splitting the work allocates nothing in a steady state.
type dwJob struct {
	k             func(dst []float32, dpitch int, src []float32, spitch, ow, oh, sh, sw int, w []float32, b, lo, hi float32)
	geo           *geometry
	p             dwPad
	x, w, b, y    []float32
	buf           []float32
	lo, hi        float32
	act           operators.Activation
	planes, slots int
}

var dwJobs sync.Pool // *dwJob

// Range implements operators.Ranger over the slots [s0, s1).
func (j *dwJob) Range(s0, s1 int) {
	for s := s0; s < s1; s++ {
		dwPlanes(j.k, j.geo, j.p, j.x, j.w, j.b, j.y, j.buf[s*j.p.size:(s+1)*j.p.size], j.lo, j.hi, j.act,
			s*j.planes/j.slots, (s+1)*j.planes/j.slots)
	}
}

// dwPlanes computes the output planes [lo, hi) of n*m, padding each input
// plane into buf (p.size elements) first.
func dwPlanes(k func(dst []float32, dpitch int, src []float32, spitch, ow, oh, sh, sw int, w []float32, b, lo, hi float32),
	geo *geometry, p dwPad, x, w, bias, y, buf []float32, clo, chi float32, act operators.Activation, lo, hi int) {
	ih, iw := geo.in[1], geo.in[2]
	oh, ow := geo.out[1], geo.out[2]
	ph, pw := geo.pb[1], geo.pb[2]
	left := min(pw, p.pitch)
	cols := max(0, min(iw, p.pitch-left))
	fused := act.Kind == operators.ActNone || act.Kind == operators.ActRelu || act.Kind == operators.ActClip
	// The padding is cleared once: each plane then only overwrites the
	// input rows, which land in the same place every time.
	clear(buf)
	r0, r1 := min(ph, p.rows), min(ph+ih, p.rows)
	for nm := lo; nm < hi; nm++ {
		n, m := nm/geo.m, nm%geo.m
		xc := x[(n*geo.c+m)*ih*iw : (n*geo.c+m+1)*ih*iw]
		yc := y[nm*oh*ow : (nm+1)*oh*ow]
		for r := r0; r < r1; r++ {
			o := r*p.pitch + left
			i := (r - ph) * iw
			copy(buf[o:o+cols], xc[i:i+cols])
		}
		var b float32
		if bias != nil {
			b = bias[m]
		}
		k(yc, ow, buf, p.pitch, ow, oh, geo.s[1], geo.s[2], w[m*9:m*9+9], b, clo, chi)
		if !fused {
			operators.Activate(act, yc)
		}
	}
}
