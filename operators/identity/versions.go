package identity

import (
	"github.com/onnxrun/onnxrun/operators"
	"github.com/onnxrun/onnxrun/operators/internal/inputs"
)

func init() {
	operators.Register(
		// Opset 1: any tensor. Opset 13 adds bfloat16; 14 accepts
		// sequences and 16 optionals (neither is supported: the runtime
		// has only tensors); 19, 21, 23, 24 and 25 add element types. The
		// tensor computation never changed, so one implementation serves
		// every opset.
		operators.Registration{OpType: "Identity", Since: 1, New: checked(1, 1, newIdentity)},
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
