package cumsum

import (
	"github.com/onnxrun/onnxrun/operators"
	"github.com/onnxrun/onnxrun/operators/internal/inputs"
)

func init() {
	operators.Register(
		// CumSum: opset 11; opset 14 adds float16 and bfloat16, served by
		// the same implementation.
		operators.Registration{OpType: "CumSum", Since: 11, New: checked(2, 2, newCumSum)},
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
