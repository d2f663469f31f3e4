// Package softmaxtest is the test support shared by the Softmax and
// LogSoftmax operator packages: a runner for the ONNX backend node tests
// of those operators and the benchmark matrix. Only tests import it.
package softmaxtest
