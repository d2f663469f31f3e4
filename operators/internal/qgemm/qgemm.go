package qgemm

import "github.com/onnxrun/onnxrun/operators"

// Tile sizes of the micro-kernel.
const (
	MR = 4
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
// into dst[:k*NR], zero past column n.
func packB(dst, b []int32, k, n, ldb, j0 int) {
	cols := min(NR, n-j0)
	if cols == NR {
		for p := 0; p < k; p++ {
			s := b[p*ldb+j0 : p*ldb+j0+NR : p*ldb+j0+NR]
			d := dst[p*NR : p*NR+NR : p*NR+NR]
			d[0], d[1], d[2], d[3] = s[0], s[1], s[2], s[3]
		}
		return
	}
	for p := 0; p < k; p++ {
		d := dst[p*NR : p*NR+NR]
		clear(d)
		copy(d, b[p*ldb+j0:p*ldb+j0+cols])
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
		bp := make([]int32, k*NR)
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
// (NR columns) over the whole depth and stores the MR×NR tile.
func kernel(ap, bp []int32, tile *[MR * NR]int32) {
	var c00, c01, c02, c03 int32
	var c10, c11, c12, c13 int32
	var c20, c21, c22, c23 int32
	var c30, c31, c32, c33 int32
	for len(ap) >= MR && len(bp) >= NR {
		a := ap[:MR:MR]
		b := bp[:NR:NR]
		b0, b1, b2, b3 := b[0], b[1], b[2], b[3]
		a0 := a[0]
		c00 += a0 * b0
		c01 += a0 * b1
		c02 += a0 * b2
		c03 += a0 * b3
		a1 := a[1]
		c10 += a1 * b0
		c11 += a1 * b1
		c12 += a1 * b2
		c13 += a1 * b3
		a2 := a[2]
		c20 += a2 * b0
		c21 += a2 * b1
		c22 += a2 * b2
		c23 += a2 * b3
		a3 := a[3]
		c30 += a3 * b0
		c31 += a3 * b1
		c32 += a3 * b2
		c33 += a3 * b3
		ap, bp = ap[MR:], bp[NR:]
	}
	*tile = [MR * NR]int32{
		c00, c01, c02, c03,
		c10, c11, c12, c13,
		c20, c21, c22, c23,
		c30, c31, c32, c33,
	}
}
