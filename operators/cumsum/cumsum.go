package cumsum

import (
	"fmt"

	"github.com/onnxrun/onnxrun/operators"
	"github.com/onnxrun/onnxrun/operators/internal/half"
)

type op struct {
	exclusive, reverse bool
}

func boolAttr(n *operators.Node, name string) (bool, error) {
	v, err := n.Int(name, 0)
	if err != nil {
		return false, err
	}
	if v != 0 && v != 1 {
		return false, &operators.AttributeError{Attr: name, Reason: fmt.Sprintf("is %d, want 0 or 1", v)}
	}
	return v == 1, nil
}

func newCumSum(n *operators.Node) (operators.Op, error) {
	o := &op{}
	var err error
	if o.exclusive, err = boolAttr(n, "exclusive"); err != nil {
		return nil, err
	}
	if o.reverse, err = boolAttr(n, "reverse"); err != nil {
		return nil, err
	}
	return o, nil
}

func supported(dt operators.DType) bool {
	switch dt {
	case operators.Float32, operators.Float64, operators.Float16, operators.BFloat16,
		operators.Int32, operators.Int64, operators.Uint32, operators.Uint64:
		return true
	}
	return false
}

func (o *op) Infer(in []operators.Meta, _ []*operators.Value) ([]operators.Meta, error) {
	if len(in) != 2 {
		return nil, fmt.Errorf("%w: CumSum takes 2 inputs, got %d", operators.ErrInvalidModel, len(in))
	}
	if !supported(in[0].DType) {
		return nil, fmt.Errorf("%w: CumSum of %v", operators.ErrUnsupportedType, in[0].DType)
	}
	if in[1].DType != operators.Int32 && in[1].DType != operators.Int64 {
		return nil, fmt.Errorf("%w: CumSum axis (input 1) is %v, want int32 or int64", operators.ErrInvalidModel, in[1].DType)
	}
	return []operators.Meta{in[0]}, nil
}

// axisOf reads the axis input, a one-element int32 or int64 tensor.
func axisOf(v *operators.Value, rank int) (int, error) {
	if v.Len() != 1 {
		return 0, fmt.Errorf("%w: CumSum axis (input 1) has shape %v, want a scalar", operators.ErrShape, v.Shape)
	}
	var a int64
	switch v.DType {
	case operators.Int32:
		a = int64(v.I32()[0])
	case operators.Int64:
		a = v.I64()[0]
	default:
		return 0, fmt.Errorf("%w: CumSum axis (input 1) is %v, want int32 or int64", operators.ErrInvalidModel, v.DType)
	}
	return operators.NormAxis("axis", a, rank)
}

func (o *op) Run(rc *operators.RunContext, in, out []*operators.Value) error {
	if len(in) != 2 || in[0] == nil || in[1] == nil {
		return fmt.Errorf("%w: CumSum needs x and axis", operators.ErrInvalidModel)
	}
	x := in[0]
	if !supported(x.DType) {
		return fmt.Errorf("%w: CumSum of %v", operators.ErrUnsupportedType, x.DType)
	}
	if len(x.Shape) == 0 {
		return fmt.Errorf("%w: CumSum of a scalar", operators.ErrShape)
	}
	axis, err := axisOf(in[1], len(x.Shape))
	if err != nil {
		return err
	}
	y, err := rc.AllocValue(x.DType, x.Shape, false)
	if err != nil {
		return err
	}
	g := geom{n: x.Shape[axis], inner: 1, exclusive: o.exclusive, reverse: o.reverse}
	for _, d := range x.Shape[axis+1:] {
		g.inner *= d
	}
	if g.n*g.inner > 0 {
		g.outer = x.Len() / (g.n * g.inner)
	}
	switch x.DType {
	case operators.Float32:
		scan(g, y.F32(), x.F32())
	case operators.Float64:
		scan(g, y.F64(), x.F64())
	case operators.Int32:
		scan(g, y.I32(), x.I32())
	case operators.Int64:
		scan(g, y.I64(), x.I64())
	case operators.Uint32:
		scan(g, y.U32(), x.U32())
	case operators.Uint64:
		scan(g, y.U64(), x.U64())
	case operators.Float16, operators.BFloat16:
		from, to := half.FromFloat16, half.ToFloat16
		if x.DType == operators.BFloat16 {
			from, to = half.FromBFloat16, half.ToBFloat16
		}
		xs := make([]float32, x.Len())
		for i, h := range x.U16() {
			xs[i] = from(h)
		}
		ys := make([]float32, len(xs))
		scan(g, ys, xs)
		for i, f := range ys {
			y.U16()[i] = to(f)
		}
	}
	out[0] = y
	return nil
}

type geom struct {
	outer, n, inner    int
	exclusive, reverse bool
}

type number interface {
	~int32 | ~int64 | ~uint32 | ~uint64 | ~float32 | ~float64
}

// scan runs the sums. For each outer index the axis is walked once, with
// a running sum per inner position, so memory is read in order when inner
// is large and each row is a simple loop when it is 1.
func scan[T number](g geom, y, x []T) {
	for o := 0; o < g.outer; o++ {
		base := o * g.n * g.inner
		if g.inner == 1 {
			row, dst := x[base:base+g.n], y[base:base+g.n]
			var s T
			if !g.reverse {
				for k, v := range row {
					if g.exclusive {
						dst[k] = s
						s += v
					} else {
						s += v
						dst[k] = s
					}
				}
			} else {
				for k := g.n - 1; k >= 0; k-- {
					if g.exclusive {
						dst[k] = s
						s += row[k]
					} else {
						s += row[k]
						dst[k] = s
					}
				}
			}
			continue
		}
		// Column sums: the previous output row (or zero) plus this input row.
		step, first := g.inner, 0
		if g.reverse {
			step, first = -g.inner, (g.n-1)*g.inner
		}
		prevX, prevY := -1, -1
		for k, off := 0, base+first; k < g.n; k, off = k+1, off+step {
			dst := y[off : off+g.inner]
			switch {
			case k == 0 && g.exclusive:
				clear(dst)
			case k == 0:
				copy(dst, x[off:off+g.inner])
			case g.exclusive:
				// y[k] = y[k-1] + x[k-1]
				py, px := y[prevY:prevY+g.inner], x[prevX:prevX+g.inner]
				for j := range dst {
					dst[j] = py[j] + px[j]
				}
			default:
				py, cx := y[prevY:prevY+g.inner], x[off:off+g.inner]
				for j := range dst {
					dst[j] = py[j] + cx[j]
				}
			}
			prevX, prevY = off, off
		}
	}
}
