//go:build amd64 && !purego

package dispatch

// plugDwAVX2 installs the AVX2+FMA depthwise 3×3 and max-pooling kernels.
func plugDwAVX2(k *Kernels) {
	k.DwConv3x3F32 = func(dst []float32, dpitch int, src []float32, spitch, ow, oh, sh, sw int, w []float32, b, lo, hi float32) {
		dwConv3x3Vec(dst, dpitch, src, spitch, ow, oh, sh, sw, w, b, lo, hi, 8, dwConv3x3AVX2)
	}
	k.MaxPoolF32 = func(dst []float32, dpitch int, src []float32, spitch, ow, oh, kh, kw, sh, sw int) {
		maxPoolVec(dst, dpitch, src, spitch, ow, oh, kh, kw, sh, sw, 8, maxPoolAVX2)
	}
}

// plugDwAVX512 installs the AVX-512 versions (16 lanes, opmask tails).
func plugDwAVX512(k *Kernels) {
	k.DwConv3x3F32 = func(dst []float32, dpitch int, src []float32, spitch, ow, oh, sh, sw int, w []float32, b, lo, hi float32) {
		dwConv3x3Vec(dst, dpitch, src, spitch, ow, oh, sh, sw, w, b, lo, hi, 16, dwConv3x3AVX512)
	}
	k.MaxPoolF32 = func(dst []float32, dpitch int, src []float32, spitch, ow, oh, kh, kw, sh, sw int) {
		maxPoolVec(dst, dpitch, src, spitch, ow, oh, kh, kw, sh, sw, 16, maxPoolAVX512)
	}
}

// dwConv3x3AVX2 computes oh (>= 0) rows of ow (>= 1) outputs; sw is 1 or
// 2 and every load stays inside the source (see vecRows).
//
//go:noescape
func dwConv3x3AVX2(dst *float32, dpitch int, src *float32, spitch, ow, oh, sh, sw int, w *float32, b, lo, hi float32)

//go:noescape
func dwConv3x3AVX512(dst *float32, dpitch int, src *float32, spitch, ow, oh, sh, sw int, w *float32, b, lo, hi float32)

// maxPoolAVX2 is dwConv3x3AVX2's counterpart for max pooling (kh, kw >= 1).
//
//go:noescape
func maxPoolAVX2(dst *float32, dpitch int, src *float32, spitch, ow, oh, kh, kw, sh, sw int)

//go:noescape
func maxPoolAVX512(dst *float32, dpitch int, src *float32, spitch, ow, oh, kh, kw, sh, sw int)
