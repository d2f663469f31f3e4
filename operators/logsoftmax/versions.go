package logsoftmax

import "github.com/onnxrun/onnxrun/operators"

func init() { operators.Register(versions...) }

// versions maps each since-version to its constructor. The runtime picks
// the highest Since at most the model's opset.
var versions = []operators.Registration{
	// 1: the input is coerced to the 2-D matrix
	// [prod(d[:axis]), prod(d[axis:])] and each row normalised; axis
	// defaults to 1. Types: float16, float, double. (Negative axes are
	// accepted here too, as ONNX Runtime does.)
	{OpType: "LogSoftmax", Since: 1, New: factory(1)},
	// 11: same coercion; the accepted axis range is stated as [-r, r-1],
	// negative values counting from the back.
	{OpType: "LogSoftmax", Since: 11, New: factory(11)},
	// 13: new semantics: only the single axis d[axis] is normalised, and
	// axis defaults to -1; bfloat16 joins the types.
	{OpType: "LogSoftmax", Since: 13, New: factory(13)},
}

func factory(since int) operators.Factory {
	return func(n *operators.Node) (operators.Op, error) {
		op, err := New(n, since)
		if err != nil {
			return nil, err
		}
		return op, nil
	}
}
