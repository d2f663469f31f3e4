package controlflow

import "github.com/onnxrun/onnxrun/operators"

func init() {
	for _, v := range []int{
		1,  // If-1: the original definition
		11, // If-11: the branches may produce different shapes
		13, // If-13: sequence outputs allowed
		16, // If-16: optional outputs allowed
		19, // If-19: float8 types
		21, // If-21: int4/uint4
		23, // If-23: float4e2m1
		24, // If-24: float8e8m0
		25, // If-25: int2/uint2
	} {
		operators.Register(operators.Registration{OpType: "If", Since: v, New: newIf})
	}
	for _, v := range []int{
		1,                  // Loop-1: the original definition
		11,                 // Loop-11: the trip count and condition as they are run here
		13,                 // Loop-13: sequence values
		16,                 // Loop-16: optional values
		19, 21, 23, 24, 25, // new element types only
	} {
		operators.Register(operators.Registration{OpType: "Loop", Since: v, New: newLoop})
	}
	// Scan-8 has a batch axis and sequence_lens; Scan-9 drops both and
	// adds per-input axes and directions; later versions add types.
	operators.Register(operators.Registration{OpType: "Scan", Since: 8, New: newScan(8)})
	for _, v := range []int{9, 11, 16, 19, 21, 23, 24, 25} {
		operators.Register(operators.Registration{OpType: "Scan", Since: v, New: newScan(v)})
	}
}
