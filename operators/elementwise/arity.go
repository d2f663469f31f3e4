package elementwise

import (
	"github.com/onnxrun/onnxrun/operators"
	"github.com/onnxrun/onnxrun/operators/internal/inputs"
)

// arity is how many inputs each operator of the package takes (required,
// and at most; -1 for no limit). Operators not listed take exactly one.
var arity = map[string][2]int{
	"Add": {2, 2}, "Sub": {2, 2}, "Mul": {2, 2}, "Div": {2, 2}, "Pow": {2, 2},
	"Mod": {2, 2}, "BitShift": {2, 2}, "PRelu": {2, 2},
	"Equal": {2, 2}, "Less": {2, 2}, "Greater": {2, 2}, "LessOrEqual": {2, 2}, "GreaterOrEqual": {2, 2},
	"And": {2, 2}, "Or": {2, 2}, "Xor": {2, 2},
	"Where": {3, 3},
	"Sum":   {1, -1}, "Mean": {1, -1}, "Max": {1, -1}, "Min": {1, -1},
}

// register registers rs with a check of the node's input count in front
// of each factory, so a node with a missing or extra input fails at load.
func register(rs ...operators.Registration) {
	for i := range rs {
		r := &rs[i]
		a, ok := arity[r.OpType]
		if !ok {
			a = [2]int{1, 1}
		}
		if r.OpType == "Clip" {
			a = [2]int{1, 1}
			if r.Since >= 11 {
				a = [2]int{1, 3} // min and max became optional inputs
			}
		}
		f := r.New
		r.New = func(n *operators.Node) (operators.Op, error) {
			if err := inputs.Check(n, a[0], a[1]); err != nil {
				return nil, err
			}
			return f(n)
		}
	}
	operators.Register(rs...)
}
