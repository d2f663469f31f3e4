//go:build arm64 && !purego

package dispatch

// plugDwNEON installs the NEON depthwise 3×3 and max-pooling kernels
// (dwpool_arm64.s). Not timed on arm64 hardware yet: a 4-column step of
// the depthwise kernel is 9 loads (or 6 LD2s) and 9 fused multiply-adds
// where the reference spends 9 scalar multiplies and adds per column.
func plugDwNEON(k *Kernels) {
	k.DwConv3x3F32 = dwConv3x3NEONWrap
	k.MaxPoolF32 = maxPoolNEONWrap
}

func dwConv3x3NEONWrap(dst []float32, dpitch int, src []float32, spitch, ow, oh, sh, sw int, w []float32, b, lo, hi float32) {
	if len(w) < 9 || !windowOK(len(dst), dpitch, len(src), spitch, ow, oh, 3, 3, sh, sw) {
		dwConv3x3F32Generic(dst, dpitch, src, spitch, ow, oh, sh, sw, w, b, lo, hi)
		return
	}
	wk := (*[9]float32)(w[:9])
	ow4 := ow &^ 3
	r := 0
	if ow4 > 0 {
		r = vecRows(len(src), spitch, ow4, oh, 3, 3, sh, sw, 4)
	}
	if r > 0 {
		dwConv3x3NEON(&dst[0], dpitch, &src[0], spitch, ow4, r, sh, sw, &w[0], b, lo, hi)
		if ow4 < ow {
			dwRowsGeneric(dst[ow4:], dpitch, src[sw*ow4:], spitch, ow-ow4, 0, r, sh, sw, wk, b, lo, hi)
		}
	}
	dwRowsGeneric(dst, dpitch, src, spitch, ow, r, oh, sh, sw, wk, b, lo, hi)
}

func maxPoolNEONWrap(dst []float32, dpitch int, src []float32, spitch, ow, oh, kh, kw, sh, sw int) {
	if !windowOK(len(dst), dpitch, len(src), spitch, ow, oh, kh, kw, sh, sw) {
		maxPoolF32Generic(dst, dpitch, src, spitch, ow, oh, kh, kw, sh, sw)
		return
	}
	ow4 := ow &^ 3
	r := 0
	if ow4 > 0 {
		r = vecRows(len(src), spitch, ow4, oh, kh, kw, sh, sw, 4)
	}
	if r > 0 {
		maxPoolNEON(&dst[0], dpitch, &src[0], spitch, ow4, r, kh, kw, sh, sw)
		if ow4 < ow {
			maxRowsGeneric(dst[ow4:], dpitch, src[sw*ow4:], spitch, ow-ow4, 0, r, kh, kw, sh, sw)
		}
	}
	maxRowsGeneric(dst, dpitch, src, spitch, ow, r, oh, kh, kw, sh, sw)
}

// dwConv3x3NEON computes oh rows of ow outputs, ow a multiple of 4.
//
//go:noescape
func dwConv3x3NEON(dst *float32, dpitch int, src *float32, spitch, ow, oh, sh, sw int, w *float32, b, lo, hi float32)

// maxPoolNEON is dwConv3x3NEON's counterpart for max pooling.
//
//go:noescape
func maxPoolNEON(dst *float32, dpitch int, src *float32, spitch, ow, oh, kh, kw, sh, sw int)
