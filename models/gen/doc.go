// Command gen writes onnxrun's own test models and their fixtures into
// models/testdata, in the ONNX backend-test layout. Expected outputs come
// from the float64 reference in reference.go, never from onnxrun itself.
// The output is deterministic: running it twice writes identical bytes,
// and TestFixturesCurrent fails when models/testdata is not what the
// generator writes.
//
// Usage (from the repository root):
//
//	go run ./models/gen [-out models/testdata]
package main
