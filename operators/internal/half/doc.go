// Package half converts between float32 and the two 16-bit float formats
// ONNX uses, IEEE 754 binary16 (float16) and bfloat16, rounding to nearest
// with ties to even.
//
// Both formats travel as uint16 bit patterns, the way a Value's Raw buffer
// holds them. The slice helpers convert whole buffers so an operator can
// compute a float16 tensor through a float32 kernel a block at a time.
package half
