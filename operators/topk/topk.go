package topk

import (
	"cmp"
	"fmt"
	"slices"

	"github.com/onnxrun/onnxrun/operators"
	"github.com/onnxrun/onnxrun/operators/internal/half"
)

type op struct {
	since   int
	k       int64 // the k attribute (opset 1)
	axis    int64
	largest bool
}

func newTopK(since int) operators.Factory {
	return func(n *operators.Node) (operators.Op, error) {
		o := &op{since: since, largest: true}
		var err error
		if o.axis, err = n.Int("axis", -1); err != nil {
			return nil, err
		}
		if since < 11 && o.axis < 0 && n.Has("axis") {
			return nil, &operators.AttributeError{Attr: "axis", Reason: "negative axes need opset 11"}
		}
		if since < 10 {
			if !n.Has("k") {
				return nil, &operators.AttributeError{Attr: "k", Reason: "is required before opset 10"}
			}
			if o.k, err = n.Int("k", 0); err != nil {
				return nil, err
			}
			if o.k < 0 {
				return nil, &operators.AttributeError{Attr: "k", Reason: fmt.Sprintf("is %d, want >= 0", o.k)}
			}
		}
		if since >= 11 {
			l, err := n.Int("largest", 1)
			if err != nil {
				return nil, err
			}
			if l != 0 && l != 1 {
				return nil, &operators.AttributeError{Attr: "largest", Reason: fmt.Sprintf("is %d, want 0 or 1", l)}
			}
			o.largest = l == 1
			s, err := n.Int("sorted", 1)
			if err != nil {
				return nil, err
			}
			if s != 0 && s != 1 {
				return nil, &operators.AttributeError{Attr: "sorted", Reason: fmt.Sprintf("is %d, want 0 or 1", s)}
			}
		}
		return o, nil
	}
}

func supported(dt operators.DType) bool {
	switch dt {
	case operators.Float32, operators.Float64, operators.Float16, operators.BFloat16,
		operators.Int8, operators.Uint8, operators.Int16, operators.Uint16,
		operators.Int32, operators.Uint32, operators.Int64, operators.Uint64:
		return true
	}
	return false
}

func (o *op) nIn() int {
	if o.since < 10 {
		return 1
	}
	return 2
}

func (o *op) Infer(in []operators.Meta, consts []*operators.Value) ([]operators.Meta, error) {
	if len(in) != o.nIn() {
		return nil, fmt.Errorf("%w: TopK-%d takes %d inputs, got %d", operators.ErrInvalidModel, o.since, o.nIn(), len(in))
	}
	dt := in[0].DType
	if !supported(dt) {
		return nil, fmt.Errorf("%w: TopK of %v", operators.ErrUnsupportedType, dt)
	}
	if o.nIn() == 2 && in[1].DType != operators.Int64 {
		return nil, fmt.Errorf("%w: TopK: K (input 1) is %v, want int64", operators.ErrInvalidModel, in[1].DType)
	}
	unknown := []operators.Meta{{DType: dt}, {DType: operators.Int64}}
	if !in[0].HasShape {
		return unknown, nil
	}
	axis, err := operators.NormAxis("axis", o.axis, len(in[0].Shape))
	if err != nil {
		return nil, err
	}
	s := append([]int(nil), in[0].Shape...)
	s[axis] = -1
	k := o.k
	known := o.nIn() == 1
	if !known && len(consts) > 1 && consts[1] != nil {
		if k, err = kOf(consts[1]); err != nil {
			return nil, err
		}
		known = true
	}
	if known {
		if d := in[0].Shape[axis]; d >= 0 && k > int64(d) {
			return nil, fmt.Errorf("%w: TopK: k = %d exceeds axis %d of size %d", operators.ErrShape, k, axis, d)
		}
		s[axis] = int(k)
	}
	return []operators.Meta{{DType: dt, Shape: s, HasShape: true}, {DType: operators.Int64, Shape: s, HasShape: true}}, nil
}

func kOf(v *operators.Value) (int64, error) {
	if v.DType != operators.Int64 || v.Len() != 1 {
		return 0, fmt.Errorf("%w: TopK: K (input 1) must be one int64, got %v", operators.ErrInvalidModel, v)
	}
	k := v.I64()[0]
	if k < 0 {
		return 0, fmt.Errorf("%w: TopK: K is %d, want >= 0", operators.ErrInvalidModel, k)
	}
	return k, nil
}

func (o *op) Run(rc *operators.RunContext, in, out []*operators.Value) error {
	if len(in) != o.nIn() || in[0] == nil || (o.nIn() == 2 && in[1] == nil) {
		return fmt.Errorf("%w: TopK-%d needs %d inputs", operators.ErrInvalidModel, o.since, o.nIn())
	}
	x := in[0]
	if !supported(x.DType) {
		return fmt.Errorf("%w: TopK of %v", operators.ErrUnsupportedType, x.DType)
	}
	if len(x.Shape) == 0 {
		return fmt.Errorf("%w: TopK of a scalar", operators.ErrShape)
	}
	axis, err := operators.NormAxis("axis", o.axis, len(x.Shape))
	if err != nil {
		return err
	}
	k := o.k
	if o.nIn() == 2 {
		if k, err = kOf(in[1]); err != nil {
			return err
		}
	}
	n := x.Shape[axis]
	if k > int64(n) {
		return fmt.Errorf("%w: TopK: k = %d exceeds axis %d of size %d", operators.ErrShape, k, axis, n)
	}
	s := append([]int(nil), x.Shape...)
	s[axis] = int(k)
	vals, err := rc.AllocValue(x.DType, s, false)
	if err != nil {
		return err
	}
	idx, err := rc.AllocValue(operators.Int64, s, false)
	if err != nil {
		return err
	}
	g := geom{n: n, k: int(k), inner: 1, largest: o.largest}
	for _, d := range x.Shape[axis+1:] {
		g.inner *= d
	}
	if n*g.inner > 0 {
		g.outer = x.Len() / (n * g.inner)
	}
	ix := idx.I64()
	switch x.DType {
	case operators.Float32:
		selectTop(g, vals.F32(), ix, x.F32())
	case operators.Float64:
		selectTop(g, vals.F64(), ix, x.F64())
	case operators.Int8:
		selectTop(g, vals.I8(), ix, x.I8())
	case operators.Uint8:
		selectTop(g, vals.U8(), ix, x.U8())
	case operators.Int16:
		selectTop(g, vals.I16(), ix, x.I16())
	case operators.Uint16:
		selectTop(g, vals.U16(), ix, x.U16())
	case operators.Int32:
		selectTop(g, vals.I32(), ix, x.I32())
	case operators.Uint32:
		selectTop(g, vals.U32(), ix, x.U32())
	case operators.Int64:
		selectTop(g, vals.I64(), ix, x.I64())
	case operators.Uint64:
		selectTop(g, vals.U64(), ix, x.U64())
	case operators.Float16, operators.BFloat16:
		from := half.FromFloat16
		if x.DType == operators.BFloat16 {
			from = half.FromBFloat16
		}
		w := make([]float32, x.Len())
		for i, h := range x.U16() {
			w[i] = from(h)
		}
		tmp := make([]float32, vals.Len())
		selectTop(g, tmp, ix, w)
		// Gather the original bits, so values round-trip exactly.
		src, dst := x.U16(), vals.U16()
		for o := 0; o < g.outer; o++ {
			for r := 0; r < g.k; r++ {
				for j := 0; j < g.inner; j++ {
					p := (o*g.k+r)*g.inner + j
					dst[p] = src[(o*g.n+int(ix[p]))*g.inner+j]
				}
			}
		}
	}
	out[0], out[1] = vals, idx
	return nil
}

type geom struct {
	outer, n, k, inner int
	largest            bool
}

// before reports whether (a, i) comes before (b, j) in the output order:
// larger (or smaller) value first, NaN as the largest, ties by index.
func before[T cmp.Ordered](a T, i int, b T, j int, largest bool) bool {
	c := cmp.Compare(a, b) // NaN compares below everything here
	if a != a || b != b {
		// cmp.Compare puts NaN first; ONNX Runtime treats it as largest.
		c = -c
	}
	if c == 0 {
		return i < j
	}
	if largest {
		return c > 0
	}
	return c < 0
}

func selectTop[T cmp.Ordered](g geom, vals []T, idx []int64, x []T) {
	order := make([]int, g.n)
	for o := 0; o < g.outer; o++ {
		for j := 0; j < g.inner; j++ {
			at := func(i int) T { return x[(o*g.n+i)*g.inner+j] }
			for i := range order {
				order[i] = i
			}
			slices.SortFunc(order, func(a, b int) int {
				switch {
				case a == b:
					return 0
				case before(at(a), a, at(b), b, g.largest):
					return -1
				}
				return 1
			})
			for r := 0; r < g.k; r++ {
				p := (o*g.k+r)*g.inner + j
				vals[p] = at(order[r])
				idx[p] = int64(order[r])
			}
		}
	}
}
