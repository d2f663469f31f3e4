package dispatch

import "math"

// log32 returns float32(math.Log(float64(s))) — the same bits, always — at
// a fraction of math.Log's cost for the row sums of LogSoftmax (s >= 1).
//
// For a normal finite s >= 1, s = 2^e * m with m in [1, 2) and m = c(1+t)
// where 1/c = r is a float32 from a 128-entry table indexed by the top 7
// bits of m (c = 1 + i/128, so r = 1 for i = 0): m*r is exact in float64
// (24-bit by 24-bit), and so is t = m*r - 1 (Sterbenz). Then
//
//	log s = e*ln2 + (-log r) + log1p(t),  0 <= t < 2^-7 (up to 2^-24 below 0)
//
// with log1p by its Taylor series to t^7 (truncation below 2^-44 relative)
// and every term nonnegative, so the float64 sum is within a few ULP of
// log s. It is rounded to float32 unless it lies within 2^16 float64 ULP
// (2^-36 relative, far above the error) of a float32 rounding boundary;
// then, as for any other s (below 1, subnormal, infinite or NaN), the
// result is math.Log's, so both ways round alike.
func log32(s float32) float32 {
	v := [1]float32{s}
	logs32(v[:])
	return v[0]
}

// logs32 sets each s[i] to log32(s[i]), in one loop so that the
// logarithms of neighbouring rows overlap.
func logs32(s []float32) {
	for i, v := range s {
		b := math.Float32bits(v)
		if b < 0x3f800000 || b >= 0x7f800000 { // below 1, negative, Inf or NaN
			s[i] = float32(math.Log(float64(v)))
			continue
		}
		e := int(b>>23) - 127
		tab := &log32Tab[(b>>16)&127]
		m := float64(math.Float32frombits(b&0x7fffff | 0x3f800000))
		t := m*tab.r - 1
		t2 := t * t
		t4 := t2 * t2
		const c3, c5, c6, c7 = 1.0 / 3, 1.0 / 5, 1.0 / 6, 1.0 / 7
		p := t * ((1 - t*0.5) + t2*(c3-t*0.25) + t4*((c5-t*c6)+t2*c7)) // Estrin, no divisions
		y := float64(e)*math.Ln2 + (tab.l + p)
		const k = 1 << 16
		if low := math.Float64bits(y) & (1<<29 - 1); low-(1<<28-k) < 2*k {
			s[i] = float32(math.Log(float64(v)))
			continue
		}
		s[i] = float32(y)
	}
}

// log32Tab[i] holds r = float32(1/(1 + i/128)) and l = -log(r).
var log32Tab = func() (t [128]struct{ r, l float64 }) {
	for i := range t {
		r := float64(float32(1 / (1 + float64(i)/128)))
		t[i].r, t[i].l = r, -math.Log(r)
	}
	return t
}()
