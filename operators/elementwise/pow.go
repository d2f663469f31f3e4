package elementwise

import (
	"fmt"
	"math"

	"github.com/onnxrun/onnxrun/operators"
	"github.com/onnxrun/onnxrun/operators/internal/broadcast"
)

// powKernels computes in float64 and rounds once. A scalar exponent of 2
// or 0.5 takes a multiply or a square root, which give the same result.
func powKernels[T float32 | float64]() broadcast.Kernels[T, T] {
	return broadcast.Kernels[T, T]{
		VV: func(c, a, b []T) {
			a, b = a[:len(c)], b[:len(c)]
			for i := range c {
				c[i] = T(math.Pow(float64(a[i]), float64(b[i])))
			}
		},
		VS: func(c, a []T, b T) {
			a = a[:len(c)]
			switch b {
			case 2:
				for i, v := range a {
					c[i] = T(float64(v) * float64(v))
				}
			case 0.5:
				for i, v := range a {
					c[i] = T(math.Sqrt(float64(v)))
				}
			default:
				e := float64(b)
				for i, v := range a {
					c[i] = T(math.Pow(float64(v), e))
				}
			}
		},
		SV: func(c []T, a T, b []T) {
			b = b[:len(c)]
			base := float64(a)
			for i := range c {
				c[i] = T(math.Pow(base, float64(b[i])))
			}
		},
	}
}

// pow is Pow: the exponent may have another numeric type than the base
// (opset 12); the result has the base's type.
type pow struct {
	legacy *legacyBroadcast
}

func newPow(since int) operators.Factory {
	return func(n *operators.Node) (operators.Op, error) {
		o := &pow{}
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

func powBase(dt operators.DType) bool {
	switch dt {
	case operators.Float32, operators.Float64, operators.Float16, operators.BFloat16, operators.Int32, operators.Int64:
		return true
	}
	return false
}

func powTypes(base, exp operators.DType) error {
	if !powBase(base) {
		return fmt.Errorf("%w: Pow base (input 0) of type %v", operators.ErrUnsupportedType, base)
	}
	if !arithType(exp) {
		return fmt.Errorf("%w: Pow exponent (input 1) of type %v", operators.ErrUnsupportedType, exp)
	}
	return nil
}

func (o *pow) Infer(in []operators.Meta, _ []*operators.Value) ([]operators.Meta, error) {
	if len(in) != 2 {
		return nil, fmt.Errorf("%w: Pow takes 2 inputs, got %d", operators.ErrInvalidModel, len(in))
	}
	if err := powTypes(in[0].DType, in[1].DType); err != nil {
		return nil, err
	}
	dt := in[0].DType
	if !in[0].HasShape || !in[1].HasShape {
		return []operators.Meta{{DType: dt}}, nil
	}
	bs := in[1].Shape
	if o.legacy != nil {
		var err error
		if bs, err = o.legacy.shapeB(in[0].Shape, bs); err != nil {
			return nil, fmt.Errorf("Pow: %w", err)
		}
	}
	out, err := broadcast.Shape(in[0].Shape, bs)
	if err != nil {
		return nil, fmt.Errorf("Pow: %w", err)
	}
	return []operators.Meta{{DType: dt, Shape: out, HasShape: true}}, nil
}

func (o *pow) Run(rc *operators.RunContext, in, out []*operators.Value) error {
	if err := checkInputs("Pow", in, 2); err != nil {
		return err
	}
	a, b := in[0], in[1]
	if err := powTypes(a.DType, b.DType); err != nil {
		return err
	}
	bs := b.Shape
	if o.legacy != nil {
		var err error
		if bs, err = o.legacy.shapeB(a.Shape, bs); err != nil {
			return fmt.Errorf("Pow: %w", err)
		}
	}
	var p broadcast.Binary
	if err := p.Init(a.Shape, bs); err != nil {
		return fmt.Errorf("Pow: %w", err)
	}
	c, err := rc.AllocValue(a.DType, p.Out, false)
	if err != nil {
		return err
	}
	switch {
	case a.DType == operators.Float32 && b.DType == operators.Float32:
		broadcast.Apply(&p, c.F32(), a.F32(), b.F32(), kernels[broadcast.Kernels[float32, float32]](famPow, operators.Float32, 0), rc)
	case a.DType == operators.Float64 && b.DType == operators.Float64:
		broadcast.Apply(&p, c.F64(), a.F64(), b.F64(), kernels[broadcast.Kernels[float64, float64]](famPow, operators.Float64, 0), rc)
	case a.DType == b.DType && (a.DType == operators.Float16 || a.DType == operators.BFloat16):
		broadcast.Apply(&p, c.U16(), a.U16(), b.U16(), kernels[broadcast.Kernels[uint16, uint16]](famPow, a.DType, 0), rc)
	default:
		// Mixed types and integer bases: compute in float64 and convert
		// to the base's type (integer results truncate, as ONNX
		// Runtime's cast of std::pow does).
		fa, fb := toFloat64(a), toFloat64(b)
		fc := make([]float64, p.N)
		broadcast.Apply(&p, fc, fa, fb, kernels[broadcast.Kernels[float64, float64]](famPow, operators.Float64, 0), rc)
		fromFloat64(c, fc)
	}
	out[0] = c
	return nil
}
