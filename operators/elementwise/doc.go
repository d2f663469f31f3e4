// Package elementwise implements ONNX's element-wise operators: the
// broadcasting binary arithmetic Add, Sub, Mul and Div, and unary maps
// such as Exp and Log.
//
// Binary operators broadcast numpy-style (opset 7 on) through
// operators/internal/broadcast; the opset 1 and 6 forms, which broadcast B
// onto A only when the broadcast attribute is 1, are translated to the same
// loop by placing B's dimensions at axis. float16 and bfloat16 are computed
// through float32 a block at a time and rounded back to nearest-even.
//
// Integer division truncates toward zero, as C does. An integer Div whose
// divisor holds a zero fails with an error instead of crashing (ONNX leaves
// it undefined; ONNX Runtime's CPU kernel traps). The most negative value
// divided by -1 wraps to itself.
package elementwise
