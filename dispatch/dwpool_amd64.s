//go:build amd64 && !purego

// Depthwise 3×3 convolution and max pooling over blocks of output rows
// (the DwConv3x3F32 and MaxPoolF32 entries).
//
// Both kernels compute four output rows at a time, one vector of columns
// per row, so that four independent chains of fused multiply-adds (or of
// maxima) are in flight whatever the width of the plane; leftover rows go
// one at a time. The last vector of a row is stored through a lane mask,
// so a row of any width is done here; its loads may run past the row's
// last tap (the Go wrapper checks they stay inside the source).
//
// Stride 2 loads 16 consecutive inputs and keeps the even ones with
// VSHUFPS $0x88 (the odd ones with $0xDD). Within each 128-bit lane that
// gives outputs 0,1,4,5 | 2,3,6,7; as every tap is in the same order, one
// VPERMPD $0xD8 of the result restores it. AVX-512 does the same with
// VPERMT2PS, which selects across the two loads directly.
//
// Operand order: Go's "VMAXPS A, B, D" is Intel's "vmaxps d, b, a", which
// returns its last operand, a, when the two are equal or either is NaN.

#include "textflag.h"

// dwmask<>+4*(8-r) holds r lanes of ones followed by zeros (AVX2 tails).
DATA dwmask<>+0(SB)/4, $0xffffffff
DATA dwmask<>+4(SB)/4, $0xffffffff
DATA dwmask<>+8(SB)/4, $0xffffffff
DATA dwmask<>+12(SB)/4, $0xffffffff
DATA dwmask<>+16(SB)/4, $0xffffffff
DATA dwmask<>+20(SB)/4, $0xffffffff
DATA dwmask<>+24(SB)/4, $0xffffffff
DATA dwmask<>+28(SB)/4, $0xffffffff
DATA dwmask<>+32(SB)/4, $0
DATA dwmask<>+36(SB)/4, $0
DATA dwmask<>+40(SB)/4, $0
DATA dwmask<>+44(SB)/4, $0
DATA dwmask<>+48(SB)/4, $0
DATA dwmask<>+52(SB)/4, $0
DATA dwmask<>+56(SB)/4, $0
DATA dwmask<>+60(SB)/4, $0
GLOBL dwmask<>(SB), RODATA|NOPTR, $64

// ---- depthwise 3×3, AVX2 ----
//
// Y0-Y8 the nine weights, Y9-Y12 the accumulators of four output rows,
// Y13-Y15 scratch. R8 = source pitch in bytes, R10 = source bytes per
// output row (sh*pitch), R11 = destination pitch in bytes, R9 = dwmask.

// DW1ROW adds the nine taps of one output row at stride 1: the window's
// three input rows start at p, p+R8 and p+2*R8.
#define DW1ROW(p, acc) \
	VFMADD231PS 0(p), Y0, acc; \
	VFMADD231PS 4(p), Y1, acc; \
	VFMADD231PS 8(p), Y2, acc; \
	VFMADD231PS 0(p)(R8*1), Y3, acc; \
	VFMADD231PS 4(p)(R8*1), Y4, acc; \
	VFMADD231PS 8(p)(R8*1), Y5, acc; \
	VFMADD231PS 0(p)(R8*2), Y6, acc; \
	VFMADD231PS 4(p)(R8*2), Y7, acc; \
	VFMADD231PS 8(p)(R8*2), Y8, acc

// DW2TAPS adds one input row's three taps at stride 2: A, B are the 16
// inputs from the window's first column, C, D those from its third.
#define DW2TAPS(A, B, C, D, wa, wb, wc, acc) \
	VMOVUPS A, Y13; \
	VSHUFPS $0xDD, B, Y13, Y14; \
	VSHUFPS $0x88, B, Y13, Y13; \
	VMOVUPS C, Y15; \
	VSHUFPS $0x88, D, Y15, Y15; \
	VFMADD231PS Y13, wa, acc; \
	VFMADD231PS Y14, wb, acc; \
	VFMADD231PS Y15, wc, acc

#define DW2ROW(p, acc) \
	DW2TAPS(0(p), 32(p), 8(p), 40(p), Y0, Y1, Y2, acc); \
	DW2TAPS(0(p)(R8*1), 32(p)(R8*1), 8(p)(R8*1), 40(p)(R8*1), Y3, Y4, Y5, acc); \
	DW2TAPS(0(p)(R8*2), 32(p)(R8*2), 8(p)(R8*2), 40(p)(R8*2), Y6, Y7, Y8, acc)

#define DWCLAMP(acc) \
	VMAXPS acc, Y13, acc; \
	VMINPS acc, Y14, acc

// func dwConv3x3AVX2(dst *float32, dpitch int, src *float32, spitch, ow, oh, sh, sw int, w *float32, b, lo, hi float32)
TEXT ·dwConv3x3AVX2(SB), NOSPLIT, $0-84
	LEAQ  dwmask<>(SB), R9
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
	VBROADCASTSS 0(AX), Y0
	VBROADCASTSS 4(AX), Y1
	VBROADCASTSS 8(AX), Y2
	VBROADCASTSS 12(AX), Y3
	VBROADCASTSS 16(AX), Y4
	VBROADCASTSS 20(AX), Y5
	VBROADCASTSS 24(AX), Y6
	VBROADCASTSS 28(AX), Y7
	VBROADCASTSS 32(AX), Y8

dw_rows4:
	CMPQ DX, $4
	JLT  dw_rows1
	MOVQ SI, R12
	MOVQ DI, AX
	MOVQ ow+32(FP), BX

dw_cols4:
	LEAQ (R12)(R10*1), R13
	LEAQ (R13)(R10*1), R14
	LEAQ (R14)(R10*1), R15
	VBROADCASTSS b+72(FP), Y9
	VMOVAPS Y9, Y10
	VMOVAPS Y9, Y11
	VMOVAPS Y9, Y12
	CMPQ sw+56(FP), $2
	JEQ  dw_s2_4
	DW1ROW(R12, Y9)
	DW1ROW(R13, Y10)
	DW1ROW(R14, Y11)
	DW1ROW(R15, Y12)
	ADDQ $32, R12
	JMP  dw_clamp4

dw_s2_4:
	DW2ROW(R12, Y9)
	DW2ROW(R13, Y10)
	DW2ROW(R14, Y11)
	DW2ROW(R15, Y12)
	VPERMPD $0xD8, Y9, Y9
	VPERMPD $0xD8, Y10, Y10
	VPERMPD $0xD8, Y11, Y11
	VPERMPD $0xD8, Y12, Y12
	ADDQ $64, R12

dw_clamp4:
	VBROADCASTSS lo+76(FP), Y13
	VBROADCASTSS hi+80(FP), Y14
	DWCLAMP(Y9)
	DWCLAMP(Y10)
	DWCLAMP(Y11)
	DWCLAMP(Y12)
	LEAQ (AX)(R11*2), R13
	CMPQ BX, $8
	JLT  dw_tail4
	VMOVUPS Y9, (AX)
	VMOVUPS Y10, (AX)(R11*1)
	VMOVUPS Y11, (R13)
	VMOVUPS Y12, (R13)(R11*1)
	JMP  dw_next4

dw_tail4:
	MOVQ    BX, R14
	NEGQ    R14
	VMOVDQU 32(R9)(R14*4), Y15
	VMASKMOVPS Y9, Y15, (AX)
	VMASKMOVPS Y10, Y15, (AX)(R11*1)
	VMASKMOVPS Y11, Y15, (R13)
	VMASKMOVPS Y12, Y15, (R13)(R11*1)

dw_next4:
	ADDQ $32, AX
	SUBQ $8, BX
	JG   dw_cols4
	LEAQ (SI)(R10*4), SI
	LEAQ (DI)(R11*4), DI
	SUBQ $4, DX
	JMP  dw_rows4

dw_rows1:
	TESTQ DX, DX
	JLE   dw_done
	MOVQ  SI, R12
	MOVQ  DI, AX
	MOVQ  ow+32(FP), BX

dw_cols1:
	VBROADCASTSS b+72(FP), Y9
	CMPQ sw+56(FP), $2
	JEQ  dw_s2_1
	DW1ROW(R12, Y9)
	ADDQ $32, R12
	JMP  dw_clamp1

dw_s2_1:
	DW2ROW(R12, Y9)
	VPERMPD $0xD8, Y9, Y9
	ADDQ $64, R12

dw_clamp1:
	VBROADCASTSS lo+76(FP), Y13
	VBROADCASTSS hi+80(FP), Y14
	DWCLAMP(Y9)
	CMPQ BX, $8
	JLT  dw_tail1
	VMOVUPS Y9, (AX)
	JMP  dw_next1

dw_tail1:
	MOVQ    BX, R14
	NEGQ    R14
	VMOVDQU 32(R9)(R14*4), Y15
	VMASKMOVPS Y9, Y15, (AX)

dw_next1:
	ADDQ $32, AX
	SUBQ $8, BX
	JG   dw_cols1
	ADDQ R10, SI
	ADDQ R11, DI
	DECQ DX
	JMP  dw_rows1

dw_done:
	VZEROUPPER
	RET

// ---- max pooling, AVX2 ----
//
// Y0-Y3 the maxima of four output rows, Y4-Y11 scratch, Y15 = -Inf. The
// window is walked tap by tap: R13 points at the current window row of
// output row 0, R14 at the current tap; row r's tap is r*R10 further.

// MAXNAN folds v into acc: acc = max(v, acc), then v wherever v is NaN
// (a NaN already in acc stays, as vmaxps returns acc then).
#define MAXNAN(v, acc, t) \
	VCMPPS    $3, v, v, t; \
	VMAXPS    acc, v, acc; \
	VBLENDVPS t, v, acc, acc

// MPLOAD4 loads tap (R14) of the four rows at stride 1.
#define MPLOAD4 \
	VMOVUPS (R14), Y4; \
	VMOVUPS (R14)(R10*1), Y5; \
	VMOVUPS (R14)(R10*2), Y6; \
	LEAQ    (R14)(R10*2), DX; \
	VMOVUPS (DX)(R10*1), Y7

// MPLOAD4S2 loads tap (R14) of the four rows at stride 2 (shuffled order).
#define MPLOAD4S2 \
	VMOVUPS (R14), Y4; \
	VSHUFPS $0x88, 32(R14), Y4, Y4; \
	VMOVUPS (R14)(R10*1), Y5; \
	VSHUFPS $0x88, 32(R14)(R10*1), Y5, Y5; \
	VMOVUPS (R14)(R10*2), Y6; \
	VSHUFPS $0x88, 32(R14)(R10*2), Y6, Y6; \
	LEAQ    (R14)(R10*2), DX; \
	VMOVUPS (DX)(R10*1), Y7; \
	VSHUFPS $0x88, 32(DX)(R10*1), Y7, Y7

#define MPFOLD4 \
	MAXNAN(Y4, Y0, Y8); \
	MAXNAN(Y5, Y1, Y9); \
	MAXNAN(Y6, Y2, Y10); \
	MAXNAN(Y7, Y3, Y11)

// func maxPoolAVX2(dst *float32, dpitch int, src *float32, spitch, ow, oh, kh, kw, sh, sw int)
TEXT ·maxPoolAVX2(SB), NOSPLIT, $0-80
	LEAQ  dwmask<>(SB), R9
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
	VBROADCASTSS X15, Y15

mp_rows4:
	CMPQ oh+40(FP), $4
	JLT  mp_rows1
	MOVQ SI, R12
	MOVQ DI, AX
	MOVQ ow+32(FP), BX

mp_cols4:
	VMOVAPS Y15, Y0
	VMOVAPS Y15, Y1
	VMOVAPS Y15, Y2
	VMOVAPS Y15, Y3
	MOVQ R12, R13
	MOVQ kh+48(FP), R15
	CMPQ sw+72(FP), $2
	JEQ  mp_s2_4_i

mp_s1_4_i:
	MOVQ R13, R14
	MOVQ kw+56(FP), CX

mp_s1_4_j:
	MPLOAD4
	MPFOLD4
	ADDQ $4, R14
	DECQ CX
	JNZ  mp_s1_4_j
	ADDQ R8, R13
	DECQ R15
	JNZ  mp_s1_4_i
	ADDQ $32, R12
	JMP  mp_store4

mp_s2_4_i:
	MOVQ R13, R14
	MOVQ kw+56(FP), CX

mp_s2_4_j:
	MPLOAD4S2
	MPFOLD4
	ADDQ $4, R14
	DECQ CX
	JNZ  mp_s2_4_j
	ADDQ R8, R13
	DECQ R15
	JNZ  mp_s2_4_i
	VPERMPD $0xD8, Y0, Y0
	VPERMPD $0xD8, Y1, Y1
	VPERMPD $0xD8, Y2, Y2
	VPERMPD $0xD8, Y3, Y3
	ADDQ $64, R12

mp_store4:
	LEAQ (AX)(R11*2), R13
	CMPQ BX, $8
	JLT  mp_tail4
	VMOVUPS Y0, (AX)
	VMOVUPS Y1, (AX)(R11*1)
	VMOVUPS Y2, (R13)
	VMOVUPS Y3, (R13)(R11*1)
	JMP  mp_next4

mp_tail4:
	MOVQ    BX, R14
	NEGQ    R14
	VMOVDQU 32(R9)(R14*4), Y12
	VMASKMOVPS Y0, Y12, (AX)
	VMASKMOVPS Y1, Y12, (AX)(R11*1)
	VMASKMOVPS Y2, Y12, (R13)
	VMASKMOVPS Y3, Y12, (R13)(R11*1)

mp_next4:
	ADDQ $32, AX
	SUBQ $8, BX
	JG   mp_cols4
	LEAQ (SI)(R10*4), SI
	LEAQ (DI)(R11*4), DI
	SUBQ $4, oh+40(FP)
	JMP  mp_rows4

mp_rows1:
	CMPQ oh+40(FP), $0
	JLE  mp_done
	MOVQ SI, R12
	MOVQ DI, AX
	MOVQ ow+32(FP), BX

mp_cols1:
	VMOVAPS Y15, Y0
	MOVQ R12, R13
	MOVQ kh+48(FP), R15
	CMPQ sw+72(FP), $2
	JEQ  mp_s2_1_i

mp_s1_1_i:
	MOVQ R13, R14
	MOVQ kw+56(FP), CX

mp_s1_1_j:
	VMOVUPS (R14), Y4
	MAXNAN(Y4, Y0, Y8)
	ADDQ $4, R14
	DECQ CX
	JNZ  mp_s1_1_j
	ADDQ R8, R13
	DECQ R15
	JNZ  mp_s1_1_i
	ADDQ $32, R12
	JMP  mp_store1

mp_s2_1_i:
	MOVQ R13, R14
	MOVQ kw+56(FP), CX

mp_s2_1_j:
	VMOVUPS (R14), Y4
	VSHUFPS $0x88, 32(R14), Y4, Y4
	MAXNAN(Y4, Y0, Y8)
	ADDQ $4, R14
	DECQ CX
	JNZ  mp_s2_1_j
	ADDQ R8, R13
	DECQ R15
	JNZ  mp_s2_1_i
	VPERMPD $0xD8, Y0, Y0
	ADDQ $64, R12

mp_store1:
	CMPQ BX, $8
	JLT  mp_tail1
	VMOVUPS Y0, (AX)
	JMP  mp_next1

mp_tail1:
	MOVQ    BX, R14
	NEGQ    R14
	VMOVDQU 32(R9)(R14*4), Y12
	VMASKMOVPS Y0, Y12, (AX)

mp_next1:
	ADDQ $32, AX
	SUBQ $8, BX
	JG   mp_cols1
	ADDQ R10, SI
	ADDQ R11, DI
	DECQ oh+40(FP)
	JMP  mp_rows1

mp_done:
	VZEROUPPER
	RET
