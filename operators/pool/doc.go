// Package pool implements the ONNX pooling operators MaxPool, AveragePool,
// GlobalAveragePool and GlobalMaxPool for float32 and float64 tensors with
// one to three spatial dimensions.
package pool
