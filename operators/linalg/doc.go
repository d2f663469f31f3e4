// Package linalg implements ONNX's dense linear-algebra operators other
// than the matrix products: Det, the determinant of each square matrix in
// the last two dimensions, by LU decomposition with partial pivoting in
// float64.
package linalg
