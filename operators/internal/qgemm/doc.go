// Package qgemm is the integer matrix multiply behind the quantized Conv
// and MatMul operators: int32 operands (8-bit values with their zero
// points already subtracted) and int32 accumulation, as ONNX specifies
// for ConvInteger, MatMulInteger, QLinearConv and QLinearMatMul.
//
// A is packed into panels of MR rows and B into panels of NR columns so
// the MR×NR micro-kernel reads both sequentially; column panels are
// shared among goroutines when the run context allows more than one.
// Sums wrap on int32 overflow, like the reference's int32 accumulator;
// 8-bit operands overflow only past about 33 000 terms per sum.
package qgemm
