package main

// rng is SplitMix64: tiny, fully specified, and so stable across Go
// releases, which keeps the fixtures byte-identical when regenerated.
type rng struct{ s uint64 }

func (r *rng) next() uint64 {
	r.s += 0x9e3779b97f4a7c15
	z := r.s
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}

// uniform returns a value in [-1, 1) with 53 random bits.
func (r *rng) uniform() float64 {
	return float64(r.next()>>11)/(1<<53)*2 - 1
}

// float32s returns n values in [-scale, scale), already rounded to float32
// so the reference computes on exactly what the model receives.
func (r *rng) float32s(n int64, scale float64) []float64 {
	out := make([]float64, n)
	for i := range out {
		out[i] = float64(float32(r.uniform() * scale))
	}
	return out
}

func (r *rng) float64s(n int64, scale float64) []float64 {
	out := make([]float64, n)
	for i := range out {
		out[i] = r.uniform() * scale
	}
	return out
}
