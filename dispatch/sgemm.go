package dispatch

// Reference float32 GEMM micro-kernel (the SgemmMicroF32 entry of the
// generic table). A 2×4 tile keeps its eight accumulators in registers in
// compiled Go; bigger tiles spill.
const (
	sgemmGenericMR = 2
	sgemmGenericNR = 4
)

// sgemmMicroGeneric computes the loop documented on SgemmMicroF32 for a
// 2×4 tile.
func sgemmMicroGeneric(kc int, a, b, c []float32, ldc int) {
	sgemm2x4Generic(kc, a, b, c, ldc, false)
}

// sgemmMicroStoreGeneric is SgemmMicroStoreF32 for a 2×4 tile.
func sgemmMicroStoreGeneric(kc int, a, b, c []float32, ldc int) {
	sgemm2x4Generic(kc, a, b, c, ldc, true)
}

// sgemm2x4Generic sums the product of the panels in eight accumulators,
// then adds them into the tile, or stores them when store is set.
func sgemm2x4Generic(kc int, a, b, c []float32, ldc int, store bool) {
	var c00, c01, c02, c03, c10, c11, c12, c13 float32
	a = a[:kc*2]
	b = b[:kc*4]
	for len(a) >= 2 && len(b) >= 4 {
		ap := (*[2]float32)(a)
		bp := (*[4]float32)(b)
		a0, a1 := ap[0], ap[1]
		b0, b1, b2, b3 := bp[0], bp[1], bp[2], bp[3]
		c00 += a0 * b0
		c01 += a0 * b1
		c02 += a0 * b2
		c03 += a0 * b3
		c10 += a1 * b0
		c11 += a1 * b1
		c12 += a1 * b2
		c13 += a1 * b3
		a = a[2:]
		b = b[4:]
	}
	r0 := (*[4]float32)(c[0:4])
	r1 := (*[4]float32)(c[ldc : ldc+4])
	if store {
		*r0 = [4]float32{c00, c01, c02, c03}
		*r1 = [4]float32{c10, c11, c12, c13}
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

// sgemmCheck panics unless the buffers hold what a mr×nr micro-kernel call
// reads and writes: the SIMD wrappers call it before entering assembly.
func sgemmCheck(kc int, a, b, c []float32, ldc, mr, nr int) {
	if kc < 0 || ldc < nr || len(a) < kc*mr || len(b) < kc*nr || len(c) < (mr-1)*ldc+nr {
		panic("dispatch: SgemmMicroF32/SgemmMicroStoreF32 buffers too short for the tile")
	}
}

// sgemmClearTile zeroes an mr×nr tile of C: SgemmMicroStoreF32 with
// kc = 0.
func sgemmClearTile(c []float32, ldc, mr, nr int) {
	for i := range mr {
		clear(c[i*ldc : i*ldc+nr])
	}
}

// clampF32Generic is the reference ClampF32.
func clampF32Generic(x []float32, lo, hi float32) {
	for i, v := range x {
		if v < lo {
			v = lo
		}
		if v > hi {
			v = hi
		}
		x[i] = v
	}
}
