// Package onnxgo is an onnx-go backend that runs models on onnxrun.
package onnxgo
