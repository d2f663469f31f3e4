package elementwise

import "github.com/onnxrun/onnxrun/operators"

func init() {
	for _, a := range []struct {
		name string
		op   arithOp
	}{{"Add", opAdd}, {"Sub", opSub}, {"Mul", opMul}, {"Div", opDiv}} {
		operators.Register(
			// Opset 1: B broadcasts onto A only with broadcast=1, its
			// shape placed at axis (suffix by default); consumed_inputs is
			// a legacy optimisation hint and is ignored.
			// Opset 6: drops consumed_inputs; same broadcasting rule.
			operators.Registration{OpType: a.name, Since: 1, New: newArith(a.name, a.op, 1)},
			// Opset 7: numpy multidirectional broadcasting; broadcast and
			// axis are gone.
			// Opset 13: adds bfloat16. Opset 14: adds 8- and 16-bit
			// integers. Neither changes the computation, so opset 7's
			// implementation serves them.
			operators.Registration{OpType: a.name, Since: 7, New: newArith(a.name, a.op, 7)},
		)
	}
	registerUnary()
	registerActivations()
}
