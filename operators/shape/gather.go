package shape

import (
	"fmt"

	"github.com/onnxrun/onnxrun/operators"
	"github.com/onnxrun/onnxrun/operators/internal/inputs"
)

// Gather picks entries of data along one axis by index.
type Gather struct{ axis int64 }

func newGather(n *operators.Node) (operators.Op, error) {
	if err := inputs.Check(n, 2, 2); err != nil {
		return nil, err
	}
	a, err := n.Int("axis", 0)
	if err != nil {
		return nil, err
	}
	return &Gather{axis: a}, nil
}

func (g *Gather) shape(data, idx []int) ([]int, int, error) {
	if len(data) == 0 {
		return nil, 0, inputErr(0, "data", "is a scalar; Gather needs rank >= 1")
	}
	ax, err := operators.NormAxis("axis", g.axis, len(data))
	if err != nil {
		return nil, 0, err
	}
	out := append(append(append([]int{}, data[:ax]...), idx...), data[ax+1:]...)
	return out, ax, nil
}

// Infer implements operators.Op.
func (g *Gather) Infer(in []operators.Meta, consts []*operators.Value) ([]operators.Meta, error) {
	if in[1].DType != operators.Int64 && in[1].DType != operators.Int32 {
		return nil, fmt.Errorf("%w: input 1 (indices) has type %v, want int64 or int32", operators.ErrUnsupportedType, in[1].DType)
	}
	if !in[0].HasShape || !in[1].HasShape {
		return unknown(in[0].DType), nil
	}
	out, _, err := g.shape(in[0].Shape, in[1].Shape)
	if err != nil {
		return nil, err
	}
	return known(in[0].DType, out), nil
}

// Run implements operators.Op.
func (g *Gather) Run(rc *operators.RunContext, in, out []*operators.Value) error {
	x, iv := in[0], in[1]
	shape, ax, err := g.shape(x.Shape, iv.Shape)
	if err != nil {
		return err
	}
	var idx []int64
	n := iv.Len()
	switch iv.DType {
	case operators.Int64:
		idx = iv.I64()[:n]
	case operators.Int32:
		idx = make([]int64, n)
		for i, v := range iv.I32()[:n] {
			idx[i] = int64(v)
		}
	default:
		return fmt.Errorf("%w: input 1 (indices) has type %v, want int64 or int32", operators.ErrUnsupportedType, iv.DType)
	}
	dim := x.Shape[ax]
	for i, v := range idx {
		if v < -int64(dim) || v >= int64(dim) {
			return inputErr(1, "indices", "index %d at position %d is out of range for axis %d of size %d", v, i, ax, dim)
		}
	}
	y, err := alloc(rc, x.DType, shape)
	if err != nil {
		return err
	}
	out[0] = y
	outer := operators.NumElements(x.Shape[:ax])
	inner := operators.NumElements(x.Shape[ax+1:])
	for o := 0; o < outer; o++ {
		for j, v := range idx {
			if v < 0 {
				v += int64(dim)
			}
			copyRun(y, (o*n+j)*inner, x, (o*dim+int(v))*inner, inner)
		}
	}
	return nil
}
