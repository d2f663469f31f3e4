package gemm

import (
	"github.com/onnxrun/onnxrun/operators"
	"github.com/onnxrun/onnxrun/operators/internal/qgemm"
)

// accumulateMatMulInt computes the int32 products of MatMulInteger for the
// operands already widened to int32 minus their zero points, batch by
// batch with numpy broadcasting, into acc (the output's elements),
// accumulating in int32 with the integer GEMM.
func accumulateMatMulInt(rc *operators.RunContext, p *mmPlan, a, b, acc []int32) {
	m, n, k := p.m, p.n, p.k
	nb := operators.NumElements(p.batch)
	if nb == 0 || m == 0 || n == 0 {
		return
	}
	bBroadcast := true
	for _, d := range p.bBatch {
		if d != 1 {
			bBroadcast = false
		}
	}
	if bBroadcast {
		// A's batches are contiguous rows: one [nb*m, k] × [k, n] product.
		ap := make([]int32, qgemm.PackedALen(nb*m, k))
		qgemm.PackA(ap, a, nb*m, k, k)
		qgemm.Gemm(rc, nb*m, n, k, ap, b, n, acc, n, false)
		return
	}
	r := len(p.batch)
	idx := make([]int, r)
	// Strides (in matrices) of A's and B's batch dimensions; 0 where
	// broadcast.
	sa, sb := make([]int, r), make([]int, r)
	ma, mb := 1, 1
	for i := r - 1; i >= 0; i-- {
		if p.aBatch[i] != 1 {
			sa[i] = ma
		}
		if p.bBatch[i] != 1 {
			sb[i] = mb
		}
		ma *= p.aBatch[i]
		mb *= p.bBatch[i]
	}
	ap := make([]int32, qgemm.PackedALen(m, k))
	for t := 0; t < nb; t++ {
		oa, ob := 0, 0
		for i := 0; i < r; i++ {
			oa += idx[i] * sa[i]
			ob += idx[i] * sb[i]
		}
		qgemm.PackA(ap, a[oa*m*k:(oa+1)*m*k], m, k, k)
		qgemm.Gemm(rc, m, n, k, ap, b[ob*k*n:(ob+1)*k*n], n, acc[t*m*n:(t+1)*m*n], n, false)
		for i := r - 1; i >= 0; i-- {
			idx[i]++
			if idx[i] < p.batch[i] {
				break
			}
			idx[i] = 0
		}
	}
}
