// Package quantize implements ONNX's linear quantization operators:
// QuantizeLinear, DequantizeLinear and DynamicQuantizeLinear.
//
// QuantizeLinear computes y = saturate(round(x / scale) + zero_point) with
// the division in float32 (the scale's precision; float16 and bfloat16
// scales are widened) and rounding half to even, as ONNX specifies and
// ONNX Runtime does. DequantizeLinear computes y = (x - zero_point) *
// scale, subtracting in integers and multiplying in float32. Both accept
// per-tensor (scalar), per-axis (1-D along axis) and blocked (block_size)
// scales, and the integer types int8, uint8, int16 and uint16 (plus int32
// for DequantizeLinear, without a zero point). A NaN input quantizes to 0,
// as ONNX Runtime's does (ONNX leaves it undefined). The float8 and 4-bit
// types are not supported.
package quantize
