package generate

import (
	"fmt"
	"math"

	"github.com/onnxrun/onnxrun/operators"
	"github.com/onnxrun/onnxrun/operators/internal/half"
	"github.com/onnxrun/onnxrun/operators/internal/inputs"
)

// window is HannWindow, HammingWindow or BlackmanWindow: size values of a
// cosine-sum window, periodic (period = size) or symmetric (period = size
// - 1), computed in float64 and rounded to output_datatype.
type window struct {
	name     string
	coeffs   []float64 // a0 - a1 cos(2πn/N) + a2 cos(4πn/N)
	periodic bool
	dtype    operators.DType
}

var windowCoeffs = map[string][]float64{
	"HannWindow":     {0.5, 0.5},
	"HammingWindow":  {25.0 / 46, 21.0 / 46},
	"BlackmanWindow": {0.42, 0.5, 0.08},
}

func newWindow(name string) operators.Factory {
	return func(n *operators.Node) (operators.Op, error) {
		if err := inputs.Check(n, 1, 1); err != nil {
			return nil, err
		}
		p, err := n.Int("periodic", 1)
		if err != nil {
			return nil, err
		}
		if p != 0 && p != 1 {
			return nil, &operators.AttributeError{Attr: "periodic", Reason: fmt.Sprintf("is %d, want 0 or 1", p)}
		}
		dt, err := n.Int("output_datatype", int64(operators.Float32))
		if err != nil {
			return nil, err
		}
		o := &window{name: name, coeffs: windowCoeffs[name], periodic: p == 1, dtype: operators.DType(dt)}
		if o.dtype.Size() == 0 || o.dtype == operators.Complex64 || o.dtype == operators.Complex128 {
			return nil, &operators.AttributeError{Attr: "output_datatype", Reason: fmt.Sprintf("%v is not supported", o.dtype)}
		}
		return o, nil
	}
}

func (o *window) Infer(in []operators.Meta, consts []*operators.Value) ([]operators.Meta, error) {
	if len(in) != 1 {
		return nil, fmt.Errorf("%w: %s takes 1 input, got %d", operators.ErrInvalidModel, o.name, len(in))
	}
	if in[0].DType != operators.Int32 && in[0].DType != operators.Int64 {
		return nil, fmt.Errorf("%w: %s: size is %v, want int32 or int64", operators.ErrInvalidModel, o.name, in[0].DType)
	}
	out := operators.Meta{DType: o.dtype, Shape: []int{-1}, HasShape: true}
	if len(consts) > 0 && consts[0] != nil {
		n, err := o.size(consts[0])
		if err != nil {
			return nil, err
		}
		out.Shape = []int{n}
	}
	return []operators.Meta{out}, nil
}

func (o *window) size(v *operators.Value) (int, error) {
	f, err := scalarF64(v, o.name+" size (input 0)")
	if err != nil {
		return 0, err
	}
	if f < 0 || f > 1<<31 {
		return 0, fmt.Errorf("%w: %s size is %v", operators.ErrInvalidModel, o.name, f)
	}
	return int(f), nil
}

func (o *window) Run(rc *operators.RunContext, in, out []*operators.Value) error {
	if len(in) != 1 || in[0] == nil {
		return fmt.Errorf("%w: %s needs its size", operators.ErrInvalidModel, o.name)
	}
	n, err := o.size(in[0])
	if err != nil {
		return err
	}
	y, err := rc.AllocValue(o.dtype, []int{n}, false)
	if err != nil {
		return err
	}
	period := float64(n)
	if !o.periodic {
		period = float64(n - 1)
	}
	for i := 0; i < n; i++ {
		v := o.coeffs[0]
		if period > 0 {
			x := 2 * math.Pi * float64(i) / period
			v -= o.coeffs[1] * math.Cos(x)
			if len(o.coeffs) > 2 {
				v += o.coeffs[2] * math.Cos(2*x)
			}
		} else {
			v = 1 // a one-point symmetric window
		}
		storeF64(y, i, v)
	}
	out[0] = y
	return nil
}

// storeF64 stores x as element i of v, converting as Go converts.
func storeF64(v *operators.Value, i int, x float64) {
	switch v.DType {
	case operators.Float32:
		v.F32()[i] = float32(x)
	case operators.Float64:
		v.F64()[i] = x
	case operators.Float16:
		v.U16()[i] = half.ToFloat16(float32(x))
	case operators.BFloat16:
		v.U16()[i] = half.ToBFloat16(float32(x))
	case operators.Int8:
		v.I8()[i] = int8(x)
	case operators.Uint8:
		v.U8()[i] = uint8(x)
	case operators.Int16:
		v.I16()[i] = int16(x)
	case operators.Uint16:
		v.U16()[i] = uint16(x)
	case operators.Int32:
		v.I32()[i] = int32(x)
	case operators.Uint32:
		v.U32()[i] = uint32(x)
	case operators.Int64:
		v.I64()[i] = int64(x)
	case operators.Uint64:
		v.U64()[i] = uint64(x)
	case operators.Bool:
		v.Bools()[i] = x != 0
	}
}
