// Package broadcast implements numpy-style multidirectional broadcasting
// for element-wise operators: the output shape of two or more operands and
// a loop that applies a binary kernel over them.
//
// The loop first simplifies the problem: it drops dimensions of size 1 and
// merges neighbouring dimensions that both operands treat alike, so most
// real cases become one of a few shapes. Same-shaped operands run as one
// flat vector loop, a scalar operand as one vector-scalar loop, and the
// rest as rows of the innermost merged dimension, where each row is a
// vector-vector, vector-scalar or scalar-vector call. Operators supply
// those three loops as typed functions (Kernels), so the per-element work
// is a tight loop over slices with no interface calls or index arithmetic.
package broadcast
