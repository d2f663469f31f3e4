// Package loss implements ONNX's classification losses,
// NegativeLogLikelihoodLoss and SoftmaxCrossEntropyLoss, as inference
// operators (they compute the loss value; there is no gradient).
//
// Both see the input as [N, C, d1, ..., dk] with one class index per
// [N, d1, ..., dk] sample in the target. A target equal to ignore_index
// contributes nothing and is not counted; with reduction "mean" the sum of
// the losses is divided by the sum of the weights of the counted samples
// (1 each without a weight input), as ONNX's reference does. A target
// outside [0, C) that is not ignore_index is an error. Values are computed
// in float64 and rounded to the input's type; SoftmaxCrossEntropyLoss
// takes the log-softmax along axis 1 with the maximum subtracted first.
package loss
