package elementwise

import (
	"math"

	"github.com/onnxrun/onnxrun/dispatch"

	"github.com/onnxrun/onnxrun/operators"
)

func reluOf[T signed](y, x []T) {
	x = x[:len(y)]
	for i, v := range x {
		if v < 0 { // NaN stays NaN
			v = 0
		}
		y[i] = v
	}
}

func negOf[T signed](y, x []T) {
	x = x[:len(y)]
	for i, v := range x {
		y[i] = -v
	}
}

func absOf[T signed](y, x []T) {
	x = x[:len(y)]
	for i, v := range x {
		if v < 0 {
			v = -v
		}
		y[i] = v
	}
}

// absF32 and absF64 clear the sign bit, so -0 and -NaN come out positive.
func absF32(y, x []float32) {
	x = x[:len(y)]
	for i, v := range x {
		y[i] = math.Float32frombits(math.Float32bits(v) &^ (1 << 31))
	}
}

func absF64(y, x []float64) {
	x = x[:len(y)]
	for i, v := range x {
		y[i] = math.Abs(v)
	}
}

func copyOf[T operators.Element](y, x []T) { copy(y, x) }

// withSigned adds the signed integer types to l with loops from one
// generic function.
func withSigned(l loops, i8 func(y, x []int8), i16 func(y, x []int16), i32 func(y, x []int32), i64 func(y, x []int64)) loops {
	l[operators.Int8] = typed(i8)
	l[operators.Int16] = typed(i16)
	l[operators.Int32] = typed(i32)
	l[operators.Int64] = typed(i64)
	return l
}

func sigmoid(x float64) float64 {
	if x >= 0 {
		return 1 / (1 + math.Exp(-x))
	}
	e := math.Exp(x)
	return e / (1 + e)
}

// softplus is log(1 + exp(x)) without overflow for large x.
func softplus(x float64) float64 {
	if x > 0 {
		return x + math.Log1p(math.Exp(-x))
	}
	return math.Log1p(math.Exp(x))
}

// Direct float loops for maps the compiler turns into single
// instructions; going through mathLoops' function value would cost an
// indirect call per element. Each rounds exactly as the float64 form does.

func sqrtOf[T float32 | float64](y, x []T) {
	x = x[:len(y)]
	for i, v := range x {
		y[i] = T(math.Sqrt(float64(v)))
	}
}

func reciprocalOf[T float32 | float64](y, x []T) {
	x = x[:len(y)]
	for i, v := range x {
		y[i] = 1 / v
	}
}

func floorOf[T float32 | float64](y, x []T) {
	x = x[:len(y)]
	for i, v := range x {
		y[i] = T(math.Floor(float64(v)))
	}
}

func ceilOf[T float32 | float64](y, x []T) {
	x = x[:len(y)]
	for i, v := range x {
		y[i] = T(math.Ceil(float64(v)))
	}
}

func roundOf[T float32 | float64](y, x []T) {
	x = x[:len(y)]
	for i, v := range x {
		y[i] = T(math.RoundToEven(float64(v)))
	}
}

// newRelu serves float32 Relu with the dispatch table's clamp (in force
// when the model is loaded): a copy and a branch-free max with 0 instead of
// a compare per element, whose branch mispredicts on data of mixed sign.
// The clamp keeps NaN and -0 as the loop does, so the results are the same.
func newRelu(base loops) operators.Factory {
	return func(*operators.Node) (operators.Op, error) {
		clamp := dispatch.Active().ClampF32
		l := make(loops, len(base))
		for dt, f := range base {
			l[dt] = f
		}
		inf := float32(math.Inf(1))
		l[operators.Float32] = func(y, x *operators.Value, lo, hi int) {
			if lo >= hi {
				return
			}
			ys := y.F32()[lo:hi]
			if xs := x.F32()[lo:hi]; &xs[0] != &ys[0] {
				copy(ys, xs)
			}
			clamp(ys, 0, inf)
		}
		return &unary{name: "Relu", loops: l}, nil
	}
}

func registerActivations() {
	relu := withSigned(floatLoops(reluOf[float32], reluOf[float64]), reluOf[int8], reluOf[int16], reluOf[int32], reluOf[int64])
	neg := withSigned(floatLoops(negOf[float32], negOf[float64]), negOf[int8], negOf[int16], negOf[int32], negOf[int64])
	abs := withSigned(floatLoops(absF32, absF64), absOf[int8], absOf[int16], absOf[int32], absOf[int64])
	// Unsigned absolute values are the values.
	abs[operators.Uint8] = typed(copyOf[uint8])
	abs[operators.Uint16] = typed(copyOf[uint16])
	abs[operators.Uint32] = typed(copyOf[uint32])
	abs[operators.Uint64] = typed(copyOf[uint64])

	register(
		// Relu: opset 6 drops consumed_inputs, 13 adds bfloat16, 14 the
		// signed integers; the map never changed.
		operators.Registration{OpType: "Relu", Since: 1, New: newRelu(relu)},
		// Neg and Abs: opset 6 adds the integer types and drops
		// consumed_inputs, 13 adds bfloat16.
		operators.Registration{OpType: "Neg", Since: 1, New: unaryFactory("Neg", neg)},
		operators.Registration{OpType: "Abs", Since: 1, New: unaryFactory("Abs", abs)},
		// Sigmoid, Tanh, Sqrt, Reciprocal: opset 6 drops consumed_inputs,
		// 13 adds bfloat16.
		operators.Registration{OpType: "Sigmoid", Since: 1, New: newSigmoid},
		operators.Registration{OpType: "Tanh", Since: 1, New: newTanh},
		operators.Registration{OpType: "Sqrt", Since: 1, New: unaryFactory("Sqrt", floatLoops(sqrtOf[float32], sqrtOf[float64]))},
		operators.Registration{OpType: "Reciprocal", Since: 1, New: unaryFactory("Reciprocal", floatLoops(reciprocalOf[float32], reciprocalOf[float64]))},
		// Erf: new in opset 9; 13 adds bfloat16.
		operators.Registration{OpType: "Erf", Since: 9, New: unaryFactory("Erf", mathLoops(math.Erf))},
		// Softplus: one version.
		operators.Registration{OpType: "Softplus", Since: 1, New: unaryFactory("Softplus", mathLoops(softplus))},
		// LeakyRelu (1, 6, 16 adds bfloat16), Elu (1, 6), Selu (1, 6),
		// HardSigmoid (1, 6): opset 6 only dropped consumed_inputs.
		operators.Registration{OpType: "LeakyRelu", Since: 1, New: newLeakyRelu},
		operators.Registration{OpType: "Elu", Since: 1, New: newElu},
		operators.Registration{OpType: "Selu", Since: 1, New: newSelu},
		operators.Registration{OpType: "HardSigmoid", Since: 1, New: newHardSigmoid},
		// HardSwish: new in opset 14.
		operators.Registration{OpType: "HardSwish", Since: 14, New: unaryFactory("HardSwish", mathLoops(hardSwish))},
	)
}

func hardSwish(x float64) float64 { return x * math.Max(0, math.Min(1, x/6+0.5)) }

// floatAttrs reads float attributes with defaults, in order.
func floatAttrs(n *operators.Node, names []string, defs []float32) ([]float64, error) {
	out := make([]float64, len(names))
	for i, name := range names {
		v, err := n.Float(name, defs[i])
		if err != nil {
			return nil, err
		}
		out[i] = float64(v)
	}
	return out, nil
}

func newLeakyRelu(n *operators.Node) (operators.Op, error) {
	a, err := floatAttrs(n, []string{"alpha"}, []float32{0.01})
	if err != nil {
		return nil, err
	}
	alpha := a[0]
	return &unary{name: "LeakyRelu", loops: mathLoops(func(x float64) float64 {
		if x < 0 {
			return alpha * x
		}
		return x
	})}, nil
}

func newElu(n *operators.Node) (operators.Op, error) {
	a, err := floatAttrs(n, []string{"alpha"}, []float32{1})
	if err != nil {
		return nil, err
	}
	alpha := a[0]
	return &unary{name: "Elu", loops: mathLoops(func(x float64) float64 {
		if x < 0 {
			return alpha * math.Expm1(x)
		}
		return x
	})}, nil
}

func newSelu(n *operators.Node) (operators.Op, error) {
	// The defaults are the float32 values ONNX lists.
	a, err := floatAttrs(n, []string{"alpha", "gamma"}, []float32{1.67326319217681884765625, 1.05070102214813232421875})
	if err != nil {
		return nil, err
	}
	alpha, gamma := a[0], a[1]
	return &unary{name: "Selu", loops: mathLoops(func(x float64) float64 {
		if x <= 0 {
			return gamma * (alpha*math.Exp(x) - alpha)
		}
		return gamma * x
	})}, nil
}

func newHardSigmoid(n *operators.Node) (operators.Op, error) {
	a, err := floatAttrs(n, []string{"alpha", "beta"}, []float32{0.2, 0.5})
	if err != nil {
		return nil, err
	}
	alpha, beta := a[0], a[1]
	return &unary{name: "HardSigmoid", loops: mathLoops(func(x float64) float64 {
		return math.Max(0, math.Min(1, alpha*x+beta))
	})}, nil
}
