package elementwise

import "github.com/onnxrun/onnxrun/operators"

func init() {
	for _, a := range []struct {
		name string
		op   arithOp
	}{{"Add", opAdd}, {"Sub", opSub}, {"Mul", opMul}, {"Div", opDiv}} {
		register(
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
	registerMore()
	register(
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
	for _, c := range []struct {
		name  string
		op    cmpOp
		since int
	}{{"Equal", opEq, 1}, {"Less", opLt, 1}, {"Greater", opGt, 1}, {"LessOrEqual", opLe, 12}, {"GreaterOrEqual", opGe, 12}} {
		if c.since == 1 {
			// Equal, Less, Greater-1: legacy broadcast/axis attributes.
			register(operators.Registration{OpType: c.name, Since: 1, New: newCompare(c.name, c.op, 1)})
		}
		register(
			// Opset 7: numpy broadcasting. Later versions only add types
			// (Less/Greater 9 and Equal 11 numbers, 13 bfloat16, Equal-19
			// strings); LessOrEqual and GreaterOrEqual start at 12 (16
			// adds bfloat16). All of them are served here.
			operators.Registration{OpType: c.name, Since: max(c.since, 7), New: newCompare(c.name, c.op, max(c.since, 7))},
		)
	}
	for _, l := range []struct {
		name string
		op   logicOp
	}{{"And", opAnd}, {"Or", opOr}, {"Xor", opXor}} {
		register(
			// And, Or, Xor-1: legacy broadcast/axis; 7: numpy broadcasting.
			operators.Registration{OpType: l.name, Since: 1, New: newLogic(l.name, l.op, 1)},
			operators.Registration{OpType: l.name, Since: 7, New: newLogic(l.name, l.op, 7)},
		)
	}
	register(
		// Not: one version.
		operators.Registration{OpType: "Not", Since: 1, New: unaryFactory("Not", loops{operators.Bool: typed(notOf)})},
		// Where: opset 9; 16 adds bfloat16.
		operators.Registration{OpType: "Where", Since: 9, New: newWhere},
		// Sum, Mean, Max, Min: before opset 8 every input had to have the
		// same shape; opset 8 allows numpy broadcasting, a superset, which
		// this implementation applies at every opset. Max and Min take
		// integers from 12; 13 adds bfloat16.
		operators.Registration{OpType: "Sum", Since: 1, New: newVariadic("Sum", opSum)},
		operators.Registration{OpType: "Mean", Since: 1, New: newVariadic("Mean", opMean)},
		operators.Registration{OpType: "Max", Since: 1, New: newVariadic("Max", opMax)},
		operators.Registration{OpType: "Min", Since: 1, New: newVariadic("Min", opMin)},
	)
}
