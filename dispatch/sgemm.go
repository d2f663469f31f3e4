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
	r := (*[4]float32)(c[0:4])
	r[0] += c00
	r[1] += c01
	r[2] += c02
	r[3] += c03
	r = (*[4]float32)(c[ldc : ldc+4])
	r[0] += c10
	r[1] += c11
	r[2] += c12
	r[3] += c13
}

// sgemmCheck panics unless the buffers hold what a mr×nr micro-kernel call
// reads and writes: the SIMD wrappers call it before entering assembly.
func sgemmCheck(kc int, a, b, c []float32, ldc, mr, nr int) {
	if kc < 0 || ldc < nr || len(a) < kc*mr || len(b) < kc*nr || len(c) < (mr-1)*ldc+nr {
		panic("dispatch: SgemmMicroF32 buffers too short for the tile")
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
