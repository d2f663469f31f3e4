package reduce

import (
	"fmt"

	"github.com/onnxrun/onnxrun/operators"
	"github.com/onnxrun/onnxrun/operators/internal/half"
)

// hardmax is Hardmax: 1 at the first largest element along the axis, 0
// elsewhere. Before opset 13 the input is seen as 2-D, [prod(d[:axis]),
// prod(d[axis:])], and the maximum is taken over each whole row, as for
// Softmax of those opsets; from 13 only the one axis is scanned.
type hardmax struct {
	axis     int64
	coerce2D bool
}

func newHardmax(since int) operators.Factory {
	return func(n *operators.Node) (operators.Op, error) {
		def := int64(-1)
		if since < 13 {
			def = 1
		}
		axis, err := n.Int("axis", def)
		if err != nil {
			return nil, err
		}
		if since < 11 && axis < 0 {
			return nil, &operators.AttributeError{Attr: "axis", Reason: "negative axes need opset 11"}
		}
		return &hardmax{axis: axis, coerce2D: since < 13}, nil
	}
}

func (o *hardmax) Infer(in []operators.Meta, _ []*operators.Value) ([]operators.Meta, error) {
	if len(in) != 1 {
		return nil, fmt.Errorf("%w: Hardmax takes 1 input, got %d", operators.ErrInvalidModel, len(in))
	}
	if !in[0].DType.IsFloat() {
		return nil, fmt.Errorf("%w: Hardmax of %v", operators.ErrUnsupportedType, in[0].DType)
	}
	if in[0].HasShape {
		if _, err := operators.NormAxis("axis", o.axis, max(len(in[0].Shape), 1)); err != nil {
			return nil, err
		}
	}
	return []operators.Meta{in[0]}, nil
}

func (o *hardmax) Run(rc *operators.RunContext, in, out []*operators.Value) error {
	if len(in) != 1 || in[0] == nil {
		return fmt.Errorf("%w: Hardmax needs its input", operators.ErrInvalidModel)
	}
	x := in[0]
	if !x.DType.IsFloat() {
		return fmt.Errorf("%w: Hardmax of %v", operators.ErrUnsupportedType, x.DType)
	}
	rank := len(x.Shape)
	axis, err := operators.NormAxis("axis", o.axis, max(rank, 1))
	if err != nil {
		return err
	}
	var g geom
	g.max = true
	if rank == 0 {
		g.outer, g.n, g.inner = 1, 1, 1
	} else if o.coerce2D {
		g.outer, g.n, g.inner = 1, 1, 1
		for _, d := range x.Shape[:axis] {
			g.outer *= d
		}
		for _, d := range x.Shape[axis:] {
			g.n *= d
		}
	} else {
		g.outer, g.n, g.inner = 1, x.Shape[axis], 1
		for _, d := range x.Shape[:axis] {
			g.outer *= d
		}
		for _, d := range x.Shape[axis+1:] {
			g.inner *= d
		}
	}
	y, err := rc.AllocValue(x.DType, x.Shape, true)
	if err != nil {
		return err
	}
	if x.Len() == 0 {
		out[0] = y
		return nil
	}
	idx := make([]int64, g.outer*g.inner)
	switch x.DType {
	case operators.Float32:
		argFind(g, idx, x.F32())
	case operators.Float64:
		argFind(g, idx, x.F64())
	default:
		from := half.FromFloat16
		if x.DType == operators.BFloat16 {
			from = half.FromBFloat16
		}
		w := make([]float32, x.Len())
		for i, h := range x.U16() {
			w[i] = from(h)
		}
		argFind(g, idx, w)
	}
	for o := 0; o < g.outer; o++ {
		for j := 0; j < g.inner; j++ {
			p := (o*g.n+int(idx[o*g.inner+j]))*g.inner + j
			switch x.DType {
			case operators.Float32:
				y.F32()[p] = 1
			case operators.Float64:
				y.F64()[p] = 1
			case operators.Float16:
				y.U16()[p] = half.ToFloat16(1)
			default:
				y.U16()[p] = half.ToBFloat16(1)
			}
		}
	}
	out[0] = y
	return nil
}
