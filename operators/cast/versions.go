package cast

import (
	"github.com/onnxrun/onnxrun/operators"
	"github.com/onnxrun/onnxrun/operators/internal/inputs"
)

func init() {
	operators.Register(
		// Opset 1: to is a string naming the type ("FLOAT").
		operators.Registration{OpType: "Cast", Since: 1, New: checked(1, 1, newCast(1))},
		// Opset 6: to is the TensorProto.DataType number.
		// Opset 9 adds string conversions and opset 13 bfloat16; both are
		// served by the same implementation.
		operators.Registration{OpType: "Cast", Since: 6, New: checked(1, 1, newCast(6))},
		// Opset 19: adds saturate, which only affects float8 targets
		// (not supported); 21, 23, 24 and 25 add 4-bit and float8 types.
		operators.Registration{OpType: "Cast", Since: 19, New: checked(1, 1, newCast(19))},
		// CastLike (opset 15) takes the target type from input 1; opset
		// 19 adds saturate as for Cast.
		operators.Registration{OpType: "CastLike", Since: 15, New: checked(2, 2, newCastLike(15))},
		operators.Registration{OpType: "CastLike", Since: 19, New: checked(2, 2, newCastLike(19))},
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
