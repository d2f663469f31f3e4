package constant

import "github.com/onnxrun/onnxrun/operators"

func init() {
	operators.Register(
		// Opset 1: the value attribute (a tensor) only. Opset 9 widened the
		// element types without changing the operator.
		operators.Registration{OpType: "Constant", Since: 1, New: newConstant(1)},
		// Opset 11: adds sparse_value (not supported: it gives an error).
		operators.Registration{OpType: "Constant", Since: 11, New: newConstant(11)},
		// Opset 12: adds value_float(s), value_int(s) and value_string(s).
		// Later versions (13, 19, 21, 23, 24, 25) only add element types.
		operators.Registration{OpType: "Constant", Since: 12, New: newConstant(12)},
	)
}
