package elementwise

import (
	"fmt"

	"github.com/onnxrun/onnxrun/operators"
	"github.com/onnxrun/onnxrun/operators/internal/broadcast"
)

type logicOp uint8

const (
	opAnd logicOp = iota
	opOr
	opXor
)

func logicKernels(op logicOp) broadcast.Kernels[bool, bool] {
	var f func(a, b bool) bool
	switch op {
	case opAnd:
		return broadcast.Kernels[bool, bool]{
			VV: func(c, a, b []bool) {
				a, b = a[:len(c)], b[:len(c)]
				for i := range c {
					c[i] = a[i] && b[i]
				}
			},
			VS: func(c, a []bool, b bool) {
				if !b {
					clear(c)
					return
				}
				copy(c, a)
			},
			SV: func(c []bool, a bool, b []bool) {
				if !a {
					clear(c)
					return
				}
				copy(c, b)
			},
		}
	case opOr:
		f = func(a, b bool) bool { return a || b }
	default:
		f = func(a, b bool) bool { return a != b }
	}
	return broadcast.Kernels[bool, bool]{
		VV: func(c, a, b []bool) {
			a, b = a[:len(c)], b[:len(c)]
			for i := range c {
				c[i] = f(a[i], b[i])
			}
		},
		VS: func(c, a []bool, b bool) {
			a = a[:len(c)]
			for i := range c {
				c[i] = f(a[i], b)
			}
		},
		SV: func(c []bool, a bool, b []bool) {
			b = b[:len(c)]
			for i := range c {
				c[i] = f(a, b[i])
			}
		},
	}
}

// logic is And, Or or Xor on bool tensors.
type logic struct {
	name   string
	op     logicOp
	legacy *legacyBroadcast
}

func newLogic(name string, op logicOp, since int) operators.Factory {
	return func(n *operators.Node) (operators.Op, error) {
		o := &logic{name: name, op: op}
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

func (o *logic) Infer(in []operators.Meta, _ []*operators.Value) ([]operators.Meta, error) {
	if len(in) != 2 {
		return nil, fmt.Errorf("%w: %s takes 2 inputs, got %d", operators.ErrInvalidModel, o.name, len(in))
	}
	for i, m := range in {
		if m.DType != operators.Bool {
			return nil, fmt.Errorf("%w: %s: input %d is %v, want bool", operators.ErrUnsupportedType, o.name, i, m.DType)
		}
	}
	return binaryShape(o.name, o.legacy, in, operators.Bool)
}

func (o *logic) Run(rc *operators.RunContext, in, out []*operators.Value) error {
	var p broadcast.Binary
	if err := binaryPlan(o.name, o.legacy, in, &p); err != nil {
		return err
	}
	if in[0].DType != operators.Bool {
		return fmt.Errorf("%w: %s: input 0 is %v, want bool", operators.ErrUnsupportedType, o.name, in[0].DType)
	}
	c, err := rc.AllocValue(operators.Bool, p.Out, false)
	if err != nil {
		return err
	}
	broadcast.Apply(&p, c.Bools(), in[0].Bools(), in[1].Bools(), kernels[broadcast.Kernels[bool, bool]](famLogic, operators.Bool, int(o.op)), rc)
	out[0] = c
	return nil
}

func notOf(y, x []bool) {
	x = x[:len(y)]
	for i, v := range x {
		y[i] = !v
	}
}
