package cumsum

import "github.com/onnxrun/onnxrun/operators"

func init() {
	operators.Register(
		// CumSum: opset 11; opset 14 adds float16 and bfloat16, served by
		// the same implementation.
		operators.Registration{OpType: "CumSum", Since: 11, New: newCumSum},
	)
}
