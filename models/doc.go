// Package models holds onnxrun's own small test models. The models and
// their fixtures live in testdata/, in the ONNX backend-test layout
// (model.onnx beside test_data_set_N/{input,output}_K.pb), and are written
// by the generator in gen/, which computes every expected output with a
// float64 reference of its own rather than by running onnxrun. (ONNX
// Runtime 1.30 accepts every model and reproduces every expected output to
// within 1e-6.)
//
// Regenerate them with go generate ./models (or go run ./models/gen from
// the repository root); the output is deterministic, so an unchanged
// generator leaves git diff empty.
package models

//go:generate go run ./gen -out testdata
