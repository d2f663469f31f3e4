package nms

import "github.com/onnxrun/onnxrun/operators"

func init() {
	operators.Register(
		// NonMaxSuppression: opset 10; 11 changed nothing this
		// implementation depends on (it clarified the box format).
		operators.Registration{OpType: "NonMaxSuppression", Since: 10, New: newNMS},
	)
}
