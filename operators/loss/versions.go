package loss

import "github.com/onnxrun/onnxrun/operators"

func init() {
	operators.Register(
		// NegativeLogLikelihoodLoss and SoftmaxCrossEntropyLoss: opset 12;
		// 13 adds double (NLL) and bfloat16; 22 adds bfloat16 to NLL. The
		// computation never changed.
		operators.Registration{OpType: "NegativeLogLikelihoodLoss", Since: 12, New: newLoss("NegativeLogLikelihoodLoss", false)},
		operators.Registration{OpType: "SoftmaxCrossEntropyLoss", Since: 12, New: newLoss("SoftmaxCrossEntropyLoss", true)},
	)
}
