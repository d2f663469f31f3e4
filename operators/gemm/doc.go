// Package gemm implements the ONNX Gemm and MatMul operators on float32 and
// float64 tensors, both driven by the blocked engine in
// operators/internal/gemm.
package gemm
