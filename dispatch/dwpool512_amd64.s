//go:build amd64 && !purego

// AVX-512 versions of the kernels in dwpool_amd64.s: 16 lanes, the row
// tails stored under an opmask, stride 2 de-interleaved by VPERMT2PS
// (so no final permutation), NaNs kept by a masked move.

#include "textflag.h"

// dwk16<>+2*r is the opmask of the first r lanes.
DATA dwk16<>+0(SB)/2, $0x0000
DATA dwk16<>+2(SB)/2, $0x0001
DATA dwk16<>+4(SB)/2, $0x0003
DATA dwk16<>+6(SB)/2, $0x0007
DATA dwk16<>+8(SB)/2, $0x000f
DATA dwk16<>+10(SB)/2, $0x001f
DATA dwk16<>+12(SB)/2, $0x003f
DATA dwk16<>+14(SB)/2, $0x007f
DATA dwk16<>+16(SB)/2, $0x00ff
DATA dwk16<>+18(SB)/2, $0x01ff
DATA dwk16<>+20(SB)/2, $0x03ff
DATA dwk16<>+22(SB)/2, $0x07ff
DATA dwk16<>+24(SB)/2, $0x0fff
DATA dwk16<>+26(SB)/2, $0x1fff
DATA dwk16<>+28(SB)/2, $0x3fff
DATA dwk16<>+30(SB)/2, $0x7fff
DATA dwk16<>+32(SB)/2, $0xffff
GLOBL dwk16<>(SB), RODATA|NOPTR, $34

// dwidx<>: the VPERMT2PS indices of the even (first 16) and odd (next 16)
// elements of two concatenated vectors.
DATA dwidx<>+0(SB)/4, $0
DATA dwidx<>+4(SB)/4, $2
DATA dwidx<>+8(SB)/4, $4
DATA dwidx<>+12(SB)/4, $6
DATA dwidx<>+16(SB)/4, $8
DATA dwidx<>+20(SB)/4, $10
DATA dwidx<>+24(SB)/4, $12
DATA dwidx<>+28(SB)/4, $14
DATA dwidx<>+32(SB)/4, $16
DATA dwidx<>+36(SB)/4, $18
DATA dwidx<>+40(SB)/4, $20
DATA dwidx<>+44(SB)/4, $22
DATA dwidx<>+48(SB)/4, $24
DATA dwidx<>+52(SB)/4, $26
DATA dwidx<>+56(SB)/4, $28
DATA dwidx<>+60(SB)/4, $30
DATA dwidx<>+64(SB)/4, $1
DATA dwidx<>+68(SB)/4, $3
DATA dwidx<>+72(SB)/4, $5
DATA dwidx<>+76(SB)/4, $7
DATA dwidx<>+80(SB)/4, $9
DATA dwidx<>+84(SB)/4, $11
DATA dwidx<>+88(SB)/4, $13
DATA dwidx<>+92(SB)/4, $15
DATA dwidx<>+96(SB)/4, $17
DATA dwidx<>+100(SB)/4, $19
DATA dwidx<>+104(SB)/4, $21
DATA dwidx<>+108(SB)/4, $23
DATA dwidx<>+112(SB)/4, $25
DATA dwidx<>+116(SB)/4, $27
DATA dwidx<>+120(SB)/4, $29
DATA dwidx<>+124(SB)/4, $31
GLOBL dwidx<>(SB), RODATA|NOPTR, $128

// ---- depthwise 3×3, AVX-512 ----
//
// Z0-Z8 weights, Z9-Z12 accumulators, Z13-Z15 scratch, Z16 lo, Z17 hi,
// Z18 bias, Z28/Z29 even/odd indices; registers as in the AVX2 kernel.

#define DW1ROWZ(p, acc) \
	VFMADD231PS 0(p), Z0, acc; \
	VFMADD231PS 4(p), Z1, acc; \
	VFMADD231PS 8(p), Z2, acc; \
	VFMADD231PS 0(p)(R8*1), Z3, acc; \
	VFMADD231PS 4(p)(R8*1), Z4, acc; \
	VFMADD231PS 8(p)(R8*1), Z5, acc; \
	VFMADD231PS 0(p)(R8*2), Z6, acc; \
	VFMADD231PS 4(p)(R8*2), Z7, acc; \
	VFMADD231PS 8(p)(R8*2), Z8, acc

#define DW2TAPSZ(A, B, C, D, wa, wb, wc, acc) \
	VMOVUPS   A, Z13; \
	VMOVAPS   Z13, Z14; \
	VPERMT2PS B, Z28, Z13; \
	VPERMT2PS B, Z29, Z14; \
	VMOVUPS   C, Z15; \
	VPERMT2PS D, Z28, Z15; \
	VFMADD231PS Z13, wa, acc; \
	VFMADD231PS Z14, wb, acc; \
	VFMADD231PS Z15, wc, acc

#define DW2ROWZ(p, acc) \
	DW2TAPSZ(0(p), 64(p), 8(p), 72(p), Z0, Z1, Z2, acc); \
	DW2TAPSZ(0(p)(R8*1), 64(p)(R8*1), 8(p)(R8*1), 72(p)(R8*1), Z3, Z4, Z5, acc); \
	DW2TAPSZ(0(p)(R8*2), 64(p)(R8*2), 8(p)(R8*2), 72(p)(R8*2), Z6, Z7, Z8, acc)

#define DWCLAMPZ(acc) \
	VMAXPS acc, Z16, acc; \
	VMINPS acc, Z17, acc

// func dwConv3x3AVX512(dst *float32, dpitch int, src *float32, spitch, ow, oh, sh, sw int, w *float32, b, lo, hi float32)
TEXT ·dwConv3x3AVX512(SB), NOSPLIT, $0-84
	LEAQ  dwk16<>(SB), R9
	VMOVUPS dwidx<>+0(SB), Z28
	VMOVUPS dwidx<>+64(SB), Z29
	MOVQ  dst+0(FP), DI
	MOVQ  dpitch+8(FP), R11
	SHLQ  $2, R11
	MOVQ  src+16(FP), SI
	MOVQ  spitch+24(FP), R8
	SHLQ  $2, R8
	MOVQ  oh+40(FP), DX
	MOVQ  sh+48(FP), R10
	IMULQ R8, R10
	MOVQ  w+64(FP), AX
	VBROADCASTSS 0(AX), Z0
	VBROADCASTSS 4(AX), Z1
	VBROADCASTSS 8(AX), Z2
	VBROADCASTSS 12(AX), Z3
	VBROADCASTSS 16(AX), Z4
	VBROADCASTSS 20(AX), Z5
	VBROADCASTSS 24(AX), Z6
	VBROADCASTSS 28(AX), Z7
	VBROADCASTSS 32(AX), Z8
	VBROADCASTSS b+72(FP), Z18
	VBROADCASTSS lo+76(FP), Z16
	VBROADCASTSS hi+80(FP), Z17

dwz_rows4:
	CMPQ DX, $4
	JLT  dwz_rows1
	MOVQ SI, R12
	MOVQ DI, AX
	MOVQ ow+32(FP), BX

dwz_cols4:
	LEAQ (R12)(R10*1), R13
	LEAQ (R13)(R10*1), R14
	LEAQ (R14)(R10*1), R15
	VMOVAPS Z18, Z9
	VMOVAPS Z18, Z10
	VMOVAPS Z18, Z11
	VMOVAPS Z18, Z12
	CMPQ sw+56(FP), $2
	JEQ  dwz_s2_4
	DW1ROWZ(R12, Z9)
	DW1ROWZ(R13, Z10)
	DW1ROWZ(R14, Z11)
	DW1ROWZ(R15, Z12)
	ADDQ $64, R12
	JMP  dwz_clamp4

dwz_s2_4:
	DW2ROWZ(R12, Z9)
	DW2ROWZ(R13, Z10)
	DW2ROWZ(R14, Z11)
	DW2ROWZ(R15, Z12)
	ADDQ $128, R12

dwz_clamp4:
	DWCLAMPZ(Z9)
	DWCLAMPZ(Z10)
	DWCLAMPZ(Z11)
	DWCLAMPZ(Z12)
	LEAQ (AX)(R11*2), R13
	CMPQ BX, $16
	JLT  dwz_tail4
	VMOVUPS Z9, (AX)
	VMOVUPS Z10, (AX)(R11*1)
	VMOVUPS Z11, (R13)
	VMOVUPS Z12, (R13)(R11*1)
	JMP  dwz_next4

dwz_tail4:
	KMOVW   (R9)(BX*2), K1
	VMOVUPS Z9, K1, (AX)
	VMOVUPS Z10, K1, (AX)(R11*1)
	VMOVUPS Z11, K1, (R13)
	VMOVUPS Z12, K1, (R13)(R11*1)

dwz_next4:
	ADDQ $64, AX
	SUBQ $16, BX
	JG   dwz_cols4
	LEAQ (SI)(R10*4), SI
	LEAQ (DI)(R11*4), DI
	SUBQ $4, DX
	JMP  dwz_rows4

dwz_rows1:
	TESTQ DX, DX
	JLE   dwz_done
	MOVQ  SI, R12
	MOVQ  DI, AX
	MOVQ  ow+32(FP), BX

dwz_cols1:
	VMOVAPS Z18, Z9
	CMPQ sw+56(FP), $2
	JEQ  dwz_s2_1
	DW1ROWZ(R12, Z9)
	ADDQ $64, R12
	JMP  dwz_clamp1

dwz_s2_1:
	DW2ROWZ(R12, Z9)
	ADDQ $128, R12

dwz_clamp1:
	DWCLAMPZ(Z9)
	CMPQ BX, $16
	JLT  dwz_tail1
	VMOVUPS Z9, (AX)
	JMP  dwz_next1

dwz_tail1:
	KMOVW   (R9)(BX*2), K1
	VMOVUPS Z9, K1, (AX)

dwz_next1:
	ADDQ $64, AX
	SUBQ $16, BX
	JG   dwz_cols1
	ADDQ R10, SI
	ADDQ R11, DI
	DECQ DX
	JMP  dwz_rows1

dwz_done:
	VZEROUPPER
	RET

// ---- max pooling, AVX-512 ----

// MAXNANZ: acc = max(v, acc), then v in the lanes where v is NaN.
#define MAXNANZ(v, acc, k) \
	VCMPPS  $3, v, v, k; \
	VMAXPS  acc, v, acc; \
	VMOVAPS v, k, acc

#define MPLOAD4Z \
	VMOVUPS (R14), Z4; \
	VMOVUPS (R14)(R10*1), Z5; \
	VMOVUPS (R14)(R10*2), Z6; \
	LEAQ    (R14)(R10*2), DX; \
	VMOVUPS (DX)(R10*1), Z7

#define MPLOAD4ZS2 \
	VMOVUPS   (R14), Z4; \
	VPERMT2PS 64(R14), Z28, Z4; \
	VMOVUPS   (R14)(R10*1), Z5; \
	VPERMT2PS 64(R14)(R10*1), Z28, Z5; \
	VMOVUPS   (R14)(R10*2), Z6; \
	VPERMT2PS 64(R14)(R10*2), Z28, Z6; \
	LEAQ      (R14)(R10*2), DX; \
	VMOVUPS   (DX)(R10*1), Z7; \
	VPERMT2PS 64(DX)(R10*1), Z28, Z7

#define MPFOLD4Z \
	MAXNANZ(Z4, Z0, K2); \
	MAXNANZ(Z5, Z1, K3); \
	MAXNANZ(Z6, Z2, K4); \
	MAXNANZ(Z7, Z3, K5)

// func maxPoolAVX512(dst *float32, dpitch int, src *float32, spitch, ow, oh, kh, kw, sh, sw int)
TEXT ·maxPoolAVX512(SB), NOSPLIT, $0-80
	LEAQ  dwk16<>(SB), R9
	VMOVUPS dwidx<>+0(SB), Z28
	MOVQ  dst+0(FP), DI
	MOVQ  dpitch+8(FP), R11
	SHLQ  $2, R11
	MOVQ  src+16(FP), SI
	MOVQ  spitch+24(FP), R8
	SHLQ  $2, R8
	MOVQ  sh+64(FP), R10
	IMULQ R8, R10
	MOVL  $0xff800000, AX
	VMOVQ AX, X15
	VBROADCASTSS X15, Z15

mpz_rows4:
	CMPQ oh+40(FP), $4
	JLT  mpz_rows1
	MOVQ SI, R12
	MOVQ DI, AX
	MOVQ ow+32(FP), BX

mpz_cols4:
	VMOVAPS Z15, Z0
	VMOVAPS Z15, Z1
	VMOVAPS Z15, Z2
	VMOVAPS Z15, Z3
	MOVQ R12, R13
	MOVQ kh+48(FP), R15
	CMPQ sw+72(FP), $2
	JEQ  mpz_s2_4_i

mpz_s1_4_i:
	MOVQ R13, R14
	MOVQ kw+56(FP), CX

mpz_s1_4_j:
	MPLOAD4Z
	MPFOLD4Z
	ADDQ $4, R14
	DECQ CX
	JNZ  mpz_s1_4_j
	ADDQ R8, R13
	DECQ R15
	JNZ  mpz_s1_4_i
	ADDQ $64, R12
	JMP  mpz_store4

mpz_s2_4_i:
	MOVQ R13, R14
	MOVQ kw+56(FP), CX

mpz_s2_4_j:
	MPLOAD4ZS2
	MPFOLD4Z
	ADDQ $4, R14
	DECQ CX
	JNZ  mpz_s2_4_j
	ADDQ R8, R13
	DECQ R15
	JNZ  mpz_s2_4_i
	ADDQ $128, R12

mpz_store4:
	LEAQ (AX)(R11*2), R13
	CMPQ BX, $16
	JLT  mpz_tail4
	VMOVUPS Z0, (AX)
	VMOVUPS Z1, (AX)(R11*1)
	VMOVUPS Z2, (R13)
	VMOVUPS Z3, (R13)(R11*1)
	JMP  mpz_next4

mpz_tail4:
	KMOVW   (R9)(BX*2), K1
	VMOVUPS Z0, K1, (AX)
	VMOVUPS Z1, K1, (AX)(R11*1)
	VMOVUPS Z2, K1, (R13)
	VMOVUPS Z3, K1, (R13)(R11*1)

mpz_next4:
	ADDQ $64, AX
	SUBQ $16, BX
	JG   mpz_cols4
	LEAQ (SI)(R10*4), SI
	LEAQ (DI)(R11*4), DI
	SUBQ $4, oh+40(FP)
	JMP  mpz_rows4

mpz_rows1:
	CMPQ oh+40(FP), $0
	JLE  mpz_done
	MOVQ SI, R12
	MOVQ DI, AX
	MOVQ ow+32(FP), BX

mpz_cols1:
	VMOVAPS Z15, Z0
	MOVQ R12, R13
	MOVQ kh+48(FP), R15
	CMPQ sw+72(FP), $2
	JEQ  mpz_s2_1_i

mpz_s1_1_i:
	MOVQ R13, R14
	MOVQ kw+56(FP), CX

mpz_s1_1_j:
	VMOVUPS (R14), Z4
	MAXNANZ(Z4, Z0, K2)
	ADDQ $4, R14
	DECQ CX
	JNZ  mpz_s1_1_j
	ADDQ R8, R13
	DECQ R15
	JNZ  mpz_s1_1_i
	ADDQ $64, R12
	JMP  mpz_store1

mpz_s2_1_i:
	MOVQ R13, R14
	MOVQ kw+56(FP), CX

mpz_s2_1_j:
	VMOVUPS   (R14), Z4
	VPERMT2PS 64(R14), Z28, Z4
	MAXNANZ(Z4, Z0, K2)
	ADDQ $4, R14
	DECQ CX
	JNZ  mpz_s2_1_j
	ADDQ R8, R13
	DECQ R15
	JNZ  mpz_s2_1_i
	ADDQ $128, R12

mpz_store1:
	CMPQ BX, $16
	JLT  mpz_tail1
	VMOVUPS Z0, (AX)
	JMP  mpz_next1

mpz_tail1:
	KMOVW   (R9)(BX*2), K1
	VMOVUPS Z0, K1, (AX)

mpz_next1:
	ADDQ $64, AX
	SUBQ $16, BX
	JG   mpz_cols1
	ADDQ R10, SI
	ADDQ R11, DI
	DECQ oh+40(FP)
	JMP  mpz_rows1

mpz_done:
	VZEROUPPER
	RET
