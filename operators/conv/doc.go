// Package conv implements the ONNX Conv and ConvTranspose operators for
// float32 and float64: 1-D, 2-D and 3-D convolutions with groups, strides,
// dilations, explicit or automatic padding and an optional bias.
//
// Three paths share one set of semantics: a direct loop for depthwise
// convolutions (one group per input channel), a plain GEMM for 1×1
// convolutions with unit strides and no padding (the input already is the
// column matrix), and im2col followed by GEMM for everything else.
package conv
