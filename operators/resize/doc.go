// Package resize implements the ONNX Resize operator (and the older
// Upsample) on float32 and float64 tensors: nearest, N-linear and N-cubic
// interpolation with every coordinate transformation mode.
//
// Interpolation is separable, so the resize runs one axis at a time: each
// output index along an axis is a weighted sum of at most four input
// indices, precomputed once per axis. Intermediate results are float64.
package resize
