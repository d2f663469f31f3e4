// Package cumsum implements the ONNX CumSum operator: running sums along
// one axis, optionally exclusive (each output leaves out its own element)
// and optionally from the end of the axis backwards.
//
// Sums accumulate in the element type, as ONNX Runtime does; float16 and
// bfloat16 accumulate in float32 and round each output once.
package cumsum
