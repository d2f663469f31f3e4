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
	operators.Register(
		// Pow-1: legacy broadcast/axis attributes as for Add-1.
		operators.Registration{OpType: "Pow", Since: 1, New: newPow(1)},
		// Pow-7: numpy broadcasting. Opset 12 lets the exponent have its
		// own numeric type and adds int32/int64 bases; 13 and 15 add
		// bfloat16. This implementation accepts mixed types from 7 on.
		operators.Registration{OpType: "Pow", Since: 7, New: newPow(7)},
		// Clip-1/6: float bounds in the min and max attributes (opset 6
		// only dropped consumed_inputs).
		operators.Registration{OpType: "Clip", Since: 1, New: newClip(1)},
		// Clip-11: the bounds become optional scalar inputs 1 and 2.
		// Opset 12 adds the integer types, 13 bfloat16.
		operators.Registration{OpType: "Clip", Since: 11, New: newClip(11)},
	)
}
