package trilu

import "github.com/onnxrun/onnxrun/operators"

func init() {
	operators.Register(
		// Trilu: opset 14, one version.
		operators.Registration{OpType: "Trilu", Since: 14, New: newTrilu},
	)
}
