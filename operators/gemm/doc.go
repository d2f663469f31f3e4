// Package gemm implements the ONNX Gemm and MatMul operators on float32 and
// float64 tensors, both driven by the blocked engine in
// operators/internal/gemm. A B operand that is a constant of the model (a
// fully connected layer's weights) is packed into the engine's panel
// layout on the first run and reused (a copy about B's size), which also
// lets a batch-1 layer run on the SIMD micro-kernel.
//
// It also implements MatMulInteger (opset 10) and QLinearMatMul (opsets 10
// and 21) on uint8 and int8 operands with numpy matmul broadcasting: zero
// points (and scales) per tensor, per row of A or per column of B; the
// operands minus their zero points are multiplied by the int32 integer
// GEMM of operators/internal/qgemm, and QLinearMatMul requantizes with
// round half to even and saturation in float32, as ONNX Runtime does.
// QLinearMatMul-21's float8 operands and float16 scales are not supported.
package gemm
