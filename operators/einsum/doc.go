// Package einsum implements the ONNX Einsum operator: products of any
// number of operands summed over the indices the output does not keep, as
// written in an Einstein-summation equation such as "bij,bjk->bik".
//
// The equation is parsed once, at load. Each index becomes a label with a
// size and, per operand, a stride (the sum of its strides when an operand
// repeats the index, which selects a diagonal; 0 where an ellipsis
// dimension of size 1 broadcasts). The output is computed element by
// element, summing over the other labels, with float64 accumulation
// (int64 for integer types). This is a direct, general evaluation: it does
// not reorder the contraction or call a GEMM, so large contractions are
// slower than a MatMul would be.
package einsum
