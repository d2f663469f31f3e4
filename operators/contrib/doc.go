// Package contrib implements operators of ONNX Runtime's com.microsoft
// domain that exported quantized CNNs use: QLinearAdd.
package contrib
