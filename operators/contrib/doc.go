// Package contrib implements operators of ONNX Runtime's com.microsoft
// domain that exported quantized CNNs use: QLinearAdd.
//
// ONNX does not define these operators; their semantics come from ONNX
// Runtime's contrib operator documentation (docs/ContribOperators.md,
// com.microsoft.QLinearAdd, since version 1): inputs A, A_scale,
// A_zero_point, B, B_scale, B_zero_point, C_scale and C_zero_point (zero
// points optional, 0 when omitted; scales and zero points per tensor),
// and C = saturate(round((A_scale*(A-A_zero_point) + B_scale*(B-
// B_zero_point)) / C_scale) + C_zero_point) with numpy broadcasting of A
// and B, for uint8 or int8. The arithmetic is float32 with each side
// scaled by its ratio to C_scale and rounding half to even, as ONNX
// Runtime's kernel computes it.
package contrib
