package dispatch

import "math"

// DwSlack is how many elements past a row's last tap the SIMD tiers of
// DwConv3x3F32 and MaxPoolF32 may load (the widest vector, 16 lanes, at
// stride 2, and then some). Callers that lay out a padded source leave this
// much room after its last row so that every row runs in vectors.
const DwSlack = 48

// dwConv3x3F32Generic is the reference DwConv3x3F32: each output is the
// bias plus its nine products, added left to right, then clamped.
func dwConv3x3F32Generic(dst []float32, dpitch int, src []float32, spitch, ow, oh, sh, sw int, w []float32, b, lo, hi float32) {
	dwRowsGeneric(dst, dpitch, src, spitch, ow, 0, oh, sh, sw, (*[9]float32)(w[:9]), b, lo, hi)
}

// dwRowsGeneric computes the output rows [y0, y1) of DwConv3x3F32.
func dwRowsGeneric(dst []float32, dpitch int, src []float32, spitch, ow, y0, y1, sh, sw int, wk *[9]float32, b, lo, hi float32) {
	w00, w01, w02 := wk[0], wk[1], wk[2]
	w10, w11, w12 := wk[3], wk[4], wk[5]
	w20, w21, w22 := wk[6], wk[7], wk[8]
	for y := y0; y < y1; y++ {
		d := dst[y*dpitch : y*dpitch+ow]
		r0 := src[y*sh*spitch:]
		r1 := src[(y*sh+1)*spitch:]
		r2 := src[(y*sh+2)*spitch:]
		for x := range d {
			i := x * sw
			a0 := (*[3]float32)(r0[i : i+3])
			a1 := (*[3]float32)(r1[i : i+3])
			a2 := (*[3]float32)(r2[i : i+3])
			v := b + w00*a0[0] + w01*a0[1] + w02*a0[2] +
				w10*a1[0] + w11*a1[1] + w12*a1[2] +
				w20*a2[0] + w21*a2[1] + w22*a2[2]
			if v < lo {
				v = lo
			}
			if v > hi {
				v = hi
			}
			d[x] = v
		}
	}
}

// maxPoolF32Generic is the reference MaxPoolF32. Go's max returns NaN if
// either operand is NaN.
func maxPoolF32Generic(dst []float32, dpitch int, src []float32, spitch, ow, oh, kh, kw, sh, sw int) {
	maxRowsGeneric(dst, dpitch, src, spitch, ow, 0, oh, kh, kw, sh, sw)
}

// maxRowsGeneric computes the output rows [y0, y1) of MaxPoolF32.
func maxRowsGeneric(dst []float32, dpitch int, src []float32, spitch, ow, y0, y1, kh, kw, sh, sw int) {
	lowest := float32(math.Inf(-1))
	for y := y0; y < y1; y++ {
		d := dst[y*dpitch : y*dpitch+ow]
		for x := range d {
			acc := lowest
			for i := 0; i < kh; i++ {
				base := (y*sh+i)*spitch + x*sw
				for _, v := range src[base : base+kw] {
					acc = max(acc, v)
				}
			}
			d[x] = acc
		}
	}
}

// windowOK reports whether a block call's arguments are in the range the
// SIMD tiers handle and its buffers hold every element the reference
// touches: otherwise the wrappers run the reference, which panics on a
// short buffer.
func windowOK(ldst, dpitch, lsrc, spitch, ow, oh, kh, kw, sh, sw int) bool {
	if ow <= 0 || oh <= 0 || kh <= 0 || kw <= 0 || sh <= 0 || (sw != 1 && sw != 2) {
		return false
	}
	// Bounded so that the products below cannot overflow (int is 64 bits
	// wherever there is assembly).
	const big = 1 << 30
	if ow > big || oh > big || kh > big || kw > big || sh > big || dpitch > big || spitch > big {
		return false
	}
	if dpitch < ow || spitch < sw*(ow-1)+kw || ldst < (oh-1)*dpitch+ow {
		return false
	}
	return lsrc >= (sh*(oh-1)+kh-1)*spitch+sw*(ow-1)+kw
}

// vecRows returns how many leading output rows a SIMD tier with vectors
// of v lanes can compute without loading past lsrc elements: row y loads
// up to (sh*y+kh-1)*spitch + sw*(x0+v) + kw - 1 elements, x0 being the
// first column of the row's last vector.
func vecRows(lsrc, spitch, ow, oh, kh, kw, sh, sw, v int) int {
	x0 := (ow - 1) / v * v
	reach := sw*(x0+v) + kw - 1
	r := oh
	for r > 0 && (sh*(r-1)+kh-1)*spitch+reach > lsrc {
		r--
	}
	return r
}

// dwConv3x3Vec runs a SIMD tier's depthwise kernel (v lanes) on the rows
// whose loads stay inside src and the reference on the rest, or the
// reference on everything when the arguments are outside the kernel's
// range.
func dwConv3x3Vec(dst []float32, dpitch int, src []float32, spitch, ow, oh, sh, sw int, w []float32, b, lo, hi float32, v int,
	kern func(dst *float32, dpitch int, src *float32, spitch, ow, oh, sh, sw int, w *float32, b, lo, hi float32)) {
	if len(w) < 9 || !windowOK(len(dst), dpitch, len(src), spitch, ow, oh, 3, 3, sh, sw) {
		dwConv3x3F32Generic(dst, dpitch, src, spitch, ow, oh, sh, sw, w, b, lo, hi)
		return
	}
	r := vecRows(len(src), spitch, ow, oh, 3, 3, sh, sw, v)
	if r > 0 {
		kern(&dst[0], dpitch, &src[0], spitch, ow, r, sh, sw, &w[0], b, lo, hi)
	}
	dwRowsGeneric(dst, dpitch, src, spitch, ow, r, oh, sh, sw, (*[9]float32)(w[:9]), b, lo, hi)
}

// maxPoolVec is dwConv3x3Vec for MaxPoolF32.
func maxPoolVec(dst []float32, dpitch int, src []float32, spitch, ow, oh, kh, kw, sh, sw, v int,
	kern func(dst *float32, dpitch int, src *float32, spitch, ow, oh, kh, kw, sh, sw int)) {
	if !windowOK(len(dst), dpitch, len(src), spitch, ow, oh, kh, kw, sh, sw) {
		maxPoolF32Generic(dst, dpitch, src, spitch, ow, oh, kh, kw, sh, sw)
		return
	}
	r := vecRows(len(src), spitch, ow, oh, kh, kw, sh, sw, v)
	if r > 0 {
		kern(&dst[0], dpitch, &src[0], spitch, ow, r, kh, kw, sh, sw)
	}
	maxRowsGeneric(dst, dpitch, src, spitch, ow, r, oh, kh, kw, sh, sw)
}
