package dispatch_test

import (
	"math"
	"math/rand/v2"
	"os"
	"strconv"
	"testing"
	"time"
)

// guard is the bit pattern of the NaN written around every buffer; a kernel
// that writes out of bounds destroys it.
const (
	guard32 = 0x7fc0dead
	guard64 = 0x7ff8_dead_beef_dead
	nGuard  = 5
)

// guarded32 returns a slice of length n, starting off elements into a
// larger allocation, with guard NaNs on both sides.
func guarded32(n, off int) []float32 {
	buf := make([]float32, off+n+2*nGuard)
	for i := range buf {
		buf[i] = math.Float32frombits(guard32)
	}
	return buf[nGuard+off : nGuard+off+n : nGuard+off+n]
}

// checkGuards32 fails t if the guards around s were overwritten.
func checkGuards32(t *testing.T, name string, s []float32) {
	t.Helper()
	if len(s) == 0 {
		return
	}
	for i, v := range unsafeAfter32(s, nGuard) {
		if math.Float32bits(v) != guard32 {
			t.Fatalf("%s: guard after the buffer overwritten at +%d: %v", name, i, v)
		}
	}
	// The guards before: reach back through the backing array.
	before := unsafeBefore32(s, nGuard)
	for i, v := range before {
		if math.Float32bits(v) != guard32 {
			t.Fatalf("%s: guard before the buffer overwritten at -%d: %v", name, nGuard-i, v)
		}
	}
}

func guarded64(n, off int) []float64 {
	buf := make([]float64, off+n+2*nGuard)
	for i := range buf {
		buf[i] = math.Float64frombits(guard64)
	}
	return buf[nGuard+off : nGuard+off+n : nGuard+off+n]
}

func checkGuards64(t *testing.T, name string, s []float64) {
	t.Helper()
	if len(s) == 0 {
		return
	}
	for i, v := range unsafeAfter64(s, nGuard) {
		if math.Float64bits(v) != guard64 {
			t.Fatalf("%s: guard after the buffer overwritten at +%d: %v", name, i, v)
		}
	}
	before := unsafeBefore64(s, nGuard)
	for i, v := range before {
		if math.Float64bits(v) != guard64 {
			t.Fatalf("%s: guard before the buffer overwritten at -%d: %v", name, nGuard-i, v)
		}
	}
}

// ulp32 is the distance between a and b in representable float32 steps;
// two NaNs are 0 apart, a NaN and a number infinitely far.
func ulp32(a, b float32) float64 {
	an, bn := a != a, b != b
	if an || bn {
		if an && bn {
			return 0
		}
		return math.Inf(1)
	}
	return math.Abs(float64(ord32(a) - ord32(b)))
}

func ord32(f float32) int64 {
	b := int32(math.Float32bits(f))
	if b < 0 {
		return int64(math.MinInt32) - int64(b)
	}
	return int64(b)
}

func ulp64(a, b float64) float64 {
	an, bn := a != a, b != b
	if an || bn {
		if an && bn {
			return 0
		}
		return math.Inf(1)
	}
	oa, ob := ord64(a), ord64(b)
	if oa > ob {
		return float64(uint64(oa - ob))
	}
	return float64(uint64(ob - oa))
}

func ord64(f float64) int64 {
	b := int64(math.Float64bits(f))
	if b < 0 {
		return math.MinInt64 - b
	}
	return b
}

// relClose reports whether got is within rel (relative) of want, treating
// NaN == NaN and equal infinities as close.
func relClose(got, want, rel float64) bool {
	if math.IsNaN(want) || math.IsNaN(got) {
		return math.IsNaN(want) && math.IsNaN(got)
	}
	if math.IsInf(want, 0) || math.IsInf(got, 0) {
		return got == want
	}
	return math.Abs(got-want) <= rel*math.Abs(want)
}

// sumClose reports whether a sum of n exp terms is close to the
// reference: within rel relative, plus one subnormal step (tiny) per term,
// since a term whose exp is subnormal may be 1 ULP off and there an ULP is
// an absolute 2^-149 (float32) or 2^-1074 (float64).
func sumClose(got, want, rel float64, n int, tiny float64) bool {
	if math.IsNaN(want) || math.IsNaN(got) || math.IsInf(want, 0) || math.IsInf(got, 0) {
		return relClose(got, want, rel)
	}
	return math.Abs(got-want) <= rel*math.Abs(want)+float64(n)*tiny
}

// testRand returns a seeded generator and logs the seed; ONNXRUN_SEED
// replays a run.
func testRand(t testing.TB) *rand.Rand {
	seed := uint64(time.Now().UnixNano())
	if s := os.Getenv("ONNXRUN_SEED"); s != "" {
		v, err := strconv.ParseUint(s, 10, 64)
		if err != nil {
			t.Fatalf("ONNXRUN_SEED: %v", err)
		}
		seed = v
	}
	t.Logf("seed %d (set ONNXRUN_SEED=%d to replay)", seed, seed)
	return rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
}
