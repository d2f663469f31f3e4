package conv

import (
	"github.com/onnxrun/onnxrun/operators"
	"github.com/onnxrun/onnxrun/operators/internal/qgemm"
	"github.com/onnxrun/onnxrun/operators/internal/quant"
)

// accumulateInt computes ConvInteger's int32 sums for the operands already
// widened to int32 minus their zero points (xi: N×C×spatial, wi: M×C/g×
// kernel) into acc (N×M×output spatial), accumulating in int32 as ONNX
// specifies. Padding reads 0, which is x_zero_point before widening.
// Depthwise convolutions take the direct path; the others build the
// column matrix per image and group and run the integer GEMM.
func accumulateInt(rc *operators.RunContext, geo *geometry, xi, wi, acc []int32) error {
	inVol := geo.in[0] * geo.in[1] * geo.in[2]
	outVol := geo.out[0] * geo.out[1] * geo.out[2]
	kVol := geo.k[0] * geo.k[1] * geo.k[2]
	if geo.n == 0 || geo.m == 0 || outVol == 0 {
		return nil
	}
	if geo.depthwise {
		depthwise(rc, geo, xi, wi, nil, acc)
		return nil
	}
	kRows := geo.cg * kVol
	// Each group's weights are packed once and reused for every image.
	plen := qgemm.PackedALen(geo.mg, kRows)
	packed, err := quant.Scratch(rc, geo.g*plen)
	if err != nil {
		return err
	}
	for g := 0; g < geo.g; g++ {
		qgemm.PackA(packed[g*plen:(g+1)*plen], wi[g*geo.mg*kRows:(g+1)*geo.mg*kRows], geo.mg, kRows, kRows)
	}
	var col []int32
	if !geo.pointwise {
		colv, err := scratchValue(rc, operators.Int32, geo.colShape)
		if err != nil {
			return err
		}
		if colv != nil {
			col = colv.I32()
		} else {
			col = make([]int32, kRows*outVol)
		}
	}
	threads := 1
	if rc != nil {
		threads = rc.Threads
	}
	for n := 0; n < geo.n; n++ {
		for g := 0; g < geo.g; g++ {
			xg := xi[(n*geo.c+g*geo.cg)*inVol : (n*geo.c+(g+1)*geo.cg)*inVol]
			yg := acc[(n*geo.m+g*geo.mg)*outVol : (n*geo.m+(g+1)*geo.mg)*outVol]
			b := xg
			if !geo.pointwise {
				if threads > 1 {
					dst := col
					rc.Parallel(kRows, 8, func(lo, hi int) { im2col(geo, xg, dst, lo, hi) })
				} else {
					im2col(geo, xg, col, 0, kRows)
				}
				b = col
			}
			qgemm.Gemm(rc, geo.mg, outVol, kRows, packed[g*plen:(g+1)*plen], b, outVol, yg, outVol, false)
		}
	}
	return nil
}
