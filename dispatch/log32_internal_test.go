package dispatch

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestLog32 checks that log32 gives math.Log's float32 bits: every float32
// in [1, 2) and [2^40, 2^41), both ends of every binade, special values,
// and random values over the whole range.
func TestLog32(t *testing.T) {
	check := func(s float32) {
		got, want := log32(s), float32(math.Log(float64(s)))
		if math.Float32bits(got) != math.Float32bits(want) && !(got != got && want != want) {
			t.Fatalf("log32(%v) = %v, math.Log %v", s, got, want)
		}
	}
	for j, lo := range []uint32{0x3f800000, 0x53800000} {
		step := uint32(1 + 6*j)
		if testing.Short() {
			step = 97
		}
		for b := lo; b < lo+0x800000; b += step {
			check(math.Float32frombits(b))
		}
	}
	for e := uint32(0); e < 256; e++ {
		for _, low := range []uint32{0, 1, 2, 0x7fffff, 0x7ffffe, 0x400000} {
			check(math.Float32frombits(e<<23 | low))
			check(math.Float32frombits(1<<31 | e<<23 | low))
		}
	}
	for _, s := range []float32{0, float32(math.Copysign(0, -1)), 1, 0.5, 0.999, 1e-40, -1,
		float32(math.Inf(1)), float32(math.Inf(-1)), float32(math.NaN()), math.MaxFloat32} {
		check(s)
	}
	r := rand.New(rand.NewPCG(7, 8))
	for range 1 << 20 {
		check(math.Float32frombits(r.Uint32()))
	}
}

func BenchmarkLog32(b *testing.B) {
	var s [64]float32
	for i := range s {
		s[i] = 1 + float32(i)*3.7
	}
	var out [64]float32
	b.Run("log32", func(b *testing.B) {
		for b.Loop() {
			for i, e := range s {
				out[i] = log32(e)
			}
		}
	})
	b.Run("math.Log", func(b *testing.B) {
		for b.Loop() {
			for i, e := range s {
				out[i] = float32(math.Log(float64(e)))
			}
		}
	})
}
