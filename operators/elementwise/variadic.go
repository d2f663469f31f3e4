package elementwise

import (
	"fmt"

	"github.com/onnxrun/onnxrun/operators"
	"github.com/onnxrun/onnxrun/operators/internal/broadcast"
)

type foldOp uint8

const (
	opSum foldOp = iota
	opMean
	opMax
	opMin
)

// variadic is Sum, Mean, Max or Min over one or more inputs broadcast
// together. The output starts as input 0 broadcast to the final shape,
// and each further input is folded into it in place.
type variadic struct {
	name string
	op   foldOp
}

func newVariadic(name string, op foldOp) operators.Factory {
	o := &variadic{name: name, op: op}
	return func(*operators.Node) (operators.Op, error) { return o, nil }
}

func (o *variadic) typeOK(dt operators.DType) bool {
	if dt.IsFloat() {
		return true
	}
	// Max and Min take integers from opset 12.
	return (o.op == opMax || o.op == opMin) && arithType(dt)
}

func (o *variadic) Infer(in []operators.Meta, _ []*operators.Value) ([]operators.Meta, error) {
	if len(in) == 0 {
		return nil, fmt.Errorf("%w: %s needs at least one input", operators.ErrInvalidModel, o.name)
	}
	if err := checkSame(o.name, in); err != nil {
		return nil, err
	}
	dt := in[0].DType
	if !o.typeOK(dt) {
		return nil, unsupported(o.name, dt)
	}
	shapes := make([][]int, len(in))
	for i, m := range in {
		if !m.HasShape {
			return []operators.Meta{{DType: dt}}, nil
		}
		shapes[i] = m.Shape
	}
	out, err := broadcast.Shape(shapes...)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", o.name, err)
	}
	return []operators.Meta{{DType: dt, Shape: out, HasShape: true}}, nil
}

func (o *variadic) Run(rc *operators.RunContext, in, out []*operators.Value) error {
	if err := checkInputs(o.name, in, len(in)); err != nil {
		return err
	}
	metas := make([]operators.Meta, len(in))
	for i, v := range in {
		metas[i] = v.Meta()
	}
	m, err := o.Infer(metas, nil)
	if err != nil {
		return err
	}
	dt := m[0].DType
	y, err := rc.AllocValue(dt, m[0].Shape, false)
	if err != nil {
		return err
	}
	switch dt {
	case operators.Float32:
		err = foldAll(rc, o.op, y, in, operators.View[float32])
	case operators.Float64:
		err = foldAll(rc, o.op, y, in, operators.View[float64])
	case operators.Int8:
		err = foldAll(rc, o.op, y, in, operators.View[int8])
	case operators.Uint8:
		err = foldAll(rc, o.op, y, in, operators.View[uint8])
	case operators.Int16:
		err = foldAll(rc, o.op, y, in, operators.View[int16])
	case operators.Uint16:
		err = foldAll(rc, o.op, y, in, operators.View[uint16])
	case operators.Int32:
		err = foldAll(rc, o.op, y, in, operators.View[int32])
	case operators.Uint32:
		err = foldAll(rc, o.op, y, in, operators.View[uint32])
	case operators.Int64:
		err = foldAll(rc, o.op, y, in, operators.View[int64])
	case operators.Uint64:
		err = foldAll(rc, o.op, y, in, operators.View[uint64])
	case operators.Float16, operators.BFloat16:
		// Fold in float32 and round once at the end.
		acc, _ := operators.NewValue(operators.Float32, y.Shape)
		wide := make([]*operators.Value, len(in))
		for i, v := range in {
			w, _ := operators.NewValue(operators.Float32, v.Shape)
			hc := codec(dt)
			for j, h := range v.U16() {
				w.F32()[j] = hc.from(h)
			}
			wide[i] = w
		}
		if err = foldAll(rc, o.op, acc, wide, operators.View[float32]); err == nil {
			hc := codec(dt)
			for j, f := range acc.F32() {
				y.U16()[j] = hc.to(f)
			}
		}
	}
	if err != nil {
		return err
	}
	out[0] = y
	return nil
}

// foldAll computes y = in[0] op in[1] op ... with broadcasting, then
// divides by the count for Mean.
func foldAll[T number](rc *operators.RunContext, op foldOp, y *operators.Value, in []*operators.Value, view func([]byte) []T) error {
	ys := view(y.Raw)
	var p broadcast.Binary
	for i, v := range in {
		if err := p.Init(y.Shape, v.Shape); err != nil {
			return err
		}
		k := kernels[broadcast.Kernels[T, T]](famFold, y.DType, int(op))
		if i == 0 {
			k = kernels[broadcast.Kernels[T, T]](famTake, y.DType, 0)
		}
		broadcast.Apply(&p, ys, ys, view(v.Raw), k, rc)
	}
	if op == opMean {
		n := T(len(in))
		for j := range ys {
			ys[j] /= n
		}
	}
	return nil
}

// takeKernels copy the second operand: c = b.
func takeKernels[T number]() broadcast.Kernels[T, T] {
	return broadcast.Kernels[T, T]{
		VV: func(c, _, b []T) { copy(c, b) },
		VS: func(c, _ []T, b T) {
			for i := range c {
				c[i] = b
			}
		},
		SV: func(c []T, _ T, b []T) { copy(c, b) },
	}
}

func foldKernels[T number](op foldOp) broadcast.Kernels[T, T] {
	switch op {
	case opMax:
		return broadcast.Kernels[T, T]{
			VV: func(c, a, b []T) {
				a, b = a[:len(c)], b[:len(c)]
				for i := range c {
					c[i] = maxNaN(a[i], b[i])
				}
			},
			VS: func(c, a []T, b T) {
				a = a[:len(c)]
				for i := range c {
					c[i] = maxNaN(a[i], b)
				}
			},
			SV: func(c []T, a T, b []T) {
				b = b[:len(c)]
				for i := range c {
					c[i] = maxNaN(a, b[i])
				}
			},
		}
	case opMin:
		return broadcast.Kernels[T, T]{
			VV: func(c, a, b []T) {
				a, b = a[:len(c)], b[:len(c)]
				for i := range c {
					c[i] = minNaN(a[i], b[i])
				}
			},
			VS: func(c, a []T, b T) {
				a = a[:len(c)]
				for i := range c {
					c[i] = minNaN(a[i], b)
				}
			},
			SV: func(c []T, a T, b []T) {
				b = b[:len(c)]
				for i := range c {
					c[i] = minNaN(a, b[i])
				}
			},
		}
	}
	return arithKernels[T](opAdd)
}

// maxNaN and minNaN propagate NaN from either side.
func maxNaN[T number](a, b T) T {
	if a != a || a > b {
		return a
	}
	return b
}

func minNaN[T number](a, b T) T {
	if a != a || a < b {
		return a
	}
	return b
}
