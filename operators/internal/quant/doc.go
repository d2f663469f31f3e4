// Package quant holds the conversions the integer and quantized-linear
// Conv and MatMul operators share: widening 8-bit tensors (minus their zero
// points) to float64, where integer products and sums stay exact, and
// requantizing results with round-half-to-even and saturation.
package quant
