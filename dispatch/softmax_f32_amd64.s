//go:build amd64 && !purego

#include "textflag.h"

// float32 Softmax kernels for AVX2+FMA (8 lanes) and AVX-512 (16 lanes).
// The Go declarations in plug_amd64.go give the loop each function
// computes; generic.go holds the reference. Every function handles whole
// vectors only and returns how many elements (or columns) it did.
//
// The exponential (both tiers compute bit-identical results):
//
//	n = round(v*log2e)                        (FMA with 1.5*2^23 added)
//	r = (v - n*ln2hi) - n*ln2lo               (two FMAs, Cody-Waite)
//	p = 1 + (r + r²((c2 + c3 r) + r²((c4 + c5 r) + r² c6)))   (Estrin)
//	exp(v) = p * 2^n
//
// c2..c6 come from dispatch/_gen/expfit (relative error 1.7e-8 on
// |r| <= ln2/2). AVX2 builds 2^n in the exponent bits; when every lane of
// a block has |v| <= 87 the result is normal and one multiply is exact
// (fast path). Otherwise the block is recomputed with v clamped to
// [-104, 89] and 2^n applied in two exact halves, so subnormal results are
// rounded once, exp(x < -103.98) = 0, exp(-Inf) = 0, exp(> 88.72) = +Inf
// and NaN stays NaN. AVX-512 clamps the same way and uses VSCALEFPS,
// which rounds p*2^n once.
//
// Measured error (TestExpF32Sweep with ONNXRUN_EXP_SWEEP=full, every
// float32 of [-104, 89]): at most 1 ULP from the correctly rounded exp;
// 0.84% of the results are not correctly rounded.

// log2e: 1.442695 log2(e)
DATA log2e<>+0(SB)/4, $0x3fb8aa3b
DATA log2e<>+4(SB)/4, $0x3fb8aa3b
DATA log2e<>+8(SB)/4, $0x3fb8aa3b
DATA log2e<>+12(SB)/4, $0x3fb8aa3b
DATA log2e<>+16(SB)/4, $0x3fb8aa3b
DATA log2e<>+20(SB)/4, $0x3fb8aa3b
DATA log2e<>+24(SB)/4, $0x3fb8aa3b
DATA log2e<>+28(SB)/4, $0x3fb8aa3b
DATA log2e<>+32(SB)/4, $0x3fb8aa3b
DATA log2e<>+36(SB)/4, $0x3fb8aa3b
DATA log2e<>+40(SB)/4, $0x3fb8aa3b
DATA log2e<>+44(SB)/4, $0x3fb8aa3b
DATA log2e<>+48(SB)/4, $0x3fb8aa3b
DATA log2e<>+52(SB)/4, $0x3fb8aa3b
DATA log2e<>+56(SB)/4, $0x3fb8aa3b
DATA log2e<>+60(SB)/4, $0x3fb8aa3b
GLOBL log2e<>(SB), RODATA|NOPTR, $64

// magic: 1.2582912e+07 1.5*2^23: adding it rounds to an integer in the low mantissa bits
DATA magic<>+0(SB)/4, $0x4b400000
DATA magic<>+4(SB)/4, $0x4b400000
DATA magic<>+8(SB)/4, $0x4b400000
DATA magic<>+12(SB)/4, $0x4b400000
DATA magic<>+16(SB)/4, $0x4b400000
DATA magic<>+20(SB)/4, $0x4b400000
DATA magic<>+24(SB)/4, $0x4b400000
DATA magic<>+28(SB)/4, $0x4b400000
DATA magic<>+32(SB)/4, $0x4b400000
DATA magic<>+36(SB)/4, $0x4b400000
DATA magic<>+40(SB)/4, $0x4b400000
DATA magic<>+44(SB)/4, $0x4b400000
DATA magic<>+48(SB)/4, $0x4b400000
DATA magic<>+52(SB)/4, $0x4b400000
DATA magic<>+56(SB)/4, $0x4b400000
DATA magic<>+60(SB)/4, $0x4b400000
GLOBL magic<>(SB), RODATA|NOPTR, $64

// ln2hi: 0.6931472 ln2 rounded to float32
DATA ln2hi<>+0(SB)/4, $0x3f317218
DATA ln2hi<>+4(SB)/4, $0x3f317218
DATA ln2hi<>+8(SB)/4, $0x3f317218
DATA ln2hi<>+12(SB)/4, $0x3f317218
DATA ln2hi<>+16(SB)/4, $0x3f317218
DATA ln2hi<>+20(SB)/4, $0x3f317218
DATA ln2hi<>+24(SB)/4, $0x3f317218
DATA ln2hi<>+28(SB)/4, $0x3f317218
DATA ln2hi<>+32(SB)/4, $0x3f317218
DATA ln2hi<>+36(SB)/4, $0x3f317218
DATA ln2hi<>+40(SB)/4, $0x3f317218
DATA ln2hi<>+44(SB)/4, $0x3f317218
DATA ln2hi<>+48(SB)/4, $0x3f317218
DATA ln2hi<>+52(SB)/4, $0x3f317218
DATA ln2hi<>+56(SB)/4, $0x3f317218
DATA ln2hi<>+60(SB)/4, $0x3f317218
GLOBL ln2hi<>(SB), RODATA|NOPTR, $64

// ln2lo: -1.9046542e-09 ln2 - ln2hi
DATA ln2lo<>+0(SB)/4, $0xb102e308
DATA ln2lo<>+4(SB)/4, $0xb102e308
DATA ln2lo<>+8(SB)/4, $0xb102e308
DATA ln2lo<>+12(SB)/4, $0xb102e308
DATA ln2lo<>+16(SB)/4, $0xb102e308
DATA ln2lo<>+20(SB)/4, $0xb102e308
DATA ln2lo<>+24(SB)/4, $0xb102e308
DATA ln2lo<>+28(SB)/4, $0xb102e308
DATA ln2lo<>+32(SB)/4, $0xb102e308
DATA ln2lo<>+36(SB)/4, $0xb102e308
DATA ln2lo<>+40(SB)/4, $0xb102e308
DATA ln2lo<>+44(SB)/4, $0xb102e308
DATA ln2lo<>+48(SB)/4, $0xb102e308
DATA ln2lo<>+52(SB)/4, $0xb102e308
DATA ln2lo<>+56(SB)/4, $0xb102e308
DATA ln2lo<>+60(SB)/4, $0xb102e308
GLOBL ln2lo<>(SB), RODATA|NOPTR, $64

// c6: 0.0013843655 
DATA c6<>+0(SB)/4, $0x3ab57399
DATA c6<>+4(SB)/4, $0x3ab57399
DATA c6<>+8(SB)/4, $0x3ab57399
DATA c6<>+12(SB)/4, $0x3ab57399
DATA c6<>+16(SB)/4, $0x3ab57399
DATA c6<>+20(SB)/4, $0x3ab57399
DATA c6<>+24(SB)/4, $0x3ab57399
DATA c6<>+28(SB)/4, $0x3ab57399
DATA c6<>+32(SB)/4, $0x3ab57399
DATA c6<>+36(SB)/4, $0x3ab57399
DATA c6<>+40(SB)/4, $0x3ab57399
DATA c6<>+44(SB)/4, $0x3ab57399
DATA c6<>+48(SB)/4, $0x3ab57399
DATA c6<>+52(SB)/4, $0x3ab57399
DATA c6<>+56(SB)/4, $0x3ab57399
DATA c6<>+60(SB)/4, $0x3ab57399
GLOBL c6<>(SB), RODATA|NOPTR, $64

// c5: 0.0083741555 
DATA c5<>+0(SB)/4, $0x3c0933c1
DATA c5<>+4(SB)/4, $0x3c0933c1
DATA c5<>+8(SB)/4, $0x3c0933c1
DATA c5<>+12(SB)/4, $0x3c0933c1
DATA c5<>+16(SB)/4, $0x3c0933c1
DATA c5<>+20(SB)/4, $0x3c0933c1
DATA c5<>+24(SB)/4, $0x3c0933c1
DATA c5<>+28(SB)/4, $0x3c0933c1
DATA c5<>+32(SB)/4, $0x3c0933c1
DATA c5<>+36(SB)/4, $0x3c0933c1
DATA c5<>+40(SB)/4, $0x3c0933c1
DATA c5<>+44(SB)/4, $0x3c0933c1
DATA c5<>+48(SB)/4, $0x3c0933c1
DATA c5<>+52(SB)/4, $0x3c0933c1
DATA c5<>+56(SB)/4, $0x3c0933c1
DATA c5<>+60(SB)/4, $0x3c0933c1
GLOBL c5<>(SB), RODATA|NOPTR, $64

// c4: 0.041668 
DATA c4<>+0(SB)/4, $0x3d2aac11
DATA c4<>+4(SB)/4, $0x3d2aac11
DATA c4<>+8(SB)/4, $0x3d2aac11
DATA c4<>+12(SB)/4, $0x3d2aac11
DATA c4<>+16(SB)/4, $0x3d2aac11
DATA c4<>+20(SB)/4, $0x3d2aac11
DATA c4<>+24(SB)/4, $0x3d2aac11
DATA c4<>+28(SB)/4, $0x3d2aac11
DATA c4<>+32(SB)/4, $0x3d2aac11
DATA c4<>+36(SB)/4, $0x3d2aac11
DATA c4<>+40(SB)/4, $0x3d2aac11
DATA c4<>+44(SB)/4, $0x3d2aac11
DATA c4<>+48(SB)/4, $0x3d2aac11
DATA c4<>+52(SB)/4, $0x3d2aac11
DATA c4<>+56(SB)/4, $0x3d2aac11
DATA c4<>+60(SB)/4, $0x3d2aac11
GLOBL c4<>(SB), RODATA|NOPTR, $64

// c3: 0.16666432 
DATA c3<>+0(SB)/4, $0x3e2aaa0d
DATA c3<>+4(SB)/4, $0x3e2aaa0d
DATA c3<>+8(SB)/4, $0x3e2aaa0d
DATA c3<>+12(SB)/4, $0x3e2aaa0d
DATA c3<>+16(SB)/4, $0x3e2aaa0d
DATA c3<>+20(SB)/4, $0x3e2aaa0d
DATA c3<>+24(SB)/4, $0x3e2aaa0d
DATA c3<>+28(SB)/4, $0x3e2aaa0d
DATA c3<>+32(SB)/4, $0x3e2aaa0d
DATA c3<>+36(SB)/4, $0x3e2aaa0d
DATA c3<>+40(SB)/4, $0x3e2aaa0d
DATA c3<>+44(SB)/4, $0x3e2aaa0d
DATA c3<>+48(SB)/4, $0x3e2aaa0d
DATA c3<>+52(SB)/4, $0x3e2aaa0d
DATA c3<>+56(SB)/4, $0x3e2aaa0d
DATA c3<>+60(SB)/4, $0x3e2aaa0d
GLOBL c3<>(SB), RODATA|NOPTR, $64

// c2: 0.49999994 
DATA c2<>+0(SB)/4, $0x3efffffe
DATA c2<>+4(SB)/4, $0x3efffffe
DATA c2<>+8(SB)/4, $0x3efffffe
DATA c2<>+12(SB)/4, $0x3efffffe
DATA c2<>+16(SB)/4, $0x3efffffe
DATA c2<>+20(SB)/4, $0x3efffffe
DATA c2<>+24(SB)/4, $0x3efffffe
DATA c2<>+28(SB)/4, $0x3efffffe
DATA c2<>+32(SB)/4, $0x3efffffe
DATA c2<>+36(SB)/4, $0x3efffffe
DATA c2<>+40(SB)/4, $0x3efffffe
DATA c2<>+44(SB)/4, $0x3efffffe
DATA c2<>+48(SB)/4, $0x3efffffe
DATA c2<>+52(SB)/4, $0x3efffffe
DATA c2<>+56(SB)/4, $0x3efffffe
DATA c2<>+60(SB)/4, $0x3efffffe
GLOBL c2<>(SB), RODATA|NOPTR, $64

// one: 1 1.0 (c1 and c0)
DATA one<>+0(SB)/4, $0x3f800000
DATA one<>+4(SB)/4, $0x3f800000
DATA one<>+8(SB)/4, $0x3f800000
DATA one<>+12(SB)/4, $0x3f800000
DATA one<>+16(SB)/4, $0x3f800000
DATA one<>+20(SB)/4, $0x3f800000
DATA one<>+24(SB)/4, $0x3f800000
DATA one<>+28(SB)/4, $0x3f800000
DATA one<>+32(SB)/4, $0x3f800000
DATA one<>+36(SB)/4, $0x3f800000
DATA one<>+40(SB)/4, $0x3f800000
DATA one<>+44(SB)/4, $0x3f800000
DATA one<>+48(SB)/4, $0x3f800000
DATA one<>+52(SB)/4, $0x3f800000
DATA one<>+56(SB)/4, $0x3f800000
DATA one<>+60(SB)/4, $0x3f800000
GLOBL one<>(SB), RODATA|NOPTR, $64

// bias: 1 the float32 exponent bias, in place
DATA bias<>+0(SB)/4, $0x3f800000
DATA bias<>+4(SB)/4, $0x3f800000
DATA bias<>+8(SB)/4, $0x3f800000
DATA bias<>+12(SB)/4, $0x3f800000
DATA bias<>+16(SB)/4, $0x3f800000
DATA bias<>+20(SB)/4, $0x3f800000
DATA bias<>+24(SB)/4, $0x3f800000
DATA bias<>+28(SB)/4, $0x3f800000
DATA bias<>+32(SB)/4, $0x3f800000
DATA bias<>+36(SB)/4, $0x3f800000
DATA bias<>+40(SB)/4, $0x3f800000
DATA bias<>+44(SB)/4, $0x3f800000
DATA bias<>+48(SB)/4, $0x3f800000
DATA bias<>+52(SB)/4, $0x3f800000
DATA bias<>+56(SB)/4, $0x3f800000
DATA bias<>+60(SB)/4, $0x3f800000
GLOBL bias<>(SB), RODATA|NOPTR, $64

// abs: NaN clears the sign bit
DATA abs<>+0(SB)/4, $0x7fffffff
DATA abs<>+4(SB)/4, $0x7fffffff
DATA abs<>+8(SB)/4, $0x7fffffff
DATA abs<>+12(SB)/4, $0x7fffffff
DATA abs<>+16(SB)/4, $0x7fffffff
DATA abs<>+20(SB)/4, $0x7fffffff
DATA abs<>+24(SB)/4, $0x7fffffff
DATA abs<>+28(SB)/4, $0x7fffffff
DATA abs<>+32(SB)/4, $0x7fffffff
DATA abs<>+36(SB)/4, $0x7fffffff
DATA abs<>+40(SB)/4, $0x7fffffff
DATA abs<>+44(SB)/4, $0x7fffffff
DATA abs<>+48(SB)/4, $0x7fffffff
DATA abs<>+52(SB)/4, $0x7fffffff
DATA abs<>+56(SB)/4, $0x7fffffff
DATA abs<>+60(SB)/4, $0x7fffffff
GLOBL abs<>(SB), RODATA|NOPTR, $64

// fastlim: 87 |v| <= 87: 2^n is normal and so is p*2^n
DATA fastlim<>+0(SB)/4, $0x42ae0000
DATA fastlim<>+4(SB)/4, $0x42ae0000
DATA fastlim<>+8(SB)/4, $0x42ae0000
DATA fastlim<>+12(SB)/4, $0x42ae0000
DATA fastlim<>+16(SB)/4, $0x42ae0000
DATA fastlim<>+20(SB)/4, $0x42ae0000
DATA fastlim<>+24(SB)/4, $0x42ae0000
DATA fastlim<>+28(SB)/4, $0x42ae0000
DATA fastlim<>+32(SB)/4, $0x42ae0000
DATA fastlim<>+36(SB)/4, $0x42ae0000
DATA fastlim<>+40(SB)/4, $0x42ae0000
DATA fastlim<>+44(SB)/4, $0x42ae0000
DATA fastlim<>+48(SB)/4, $0x42ae0000
DATA fastlim<>+52(SB)/4, $0x42ae0000
DATA fastlim<>+56(SB)/4, $0x42ae0000
DATA fastlim<>+60(SB)/4, $0x42ae0000
GLOBL fastlim<>(SB), RODATA|NOPTR, $64
// negfastlim: -87, the row-batch kernels' bound (their v = x - max is
// never above 0)
DATA negfastlim<>+0(SB)/4, $0xc2ae0000
DATA negfastlim<>+4(SB)/4, $0xc2ae0000
DATA negfastlim<>+8(SB)/4, $0xc2ae0000
DATA negfastlim<>+12(SB)/4, $0xc2ae0000
DATA negfastlim<>+16(SB)/4, $0xc2ae0000
DATA negfastlim<>+20(SB)/4, $0xc2ae0000
DATA negfastlim<>+24(SB)/4, $0xc2ae0000
DATA negfastlim<>+28(SB)/4, $0xc2ae0000
DATA negfastlim<>+32(SB)/4, $0xc2ae0000
DATA negfastlim<>+36(SB)/4, $0xc2ae0000
DATA negfastlim<>+40(SB)/4, $0xc2ae0000
DATA negfastlim<>+44(SB)/4, $0xc2ae0000
DATA negfastlim<>+48(SB)/4, $0xc2ae0000
DATA negfastlim<>+52(SB)/4, $0xc2ae0000
DATA negfastlim<>+56(SB)/4, $0xc2ae0000
DATA negfastlim<>+60(SB)/4, $0xc2ae0000
GLOBL negfastlim<>(SB), RODATA|NOPTR, $64

// lo: -104 below this exp rounds to 0
DATA lo<>+0(SB)/4, $0xc2d00000
DATA lo<>+4(SB)/4, $0xc2d00000
DATA lo<>+8(SB)/4, $0xc2d00000
DATA lo<>+12(SB)/4, $0xc2d00000
DATA lo<>+16(SB)/4, $0xc2d00000
DATA lo<>+20(SB)/4, $0xc2d00000
DATA lo<>+24(SB)/4, $0xc2d00000
DATA lo<>+28(SB)/4, $0xc2d00000
DATA lo<>+32(SB)/4, $0xc2d00000
DATA lo<>+36(SB)/4, $0xc2d00000
DATA lo<>+40(SB)/4, $0xc2d00000
DATA lo<>+44(SB)/4, $0xc2d00000
DATA lo<>+48(SB)/4, $0xc2d00000
DATA lo<>+52(SB)/4, $0xc2d00000
DATA lo<>+56(SB)/4, $0xc2d00000
DATA lo<>+60(SB)/4, $0xc2d00000
GLOBL lo<>(SB), RODATA|NOPTR, $64

// hi: 89 above this exp is +Inf
DATA hi<>+0(SB)/4, $0x42b20000
DATA hi<>+4(SB)/4, $0x42b20000
DATA hi<>+8(SB)/4, $0x42b20000
DATA hi<>+12(SB)/4, $0x42b20000
DATA hi<>+16(SB)/4, $0x42b20000
DATA hi<>+20(SB)/4, $0x42b20000
DATA hi<>+24(SB)/4, $0x42b20000
DATA hi<>+28(SB)/4, $0x42b20000
DATA hi<>+32(SB)/4, $0x42b20000
DATA hi<>+36(SB)/4, $0x42b20000
DATA hi<>+40(SB)/4, $0x42b20000
DATA hi<>+44(SB)/4, $0x42b20000
DATA hi<>+48(SB)/4, $0x42b20000
DATA hi<>+52(SB)/4, $0x42b20000
DATA hi<>+56(SB)/4, $0x42b20000
DATA hi<>+60(SB)/4, $0x42b20000
GLOBL hi<>(SB), RODATA|NOPTR, $64
// neginf: -Inf, the start of a maximum
DATA neginf<>+0(SB)/4, $0xff800000
DATA neginf<>+4(SB)/4, $0xff800000
DATA neginf<>+8(SB)/4, $0xff800000
DATA neginf<>+12(SB)/4, $0xff800000
DATA neginf<>+16(SB)/4, $0xff800000
DATA neginf<>+20(SB)/4, $0xff800000
DATA neginf<>+24(SB)/4, $0xff800000
DATA neginf<>+28(SB)/4, $0xff800000
DATA neginf<>+32(SB)/4, $0xff800000
DATA neginf<>+36(SB)/4, $0xff800000
DATA neginf<>+40(SB)/4, $0xff800000
DATA neginf<>+44(SB)/4, $0xff800000
DATA neginf<>+48(SB)/4, $0xff800000
DATA neginf<>+52(SB)/4, $0xff800000
DATA neginf<>+56(SB)/4, $0xff800000
DATA neginf<>+60(SB)/4, $0xff800000
GLOBL neginf<>(SB), RODATA|NOPTR, $64

// ---------------------------------------------------------------- AVX2

// EXP_EST_AVX2 sets p = exp(v) for |v| <= 87, clobbering v, t, r2 and a.
// The polynomial is evaluated by Estrin's scheme (depth 4 instead of 6),
// adding the 1 last so that the earlier roundings are at the scale of p-1:
// p = 1 + (r + r2*((c2 + c3 r) + r2*((c4 + c5 r) + r2*c6))).
#define EXP_EST_AVX2(v, t, p, r2, a) \
	VMOVUPS      magic<>(SB), t; \
	VFMADD231PS  log2e<>(SB), v, t; \
	VSUBPS       magic<>(SB), t, p; \
	VFNMADD231PS ln2hi<>(SB), p, v; \
	VFNMADD231PS ln2lo<>(SB), p, v; \
	VMULPS       v, v, r2; \
	VMOVUPS      c3<>(SB), a; \
	VFMADD213PS  c2<>(SB), v, a; \
	VMOVUPS      c5<>(SB), p; \
	VFMADD213PS  c4<>(SB), v, p; \
	VFMADD231PS  c6<>(SB), r2, p; \
	VFMADD231PS  p, r2, a; \
	VFMADD213PS  v, r2, a; \
	VADDPS       one<>(SB), a, p; \
	VPSLLD       $23, t, t; \
	VPADDD       bias<>(SB), t, t; \
	VMULPS       t, p, p

// EXP_SLOW_CORE_AVX2 sets out = exp(Y0) for any input, with the same
// polynomial as EXP_EST_AVX2. It needs Y4 = lo, Y5 = hi and clobbers Y0-Y3,
// Y6 and Y7. The clamp keeps a NaN of Y0 (the second
// operand of VMAXPS/VMINPS is returned when one is NaN); 2^n is applied as
// 2^(n-n/2) * 2^(n/2), both normal, so the product rounds once.
#define EXP_SLOW_CORE_AVX2(out) \
	VMAXPS       Y0, Y4, Y0; \
	VMINPS       Y0, Y5, Y0; \
	VMOVUPS      magic<>(SB), Y1; \
	VFMADD231PS  log2e<>(SB), Y0, Y1; \
	VSUBPS       magic<>(SB), Y1, Y2; \
	VFNMADD231PS ln2hi<>(SB), Y2, Y0; \
	VFNMADD231PS ln2lo<>(SB), Y2, Y0; \
	VPSUBD       magic<>(SB), Y1, Y1; \
	VPSRAD       $1, Y1, Y3; \
	VPSUBD       Y3, Y1, Y1; \
	VPSLLD       $23, Y1, Y1; \
	VPADDD       bias<>(SB), Y1, Y1; \
	VPSLLD       $23, Y3, Y3; \
	VPADDD       bias<>(SB), Y3, Y3; \
	VMULPS       Y0, Y0, Y6; \
	VMOVUPS      c3<>(SB), Y7; \
	VFMADD213PS  c2<>(SB), Y0, Y7; \
	VMOVUPS      c5<>(SB), Y2; \
	VFMADD213PS  c4<>(SB), Y0, Y2; \
	VFMADD231PS  c6<>(SB), Y6, Y2; \
	VFMADD231PS  Y2, Y6, Y7; \
	VFMADD213PS  Y0, Y6, Y7; \
	VADDPS       one<>(SB), Y7, Y2; \
	VMULPS       Y1, Y2, Y2; \
	VMULPS       Y3, Y2, out

// EXP_SLOW_AVX2 sets out = exp(x[AX+off/4] - Y14), like EXP_SLOW_CORE_AVX2.
#define EXP_SLOW_AVX2(off, out) \
	VMOVUPS off(SI)(AX*4), Y0; \
	VSUBPS  Y14, Y0, Y0; \
	EXP_SLOW_CORE_AVX2(out)

// ADD8_F64_AVX2 adds the 8 float32 lanes of v, widened, to Y12 (low four)
// and Y13 (high four). Clobbers Y0, Y1.
#define ADD8_F64_AVX2(v, vx) \
	VCVTPS2PD    vx, Y0; \
	VEXTRACTF128 $1, v, X1; \
	VCVTPS2PD    X1, Y1; \
	VADDPD       Y0, Y12, Y12; \
	VADDPD       Y1, Y13, Y13

// EXP_REG_AVX2 sets v = exp(v) for |v| <= 87 with the arithmetic of
// EXP_EST_AVX2, taking magic, log2e, ln2hi, ln2lo and one (= bias) from
// Y15, Y11, Y9, Y8 and Y10 instead of memory. Clobbers Y4-Y7. With the
// constants in registers a vector needs five loads besides its data, so
// the loop is bound by the multiplier ports rather than by loads.
#define EXP_REG_AVX2(v) \
	VMOVAPS      Y15, Y4; \
	VFMADD231PS  Y11, v, Y4; \
	VSUBPS       Y15, Y4, Y5; \
	VFNMADD231PS Y9, Y5, v; \
	VFNMADD231PS Y8, Y5, v; \
	VMULPS       v, v, Y6; \
	VMOVUPS      c3<>(SB), Y7; \
	VFMADD213PS  c2<>(SB), v, Y7; \
	VMOVUPS      c5<>(SB), Y5; \
	VFMADD213PS  c4<>(SB), v, Y5; \
	VFMADD231PS  c6<>(SB), Y6, Y5; \
	VFMADD231PS  Y5, Y6, Y7; \
	VFMADD213PS  v, Y6, Y7; \
	VPSLLD       $23, Y4, Y4; \
	VPADDD       Y10, Y4, Y4; \
	VMOVAPS      Y4, v; \
	VFMADD231PS  Y7, Y4, v

// LOAD_EXP_REGS_AVX2 loads the constants EXP_REG_AVX2 takes from registers.
#define LOAD_EXP_REGS_AVX2 \
	VMOVUPS ln2lo<>(SB), Y8; \
	VMOVUPS ln2hi<>(SB), Y9; \
	VMOVUPS one<>(SB), Y10; \
	VMOVUPS log2e<>(SB), Y11; \
	VMOVUPS magic<>(SB), Y15

// SLOW32_AVX2 sets Y0-Y3 to exp(x - Y14) for the 32 elements of x at
// SI+4*AX through the slow path (EXP_SLOW_AVX2, into Y8-Y11, clobbering
// Y0-Y7) and reloads the constants EXP_REG_AVX2 takes from registers.
#define SLOW32_AVX2 \
	VMOVUPS lo<>(SB), Y4; \
	VMOVUPS hi<>(SB), Y5; \
	EXP_SLOW_AVX2(0, Y8); \
	EXP_SLOW_AVX2(32, Y9); \
	EXP_SLOW_AVX2(64, Y10); \
	EXP_SLOW_AVX2(96, Y11); \
	VMOVAPS Y8, Y0; \
	VMOVAPS Y9, Y1; \
	VMOVAPS Y10, Y2; \
	VMOVAPS Y11, Y3; \
	LOAD_EXP_REGS_AVX2

// func expSumF32AVX2(dst, x []float32, m float32) (s float64, done int)
TEXT ·expSumF32AVX2(SB), NOSPLIT, $0-72
	MOVQ         dst_base+0(FP), DI
	MOVQ         x_base+24(FP), SI
	MOVQ         x_len+32(FP), CX
	ANDQ         $-8, CX
	MOVQ         CX, done+64(FP)
	MOVQ         CX, DX
	ANDQ         $-32, DX
	VBROADCASTSS m+48(FP), Y14
	VXORPD       Y12, Y12, Y12
	VXORPD       Y13, Y13, Y13
	LOAD_EXP_REGS_AVX2
	XORQ         AX, AX

exps_loop32:
	CMPQ    AX, DX
	JGE     exps_tail
	VMOVUPS 0(SI)(AX*4), Y0
	VMOVUPS 32(SI)(AX*4), Y1
	VMOVUPS 64(SI)(AX*4), Y2
	VMOVUPS 96(SI)(AX*4), Y3
	VSUBPS  Y14, Y0, Y0
	VSUBPS  Y14, Y1, Y1
	VSUBPS  Y14, Y2, Y2
	VSUBPS  Y14, Y3, Y3

	// Any lane with !(|v| <= 87), NaN included, takes the slow path.
	VANDPS abs<>(SB), Y0, Y4
	VANDPS abs<>(SB), Y1, Y5
	VANDPS abs<>(SB), Y2, Y6
	VANDPS abs<>(SB), Y3, Y7
	VCMPPS $6, fastlim<>(SB), Y4, Y4
	VCMPPS $6, fastlim<>(SB), Y5, Y5
	VCMPPS $6, fastlim<>(SB), Y6, Y6
	VCMPPS $6, fastlim<>(SB), Y7, Y7
	VORPS  Y5, Y4, Y4
	VORPS  Y7, Y6, Y6
	VORPS  Y6, Y4, Y4
	VPTEST Y4, Y4
	JNZ    exps_slow32

	EXP_REG_AVX2(Y0)
	EXP_REG_AVX2(Y1)
	EXP_REG_AVX2(Y2)
	EXP_REG_AVX2(Y3)

exps_store32:
	TESTQ   DI, DI
	JZ      exps_sum32
	VMOVUPS Y0, 0(DI)(AX*4)
	VMOVUPS Y1, 32(DI)(AX*4)
	VMOVUPS Y2, 64(DI)(AX*4)
	VMOVUPS Y3, 96(DI)(AX*4)

exps_sum32:
	VADDPS Y1, Y0, Y0
	VADDPS Y3, Y2, Y2
	VADDPS Y2, Y0, Y2
	ADD8_F64_AVX2(Y2, X2)
	ADDQ   $32, AX
	JMP    exps_loop32

exps_slow32:
	SLOW32_AVX2
	JMP     exps_store32

exps_tail:
	VMOVUPS lo<>(SB), Y4
	VMOVUPS hi<>(SB), Y5

exps_loop8:
	CMPQ    AX, CX
	JGE     exps_done
	VMOVUPS 0(SI)(AX*4), Y0
	VSUBPS  Y14, Y0, Y0
	VANDPS  abs<>(SB), Y0, Y7
	VCMPPS  $6, fastlim<>(SB), Y7, Y7
	VPTEST  Y7, Y7
	JNZ     exps_slow8
	EXP_EST_AVX2(Y0, Y6, Y8, Y2, Y3)
	JMP     exps_put8

exps_slow8:
	EXP_SLOW_CORE_AVX2(Y8)

exps_put8:
	TESTQ   DI, DI
	JZ      exps_sum8
	VMOVUPS Y8, 0(DI)(AX*4)

exps_sum8:
	ADD8_F64_AVX2(Y8, X8)
	ADDQ $8, AX
	JMP  exps_loop8

exps_done:
	VADDPD       Y13, Y12, Y12
	VEXTRACTF128 $1, Y12, X13
	VADDPD       X13, X12, X12
	VPERMILPD    $1, X12, X13
	VADDSD       X13, X12, X12
	VMOVSD       X12, s+56(FP)
	VZEROUPPER
	RET

// func maxF32AVX2(x []float32) (m float32, done int)
TEXT ·maxF32AVX2(SB), NOSPLIT, $0-40
	MOVQ    x_base+0(FP), SI
	MOVQ    x_len+8(FP), CX
	ANDQ    $-8, CX
	MOVQ    CX, done+32(FP)
	JZ      max_none
	MOVQ    CX, DX
	ANDQ    $-32, DX
	VMOVUPS neginf<>(SB), Y0
	VMOVUPS Y0, Y1
	VMOVUPS Y0, Y2
	VMOVUPS Y0, Y3
	XORQ    AX, AX

	// acc = max(v, acc) with acc as the second operand: a NaN in v leaves
	// acc alone, so NaN never enters the accumulators.
max_loop32:
	CMPQ    AX, DX
	JGE     max_loop8
	VMOVUPS 0(SI)(AX*4), Y4
	VMOVUPS 32(SI)(AX*4), Y5
	VMOVUPS 64(SI)(AX*4), Y6
	VMOVUPS 96(SI)(AX*4), Y7
	VMAXPS  Y0, Y4, Y0
	VMAXPS  Y1, Y5, Y1
	VMAXPS  Y2, Y6, Y2
	VMAXPS  Y3, Y7, Y3
	ADDQ    $32, AX
	JMP     max_loop32

max_loop8:
	CMPQ    AX, CX
	JGE     max_reduce
	VMOVUPS 0(SI)(AX*4), Y4
	VMAXPS  Y0, Y4, Y0
	ADDQ    $8, AX
	JMP     max_loop8

max_reduce:
	VMAXPS       Y1, Y0, Y0
	VMAXPS       Y3, Y2, Y2
	VMAXPS       Y2, Y0, Y0
	VEXTRACTF128 $1, Y0, X1
	VMAXPS       X1, X0, X0
	VPERMILPS    $0x4e, X0, X1
	VMAXPS       X1, X0, X0
	VPERMILPS    $0xb1, X0, X1
	VMAXPS       X1, X0, X0
	VMOVSS       X0, m+24(FP)
	VZEROUPPER
	RET

max_none:
	MOVL $0, m+24(FP)
	RET

// func scaleF32AVX2(x []float32, s float32) (done int)
TEXT ·scaleF32AVX2(SB), NOSPLIT, $0-40
	MOVQ         x_base+0(FP), SI
	MOVQ         x_len+8(FP), CX
	ANDQ         $-8, CX
	MOVQ         CX, done+32(FP)
	MOVQ         CX, DX
	ANDQ         $-32, DX
	VBROADCASTSS s+24(FP), Y15
	XORQ         AX, AX

scale_loop32:
	CMPQ    AX, DX
	JGE     scale_loop8
	VMULPS  0(SI)(AX*4), Y15, Y0
	VMULPS  32(SI)(AX*4), Y15, Y1
	VMULPS  64(SI)(AX*4), Y15, Y2
	VMULPS  96(SI)(AX*4), Y15, Y3
	VMOVUPS Y0, 0(SI)(AX*4)
	VMOVUPS Y1, 32(SI)(AX*4)
	VMOVUPS Y2, 64(SI)(AX*4)
	VMOVUPS Y3, 96(SI)(AX*4)
	ADDQ    $32, AX
	JMP     scale_loop32

scale_loop8:
	CMPQ    AX, CX
	JGE     scale_done
	VMULPS  0(SI)(AX*4), Y15, Y0
	VMOVUPS Y0, 0(SI)(AX*4)
	ADDQ    $8, AX
	JMP     scale_loop8

scale_done:
	VZEROUPPER
	RET

// func shiftF32AVX2(dst, x []float32, a, b float32) (done int)
TEXT ·shiftF32AVX2(SB), NOSPLIT, $0-64
	MOVQ         dst_base+0(FP), DI
	MOVQ         x_base+24(FP), SI
	MOVQ         x_len+32(FP), CX
	ANDQ         $-8, CX
	MOVQ         CX, done+56(FP)
	MOVQ         CX, DX
	ANDQ         $-32, DX
	VBROADCASTSS a+48(FP), Y14
	VBROADCASTSS b+52(FP), Y15
	XORQ         AX, AX

shift_loop32:
	CMPQ    AX, DX
	JGE     shift_loop8
	VMOVUPS 0(SI)(AX*4), Y0
	VMOVUPS 32(SI)(AX*4), Y1
	VMOVUPS 64(SI)(AX*4), Y2
	VMOVUPS 96(SI)(AX*4), Y3
	VSUBPS  Y14, Y0, Y0
	VSUBPS  Y14, Y1, Y1
	VSUBPS  Y14, Y2, Y2
	VSUBPS  Y14, Y3, Y3
	VSUBPS  Y15, Y0, Y0
	VSUBPS  Y15, Y1, Y1
	VSUBPS  Y15, Y2, Y2
	VSUBPS  Y15, Y3, Y3
	VMOVUPS Y0, 0(DI)(AX*4)
	VMOVUPS Y1, 32(DI)(AX*4)
	VMOVUPS Y2, 64(DI)(AX*4)
	VMOVUPS Y3, 96(DI)(AX*4)
	ADDQ    $32, AX
	JMP     shift_loop32

shift_loop8:
	CMPQ    AX, CX
	JGE     shift_done
	VMOVUPS 0(SI)(AX*4), Y0
	VSUBPS  Y14, Y0, Y0
	VSUBPS  Y15, Y0, Y0
	VMOVUPS Y0, 0(DI)(AX*4)
	ADDQ    $8, AX
	JMP     shift_loop8

shift_done:
	VZEROUPPER
	RET

// func maxColsF32AVX2(m, x []float32, n, width, stride int) (done int)
TEXT ·maxColsF32AVX2(SB), NOSPLIT, $0-80
	MOVQ m_base+0(FP), DI
	MOVQ x_base+24(FP), SI
	MOVQ n+48(FP), BX
	MOVQ width+56(FP), CX
	MOVQ stride+64(FP), R10
	SHLQ $2, R10              // row step in bytes
	ANDQ $-8, CX
	MOVQ CX, done+72(FP)
	MOVQ CX, DX
	ANDQ $-32, DX
	XORQ AX, AX               // column

maxc_loop32:
	CMPQ    AX, DX
	JGE     maxc_loop8
	VMOVUPS neginf<>(SB), Y0
	VMOVUPS Y0, Y1
	VMOVUPS Y0, Y2
	VMOVUPS Y0, Y3
	LEAQ    (SI)(AX*4), R8
	MOVQ    BX, R9

maxc_rows32:
	TESTQ   R9, R9
	JLE     maxc_store32
	VMOVUPS 0(R8), Y4
	VMOVUPS 32(R8), Y5
	VMOVUPS 64(R8), Y6
	VMOVUPS 96(R8), Y7
	VMAXPS  Y0, Y4, Y0
	VMAXPS  Y1, Y5, Y1
	VMAXPS  Y2, Y6, Y2
	VMAXPS  Y3, Y7, Y3
	ADDQ    R10, R8
	DECQ    R9
	JMP     maxc_rows32

maxc_store32:
	VMOVUPS Y0, 0(DI)(AX*4)
	VMOVUPS Y1, 32(DI)(AX*4)
	VMOVUPS Y2, 64(DI)(AX*4)
	VMOVUPS Y3, 96(DI)(AX*4)
	ADDQ    $32, AX
	JMP     maxc_loop32

maxc_loop8:
	CMPQ    AX, CX
	JGE     maxc_done
	VMOVUPS neginf<>(SB), Y0
	LEAQ    (SI)(AX*4), R8
	MOVQ    BX, R9

maxc_rows8:
	TESTQ   R9, R9
	JLE     maxc_store8
	VMOVUPS (R8), Y4
	VMAXPS  Y0, Y4, Y0
	ADDQ    R10, R8
	DECQ    R9
	JMP     maxc_rows8

maxc_store8:
	VMOVUPS Y0, 0(DI)(AX*4)
	ADDQ    $8, AX
	JMP     maxc_loop8

maxc_done:
	VZEROUPPER
	RET

// func expSumColsF32AVX2(dst, x, m, s []float32, n, width, stride int) (done int)
TEXT ·expSumColsF32AVX2(SB), NOSPLIT, $0-128
	MOVQ    dst_base+0(FP), DI
	MOVQ    x_base+24(FP), SI
	MOVQ    m_base+48(FP), R11
	MOVQ    s_base+72(FP), R12
	MOVQ    n+96(FP), BX
	MOVQ    width+104(FP), CX
	MOVQ    stride+112(FP), R10
	SHLQ    $2, R10
	LEAQ    (R10)(R10*1), DX          // two rows
	ANDQ    $-8, CX
	MOVQ    CX, done+120(FP)
	VMOVUPS lo<>(SB), Y4
	VMOVUPS hi<>(SB), Y5
	XORQ    AX, AX

expc_cols:
	CMPQ    AX, CX
	JGE     expc_done
	VMOVUPS (R11)(AX*4), Y14
	VXORPD  Y12, Y12, Y12
	VXORPD  Y13, Y13, Y13
	LEAQ    (SI)(AX*4), R8
	LEAQ    (DI)(AX*4), R13
	MOVQ    BX, R9

	// Two rows per iteration while there are two: their exps are
	// independent, and their sum is widened once.
expc_pairs:
	CMPQ    R9, $2
	JLT     expc_rows
	VMOVUPS (R8), Y0
	VMOVUPS (R8)(R10*1), Y1
	VSUBPS  Y14, Y0, Y0
	VSUBPS  Y14, Y1, Y1
	VANDPS  abs<>(SB), Y0, Y6
	VANDPS  abs<>(SB), Y1, Y7
	VCMPPS  $6, fastlim<>(SB), Y6, Y6
	VCMPPS  $6, fastlim<>(SB), Y7, Y7
	VORPS   Y7, Y6, Y6
	VPTEST  Y6, Y6
	JNZ     expc_pair_slow
	EXP_EST_AVX2(Y0, Y6, Y8, Y2, Y3)
	EXP_EST_AVX2(Y1, Y7, Y9, Y10, Y11)
	JMP     expc_pair_put

expc_pair_slow:
	VMOVUPS (R8), Y0
	VSUBPS  Y14, Y0, Y0
	EXP_SLOW_CORE_AVX2(Y8)
	VMOVUPS (R8)(R10*1), Y0
	VSUBPS  Y14, Y0, Y0
	EXP_SLOW_CORE_AVX2(Y9)

expc_pair_put:
	TESTQ   DI, DI
	JZ      expc_pair_sum
	VMOVUPS Y8, (R13)
	VMOVUPS Y9, (R13)(R10*1)

expc_pair_sum:
	VADDPS  Y9, Y8, Y8
	ADD8_F64_AVX2(Y8, X8)
	ADDQ    DX, R8
	ADDQ    DX, R13
	SUBQ    $2, R9
	JMP     expc_pairs

expc_rows:
	TESTQ   R9, R9
	JLE     expc_store
	VMOVUPS (R8), Y0
	VSUBPS  Y14, Y0, Y0
	VANDPS  abs<>(SB), Y0, Y6
	VCMPPS  $6, fastlim<>(SB), Y6, Y6
	VPTEST  Y6, Y6
	JNZ     expc_slow
	EXP_EST_AVX2(Y0, Y6, Y8, Y2, Y3)
	JMP     expc_put

expc_slow:
	EXP_SLOW_CORE_AVX2(Y8)

expc_put:
	TESTQ   DI, DI
	JZ      expc_sum
	VMOVUPS Y8, (R13)

expc_sum:
	ADD8_F64_AVX2(Y8, X8)
	ADDQ    R10, R8
	ADDQ    R10, R13
	DECQ    R9
	JMP     expc_rows

expc_store:
	VCVTPD2PSY  Y12, X0
	VCVTPD2PSY  Y13, X1
	VINSERTF128 $1, X1, Y0, Y0
	VMOVUPS     Y0, (R12)(AX*4)
	ADDQ        $8, AX
	JMP         expc_cols

expc_done:
	VZEROUPPER
	RET

// func scaleColsF32AVX2(x, s []float32, n, width, stride int) (done int)
TEXT ·scaleColsF32AVX2(SB), NOSPLIT, $0-80
	MOVQ x_base+0(FP), SI
	MOVQ s_base+24(FP), R11
	MOVQ n+48(FP), BX
	MOVQ width+56(FP), CX
	MOVQ stride+64(FP), R10
	SHLQ $2, R10
	ANDQ $-8, CX
	MOVQ CX, done+72(FP)
	MOVQ CX, DX
	ANDQ $-32, DX

scalec_rows:
	TESTQ BX, BX
	JLE   scalec_done
	XORQ  AX, AX

scalec_loop32:
	CMPQ    AX, DX
	JGE     scalec_loop8
	VMOVUPS 0(R11)(AX*4), Y0
	VMOVUPS 32(R11)(AX*4), Y1
	VMOVUPS 64(R11)(AX*4), Y2
	VMOVUPS 96(R11)(AX*4), Y3
	VMULPS  0(SI)(AX*4), Y0, Y0
	VMULPS  32(SI)(AX*4), Y1, Y1
	VMULPS  64(SI)(AX*4), Y2, Y2
	VMULPS  96(SI)(AX*4), Y3, Y3
	VMOVUPS Y0, 0(SI)(AX*4)
	VMOVUPS Y1, 32(SI)(AX*4)
	VMOVUPS Y2, 64(SI)(AX*4)
	VMOVUPS Y3, 96(SI)(AX*4)
	ADDQ    $32, AX
	JMP     scalec_loop32

scalec_loop8:
	CMPQ    AX, CX
	JGE     scalec_next
	VMOVUPS 0(R11)(AX*4), Y0
	VMULPS  0(SI)(AX*4), Y0, Y0
	VMOVUPS Y0, 0(SI)(AX*4)
	ADDQ    $8, AX
	JMP     scalec_loop8

scalec_next:
	ADDQ R10, SI
	DECQ BX
	JMP  scalec_rows

scalec_done:
	VZEROUPPER
	RET

// func shiftColsF32AVX2(dst, x, a, b []float32, n, width, stride int) (done int)
TEXT ·shiftColsF32AVX2(SB), NOSPLIT, $0-128
	MOVQ dst_base+0(FP), DI
	MOVQ x_base+24(FP), SI
	MOVQ a_base+48(FP), R11
	MOVQ b_base+72(FP), R12
	MOVQ n+96(FP), BX
	MOVQ width+104(FP), CX
	MOVQ stride+112(FP), R10
	SHLQ $2, R10
	ANDQ $-8, CX
	MOVQ CX, done+120(FP)
	MOVQ CX, DX
	ANDQ $-32, DX

shiftc_rows:
	TESTQ BX, BX
	JLE   shiftc_done
	XORQ  AX, AX

shiftc_loop32:
	CMPQ    AX, DX
	JGE     shiftc_loop8
	VMOVUPS 0(SI)(AX*4), Y0
	VMOVUPS 32(SI)(AX*4), Y1
	VMOVUPS 64(SI)(AX*4), Y2
	VMOVUPS 96(SI)(AX*4), Y3
	VSUBPS  0(R11)(AX*4), Y0, Y0
	VSUBPS  32(R11)(AX*4), Y1, Y1
	VSUBPS  64(R11)(AX*4), Y2, Y2
	VSUBPS  96(R11)(AX*4), Y3, Y3
	VSUBPS  0(R12)(AX*4), Y0, Y0
	VSUBPS  32(R12)(AX*4), Y1, Y1
	VSUBPS  64(R12)(AX*4), Y2, Y2
	VSUBPS  96(R12)(AX*4), Y3, Y3
	VMOVUPS Y0, 0(DI)(AX*4)
	VMOVUPS Y1, 32(DI)(AX*4)
	VMOVUPS Y2, 64(DI)(AX*4)
	VMOVUPS Y3, 96(DI)(AX*4)
	ADDQ    $32, AX
	JMP     shiftc_loop32

shiftc_loop8:
	CMPQ    AX, CX
	JGE     shiftc_next
	VMOVUPS 0(SI)(AX*4), Y0
	VSUBPS  0(R11)(AX*4), Y0, Y0
	VSUBPS  0(R12)(AX*4), Y0, Y0
	VMOVUPS Y0, 0(DI)(AX*4)
	ADDQ    $8, AX
	JMP     shiftc_loop8

shiftc_next:
	ADDQ R10, SI
	ADDQ R10, DI
	DECQ BX
	JMP  shiftc_rows

shiftc_done:
	VZEROUPPER
	RET

// ---------------------------------------------------------------- AVX-512
//
// These mirror the AVX2 functions above instruction for instruction where
// they can, with 16 lanes and the constants held in Z16-Z27. The
// exponential needs no fast/slow split: VSCALEFPS applies 2^n with a single
// rounding for every n, so each block runs the clamped path, whose results
// equal the AVX2 ones bit for bit (same clamp, same polynomial, one
// rounding of p*2^n).

// LOAD_CONSTS_512 loads the exp constants. Z28 is left for m, Z30/Z31 for
// the float64 sums.
#define LOAD_CONSTS_512 \
	VMOVUPS log2e<>(SB), Z16; \
	VMOVUPS magic<>(SB), Z17; \
	VMOVUPS ln2hi<>(SB), Z18; \
	VMOVUPS ln2lo<>(SB), Z19; \
	VMOVUPS c2<>(SB), Z20; \
	VMOVUPS c3<>(SB), Z21; \
	VMOVUPS c4<>(SB), Z22; \
	VMOVUPS c5<>(SB), Z23; \
	VMOVUPS c6<>(SB), Z24; \
	VMOVUPS one<>(SB), Z25; \
	VMOVUPS lo<>(SB), Z26; \
	VMOVUPS hi<>(SB), Z27

// EXP_512 sets p = exp(v) for any input, clobbering v, t, r2 and a. The
// clamp keeps a NaN of v (VMAXPS/VMINPS return their second source, v,
// when one operand is NaN).
#define EXP_512(v, t, p, r2, a) \
	VMAXPS       v, Z26, v; \
	VMINPS       v, Z27, v; \
	VMOVAPS      Z17, t; \
	VFMADD231PS  Z16, v, t; \
	VSUBPS       Z17, t, t; \
	VFNMADD231PS Z18, t, v; \
	VFNMADD231PS Z19, t, v; \
	VMULPS       v, v, r2; \
	VMOVAPS      Z21, a; \
	VFMADD213PS  Z20, v, a; \
	VMOVAPS      Z23, p; \
	VFMADD213PS  Z22, v, p; \
	VFMADD231PS  Z24, r2, p; \
	VFMADD231PS  p, r2, a; \
	VFMADD213PS  v, r2, a; \
	VADDPS       Z25, a, p; \
	VSCALEFPS    t, p, p

// EXP4_512 sets Z8-Z11 = exp(Z0-Z3) (EXP_512 on each), clobbering Z0-Z7
// and Z12-Z15.
#define EXP4_512 \
	EXP_512(Z0, Z4, Z8, Z12, Z13); \
	EXP_512(Z1, Z5, Z9, Z14, Z15); \
	EXP_512(Z2, Z6, Z10, Z12, Z13); \
	EXP_512(Z3, Z7, Z11, Z14, Z15)

// ADD16_F64_512 adds the 16 float32 lanes of v, widened, to Z30 (low
// eight) and Z31 (high eight). Clobbers Z0, Z1.
#define ADD16_F64_512(v, vy) \
	VCVTPS2PD     vy, Z0; \
	VEXTRACTF64X4 $1, v, Y1; \
	VCVTPS2PD     Y1, Z1; \
	VADDPD        Z0, Z30, Z30; \
	VADDPD        Z1, Z31, Z31

// func expSumF32AVX512(dst, x []float32, m float32) (s float64, done int)
TEXT ·expSumF32AVX512(SB), NOSPLIT, $0-72
	MOVQ         dst_base+0(FP), DI
	MOVQ         x_base+24(FP), SI
	MOVQ         x_len+32(FP), CX
	ANDQ         $-16, CX
	MOVQ         CX, done+64(FP)
	MOVQ         CX, DX
	ANDQ         $-64, DX
	VBROADCASTSS m+48(FP), Z28
	LOAD_CONSTS_512
	VXORPD       Z30, Z30, Z30
	VXORPD       Z31, Z31, Z31
	XORQ         AX, AX

exps512_loop64:
	CMPQ    AX, DX
	JGE     exps512_loop16
	VMOVUPS 0(SI)(AX*4), Z0
	VMOVUPS 64(SI)(AX*4), Z1
	VMOVUPS 128(SI)(AX*4), Z2
	VMOVUPS 192(SI)(AX*4), Z3
	VSUBPS  Z28, Z0, Z0
	VSUBPS  Z28, Z1, Z1
	VSUBPS  Z28, Z2, Z2
	VSUBPS  Z28, Z3, Z3
	EXP4_512
	TESTQ   DI, DI
	JZ      exps512_sum64
	VMOVUPS Z8, 0(DI)(AX*4)
	VMOVUPS Z9, 64(DI)(AX*4)
	VMOVUPS Z10, 128(DI)(AX*4)
	VMOVUPS Z11, 192(DI)(AX*4)

exps512_sum64:
	VADDPS Z9, Z8, Z8
	VADDPS Z11, Z10, Z10
	VADDPS Z10, Z8, Z8
	ADD16_F64_512(Z8, Y8)
	ADDQ   $64, AX
	JMP    exps512_loop64

exps512_loop16:
	CMPQ    AX, CX
	JGE     exps512_done
	VMOVUPS 0(SI)(AX*4), Z2
	VSUBPS  Z28, Z2, Z2
	EXP_512(Z2, Z4, Z8, Z12, Z13)
	TESTQ   DI, DI
	JZ      exps512_sum16
	VMOVUPS Z8, 0(DI)(AX*4)

exps512_sum16:
	ADD16_F64_512(Z8, Y8)
	ADDQ $16, AX
	JMP  exps512_loop16

exps512_done:
	VADDPD        Z31, Z30, Z0
	VEXTRACTF64X4 $1, Z0, Y1
	VADDPD        Y1, Y0, Y0
	VEXTRACTF128  $1, Y0, X1
	VADDPD        X1, X0, X0
	VPERMILPD     $1, X0, X1
	VADDSD        X1, X0, X0
	VMOVSD        X0, s+56(FP)
	VZEROUPPER
	RET

// func maxF32AVX512(x []float32) (m float32, done int)
TEXT ·maxF32AVX512(SB), NOSPLIT, $0-40
	MOVQ    x_base+0(FP), SI
	MOVQ    x_len+8(FP), CX
	ANDQ    $-16, CX
	MOVQ    CX, done+32(FP)
	JZ      max512_none
	MOVQ    CX, DX
	ANDQ    $-64, DX
	VMOVUPS neginf<>(SB), Z0
	VMOVAPS Z0, Z1
	VMOVAPS Z0, Z2
	VMOVAPS Z0, Z3
	XORQ    AX, AX

	// acc = max(v, acc) with acc as the second operand: NaNs are skipped.
max512_loop64:
	CMPQ    AX, DX
	JGE     max512_loop16
	VMOVUPS 0(SI)(AX*4), Z4
	VMOVUPS 64(SI)(AX*4), Z5
	VMOVUPS 128(SI)(AX*4), Z6
	VMOVUPS 192(SI)(AX*4), Z7
	VMAXPS  Z0, Z4, Z0
	VMAXPS  Z1, Z5, Z1
	VMAXPS  Z2, Z6, Z2
	VMAXPS  Z3, Z7, Z3
	ADDQ    $64, AX
	JMP     max512_loop64

max512_loop16:
	CMPQ    AX, CX
	JGE     max512_reduce
	VMOVUPS 0(SI)(AX*4), Z4
	VMAXPS  Z0, Z4, Z0
	ADDQ    $16, AX
	JMP     max512_loop16

max512_reduce:
	VMAXPS        Z1, Z0, Z0
	VMAXPS        Z3, Z2, Z2
	VMAXPS        Z2, Z0, Z0
	VEXTRACTF64X4 $1, Z0, Y1
	VMAXPS        Y1, Y0, Y0
	VEXTRACTF128  $1, Y0, X1
	VMAXPS        X1, X0, X0
	VPERMILPS     $0x4e, X0, X1
	VMAXPS        X1, X0, X0
	VPERMILPS     $0xb1, X0, X1
	VMAXPS        X1, X0, X0
	VMOVSS        X0, m+24(FP)
	VZEROUPPER
	RET

max512_none:
	MOVL $0, m+24(FP)
	RET

// func scaleF32AVX512(x []float32, s float32) (done int)
TEXT ·scaleF32AVX512(SB), NOSPLIT, $0-40
	MOVQ         x_base+0(FP), SI
	MOVQ         x_len+8(FP), CX
	ANDQ         $-16, CX
	MOVQ         CX, done+32(FP)
	MOVQ         CX, DX
	ANDQ         $-64, DX
	VBROADCASTSS s+24(FP), Z15
	XORQ         AX, AX

scale512_loop64:
	CMPQ    AX, DX
	JGE     scale512_loop16
	VMULPS  0(SI)(AX*4), Z15, Z0
	VMULPS  64(SI)(AX*4), Z15, Z1
	VMULPS  128(SI)(AX*4), Z15, Z2
	VMULPS  192(SI)(AX*4), Z15, Z3
	VMOVUPS Z0, 0(SI)(AX*4)
	VMOVUPS Z1, 64(SI)(AX*4)
	VMOVUPS Z2, 128(SI)(AX*4)
	VMOVUPS Z3, 192(SI)(AX*4)
	ADDQ    $64, AX
	JMP     scale512_loop64

scale512_loop16:
	CMPQ    AX, CX
	JGE     scale512_done
	VMULPS  0(SI)(AX*4), Z15, Z0
	VMOVUPS Z0, 0(SI)(AX*4)
	ADDQ    $16, AX
	JMP     scale512_loop16

scale512_done:
	VZEROUPPER
	RET

// func shiftF32AVX512(dst, x []float32, a, b float32) (done int)
TEXT ·shiftF32AVX512(SB), NOSPLIT, $0-64
	MOVQ         dst_base+0(FP), DI
	MOVQ         x_base+24(FP), SI
	MOVQ         x_len+32(FP), CX
	ANDQ         $-16, CX
	MOVQ         CX, done+56(FP)
	MOVQ         CX, DX
	ANDQ         $-64, DX
	VBROADCASTSS a+48(FP), Z14
	VBROADCASTSS b+52(FP), Z15
	XORQ         AX, AX

shift512_loop64:
	CMPQ    AX, DX
	JGE     shift512_loop16
	VMOVUPS 0(SI)(AX*4), Z0
	VMOVUPS 64(SI)(AX*4), Z1
	VMOVUPS 128(SI)(AX*4), Z2
	VMOVUPS 192(SI)(AX*4), Z3
	VSUBPS  Z14, Z0, Z0
	VSUBPS  Z14, Z1, Z1
	VSUBPS  Z14, Z2, Z2
	VSUBPS  Z14, Z3, Z3
	VSUBPS  Z15, Z0, Z0
	VSUBPS  Z15, Z1, Z1
	VSUBPS  Z15, Z2, Z2
	VSUBPS  Z15, Z3, Z3
	VMOVUPS Z0, 0(DI)(AX*4)
	VMOVUPS Z1, 64(DI)(AX*4)
	VMOVUPS Z2, 128(DI)(AX*4)
	VMOVUPS Z3, 192(DI)(AX*4)
	ADDQ    $64, AX
	JMP     shift512_loop64

shift512_loop16:
	CMPQ    AX, CX
	JGE     shift512_done
	VMOVUPS 0(SI)(AX*4), Z0
	VSUBPS  Z14, Z0, Z0
	VSUBPS  Z15, Z0, Z0
	VMOVUPS Z0, 0(DI)(AX*4)
	ADDQ    $16, AX
	JMP     shift512_loop16

shift512_done:
	VZEROUPPER
	RET

// func maxColsF32AVX512(m, x []float32, n, width, stride int) (done int)
TEXT ·maxColsF32AVX512(SB), NOSPLIT, $0-80
	MOVQ m_base+0(FP), DI
	MOVQ x_base+24(FP), SI
	MOVQ n+48(FP), BX
	MOVQ width+56(FP), CX
	MOVQ stride+64(FP), R10
	SHLQ $2, R10
	ANDQ $-16, CX
	MOVQ CX, done+72(FP)
	MOVQ CX, DX
	ANDQ $-64, DX
	XORQ AX, AX

maxc512_loop64:
	CMPQ    AX, DX
	JGE     maxc512_loop16
	VMOVUPS neginf<>(SB), Z0
	VMOVAPS Z0, Z1
	VMOVAPS Z0, Z2
	VMOVAPS Z0, Z3
	LEAQ    (SI)(AX*4), R8
	MOVQ    BX, R9

maxc512_rows64:
	TESTQ   R9, R9
	JLE     maxc512_store64
	VMOVUPS 0(R8), Z4
	VMOVUPS 64(R8), Z5
	VMOVUPS 128(R8), Z6
	VMOVUPS 192(R8), Z7
	VMAXPS  Z0, Z4, Z0
	VMAXPS  Z1, Z5, Z1
	VMAXPS  Z2, Z6, Z2
	VMAXPS  Z3, Z7, Z3
	ADDQ    R10, R8
	DECQ    R9
	JMP     maxc512_rows64

maxc512_store64:
	VMOVUPS Z0, 0(DI)(AX*4)
	VMOVUPS Z1, 64(DI)(AX*4)
	VMOVUPS Z2, 128(DI)(AX*4)
	VMOVUPS Z3, 192(DI)(AX*4)
	ADDQ    $64, AX
	JMP     maxc512_loop64

maxc512_loop16:
	CMPQ    AX, CX
	JGE     maxc512_done
	VMOVUPS neginf<>(SB), Z0
	LEAQ    (SI)(AX*4), R8
	MOVQ    BX, R9

maxc512_rows16:
	TESTQ   R9, R9
	JLE     maxc512_store16
	VMOVUPS (R8), Z4
	VMAXPS  Z0, Z4, Z0
	ADDQ    R10, R8
	DECQ    R9
	JMP     maxc512_rows16

maxc512_store16:
	VMOVUPS Z0, 0(DI)(AX*4)
	ADDQ    $16, AX
	JMP     maxc512_loop16

maxc512_done:
	VZEROUPPER
	RET

// func expSumColsF32AVX512(dst, x, m, s []float32, n, width, stride int) (done int)
TEXT ·expSumColsF32AVX512(SB), NOSPLIT, $0-128
	MOVQ dst_base+0(FP), DI
	MOVQ x_base+24(FP), SI
	MOVQ m_base+48(FP), R11
	MOVQ s_base+72(FP), R12
	MOVQ n+96(FP), BX
	MOVQ width+104(FP), CX
	MOVQ stride+112(FP), R10
	SHLQ $2, R10
	LEAQ (R10)(R10*1), DX    // two rows
	ANDQ $-16, CX
	MOVQ CX, done+120(FP)
	LOAD_CONSTS_512
	XORQ AX, AX

expc512_cols:
	CMPQ    AX, CX
	JGE     expc512_done
	VMOVUPS (R11)(AX*4), Z28
	VXORPD  Z30, Z30, Z30
	VXORPD  Z31, Z31, Z31
	LEAQ    (SI)(AX*4), R8
	LEAQ    (DI)(AX*4), R13
	MOVQ    BX, R9

expc512_pairs:
	CMPQ    R9, $2
	JLT     expc512_rows
	VMOVUPS (R8), Z2
	VMOVUPS (R8)(R10*1), Z3
	VSUBPS  Z28, Z2, Z2
	VSUBPS  Z28, Z3, Z3
	EXP_512(Z2, Z4, Z8, Z12, Z13)
	EXP_512(Z3, Z5, Z9, Z14, Z15)
	TESTQ   DI, DI
	JZ      expc512_pair_sum
	VMOVUPS Z8, (R13)
	VMOVUPS Z9, (R13)(R10*1)

expc512_pair_sum:
	VADDPS  Z9, Z8, Z8
	ADD16_F64_512(Z8, Y8)
	ADDQ    DX, R8
	ADDQ    DX, R13
	SUBQ    $2, R9
	JMP     expc512_pairs

expc512_rows:
	TESTQ   R9, R9
	JLE     expc512_store
	VMOVUPS (R8), Z2
	VSUBPS  Z28, Z2, Z2
	EXP_512(Z2, Z4, Z8, Z12, Z13)
	TESTQ   DI, DI
	JZ      expc512_sum
	VMOVUPS Z8, (R13)

expc512_sum:
	ADD16_F64_512(Z8, Y8)
	ADDQ R10, R8
	ADDQ R10, R13
	DECQ R9
	JMP  expc512_rows

expc512_store:
	VCVTPD2PS    Z30, Y0
	VCVTPD2PS    Z31, Y1
	VINSERTF64X4 $1, Y1, Z0, Z0
	VMOVUPS      Z0, (R12)(AX*4)
	ADDQ         $16, AX
	JMP          expc512_cols

expc512_done:
	VZEROUPPER
	RET

// func scaleColsF32AVX512(x, s []float32, n, width, stride int) (done int)
TEXT ·scaleColsF32AVX512(SB), NOSPLIT, $0-80
	MOVQ x_base+0(FP), SI
	MOVQ s_base+24(FP), R11
	MOVQ n+48(FP), BX
	MOVQ width+56(FP), CX
	MOVQ stride+64(FP), R10
	SHLQ $2, R10
	ANDQ $-16, CX
	MOVQ CX, done+72(FP)
	MOVQ CX, DX
	ANDQ $-64, DX

scalec512_rows:
	TESTQ BX, BX
	JLE   scalec512_done
	XORQ  AX, AX

scalec512_loop64:
	CMPQ    AX, DX
	JGE     scalec512_loop16
	VMOVUPS 0(R11)(AX*4), Z0
	VMOVUPS 64(R11)(AX*4), Z1
	VMOVUPS 128(R11)(AX*4), Z2
	VMOVUPS 192(R11)(AX*4), Z3
	VMULPS  0(SI)(AX*4), Z0, Z0
	VMULPS  64(SI)(AX*4), Z1, Z1
	VMULPS  128(SI)(AX*4), Z2, Z2
	VMULPS  192(SI)(AX*4), Z3, Z3
	VMOVUPS Z0, 0(SI)(AX*4)
	VMOVUPS Z1, 64(SI)(AX*4)
	VMOVUPS Z2, 128(SI)(AX*4)
	VMOVUPS Z3, 192(SI)(AX*4)
	ADDQ    $64, AX
	JMP     scalec512_loop64

scalec512_loop16:
	CMPQ    AX, CX
	JGE     scalec512_next
	VMOVUPS 0(R11)(AX*4), Z0
	VMULPS  0(SI)(AX*4), Z0, Z0
	VMOVUPS Z0, 0(SI)(AX*4)
	ADDQ    $16, AX
	JMP     scalec512_loop16

scalec512_next:
	ADDQ R10, SI
	DECQ BX
	JMP  scalec512_rows

scalec512_done:
	VZEROUPPER
	RET

// func shiftColsF32AVX512(dst, x, a, b []float32, n, width, stride int) (done int)
TEXT ·shiftColsF32AVX512(SB), NOSPLIT, $0-128
	MOVQ dst_base+0(FP), DI
	MOVQ x_base+24(FP), SI
	MOVQ a_base+48(FP), R11
	MOVQ b_base+72(FP), R12
	MOVQ n+96(FP), BX
	MOVQ width+104(FP), CX
	MOVQ stride+112(FP), R10
	SHLQ $2, R10
	ANDQ $-16, CX
	MOVQ CX, done+120(FP)
	MOVQ CX, DX
	ANDQ $-64, DX

shiftc512_rows:
	TESTQ BX, BX
	JLE   shiftc512_done
	XORQ  AX, AX

shiftc512_loop64:
	CMPQ    AX, DX
	JGE     shiftc512_loop16
	VMOVUPS 0(SI)(AX*4), Z0
	VMOVUPS 64(SI)(AX*4), Z1
	VMOVUPS 128(SI)(AX*4), Z2
	VMOVUPS 192(SI)(AX*4), Z3
	VSUBPS  0(R11)(AX*4), Z0, Z0
	VSUBPS  64(R11)(AX*4), Z1, Z1
	VSUBPS  128(R11)(AX*4), Z2, Z2
	VSUBPS  192(R11)(AX*4), Z3, Z3
	VSUBPS  0(R12)(AX*4), Z0, Z0
	VSUBPS  64(R12)(AX*4), Z1, Z1
	VSUBPS  128(R12)(AX*4), Z2, Z2
	VSUBPS  192(R12)(AX*4), Z3, Z3
	VMOVUPS Z0, 0(DI)(AX*4)
	VMOVUPS Z1, 64(DI)(AX*4)
	VMOVUPS Z2, 128(DI)(AX*4)
	VMOVUPS Z3, 192(DI)(AX*4)
	ADDQ    $64, AX
	JMP     shiftc512_loop64

shiftc512_loop16:
	CMPQ    AX, CX
	JGE     shiftc512_next
	VMOVUPS 0(SI)(AX*4), Z0
	VSUBPS  0(R11)(AX*4), Z0, Z0
	VSUBPS  0(R12)(AX*4), Z0, Z0
	VMOVUPS Z0, 0(DI)(AX*4)
	ADDQ    $16, AX
	JMP     shiftc512_loop16

shiftc512_next:
	ADDQ R10, SI
	ADDQ R10, DI
	DECQ BX
	JMP  shiftc512_rows

shiftc512_done:
	VZEROUPPER
	RET

// ---------------------------------------------------------------- row batches
//
// The row-batch functions normalise rows consecutive rows of d elements
// (d a multiple of the vector width, rows >= 1) in one call. Each row goes
// through the same loops as maxF32*, expSumF32* and scaleF32* (or
// shiftF32*) above, in the same order, so the results have the same bits
// as those kernels called row by row; only the calls, the Go wrappers and
// the return of each reduction to Go are saved. While a row's
// exponentials are computed, the x and dst lines a row (at least 2 KiB)
// further on are prefetched: the max pass of a later row then reads from
// cache, and the stores find their lines there, instead of both waiting
// on memory with nothing to overlap.

// ROWMAX_AVX2(pre) sets Y14 to the maximum of the row at SI (d = CX
// elements, DX = d&^31), as maxF32AVX2 computes it. Clobbers Y0-Y7, AX.
#define ROWMAX_AVX2(loop32, loop8, reduce) \
	VMOVUPS      neginf<>(SB), Y0; \
	VMOVUPS      Y0, Y1; \
	VMOVUPS      Y0, Y2; \
	VMOVUPS      Y0, Y3; \
	XORQ         AX, AX; \
loop32: \
	CMPQ         AX, DX; \
	JGE          loop8; \
	VMOVUPS      0(SI)(AX*4), Y4; \
	VMOVUPS      32(SI)(AX*4), Y5; \
	VMOVUPS      64(SI)(AX*4), Y6; \
	VMOVUPS      96(SI)(AX*4), Y7; \
	VMAXPS       Y0, Y4, Y0; \
	VMAXPS       Y1, Y5, Y1; \
	VMAXPS       Y2, Y6, Y2; \
	VMAXPS       Y3, Y7, Y3; \
	ADDQ         $32, AX; \
	JMP          loop32; \
loop8: \
	CMPQ         AX, CX; \
	JGE          reduce; \
	VMOVUPS      0(SI)(AX*4), Y4; \
	VMAXPS       Y0, Y4, Y0; \
	ADDQ         $8, AX; \
	JMP          loop8; \
reduce: \
	VMAXPS       Y1, Y0, Y0; \
	VMAXPS       Y3, Y2, Y2; \
	VMAXPS       Y2, Y0, Y0; \
	VEXTRACTF128 $1, Y0, X1; \
	VMAXPS       X1, X0, X0; \
	VPERMILPS    $0x4e, X0, X1; \
	VMAXPS       X1, X0, X0; \
	VPERMILPS    $0xb1, X0, X1; \
	VMAXPS       X1, X0, X0; \
	VBROADCASTSS X0, Y14

// ROWCHECK32_AVX2 sets the flags for the row-batch exp loops: ZF clear
// when any lane of v = x - max in Y0-Y3 must take the slow path. There v
// is never above 0, so the test !(|v| <= 87) of expSumF32AVX2 reduces to
// !(v >= -87), taken on the minimum of the four vectors: one compare
// instead of four, and no masking. The lanes it selects are the same,
// with one exception that cannot change a result: VMINPS may pass over a
// NaN lane (MaxF32 may ignore NaNs), which then goes through the fast
// path, whose result is NaN as well, and makes the whole row NaN. A
// non-finite max makes every lane -Inf or NaN, which the compare (true
// when unordered) catches. Clobbers Y4, Y5.
#define ROWCHECK32_AVX2 \
	VMINPS Y1, Y0, Y4; \
	VMINPS Y3, Y2, Y5; \
	VMINPS Y5, Y4, Y4; \
	VCMPPS $9, negfastlim<>(SB), Y4, Y4; \
	VPTEST Y4, Y4

// FUSE32_AVX2(loop, done, store) is one form of softmaxRowsF32AVX2's
// fused pass: the exponentials at R13 scaled by Y14 into dst with store
// (VMOVUPS, or VMOVNTPS for the streaming form), 32 at a time, while the
// next row's maximum (x at R9) gathers in Y4-Y7.
#define FUSE32_AVX2(loop, done, store) \
loop: \
	CMPQ    AX, DX; \
	JGE     done; \
	VMULPS  0(R13)(AX*4), Y14, Y0; \
	VMULPS  32(R13)(AX*4), Y14, Y1; \
	VMULPS  64(R13)(AX*4), Y14, Y2; \
	VMULPS  96(R13)(AX*4), Y14, Y3; \
	store   Y0, 0(DI)(AX*4); \
	store   Y1, 32(DI)(AX*4); \
	store   Y2, 64(DI)(AX*4); \
	store   Y3, 96(DI)(AX*4); \
	VMOVUPS 0(R9)(AX*4), Y0; \
	VMOVUPS 32(R9)(AX*4), Y1; \
	VMOVUPS 64(R9)(AX*4), Y2; \
	VMOVUPS 96(R9)(AX*4), Y3; \
	VMAXPS  Y4, Y0, Y4; \
	VMAXPS  Y5, Y1, Y5; \
	VMAXPS  Y6, Y2, Y6; \
	VMAXPS  Y7, Y3, Y7; \
	ADDQ    $32, AX; \
	JMP     loop

// SCALE_AVX2(loop32, loop8, done, store) is the last row's pass: the
// exponentials at R13 scaled by Y14 into dst with store.
#define SCALE_AVX2(loop32, loop8, done, store) \
loop32: \
	CMPQ   AX, DX; \
	JGE    loop8; \
	VMULPS 0(R13)(AX*4), Y14, Y0; \
	VMULPS 32(R13)(AX*4), Y14, Y1; \
	VMULPS 64(R13)(AX*4), Y14, Y2; \
	VMULPS 96(R13)(AX*4), Y14, Y3; \
	store  Y0, 0(DI)(AX*4); \
	store  Y1, 32(DI)(AX*4); \
	store  Y2, 64(DI)(AX*4); \
	store  Y3, 96(DI)(AX*4); \
	ADDQ   $32, AX; \
	JMP    loop32; \
loop8: \
	CMPQ   AX, CX; \
	JGE    done; \
	VMULPS 0(R13)(AX*4), Y14, Y0; \
	store  Y0, 0(DI)(AX*4); \
	ADDQ   $8, AX; \
	JMP    loop8

// SUB32_AVX2(loop, done, store) is subRowsF32AVX2's loop over the whole
// 32-element steps of a row: src at SI minus Y15 into dst with store.
#define SUB32_AVX2(loop, done, store) \
loop: \
	CMPQ    AX, DX; \
	JGE     done; \
	VMOVUPS 0(SI)(AX*4), Y0; \
	VMOVUPS 32(SI)(AX*4), Y1; \
	VMOVUPS 64(SI)(AX*4), Y2; \
	VMOVUPS 96(SI)(AX*4), Y3; \
	VSUBPS  Y15, Y0, Y0; \
	VSUBPS  Y15, Y1, Y1; \
	VSUBPS  Y15, Y2, Y2; \
	VSUBPS  Y15, Y3, Y3; \
	store   Y0, 0(DI)(AX*4); \
	store   Y1, 32(DI)(AX*4); \
	store   Y2, 64(DI)(AX*4); \
	store   Y3, 96(DI)(AX*4); \
	ADDQ    $32, AX; \
	JMP     loop

// SUM_F64_AVX2 reduces Y12 and Y13 to X12, in expSumF32AVX2's order.
#define SUM_F64_AVX2 \
	VADDPD       Y13, Y12, Y12; \
	VEXTRACTF128 $1, Y12, X13; \
	VADDPD       X13, X12, X12; \
	VPERMILPD    $1, X12, X13; \
	VADDSD       X13, X12, X12

// func softmaxRowsF32AVX2(dst, x, tmp []float32, rows, d int)
//
// With tmp empty, each row's exponentials go to dst and are scaled there.
// With tmp (len(tmp) >= d, dst 32-byte aligned), they go to tmp, which
// stays in cache from row to row, and the scaled values are written to dst
// with non-temporal stores (VMOVNTPS): a large output then costs memory
// one write per line instead of a read for ownership, a write-back and the
// eviction of lines that are still needed. The bits are the same.
TEXT ·softmaxRowsF32AVX2(SB), NOSPLIT, $0-88
	MOVQ dst_base+0(FP), DI
	MOVQ x_base+24(FP), SI
	MOVQ tmp_base+48(FP), R13
	MOVQ tmp_len+56(FP), R14
	MOVQ rows+72(FP), BX
	MOVQ d+80(FP), CX
	MOVQ CX, DX
	ANDQ $-32, DX
	MOVQ CX, R8
	SHLQ $2, R8            // bytes per row
	MOVQ    $2048, R12     // prefetch distance: a row, at least 2 KiB
	CMPQ    R8, R12
	CMOVQGT R8, R12

	// R13 is where the exponentials go and R14 how far it moves per row:
	// dst and a row, or tmp and nothing (the streaming form).
	TESTQ R14, R14
	JNZ   smr_stream
	MOVQ  DI, R13
	MOVQ  R8, R14
	JMP   smr_start

smr_stream:
	XORQ R14, R14

smr_start:
	LOAD_EXP_REGS_AVX2

	TESTQ BX, BX
	JLE   smr_done
	ROWMAX_AVX2(smr_max32, smr_max8, smr_maxred)

	// Each row starts with its maximum in Y14 (see the end of the fused
	// pass below).
smr_row:
	VXORPD Y12, Y12, Y12
	VXORPD Y13, Y13, Y13
	XORQ   AX, AX
	LEAQ   (SI)(R12*1), R10 // x and the exponentials R12 bytes on, fetched while this row computes
	LEAQ   (R13)(R12*1), R11
	TESTQ  R14, R14
	CMOVQEQ R10, R11       // streaming: tmp is in cache already

smr_exp32:
	CMPQ       AX, DX
	JGE        smr_exp8
	PREFETCHT0 0(R10)(AX*4)
	PREFETCHT0 64(R10)(AX*4)
	PREFETCHT0 0(R11)(AX*4)
	PREFETCHT0 64(R11)(AX*4)
	VMOVUPS 0(SI)(AX*4), Y0
	VMOVUPS 32(SI)(AX*4), Y1
	VMOVUPS 64(SI)(AX*4), Y2
	VMOVUPS 96(SI)(AX*4), Y3
	VSUBPS  Y14, Y0, Y0
	VSUBPS  Y14, Y1, Y1
	VSUBPS  Y14, Y2, Y2
	VSUBPS  Y14, Y3, Y3
	ROWCHECK32_AVX2
	JNZ     smr_slow32
	EXP_REG_AVX2(Y0)
	EXP_REG_AVX2(Y1)
	EXP_REG_AVX2(Y2)
	EXP_REG_AVX2(Y3)

smr_store32:
	VMOVUPS Y0, 0(R13)(AX*4)
	VMOVUPS Y1, 32(R13)(AX*4)
	VMOVUPS Y2, 64(R13)(AX*4)
	VMOVUPS Y3, 96(R13)(AX*4)
	VADDPS  Y1, Y0, Y0
	VADDPS  Y3, Y2, Y2
	VADDPS  Y2, Y0, Y2
	ADD8_F64_AVX2(Y2, X2)
	ADDQ    $32, AX
	JMP     smr_exp32

smr_slow32:
	SLOW32_AVX2
	JMP     smr_store32

smr_exp8:
	CMPQ    AX, CX
	JGE     smr_sum
	VMOVUPS 0(SI)(AX*4), Y0
	VSUBPS  Y14, Y0, Y0
	VCMPPS  $9, negfastlim<>(SB), Y0, Y7
	VPTEST  Y7, Y7
	JNZ     smr_slow8
	EXP_REG_AVX2(Y0)
	JMP     smr_put8

smr_slow8:
	VMOVUPS lo<>(SB), Y4
	VMOVUPS hi<>(SB), Y5
	EXP_SLOW_CORE_AVX2(Y0)

smr_put8:
	VMOVUPS Y0, 0(R13)(AX*4)
	VMOVAPS Y0, Y2
	ADD8_F64_AVX2(Y2, X2)
	ADDQ    $8, AX
	JMP     smr_exp8

	// s = float32(sum), then scale by 1/s rounded in float32.
smr_sum:
	SUM_F64_AVX2
	VCVTSD2SS    X12, X12, X12
	VMOVSS       one<>(SB), X0
	VDIVSS       X12, X0, X0
	VBROADCASTSS X0, Y14
	XORQ         AX, AX
	CMPQ         BX, $1
	JLE          smr_last

	// Not the last row: the scale pass also takes the next row's maximum,
	// with the accumulators (Y4-Y7) and reduction of maxF32AVX2.
	LEAQ    (SI)(R8*1), R9
	VMOVUPS neginf<>(SB), Y4
	VMOVUPS Y4, Y5
	VMOVUPS Y4, Y6
	VMOVUPS Y4, Y7
	TESTQ   R14, R14
	JZ      smr_ntfuse32

	FUSE32_AVX2(smr_fuse32, smr_fuse8, VMOVUPS)

	// The streaming form: from tmp to dst, bypassing the cache.
	FUSE32_AVX2(smr_ntfuse32, smr_fuse8, VMOVNTPS)

smr_fuse8:
	CMPQ    AX, CX
	JGE     smr_fusered
	VMULPS  0(R13)(AX*4), Y14, Y0
	TESTQ   R14, R14
	JZ      smr_ntput8
	VMOVUPS Y0, 0(DI)(AX*4)
	JMP     smr_max8next

smr_ntput8:
	VMOVNTPS Y0, 0(DI)(AX*4)

smr_max8next:
	VMOVUPS 0(R9)(AX*4), Y1
	VMAXPS  Y4, Y1, Y4
	ADDQ    $8, AX
	JMP     smr_fuse8

smr_fusered:
	VMAXPS       Y5, Y4, Y4
	VMAXPS       Y7, Y6, Y6
	VMAXPS       Y6, Y4, Y4
	VEXTRACTF128 $1, Y4, X5
	VMAXPS       X5, X4, X4
	VPERMILPS    $0x4e, X4, X5
	VMAXPS       X5, X4, X4
	VPERMILPS    $0xb1, X4, X5
	VMAXPS       X5, X4, X4
	VBROADCASTSS X4, Y14
	ADDQ         R8, SI
	ADDQ         R8, DI
	ADDQ         R14, R13
	DECQ         BX
	JMP          smr_row

	// The last row: the scale alone.
smr_last:
	TESTQ R14, R14
	JZ    smr_ntscale32

	SCALE_AVX2(smr_scale32, smr_scale8, smr_done, VMOVUPS)
	SCALE_AVX2(smr_ntscale32, smr_ntscale8, smr_done, VMOVNTPS)

	// SFENCE orders the non-temporal stores before whatever the caller
	// does next (another goroutine may read dst once this returns).
smr_done:
	TESTQ R14, R14
	JNZ   smr_ret
	SFENCE

smr_ret:
	VZEROUPPER
	RET

// func maxSumRowsF32AVX2(dst, x, s []float32, rows, d int, scratch bool)
//
// For each row: m = max (as maxF32AVX2), dst = x - m, and s[r] =
// float32(sum of exp(x - m)) summed as expSumF32AVX2 does. Storing the
// differences lets LogSoftmax finish with dst -= log(s), which rounds as
// (x - m) - log(s), while the stores overlap the exponentials. With
// scratch, dst is a scratch buffer that stays in cache and ends with
// these rows: only x is prefetched.
TEXT ·maxSumRowsF32AVX2(SB), NOSPLIT, $0-89
	MOVQ    dst_base+0(FP), DI
	MOVQ    x_base+24(FP), SI
	MOVQ    s_base+48(FP), R9
	MOVQ    rows+72(FP), BX
	MOVQ    d+80(FP), CX
	MOVBLZX scratch+88(FP), R13
	MOVQ CX, DX
	ANDQ $-32, DX
	MOVQ CX, R8
	SHLQ $2, R8
	MOVQ    $2048, R12     // prefetch distance: a row, at least 2 KiB
	CMPQ    R8, R12
	CMOVQGT R8, R12
	LOAD_EXP_REGS_AVX2

msr_row:
	TESTQ BX, BX
	JLE   msr_done
	ROWMAX_AVX2(msr_max32, msr_max8, msr_maxred)
	VXORPD  Y12, Y12, Y12
	VXORPD  Y13, Y13, Y13
	XORQ    AX, AX
	LEAQ    (SI)(R12*1), R10 // x and dst R12 bytes on, fetched while this row computes
	LEAQ    (DI)(R12*1), R11
	TESTQ   R13, R13
	CMOVQNE R10, R11         // scratch: past its end is not ours to fetch

msr_exp32:
	CMPQ       AX, DX
	JGE        msr_exp8
	PREFETCHT0 0(R10)(AX*4)
	PREFETCHT0 64(R10)(AX*4)
	PREFETCHT0 0(R11)(AX*4)
	PREFETCHT0 64(R11)(AX*4)
	VMOVUPS 0(SI)(AX*4), Y0
	VMOVUPS 32(SI)(AX*4), Y1
	VMOVUPS 64(SI)(AX*4), Y2
	VMOVUPS 96(SI)(AX*4), Y3
	VSUBPS  Y14, Y0, Y0
	VSUBPS  Y14, Y1, Y1
	VSUBPS  Y14, Y2, Y2
	VSUBPS  Y14, Y3, Y3
	VMOVUPS Y0, 0(DI)(AX*4)
	VMOVUPS Y1, 32(DI)(AX*4)
	VMOVUPS Y2, 64(DI)(AX*4)
	VMOVUPS Y3, 96(DI)(AX*4)
	ROWCHECK32_AVX2
	JNZ     msr_slow32
	EXP_REG_AVX2(Y0)
	EXP_REG_AVX2(Y1)
	EXP_REG_AVX2(Y2)
	EXP_REG_AVX2(Y3)

msr_sum32:
	VADDPS Y1, Y0, Y0
	VADDPS Y3, Y2, Y2
	VADDPS Y2, Y0, Y2
	ADD8_F64_AVX2(Y2, X2)
	ADDQ   $32, AX
	JMP    msr_exp32

	// The differences are in dst (which may be x itself): the slow path
	// reads them from there.
msr_slow32:
	VMOVUPS lo<>(SB), Y4
	VMOVUPS hi<>(SB), Y5
	VMOVUPS 0(DI)(AX*4), Y0
	EXP_SLOW_CORE_AVX2(Y8)
	VMOVUPS 32(DI)(AX*4), Y0
	EXP_SLOW_CORE_AVX2(Y9)
	VMOVUPS 64(DI)(AX*4), Y0
	EXP_SLOW_CORE_AVX2(Y10)
	VMOVUPS 96(DI)(AX*4), Y0
	EXP_SLOW_CORE_AVX2(Y11)
	VMOVAPS Y8, Y0
	VMOVAPS Y9, Y1
	VMOVAPS Y10, Y2
	VMOVAPS Y11, Y3
	LOAD_EXP_REGS_AVX2
	JMP     msr_sum32

msr_exp8:
	CMPQ    AX, CX
	JGE     msr_sum
	VMOVUPS 0(SI)(AX*4), Y0
	VSUBPS  Y14, Y0, Y0
	VMOVUPS Y0, 0(DI)(AX*4)
	VCMPPS  $9, negfastlim<>(SB), Y0, Y7
	VPTEST  Y7, Y7
	JNZ     msr_slow8
	EXP_REG_AVX2(Y0)
	JMP     msr_put8

msr_slow8:
	VMOVUPS lo<>(SB), Y4
	VMOVUPS hi<>(SB), Y5
	EXP_SLOW_CORE_AVX2(Y0)

msr_put8:
	VMOVAPS Y0, Y2
	ADD8_F64_AVX2(Y2, X2)
	ADDQ    $8, AX
	JMP     msr_exp8

msr_sum:
	SUM_F64_AVX2
	VCVTSD2SS X12, X12, X12
	VMOVSS    X12, (R9)
	ADDQ      $4, R9
	ADDQ      R8, SI
	ADDQ      R8, DI
	DECQ      BX
	JMP       msr_row

msr_done:
	VZEROUPPER
	RET

// func subRowsF32AVX2(dst, src, b []float32, rows, d int, stream bool)
//
// For each row r: dst[i] = src[i] - b[r] over the row's d elements. With
// stream, dst (32-byte aligned) is written with non-temporal stores.
TEXT ·subRowsF32AVX2(SB), NOSPLIT, $0-89
	MOVQ    dst_base+0(FP), DI
	MOVQ    src_base+24(FP), SI
	MOVQ    b_base+48(FP), R9
	MOVQ    rows+72(FP), BX
	MOVQ    d+80(FP), CX
	MOVBLZX stream+88(FP), R13
	MOVQ    CX, DX
	ANDQ    $-32, DX
	MOVQ    CX, R8
	SHLQ    $2, R8

sub_row:
	TESTQ        BX, BX
	JLE          sub_done
	VBROADCASTSS (R9), Y15
	XORQ         AX, AX
	TESTQ        R13, R13
	JNZ          sub_ntloop32

	SUB32_AVX2(sub_loop32, sub_loop8, VMOVUPS)
	SUB32_AVX2(sub_ntloop32, sub_loop8, VMOVNTPS)

sub_loop8:
	CMPQ    AX, CX
	JGE     sub_next
	VMOVUPS 0(SI)(AX*4), Y0
	VSUBPS  Y15, Y0, Y0
	TESTQ   R13, R13
	JNZ     sub_ntput8
	VMOVUPS Y0, 0(DI)(AX*4)
	ADDQ    $8, AX
	JMP     sub_loop8

sub_ntput8:
	VMOVNTPS Y0, 0(DI)(AX*4)
	ADDQ     $8, AX
	JMP      sub_loop8

sub_next:
	ADDQ $4, R9
	ADDQ R8, SI
	ADDQ R8, DI
	DECQ BX
	JMP  sub_row

sub_done:
	TESTQ R13, R13
	JZ    sub_ret
	SFENCE

sub_ret:
	VZEROUPPER
	RET



// PREV32_AVX2(op, a) finishes 32 elements of the previous row in
// pipeRowF32AVX2: dst (R11) = src (R10) op a, with non-temporal stores.
// Clobbers Y4-Y7.
#define PREV32_AVX2(op, a) \
	VBROADCASTSS a, Y4; \
	VMOVUPS      0(R10)(AX*4), Y5; \
	VMOVUPS      32(R10)(AX*4), Y6; \
	VMOVUPS      64(R10)(AX*4), Y7; \
	op           Y4, Y5, Y5; \
	op           Y4, Y6, Y6; \
	op           Y4, Y7, Y7; \
	VMOVNTPS     Y5, 0(R11)(AX*4); \
	VMOVNTPS     Y6, 32(R11)(AX*4); \
	VMOVNTPS     Y7, 64(R11)(AX*4); \
	VMOVUPS      96(R10)(AX*4), Y5; \
	op           Y4, Y5, Y5; \
	VMOVNTPS     Y5, 96(R11)(AX*4)

// PREV8_AVX2(op, a) is PREV32_AVX2 for 8 elements.
#define PREV8_AVX2(op, a) \
	VBROADCASTSS a, Y4; \
	VMOVUPS      0(R10)(AX*4), Y5; \
	op           Y4, Y5, Y5; \
	VMOVNTPS     Y5, 0(R11)(AX*4)

// func pipeRowF32AVX2(t, x []float32, m float32, dst, src []float32, a float32, nx []float32, log bool) (s float64, nm float32)
//
// One row of a pipelined row batch (pipelineRows in rows_amd64.go): this
// row's exponentials, the last pass of the previous row and the maximum
// of the next, in one loop, so that the previous row's non-temporal
// stores and the next row's loads from memory overlap the exponentials
// instead of taking passes of their own.
//
// With x non-empty: v = x[i] - m, t[i] = v (log) or exp(v), and s = the
// sum of exp(v), as maxSumRowsF32AVX2 and softmaxRowsF32AVX2 compute
// them (same bits). With dst non-empty (32-byte aligned): dst[i] =
// src[i] - a (log) or src[i] * a, with non-temporal stores. With nx
// non-empty: nm = the maximum of nx. It is a maximum, as maxF32AVX2's
// is, but its lanes are reduced in another order (one accumulator, in a
// stack slot: the exponential holds every register), so a zero maximum
// may have the other sign and a NaN may or may not be returned. Neither
// changes an output: x - +0 and x - -0 differ only for x = ±0, where
// exp gives 1 either way, and for LogSoftmax the output (x - m) - log(s)
// then has s >= 2 (two zeros), so the zero's sign is lost; a NaN in a
// row makes the whole row NaN with any maximum. The non-empty ones of x,
// dst and nx have the same length, a multiple of 8; t and src hold at
// least that many.
TEXT ·pipeRowF32AVX2(SB), NOSPLIT, $32-156
	MOVQ    t_base+0(FP), DI
	MOVQ    x_base+24(FP), SI
	MOVQ    x_len+32(FP), R14
	MOVQ    dst_base+56(FP), R11
	MOVQ    dst_len+64(FP), R13
	MOVQ    src_base+80(FP), R10
	MOVQ    nx_base+112(FP), R9
	MOVQ    nx_len+120(FP), BX
	MOVBLZX log+136(FP), R12
	MOVQ    R14, CX
	CMPQ    R13, CX
	CMOVQGT R13, CX
	CMPQ    BX, CX
	CMOVQGT BX, CX         // CX = the length of the non-empty ones
	MOVQ    CX, DX
	ANDQ    $-32, DX
	VMOVUPS neginf<>(SB), Y4
	VMOVUPS Y4, acc-32(SP) // the maximum of nx so far
	VBROADCASTSS m+48(FP), Y14
	VXORPD  Y12, Y12, Y12
	VXORPD  Y13, Y13, Y13
	LOAD_EXP_REGS_AVX2
	XORQ    AX, AX

pr_loop32:
	CMPQ  AX, DX
	JGE   pr_loop8
	TESTQ R13, R13
	JZ    pr_max32
	TESTQ R12, R12
	JNZ   pr_prevlog32
	PREV32_AVX2(VMULPS, a+104(FP))
	JMP   pr_max32

pr_prevlog32:
	PREV32_AVX2(VSUBPS, a+104(FP))

pr_max32:
	TESTQ      BX, BX
	JZ         pr_exp32
	PREFETCHT0 2048(R9)(AX*4)
	PREFETCHT0 2112(R9)(AX*4)
	VMOVUPS    0(R9)(AX*4), Y4
	VMAXPS     32(R9)(AX*4), Y4, Y4
	VMAXPS     64(R9)(AX*4), Y4, Y4
	VMAXPS     96(R9)(AX*4), Y4, Y4
	VMAXPS     acc-32(SP), Y4, Y4
	VMOVUPS    Y4, acc-32(SP)

pr_exp32:
	TESTQ   R14, R14
	JZ      pr_next32
	VMOVUPS 0(SI)(AX*4), Y0
	VMOVUPS 32(SI)(AX*4), Y1
	VMOVUPS 64(SI)(AX*4), Y2
	VMOVUPS 96(SI)(AX*4), Y3
	VSUBPS  Y14, Y0, Y0
	VSUBPS  Y14, Y1, Y1
	VSUBPS  Y14, Y2, Y2
	VSUBPS  Y14, Y3, Y3
	TESTQ   R12, R12
	JZ      pr_check32
	VMOVUPS Y0, 0(DI)(AX*4)
	VMOVUPS Y1, 32(DI)(AX*4)
	VMOVUPS Y2, 64(DI)(AX*4)
	VMOVUPS Y3, 96(DI)(AX*4)

pr_check32:
	ROWCHECK32_AVX2
	JNZ pr_slow32
	EXP_REG_AVX2(Y0)
	EXP_REG_AVX2(Y1)
	EXP_REG_AVX2(Y2)
	EXP_REG_AVX2(Y3)

pr_store32:
	TESTQ   R12, R12
	JNZ     pr_sum32
	VMOVUPS Y0, 0(DI)(AX*4)
	VMOVUPS Y1, 32(DI)(AX*4)
	VMOVUPS Y2, 64(DI)(AX*4)
	VMOVUPS Y3, 96(DI)(AX*4)

pr_sum32:
	VADDPS Y1, Y0, Y0
	VADDPS Y3, Y2, Y2
	VADDPS Y2, Y0, Y2
	ADD8_F64_AVX2(Y2, X2)

pr_next32:
	ADDQ $32, AX
	JMP  pr_loop32

pr_slow32:
	SLOW32_AVX2
	JMP     pr_store32

pr_loop8:
	CMPQ  AX, CX
	JGE   pr_end
	TESTQ R13, R13
	JZ    pr_max8
	TESTQ R12, R12
	JNZ   pr_prevlog8
	PREV8_AVX2(VMULPS, a+104(FP))
	JMP   pr_max8

pr_prevlog8:
	PREV8_AVX2(VSUBPS, a+104(FP))

pr_max8:
	TESTQ   BX, BX
	JZ      pr_exp8
	VMOVUPS 0(R9)(AX*4), Y4
	VMAXPS  acc-32(SP), Y4, Y4
	VMOVUPS Y4, acc-32(SP)

pr_exp8:
	TESTQ   R14, R14
	JZ      pr_next8
	VMOVUPS 0(SI)(AX*4), Y0
	VSUBPS  Y14, Y0, Y0
	TESTQ   R12, R12
	JZ      pr_check8
	VMOVUPS Y0, 0(DI)(AX*4)

pr_check8:
	VCMPPS $9, negfastlim<>(SB), Y0, Y7
	VPTEST Y7, Y7
	JNZ    pr_slow8
	EXP_REG_AVX2(Y0)
	JMP    pr_put8

pr_slow8:
	VMOVUPS lo<>(SB), Y4
	VMOVUPS hi<>(SB), Y5
	EXP_SLOW_CORE_AVX2(Y0)

pr_put8:
	TESTQ   R12, R12
	JNZ     pr_sum8
	VMOVUPS Y0, 0(DI)(AX*4)

pr_sum8:
	VMOVAPS Y0, Y2
	ADD8_F64_AVX2(Y2, X2)

pr_next8:
	ADDQ $8, AX
	JMP  pr_loop8

pr_end:
	SUM_F64_AVX2
	VMOVSD       X12, s+144(FP)
	VMOVUPS      acc-32(SP), Y4
	VEXTRACTF128 $1, Y4, X5
	VMAXPS       X5, X4, X4
	VPERMILPS    $0x4e, X4, X5
	VMAXPS       X5, X4, X4
	VPERMILPS    $0xb1, X4, X5
	VMAXPS       X5, X4, X4
	VMOVSS       X4, nm+152(FP)
	TESTQ        R13, R13
	JZ           pr_ret
	SFENCE

pr_ret:
	VZEROUPPER
	RET

// ROWMAX_512 sets Z28 to the maximum of the row at SI (d = CX elements,
// DX = d&^63), as maxF32AVX512 computes it. Clobbers Z0-Z7, AX.
#define ROWMAX_512(loop64, loop16, reduce) \
	VMOVUPS       neginf<>(SB), Z0; \
	VMOVAPS       Z0, Z1; \
	VMOVAPS       Z0, Z2; \
	VMOVAPS       Z0, Z3; \
	XORQ          AX, AX; \
loop64: \
	CMPQ          AX, DX; \
	JGE           loop16; \
	VMOVUPS       0(SI)(AX*4), Z4; \
	VMOVUPS       64(SI)(AX*4), Z5; \
	VMOVUPS       128(SI)(AX*4), Z6; \
	VMOVUPS       192(SI)(AX*4), Z7; \
	VMAXPS        Z0, Z4, Z0; \
	VMAXPS        Z1, Z5, Z1; \
	VMAXPS        Z2, Z6, Z2; \
	VMAXPS        Z3, Z7, Z3; \
	ADDQ          $64, AX; \
	JMP           loop64; \
loop16: \
	CMPQ          AX, CX; \
	JGE           reduce; \
	VMOVUPS       0(SI)(AX*4), Z4; \
	VMAXPS        Z0, Z4, Z0; \
	ADDQ          $16, AX; \
	JMP           loop16; \
reduce: \
	VMAXPS        Z1, Z0, Z0; \
	VMAXPS        Z3, Z2, Z2; \
	VMAXPS        Z2, Z0, Z0; \
	VEXTRACTF64X4 $1, Z0, Y1; \
	VMAXPS        Y1, Y0, Y0; \
	VEXTRACTF128  $1, Y0, X1; \
	VMAXPS        X1, X0, X0; \
	VPERMILPS     $0x4e, X0, X1; \
	VMAXPS        X1, X0, X0; \
	VPERMILPS     $0xb1, X0, X1; \
	VMAXPS        X1, X0, X0; \
	VBROADCASTSS  X0, Z28

// SUM_F64_512 reduces Z30 and Z31 to X0, in expSumF32AVX512's order.
#define SUM_F64_512 \
	VADDPD        Z31, Z30, Z0; \
	VEXTRACTF64X4 $1, Z0, Y1; \
	VADDPD        Y1, Y0, Y0; \
	VEXTRACTF128  $1, Y0, X1; \
	VADDPD        X1, X0, X0; \
	VPERMILPD     $1, X0, X1; \
	VADDSD        X1, X0, X0

// FUSE64_512, SCALE_512 and SUB64_512 are FUSE32_AVX2, SCALE_AVX2 and
// SUB32_AVX2 at 16 lanes (m in Z28 for the first two, b in Z15 for the
// third).
#define FUSE64_512(loop, done, store) \
loop: \
	CMPQ    AX, DX; \
	JGE     done; \
	VMULPS  0(R13)(AX*4), Z28, Z0; \
	VMULPS  64(R13)(AX*4), Z28, Z1; \
	VMULPS  128(R13)(AX*4), Z28, Z2; \
	VMULPS  192(R13)(AX*4), Z28, Z3; \
	store   Z0, 0(DI)(AX*4); \
	store   Z1, 64(DI)(AX*4); \
	store   Z2, 128(DI)(AX*4); \
	store   Z3, 192(DI)(AX*4); \
	VMOVUPS 0(R9)(AX*4), Z0; \
	VMOVUPS 64(R9)(AX*4), Z1; \
	VMOVUPS 128(R9)(AX*4), Z2; \
	VMOVUPS 192(R9)(AX*4), Z3; \
	VMAXPS  Z4, Z0, Z4; \
	VMAXPS  Z5, Z1, Z5; \
	VMAXPS  Z6, Z2, Z6; \
	VMAXPS  Z7, Z3, Z7; \
	ADDQ    $64, AX; \
	JMP     loop

#define SCALE_512(loop64, loop16, done, store) \
loop64: \
	CMPQ   AX, DX; \
	JGE    loop16; \
	VMULPS 0(R13)(AX*4), Z28, Z0; \
	VMULPS 64(R13)(AX*4), Z28, Z1; \
	VMULPS 128(R13)(AX*4), Z28, Z2; \
	VMULPS 192(R13)(AX*4), Z28, Z3; \
	store  Z0, 0(DI)(AX*4); \
	store  Z1, 64(DI)(AX*4); \
	store  Z2, 128(DI)(AX*4); \
	store  Z3, 192(DI)(AX*4); \
	ADDQ   $64, AX; \
	JMP    loop64; \
loop16: \
	CMPQ   AX, CX; \
	JGE    done; \
	VMULPS 0(R13)(AX*4), Z28, Z0; \
	store  Z0, 0(DI)(AX*4); \
	ADDQ   $16, AX; \
	JMP    loop16

#define SUB64_512(loop, done, store) \
loop: \
	CMPQ    AX, DX; \
	JGE     done; \
	VMOVUPS 0(SI)(AX*4), Z0; \
	VMOVUPS 64(SI)(AX*4), Z1; \
	VMOVUPS 128(SI)(AX*4), Z2; \
	VMOVUPS 192(SI)(AX*4), Z3; \
	VSUBPS  Z15, Z0, Z0; \
	VSUBPS  Z15, Z1, Z1; \
	VSUBPS  Z15, Z2, Z2; \
	VSUBPS  Z15, Z3, Z3; \
	store   Z0, 0(DI)(AX*4); \
	store   Z1, 64(DI)(AX*4); \
	store   Z2, 128(DI)(AX*4); \
	store   Z3, 192(DI)(AX*4); \
	ADDQ    $64, AX; \
	JMP     loop

// func softmaxRowsF32AVX512(dst, x, tmp []float32, rows, d int)
//
// softmaxRowsF32AVX2 at 16 lanes, with its streaming form (dst 64-byte
// aligned).
TEXT ·softmaxRowsF32AVX512(SB), NOSPLIT, $0-88
	MOVQ dst_base+0(FP), DI
	MOVQ x_base+24(FP), SI
	MOVQ tmp_base+48(FP), R13
	MOVQ tmp_len+56(FP), R14
	MOVQ rows+72(FP), BX
	MOVQ d+80(FP), CX
	MOVQ CX, DX
	ANDQ $-64, DX
	MOVQ CX, R8
	SHLQ $2, R8
	MOVQ    $2048, R12     // prefetch distance: a row, at least 2 KiB
	CMPQ    R8, R12
	CMOVQGT R8, R12

	// R13 and R14 as in softmaxRowsF32AVX2.
	TESTQ R14, R14
	JNZ   smr512_stream
	MOVQ  DI, R13
	MOVQ  R8, R14
	JMP   smr512_start

smr512_stream:
	XORQ R14, R14

smr512_start:
	LOAD_CONSTS_512

	TESTQ BX, BX
	JLE   smr512_done
	ROWMAX_512(smr512_max64, smr512_max16, smr512_maxred)

	// Each row starts with its maximum in Z28 (see the end of the fused
	// pass below).
smr512_row:
	VXORPD  Z30, Z30, Z30
	VXORPD  Z31, Z31, Z31
	XORQ    AX, AX
	LEAQ    (SI)(R12*1), R10
	LEAQ    (R13)(R12*1), R11
	TESTQ   R14, R14
	CMOVQEQ R10, R11

smr512_exp64:
	CMPQ       AX, DX
	JGE        smr512_exp16
	PREFETCHT0 0(R10)(AX*4)
	PREFETCHT0 64(R10)(AX*4)
	PREFETCHT0 128(R10)(AX*4)
	PREFETCHT0 192(R10)(AX*4)
	PREFETCHT0 0(R11)(AX*4)
	PREFETCHT0 64(R11)(AX*4)
	PREFETCHT0 128(R11)(AX*4)
	PREFETCHT0 192(R11)(AX*4)
	VMOVUPS 0(SI)(AX*4), Z0
	VMOVUPS 64(SI)(AX*4), Z1
	VMOVUPS 128(SI)(AX*4), Z2
	VMOVUPS 192(SI)(AX*4), Z3
	VSUBPS  Z28, Z0, Z0
	VSUBPS  Z28, Z1, Z1
	VSUBPS  Z28, Z2, Z2
	VSUBPS  Z28, Z3, Z3
	EXP4_512
	VMOVUPS Z8, 0(R13)(AX*4)
	VMOVUPS Z9, 64(R13)(AX*4)
	VMOVUPS Z10, 128(R13)(AX*4)
	VMOVUPS Z11, 192(R13)(AX*4)
	VADDPS  Z9, Z8, Z8
	VADDPS  Z11, Z10, Z10
	VADDPS  Z10, Z8, Z8
	ADD16_F64_512(Z8, Y8)
	ADDQ    $64, AX
	JMP     smr512_exp64

smr512_exp16:
	CMPQ    AX, CX
	JGE     smr512_sum
	VMOVUPS 0(SI)(AX*4), Z2
	VSUBPS  Z28, Z2, Z2
	EXP_512(Z2, Z4, Z8, Z12, Z13)
	VMOVUPS Z8, 0(R13)(AX*4)
	ADD16_F64_512(Z8, Y8)
	ADDQ    $16, AX
	JMP     smr512_exp16

smr512_sum:
	SUM_F64_512
	VCVTSD2SS    X0, X0, X0
	VMOVSS       one<>(SB), X1
	VDIVSS       X0, X1, X1
	VBROADCASTSS X1, Z28
	XORQ         AX, AX
	CMPQ         BX, $1
	JLE          smr512_last

	// Not the last row: the scale pass also takes the next row's maximum
	// (Z4-Z7, as maxF32AVX512).
	LEAQ    (SI)(R8*1), R9
	VMOVUPS neginf<>(SB), Z4
	VMOVAPS Z4, Z5
	VMOVAPS Z4, Z6
	VMOVAPS Z4, Z7
	TESTQ   R14, R14
	JZ      smr512_ntfuse64

	FUSE64_512(smr512_fuse64, smr512_fuse16, VMOVUPS)
	FUSE64_512(smr512_ntfuse64, smr512_fuse16, VMOVNTPS)

smr512_fuse16:
	CMPQ    AX, CX
	JGE     smr512_fusered
	VMULPS  0(R13)(AX*4), Z28, Z0
	TESTQ   R14, R14
	JZ      smr512_ntput16
	VMOVUPS Z0, 0(DI)(AX*4)
	JMP     smr512_max16next

smr512_ntput16:
	VMOVNTPS Z0, 0(DI)(AX*4)

smr512_max16next:
	VMOVUPS 0(R9)(AX*4), Z1
	VMAXPS  Z4, Z1, Z4
	ADDQ    $16, AX
	JMP     smr512_fuse16

smr512_fusered:
	VMAXPS        Z5, Z4, Z4
	VMAXPS        Z7, Z6, Z6
	VMAXPS        Z6, Z4, Z4
	VEXTRACTF64X4 $1, Z4, Y5
	VMAXPS        Y5, Y4, Y4
	VEXTRACTF128  $1, Y4, X5
	VMAXPS        X5, X4, X4
	VPERMILPS     $0x4e, X4, X5
	VMAXPS        X5, X4, X4
	VPERMILPS     $0xb1, X4, X5
	VMAXPS        X5, X4, X4
	VBROADCASTSS  X4, Z28
	ADDQ          R8, SI
	ADDQ          R8, DI
	ADDQ          R14, R13
	DECQ          BX
	JMP           smr512_row

	// The last row: the scale alone.
smr512_last:
	TESTQ R14, R14
	JZ    smr512_ntscale64

	SCALE_512(smr512_scale64, smr512_scale16, smr512_done, VMOVUPS)
	SCALE_512(smr512_ntscale64, smr512_ntscale16, smr512_done, VMOVNTPS)

smr512_done:
	TESTQ R14, R14
	JNZ   smr512_ret
	SFENCE

smr512_ret:
	VZEROUPPER
	RET

// func maxSumRowsF32AVX512(dst, x, s []float32, rows, d int, scratch bool)
TEXT ·maxSumRowsF32AVX512(SB), NOSPLIT, $0-89
	MOVQ    dst_base+0(FP), DI
	MOVQ    x_base+24(FP), SI
	MOVQ    s_base+48(FP), R9
	MOVQ    rows+72(FP), BX
	MOVQ    d+80(FP), CX
	MOVBLZX scratch+88(FP), R13
	MOVQ CX, DX
	ANDQ $-64, DX
	MOVQ CX, R8
	SHLQ $2, R8
	MOVQ    $2048, R12     // prefetch distance: a row, at least 2 KiB
	CMPQ    R8, R12
	CMOVQGT R8, R12
	LOAD_CONSTS_512

msr512_row:
	TESTQ BX, BX
	JLE   msr512_done
	ROWMAX_512(msr512_max64, msr512_max16, msr512_maxred)
	VXORPD  Z30, Z30, Z30
	VXORPD  Z31, Z31, Z31
	XORQ    AX, AX
	LEAQ    (SI)(R12*1), R10
	LEAQ    (DI)(R12*1), R11
	TESTQ   R13, R13
	CMOVQNE R10, R11

msr512_exp64:
	CMPQ       AX, DX
	JGE        msr512_exp16
	PREFETCHT0 0(R10)(AX*4)
	PREFETCHT0 64(R10)(AX*4)
	PREFETCHT0 128(R10)(AX*4)
	PREFETCHT0 192(R10)(AX*4)
	PREFETCHT0 0(R11)(AX*4)
	PREFETCHT0 64(R11)(AX*4)
	PREFETCHT0 128(R11)(AX*4)
	PREFETCHT0 192(R11)(AX*4)
	VMOVUPS 0(SI)(AX*4), Z0
	VMOVUPS 64(SI)(AX*4), Z1
	VMOVUPS 128(SI)(AX*4), Z2
	VMOVUPS 192(SI)(AX*4), Z3
	VSUBPS  Z28, Z0, Z0
	VSUBPS  Z28, Z1, Z1
	VSUBPS  Z28, Z2, Z2
	VSUBPS  Z28, Z3, Z3
	VMOVUPS Z0, 0(DI)(AX*4)
	VMOVUPS Z1, 64(DI)(AX*4)
	VMOVUPS Z2, 128(DI)(AX*4)
	VMOVUPS Z3, 192(DI)(AX*4)
	EXP4_512
	VADDPS  Z9, Z8, Z8
	VADDPS  Z11, Z10, Z10
	VADDPS  Z10, Z8, Z8
	ADD16_F64_512(Z8, Y8)
	ADDQ    $64, AX
	JMP     msr512_exp64

msr512_exp16:
	CMPQ    AX, CX
	JGE     msr512_sum
	VMOVUPS 0(SI)(AX*4), Z2
	VSUBPS  Z28, Z2, Z2
	VMOVUPS Z2, 0(DI)(AX*4)
	EXP_512(Z2, Z4, Z8, Z12, Z13)
	ADD16_F64_512(Z8, Y8)
	ADDQ    $16, AX
	JMP     msr512_exp16

msr512_sum:
	SUM_F64_512
	VCVTSD2SS X0, X0, X0
	VMOVSS    X0, (R9)
	ADDQ      $4, R9
	ADDQ      R8, SI
	ADDQ      R8, DI
	DECQ      BX
	JMP       msr512_row

msr512_done:
	VZEROUPPER
	RET

// func subRowsF32AVX512(dst, src, b []float32, rows, d int, stream bool)
//
// subRowsF32AVX2 at 16 lanes (with stream, dst is 64-byte aligned).
TEXT ·subRowsF32AVX512(SB), NOSPLIT, $0-89
	MOVQ    dst_base+0(FP), DI
	MOVQ    src_base+24(FP), SI
	MOVQ    b_base+48(FP), R9
	MOVQ    rows+72(FP), BX
	MOVQ    d+80(FP), CX
	MOVBLZX stream+88(FP), R13
	MOVQ    CX, DX
	ANDQ    $-64, DX
	MOVQ    CX, R8
	SHLQ    $2, R8

sub512_row:
	TESTQ        BX, BX
	JLE          sub512_done
	VBROADCASTSS (R9), Z15
	XORQ         AX, AX
	TESTQ        R13, R13
	JNZ          sub512_ntloop64

	SUB64_512(sub512_loop64, sub512_loop16, VMOVUPS)
	SUB64_512(sub512_ntloop64, sub512_loop16, VMOVNTPS)

sub512_loop16:
	CMPQ    AX, CX
	JGE     sub512_next
	VMOVUPS 0(SI)(AX*4), Z0
	VSUBPS  Z15, Z0, Z0
	TESTQ   R13, R13
	JNZ     sub512_ntput16
	VMOVUPS Z0, 0(DI)(AX*4)
	ADDQ    $16, AX
	JMP     sub512_loop16

sub512_ntput16:
	VMOVNTPS Z0, 0(DI)(AX*4)
	ADDQ     $16, AX
	JMP      sub512_loop16

sub512_next:
	ADDQ $4, R9
	ADDQ R8, SI
	ADDQ R8, DI
	DECQ BX
	JMP  sub512_row

sub512_done:
	TESTQ R13, R13
	JZ    sub512_ret
	SFENCE

sub512_ret:
	VZEROUPPER
	RET

// func pipeRowF32AVX512(t, x []float32, m float32, dst, src []float32, a float32, nx []float32, log bool) (s float64, nm float32)
//
// pipeRowF32AVX2 at 16 lanes (dst 64-byte aligned; lengths a multiple of
// 16), with the arithmetic of maxSumRowsF32AVX512 and
// softmaxRowsF32AVX512 (same bits); the maximum of nx gathers in Z29.
TEXT ·pipeRowF32AVX512(SB), NOSPLIT, $0-156
	MOVQ    t_base+0(FP), DI
	MOVQ    x_base+24(FP), SI
	MOVQ    x_len+32(FP), R14
	MOVQ    dst_base+56(FP), R11
	MOVQ    dst_len+64(FP), R13
	MOVQ    src_base+80(FP), R10
	MOVQ    nx_base+112(FP), R9
	MOVQ    nx_len+120(FP), BX
	MOVBLZX log+136(FP), R12
	MOVQ    R14, CX
	CMPQ    R13, CX
	CMOVQGT R13, CX
	CMPQ    BX, CX
	CMOVQGT BX, CX         // CX = the length of the non-empty ones
	MOVQ    CX, DX
	ANDQ    $-64, DX
	VMOVUPS neginf<>(SB), Z29
	VBROADCASTSS m+48(FP), Z28
	VXORPD  Z30, Z30, Z30
	VXORPD  Z31, Z31, Z31
	LOAD_CONSTS_512
	XORQ    AX, AX

pr512_loop64:
	CMPQ         AX, DX
	JGE          pr512_loop16
	TESTQ        R13, R13
	JZ           pr512_max64
	VBROADCASTSS a+104(FP), Z4
	VMOVUPS      0(R10)(AX*4), Z5
	VMOVUPS      64(R10)(AX*4), Z6
	VMOVUPS      128(R10)(AX*4), Z7
	VMOVUPS      192(R10)(AX*4), Z8
	TESTQ        R12, R12
	JNZ          pr512_prevlog64
	VMULPS       Z4, Z5, Z5
	VMULPS       Z4, Z6, Z6
	VMULPS       Z4, Z7, Z7
	VMULPS       Z4, Z8, Z8
	JMP          pr512_prevput64

pr512_prevlog64:
	VSUBPS Z4, Z5, Z5
	VSUBPS Z4, Z6, Z6
	VSUBPS Z4, Z7, Z7
	VSUBPS Z4, Z8, Z8

pr512_prevput64:
	VMOVNTPS Z5, 0(R11)(AX*4)
	VMOVNTPS Z6, 64(R11)(AX*4)
	VMOVNTPS Z7, 128(R11)(AX*4)
	VMOVNTPS Z8, 192(R11)(AX*4)

pr512_max64:
	TESTQ      BX, BX
	JZ         pr512_exp64
	PREFETCHT0 2048(R9)(AX*4)
	PREFETCHT0 2112(R9)(AX*4)
	PREFETCHT0 2176(R9)(AX*4)
	PREFETCHT0 2240(R9)(AX*4)
	VMAXPS     0(R9)(AX*4), Z29, Z29
	VMAXPS     64(R9)(AX*4), Z29, Z29
	VMAXPS     128(R9)(AX*4), Z29, Z29
	VMAXPS     192(R9)(AX*4), Z29, Z29

pr512_exp64:
	TESTQ   R14, R14
	JZ      pr512_next64
	VMOVUPS 0(SI)(AX*4), Z0
	VMOVUPS 64(SI)(AX*4), Z1
	VMOVUPS 128(SI)(AX*4), Z2
	VMOVUPS 192(SI)(AX*4), Z3
	VSUBPS  Z28, Z0, Z0
	VSUBPS  Z28, Z1, Z1
	VSUBPS  Z28, Z2, Z2
	VSUBPS  Z28, Z3, Z3
	TESTQ   R12, R12
	JZ      pr512_e64
	VMOVUPS Z0, 0(DI)(AX*4)
	VMOVUPS Z1, 64(DI)(AX*4)
	VMOVUPS Z2, 128(DI)(AX*4)
	VMOVUPS Z3, 192(DI)(AX*4)

pr512_e64:
	EXP4_512
	TESTQ   R12, R12
	JNZ     pr512_sum64
	VMOVUPS Z8, 0(DI)(AX*4)
	VMOVUPS Z9, 64(DI)(AX*4)
	VMOVUPS Z10, 128(DI)(AX*4)
	VMOVUPS Z11, 192(DI)(AX*4)

pr512_sum64:
	VADDPS Z9, Z8, Z8
	VADDPS Z11, Z10, Z10
	VADDPS Z10, Z8, Z8
	ADD16_F64_512(Z8, Y8)

pr512_next64:
	ADDQ $64, AX
	JMP  pr512_loop64

pr512_loop16:
	CMPQ         AX, CX
	JGE          pr512_end
	TESTQ        R13, R13
	JZ           pr512_max16
	VBROADCASTSS a+104(FP), Z4
	VMOVUPS      0(R10)(AX*4), Z5
	TESTQ        R12, R12
	JNZ          pr512_prevlog16
	VMULPS       Z4, Z5, Z5
	JMP          pr512_prevput16

pr512_prevlog16:
	VSUBPS Z4, Z5, Z5

pr512_prevput16:
	VMOVNTPS Z5, 0(R11)(AX*4)

pr512_max16:
	TESTQ  BX, BX
	JZ     pr512_exp16
	VMAXPS 0(R9)(AX*4), Z29, Z29

pr512_exp16:
	TESTQ   R14, R14
	JZ      pr512_next16
	VMOVUPS 0(SI)(AX*4), Z2
	VSUBPS  Z28, Z2, Z2
	TESTQ   R12, R12
	JZ      pr512_e16
	VMOVUPS Z2, 0(DI)(AX*4)

pr512_e16:
	EXP_512(Z2, Z4, Z8, Z12, Z13)
	TESTQ   R12, R12
	JNZ     pr512_sum16
	VMOVUPS Z8, 0(DI)(AX*4)

pr512_sum16:
	ADD16_F64_512(Z8, Y8)

pr512_next16:
	ADDQ $16, AX
	JMP  pr512_loop16

pr512_end:
	SUM_F64_512
	VMOVSD        X0, s+144(FP)
	VMOVAPS       Z29, Z4
	VEXTRACTF64X4 $1, Z4, Y5
	VMAXPS        Y5, Y4, Y4
	VEXTRACTF128  $1, Y4, X5
	VMAXPS        X5, X4, X4
	VPERMILPS     $0x4e, X4, X5
	VMAXPS        X5, X4, X4
	VPERMILPS     $0xb1, X4, X5
	VMAXPS        X5, X4, X4
	VMOVSS        X4, nm+152(FP)
	TESTQ         R13, R13
	JZ            pr512_ret
	SFENCE

pr512_ret:
	VZEROUPPER
	RET
