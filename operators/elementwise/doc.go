// Package elementwise implements ONNX's element-wise operators: the
// broadcasting binary arithmetic (Add, Sub, Mul, Div, Pow, Mod, BitShift,
// PRelu), comparisons (Equal, Less, Greater, LessOrEqual, GreaterOrEqual),
// logic (And, Or, Xor, Not), Where, the variadic Sum, Mean, Max and Min,
// Clip, and the unary maps (Exp, Log, Sqrt, Reciprocal, Neg, Abs, Sign,
// Floor, Ceil, Round, Erf, the trigonometric and hyperbolic functions,
// IsNaN, IsInf, and the activations Relu, Sigmoid, Tanh, LeakyRelu, Elu,
// Selu, Celu, Softplus, Softsign, HardSigmoid, HardSwish, ThresholdedRelu,
// Shrink, Mish and Gelu).
//
// Binary operators broadcast numpy-style (opset 7 on) through
// operators/internal/broadcast; the opset 1 and 6 forms, which broadcast B
// onto A only when the broadcast attribute is 1, are translated to the same
// loop by placing B's dimensions at axis. Kernel sets are built once per
// element type at init, so a steady-state Run allocates only its output's
// shape. float16 and bfloat16 are computed through float32 a block at a
// time and rounded back to nearest-even.
//
// Transcendental maps compute in float64 and round once, except Exp and
// Sigmoid in float32, which use the dispatch table's vectorised
// exponential (within 1 ULP for Exp, a few ULP for Sigmoid).
//
// Integer division truncates toward zero, as C does. An integer Div or Mod
// whose divisor holds a zero fails with an error instead of crashing (ONNX
// leaves it undefined; ONNX Runtime's CPU kernel traps). The most negative
// value divided by -1 wraps to itself.
package elementwise
