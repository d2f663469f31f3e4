package elementwise

import (
	"cmp"
	"fmt"

	"github.com/onnxrun/onnxrun/operators"
	"github.com/onnxrun/onnxrun/operators/internal/broadcast"
)

type cmpOp uint8

const (
	opEq cmpOp = iota
	opLt
	opGt
	opLe
	opGe
)

// mirror is the comparison with its operands swapped: a < b is b > a.
func (c cmpOp) mirror() cmpOp {
	switch c {
	case opLt:
		return opGt
	case opGt:
		return opLt
	case opLe:
		return opGe
	case opGe:
		return opLe
	}
	return c
}

func cmpVV[T cmp.Ordered](op cmpOp) func(c []bool, a, b []T) {
	switch op {
	case opEq:
		return func(c []bool, a, b []T) {
			a, b = a[:len(c)], b[:len(c)]
			for i := range c {
				c[i] = a[i] == b[i]
			}
		}
	case opLt:
		return func(c []bool, a, b []T) {
			a, b = a[:len(c)], b[:len(c)]
			for i := range c {
				c[i] = a[i] < b[i]
			}
		}
	case opGt:
		return func(c []bool, a, b []T) {
			a, b = a[:len(c)], b[:len(c)]
			for i := range c {
				c[i] = a[i] > b[i]
			}
		}
	case opLe:
		return func(c []bool, a, b []T) {
			a, b = a[:len(c)], b[:len(c)]
			for i := range c {
				c[i] = a[i] <= b[i]
			}
		}
	}
	return func(c []bool, a, b []T) {
		a, b = a[:len(c)], b[:len(c)]
		for i := range c {
			c[i] = a[i] >= b[i]
		}
	}
}

func cmpVS[T cmp.Ordered](op cmpOp) func(c []bool, a []T, b T) {
	switch op {
	case opEq:
		return func(c []bool, a []T, b T) {
			a = a[:len(c)]
			for i := range c {
				c[i] = a[i] == b
			}
		}
	case opLt:
		return func(c []bool, a []T, b T) {
			a = a[:len(c)]
			for i := range c {
				c[i] = a[i] < b
			}
		}
	case opGt:
		return func(c []bool, a []T, b T) {
			a = a[:len(c)]
			for i := range c {
				c[i] = a[i] > b
			}
		}
	case opLe:
		return func(c []bool, a []T, b T) {
			a = a[:len(c)]
			for i := range c {
				c[i] = a[i] <= b
			}
		}
	}
	return func(c []bool, a []T, b T) {
		a = a[:len(c)]
		for i := range c {
			c[i] = a[i] >= b
		}
	}
}

func cmpKernels[T cmp.Ordered](op cmpOp) broadcast.Kernels[T, bool] {
	mirrored := cmpVS[T](op.mirror())
	return broadcast.Kernels[T, bool]{
		VV: cmpVV[T](op),
		VS: cmpVS[T](op),
		SV: func(c []bool, a T, b []T) { mirrored(c, b, a) },
	}
}

// halfCmpKernels compares 16-bit floats by their float32 values a block
// at a time.
func halfCmpKernels(op cmpOp, hc halfCodec) broadcast.Kernels[uint16, bool] {
	k := cmpKernels[float32](op)
	widen := func(dst []float32, src []uint16) {
		for i, h := range src {
			dst[i] = hc.from(h)
		}
	}
	return broadcast.Kernels[uint16, bool]{
		VV: func(c []bool, a, b []uint16) {
			buf := halfBufs.Get().(*[3][halfBlock]float32)
			defer halfBufs.Put(buf)
			fa, fb := &buf[0], &buf[1]
			for lo := 0; lo < len(c); lo += halfBlock {
				n := min(halfBlock, len(c)-lo)
				widen(fa[:n], a[lo:lo+n])
				widen(fb[:n], b[lo:lo+n])
				k.VV(c[lo:lo+n], fa[:n], fb[:n])
			}
		},
		VS: func(c []bool, a []uint16, b uint16) {
			buf := halfBufs.Get().(*[3][halfBlock]float32)
			defer halfBufs.Put(buf)
			fa := &buf[0]
			s := hc.from(b)
			for lo := 0; lo < len(c); lo += halfBlock {
				n := min(halfBlock, len(c)-lo)
				widen(fa[:n], a[lo:lo+n])
				k.VS(c[lo:lo+n], fa[:n], s)
			}
		},
		SV: func(c []bool, a uint16, b []uint16) {
			buf := halfBufs.Get().(*[3][halfBlock]float32)
			defer halfBufs.Put(buf)
			fb := &buf[1]
			s := hc.from(a)
			for lo := 0; lo < len(c); lo += halfBlock {
				n := min(halfBlock, len(c)-lo)
				widen(fb[:n], b[lo:lo+n])
				k.SV(c[lo:lo+n], s, fb[:n])
			}
		},
	}
}

// compare is Equal, Less, Greater, LessOrEqual or GreaterOrEqual.
type compare struct {
	name   string
	op     cmpOp
	legacy *legacyBroadcast
}

func newCompare(name string, op cmpOp, since int) operators.Factory {
	return func(n *operators.Node) (operators.Op, error) {
		o := &compare{name: name, op: op}
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

func (o *compare) typeOK(dt operators.DType) bool {
	if arithType(dt) {
		return true
	}
	// Equality also applies to bools and strings.
	return o.op == opEq && (dt == operators.Bool || dt == operators.String)
}

func (o *compare) Infer(in []operators.Meta, _ []*operators.Value) ([]operators.Meta, error) {
	if len(in) != 2 {
		return nil, fmt.Errorf("%w: %s takes 2 inputs, got %d", operators.ErrInvalidModel, o.name, len(in))
	}
	if err := checkSame(o.name, in); err != nil {
		return nil, err
	}
	if !o.typeOK(in[0].DType) {
		return nil, unsupported(o.name, in[0].DType)
	}
	return binaryShape(o.name, o.legacy, in, operators.Bool)
}

// binaryShape is the output meta of a broadcasting binary operator.
func binaryShape(name string, legacy *legacyBroadcast, in []operators.Meta, dt operators.DType) ([]operators.Meta, error) {
	if !in[0].HasShape || !in[1].HasShape {
		return []operators.Meta{{DType: dt}}, nil
	}
	bs := in[1].Shape
	if legacy != nil {
		var err error
		if bs, err = legacy.shapeB(in[0].Shape, bs); err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
	}
	out, err := broadcast.Shape(in[0].Shape, bs)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return []operators.Meta{{DType: dt, Shape: out, HasShape: true}}, nil
}

// binaryPlan checks two inputs of one type and plans their broadcast.
func binaryPlan(name string, legacy *legacyBroadcast, in []*operators.Value, p *broadcast.Binary) error {
	if err := checkInputs(name, in, 2); err != nil {
		return err
	}
	a, b := in[0], in[1]
	if a.DType != b.DType {
		return fmt.Errorf("%w: %s: input 1 is %v but input 0 is %v", operators.ErrInvalidModel, name, b.DType, a.DType)
	}
	bs := b.Shape
	if legacy != nil {
		var err error
		if bs, err = legacy.shapeB(a.Shape, bs); err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
	}
	if err := p.Init(a.Shape, bs); err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	return nil
}

func (o *compare) Run(rc *operators.RunContext, in, out []*operators.Value) error {
	var p broadcast.Binary
	if err := binaryPlan(o.name, o.legacy, in, &p); err != nil {
		return err
	}
	a, b := in[0], in[1]
	if !o.typeOK(a.DType) {
		return unsupported(o.name, a.DType)
	}
	c, err := rc.AllocValue(operators.Bool, p.Out, false)
	if err != nil {
		return err
	}
	cb := c.Bools()
	switch a.DType {
	case operators.Float32:
		broadcast.Apply(&p, cb, a.F32(), b.F32(), kernels[broadcast.Kernels[float32, bool]](famCmp, a.DType, int(o.op)), rc)
	case operators.Float64:
		broadcast.Apply(&p, cb, a.F64(), b.F64(), kernels[broadcast.Kernels[float64, bool]](famCmp, a.DType, int(o.op)), rc)
	case operators.Int8:
		broadcast.Apply(&p, cb, a.I8(), b.I8(), kernels[broadcast.Kernels[int8, bool]](famCmp, a.DType, int(o.op)), rc)
	case operators.Uint8, operators.Bool: // bools are the bytes 0 and 1
		broadcast.Apply(&p, cb, a.U8(), b.U8(), kernels[broadcast.Kernels[uint8, bool]](famCmp, a.DType, int(o.op)), rc)
	case operators.Int16:
		broadcast.Apply(&p, cb, a.I16(), b.I16(), kernels[broadcast.Kernels[int16, bool]](famCmp, a.DType, int(o.op)), rc)
	case operators.Uint16:
		broadcast.Apply(&p, cb, a.U16(), b.U16(), kernels[broadcast.Kernels[uint16, bool]](famCmp, a.DType, int(o.op)), rc)
	case operators.Int32:
		broadcast.Apply(&p, cb, a.I32(), b.I32(), kernels[broadcast.Kernels[int32, bool]](famCmp, a.DType, int(o.op)), rc)
	case operators.Uint32:
		broadcast.Apply(&p, cb, a.U32(), b.U32(), kernels[broadcast.Kernels[uint32, bool]](famCmp, a.DType, int(o.op)), rc)
	case operators.Int64:
		broadcast.Apply(&p, cb, a.I64(), b.I64(), kernels[broadcast.Kernels[int64, bool]](famCmp, a.DType, int(o.op)), rc)
	case operators.Uint64:
		broadcast.Apply(&p, cb, a.U64(), b.U64(), kernels[broadcast.Kernels[uint64, bool]](famCmp, a.DType, int(o.op)), rc)
	case operators.String:
		broadcast.Apply(&p, cb, a.Strs, b.Strs, kernels[broadcast.Kernels[string, bool]](famCmp, a.DType, int(o.op)), rc)
	case operators.Float16, operators.BFloat16:
		broadcast.Apply(&p, cb, a.U16(), b.U16(), kernels[broadcast.Kernels[uint16, bool]](famCmp, a.DType, int(o.op)), rc)
	}
	out[0] = c
	return nil
}
