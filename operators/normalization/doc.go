// Package normalization implements the ONNX normalization operators for
// inference on float32 and float64 tensors: BatchNormalization,
// InstanceNormalization, LayerNormalization and LRN. Statistics are
// accumulated in float64.
package normalization
