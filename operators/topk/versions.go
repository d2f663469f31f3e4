package topk

import "github.com/onnxrun/onnxrun/operators"

func init() {
	operators.Register(
		// TopK-1: k is an attribute; the largest elements only.
		operators.Registration{OpType: "TopK", Since: 1, New: newTopK(1)},
		// TopK-10: K becomes an int64 input.
		operators.Registration{OpType: "TopK", Since: 10, New: newTopK(10)},
		// TopK-11: largest and sorted attributes, negative axes, more
		// types; 24 adds bfloat16.
		operators.Registration{OpType: "TopK", Since: 11, New: newTopK(11)},
	)
}
