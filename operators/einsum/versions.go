package einsum

import "github.com/onnxrun/onnxrun/operators"

func init() {
	operators.Register(
		// Einsum: one version, opset 12.
		operators.Registration{OpType: "Einsum", Since: 12, New: newEinsum},
	)
}
