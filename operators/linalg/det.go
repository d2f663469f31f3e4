package linalg

import (
	"fmt"
	"math"

	"github.com/onnxrun/onnxrun/operators"
	"github.com/onnxrun/onnxrun/operators/internal/half"
	"github.com/onnxrun/onnxrun/operators/internal/inputs"
)

type det struct{}

func newDet(n *operators.Node) (operators.Op, error) {
	if err := inputs.Check(n, 1, 1); err != nil {
		return nil, err
	}
	return det{}, nil
}

func (det) Infer(in []operators.Meta, _ []*operators.Value) ([]operators.Meta, error) {
	if len(in) != 1 {
		return nil, fmt.Errorf("%w: Det takes 1 input, got %d", operators.ErrInvalidModel, len(in))
	}
	dt := in[0].DType
	if !dt.IsFloat() {
		return nil, fmt.Errorf("%w: Det of %v", operators.ErrUnsupportedType, dt)
	}
	if !in[0].HasShape {
		return []operators.Meta{{DType: dt}}, nil
	}
	s := in[0].Shape
	if len(s) < 2 || (s[len(s)-1] >= 0 && s[len(s)-2] >= 0 && s[len(s)-1] != s[len(s)-2]) {
		return nil, fmt.Errorf("%w: Det needs [..., M, M], got shape %v", operators.ErrShape, s)
	}
	return []operators.Meta{{DType: dt, Shape: append([]int(nil), s[:len(s)-2]...), HasShape: true}}, nil
}

func (d det) Run(rc *operators.RunContext, in, out []*operators.Value) error {
	if len(in) != 1 || in[0] == nil {
		return fmt.Errorf("%w: Det needs its input", operators.ErrInvalidModel)
	}
	x := in[0]
	if _, err := d.Infer([]operators.Meta{x.Meta()}, nil); err != nil {
		return err
	}
	r := len(x.Shape)
	m := x.Shape[r-1]
	y, err := rc.AllocValue(x.DType, x.Shape[:r-2], false)
	if err != nil {
		return err
	}
	a := make([]float64, m*m)
	for b := 0; b < y.Len(); b++ {
		for i := range a {
			a[i] = elem(x, b*m*m+i)
		}
		store(y, b, lu(a, m))
	}
	out[0] = y
	return nil
}

// lu returns the determinant of the m×m row-major matrix a, destroying a.
func lu(a []float64, m int) float64 {
	d := 1.0
	for c := 0; c < m; c++ {
		p := c
		for r := c + 1; r < m; r++ {
			if math.Abs(a[r*m+c]) > math.Abs(a[p*m+c]) {
				p = r
			}
		}
		if a[p*m+c] == 0 {
			return 0
		}
		if p != c {
			for k := 0; k < m; k++ {
				a[p*m+k], a[c*m+k] = a[c*m+k], a[p*m+k]
			}
			d = -d
		}
		piv := a[c*m+c]
		d *= piv
		for r := c + 1; r < m; r++ {
			f := a[r*m+c] / piv
			for k := c + 1; k < m; k++ {
				a[r*m+k] -= f * a[c*m+k]
			}
		}
	}
	return d
}

func elem(v *operators.Value, i int) float64 {
	switch v.DType {
	case operators.Float32:
		return float64(v.F32()[i])
	case operators.Float64:
		return v.F64()[i]
	case operators.Float16:
		return float64(half.FromFloat16(v.U16()[i]))
	}
	return float64(half.FromBFloat16(v.U16()[i]))
}

func store(v *operators.Value, i int, x float64) {
	switch v.DType {
	case operators.Float32:
		v.F32()[i] = float32(x)
	case operators.Float64:
		v.F64()[i] = x
	case operators.Float16:
		v.U16()[i] = half.ToFloat16(float32(x))
	default:
		v.U16()[i] = half.ToBFloat16(float32(x))
	}
}
