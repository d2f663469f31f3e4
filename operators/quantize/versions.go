package quantize

import (
	"github.com/onnxrun/onnxrun/operators"
	"github.com/onnxrun/onnxrun/operators/internal/inputs"
)

func init() {
	for _, since := range []int{10, 13, 19, 21} {
		operators.Register(
			// QuantizeLinear and DequantizeLinear. Opset 10: per-tensor
			// scale and zero point. Opset 13: per-axis scales along axis
			// (default 1). Opset 19: float8 types and QuantizeLinear's
			// saturate (float8 only; accepted and unused). Opset 21:
			// blocked scales (block_size), int16/uint16 and
			// QuantizeLinear's output_dtype. Later opsets add 4-bit and
			// float8 types, which are not supported.
			operators.Registration{OpType: "QuantizeLinear", Since: since, New: checked(2, 3, newQuantize(since))},
			operators.Registration{OpType: "DequantizeLinear", Since: since, New: checked(2, 3, newDequantize(since))},
		)
	}
	dyn := dynamicQuantizeLinear{}
	operators.Register(
		// DynamicQuantizeLinear: one version, opset 11.
		operators.Registration{OpType: "DynamicQuantizeLinear", Since: 11, New: checked(1, 1, func(*operators.Node) (operators.Op, error) { return dyn, nil })},
	)
}

// checked puts a check of the node's input count (required, at most max;
// -1 for no limit) in front of a factory, so a node with a missing or extra
// input fails at load.
func checked(required, max int, f operators.Factory) operators.Factory {
	return func(n *operators.Node) (operators.Op, error) {
		if err := inputs.Check(n, required, max); err != nil {
			return nil, err
		}
		return f(n)
	}
}
