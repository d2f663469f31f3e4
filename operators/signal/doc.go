// Package signal implements ONNX's spectral operators, DFT and STFT.
//
// Transforms are computed in float64 and rounded to the input's type:
// lengths that are powers of two use an iterative radix-2 FFT, other
// lengths a direct O(n²) sum with exact twiddle indices (k·n mod N). The
// inverse transform divides by the length. A one-sided inverse (IRFFT) is
// not supported.
package signal
