package elementwise

import (
	"fmt"

	"github.com/onnxrun/onnxrun/operators"
	"github.com/onnxrun/onnxrun/operators/internal/broadcast"
)

// legacyBroadcast is the opset 1 and 6 broadcasting rule of the binary
// arithmetic operators: without broadcast=1 the shapes must be equal; with
// it, B is either a single element or its shape is a contiguous run of A's
// shape starting at axis (suffix matching when axis is absent).
type legacyBroadcast struct {
	enabled bool // the broadcast attribute is 1
	hasAxis bool
	axis    int64
}

// parseLegacy reads broadcast and axis for opsets before 7.
func parseLegacy(n *operators.Node) (*legacyBroadcast, error) {
	b, err := n.Int("broadcast", 0)
	if err != nil {
		return nil, err
	}
	if b != 0 && b != 1 {
		return nil, &operators.AttributeError{Attr: "broadcast", Reason: fmt.Sprintf("is %d, want 0 or 1", b)}
	}
	l := &legacyBroadcast{enabled: b == 1, hasAxis: n.Has("axis")}
	if l.axis, err = n.Int("axis", 0); err != nil {
		return nil, err
	}
	return l, nil
}

// shapeB returns the shape B takes under numpy broadcasting so that the
// legacy rule's result comes out, checking that the rule allows a and b.
// Dimensions may be -1 (unknown) when called from Infer.
func (l *legacyBroadcast) shapeB(a, b []int) ([]int, error) {
	if !l.enabled {
		if !sameShape(a, b) {
			return nil, fmt.Errorf("%w: shapes %v and %v differ and broadcast is 0", operators.ErrShape, a, b)
		}
		return b, nil
	}
	if n := operators.NumElements(b); n == 1 {
		return nil, nil // a single element, in any shape, is a scalar
	}
	axis := int64(len(a) - len(b))
	if l.hasAxis {
		axis = l.axis
		if axis < 0 {
			axis += int64(len(a))
		}
	}
	if axis < 0 || axis+int64(len(b)) > int64(len(a)) {
		return nil, &operators.AttributeError{Attr: "axis", Reason: fmt.Sprintf("B of shape %v does not fit A of shape %v at axis %d", b, a, axis)}
	}
	s := make([]int, len(a))
	for i := range s {
		s[i] = 1
	}
	for i, d := range b {
		ad := a[int(axis)+i]
		if d != ad && d != 1 && d != -1 && ad != -1 {
			return nil, fmt.Errorf("%w: B of shape %v does not match A of shape %v at axis %d", operators.ErrShape, b, a, axis)
		}
		s[int(axis)+i] = d
	}
	return s, nil
}

func sameShape(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] && a[i] != -1 && b[i] != -1 {
			return false
		}
	}
	return true
}

// arith is Add, Sub, Mul or Div.
type arith struct {
	name   string
	op     arithOp
	legacy *legacyBroadcast // nil from opset 7
}

func newArith(name string, op arithOp, since int) operators.Factory {
	return func(n *operators.Node) (operators.Op, error) {
		o := &arith{name: name, op: op}
		if since < 7 {
			l, err := parseLegacy(n)
			if err != nil {
				return nil, err
			}
			o.legacy = l
		}
		return o, nil
	}
}

func arithType(dt operators.DType) bool {
	switch dt {
	case operators.Float32, operators.Float64, operators.Float16, operators.BFloat16,
		operators.Int8, operators.Uint8, operators.Int16, operators.Uint16,
		operators.Int32, operators.Uint32, operators.Int64, operators.Uint64:
		return true
	}
	return false
}

func (o *arith) Infer(in []operators.Meta, _ []*operators.Value) ([]operators.Meta, error) {
	if len(in) != 2 {
		return nil, fmt.Errorf("%w: %s takes 2 inputs, got %d", operators.ErrInvalidModel, o.name, len(in))
	}
	if err := checkSame(o.name, in); err != nil {
		return nil, err
	}
	dt := in[0].DType
	if !arithType(dt) {
		return nil, unsupported(o.name, dt)
	}
	if !in[0].HasShape || !in[1].HasShape {
		return []operators.Meta{{DType: dt}}, nil
	}
	bs := in[1].Shape
	if o.legacy != nil {
		var err error
		if bs, err = o.legacy.shapeB(in[0].Shape, bs); err != nil {
			return nil, fmt.Errorf("%s: %w", o.name, err)
		}
	}
	out, err := broadcast.Shape(in[0].Shape, bs)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", o.name, err)
	}
	return []operators.Meta{{DType: dt, Shape: out, HasShape: true}}, nil
}

func (o *arith) Run(rc *operators.RunContext, in, out []*operators.Value) error {
	if err := checkInputs(o.name, in, 2); err != nil {
		return err
	}
	a, b := in[0], in[1]
	if a.DType != b.DType {
		return fmt.Errorf("%w: %s: input 1 is %v but input 0 is %v", operators.ErrInvalidModel, o.name, b.DType, a.DType)
	}
	bs := b.Shape
	if o.legacy != nil {
		var err error
		if bs, err = o.legacy.shapeB(a.Shape, bs); err != nil {
			return fmt.Errorf("%s: %w", o.name, err)
		}
	}
	var p broadcast.Binary
	if err := p.Init(a.Shape, bs); err != nil {
		return fmt.Errorf("%s: %w", o.name, err)
	}
	if o.op == opDiv {
		if err := checkDivisor(b); err != nil {
			return err
		}
	}
	c, err := rc.AllocValue(a.DType, p.Out, false)
	if err != nil {
		return err
	}
	switch a.DType {
	case operators.Float32:
		runArith[float32](rc, &p, c, a, b, o.op)
	case operators.Float64:
		runArith[float64](rc, &p, c, a, b, o.op)
	case operators.Int8:
		runArith[int8](rc, &p, c, a, b, o.op)
	case operators.Uint8:
		runArith[uint8](rc, &p, c, a, b, o.op)
	case operators.Int16:
		runArith[int16](rc, &p, c, a, b, o.op)
	case operators.Uint16:
		runArith[uint16](rc, &p, c, a, b, o.op)
	case operators.Int32:
		runArith[int32](rc, &p, c, a, b, o.op)
	case operators.Uint32:
		runArith[uint32](rc, &p, c, a, b, o.op)
	case operators.Int64:
		runArith[int64](rc, &p, c, a, b, o.op)
	case operators.Uint64:
		runArith[uint64](rc, &p, c, a, b, o.op)
	case operators.Float16, operators.BFloat16:
		runArith[uint16](rc, &p, c, a, b, o.op)
	default:
		return unsupported(o.name, a.DType)
	}
	out[0] = c
	return nil
}

func runArith[T number](rc *operators.RunContext, p *broadcast.Binary, c, a, b *operators.Value, op arithOp) {
	k := kernels[broadcast.Kernels[T, T]](famArith, a.DType, int(op))
	broadcast.Apply(p, operators.View[T](c.Raw), operators.View[T](a.Raw), operators.View[T](b.Raw), k, rc)
}

// checkDivisor fails when an integer divisor holds a zero.
func checkDivisor(b *operators.Value) error {
	var zero bool
	switch b.DType {
	case operators.Int8:
		zero = hasZero(b.I8())
	case operators.Uint8:
		zero = hasZero(b.U8())
	case operators.Int16:
		zero = hasZero(b.I16())
	case operators.Uint16:
		zero = hasZero(b.U16())
	case operators.Int32:
		zero = hasZero(b.I32())
	case operators.Uint32:
		zero = hasZero(b.U32())
	case operators.Int64:
		zero = hasZero(b.I64())
	case operators.Uint64:
		zero = hasZero(b.U64())
	}
	if zero {
		return fmt.Errorf("Div: integer division by zero (input 1, %v%v)", b.DType, b.Shape)
	}
	return nil
}

func hasZero[T number](x []T) bool {
	for _, v := range x {
		if v == 0 {
			return true
		}
	}
	return false
}
