package training

import "github.com/onnxrun/onnxrun/operators"

// domain is ONNX's preview training domain.
const domain = "ai.onnx.preview.training"

func init() {
	operators.Register(
		// Adagrad, Momentum and Adam: version 1 of the preview domain.
		operators.Registration{Domain: domain, OpType: "Adagrad", Since: 1, New: newOp("Adagrad", adagrad)},
		operators.Registration{Domain: domain, OpType: "Momentum", Since: 1, New: newOp("Momentum", momentum)},
		operators.Registration{Domain: domain, OpType: "Adam", Since: 1, New: newOp("Adam", adam)},
	)
}
