package linalg

import "github.com/onnxrun/onnxrun/operators"

func init() {
	operators.Register(
		// Det: opset 11; 22 adds bfloat16.
		operators.Registration{OpType: "Det", Since: 11, New: newDet},
	)
}
