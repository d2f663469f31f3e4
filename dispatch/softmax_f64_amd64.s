//go:build amd64 && !purego

#include "textflag.h"

// float64 Softmax kernels for AVX2+FMA (4 lanes) and AVX-512 (8 lanes),
// the float64 twins of softmax_f32_amd64.s. The Go declarations in
// plug_amd64.go give the loop each function computes; generic.go holds the
// reference. Every function handles whole vectors only and returns how
// many elements (or columns) it did.
//
// The exponential:
//
//	n = round(v*log2e)                        (FMA with 1.5*2^52 added)
//	r = (v - n*ln2hi) - n*ln2lo               (two FMAs, Cody-Waite)
//	p = sum of r^k/k! for k = 0..13           (Estrin's scheme, depth 5)
//	exp(v) = p * 2^n
//
// The Taylor remainder is below r^14/14! < 5e-18 for |r| <= ln2/2, far
// under the rounding error. As for float32, AVX2 multiplies by 2^n built
// in the exponent bits when every lane of a block has |v| <= 708, and
// otherwise clamps v to [-746, 710] and applies 2^n in two exact halves;
// AVX-512 clamps and uses VSCALEFPD. Both round p*2^n once, so subnormal
// results, 0, +Inf and NaN come out as math.Exp gives them.
//
// Measured error (TestExpF64Accuracy, against a 256-bit exp): at most
// 1 ULP.

// log2e64: 1.4426950408889634 log2(e)
DATA log2e64<>+0(SB)/8, $0x3ff71547652b82fe
DATA log2e64<>+8(SB)/8, $0x3ff71547652b82fe
DATA log2e64<>+16(SB)/8, $0x3ff71547652b82fe
DATA log2e64<>+24(SB)/8, $0x3ff71547652b82fe
DATA log2e64<>+32(SB)/8, $0x3ff71547652b82fe
DATA log2e64<>+40(SB)/8, $0x3ff71547652b82fe
DATA log2e64<>+48(SB)/8, $0x3ff71547652b82fe
DATA log2e64<>+56(SB)/8, $0x3ff71547652b82fe
GLOBL log2e64<>(SB), RODATA|NOPTR, $64

// magic64: 6755399441055744 1.5*2^52: adding it rounds to an integer in the low mantissa bits
DATA magic64<>+0(SB)/8, $0x4338000000000000
DATA magic64<>+8(SB)/8, $0x4338000000000000
DATA magic64<>+16(SB)/8, $0x4338000000000000
DATA magic64<>+24(SB)/8, $0x4338000000000000
DATA magic64<>+32(SB)/8, $0x4338000000000000
DATA magic64<>+40(SB)/8, $0x4338000000000000
DATA magic64<>+48(SB)/8, $0x4338000000000000
DATA magic64<>+56(SB)/8, $0x4338000000000000
GLOBL magic64<>(SB), RODATA|NOPTR, $64

// ln2hi64: 0.69314718055994529 ln2 rounded to float64
DATA ln2hi64<>+0(SB)/8, $0x3fe62e42fefa39ef
DATA ln2hi64<>+8(SB)/8, $0x3fe62e42fefa39ef
DATA ln2hi64<>+16(SB)/8, $0x3fe62e42fefa39ef
DATA ln2hi64<>+24(SB)/8, $0x3fe62e42fefa39ef
DATA ln2hi64<>+32(SB)/8, $0x3fe62e42fefa39ef
DATA ln2hi64<>+40(SB)/8, $0x3fe62e42fefa39ef
DATA ln2hi64<>+48(SB)/8, $0x3fe62e42fefa39ef
DATA ln2hi64<>+56(SB)/8, $0x3fe62e42fefa39ef
GLOBL ln2hi64<>(SB), RODATA|NOPTR, $64

// ln2lo64: 2.3190468138462996e-17 ln2 - ln2hi
DATA ln2lo64<>+0(SB)/8, $0x3c7abc9e3b39803f
DATA ln2lo64<>+8(SB)/8, $0x3c7abc9e3b39803f
DATA ln2lo64<>+16(SB)/8, $0x3c7abc9e3b39803f
DATA ln2lo64<>+24(SB)/8, $0x3c7abc9e3b39803f
DATA ln2lo64<>+32(SB)/8, $0x3c7abc9e3b39803f
DATA ln2lo64<>+40(SB)/8, $0x3c7abc9e3b39803f
DATA ln2lo64<>+48(SB)/8, $0x3c7abc9e3b39803f
DATA ln2lo64<>+56(SB)/8, $0x3c7abc9e3b39803f
GLOBL ln2lo64<>(SB), RODATA|NOPTR, $64

// one64: 1 
DATA one64<>+0(SB)/8, $0x3ff0000000000000
DATA one64<>+8(SB)/8, $0x3ff0000000000000
DATA one64<>+16(SB)/8, $0x3ff0000000000000
DATA one64<>+24(SB)/8, $0x3ff0000000000000
DATA one64<>+32(SB)/8, $0x3ff0000000000000
DATA one64<>+40(SB)/8, $0x3ff0000000000000
DATA one64<>+48(SB)/8, $0x3ff0000000000000
DATA one64<>+56(SB)/8, $0x3ff0000000000000
GLOBL one64<>(SB), RODATA|NOPTR, $64

// half64: 0.5 
DATA half64<>+0(SB)/8, $0x3fe0000000000000
DATA half64<>+8(SB)/8, $0x3fe0000000000000
DATA half64<>+16(SB)/8, $0x3fe0000000000000
DATA half64<>+24(SB)/8, $0x3fe0000000000000
DATA half64<>+32(SB)/8, $0x3fe0000000000000
DATA half64<>+40(SB)/8, $0x3fe0000000000000
DATA half64<>+48(SB)/8, $0x3fe0000000000000
DATA half64<>+56(SB)/8, $0x3fe0000000000000
GLOBL half64<>(SB), RODATA|NOPTR, $64

// bias64: 1 the float64 exponent bias, in place
DATA bias64<>+0(SB)/8, $0x3ff0000000000000
DATA bias64<>+8(SB)/8, $0x3ff0000000000000
DATA bias64<>+16(SB)/8, $0x3ff0000000000000
DATA bias64<>+24(SB)/8, $0x3ff0000000000000
DATA bias64<>+32(SB)/8, $0x3ff0000000000000
DATA bias64<>+40(SB)/8, $0x3ff0000000000000
DATA bias64<>+48(SB)/8, $0x3ff0000000000000
DATA bias64<>+56(SB)/8, $0x3ff0000000000000
GLOBL bias64<>(SB), RODATA|NOPTR, $64

// abs64: NaN clears the sign bit
DATA abs64<>+0(SB)/8, $0x7fffffffffffffff
DATA abs64<>+8(SB)/8, $0x7fffffffffffffff
DATA abs64<>+16(SB)/8, $0x7fffffffffffffff
DATA abs64<>+24(SB)/8, $0x7fffffffffffffff
DATA abs64<>+32(SB)/8, $0x7fffffffffffffff
DATA abs64<>+40(SB)/8, $0x7fffffffffffffff
DATA abs64<>+48(SB)/8, $0x7fffffffffffffff
DATA abs64<>+56(SB)/8, $0x7fffffffffffffff
GLOBL abs64<>(SB), RODATA|NOPTR, $64

// fastlim64: 708 |v| <= 708: 2^n and p*2^n are normal
DATA fastlim64<>+0(SB)/8, $0x4086200000000000
DATA fastlim64<>+8(SB)/8, $0x4086200000000000
DATA fastlim64<>+16(SB)/8, $0x4086200000000000
DATA fastlim64<>+24(SB)/8, $0x4086200000000000
DATA fastlim64<>+32(SB)/8, $0x4086200000000000
DATA fastlim64<>+40(SB)/8, $0x4086200000000000
DATA fastlim64<>+48(SB)/8, $0x4086200000000000
DATA fastlim64<>+56(SB)/8, $0x4086200000000000
GLOBL fastlim64<>(SB), RODATA|NOPTR, $64

// lo64: -746 below this exp rounds to 0
DATA lo64<>+0(SB)/8, $0xc087500000000000
DATA lo64<>+8(SB)/8, $0xc087500000000000
DATA lo64<>+16(SB)/8, $0xc087500000000000
DATA lo64<>+24(SB)/8, $0xc087500000000000
DATA lo64<>+32(SB)/8, $0xc087500000000000
DATA lo64<>+40(SB)/8, $0xc087500000000000
DATA lo64<>+48(SB)/8, $0xc087500000000000
DATA lo64<>+56(SB)/8, $0xc087500000000000
GLOBL lo64<>(SB), RODATA|NOPTR, $64

// hi64: 710 above this exp is +Inf
DATA hi64<>+0(SB)/8, $0x4086300000000000
DATA hi64<>+8(SB)/8, $0x4086300000000000
DATA hi64<>+16(SB)/8, $0x4086300000000000
DATA hi64<>+24(SB)/8, $0x4086300000000000
DATA hi64<>+32(SB)/8, $0x4086300000000000
DATA hi64<>+40(SB)/8, $0x4086300000000000
DATA hi64<>+48(SB)/8, $0x4086300000000000
DATA hi64<>+56(SB)/8, $0x4086300000000000
GLOBL hi64<>(SB), RODATA|NOPTR, $64

// neginf64: -Inf the start of a maximum
DATA neginf64<>+0(SB)/8, $0xfff0000000000000
DATA neginf64<>+8(SB)/8, $0xfff0000000000000
DATA neginf64<>+16(SB)/8, $0xfff0000000000000
DATA neginf64<>+24(SB)/8, $0xfff0000000000000
DATA neginf64<>+32(SB)/8, $0xfff0000000000000
DATA neginf64<>+40(SB)/8, $0xfff0000000000000
DATA neginf64<>+48(SB)/8, $0xfff0000000000000
DATA neginf64<>+56(SB)/8, $0xfff0000000000000
GLOBL neginf64<>(SB), RODATA|NOPTR, $64

// e2: 0.5 1/2!
DATA e2<>+0(SB)/8, $0x3fe0000000000000
DATA e2<>+8(SB)/8, $0x3fe0000000000000
DATA e2<>+16(SB)/8, $0x3fe0000000000000
DATA e2<>+24(SB)/8, $0x3fe0000000000000
DATA e2<>+32(SB)/8, $0x3fe0000000000000
DATA e2<>+40(SB)/8, $0x3fe0000000000000
DATA e2<>+48(SB)/8, $0x3fe0000000000000
DATA e2<>+56(SB)/8, $0x3fe0000000000000
GLOBL e2<>(SB), RODATA|NOPTR, $64

// e3: 0.16666666666666666 1/3!
DATA e3<>+0(SB)/8, $0x3fc5555555555555
DATA e3<>+8(SB)/8, $0x3fc5555555555555
DATA e3<>+16(SB)/8, $0x3fc5555555555555
DATA e3<>+24(SB)/8, $0x3fc5555555555555
DATA e3<>+32(SB)/8, $0x3fc5555555555555
DATA e3<>+40(SB)/8, $0x3fc5555555555555
DATA e3<>+48(SB)/8, $0x3fc5555555555555
DATA e3<>+56(SB)/8, $0x3fc5555555555555
GLOBL e3<>(SB), RODATA|NOPTR, $64

// e4: 0.041666666666666664 1/4!
DATA e4<>+0(SB)/8, $0x3fa5555555555555
DATA e4<>+8(SB)/8, $0x3fa5555555555555
DATA e4<>+16(SB)/8, $0x3fa5555555555555
DATA e4<>+24(SB)/8, $0x3fa5555555555555
DATA e4<>+32(SB)/8, $0x3fa5555555555555
DATA e4<>+40(SB)/8, $0x3fa5555555555555
DATA e4<>+48(SB)/8, $0x3fa5555555555555
DATA e4<>+56(SB)/8, $0x3fa5555555555555
GLOBL e4<>(SB), RODATA|NOPTR, $64

// e5: 0.0083333333333333332 1/5!
DATA e5<>+0(SB)/8, $0x3f81111111111111
DATA e5<>+8(SB)/8, $0x3f81111111111111
DATA e5<>+16(SB)/8, $0x3f81111111111111
DATA e5<>+24(SB)/8, $0x3f81111111111111
DATA e5<>+32(SB)/8, $0x3f81111111111111
DATA e5<>+40(SB)/8, $0x3f81111111111111
DATA e5<>+48(SB)/8, $0x3f81111111111111
DATA e5<>+56(SB)/8, $0x3f81111111111111
GLOBL e5<>(SB), RODATA|NOPTR, $64

// e6: 0.0013888888888888889 1/6!
DATA e6<>+0(SB)/8, $0x3f56c16c16c16c17
DATA e6<>+8(SB)/8, $0x3f56c16c16c16c17
DATA e6<>+16(SB)/8, $0x3f56c16c16c16c17
DATA e6<>+24(SB)/8, $0x3f56c16c16c16c17
DATA e6<>+32(SB)/8, $0x3f56c16c16c16c17
DATA e6<>+40(SB)/8, $0x3f56c16c16c16c17
DATA e6<>+48(SB)/8, $0x3f56c16c16c16c17
DATA e6<>+56(SB)/8, $0x3f56c16c16c16c17
GLOBL e6<>(SB), RODATA|NOPTR, $64

// e7: 0.00019841269841269841 1/7!
DATA e7<>+0(SB)/8, $0x3f2a01a01a01a01a
DATA e7<>+8(SB)/8, $0x3f2a01a01a01a01a
DATA e7<>+16(SB)/8, $0x3f2a01a01a01a01a
DATA e7<>+24(SB)/8, $0x3f2a01a01a01a01a
DATA e7<>+32(SB)/8, $0x3f2a01a01a01a01a
DATA e7<>+40(SB)/8, $0x3f2a01a01a01a01a
DATA e7<>+48(SB)/8, $0x3f2a01a01a01a01a
DATA e7<>+56(SB)/8, $0x3f2a01a01a01a01a
GLOBL e7<>(SB), RODATA|NOPTR, $64

// e8: 2.4801587301587302e-05 1/8!
DATA e8<>+0(SB)/8, $0x3efa01a01a01a01a
DATA e8<>+8(SB)/8, $0x3efa01a01a01a01a
DATA e8<>+16(SB)/8, $0x3efa01a01a01a01a
DATA e8<>+24(SB)/8, $0x3efa01a01a01a01a
DATA e8<>+32(SB)/8, $0x3efa01a01a01a01a
DATA e8<>+40(SB)/8, $0x3efa01a01a01a01a
DATA e8<>+48(SB)/8, $0x3efa01a01a01a01a
DATA e8<>+56(SB)/8, $0x3efa01a01a01a01a
GLOBL e8<>(SB), RODATA|NOPTR, $64

// e9: 2.7557319223985893e-06 1/9!
DATA e9<>+0(SB)/8, $0x3ec71de3a556c734
DATA e9<>+8(SB)/8, $0x3ec71de3a556c734
DATA e9<>+16(SB)/8, $0x3ec71de3a556c734
DATA e9<>+24(SB)/8, $0x3ec71de3a556c734
DATA e9<>+32(SB)/8, $0x3ec71de3a556c734
DATA e9<>+40(SB)/8, $0x3ec71de3a556c734
DATA e9<>+48(SB)/8, $0x3ec71de3a556c734
DATA e9<>+56(SB)/8, $0x3ec71de3a556c734
GLOBL e9<>(SB), RODATA|NOPTR, $64

// e10: 2.7557319223985888e-07 1/10!
DATA e10<>+0(SB)/8, $0x3e927e4fb7789f5c
DATA e10<>+8(SB)/8, $0x3e927e4fb7789f5c
DATA e10<>+16(SB)/8, $0x3e927e4fb7789f5c
DATA e10<>+24(SB)/8, $0x3e927e4fb7789f5c
DATA e10<>+32(SB)/8, $0x3e927e4fb7789f5c
DATA e10<>+40(SB)/8, $0x3e927e4fb7789f5c
DATA e10<>+48(SB)/8, $0x3e927e4fb7789f5c
DATA e10<>+56(SB)/8, $0x3e927e4fb7789f5c
GLOBL e10<>(SB), RODATA|NOPTR, $64

// e11: 2.505210838544172e-08 1/11!
DATA e11<>+0(SB)/8, $0x3e5ae64567f544e4
DATA e11<>+8(SB)/8, $0x3e5ae64567f544e4
DATA e11<>+16(SB)/8, $0x3e5ae64567f544e4
DATA e11<>+24(SB)/8, $0x3e5ae64567f544e4
DATA e11<>+32(SB)/8, $0x3e5ae64567f544e4
DATA e11<>+40(SB)/8, $0x3e5ae64567f544e4
DATA e11<>+48(SB)/8, $0x3e5ae64567f544e4
DATA e11<>+56(SB)/8, $0x3e5ae64567f544e4
GLOBL e11<>(SB), RODATA|NOPTR, $64

// e12: 2.08767569878681e-09 1/12!
DATA e12<>+0(SB)/8, $0x3e21eed8eff8d898
DATA e12<>+8(SB)/8, $0x3e21eed8eff8d898
DATA e12<>+16(SB)/8, $0x3e21eed8eff8d898
DATA e12<>+24(SB)/8, $0x3e21eed8eff8d898
DATA e12<>+32(SB)/8, $0x3e21eed8eff8d898
DATA e12<>+40(SB)/8, $0x3e21eed8eff8d898
DATA e12<>+48(SB)/8, $0x3e21eed8eff8d898
DATA e12<>+56(SB)/8, $0x3e21eed8eff8d898
GLOBL e12<>(SB), RODATA|NOPTR, $64

// e13: 1.6059043836821613e-10 1/13!
DATA e13<>+0(SB)/8, $0x3de6124613a86d09
DATA e13<>+8(SB)/8, $0x3de6124613a86d09
DATA e13<>+16(SB)/8, $0x3de6124613a86d09
DATA e13<>+24(SB)/8, $0x3de6124613a86d09
DATA e13<>+32(SB)/8, $0x3de6124613a86d09
DATA e13<>+40(SB)/8, $0x3de6124613a86d09
DATA e13<>+48(SB)/8, $0x3de6124613a86d09
DATA e13<>+56(SB)/8, $0x3de6124613a86d09
GLOBL e13<>(SB), RODATA|NOPTR, $64

// POLY64 sets v = p(v), the degree-13 Taylor polynomial of exp, by Estrin's
// scheme, clobbering r2, r4, a, b and c. The 1 is added last, so every
// earlier rounding is at the scale of p - 1 (|p - 1| < 0.42):
// p = 1 + ((r + r²(c2 + c3 r)) + r⁴((c4 + c5 r) + r²(c6 + c7 r))
//   + r⁸(((c8 + c9 r) + r²(c10 + c11 r)) + r⁴(c12 + c13 r))).
#define POLY64(v, r2, r4, a, b, c) \
	VMULPD      v, v, r2; \
	VMULPD      r2, r2, r4; \
	VMOVUPD     e13<>(SB), a; \
	VFMADD213PD e12<>(SB), v, a; \
	VMOVUPD     e11<>(SB), b; \
	VFMADD213PD e10<>(SB), v, b; \
	VMOVUPD     e9<>(SB), c; \
	VFMADD213PD e8<>(SB), v, c; \
	VFMADD231PD b, r2, c; \
	VFMADD231PD a, r4, c; \
	VMOVUPD     e7<>(SB), a; \
	VFMADD213PD e6<>(SB), v, a; \
	VMOVUPD     e5<>(SB), b; \
	VFMADD213PD e4<>(SB), v, b; \
	VFMADD231PD a, r2, b; \
	VMOVUPD     e3<>(SB), a; \
	VFMADD213PD e2<>(SB), v, a; \
	VFMADD213PD v, r2, a; \
	VFMADD231PD b, r4, a; \
	VMULPD      r4, r4, r2; \
	VFMADD231PD c, r2, a; \
	VADDPD      one64<>(SB), a, v

// ---------------------------------------------------------------- AVX2

// EXP64_FAST_AVX2 sets out = exp(v) for |v| <= 708, clobbering v, t, r2,
// r4, a, b and c.
#define EXP64_FAST_AVX2(v, t, r2, r4, a, b, c, out) \
	VMOVUPD      magic64<>(SB), t; \
	VFMADD231PD  log2e64<>(SB), v, t; \
	VSUBPD       magic64<>(SB), t, a; \
	VFNMADD231PD ln2hi64<>(SB), a, v; \
	VFNMADD231PD ln2lo64<>(SB), a, v; \
	POLY64(v, r2, r4, a, b, c); \
	VPSLLQ       $52, t, t; \
	VPADDQ       bias64<>(SB), t, t; \
	VMULPD       t, v, out

// EXP64_SLOW_CORE_AVX2 sets out = exp(Y0) for any input. It needs Y12 = lo,
// Y13 = hi and clobbers Y0-Y7. The clamp keeps a NaN of Y0; 2^n is applied
// as 2^(n-floor(n/2)) * 2^floor(n/2), both normal, so p*2^n rounds once.
#define EXP64_SLOW_CORE_AVX2(out) \
	VMAXPD       Y0, Y12, Y0; \
	VMINPD       Y0, Y13, Y0; \
	VMOVUPD      magic64<>(SB), Y1; \
	VFMADD231PD  log2e64<>(SB), Y0, Y1; \
	VSUBPD       magic64<>(SB), Y1, Y4; \
	VFNMADD231PD ln2hi64<>(SB), Y4, Y0; \
	VFNMADD231PD ln2lo64<>(SB), Y4, Y0; \
	VMULPD       half64<>(SB), Y4, Y7; \
	VROUNDPD     $1, Y7, Y7; \
	VSUBPD       Y7, Y4, Y4; \
	VADDPD       magic64<>(SB), Y4, Y1; \
	VPSLLQ       $52, Y1, Y1; \
	VPADDQ       bias64<>(SB), Y1, Y1; \
	VADDPD       magic64<>(SB), Y7, Y7; \
	VPSLLQ       $52, Y7, Y7; \
	VPADDQ       bias64<>(SB), Y7, Y7; \
	POLY64(Y0, Y2, Y3, Y4, Y5, Y6); \
	VMULPD       Y1, Y0, Y0; \
	VMULPD       Y7, Y0, out

// EXP64_SLOW_AVX2 sets out = exp(x[AX+off/8] - Y14), as EXP64_SLOW_CORE_AVX2.
#define EXP64_SLOW_AVX2(off, out) \
	VMOVUPD off(SI)(AX*8), Y0; \
	VSUBPD  Y14, Y0, Y0; \
	EXP64_SLOW_CORE_AVX2(out)

// func expSumF64AVX2(dst, x []float64, m float64) (s float64, done int)
TEXT ·expSumF64AVX2(SB), NOSPLIT, $0-72
	MOVQ         dst_base+0(FP), DI
	MOVQ         x_base+24(FP), SI
	MOVQ         x_len+32(FP), CX
	ANDQ         $-4, CX
	MOVQ         CX, done+64(FP)
	MOVQ         CX, DX
	ANDQ         $-8, DX
	VBROADCASTSD m+48(FP), Y14
	VXORPD       Y15, Y15, Y15
	XORQ         AX, AX

exps64_loop8:
	CMPQ    AX, DX
	JGE     exps64_tail
	VMOVUPD 0(SI)(AX*8), Y8
	VMOVUPD 32(SI)(AX*8), Y9
	VSUBPD  Y14, Y8, Y8
	VSUBPD  Y14, Y9, Y9

	// Any lane with !(|v| <= 708), NaN included, takes the slow path.
	VANDPD abs64<>(SB), Y8, Y10
	VANDPD abs64<>(SB), Y9, Y11
	VCMPPD $6, fastlim64<>(SB), Y10, Y10
	VCMPPD $6, fastlim64<>(SB), Y11, Y11
	VORPD  Y11, Y10, Y10
	VPTEST Y10, Y10
	JNZ    exps64_slow8

	EXP64_FAST_AVX2(Y8, Y1, Y2, Y3, Y4, Y5, Y6, Y10)
	EXP64_FAST_AVX2(Y9, Y1, Y2, Y3, Y4, Y5, Y6, Y11)

exps64_store8:
	TESTQ   DI, DI
	JZ      exps64_sum8
	VMOVUPD Y10, 0(DI)(AX*8)
	VMOVUPD Y11, 32(DI)(AX*8)

exps64_sum8:
	VADDPD Y11, Y10, Y10
	VADDPD Y10, Y15, Y15
	ADDQ   $8, AX
	JMP    exps64_loop8

exps64_slow8:
	VMOVUPD lo64<>(SB), Y12
	VMOVUPD hi64<>(SB), Y13
	EXP64_SLOW_AVX2(0, Y10)
	EXP64_SLOW_AVX2(32, Y11)
	JMP     exps64_store8

exps64_tail:
	VMOVUPD lo64<>(SB), Y12
	VMOVUPD hi64<>(SB), Y13

exps64_loop4:
	CMPQ  AX, CX
	JGE   exps64_done
	EXP64_SLOW_AVX2(0, Y10)
	TESTQ DI, DI
	JZ    exps64_sum4
	VMOVUPD Y10, 0(DI)(AX*8)

exps64_sum4:
	VADDPD Y10, Y15, Y15
	ADDQ   $4, AX
	JMP    exps64_loop4

exps64_done:
	VEXTRACTF128 $1, Y15, X0
	VADDPD       X0, X15, X0
	VPERMILPD    $1, X0, X1
	VADDSD       X1, X0, X0
	VMOVSD       X0, s+56(FP)
	VZEROUPPER
	RET

// func expSumColsF64AVX2(dst, x, m, s []float64, n, width, stride int) (done int)
TEXT ·expSumColsF64AVX2(SB), NOSPLIT, $0-128
	MOVQ    dst_base+0(FP), DI
	MOVQ    x_base+24(FP), SI
	MOVQ    m_base+48(FP), R11
	MOVQ    s_base+72(FP), R12
	MOVQ    n+96(FP), BX
	MOVQ    width+104(FP), CX
	MOVQ    stride+112(FP), R10
	SHLQ    $3, R10
	LEAQ    (R10)(R10*1), DX // two rows
	ANDQ    $-4, CX
	MOVQ    CX, done+120(FP)
	VMOVUPD lo64<>(SB), Y12
	VMOVUPD hi64<>(SB), Y13
	XORQ    AX, AX

expc64_cols:
	CMPQ    AX, CX
	JGE     expc64_done
	VMOVUPD (R11)(AX*8), Y14
	VXORPD  Y15, Y15, Y15
	LEAQ    (SI)(AX*8), R8
	LEAQ    (DI)(AX*8), R13
	MOVQ    BX, R9

	// Two rows per iteration while there are two (independent exps).
expc64_pairs:
	CMPQ    R9, $2
	JLT     expc64_rows
	VMOVUPD (R8), Y0
	VMOVUPD (R8)(R10*1), Y9
	VSUBPD  Y14, Y0, Y0
	VSUBPD  Y14, Y9, Y9
	VANDPD  abs64<>(SB), Y0, Y8
	VANDPD  abs64<>(SB), Y9, Y7
	VCMPPD  $6, fastlim64<>(SB), Y8, Y8
	VCMPPD  $6, fastlim64<>(SB), Y7, Y7
	VORPD   Y7, Y8, Y8
	VPTEST  Y8, Y8
	JNZ     expc64_pair_slow
	EXP64_FAST_AVX2(Y0, Y1, Y2, Y3, Y4, Y5, Y6, Y10)
	EXP64_FAST_AVX2(Y9, Y1, Y2, Y3, Y4, Y5, Y6, Y11)
	JMP     expc64_pair_put

expc64_pair_slow:
	VMOVUPD (R8), Y0
	VSUBPD  Y14, Y0, Y0
	EXP64_SLOW_CORE_AVX2(Y10)
	VMOVUPD (R8)(R10*1), Y0
	VSUBPD  Y14, Y0, Y0
	EXP64_SLOW_CORE_AVX2(Y11)

expc64_pair_put:
	TESTQ   DI, DI
	JZ      expc64_pair_sum
	VMOVUPD Y10, (R13)
	VMOVUPD Y11, (R13)(R10*1)

expc64_pair_sum:
	VADDPD Y11, Y10, Y10
	VADDPD Y10, Y15, Y15
	ADDQ   DX, R8
	ADDQ   DX, R13
	SUBQ   $2, R9
	JMP    expc64_pairs

expc64_rows:
	TESTQ   R9, R9
	JLE     expc64_store
	VMOVUPD (R8), Y0
	VSUBPD  Y14, Y0, Y0
	VANDPD  abs64<>(SB), Y0, Y8
	VCMPPD  $6, fastlim64<>(SB), Y8, Y8
	VPTEST  Y8, Y8
	JNZ     expc64_slow
	EXP64_FAST_AVX2(Y0, Y1, Y2, Y3, Y4, Y5, Y6, Y10)
	JMP     expc64_put

expc64_slow:
	EXP64_SLOW_CORE_AVX2(Y10)

expc64_put:
	TESTQ   DI, DI
	JZ      expc64_sum
	VMOVUPD Y10, (R13)

expc64_sum:
	VADDPD Y10, Y15, Y15
	ADDQ   R10, R8
	ADDQ   R10, R13
	DECQ   R9
	JMP    expc64_rows

expc64_store:
	VMOVUPD Y15, (R12)(AX*8)
	ADDQ    $4, AX
	JMP     expc64_cols

expc64_done:
	VZEROUPPER
	RET

// ---------------------------------------------------------------- AVX-512

// EXP64_512 sets v = exp(v) for any input, clobbering t, r2, r4, a, b and
// c. It needs Z29 = lo and Z30 = hi.
#define EXP64_512(v, t, r2, r4, a, b, c) \
	VMAXPD       v, Z29, v; \
	VMINPD       v, Z30, v; \
	VMOVUPD      magic64<>(SB), t; \
	VFMADD231PD  log2e64<>(SB), v, t; \
	VSUBPD       magic64<>(SB), t, t; \
	VFNMADD231PD ln2hi64<>(SB), t, v; \
	VFNMADD231PD ln2lo64<>(SB), t, v; \
	POLY64(v, r2, r4, a, b, c); \
	VSCALEFPD    t, v, v

// func expSumF64AVX512(dst, x []float64, m float64) (s float64, done int)
TEXT ·expSumF64AVX512(SB), NOSPLIT, $0-72
	MOVQ         dst_base+0(FP), DI
	MOVQ         x_base+24(FP), SI
	MOVQ         x_len+32(FP), CX
	ANDQ         $-8, CX
	MOVQ         CX, done+64(FP)
	MOVQ         CX, DX
	ANDQ         $-16, DX
	VBROADCASTSD m+48(FP), Z28
	VMOVUPD      lo64<>(SB), Z29
	VMOVUPD      hi64<>(SB), Z30
	VXORPD       Z31, Z31, Z31
	XORQ         AX, AX

exps64_512_loop16:
	CMPQ    AX, DX
	JGE     exps64_512_loop8
	VMOVUPD 0(SI)(AX*8), Z8
	VMOVUPD 64(SI)(AX*8), Z9
	VSUBPD  Z28, Z8, Z8
	VSUBPD  Z28, Z9, Z9
	EXP64_512(Z8, Z1, Z2, Z3, Z4, Z5, Z6)
	EXP64_512(Z9, Z11, Z12, Z13, Z14, Z15, Z16)
	TESTQ   DI, DI
	JZ      exps64_512_sum16
	VMOVUPD Z8, 0(DI)(AX*8)
	VMOVUPD Z9, 64(DI)(AX*8)

exps64_512_sum16:
	VADDPD Z9, Z8, Z8
	VADDPD Z8, Z31, Z31
	ADDQ   $16, AX
	JMP    exps64_512_loop16

exps64_512_loop8:
	CMPQ    AX, CX
	JGE     exps64_512_done
	VMOVUPD 0(SI)(AX*8), Z8
	VSUBPD  Z28, Z8, Z8
	EXP64_512(Z8, Z1, Z2, Z3, Z4, Z5, Z6)
	TESTQ   DI, DI
	JZ      exps64_512_sum8
	VMOVUPD Z8, 0(DI)(AX*8)

exps64_512_sum8:
	VADDPD Z8, Z31, Z31
	ADDQ   $8, AX
	JMP    exps64_512_loop8

exps64_512_done:
	VMOVAPD       Z31, Z0
	VEXTRACTF64X4 $1, Z0, Y1
	VADDPD        Y1, Y0, Y0
	VEXTRACTF128  $1, Y0, X1
	VADDPD        X1, X0, X0
	VPERMILPD     $1, X0, X1
	VADDSD        X1, X0, X0
	VMOVSD        X0, s+56(FP)
	VZEROUPPER
	RET

// func expSumColsF64AVX512(dst, x, m, s []float64, n, width, stride int) (done int)
TEXT ·expSumColsF64AVX512(SB), NOSPLIT, $0-128
	MOVQ    dst_base+0(FP), DI
	MOVQ    x_base+24(FP), SI
	MOVQ    m_base+48(FP), R11
	MOVQ    s_base+72(FP), R12
	MOVQ    n+96(FP), BX
	MOVQ    width+104(FP), CX
	MOVQ    stride+112(FP), R10
	SHLQ    $3, R10
	LEAQ    (R10)(R10*1), DX // two rows
	ANDQ    $-8, CX
	MOVQ    CX, done+120(FP)
	VMOVUPD lo64<>(SB), Z29
	VMOVUPD hi64<>(SB), Z30
	XORQ    AX, AX

expc64_512_cols:
	CMPQ    AX, CX
	JGE     expc64_512_done
	VMOVUPD (R11)(AX*8), Z28
	VXORPD  Z31, Z31, Z31
	LEAQ    (SI)(AX*8), R8
	LEAQ    (DI)(AX*8), R13
	MOVQ    BX, R9

expc64_512_pairs:
	CMPQ    R9, $2
	JLT     expc64_512_rows
	VMOVUPD (R8), Z8
	VMOVUPD (R8)(R10*1), Z9
	VSUBPD  Z28, Z8, Z8
	VSUBPD  Z28, Z9, Z9
	EXP64_512(Z8, Z1, Z2, Z3, Z4, Z5, Z6)
	EXP64_512(Z9, Z11, Z12, Z13, Z14, Z15, Z16)
	TESTQ   DI, DI
	JZ      expc64_512_pair_sum
	VMOVUPD Z8, (R13)
	VMOVUPD Z9, (R13)(R10*1)

expc64_512_pair_sum:
	VADDPD Z9, Z8, Z8
	VADDPD Z8, Z31, Z31
	ADDQ   DX, R8
	ADDQ   DX, R13
	SUBQ   $2, R9
	JMP    expc64_512_pairs

expc64_512_rows:
	TESTQ   R9, R9
	JLE     expc64_512_store
	VMOVUPD (R8), Z8
	VSUBPD  Z28, Z8, Z8
	EXP64_512(Z8, Z1, Z2, Z3, Z4, Z5, Z6)
	TESTQ   DI, DI
	JZ      expc64_512_sum
	VMOVUPD Z8, (R13)

expc64_512_sum:
	VADDPD Z8, Z31, Z31
	ADDQ   R10, R8
	ADDQ   R10, R13
	DECQ   R9
	JMP    expc64_512_rows

expc64_512_store:
	VMOVUPD Z31, (R12)(AX*8)
	ADDQ    $8, AX
	JMP     expc64_512_cols

expc64_512_done:
	VZEROUPPER
	RET

// ---------------------------------------------------------------- max, scale, shift

// func maxF64AVX2(x []float64) (m float64, done int)
TEXT ·maxF64AVX2(SB), NOSPLIT, $0-40
	MOVQ    x_base+0(FP), SI
	MOVQ    x_len+8(FP), CX
	ANDQ    $-4, CX
	MOVQ    CX, done+32(FP)
	JZ      max_f64_none
	MOVQ    CX, DX
	ANDQ    $-16, DX
	VMOVUPD neginf64<>(SB), Y0
	VMOVUPD Y0, Y1
	VMOVUPD Y0, Y2
	VMOVUPD Y0, Y3
	XORQ    AX, AX

	// acc = max(v, acc) with acc as the second operand: a NaN in v leaves
	// acc alone, so NaN never enters the accumulators.
max_f64_loop32:
	CMPQ    AX, DX
	JGE     max_f64_loop8
	VMOVUPD 0(SI)(AX*8), Y4
	VMOVUPD 32(SI)(AX*8), Y5
	VMOVUPD 64(SI)(AX*8), Y6
	VMOVUPD 96(SI)(AX*8), Y7
	VMAXPD  Y0, Y4, Y0
	VMAXPD  Y1, Y5, Y1
	VMAXPD  Y2, Y6, Y2
	VMAXPD  Y3, Y7, Y3
	ADDQ    $16, AX
	JMP     max_f64_loop32

max_f64_loop8:
	CMPQ    AX, CX
	JGE     max_f64_reduce
	VMOVUPD 0(SI)(AX*8), Y4
	VMAXPD  Y0, Y4, Y0
	ADDQ    $4, AX
	JMP     max_f64_loop8

max_f64_reduce:
	VMAXPD       Y1, Y0, Y0
	VMAXPD       Y3, Y2, Y2
	VMAXPD       Y2, Y0, Y0
	VEXTRACTF128 $1, Y0, X1
	VMAXPD       X1, X0, X0
	VPERMILPD    $1, X0, X1
	VMAXPD       X1, X0, X0
	VMOVSD       X0, m+24(FP)
	VZEROUPPER
	RET

max_f64_none:
	MOVQ $0, m+24(FP)
	RET

// func scaleF64AVX2(x []float64, s float64) (done int)
TEXT ·scaleF64AVX2(SB), NOSPLIT, $0-40
	MOVQ         x_base+0(FP), SI
	MOVQ         x_len+8(FP), CX
	ANDQ         $-4, CX
	MOVQ         CX, done+32(FP)
	MOVQ         CX, DX
	ANDQ         $-16, DX
	VBROADCASTSD s+24(FP), Y15
	XORQ         AX, AX

scale_f64_loop32:
	CMPQ    AX, DX
	JGE     scale_f64_loop8
	VMULPD  0(SI)(AX*8), Y15, Y0
	VMULPD  32(SI)(AX*8), Y15, Y1
	VMULPD  64(SI)(AX*8), Y15, Y2
	VMULPD  96(SI)(AX*8), Y15, Y3
	VMOVUPD Y0, 0(SI)(AX*8)
	VMOVUPD Y1, 32(SI)(AX*8)
	VMOVUPD Y2, 64(SI)(AX*8)
	VMOVUPD Y3, 96(SI)(AX*8)
	ADDQ    $16, AX
	JMP     scale_f64_loop32

scale_f64_loop8:
	CMPQ    AX, CX
	JGE     scale_f64_done
	VMULPD  0(SI)(AX*8), Y15, Y0
	VMOVUPD Y0, 0(SI)(AX*8)
	ADDQ    $4, AX
	JMP     scale_f64_loop8

scale_f64_done:
	VZEROUPPER
	RET

// func shiftF64AVX2(dst, x []float64, a, b float64) (done int)
TEXT ·shiftF64AVX2(SB), NOSPLIT, $0-72
	MOVQ         dst_base+0(FP), DI
	MOVQ         x_base+24(FP), SI
	MOVQ         x_len+32(FP), CX
	ANDQ         $-4, CX
	MOVQ         CX, done+64(FP)
	MOVQ         CX, DX
	ANDQ         $-16, DX
	VBROADCASTSD a+48(FP), Y14
	VBROADCASTSD b+56(FP), Y15
	XORQ         AX, AX

shift_f64_loop32:
	CMPQ    AX, DX
	JGE     shift_f64_loop8
	VMOVUPD 0(SI)(AX*8), Y0
	VMOVUPD 32(SI)(AX*8), Y1
	VMOVUPD 64(SI)(AX*8), Y2
	VMOVUPD 96(SI)(AX*8), Y3
	VSUBPD  Y14, Y0, Y0
	VSUBPD  Y14, Y1, Y1
	VSUBPD  Y14, Y2, Y2
	VSUBPD  Y14, Y3, Y3
	VSUBPD  Y15, Y0, Y0
	VSUBPD  Y15, Y1, Y1
	VSUBPD  Y15, Y2, Y2
	VSUBPD  Y15, Y3, Y3
	VMOVUPD Y0, 0(DI)(AX*8)
	VMOVUPD Y1, 32(DI)(AX*8)
	VMOVUPD Y2, 64(DI)(AX*8)
	VMOVUPD Y3, 96(DI)(AX*8)
	ADDQ    $16, AX
	JMP     shift_f64_loop32

shift_f64_loop8:
	CMPQ    AX, CX
	JGE     shift_f64_done
	VMOVUPD 0(SI)(AX*8), Y0
	VSUBPD  Y14, Y0, Y0
	VSUBPD  Y15, Y0, Y0
	VMOVUPD Y0, 0(DI)(AX*8)
	ADDQ    $4, AX
	JMP     shift_f64_loop8

shift_f64_done:
	VZEROUPPER
	RET

// func maxColsF64AVX2(m, x []float64, n, width, stride int) (done int)
TEXT ·maxColsF64AVX2(SB), NOSPLIT, $0-80
	MOVQ m_base+0(FP), DI
	MOVQ x_base+24(FP), SI
	MOVQ n+48(FP), BX
	MOVQ width+56(FP), CX
	MOVQ stride+64(FP), R10
	SHLQ $3, R10              // row step in bytes
	ANDQ $-4, CX
	MOVQ CX, done+72(FP)
	MOVQ CX, DX
	ANDQ $-16, DX
	XORQ AX, AX               // column

maxc_f64_loop32:
	CMPQ    AX, DX
	JGE     maxc_f64_loop8
	VMOVUPD neginf64<>(SB), Y0
	VMOVUPD Y0, Y1
	VMOVUPD Y0, Y2
	VMOVUPD Y0, Y3
	LEAQ    (SI)(AX*8), R8
	MOVQ    BX, R9

maxc_f64_rows32:
	TESTQ   R9, R9
	JLE     maxc_f64_store32
	VMOVUPD 0(R8), Y4
	VMOVUPD 32(R8), Y5
	VMOVUPD 64(R8), Y6
	VMOVUPD 96(R8), Y7
	VMAXPD  Y0, Y4, Y0
	VMAXPD  Y1, Y5, Y1
	VMAXPD  Y2, Y6, Y2
	VMAXPD  Y3, Y7, Y3
	ADDQ    R10, R8
	DECQ    R9
	JMP     maxc_f64_rows32

maxc_f64_store32:
	VMOVUPD Y0, 0(DI)(AX*8)
	VMOVUPD Y1, 32(DI)(AX*8)
	VMOVUPD Y2, 64(DI)(AX*8)
	VMOVUPD Y3, 96(DI)(AX*8)
	ADDQ    $16, AX
	JMP     maxc_f64_loop32

maxc_f64_loop8:
	CMPQ    AX, CX
	JGE     maxc_f64_done
	VMOVUPD neginf64<>(SB), Y0
	LEAQ    (SI)(AX*8), R8
	MOVQ    BX, R9

maxc_f64_rows8:
	TESTQ   R9, R9
	JLE     maxc_f64_store8
	VMOVUPD (R8), Y4
	VMAXPD  Y0, Y4, Y0
	ADDQ    R10, R8
	DECQ    R9
	JMP     maxc_f64_rows8

maxc_f64_store8:
	VMOVUPD Y0, 0(DI)(AX*8)
	ADDQ    $4, AX
	JMP     maxc_f64_loop8

maxc_f64_done:
	VZEROUPPER
	RET

// func scaleColsF64AVX2(x, s []float64, n, width, stride int) (done int)
TEXT ·scaleColsF64AVX2(SB), NOSPLIT, $0-80
	MOVQ x_base+0(FP), SI
	MOVQ s_base+24(FP), R11
	MOVQ n+48(FP), BX
	MOVQ width+56(FP), CX
	MOVQ stride+64(FP), R10
	SHLQ $3, R10
	ANDQ $-4, CX
	MOVQ CX, done+72(FP)
	MOVQ CX, DX
	ANDQ $-16, DX

scalec_f64_rows:
	TESTQ BX, BX
	JLE   scalec_f64_done
	XORQ  AX, AX

scalec_f64_loop32:
	CMPQ    AX, DX
	JGE     scalec_f64_loop8
	VMOVUPD 0(R11)(AX*8), Y0
	VMOVUPD 32(R11)(AX*8), Y1
	VMOVUPD 64(R11)(AX*8), Y2
	VMOVUPD 96(R11)(AX*8), Y3
	VMULPD  0(SI)(AX*8), Y0, Y0
	VMULPD  32(SI)(AX*8), Y1, Y1
	VMULPD  64(SI)(AX*8), Y2, Y2
	VMULPD  96(SI)(AX*8), Y3, Y3
	VMOVUPD Y0, 0(SI)(AX*8)
	VMOVUPD Y1, 32(SI)(AX*8)
	VMOVUPD Y2, 64(SI)(AX*8)
	VMOVUPD Y3, 96(SI)(AX*8)
	ADDQ    $16, AX
	JMP     scalec_f64_loop32

scalec_f64_loop8:
	CMPQ    AX, CX
	JGE     scalec_f64_next
	VMOVUPD 0(R11)(AX*8), Y0
	VMULPD  0(SI)(AX*8), Y0, Y0
	VMOVUPD Y0, 0(SI)(AX*8)
	ADDQ    $4, AX
	JMP     scalec_f64_loop8

scalec_f64_next:
	ADDQ R10, SI
	DECQ BX
	JMP  scalec_f64_rows

scalec_f64_done:
	VZEROUPPER
	RET

// func shiftColsF64AVX2(dst, x, a, b []float64, n, width, stride int) (done int)
TEXT ·shiftColsF64AVX2(SB), NOSPLIT, $0-128
	MOVQ dst_base+0(FP), DI
	MOVQ x_base+24(FP), SI
	MOVQ a_base+48(FP), R11
	MOVQ b_base+72(FP), R12
	MOVQ n+96(FP), BX
	MOVQ width+104(FP), CX
	MOVQ stride+112(FP), R10
	SHLQ $3, R10
	ANDQ $-4, CX
	MOVQ CX, done+120(FP)
	MOVQ CX, DX
	ANDQ $-16, DX

shiftc_f64_rows:
	TESTQ BX, BX
	JLE   shiftc_f64_done
	XORQ  AX, AX

shiftc_f64_loop32:
	CMPQ    AX, DX
	JGE     shiftc_f64_loop8
	VMOVUPD 0(SI)(AX*8), Y0
	VMOVUPD 32(SI)(AX*8), Y1
	VMOVUPD 64(SI)(AX*8), Y2
	VMOVUPD 96(SI)(AX*8), Y3
	VSUBPD  0(R11)(AX*8), Y0, Y0
	VSUBPD  32(R11)(AX*8), Y1, Y1
	VSUBPD  64(R11)(AX*8), Y2, Y2
	VSUBPD  96(R11)(AX*8), Y3, Y3
	VSUBPD  0(R12)(AX*8), Y0, Y0
	VSUBPD  32(R12)(AX*8), Y1, Y1
	VSUBPD  64(R12)(AX*8), Y2, Y2
	VSUBPD  96(R12)(AX*8), Y3, Y3
	VMOVUPD Y0, 0(DI)(AX*8)
	VMOVUPD Y1, 32(DI)(AX*8)
	VMOVUPD Y2, 64(DI)(AX*8)
	VMOVUPD Y3, 96(DI)(AX*8)
	ADDQ    $16, AX
	JMP     shiftc_f64_loop32

shiftc_f64_loop8:
	CMPQ    AX, CX
	JGE     shiftc_f64_next
	VMOVUPD 0(SI)(AX*8), Y0
	VSUBPD  0(R11)(AX*8), Y0, Y0
	VSUBPD  0(R12)(AX*8), Y0, Y0
	VMOVUPD Y0, 0(DI)(AX*8)
	ADDQ    $4, AX
	JMP     shiftc_f64_loop8

shiftc_f64_next:
	ADDQ R10, SI
	ADDQ R10, DI
	DECQ BX
	JMP  shiftc_f64_rows

shiftc_f64_done:
	VZEROUPPER
	RET

// func maxF64AVX512(x []float64) (m float64, done int)
TEXT ·maxF64AVX512(SB), NOSPLIT, $0-40
	MOVQ    x_base+0(FP), SI
	MOVQ    x_len+8(FP), CX
	ANDQ    $-8, CX
	MOVQ    CX, done+32(FP)
	JZ      max512_f64_none
	MOVQ    CX, DX
	ANDQ    $-32, DX
	VMOVUPD neginf64<>(SB), Z0
	VMOVAPD Z0, Z1
	VMOVAPD Z0, Z2
	VMOVAPD Z0, Z3
	XORQ    AX, AX

	// acc = max(v, acc) with acc as the second operand: NaNs are skipped.
max512_f64_loop64:
	CMPQ    AX, DX
	JGE     max512_f64_loop16
	VMOVUPD 0(SI)(AX*8), Z4
	VMOVUPD 64(SI)(AX*8), Z5
	VMOVUPD 128(SI)(AX*8), Z6
	VMOVUPD 192(SI)(AX*8), Z7
	VMAXPD  Z0, Z4, Z0
	VMAXPD  Z1, Z5, Z1
	VMAXPD  Z2, Z6, Z2
	VMAXPD  Z3, Z7, Z3
	ADDQ    $32, AX
	JMP     max512_f64_loop64

max512_f64_loop16:
	CMPQ    AX, CX
	JGE     max512_f64_reduce
	VMOVUPD 0(SI)(AX*8), Z4
	VMAXPD  Z0, Z4, Z0
	ADDQ    $8, AX
	JMP     max512_f64_loop16

max512_f64_reduce:
	VMAXPD        Z1, Z0, Z0
	VMAXPD        Z3, Z2, Z2
	VMAXPD        Z2, Z0, Z0
	VEXTRACTF64X4 $1, Z0, Y1
	VMAXPD        Y1, Y0, Y0
	VEXTRACTF128  $1, Y0, X1
	VMAXPD        X1, X0, X0
	VPERMILPD     $1, X0, X1
	VMAXPD        X1, X0, X0
	VMOVSD        X0, m+24(FP)
	VZEROUPPER
	RET

max512_f64_none:
	MOVQ $0, m+24(FP)
	RET

// func scaleF64AVX512(x []float64, s float64) (done int)
TEXT ·scaleF64AVX512(SB), NOSPLIT, $0-40
	MOVQ         x_base+0(FP), SI
	MOVQ         x_len+8(FP), CX
	ANDQ         $-8, CX
	MOVQ         CX, done+32(FP)
	MOVQ         CX, DX
	ANDQ         $-32, DX
	VBROADCASTSD s+24(FP), Z15
	XORQ         AX, AX

scale512_f64_loop64:
	CMPQ    AX, DX
	JGE     scale512_f64_loop16
	VMULPD  0(SI)(AX*8), Z15, Z0
	VMULPD  64(SI)(AX*8), Z15, Z1
	VMULPD  128(SI)(AX*8), Z15, Z2
	VMULPD  192(SI)(AX*8), Z15, Z3
	VMOVUPD Z0, 0(SI)(AX*8)
	VMOVUPD Z1, 64(SI)(AX*8)
	VMOVUPD Z2, 128(SI)(AX*8)
	VMOVUPD Z3, 192(SI)(AX*8)
	ADDQ    $32, AX
	JMP     scale512_f64_loop64

scale512_f64_loop16:
	CMPQ    AX, CX
	JGE     scale512_f64_done
	VMULPD  0(SI)(AX*8), Z15, Z0
	VMOVUPD Z0, 0(SI)(AX*8)
	ADDQ    $8, AX
	JMP     scale512_f64_loop16

scale512_f64_done:
	VZEROUPPER
	RET

// func shiftF64AVX512(dst, x []float64, a, b float64) (done int)
TEXT ·shiftF64AVX512(SB), NOSPLIT, $0-72
	MOVQ         dst_base+0(FP), DI
	MOVQ         x_base+24(FP), SI
	MOVQ         x_len+32(FP), CX
	ANDQ         $-8, CX
	MOVQ         CX, done+64(FP)
	MOVQ         CX, DX
	ANDQ         $-32, DX
	VBROADCASTSD a+48(FP), Z14
	VBROADCASTSD b+56(FP), Z15
	XORQ         AX, AX

shift512_f64_loop64:
	CMPQ    AX, DX
	JGE     shift512_f64_loop16
	VMOVUPD 0(SI)(AX*8), Z0
	VMOVUPD 64(SI)(AX*8), Z1
	VMOVUPD 128(SI)(AX*8), Z2
	VMOVUPD 192(SI)(AX*8), Z3
	VSUBPD  Z14, Z0, Z0
	VSUBPD  Z14, Z1, Z1
	VSUBPD  Z14, Z2, Z2
	VSUBPD  Z14, Z3, Z3
	VSUBPD  Z15, Z0, Z0
	VSUBPD  Z15, Z1, Z1
	VSUBPD  Z15, Z2, Z2
	VSUBPD  Z15, Z3, Z3
	VMOVUPD Z0, 0(DI)(AX*8)
	VMOVUPD Z1, 64(DI)(AX*8)
	VMOVUPD Z2, 128(DI)(AX*8)
	VMOVUPD Z3, 192(DI)(AX*8)
	ADDQ    $32, AX
	JMP     shift512_f64_loop64

shift512_f64_loop16:
	CMPQ    AX, CX
	JGE     shift512_f64_done
	VMOVUPD 0(SI)(AX*8), Z0
	VSUBPD  Z14, Z0, Z0
	VSUBPD  Z15, Z0, Z0
	VMOVUPD Z0, 0(DI)(AX*8)
	ADDQ    $8, AX
	JMP     shift512_f64_loop16

shift512_f64_done:
	VZEROUPPER
	RET

// func maxColsF64AVX512(m, x []float64, n, width, stride int) (done int)
TEXT ·maxColsF64AVX512(SB), NOSPLIT, $0-80
	MOVQ m_base+0(FP), DI
	MOVQ x_base+24(FP), SI
	MOVQ n+48(FP), BX
	MOVQ width+56(FP), CX
	MOVQ stride+64(FP), R10
	SHLQ $3, R10
	ANDQ $-8, CX
	MOVQ CX, done+72(FP)
	MOVQ CX, DX
	ANDQ $-32, DX
	XORQ AX, AX

maxc512_f64_loop64:
	CMPQ    AX, DX
	JGE     maxc512_f64_loop16
	VMOVUPD neginf64<>(SB), Z0
	VMOVAPD Z0, Z1
	VMOVAPD Z0, Z2
	VMOVAPD Z0, Z3
	LEAQ    (SI)(AX*8), R8
	MOVQ    BX, R9

maxc512_f64_rows64:
	TESTQ   R9, R9
	JLE     maxc512_f64_store64
	VMOVUPD 0(R8), Z4
	VMOVUPD 64(R8), Z5
	VMOVUPD 128(R8), Z6
	VMOVUPD 192(R8), Z7
	VMAXPD  Z0, Z4, Z0
	VMAXPD  Z1, Z5, Z1
	VMAXPD  Z2, Z6, Z2
	VMAXPD  Z3, Z7, Z3
	ADDQ    R10, R8
	DECQ    R9
	JMP     maxc512_f64_rows64

maxc512_f64_store64:
	VMOVUPD Z0, 0(DI)(AX*8)
	VMOVUPD Z1, 64(DI)(AX*8)
	VMOVUPD Z2, 128(DI)(AX*8)
	VMOVUPD Z3, 192(DI)(AX*8)
	ADDQ    $32, AX
	JMP     maxc512_f64_loop64

maxc512_f64_loop16:
	CMPQ    AX, CX
	JGE     maxc512_f64_done
	VMOVUPD neginf64<>(SB), Z0
	LEAQ    (SI)(AX*8), R8
	MOVQ    BX, R9

maxc512_f64_rows16:
	TESTQ   R9, R9
	JLE     maxc512_f64_store16
	VMOVUPD (R8), Z4
	VMAXPD  Z0, Z4, Z0
	ADDQ    R10, R8
	DECQ    R9
	JMP     maxc512_f64_rows16

maxc512_f64_store16:
	VMOVUPD Z0, 0(DI)(AX*8)
	ADDQ    $8, AX
	JMP     maxc512_f64_loop16

maxc512_f64_done:
	VZEROUPPER
	RET

// func scaleColsF64AVX512(x, s []float64, n, width, stride int) (done int)
TEXT ·scaleColsF64AVX512(SB), NOSPLIT, $0-80
	MOVQ x_base+0(FP), SI
	MOVQ s_base+24(FP), R11
	MOVQ n+48(FP), BX
	MOVQ width+56(FP), CX
	MOVQ stride+64(FP), R10
	SHLQ $3, R10
	ANDQ $-8, CX
	MOVQ CX, done+72(FP)
	MOVQ CX, DX
	ANDQ $-32, DX

scalec512_f64_rows:
	TESTQ BX, BX
	JLE   scalec512_f64_done
	XORQ  AX, AX

scalec512_f64_loop64:
	CMPQ    AX, DX
	JGE     scalec512_f64_loop16
	VMOVUPD 0(R11)(AX*8), Z0
	VMOVUPD 64(R11)(AX*8), Z1
	VMOVUPD 128(R11)(AX*8), Z2
	VMOVUPD 192(R11)(AX*8), Z3
	VMULPD  0(SI)(AX*8), Z0, Z0
	VMULPD  64(SI)(AX*8), Z1, Z1
	VMULPD  128(SI)(AX*8), Z2, Z2
	VMULPD  192(SI)(AX*8), Z3, Z3
	VMOVUPD Z0, 0(SI)(AX*8)
	VMOVUPD Z1, 64(SI)(AX*8)
	VMOVUPD Z2, 128(SI)(AX*8)
	VMOVUPD Z3, 192(SI)(AX*8)
	ADDQ    $32, AX
	JMP     scalec512_f64_loop64

scalec512_f64_loop16:
	CMPQ    AX, CX
	JGE     scalec512_f64_next
	VMOVUPD 0(R11)(AX*8), Z0
	VMULPD  0(SI)(AX*8), Z0, Z0
	VMOVUPD Z0, 0(SI)(AX*8)
	ADDQ    $8, AX
	JMP     scalec512_f64_loop16

scalec512_f64_next:
	ADDQ R10, SI
	DECQ BX
	JMP  scalec512_f64_rows

scalec512_f64_done:
	VZEROUPPER
	RET

// func shiftColsF64AVX512(dst, x, a, b []float64, n, width, stride int) (done int)
TEXT ·shiftColsF64AVX512(SB), NOSPLIT, $0-128
	MOVQ dst_base+0(FP), DI
	MOVQ x_base+24(FP), SI
	MOVQ a_base+48(FP), R11
	MOVQ b_base+72(FP), R12
	MOVQ n+96(FP), BX
	MOVQ width+104(FP), CX
	MOVQ stride+112(FP), R10
	SHLQ $3, R10
	ANDQ $-8, CX
	MOVQ CX, done+120(FP)
	MOVQ CX, DX
	ANDQ $-32, DX

shiftc512_f64_rows:
	TESTQ BX, BX
	JLE   shiftc512_f64_done
	XORQ  AX, AX

shiftc512_f64_loop64:
	CMPQ    AX, DX
	JGE     shiftc512_f64_loop16
	VMOVUPD 0(SI)(AX*8), Z0
	VMOVUPD 64(SI)(AX*8), Z1
	VMOVUPD 128(SI)(AX*8), Z2
	VMOVUPD 192(SI)(AX*8), Z3
	VSUBPD  0(R11)(AX*8), Z0, Z0
	VSUBPD  64(R11)(AX*8), Z1, Z1
	VSUBPD  128(R11)(AX*8), Z2, Z2
	VSUBPD  192(R11)(AX*8), Z3, Z3
	VSUBPD  0(R12)(AX*8), Z0, Z0
	VSUBPD  64(R12)(AX*8), Z1, Z1
	VSUBPD  128(R12)(AX*8), Z2, Z2
	VSUBPD  192(R12)(AX*8), Z3, Z3
	VMOVUPD Z0, 0(DI)(AX*8)
	VMOVUPD Z1, 64(DI)(AX*8)
	VMOVUPD Z2, 128(DI)(AX*8)
	VMOVUPD Z3, 192(DI)(AX*8)
	ADDQ    $32, AX
	JMP     shiftc512_f64_loop64

shiftc512_f64_loop16:
	CMPQ    AX, CX
	JGE     shiftc512_f64_next
	VMOVUPD 0(SI)(AX*8), Z0
	VSUBPD  0(R11)(AX*8), Z0, Z0
	VSUBPD  0(R12)(AX*8), Z0, Z0
	VMOVUPD Z0, 0(DI)(AX*8)
	ADDQ    $8, AX
	JMP     shiftc512_f64_loop16

shiftc512_f64_next:
	ADDQ R10, SI
	ADDQ R10, DI
	DECQ BX
	JMP  shiftc512_f64_rows

shiftc512_f64_done:
	VZEROUPPER
	RET
