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
		// Conv-22: bfloat16 (we run float32/float64).
		operators.Registration{OpType: "Conv", Since: 22, New: newConv},

		// ConvTranspose-1: the original definition.
		operators.Registration{OpType: "ConvTranspose", Since: 1, New: newConvTranspose},
		// ConvTranspose-11: spells out the output_shape/auto_pad padding
		// equations and default pads; computed the same way here.
		operators.Registration{OpType: "ConvTranspose", Since: 11, New: newConvTranspose},
		// ConvTranspose-22: bfloat16.
		operators.Registration{OpType: "ConvTranspose", Since: 22, New: newConvTranspose},

		// ConvInteger-10: 8-bit x and w with zero points, int32 output.
		operators.Registration{OpType: "ConvInteger", Since: 10, New: newConvInteger},
		// QLinearConv-10: 8-bit operands with scales and zero points,
		// requantized 8-bit output, optional int32 bias.
		operators.Registration{OpType: "QLinearConv", Since: 10, New: newQLinearConv},
	)
}
