package elementwise

import (
	"fmt"
	"math"
	"strings"

	"github.com/onnxrun/onnxrun/operators"
	"github.com/onnxrun/onnxrun/operators/internal/broadcast"
)

type integer interface {
	~int8 | ~uint8 | ~int16 | ~uint16 | ~int32 | ~uint32 | ~int64 | ~uint64
}

// signOf maps to -1, 0 or 1; NaN stays NaN.
func signOf[T signed](y, x []T) {
	x = x[:len(y)]
	for i, v := range x {
		switch {
		case v > 0:
			y[i] = 1
		case v < 0:
			y[i] = -1
		default:
			y[i] = v // 0, -0 or NaN
		}
	}
}

func signUnsigned[T number](y, x []T) {
	x = x[:len(y)]
	for i, v := range x {
		if v != 0 {
			v = 1
		}
		y[i] = v
	}
}

func softsign(x float64) float64 { return x / (1 + math.Abs(x)) }

// numericLoops serves every numeric type from a float64 function,
// converting integer results as Go does (truncating). It suits operators
// such as Shrink whose integer forms are rare.
func numericLoops(f func(float64) float64) loops {
	l := mathLoops(f)
	l[operators.Int8] = typed(viaFloat[int8](f))
	l[operators.Uint8] = typed(viaFloat[uint8](f))
	l[operators.Int16] = typed(viaFloat[int16](f))
	l[operators.Uint16] = typed(viaFloat[uint16](f))
	l[operators.Int32] = typed(viaFloat[int32](f))
	l[operators.Uint32] = typed(viaFloat[uint32](f))
	l[operators.Int64] = typed(viaFloat[int64](f))
	l[operators.Uint64] = typed(viaFloat[uint64](f))
	return l
}

func viaFloat[T number](f func(float64) float64) func(y, x []T) {
	return func(y, x []T) {
		x = x[:len(y)]
		for i, v := range x {
			y[i] = T(f(float64(v)))
		}
	}
}

func newShrink(n *operators.Node) (operators.Op, error) {
	a, err := floatAttrs(n, []string{"lambd", "bias"}, []float32{0.5, 0})
	if err != nil {
		return nil, err
	}
	lambd, bias := a[0], a[1]
	return &unary{name: "Shrink", loops: numericLoops(func(x float64) float64 {
		switch {
		case x < -lambd:
			return x + bias
		case x > lambd:
			return x - bias
		}
		return 0
	})}, nil
}

func newThresholdedRelu(n *operators.Node) (operators.Op, error) {
	a, err := floatAttrs(n, []string{"alpha"}, []float32{1})
	if err != nil {
		return nil, err
	}
	alpha := a[0]
	return &unary{name: "ThresholdedRelu", loops: mathLoops(func(x float64) float64 {
		if x > alpha {
			return x
		}
		return 0
	})}, nil
}

func newCelu(n *operators.Node) (operators.Op, error) {
	a, err := floatAttrs(n, []string{"alpha"}, []float32{1})
	if err != nil {
		return nil, err
	}
	alpha := a[0]
	if alpha == 0 {
		return nil, &operators.AttributeError{Attr: "alpha", Reason: "must not be 0"}
	}
	return &unary{name: "Celu", loops: mathLoops(func(x float64) float64 {
		return math.Max(0, x) + math.Min(0, alpha*math.Expm1(x/alpha))
	})}, nil
}

// predicate is a float test with a bool result (IsNaN, IsInf).
type predicate struct {
	name string
	f    func(float64) bool
}

func (o *predicate) Infer(in []operators.Meta, _ []*operators.Value) ([]operators.Meta, error) {
	if len(in) != 1 {
		return nil, fmt.Errorf("%w: %s takes 1 input, got %d", operators.ErrInvalidModel, o.name, len(in))
	}
	if !in[0].DType.IsFloat() {
		return nil, unsupported(o.name, in[0].DType)
	}
	return []operators.Meta{{DType: operators.Bool, Shape: in[0].Shape, HasShape: in[0].HasShape}}, nil
}

func (o *predicate) Run(rc *operators.RunContext, in, out []*operators.Value) error {
	if err := checkInputs(o.name, in, 1); err != nil {
		return err
	}
	x := in[0]
	if !x.DType.IsFloat() {
		return unsupported(o.name, x.DType)
	}
	y, err := rc.AllocValue(operators.Bool, x.Shape, false)
	if err != nil {
		return err
	}
	b := y.Bools()
	switch x.DType {
	case operators.Float32:
		for i, v := range x.F32() {
			b[i] = o.f(float64(v))
		}
	case operators.Float64:
		for i, v := range x.F64() {
			b[i] = o.f(v)
		}
	default:
		hc := codec(x.DType)
		for i, h := range x.U16() {
			b[i] = o.f(float64(hc.from(h)))
		}
	}
	out[0] = y
	return nil
}

func newIsInf(n *operators.Node) (operators.Op, error) {
	neg, err := n.Int("detect_negative", 1)
	if err != nil {
		return nil, err
	}
	pos, err := n.Int("detect_positive", 1)
	if err != nil {
		return nil, err
	}
	return &predicate{name: "IsInf", f: func(x float64) bool {
		return (pos != 0 && math.IsInf(x, 1)) || (neg != 0 && math.IsInf(x, -1))
	}}, nil
}

// prelu is PRelu: y = x < 0 ? slope*x : x, slope broadcast onto x.
type prelu struct {
	legacy bool // opset < 7: a 1-D slope of length C applies along axis 1
}

func newPRelu(since int) operators.Factory {
	return func(*operators.Node) (operators.Op, error) { return &prelu{legacy: since < 7}, nil }
}

func preluKernels[T number]() broadcast.Kernels[T, T] {
	return broadcast.Kernels[T, T]{
		VV: func(c, a, b []T) {
			a, b = a[:len(c)], b[:len(c)]
			for i := range c {
				v := a[i]
				if v < 0 {
					v *= b[i]
				}
				c[i] = v
			}
		},
		VS: func(c, a []T, b T) {
			a = a[:len(c)]
			for i := range c {
				v := a[i]
				if v < 0 {
					v *= b
				}
				c[i] = v
			}
		},
		SV: func(c []T, a T, b []T) {
			b = b[:len(c)]
			for i := range c {
				v := a
				if v < 0 {
					v *= b[i]
				}
				c[i] = v
			}
		},
	}
}

// slopeShape returns the shape the slope broadcasts with. Before opset 7
// a 1-D slope whose length is x's channel count (and not its last
// dimension) means one slope per channel, as exporters of that era wrote.
func (o *prelu) slopeShape(x, s []int) []int {
	if o.legacy && len(s) == 1 && len(x) > 2 && s[0] == x[1] && s[0] != x[len(x)-1] && s[0] != 1 {
		out := make([]int, len(x)-1)
		for i := range out {
			out[i] = 1
		}
		out[0] = s[0]
		return out
	}
	return s
}

func (o *prelu) Infer(in []operators.Meta, _ []*operators.Value) ([]operators.Meta, error) {
	if len(in) != 2 {
		return nil, fmt.Errorf("%w: PRelu takes 2 inputs, got %d", operators.ErrInvalidModel, len(in))
	}
	if err := checkSame("PRelu", in); err != nil {
		return nil, err
	}
	dt := in[0].DType
	if !arithType(dt) {
		return nil, unsupported("PRelu", dt)
	}
	if !in[0].HasShape {
		return []operators.Meta{{DType: dt}}, nil
	}
	if in[1].HasShape {
		if _, err := broadcast.Shape(in[0].Shape, o.slopeShape(in[0].Shape, in[1].Shape)); err != nil {
			return nil, fmt.Errorf("PRelu: %w", err)
		}
	}
	return []operators.Meta{in[0]}, nil
}

func (o *prelu) Run(rc *operators.RunContext, in, out []*operators.Value) error {
	if err := checkInputs("PRelu", in, 2); err != nil {
		return err
	}
	x, s := in[0], in[1]
	if x.DType != s.DType {
		return fmt.Errorf("%w: PRelu: input 1 is %v but input 0 is %v", operators.ErrInvalidModel, s.DType, x.DType)
	}
	var p broadcast.Binary
	if err := p.Init(x.Shape, o.slopeShape(x.Shape, s.Shape)); err != nil {
		return fmt.Errorf("PRelu: %w", err)
	}
	if !sameShape(p.Out, x.Shape) {
		return fmt.Errorf("%w: PRelu: slope of shape %v would grow X of shape %v", operators.ErrShape, s.Shape, x.Shape)
	}
	y, err := rc.AllocValue(x.DType, x.Shape, false)
	if err != nil {
		return err
	}
	switch x.DType {
	case operators.Float32:
		broadcast.Apply(&p, y.F32(), x.F32(), s.F32(), kernels[broadcast.Kernels[float32, float32]](famPRelu, x.DType, 0), rc)
	case operators.Float64:
		broadcast.Apply(&p, y.F64(), x.F64(), s.F64(), kernels[broadcast.Kernels[float64, float64]](famPRelu, x.DType, 0), rc)
	case operators.Int8:
		broadcast.Apply(&p, y.I8(), x.I8(), s.I8(), kernels[broadcast.Kernels[int8, int8]](famPRelu, x.DType, 0), rc)
	case operators.Int16:
		broadcast.Apply(&p, y.I16(), x.I16(), s.I16(), kernels[broadcast.Kernels[int16, int16]](famPRelu, x.DType, 0), rc)
	case operators.Int32:
		broadcast.Apply(&p, y.I32(), x.I32(), s.I32(), kernels[broadcast.Kernels[int32, int32]](famPRelu, x.DType, 0), rc)
	case operators.Int64:
		broadcast.Apply(&p, y.I64(), x.I64(), s.I64(), kernels[broadcast.Kernels[int64, int64]](famPRelu, x.DType, 0), rc)
	case operators.Uint8, operators.Uint16, operators.Uint32, operators.Uint64:
		copy(y.Raw, x.Raw) // never negative
	case operators.Float16, operators.BFloat16:
		broadcast.Apply(&p, y.U16(), x.U16(), s.U16(), kernels[broadcast.Kernels[uint16, uint16]](famPRelu, x.DType, 0), rc)
	}
	out[0] = y
	return nil
}

// modOp is Mod: fmod=0 takes the sign of the divisor (Python's %),
// fmod=1 the sign of the dividend (C's fmod). Floats need fmod=1.
type modOp struct {
	fmod bool
}

func newMod(n *operators.Node) (operators.Op, error) {
	f, err := n.Int("fmod", 0)
	if err != nil {
		return nil, err
	}
	if f != 0 && f != 1 {
		return nil, &operators.AttributeError{Attr: "fmod", Reason: fmt.Sprintf("is %d, want 0 or 1", f)}
	}
	return &modOp{fmod: f == 1}, nil
}

func (o *modOp) Infer(in []operators.Meta, _ []*operators.Value) ([]operators.Meta, error) {
	if len(in) != 2 {
		return nil, fmt.Errorf("%w: Mod takes 2 inputs, got %d", operators.ErrInvalidModel, len(in))
	}
	if err := checkSame("Mod", in); err != nil {
		return nil, err
	}
	dt := in[0].DType
	if !arithType(dt) {
		return nil, unsupported("Mod", dt)
	}
	if dt.IsFloat() && !o.fmod {
		return nil, &operators.AttributeError{Attr: "fmod", Reason: fmt.Sprintf("must be 1 for %v inputs", dt)}
	}
	return binaryShape("Mod", nil, in, dt)
}

func intModKernels[T integer](fmod bool) broadcast.Kernels[T, T] {
	f := func(a, b T) T {
		r := a % b
		if !fmod && r != 0 && (r < 0) != (b < 0) {
			r += b
		}
		return r
	}
	return broadcast.Kernels[T, T]{
		VV: func(c, a, b []T) {
			a, b = a[:len(c)], b[:len(c)]
			for i := range c {
				c[i] = f(a[i], b[i])
			}
		},
		VS: func(c, a []T, b T) {
			a = a[:len(c)]
			for i := range c {
				c[i] = f(a[i], b)
			}
		},
		SV: func(c []T, a T, b []T) {
			b = b[:len(c)]
			for i := range c {
				c[i] = f(a, b[i])
			}
		},
	}
}

func fmodKernels[T float32 | float64]() broadcast.Kernels[T, T] {
	f := func(a, b T) T { return T(math.Mod(float64(a), float64(b))) }
	return broadcast.Kernels[T, T]{
		VV: func(c, a, b []T) {
			a, b = a[:len(c)], b[:len(c)]
			for i := range c {
				c[i] = f(a[i], b[i])
			}
		},
		VS: func(c, a []T, b T) {
			a = a[:len(c)]
			for i := range c {
				c[i] = f(a[i], b)
			}
		},
		SV: func(c []T, a T, b []T) {
			b = b[:len(c)]
			for i := range c {
				c[i] = f(a, b[i])
			}
		},
	}
}

func (o *modOp) Run(rc *operators.RunContext, in, out []*operators.Value) error {
	var p broadcast.Binary
	if err := binaryPlan("Mod", nil, in, &p); err != nil {
		return err
	}
	a, b := in[0], in[1]
	if _, err := o.Infer([]operators.Meta{{DType: a.DType}, {DType: b.DType}}, nil); err != nil {
		return err
	}
	if err := checkDivisor(b); err != nil {
		return fmt.Errorf("Mod: %w", err)
	}
	c, err := rc.AllocValue(a.DType, p.Out, false)
	if err != nil {
		return err
	}
	switch a.DType {
	case operators.Float32:
		broadcast.Apply(&p, c.F32(), a.F32(), b.F32(), kernels[broadcast.Kernels[float32, float32]](famFMod, a.DType, 0), rc)
	case operators.Float64:
		broadcast.Apply(&p, c.F64(), a.F64(), b.F64(), kernels[broadcast.Kernels[float64, float64]](famFMod, a.DType, 0), rc)
	case operators.Float16, operators.BFloat16:
		broadcast.Apply(&p, c.U16(), a.U16(), b.U16(), kernels[broadcast.Kernels[uint16, uint16]](famFMod, a.DType, 0), rc)
	case operators.Int8:
		broadcast.Apply(&p, c.I8(), a.I8(), b.I8(), kernels[broadcast.Kernels[int8, int8]](famIMod, a.DType, b2i(o.fmod)), rc)
	case operators.Uint8:
		broadcast.Apply(&p, c.U8(), a.U8(), b.U8(), kernels[broadcast.Kernels[uint8, uint8]](famIMod, a.DType, b2i(o.fmod)), rc)
	case operators.Int16:
		broadcast.Apply(&p, c.I16(), a.I16(), b.I16(), kernels[broadcast.Kernels[int16, int16]](famIMod, a.DType, b2i(o.fmod)), rc)
	case operators.Uint16:
		broadcast.Apply(&p, c.U16(), a.U16(), b.U16(), kernels[broadcast.Kernels[uint16, uint16]](famIMod, a.DType, b2i(o.fmod)), rc)
	case operators.Int32:
		broadcast.Apply(&p, c.I32(), a.I32(), b.I32(), kernels[broadcast.Kernels[int32, int32]](famIMod, a.DType, b2i(o.fmod)), rc)
	case operators.Uint32:
		broadcast.Apply(&p, c.U32(), a.U32(), b.U32(), kernels[broadcast.Kernels[uint32, uint32]](famIMod, a.DType, b2i(o.fmod)), rc)
	case operators.Int64:
		broadcast.Apply(&p, c.I64(), a.I64(), b.I64(), kernels[broadcast.Kernels[int64, int64]](famIMod, a.DType, b2i(o.fmod)), rc)
	case operators.Uint64:
		broadcast.Apply(&p, c.U64(), a.U64(), b.U64(), kernels[broadcast.Kernels[uint64, uint64]](famIMod, a.DType, b2i(o.fmod)), rc)
	}
	out[0] = c
	return nil
}

// bitShift is BitShift on unsigned integers; shifting by the type's width
// or more gives 0.
type bitShift struct {
	left bool
}

func newBitShift(n *operators.Node) (operators.Op, error) {
	d, err := n.String("direction", "")
	if err != nil {
		return nil, err
	}
	switch strings.ToUpper(d) {
	case "LEFT":
		return &bitShift{left: true}, nil
	case "RIGHT":
		return &bitShift{}, nil
	}
	return nil, &operators.AttributeError{Attr: "direction", Reason: fmt.Sprintf("is %q, want LEFT or RIGHT", d)}
}

func unsignedType(dt operators.DType) bool {
	return dt == operators.Uint8 || dt == operators.Uint16 || dt == operators.Uint32 || dt == operators.Uint64
}

func (o *bitShift) Infer(in []operators.Meta, _ []*operators.Value) ([]operators.Meta, error) {
	if len(in) != 2 {
		return nil, fmt.Errorf("%w: BitShift takes 2 inputs, got %d", operators.ErrInvalidModel, len(in))
	}
	if err := checkSame("BitShift", in); err != nil {
		return nil, err
	}
	if !unsignedType(in[0].DType) {
		return nil, unsupported("BitShift", in[0].DType)
	}
	return binaryShape("BitShift", nil, in, in[0].DType)
}

func shiftKernels[T ~uint8 | ~uint16 | ~uint32 | ~uint64](left bool) broadcast.Kernels[T, T] {
	f := func(a, b T) T { return a >> b }
	if left {
		f = func(a, b T) T { return a << b }
	}
	return broadcast.Kernels[T, T]{
		VV: func(c, a, b []T) {
			a, b = a[:len(c)], b[:len(c)]
			for i := range c {
				c[i] = f(a[i], b[i])
			}
		},
		VS: func(c, a []T, b T) {
			a = a[:len(c)]
			for i := range c {
				c[i] = f(a[i], b)
			}
		},
		SV: func(c []T, a T, b []T) {
			b = b[:len(c)]
			for i := range c {
				c[i] = f(a, b[i])
			}
		},
	}
}

func (o *bitShift) Run(rc *operators.RunContext, in, out []*operators.Value) error {
	var p broadcast.Binary
	if err := binaryPlan("BitShift", nil, in, &p); err != nil {
		return err
	}
	a, b := in[0], in[1]
	if !unsignedType(a.DType) {
		return unsupported("BitShift", a.DType)
	}
	c, err := rc.AllocValue(a.DType, p.Out, false)
	if err != nil {
		return err
	}
	switch a.DType {
	case operators.Uint8:
		broadcast.Apply(&p, c.U8(), a.U8(), b.U8(), kernels[broadcast.Kernels[uint8, uint8]](famShift, a.DType, b2i(o.left)), rc)
	case operators.Uint16:
		broadcast.Apply(&p, c.U16(), a.U16(), b.U16(), kernels[broadcast.Kernels[uint16, uint16]](famShift, a.DType, b2i(o.left)), rc)
	case operators.Uint32:
		broadcast.Apply(&p, c.U32(), a.U32(), b.U32(), kernels[broadcast.Kernels[uint32, uint32]](famShift, a.DType, b2i(o.left)), rc)
	case operators.Uint64:
		broadcast.Apply(&p, c.U64(), a.U64(), b.U64(), kernels[broadcast.Kernels[uint64, uint64]](famShift, a.DType, b2i(o.left)), rc)
	}
	out[0] = c
	return nil
}

func mish(x float64) float64 { return x * math.Tanh(softplus(x)) }

func newGelu(n *operators.Node) (operators.Op, error) {
	a, err := n.String("approximate", "none")
	if err != nil {
		return nil, err
	}
	switch a {
	case "none":
		return &unary{name: "Gelu", loops: mathLoops(func(x float64) float64 {
			return 0.5 * x * (1 + math.Erf(x/math.Sqrt2))
		})}, nil
	case "tanh":
		c := math.Sqrt(2 / math.Pi)
		return &unary{name: "Gelu", loops: mathLoops(func(x float64) float64 {
			return 0.5 * x * (1 + math.Tanh(c*(x+0.044715*x*x*x)))
		})}, nil
	}
	return nil, &operators.AttributeError{Attr: "approximate", Reason: fmt.Sprintf("is %q, want \"none\" or \"tanh\"", a)}
}

func registerMore() {
	sign := withSigned(floatLoops(signOf[float32], signOf[float64]), signOf[int8], signOf[int16], signOf[int32], signOf[int64])
	sign[operators.Uint8] = typed(signUnsigned[uint8])
	sign[operators.Uint16] = typed(signUnsigned[uint16])
	sign[operators.Uint32] = typed(signUnsigned[uint32])
	sign[operators.Uint64] = typed(signUnsigned[uint64])
	trig := []struct {
		name  string
		since int
		f     func(float64) float64
	}{
		// Sin, Cos, Tan, Asin, Acos, Atan: opset 7. Sinh, Cosh, Asinh,
		// Acosh, Atanh: opset 9. Later versions only add types.
		{"Sin", 7, math.Sin}, {"Cos", 7, math.Cos}, {"Tan", 7, math.Tan},
		{"Asin", 7, math.Asin}, {"Acos", 7, math.Acos}, {"Atan", 7, math.Atan},
		{"Sinh", 9, math.Sinh}, {"Cosh", 9, math.Cosh}, {"Asinh", 9, math.Asinh},
		{"Acosh", 9, math.Acosh}, {"Atanh", 9, math.Atanh},
		// Softsign: opset 1.
		{"Softsign", 1, softsign},
	}
	for _, u := range trig {
		register(operators.Registration{OpType: u.name, Since: u.since, New: unaryFactory(u.name, mathLoops(u.f))})
	}
	for _, u := range []struct {
		name  string
		since int
		l     loops
	}{
		// Floor and Ceil: opset 1 (6 dropped consumed_inputs, 13 added
		// bfloat16). Round: opset 11, halves to even.
		{"Floor", 1, floatLoops(floorOf[float32], floorOf[float64])},
		{"Ceil", 1, floatLoops(ceilOf[float32], ceilOf[float64])},
		{"Round", 11, floatLoops(roundOf[float32], roundOf[float64])},
	} {
		register(operators.Registration{OpType: u.name, Since: u.since, New: unaryFactory(u.name, u.l)})
	}
	isNaN := &predicate{name: "IsNaN", f: math.IsNaN}
	register(
		// Sign: opset 9 (13 adds bfloat16).
		operators.Registration{OpType: "Sign", Since: 9, New: unaryFactory("Sign", sign)},
		// Shrink: opset 9.
		operators.Registration{OpType: "Shrink", Since: 9, New: newShrink},
		// ThresholdedRelu: opset 10 (an experimental op before).
		operators.Registration{OpType: "ThresholdedRelu", Since: 10, New: newThresholdedRelu},
		// Celu: opset 12.
		operators.Registration{OpType: "Celu", Since: 12, New: newCelu},
		// IsNaN: opset 9 (13 and 20 add types). IsInf: opset 10.
		operators.Registration{OpType: "IsNaN", Since: 9, New: func(*operators.Node) (operators.Op, error) { return isNaN, nil }},
		operators.Registration{OpType: "IsInf", Since: 10, New: newIsInf},
		// PRelu-1 and 6: the slope is 1-D per channel or broadcasts;
		// PRelu-7: unidirectional numpy broadcasting of the slope onto X;
		// 9 adds integer types and 16 bfloat16.
		operators.Registration{OpType: "PRelu", Since: 1, New: newPRelu(1)},
		operators.Registration{OpType: "PRelu", Since: 7, New: newPRelu(7)},
		// Mod: opset 10 (13 adds bfloat16).
		operators.Registration{OpType: "Mod", Since: 10, New: newMod},
		// Mish: opset 18. Gelu: opset 20, exact (erf) or the tanh
		// approximation.
		operators.Registration{OpType: "Mish", Since: 18, New: unaryFactory("Mish", mathLoops(mish))},
		operators.Registration{OpType: "Gelu", Since: 20, New: newGelu},
		// BitShift: opset 11.
		operators.Registration{OpType: "BitShift", Since: 11, New: newBitShift},
	)
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}
