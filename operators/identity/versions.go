package identity

import "github.com/onnxrun/onnxrun/operators"

func init() {
	operators.Register(
		// Opset 1: any tensor. Opset 13 adds bfloat16; 14 accepts
		// sequences and 16 optionals (neither is supported: the runtime
		// has only tensors); 19, 21, 23, 24 and 25 add element types. The
		// tensor computation never changed, so one implementation serves
		// every opset.
		operators.Registration{OpType: "Identity", Since: 1, New: newIdentity},
	)
}
