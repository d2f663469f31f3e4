package contrib

import "github.com/onnxrun/onnxrun/operators"

func init() {
	// com.microsoft QLinearAdd-1: C = quantize(dequantize(A) +
	// dequantize(B)) with numpy broadcasting; 8-bit operands, scalar
	// scales and zero points.
	operators.Register(operators.Registration{Domain: "com.microsoft", OpType: "QLinearAdd", Since: 1, New: newQLinearAdd})
}
