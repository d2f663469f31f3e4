package signal

import (
	"math"
	"math/bits"
)

// transform replaces (re, im) by its discrete Fourier transform, or the
// inverse (divided by the length) when inverse is set.
func transform(re, im []float64, inverse bool) {
	n := len(re)
	if n <= 1 {
		return
	}
	sign := -1.0
	if inverse {
		sign = 1
	}
	if n&(n-1) == 0 {
		fft(re, im, sign)
	} else {
		direct(re, im, sign)
	}
	if inverse {
		s := 1 / float64(n)
		for i := range re {
			re[i] *= s
			im[i] *= s
		}
	}
}

// fft is the iterative radix-2 Cooley-Tukey transform with exponent sign.
func fft(re, im []float64, sign float64) {
	n := len(re)
	shift := 64 - uint(bits.TrailingZeros(uint(n)))
	for i := 0; i < n; i++ {
		j := int(bits.Reverse64(uint64(i)) >> shift)
		if j > i {
			re[i], re[j] = re[j], re[i]
			im[i], im[j] = im[j], im[i]
		}
	}
	for size := 2; size <= n; size <<= 1 {
		half := size / 2
		step := sign * 2 * math.Pi / float64(size)
		for k := 0; k < half; k++ {
			wr, wi := math.Cos(step*float64(k)), math.Sin(step*float64(k))
			for start := 0; start < n; start += size {
				a, b := start+k, start+k+half
				tr := wr*re[b] - wi*im[b]
				ti := wr*im[b] + wi*re[b]
				re[b], im[b] = re[a]-tr, im[a]-ti
				re[a], im[a] = re[a]+tr, im[a]+ti
			}
		}
	}
}

// direct is the O(n²) sum, with the twiddle index reduced mod n so large
// k·n products keep their precision.
func direct(re, im []float64, sign float64) {
	n := len(re)
	cr, ci := make([]float64, n), make([]float64, n)
	for t := 0; t < n; t++ {
		a := sign * 2 * math.Pi * float64(t) / float64(n)
		cr[t], ci[t] = math.Cos(a), math.Sin(a)
	}
	or, oi := make([]float64, n), make([]float64, n)
	for k := 0; k < n; k++ {
		var sr, si float64
		for j := 0; j < n; j++ {
			t := (k * j) % n
			sr += re[j]*cr[t] - im[j]*ci[t]
			si += re[j]*ci[t] + im[j]*cr[t]
		}
		or[k], oi[k] = sr, si
	}
	copy(re, or)
	copy(im, oi)
}
