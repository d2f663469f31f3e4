// Package quant holds the conversions the integer and quantized-linear
// operators share: reading per-tensor or per-channel scales and zero
// points, widening 8-bit tensors minus their zero points (to int32 for the
// integer GEMM, or to float64), and requantizing results with
// round-half-to-even and saturation.
package quant
