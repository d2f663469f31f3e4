package topk

import (
	"github.com/onnxrun/onnxrun/operators"
	"github.com/onnxrun/onnxrun/operators/internal/inputs"
)

func init() {
	operators.Register(
		// TopK-1: k is an attribute; the largest elements only.
		operators.Registration{OpType: "TopK", Since: 1, New: checked(1, 1, newTopK(1))},
		// TopK-10: K becomes an int64 input.
		operators.Registration{OpType: "TopK", Since: 10, New: checked(2, 2, newTopK(10))},
		// TopK-11: largest and sorted attributes, negative axes, more
		// types; 24 adds bfloat16.
		operators.Registration{OpType: "TopK", Since: 11, New: checked(2, 2, newTopK(11))},
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
