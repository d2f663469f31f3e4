package half

import "math"

// ToFloat16 rounds f to the nearest float16 (ties to even). Values beyond
// the float16 range become ±Inf; NaN stays NaN (quiet, sign and top payload
// bits kept).
func ToFloat16(f float32) uint16 {
	b := math.Float32bits(f)
	sign := uint16(b>>16) & 0x8000
	exp := int(b>>23) & 0xff
	man := b & 0x7fffff
	if exp == 0xff {
		if man != 0 {
			return sign | 0x7e00 | uint16(man>>13)
		}
		return sign | 0x7c00
	}
	e := exp - 127 + 15
	if e >= 0x1f {
		return sign | 0x7c00
	}
	if e <= 0 {
		// The result is a float16 subnormal (or zero): its integer
		// significand is the full float32 significand shifted right by
		// 126-exp, which is at least 14 here.
		shift := uint(126 - exp)
		if shift > 24 {
			// Below half the smallest subnormal: rounds to zero.
			return sign
		}
		full := man | 0x800000
		h := uint16(full >> shift)
		rem := full & (1<<shift - 1)
		halfway := uint32(1) << (shift - 1)
		if rem > halfway || (rem == halfway && h&1 == 1) {
			h++ // may carry into the smallest normal, which is right
		}
		return sign | h
	}
	h := uint16(e)<<10 | uint16(man>>13)
	rem := man & 0x1fff
	if rem > 0x1000 || (rem == 0x1000 && h&1 == 1) {
		h++ // a carry out of the significand bumps the exponent, up to Inf
	}
	return sign | h
}

// FromFloat16 returns the float32 equal to the float16 bit pattern h (every
// float16 is exactly representable).
func FromFloat16(h uint16) float32 {
	sign := uint32(h&0x8000) << 16
	exp := uint32(h>>10) & 0x1f
	man := uint32(h & 0x3ff)
	switch exp {
	case 0x1f:
		return math.Float32frombits(sign | 0x7f800000 | man<<13)
	case 0:
		if man == 0 {
			return math.Float32frombits(sign)
		}
		// Subnormal: normalise the significand.
		e := uint32(113)
		for man&0x400 == 0 {
			man <<= 1
			e--
		}
		return math.Float32frombits(sign | e<<23 | (man&0x3ff)<<13)
	}
	return math.Float32frombits(sign | (exp+112)<<23 | man<<13)
}

// ToBFloat16 rounds f to the nearest bfloat16 (ties to even). NaN stays a
// quiet NaN with its sign.
func ToBFloat16(f float32) uint16 {
	b := math.Float32bits(f)
	if b&0x7fffffff > 0x7f800000 {
		return uint16(b>>16) | 0x40
	}
	return uint16((b + 0x7fff + (b>>16)&1) >> 16)
}

// FromBFloat16 returns the float32 equal to the bfloat16 bit pattern h.
func FromBFloat16(h uint16) float32 {
	return math.Float32frombits(uint32(h) << 16)
}

// Float16sToFloat32s converts src into dst[:len(src)].
func Float16sToFloat32s(dst []float32, src []uint16) {
	dst = dst[:len(src)]
	for i, h := range src {
		dst[i] = FromFloat16(h)
	}
}

// Float32sToFloat16s converts src into dst[:len(src)].
func Float32sToFloat16s(dst []uint16, src []float32) {
	dst = dst[:len(src)]
	for i, f := range src {
		dst[i] = ToFloat16(f)
	}
}

// BFloat16sToFloat32s converts src into dst[:len(src)].
func BFloat16sToFloat32s(dst []float32, src []uint16) {
	dst = dst[:len(src)]
	for i, h := range src {
		dst[i] = FromBFloat16(h)
	}
}

// Float32sToBFloat16s converts src into dst[:len(src)].
func Float32sToBFloat16s(dst []uint16, src []float32) {
	dst = dst[:len(src)]
	for i, f := range src {
		dst[i] = ToBFloat16(f)
	}
}
