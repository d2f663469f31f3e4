// Package topk implements the ONNX TopK operator: the k largest (or
// smallest) elements along an axis, with their int64 indices.
//
// Equal values keep their index order (the lower index first), as ONNX
// Runtime orders them; NaN counts as larger than every number, so it comes
// first for largest=1 and last for largest=0. With sorted=0 the elements
// still come out sorted, which ONNX allows.
package topk
