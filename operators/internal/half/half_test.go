package half

import (
	"math"
	"math/rand"
	"sort"
	"testing"
)

// TestFloat16RoundTrip checks every non-NaN float16 survives a trip through
// float32 bit-exactly, and that NaNs stay NaN.
func TestFloat16RoundTrip(t *testing.T) {
	for i := 0; i < 1<<16; i++ {
		h := uint16(i)
		f := FromFloat16(h)
		isNaN := h&0x7c00 == 0x7c00 && h&0x3ff != 0
		if isNaN {
			if !math.IsNaN(float64(f)) {
				t.Fatalf("%#04x: got %v, want NaN", h, f)
			}
			if g := ToFloat16(f); g&0x7c00 != 0x7c00 || g&0x3ff == 0 || g&0x8000 != h&0x8000 {
				t.Fatalf("NaN %#04x came back as %#04x", h, g)
			}
			continue
		}
		if g := ToFloat16(f); g != h {
			t.Fatalf("%#04x -> %v -> %#04x", h, f, g)
		}
	}
}

// f16Value decodes a float16 from its definition, in float64, independently
// of FromFloat16.
func f16Value(h uint16) float64 {
	s := 1.0
	if h&0x8000 != 0 {
		s = -1
	}
	e := int(h>>10) & 0x1f
	m := float64(h & 0x3ff)
	if e == 0 {
		return s * m * math.Pow(2, -24)
	}
	return s * (1 + m/1024) * math.Pow(2, float64(e-15))
}

// TestFloat16Rounding compares ToFloat16 with a brute-force nearest search
// over every positive finite float16 (plus 65536 standing in for +Inf, the
// value the next exponent would start at), ties to the even pattern.
func TestFloat16Rounding(t *testing.T) {
	type cand struct {
		v float64
		h uint16
	}
	var cs []cand
	for h := uint16(0); h < 0x7c00; h++ {
		cs = append(cs, cand{f16Value(h), h})
	}
	cs = append(cs, cand{65536, 0x7c00})
	sort.Slice(cs, func(i, j int) bool { return cs[i].v < cs[j].v })
	ref := func(x float32) uint16 {
		v := math.Abs(float64(x))
		var sign uint16
		if math.Signbit(float64(x)) {
			sign = 0x8000
		}
		if v >= 65536 {
			return sign | 0x7c00
		}
		i := sort.Search(len(cs), func(i int) bool { return cs[i].v >= v })
		if cs[i].v == v {
			return sign | cs[i].h
		}
		lo, hi := cs[i-1], cs[i]
		dl, dh := v-lo.v, hi.v-v
		switch {
		case dl < dh:
			return sign | lo.h
		case dh < dl:
			return sign | hi.h
		case lo.h&1 == 0:
			return sign | lo.h
		}
		return sign | hi.h
	}
	seed := int64(20261127)
	t.Logf("seed %d", seed)
	r := rand.New(rand.NewSource(seed))
	inputs := []float32{0, float32(math.Copysign(0, -1)), 1, -1, 65504, 65519.99, 65520, 65536, 1e9,
		float32(math.Inf(1)), float32(math.Inf(-1)), 5.960464477539063e-08, 2.98023223876953125e-08,
		2.9802326e-08, 1.7881393e-07, 6.1035156e-05, 6.1031e-05, 1e-10, 0.1, 1.0009765625 + 0.00048828125}
	for i := 0; i < 200000; i++ {
		// Random bit patterns in and around the float16 range.
		e := uint32(r.Intn(50) + 127 - 30)
		inputs = append(inputs, math.Float32frombits(uint32(r.Intn(2))<<31|e<<23|uint32(r.Intn(1<<23))))
	}
	// Exact midpoints between neighbouring float16s exercise the ties.
	for h := uint16(0); h < 0x7bff; h += 7 {
		inputs = append(inputs, float32((f16Value(h)+f16Value(h+1))/2))
	}
	for _, x := range inputs {
		if got, want := ToFloat16(x), ref(x); got != want {
			t.Fatalf("ToFloat16(%g) = %#04x, want %#04x", x, got, want)
		}
	}
}

func TestBFloat16(t *testing.T) {
	seed := int64(7)
	t.Logf("seed %d", seed)
	r := rand.New(rand.NewSource(seed))
	for i := 0; i < 200000; i++ {
		b := r.Uint32()
		x := math.Float32frombits(b)
		got := ToBFloat16(x)
		if math.IsNaN(float64(x)) {
			if y := FromBFloat16(got); !math.IsNaN(float64(y)) {
				t.Fatalf("NaN %#08x -> %#04x is not NaN", b, got)
			}
			continue
		}
		// Reference: the two bfloat16 neighbours by truncation, compared
		// in float64, ties to the even pattern.
		lo := b &^ 0xffff
		hi := lo + 0x10000
		dl := math.Abs(float64(x) - float64(math.Float32frombits(lo)))
		var dh float64
		if hi&0x7f800000 == 0x7f800000 && lo&0x7fffffff == 0x7f7f0000 {
			// Rounding up past the largest finite goes to Inf; its
			// distance is measured to 2^128, the next exponent.
			dh = math.Abs(math.Ldexp(1, 128) - math.Abs(float64(x)))
		} else {
			dh = math.Abs(float64(math.Float32frombits(hi)) - float64(x))
		}
		want := uint16(lo >> 16)
		if dh < dl || (dh == dl && want&1 == 1) {
			want = uint16(hi >> 16)
		}
		if got != want {
			t.Fatalf("ToBFloat16(%g [%#08x]) = %#04x, want %#04x", x, b, got, want)
		}
		if y := FromBFloat16(got); math.Float32bits(y) != uint32(got)<<16 {
			t.Fatalf("FromBFloat16(%#04x) = %#08x", got, math.Float32bits(y))
		}
	}
}

func TestSlices(t *testing.T) {
	src := []float32{1, -2.5, 0.1, 65504}
	h := make([]uint16, 4)
	Float32sToFloat16s(h, src)
	back := make([]float32, 4)
	Float16sToFloat32s(back, h)
	for i := range src {
		if math.Abs(float64(back[i]-src[i])) > math.Abs(float64(src[i]))*1e-3 {
			t.Errorf("float16 %d: %v -> %v", i, src[i], back[i])
		}
	}
	Float32sToBFloat16s(h, src)
	BFloat16sToFloat32s(back, h)
	for i := range src {
		if math.Abs(float64(back[i]-src[i])) > math.Abs(float64(src[i]))*8e-3 {
			t.Errorf("bfloat16 %d: %v -> %v", i, src[i], back[i])
		}
	}
}
