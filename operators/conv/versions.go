package conv

import "github.com/onnxrun/onnxrun/operators"

func init() {
	operators.Register(
		// Conv-1: the original definition.
		operators.Registration{OpType: "Conv", Since: 1, New: newConv},
		// Conv-11: clarifies that auto_pad SAME_UPPER/SAME_LOWER pad so that
		// output = ceil(input / stride), and that omitted pads default to 0;
		// the computation is the same as ours for opset 1.
		operators.Registration{OpType: "Conv", Since: 11, New: newConv},
	)
}
