package qgemm

import "github.com/onnxrun/onnxrun/operators"

// Tile sizes of the micro-kernel.
const (
	MR = 2
	NR = 4
)

// PackA packs the m×k row-major matrix a (row stride lda) into panels of
// MR rows: panel i holds, for each p in [0, k), the MR values a[i*MR+r][p]
// (zero past the last row). dst must hold PackedALen(m, k) values.
func PackA(dst, a []int32, m, k, lda int) {
	for i0 := 0; i0 < m; i0 += MR {
		panel := dst[i0*k : i0*k+MR*k]
		rows := min(MR, m-i0)
		if rows < MR {
			clear(panel)
		}
		for r := 0; r < rows; r++ {
			src := a[(i0+r)*lda : (i0+r)*lda+k]
			for p, v := range src {
				panel[p*MR+r] = v
			}
		}
	}
}

// PackedALen is the length of a packed m×k A.
func PackedALen(m, k int) int { return (m + MR - 1) / MR * MR * k }

// packB packs columns [j0, j0+NR) of the k×n row-major b (row stride ldb)
// into dst[:k*NR/2], zero past column n. Each int64 holds two columns'
// values as lo + hi<<32, so one 64-bit multiply by an A value forms both
// products (see kernel).
func packB(dst []int64, b []int32, k, n, ldb, j0 int) {
	cols := min(NR, n-j0)
	if cols == NR {
		for p := 0; p < k; p++ {
			s := b[p*ldb+j0 : p*ldb+j0+NR : p*ldb+j0+NR]
			d := dst[p*2 : p*2+2 : p*2+2]
			d[0] = int64(s[0]) + int64(s[1])<<32
			d[1] = int64(s[2]) + int64(s[3])<<32
		}
		return
	}
	for p := 0; p < k; p++ {
		var v [NR]int32
		copy(v[:], b[p*ldb+j0:p*ldb+j0+cols])
		dst[p*2] = int64(v[0]) + int64(v[1])<<32
		dst[p*2+1] = int64(v[2]) + int64(v[3])<<32
	}
}

// Gemm computes C = A·B, or C += A·B when accumulate is set, for the m×k
// A packed by PackA and the k×n row-major B with row stride ldb, into the
// m×n C with row stride ldc. It splits the columns among rc.Threads
// goroutines (rc may be nil).
func Gemm(rc *operators.RunContext, m, n, k int, ap, b []int32, ldb int, c []int32, ldc int, accumulate bool) {
	if m == 0 || n == 0 {
		return
	}
	if k == 0 {
		if !accumulate {
			for i := 0; i < m; i++ {
				clear(c[i*ldc : i*ldc+n])
			}
		}
		return
	}
	panels := (n + NR - 1) / NR
	work := func(lo, hi int) {
		bp := make([]int64, k*NR/2)
		var tile [MR * NR]int32
		for jp := lo; jp < hi; jp++ {
			j0 := jp * NR
			cols := min(NR, n-j0)
			packB(bp, b, k, n, ldb, j0)
			for i0 := 0; i0 < m; i0 += MR {
				rows := min(MR, m-i0)
				kernel(ap[i0*k:i0*k+MR*k], bp, &tile)
				for r := 0; r < rows; r++ {
					dst := c[(i0+r)*ldc+j0 : (i0+r)*ldc+j0+cols]
					src := tile[r*NR : r*NR+cols]
					if accumulate {
						for j := range dst {
							dst[j] += src[j]
						}
					} else {
						copy(dst, src)
					}
				}
			}
		}
	}
	// A panel of NR columns costs about m*k multiply-adds; ask for
	// chunks of at least ~64k of them per goroutine.
	minChunk := max(1, (1<<16)/max(1, m*k))
	if rc == nil || rc.Threads <= 1 {
		work(0, panels)
		return
	}
	rc.Parallel(panels, minChunk, work)
}

// kernel multiplies one packed A panel (MR rows) by one packed B panel
// (NR columns, in pairs) over the whole depth and stores the MR×NR tile.
//
// Each accumulator is an int64 holding two columns' sums as lo + hi<<32:
// a*(b0 + b1<<32) = a*b0 + (a*b1)<<32, so the sum over the depth is
// S = S0 + S1<<32 with S0 and S1 the two int32 sums. While both fit int32
// (the specification's accumulator), S0 = int32(S) and S1 = (S-S0)>>32
// exactly. This halves the multiplies, and the 2×4 tile's four
// accumulators stay in registers.
func kernel(ap []int32, bp []int64, tile *[MR * NR]int32) {
	var c0l, c0h, c1l, c1h int64
	// With MR = 2 rows and NR/2 = 2 column pairs, step p of A and of B
	// both sit at [2p, 2p+1].
	n := min(len(ap), len(bp))
	ap, bp = ap[:n], bp[:n]
	i := 0
	for ; i+3 < len(ap) && i+3 < len(bp); i += 4 {
		bl, bh := bp[i], bp[i+1]
		a0, a1 := int64(ap[i]), int64(ap[i+1])
		c0l += a0 * bl
		c0h += a0 * bh
		c1l += a1 * bl
		c1h += a1 * bh
		bl, bh = bp[i+2], bp[i+3]
		a0, a1 = int64(ap[i+2]), int64(ap[i+3])
		c0l += a0 * bl
		c0h += a0 * bh
		c1l += a1 * bl
		c1h += a1 * bh
	}
	for ; i+1 < len(ap) && i+1 < len(bp); i += 2 {
		bl, bh := bp[i], bp[i+1]
		a0, a1 := int64(ap[i]), int64(ap[i+1])
		c0l += a0 * bl
		c0h += a0 * bh
		c1l += a1 * bl
		c1h += a1 * bh
	}
	split(tile[0:4:4], c0l, c0h)
	split(tile[4:8:8], c1l, c1h)
}

// split unpacks two pair accumulators into four int32 sums.
func split(dst []int32, l, h int64) {
	l0 := int32(l)
	h0 := int32(h)
	dst[0], dst[1] = l0, int32((l-int64(l0))>>32)
	dst[2], dst[3] = h0, int32((h-int64(h0))>>32)
}
