// Package softmax is the ONNX Softmax operator (opsets 1, 11 and 13):
// exp(x - max) / sum(exp(x - max)) along an axis.
//
// Before opset 13 the input is coerced to the 2-D matrix
// [prod(d[:axis]), prod(d[axis:])] (axis defaults to 1) and each row is
// normalised; from opset 13 only the single axis d[axis] is normalised
// (axis defaults to -1). The shared implementation, kernels and threading
// are in operators/internal/softmaxcore. Importing the package registers
// the operator.
package softmax
