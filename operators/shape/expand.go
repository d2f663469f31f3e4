package shape

import (
	"fmt"

	"github.com/onnxrun/onnxrun/operators"
	"github.com/onnxrun/onnxrun/operators/internal/inputs"
)

// Expand broadcasts its input to a shape (numpy rules, both ways).
type Expand struct{}

func newExpand(n *operators.Node) (operators.Op, error) {
	if err := inputs.Check(n, 2, 2); err != nil {
		return nil, err
	}
	return Expand{}, nil
}

func broadcastShapes(a []int, b []int64) ([]int, error) {
	r := max(len(a), len(b))
	out := make([]int, r)
	for i := 0; i < r; i++ {
		da, db := 1, 1
		if j := i - (r - len(a)); j >= 0 {
			da = a[j]
		}
		if j := i - (r - len(b)); j >= 0 {
			if b[j] < 0 {
				return nil, inputErr(1, "shape", "%v has a negative dimension", b)
			}
			v, ok := toInt(b[j])
			if !ok {
				return nil, inputErr(1, "shape", "dimension %d is too large", b[j])
			}
			db = v
		}
		switch {
		case da == db || db == 1:
			out[i] = da
		case da == 1:
			out[i] = db
		case da < 0:
			out[i] = -1
		default:
			return nil, inputErr(1, "shape", "%v does not broadcast with input 0's shape %v", b, a)
		}
	}
	return out, nil
}

// Infer implements operators.Op.
func (Expand) Infer(in []operators.Meta, consts []*operators.Value) ([]operators.Meta, error) {
	c := constAt(consts, 1)
	if c == nil || !in[0].HasShape {
		return unknown(in[0].DType), nil
	}
	s, err := readInts(c, 1, "shape")
	if err != nil {
		return nil, err
	}
	out, err := broadcastShapes(in[0].Shape, s)
	if err != nil {
		return nil, err
	}
	return known(in[0].DType, out), nil
}

// Run implements operators.Op.
func (Expand) Run(rc *operators.RunContext, in, out []*operators.Value) error {
	x := in[0]
	s, err := readInts(in[1], 1, "shape")
	if err != nil {
		return err
	}
	shape, err := broadcastShapes(x.Shape, s)
	if err != nil {
		return err
	}
	y, err := alloc(rc, x.DType, shape)
	if err != nil {
		return err
	}
	out[0] = y
	if y.Len() == 0 {
		return nil
	}
	r := len(shape)
	xd := make([]int, r)
	for i := range xd {
		xd[i] = 1
	}
	copy(xd[r-len(x.Shape):], x.Shape)
	b := &bcaster{y: y, x: x, out: shape, xd: xd, ys: strides(shape), xs: strides(xd)}
	b.match = make([]bool, r+1)
	b.match[r] = true
	for d := r - 1; d >= 0; d-- {
		b.match[d] = b.match[d+1] && xd[d] == shape[d]
	}
	b.fill(0, 0, 0)
	return nil
}

type bcaster struct {
	y, x            *operators.Value
	out, xd, ys, xs []int
	match           []bool // match[d]: dims d.. are equal in x and y
}

func (b *bcaster) fill(d, yo, xo int) {
	if b.match[d] {
		n := 1
		if d < len(b.out) {
			n = b.ys[d] * b.out[d]
		}
		copyRun(b.y, yo, b.x, xo, n)
		return
	}
	if b.xd[d] == 1 {
		b.fill(d+1, yo, xo)
		fillRepeat(b.y, yo, b.ys[d], b.out[d]-1)
		return
	}
	for i := 0; i < b.out[d]; i++ {
		b.fill(d+1, yo+i*b.ys[d], xo+i*b.xs[d])
	}
}

// Tile repeats its input along each axis.
type Tile struct{}

func newTile(n *operators.Node) (operators.Op, error) {
	if err := inputs.Check(n, opsetPick(n, 6, 3, 2), opsetPick(n, 6, 3, 2)); err != nil {
		return nil, err
	}
	if n.Opset < 6 {
		return nil, fmt.Errorf("%w: Tile-1 (tiles/axis inputs) is not supported", operators.ErrUnsupportedOp)
	}
	return Tile{}, nil
}

func tileShape(in []int, reps []int64) ([]int, error) {
	if len(reps) != len(in) {
		return nil, inputErr(1, "repeats", "has %d entries, input 0 has rank %d", len(reps), len(in))
	}
	out := make([]int, len(in))
	for i, r := range reps {
		if r < 0 {
			return nil, inputErr(1, "repeats", "entry %d is negative (%d)", i, r)
		}
		v, ok := toInt(r)
		if !ok {
			return nil, inputErr(1, "repeats", "entry %d is too large", i)
		}
		if in[i] < 0 {
			out[i] = -1
			continue
		}
		if p := int64(in[i]) * r; r != 0 && (p/r != int64(in[i]) || p > maxDim) {
			return nil, inputErr(1, "repeats", "%v makes the output too large", reps)
		}
		out[i] = in[i] * v
	}
	if operators.NumElements(out) < 0 && !hasNeg(out) {
		return nil, inputErr(1, "repeats", "%v makes the output too large", reps)
	}
	return out, nil
}

func hasNeg(s []int) bool {
	for _, d := range s {
		if d < 0 {
			return true
		}
	}
	return false
}

// Infer implements operators.Op.
func (Tile) Infer(in []operators.Meta, consts []*operators.Value) ([]operators.Meta, error) {
	c := constAt(consts, 1)
	if c == nil || !in[0].HasShape {
		return unknown(in[0].DType), nil
	}
	reps, err := readInts(c, 1, "repeats")
	if err != nil {
		return nil, err
	}
	out, err := tileShape(in[0].Shape, reps)
	if err != nil {
		return nil, err
	}
	return known(in[0].DType, out), nil
}

// Run implements operators.Op.
func (Tile) Run(rc *operators.RunContext, in, out []*operators.Value) error {
	x := in[0]
	reps, err := readInts(in[1], 1, "repeats")
	if err != nil {
		return err
	}
	shape, err := tileShape(x.Shape, reps)
	if err != nil {
		return err
	}
	y, err := alloc(rc, x.DType, shape)
	if err != nil {
		return err
	}
	out[0] = y
	if y.Len() == 0 {
		return nil
	}
	t := &tiler{y: y, x: x, in: x.Shape, reps: reps, ys: strides(shape), xs: strides(x.Shape)}
	t.fill(0, 0, 0)
	return nil
}

type tiler struct {
	y, x   *operators.Value
	in     []int
	reps   []int64
	ys, xs []int
}

func (t *tiler) fill(d, yo, xo int) {
	if d == len(t.in) {
		copyRun(t.y, yo, t.x, xo, 1)
		return
	}
	for i := 0; i < t.in[d]; i++ {
		t.fill(d+1, yo+i*t.ys[d], xo+i*t.xs[d])
	}
	fillRepeat(t.y, yo, t.in[d]*t.ys[d], int(t.reps[d])-1)
}

// ConstantOfShape makes a tensor of a given shape filled with one value.
type ConstantOfShape struct {
	value *operators.Value // one element
}

func newConstantOfShape(n *operators.Node) (operators.Op, error) {
	if err := inputs.Check(n, 1, 1); err != nil {
		return nil, err
	}
	v, err := n.Tensor("value")
	if err != nil {
		return nil, err
	}
	if v == nil {
		v, _ = operators.FromSlice([]float32{0}, []int{1})
	}
	if v.Len() != 1 {
		return nil, &operators.AttributeError{Attr: "value", Reason: fmt.Sprintf("has %d elements, want 1", v.Len())}
	}
	return &ConstantOfShape{value: v}, nil
}

func cosShape(s []int64) ([]int, error) {
	out := make([]int, len(s))
	for i, d := range s {
		if d < 0 {
			return nil, inputErr(0, "input", "%v has a negative dimension", s)
		}
		v, ok := toInt(d)
		if !ok {
			return nil, inputErr(0, "input", "dimension %d is too large", d)
		}
		out[i] = v
	}
	if operators.NumElements(out) < 0 {
		return nil, inputErr(0, "input", "%v is too large", s)
	}
	return out, nil
}

// Infer implements operators.Op.
func (c *ConstantOfShape) Infer(in []operators.Meta, consts []*operators.Value) ([]operators.Meta, error) {
	v := constAt(consts, 0)
	if v == nil {
		if in[0].HasShape && len(in[0].Shape) == 1 && in[0].Shape[0] >= 0 {
			out := make([]int, in[0].Shape[0])
			for i := range out {
				out[i] = -1
			}
			return known(c.value.DType, out), nil
		}
		return unknown(c.value.DType), nil
	}
	s, err := readInts(v, 0, "input")
	if err != nil {
		return nil, err
	}
	shape, err := cosShape(s)
	if err != nil {
		return nil, err
	}
	return known(c.value.DType, shape), nil
}

// Run implements operators.Op.
func (c *ConstantOfShape) Run(rc *operators.RunContext, in, out []*operators.Value) error {
	s, err := readInts(in[0], 0, "input")
	if err != nil {
		return err
	}
	shape, err := cosShape(s)
	if err != nil {
		return err
	}
	y, err := alloc(rc, c.value.DType, shape)
	if err != nil {
		return err
	}
	out[0] = y
	if n := y.Len(); n > 0 {
		copyRun(y, 0, c.value, 0, 1)
		fillRepeat(y, 0, 1, n-1)
	}
	return nil
}
