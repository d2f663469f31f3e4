// Package training implements the optimizer steps of ONNX's preview
// training domain (ai.onnx.preview.training): Adagrad, Momentum (standard
// and Nesterov) and Adam. Each takes a learning rate R, an update count T
// and, for N tensors, their values, gradients and optimizer state, and
// returns the updated values and state, computed element by element in
// float64 and rounded to the tensors' type.
package training
