package loss

import (
	"github.com/onnxrun/onnxrun/operators"
	"github.com/onnxrun/onnxrun/operators/internal/inputs"
)

func init() {
	operators.Register(
		// NegativeLogLikelihoodLoss and SoftmaxCrossEntropyLoss: opset 12;
		// 13 adds double (NLL) and bfloat16; 22 adds bfloat16 to NLL. The
		// computation never changed.
		operators.Registration{OpType: "NegativeLogLikelihoodLoss", Since: 12, New: checked(2, 3, newLoss("NegativeLogLikelihoodLoss", false))},
		operators.Registration{OpType: "SoftmaxCrossEntropyLoss", Since: 12, New: checked(2, 3, newLoss("SoftmaxCrossEntropyLoss", true))},
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
