package reduce

import (
	"fmt"

	"github.com/onnxrun/onnxrun/operators"
	"github.com/onnxrun/onnxrun/operators/internal/half"
)

// argOp is ArgMax or ArgMin: the int64 index of the largest (smallest)
// element along axis. Ties go to the first index, or to the last with
// select_last_index=1. A NaN beats every number (the first NaN, or the
// last with select_last_index), as numpy's argmax/argmin and ONNX Runtime's
// ArgMax choose it.
type argOp struct {
	name       string
	max        bool
	axis       int64
	keepdims   bool
	selectLast bool
}

func newArg(name string, isMax bool, since int) operators.Factory {
	return func(n *operators.Node) (operators.Op, error) {
		o := &argOp{name: name, max: isMax}
		var err error
		if o.axis, err = n.Int("axis", 0); err != nil {
			return nil, err
		}
		if since < 11 && o.axis < 0 {
			return nil, &operators.AttributeError{Attr: "axis", Reason: "negative axes need opset 11"}
		}
		keep, err := n.Int("keepdims", 1)
		if err != nil {
			return nil, err
		}
		if keep != 0 && keep != 1 {
			return nil, &operators.AttributeError{Attr: "keepdims", Reason: fmt.Sprintf("is %d, want 0 or 1", keep)}
		}
		o.keepdims = keep == 1
		if since >= 12 {
			last, err := n.Int("select_last_index", 0)
			if err != nil {
				return nil, err
			}
			if last != 0 && last != 1 {
				return nil, &operators.AttributeError{Attr: "select_last_index", Reason: fmt.Sprintf("is %d, want 0 or 1", last)}
			}
			o.selectLast = last == 1
		}
		return o, nil
	}
}

func argType(dt operators.DType) bool {
	switch dt {
	case operators.Float32, operators.Float64, operators.Float16, operators.BFloat16,
		operators.Int8, operators.Uint8, operators.Int16, operators.Uint16,
		operators.Int32, operators.Uint32, operators.Int64, operators.Uint64:
		return true
	}
	return false
}

func (o *argOp) shape(in []int) ([]int, int, error) {
	axis, err := operators.NormAxis("axis", o.axis, len(in))
	if err != nil {
		return nil, 0, err
	}
	out := make([]int, 0, len(in))
	for i, d := range in {
		switch {
		case i != axis:
			out = append(out, d)
		case o.keepdims:
			out = append(out, 1)
		}
	}
	return out, axis, nil
}

func (o *argOp) Infer(in []operators.Meta, _ []*operators.Value) ([]operators.Meta, error) {
	if len(in) != 1 {
		return nil, fmt.Errorf("%w: %s takes 1 input, got %d", operators.ErrInvalidModel, o.name, len(in))
	}
	if !argType(in[0].DType) {
		return nil, fmt.Errorf("%w: %s does not support %v", operators.ErrUnsupportedType, o.name, in[0].DType)
	}
	if !in[0].HasShape {
		return []operators.Meta{{DType: operators.Int64}}, nil
	}
	s, _, err := o.shape(in[0].Shape)
	if err != nil {
		return nil, err
	}
	return []operators.Meta{{DType: operators.Int64, Shape: s, HasShape: true}}, nil
}

func (o *argOp) Run(rc *operators.RunContext, in, out []*operators.Value) error {
	if len(in) != 1 || in[0] == nil {
		return fmt.Errorf("%w: %s needs its input", operators.ErrInvalidModel, o.name)
	}
	x := in[0]
	if !argType(x.DType) {
		return fmt.Errorf("%w: %s does not support %v", operators.ErrUnsupportedType, o.name, x.DType)
	}
	s, axis, err := o.shape(x.Shape)
	if err != nil {
		return err
	}
	if x.Shape[axis] == 0 {
		return fmt.Errorf("%w: %s over axis %d of size 0 in shape %v has no answer", operators.ErrShape, o.name, axis, x.Shape)
	}
	y, err := rc.AllocValue(operators.Int64, s, false)
	if err != nil {
		return err
	}
	outer, n, inner := 1, x.Shape[axis], 1
	for _, d := range x.Shape[:axis] {
		outer *= d
	}
	for _, d := range x.Shape[axis+1:] {
		inner *= d
	}
	g := geom{outer, n, inner, o.max, o.selectLast}
	idx := y.I64()
	switch x.DType {
	case operators.Float32:
		argFind(g, idx, x.F32())
	case operators.Float64:
		argFind(g, idx, x.F64())
	case operators.Int8:
		argFind(g, idx, x.I8())
	case operators.Uint8:
		argFind(g, idx, x.U8())
	case operators.Int16:
		argFind(g, idx, x.I16())
	case operators.Uint16:
		argFind(g, idx, x.U16())
	case operators.Int32:
		argFind(g, idx, x.I32())
	case operators.Uint32:
		argFind(g, idx, x.U32())
	case operators.Int64:
		argFind(g, idx, x.I64())
	case operators.Uint64:
		argFind(g, idx, x.U64())
	case operators.Float16, operators.BFloat16:
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
	out[0] = y
	return nil
}

// geom is the [outer, n, inner] view of the input around the axis.
type geom struct {
	outer, n, inner int
	max, last       bool
}

// better reports whether v should replace the best so far b.
func better[T number](v, b T, isMax, last bool) bool {
	switch vn, bn := v != v, b != b; {
	case vn || bn:
		return vn && (!bn || last) // NaN beats numbers; among NaNs, ties
	case isMax:
		return v > b || (last && v == b)
	}
	return v < b || (last && v == b)
}

func argFind[T number](g geom, idx []int64, x []T) {
	for o := 0; o < g.outer; o++ {
		base := o * g.n * g.inner
		for j := 0; j < g.inner; j++ {
			best, bi := x[base+j], 0
			for k := 1; k < g.n; k++ {
				if v := x[base+k*g.inner+j]; better(v, best, g.max, g.last) {
					best, bi = v, k
				}
			}
			idx[o*g.inner+j] = int64(bi)
		}
	}
}
