package gemm

import "github.com/onnxrun/onnxrun/operators"

func init() {
	operators.Register(
		// Gemm-1: C required; attribute "broadcast" says whether C may be
		// broadcast. We accept any unidirectionally broadcastable C at every
		// version (a superset of broadcast=0, which demands an exact [M, N]).
		operators.Registration{OpType: "Gemm", Since: 1, New: newGemm},
		// Gemm-6: drops the legacy "consumed_inputs"; semantics unchanged.
		operators.Registration{OpType: "Gemm", Since: 6, New: newGemm},
		// Gemm-7: "broadcast" removed; C is always unidirectionally
		// broadcast to [M, N].
		operators.Registration{OpType: "Gemm", Since: 7, New: newGemm},
		// Gemm-9: adds integer element types (we run float32/float64).
		operators.Registration{OpType: "Gemm", Since: 9, New: newGemm},
		// Gemm-11: C becomes optional.
		operators.Registration{OpType: "Gemm", Since: 11, New: newGemm},
		// Gemm-13: adds bfloat16.
		operators.Registration{OpType: "Gemm", Since: 13, New: newGemm},

		// MatMul-1: numpy matmul semantics.
		operators.Registration{OpType: "MatMul", Since: 1, New: newMatMul},
		// MatMul-9: adds integer element types.
		operators.Registration{OpType: "MatMul", Since: 9, New: newMatMul},
		// MatMul-13: adds bfloat16.
		operators.Registration{OpType: "MatMul", Since: 13, New: newMatMul},

		// MatMulInteger-10: 8-bit A and B with zero points (per tensor, per
		// row of A, per column of B), int32 output.
		operators.Registration{OpType: "MatMulInteger", Since: 10, New: newMatMulInteger},
		// QLinearMatMul-10: 8-bit operands with scales and zero points,
		// requantized output. -21: more element types (we run 8-bit).
		operators.Registration{OpType: "QLinearMatMul", Since: 10, New: newQLinearMatMul},
		operators.Registration{OpType: "QLinearMatMul", Since: 21, New: newQLinearMatMul},
	)
}
