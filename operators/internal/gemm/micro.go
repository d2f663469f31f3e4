package gemm

// micro4x8 is a 4×8 tile held in 32 scalar
// accumulators. Converting each step's slices to array pointers hoists the
// bounds checks out of the multiply-adds.
func micro4x8[T Float](kc int, a, b, c []T, ldc int) {
	var (
		c00, c01, c02, c03, c04, c05, c06, c07 T
		c10, c11, c12, c13, c14, c15, c16, c17 T
		c20, c21, c22, c23, c24, c25, c26, c27 T
		c30, c31, c32, c33, c34, c35, c36, c37 T
	)
	a = a[:kc*4]
	b = b[:kc*8]
	for len(a) >= 4 && len(b) >= 8 {
		ap := (*[4]T)(a)
		bp := (*[8]T)(b)
		b0, b1, b2, b3, b4, b5, b6, b7 := bp[0], bp[1], bp[2], bp[3], bp[4], bp[5], bp[6], bp[7]
		a0 := ap[0]
		c00 += a0 * b0
		c01 += a0 * b1
		c02 += a0 * b2
		c03 += a0 * b3
		c04 += a0 * b4
		c05 += a0 * b5
		c06 += a0 * b6
		c07 += a0 * b7
		a1 := ap[1]
		c10 += a1 * b0
		c11 += a1 * b1
		c12 += a1 * b2
		c13 += a1 * b3
		c14 += a1 * b4
		c15 += a1 * b5
		c16 += a1 * b6
		c17 += a1 * b7
		a2 := ap[2]
		c20 += a2 * b0
		c21 += a2 * b1
		c22 += a2 * b2
		c23 += a2 * b3
		c24 += a2 * b4
		c25 += a2 * b5
		c26 += a2 * b6
		c27 += a2 * b7
		a3 := ap[3]
		c30 += a3 * b0
		c31 += a3 * b1
		c32 += a3 * b2
		c33 += a3 * b3
		c34 += a3 * b4
		c35 += a3 * b5
		c36 += a3 * b6
		c37 += a3 * b7
		a = a[4:]
		b = b[8:]
	}
	r := (*[8]T)(c[0:8])
	r[0] += c00
	r[1] += c01
	r[2] += c02
	r[3] += c03
	r[4] += c04
	r[5] += c05
	r[6] += c06
	r[7] += c07
	r = (*[8]T)(c[ldc : ldc+8])
	r[0] += c10
	r[1] += c11
	r[2] += c12
	r[3] += c13
	r[4] += c14
	r[5] += c15
	r[6] += c16
	r[7] += c17
	r = (*[8]T)(c[2*ldc : 2*ldc+8])
	r[0] += c20
	r[1] += c21
	r[2] += c22
	r[3] += c23
	r[4] += c24
	r[5] += c25
	r[6] += c26
	r[7] += c27
	r = (*[8]T)(c[3*ldc : 3*ldc+8])
	r[0] += c30
	r[1] += c31
	r[2] += c32
	r[3] += c33
	r[4] += c34
	r[5] += c35
	r[6] += c36
	r[7] += c37
}

// micro4x4 is a 4×4 tile (16 accumulators, some of which spill).
func micro4x4[T Float](kc int, a, b, c []T, ldc int) {
	var (
		c00, c01, c02, c03 T
		c10, c11, c12, c13 T
		c20, c21, c22, c23 T
		c30, c31, c32, c33 T
	)
	a = a[:kc*4]
	b = b[:kc*4]
	for len(a) >= 4 && len(b) >= 4 {
		ap := (*[4]T)(a)
		bp := (*[4]T)(b)
		b0, b1, b2, b3 := bp[0], bp[1], bp[2], bp[3]
		a0, a1, a2, a3 := ap[0], ap[1], ap[2], ap[3]
		c00 += a0 * b0
		c01 += a0 * b1
		c02 += a0 * b2
		c03 += a0 * b3
		c10 += a1 * b0
		c11 += a1 * b1
		c12 += a1 * b2
		c13 += a1 * b3
		c20 += a2 * b0
		c21 += a2 * b1
		c22 += a2 * b2
		c23 += a2 * b3
		c30 += a3 * b0
		c31 += a3 * b1
		c32 += a3 * b2
		c33 += a3 * b3
		a = a[4:]
		b = b[4:]
	}
	r := (*[4]T)(c[0:4])
	r[0] += c00
	r[1] += c01
	r[2] += c02
	r[3] += c03
	r = (*[4]T)(c[ldc : ldc+4])
	r[0] += c10
	r[1] += c11
	r[2] += c12
	r[3] += c13
	r = (*[4]T)(c[2*ldc : 2*ldc+4])
	r[0] += c20
	r[1] += c21
	r[2] += c22
	r[3] += c23
	r = (*[4]T)(c[3*ldc : 3*ldc+4])
	r[0] += c30
	r[1] += c31
	r[2] += c32
	r[3] += c33
}

// micro2x4 is a 2×4 tile: its 8 accumulators, 2 A values and the B value
// in flight fit in the SSE registers Go allocates, so the loop runs
// without spills. The k loop is unrolled four times by hand (Go does not
// unroll), which amortises the slice updates and bounds checks: 1.5x in
// isolation.
func micro2x4[T Float](kc int, a, b, c []T, ldc int) { micro2x4Into(kc, a, b, c, ldc, false) }

// micro2x4Store is micro2x4 storing the product into the tile (the
// engine's store kernel for its first k-block).
func micro2x4Store[T Float](kc int, a, b, c []T, ldc int) { micro2x4Into(kc, a, b, c, ldc, true) }

// micro2x4Into sums the 2×4 product in registers, then adds it into the
// tile or, with store, overwrites the tile with it.
func micro2x4Into[T Float](kc int, a, b, c []T, ldc int, store bool) {
	var c00, c01, c02, c03, c10, c11, c12, c13 T
	a = a[:kc*2]
	b = b[:kc*4]
	for len(a) >= 8 && len(b) >= 16 {
		ap := (*[8]T)(a)
		bp := (*[16]T)(b)
		a0, a1 := ap[0], ap[1]
		b0 := bp[0]
		c00 += a0 * b0
		c10 += a1 * b0
		b1 := bp[1]
		c01 += a0 * b1
		c11 += a1 * b1
		b2 := bp[2]
		c02 += a0 * b2
		c12 += a1 * b2
		b3 := bp[3]
		c03 += a0 * b3
		c13 += a1 * b3
		a0, a1 = ap[2], ap[3]
		b0 = bp[4]
		c00 += a0 * b0
		c10 += a1 * b0
		b1 = bp[5]
		c01 += a0 * b1
		c11 += a1 * b1
		b2 = bp[6]
		c02 += a0 * b2
		c12 += a1 * b2
		b3 = bp[7]
		c03 += a0 * b3
		c13 += a1 * b3
		a0, a1 = ap[4], ap[5]
		b0 = bp[8]
		c00 += a0 * b0
		c10 += a1 * b0
		b1 = bp[9]
		c01 += a0 * b1
		c11 += a1 * b1
		b2 = bp[10]
		c02 += a0 * b2
		c12 += a1 * b2
		b3 = bp[11]
		c03 += a0 * b3
		c13 += a1 * b3
		a0, a1 = ap[6], ap[7]
		b0 = bp[12]
		c00 += a0 * b0
		c10 += a1 * b0
		b1 = bp[13]
		c01 += a0 * b1
		c11 += a1 * b1
		b2 = bp[14]
		c02 += a0 * b2
		c12 += a1 * b2
		b3 = bp[15]
		c03 += a0 * b3
		c13 += a1 * b3
		a = a[8:]
		b = b[16:]
	}
	for len(a) >= 2 && len(b) >= 4 {
		ap := (*[2]T)(a)
		bp := (*[4]T)(b)
		a0, a1 := ap[0], ap[1]
		b0 := bp[0]
		c00 += a0 * b0
		c10 += a1 * b0
		b1 := bp[1]
		c01 += a0 * b1
		c11 += a1 * b1
		b2 := bp[2]
		c02 += a0 * b2
		c12 += a1 * b2
		b3 := bp[3]
		c03 += a0 * b3
		c13 += a1 * b3
		a = a[2:]
		b = b[4:]
	}
	r0 := (*[4]T)(c[0:4])
	r1 := (*[4]T)(c[ldc : ldc+4])
	if store {
		*r0 = [4]T{c00, c01, c02, c03}
		*r1 = [4]T{c10, c11, c12, c13}
		return
	}
	r0[0] += c00
	r0[1] += c01
	r0[2] += c02
	r0[3] += c03
	r1[0] += c10
	r1[1] += c11
	r1[2] += c12
	r1[3] += c13
}

// micro4x2 is the transposed shape of micro2x4.
func micro4x2[T Float](kc int, a, b, c []T, ldc int) {
	var c00, c01, c10, c11, c20, c21, c30, c31 T
	a = a[:kc*4]
	b = b[:kc*2]
	for len(a) >= 4 && len(b) >= 2 {
		ap := (*[4]T)(a)
		bp := (*[2]T)(b)
		b0, b1 := bp[0], bp[1]
		a0 := ap[0]
		c00 += a0 * b0
		c01 += a0 * b1
		a1 := ap[1]
		c10 += a1 * b0
		c11 += a1 * b1
		a2 := ap[2]
		c20 += a2 * b0
		c21 += a2 * b1
		a3 := ap[3]
		c30 += a3 * b0
		c31 += a3 * b1
		a = a[4:]
		b = b[2:]
	}
	r := (*[2]T)(c[0:2])
	r[0] += c00
	r[1] += c01
	r = (*[2]T)(c[ldc : ldc+2])
	r[0] += c10
	r[1] += c11
	r = (*[2]T)(c[2*ldc : 2*ldc+2])
	r[0] += c20
	r[1] += c21
	r = (*[2]T)(c[3*ldc : 3*ldc+2])
	r[0] += c30
	r[1] += c31
}
