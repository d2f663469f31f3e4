package contrib

import (
	"fmt"
	"math"

	"github.com/onnxrun/onnxrun/operators"
	"github.com/onnxrun/onnxrun/operators/internal/broadcast"
	"github.com/onnxrun/onnxrun/operators/internal/inputs"
	"github.com/onnxrun/onnxrun/operators/internal/quant"
)

// QLinearAdd adds two quantized tensors into a third quantization.
type QLinearAdd struct{}

func newQLinearAdd(n *operators.Node) (operators.Op, error) {
	// A, A_scale, A_zero_point, B, B_scale, B_zero_point, C_scale and the
	// optional C_zero_point (zero points may be omitted: 0).
	if err := inputs.Check(n, 7, 8); err != nil {
		return nil, err
	}
	if n.Inputs[0] == "" || n.Inputs[3] == "" {
		return nil, fmt.Errorf("%w: QLinearAdd needs inputs A and B", operators.ErrInvalidModel)
	}
	return QLinearAdd{}, nil
}

func opt(in []*operators.Value, i int) *operators.Value {
	if i < len(in) {
		return in[i]
	}
	return nil
}

// Infer implements operators.Op.
func (QLinearAdd) Infer(in []operators.Meta, consts []*operators.Value) ([]operators.Meta, error) {
	a, b := in[0], in[3]
	if !quant.Is8Bit(a.DType) || b.DType != a.DType {
		return nil, fmt.Errorf("%w: A and B must share an 8-bit type, got %v and %v", operators.ErrUnsupportedType, a.DType, b.DType)
	}
	out := operators.Meta{DType: a.DType}
	if a.HasShape && b.HasShape {
		s, err := broadcast.Shape(a.Shape, b.Shape)
		if err != nil {
			return nil, err
		}
		out.Shape, out.HasShape = s, true
	}
	return []operators.Meta{out}, nil
}

// Run implements operators.Op.
func (QLinearAdd) Run(rc *operators.RunContext, in, out []*operators.Value) error {
	a, b := in[0], in[3]
	if !quant.Is8Bit(a.DType) || b.DType != a.DType {
		return fmt.Errorf("%w: A and B must share an 8-bit type, got %v and %v", operators.ErrUnsupportedType, a.DType, b.DType)
	}
	scalar := func(i int, name string, def float64) (float64, error) {
		p, err := quant.Param(opt(in, i), i, name, 1, def)
		if err != nil {
			return 0, err
		}
		return p[0], nil
	}
	var vals [6]float64
	names := [6]string{"A_scale", "A_zero_point", "B_scale", "B_zero_point", "C_scale", "C_zero_point"}
	idx := [6]int{1, 2, 4, 5, 6, 7}
	defs := [6]float64{1, 0, 1, 0, 1, 0}
	for k := range vals {
		v, err := scalar(idx[k], names[k], defs[k])
		if err != nil {
			return err
		}
		vals[k] = v
	}
	as, azp, bs, bzp, cs, czp := vals[0], vals[1], vals[2], vals[3], vals[4], vals[5]
	af, err := quant.Widen(a, 0, "A", []float64{azp}, 1)
	if err != nil {
		return err
	}
	bf, err := quant.Widen(b, 3, "B", []float64{bzp}, 1)
	if err != nil {
		return err
	}
	// Scale each side by its ratio to the output scale in float32, as
	// ONNX Runtime's kernel does.
	ra, rb := float32(as)/float32(cs), float32(bs)/float32(cs)
	for i, v := range af {
		af[i] = float64(float32(v) * ra)
	}
	for i, v := range bf {
		bf[i] = float64(float32(v) * rb)
	}
	p, err := broadcast.NewBinary(a.Shape, b.Shape)
	if err != nil {
		return err
	}
	sum := make([]float64, p.N)
	k := broadcast.Kernels[float64, float64]{
		VV: func(c, x, y []float64) {
			for i := range c {
				c[i] = float64(float32(x[i]) + float32(y[i]))
			}
		},
		VS: func(c, x []float64, y float64) {
			for i := range c {
				c[i] = float64(float32(x[i]) + float32(y))
			}
		},
		SV: func(c []float64, x float64, y []float64) {
			for i := range c {
				c[i] = float64(float32(x) + float32(y[i]))
			}
		},
	}
	broadcast.Apply(p, sum, af, bf, k, nil)
	y, err := rc.AllocValue(a.DType, p.Out, false)
	if err != nil {
		return err
	}
	for i, v := range sum {
		if math.IsNaN(v) {
			v = 0
		}
		quant.Store(y, i, v, czp)
	}
	out[0] = y
	return nil
}
