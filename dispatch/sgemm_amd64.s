//go:build amd64 && !purego

#include "textflag.h"

// float32 GEMM micro-kernels (the SgemmMicroF32 and SgemmMicroStoreF32
// entries). The Go
// declarations in plug_amd64.go give the loop each one computes. A is a
// packed panel of MR values per step, B a packed panel of NR values per
// step; the MR×NR tile of C is held in 2*MR vector accumulators (two
// vectors per row), each step loads the two B vectors, broadcasts the MR
// values of A one by one and issues 2*MR fused multiply-adds. At the end
// the accumulators are added into C, row i at c + i*ldc, or stored there
// when store is non-zero (SgemmMicroStoreF32: C is not read).

// sgemm6x16AVX2: 6×16 tile, 12 YMM accumulators.
// func sgemm6x16AVX2(kc int, a, b, c *float32, ldc int, store int)
TEXT ·sgemm6x16AVX2(SB), NOSPLIT, $0-48
	MOVQ    kc+0(FP), CX
	MOVQ    a+8(FP), SI
	MOVQ    b+16(FP), DI
	MOVQ    c+24(FP), DX
	MOVQ    ldc+32(FP), R8
	MOVQ    store+40(FP), R9
	SHLQ    $2, R8
	VXORPS  Y4, Y4, Y4
	VXORPS  Y5, Y5, Y5
	VXORPS  Y6, Y6, Y6
	VXORPS  Y7, Y7, Y7
	VXORPS  Y8, Y8, Y8
	VXORPS  Y9, Y9, Y9
	VXORPS  Y10, Y10, Y10
	VXORPS  Y11, Y11, Y11
	VXORPS  Y12, Y12, Y12
	VXORPS  Y13, Y13, Y13
	VXORPS  Y14, Y14, Y14
	VXORPS  Y15, Y15, Y15
	TESTQ   CX, CX
	JZ      sgemm6x16AVX2_store

sgemm6x16AVX2_loop:
	VMOVUPS 0(DI), Y0
	VMOVUPS 32(DI), Y1
	VBROADCASTSS 0(SI), Y2
	VFMADD231PS Y0, Y2, Y4
	VFMADD231PS Y1, Y2, Y5
	VBROADCASTSS 4(SI), Y3
	VFMADD231PS Y0, Y3, Y6
	VFMADD231PS Y1, Y3, Y7
	VBROADCASTSS 8(SI), Y2
	VFMADD231PS Y0, Y2, Y8
	VFMADD231PS Y1, Y2, Y9
	VBROADCASTSS 12(SI), Y3
	VFMADD231PS Y0, Y3, Y10
	VFMADD231PS Y1, Y3, Y11
	VBROADCASTSS 16(SI), Y2
	VFMADD231PS Y0, Y2, Y12
	VFMADD231PS Y1, Y2, Y13
	VBROADCASTSS 20(SI), Y3
	VFMADD231PS Y0, Y3, Y14
	VFMADD231PS Y1, Y3, Y15
	ADDQ    $24, SI
	ADDQ    $64, DI
	DECQ    CX
	JNZ     sgemm6x16AVX2_loop

sgemm6x16AVX2_store:
	TESTQ   R9, R9
	JNZ     sgemm6x16AVX2_put
	VADDPS  0(DX), Y4, Y4
	VADDPS  32(DX), Y5, Y5
	VMOVUPS Y4, 0(DX)
	VMOVUPS Y5, 32(DX)
	ADDQ    R8, DX
	VADDPS  0(DX), Y6, Y6
	VADDPS  32(DX), Y7, Y7
	VMOVUPS Y6, 0(DX)
	VMOVUPS Y7, 32(DX)
	ADDQ    R8, DX
	VADDPS  0(DX), Y8, Y8
	VADDPS  32(DX), Y9, Y9
	VMOVUPS Y8, 0(DX)
	VMOVUPS Y9, 32(DX)
	ADDQ    R8, DX
	VADDPS  0(DX), Y10, Y10
	VADDPS  32(DX), Y11, Y11
	VMOVUPS Y10, 0(DX)
	VMOVUPS Y11, 32(DX)
	ADDQ    R8, DX
	VADDPS  0(DX), Y12, Y12
	VADDPS  32(DX), Y13, Y13
	VMOVUPS Y12, 0(DX)
	VMOVUPS Y13, 32(DX)
	ADDQ    R8, DX
	VADDPS  0(DX), Y14, Y14
	VADDPS  32(DX), Y15, Y15
	VMOVUPS Y14, 0(DX)
	VMOVUPS Y15, 32(DX)
	VZEROUPPER
	RET

sgemm6x16AVX2_put:
	VMOVUPS Y4, 0(DX)
	VMOVUPS Y5, 32(DX)
	ADDQ    R8, DX
	VMOVUPS Y6, 0(DX)
	VMOVUPS Y7, 32(DX)
	ADDQ    R8, DX
	VMOVUPS Y8, 0(DX)
	VMOVUPS Y9, 32(DX)
	ADDQ    R8, DX
	VMOVUPS Y10, 0(DX)
	VMOVUPS Y11, 32(DX)
	ADDQ    R8, DX
	VMOVUPS Y12, 0(DX)
	VMOVUPS Y13, 32(DX)
	ADDQ    R8, DX
	VMOVUPS Y14, 0(DX)
	VMOVUPS Y15, 32(DX)
	VZEROUPPER
	RET

// sgemm6x32AVX512: the AVX2 kernel on 16-lane ZMM registers, a 6×32 tile
// with 12 ZMM accumulators (zeroed with VPXORD: VXORPS on ZMM needs
// AVX-512 DQ).
// func sgemm6x32AVX512(kc int, a, b, c *float32, ldc int, store int)
TEXT ·sgemm6x32AVX512(SB), NOSPLIT, $0-48
	MOVQ    kc+0(FP), CX
	MOVQ    a+8(FP), SI
	MOVQ    b+16(FP), DI
	MOVQ    c+24(FP), DX
	MOVQ    ldc+32(FP), R8
	MOVQ    store+40(FP), R9
	SHLQ    $2, R8
	VPXORD  Z4, Z4, Z4
	VPXORD  Z5, Z5, Z5
	VPXORD  Z6, Z6, Z6
	VPXORD  Z7, Z7, Z7
	VPXORD  Z8, Z8, Z8
	VPXORD  Z9, Z9, Z9
	VPXORD  Z10, Z10, Z10
	VPXORD  Z11, Z11, Z11
	VPXORD  Z12, Z12, Z12
	VPXORD  Z13, Z13, Z13
	VPXORD  Z14, Z14, Z14
	VPXORD  Z15, Z15, Z15
	TESTQ   CX, CX
	JZ      sgemm6x32AVX512_store

sgemm6x32AVX512_loop:
	VMOVUPS 0(DI), Z0
	VMOVUPS 64(DI), Z1
	VBROADCASTSS 0(SI), Z2
	VFMADD231PS Z0, Z2, Z4
	VFMADD231PS Z1, Z2, Z5
	VBROADCASTSS 4(SI), Z3
	VFMADD231PS Z0, Z3, Z6
	VFMADD231PS Z1, Z3, Z7
	VBROADCASTSS 8(SI), Z2
	VFMADD231PS Z0, Z2, Z8
	VFMADD231PS Z1, Z2, Z9
	VBROADCASTSS 12(SI), Z3
	VFMADD231PS Z0, Z3, Z10
	VFMADD231PS Z1, Z3, Z11
	VBROADCASTSS 16(SI), Z2
	VFMADD231PS Z0, Z2, Z12
	VFMADD231PS Z1, Z2, Z13
	VBROADCASTSS 20(SI), Z3
	VFMADD231PS Z0, Z3, Z14
	VFMADD231PS Z1, Z3, Z15
	ADDQ    $24, SI
	ADDQ    $128, DI
	DECQ    CX
	JNZ     sgemm6x32AVX512_loop

sgemm6x32AVX512_store:
	TESTQ   R9, R9
	JNZ     sgemm6x32AVX512_put
	VADDPS  0(DX), Z4, Z4
	VADDPS  64(DX), Z5, Z5
	VMOVUPS Z4, 0(DX)
	VMOVUPS Z5, 64(DX)
	ADDQ    R8, DX
	VADDPS  0(DX), Z6, Z6
	VADDPS  64(DX), Z7, Z7
	VMOVUPS Z6, 0(DX)
	VMOVUPS Z7, 64(DX)
	ADDQ    R8, DX
	VADDPS  0(DX), Z8, Z8
	VADDPS  64(DX), Z9, Z9
	VMOVUPS Z8, 0(DX)
	VMOVUPS Z9, 64(DX)
	ADDQ    R8, DX
	VADDPS  0(DX), Z10, Z10
	VADDPS  64(DX), Z11, Z11
	VMOVUPS Z10, 0(DX)
	VMOVUPS Z11, 64(DX)
	ADDQ    R8, DX
	VADDPS  0(DX), Z12, Z12
	VADDPS  64(DX), Z13, Z13
	VMOVUPS Z12, 0(DX)
	VMOVUPS Z13, 64(DX)
	ADDQ    R8, DX
	VADDPS  0(DX), Z14, Z14
	VADDPS  64(DX), Z15, Z15
	VMOVUPS Z14, 0(DX)
	VMOVUPS Z15, 64(DX)
	VZEROUPPER
	RET

sgemm6x32AVX512_put:
	VMOVUPS Z4, 0(DX)
	VMOVUPS Z5, 64(DX)
	ADDQ    R8, DX
	VMOVUPS Z6, 0(DX)
	VMOVUPS Z7, 64(DX)
	ADDQ    R8, DX
	VMOVUPS Z8, 0(DX)
	VMOVUPS Z9, 64(DX)
	ADDQ    R8, DX
	VMOVUPS Z10, 0(DX)
	VMOVUPS Z11, 64(DX)
	ADDQ    R8, DX
	VMOVUPS Z12, 0(DX)
	VMOVUPS Z13, 64(DX)
	ADDQ    R8, DX
	VMOVUPS Z14, 0(DX)
	VMOVUPS Z15, 64(DX)
	VZEROUPPER
	RET

// Clamp (the ClampF32 entry): x = min(max(x, lo), hi) in place. In Go's
// operand order "VMAXPS X, LO, R" is Intel's "vmaxps r, lo, x", which
// returns its last operand, x, when the two are equal (zeros of either
// sign) or either is NaN; VMINPS likewise. So NaN stays NaN and a zero at
// a bound keeps its sign, as in the reference loop.

// func clampF32AVX2(x []float32, lo, hi float32) (done int)
TEXT ·clampF32AVX2(SB), NOSPLIT, $0-40
	MOVQ    x_base+0(FP), SI
	MOVQ    x_len+8(FP), CX
	ANDQ    $-8, CX
	MOVQ    CX, done+32(FP)
	VBROADCASTSS lo+24(FP), Y14
	VBROADCASTSS hi+28(FP), Y15
	MOVQ    CX, DX
	ANDQ    $-32, DX
	XORQ    AX, AX

clampF32AVX2_loop4:
	CMPQ    AX, DX
	JGE     clampF32AVX2_loop1
	VMOVUPS 0(SI)(AX*4), Y0
	VMOVUPS 32(SI)(AX*4), Y1
	VMOVUPS 64(SI)(AX*4), Y2
	VMOVUPS 96(SI)(AX*4), Y3
	VMAXPS  Y0, Y14, Y0
	VMINPS  Y0, Y15, Y0
	VMAXPS  Y1, Y14, Y1
	VMINPS  Y1, Y15, Y1
	VMAXPS  Y2, Y14, Y2
	VMINPS  Y2, Y15, Y2
	VMAXPS  Y3, Y14, Y3
	VMINPS  Y3, Y15, Y3
	VMOVUPS Y0, 0(SI)(AX*4)
	VMOVUPS Y1, 32(SI)(AX*4)
	VMOVUPS Y2, 64(SI)(AX*4)
	VMOVUPS Y3, 96(SI)(AX*4)
	ADDQ    $32, AX
	JMP     clampF32AVX2_loop4

clampF32AVX2_loop1:
	CMPQ    AX, CX
	JGE     clampF32AVX2_done
	VMOVUPS (SI)(AX*4), Y0
	VMAXPS  Y0, Y14, Y0
	VMINPS  Y0, Y15, Y0
	VMOVUPS Y0, (SI)(AX*4)
	ADDQ    $8, AX
	JMP     clampF32AVX2_loop1

clampF32AVX2_done:
	VZEROUPPER
	RET

// func clampF32AVX512(x []float32, lo, hi float32) (done int)
TEXT ·clampF32AVX512(SB), NOSPLIT, $0-40
	MOVQ    x_base+0(FP), SI
	MOVQ    x_len+8(FP), CX
	ANDQ    $-16, CX
	MOVQ    CX, done+32(FP)
	VBROADCASTSS lo+24(FP), Z14
	VBROADCASTSS hi+28(FP), Z15
	MOVQ    CX, DX
	ANDQ    $-64, DX
	XORQ    AX, AX

clampF32AVX512_loop4:
	CMPQ    AX, DX
	JGE     clampF32AVX512_loop1
	VMOVUPS 0(SI)(AX*4), Z0
	VMOVUPS 64(SI)(AX*4), Z1
	VMOVUPS 128(SI)(AX*4), Z2
	VMOVUPS 192(SI)(AX*4), Z3
	VMAXPS  Z0, Z14, Z0
	VMINPS  Z0, Z15, Z0
	VMAXPS  Z1, Z14, Z1
	VMINPS  Z1, Z15, Z1
	VMAXPS  Z2, Z14, Z2
	VMINPS  Z2, Z15, Z2
	VMAXPS  Z3, Z14, Z3
	VMINPS  Z3, Z15, Z3
	VMOVUPS Z0, 0(SI)(AX*4)
	VMOVUPS Z1, 64(SI)(AX*4)
	VMOVUPS Z2, 128(SI)(AX*4)
	VMOVUPS Z3, 192(SI)(AX*4)
	ADDQ    $64, AX
	JMP     clampF32AVX512_loop4

clampF32AVX512_loop1:
	CMPQ    AX, CX
	JGE     clampF32AVX512_done
	VMOVUPS (SI)(AX*4), Z0
	VMAXPS  Z0, Z14, Z0
	VMINPS  Z0, Z15, Z0
	VMOVUPS Z0, (SI)(AX*4)
	ADDQ    $16, AX
	JMP     clampF32AVX512_loop1

clampF32AVX512_done:
	VZEROUPPER
	RET
