package reduce

import (
	"github.com/onnxrun/onnxrun/operators"
	"github.com/onnxrun/onnxrun/operators/internal/inputs"
)

// ops lists the reductions and the opset that moved axes from an
// attribute to an input for each.
var ops = []struct {
	name      string
	kind      kind
	axesInput int
}{
	{"ReduceSum", kSum, 13},
	{"ReduceMean", kMean, 18},
	{"ReduceMax", kMax, 18},
	{"ReduceMin", kMin, 18},
	{"ReduceProd", kProd, 18},
	{"ReduceSumSquare", kSumSquare, 18},
	{"ReduceL1", kL1, 18},
	{"ReduceL2", kL2, 18},
	{"ReduceLogSum", kLogSum, 18},
	{"ReduceLogSumExp", kLogSumExp, 18},
}

func init() {
	operators.Register(
		// Hardmax-1 and 11: the input is coerced to 2-D around axis
		// (default 1); 11 allows a negative axis. Hardmax-13: one axis
		// (default -1), as Softmax-13 changed.
		operators.Registration{OpType: "Hardmax", Since: 1, New: checked(1, 1, newHardmax(1))},
		operators.Registration{OpType: "Hardmax", Since: 11, New: checked(1, 1, newHardmax(11))},
		operators.Registration{OpType: "Hardmax", Since: 13, New: checked(1, 1, newHardmax(13))},
	)
	for _, a := range []struct {
		name string
		max  bool
	}{{"ArgMax", true}, {"ArgMin", false}} {
		operators.Register(
			// Opset 1: axis (default 0) and keepdims. Opset 11 allows a
			// negative axis. Opset 12 adds select_last_index; 13 adds
			// bfloat16.
			operators.Registration{OpType: a.name, Since: 1, New: checked(1, 1, newArg(a.name, a.max, 1))},
			operators.Registration{OpType: a.name, Since: 11, New: checked(1, 1, newArg(a.name, a.max, 11))},
			operators.Registration{OpType: a.name, Since: 12, New: checked(1, 1, newArg(a.name, a.max, 12))},
		)
	}
	for _, r := range ops {
		operators.Register(
			// Opset 1: axes is an optional attribute (absent: every axis)
			// and keepdims defaults to 1. Opset 11 allows negative axes,
			// which this implementation accepts at every opset; opset 12
			// adds int8/uint8 to ReduceMax and ReduceMin and opset 13
			// bfloat16, neither changing the computation.
			operators.Registration{OpType: r.name, Since: 1, New: checked(1, 1, newReduce(r.name, r.kind, false))},
			// Opset 13 (ReduceSum) / 18 (the others): axes becomes an
			// optional int64 input, and noop_with_empty_axes=1 turns an
			// empty or absent axes into "reduce nothing" instead of
			// "reduce everything". ReduceMax and ReduceMin-20 add bool
			// (not supported).
			operators.Registration{OpType: r.name, Since: r.axesInput, New: checked(1, 2, newReduce(r.name, r.kind, true))},
		)
	}
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
