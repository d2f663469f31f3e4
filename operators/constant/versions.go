package constant

import (
	"github.com/onnxrun/onnxrun/operators"
	"github.com/onnxrun/onnxrun/operators/internal/inputs"
)

func init() {
	operators.Register(
		// Opset 1: the value attribute (a tensor) only. Opset 9 widened the
		// element types without changing the operator.
		operators.Registration{OpType: "Constant", Since: 1, New: checked(0, 0, newConstant(1))},
		// Opset 11: adds sparse_value (not supported: it gives an error).
		operators.Registration{OpType: "Constant", Since: 11, New: checked(0, 0, newConstant(11))},
		// Opset 12: adds value_float(s), value_int(s) and value_string(s).
		// Later versions (13, 19, 21, 23, 24, 25) only add element types.
		operators.Registration{OpType: "Constant", Since: 12, New: checked(0, 0, newConstant(12))},
	)
}

// checked puts a check of the node's input count (required, at most max;
// -1 for no limit) in front of a factory, so a node with a missing or extra
// input fails at load.
func checked(required, max int, f operators.Factory) operators.Factory {
	return func(n *operators.Node) (operators.Op, error) {
		if err := inputs.Check(n, required, max); err != nil {
			return nil, err
		}
		return f(n)
	}
}
