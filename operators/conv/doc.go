// Package conv implements the ONNX Conv and ConvTranspose operators for
// float32 and float64: 1-D, 2-D and 3-D convolutions with groups, strides,
// dilations, explicit or automatic padding and an optional bias.
//
// Three paths share one set of semantics: a direct loop for depthwise
// convolutions (one input and one output channel per group), a plain GEMM
// for 1×1 convolutions with unit strides and no padding (the input already
// is the column matrix), and for everything else a GEMM whose B panels are
// packed straight from the image (implicit im2col: the column matrix is
// never built). Small unit-stride layers with few output channels take
// that GEMM over a padded copy of the image instead (small.go), whose
// column matrix rows are plain runs of the copy, and drop the columns
// that fall in the padding afterwards; the bits are the same. A bias
// that the model adds in a separate Add of a per-channel constant can be
// folded into the Conv at load time (FuseBias). A weight that is a constant of the model is packed into
// the GEMM's panel layout on the first run and reused; the packed copy is
// about the weight's size again (output channels rounded up to the
// micro-kernel's tile height).
//
// ConvInteger (opset 10) and QLinearConv (opset 10) share Conv's
// attributes, geometry and paths on 8-bit operands: uint8 or int8 x and
// w, a per-tensor x zero point and per-tensor or per-output-channel w
// zero points (and, for QLinearConv, scales). The operands minus their
// zero points are widened to int32 and accumulated in int32 by the
// integer GEMM in operators/internal/qgemm (or the depthwise loop), as
// the specification computes; padding reads as x_zero_point. QLinearConv
// adds its int32 bias and requantizes each output channel with
// round_half_to_even(acc * (x_scale*w_scale/y_scale)) + y_zero_point,
// saturated, with the multiplier and product in float32 as ONNX Runtime
// computes them.
package conv
