package quantize

import "github.com/onnxrun/onnxrun/operators"

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
			operators.Registration{OpType: "QuantizeLinear", Since: since, New: newQuantize(since)},
			operators.Registration{OpType: "DequantizeLinear", Since: since, New: newDequantize(since)},
		)
	}
	dyn := dynamicQuantizeLinear{}
	operators.Register(
		// DynamicQuantizeLinear: one version, opset 11.
		operators.Registration{OpType: "DynamicQuantizeLinear", Since: 11, New: func(*operators.Node) (operators.Op, error) { return dyn, nil }},
	)
}
