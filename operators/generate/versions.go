package generate

import "github.com/onnxrun/onnxrun/operators"

func init() {
	operators.Register(
		// Range: opset 11, one version.
		operators.Registration{OpType: "Range", Since: 11, New: newRange},
		// EyeLike: opset 9; 22 adds bfloat16 and float8 types.
		operators.Registration{OpType: "EyeLike", Since: 9, New: newEyeLike},
		// OneHot: opset 9; 11 allows negative axis and indices.
		operators.Registration{OpType: "OneHot", Since: 9, New: newOneHot},
		// HannWindow, HammingWindow, BlackmanWindow: opset 17.
		operators.Registration{OpType: "HannWindow", Since: 17, New: newWindow("HannWindow")},
		operators.Registration{OpType: "HammingWindow", Since: 17, New: newWindow("HammingWindow")},
		operators.Registration{OpType: "BlackmanWindow", Since: 17, New: newWindow("BlackmanWindow")},
	)
}
