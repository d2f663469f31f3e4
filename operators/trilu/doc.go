// Package trilu implements the ONNX Trilu operator, which keeps the upper
// (or lower) triangle of the last two dimensions of a tensor, on or above
// (below) the k-th diagonal, and zeroes the rest.
package trilu
