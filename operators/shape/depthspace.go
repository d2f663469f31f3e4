package shape

import (
	"fmt"

	"github.com/onnxrun/onnxrun/operators"
	"github.com/onnxrun/onnxrun/operators/internal/inputs"
)

// SpaceToDepth moves blocksize×blocksize spatial blocks into channels;
// DepthToSpace is its inverse. Both are a reshape, a 6-D transpose and a
// reshape, run through Transpose's kernel.
type SpaceToDepth struct {
	bs      int
	inverse bool // DepthToSpace
	crd     bool // DepthToSpace mode CRD (column-row-depth)
}

func newSpaceToDepth(n *operators.Node) (operators.Op, error) {
	if err := inputs.Check(n, 1, 1); err != nil {
		return nil, err
	}
	bs, err := blocksize(n)
	if err != nil {
		return nil, err
	}
	return &SpaceToDepth{bs: bs}, nil
}

func newDepthToSpace(n *operators.Node) (operators.Op, error) {
	if err := inputs.Check(n, 1, 1); err != nil {
		return nil, err
	}
	bs, err := blocksize(n)
	if err != nil {
		return nil, err
	}
	m, err := n.String("mode", "DCR")
	if err != nil {
		return nil, err
	}
	if m != "DCR" && m != "CRD" {
		return nil, &operators.AttributeError{Attr: "mode", Reason: fmt.Sprintf("%q is not DCR or CRD", m)}
	}
	return &SpaceToDepth{bs: bs, inverse: true, crd: m == "CRD"}, nil
}

func blocksize(n *operators.Node) (int, error) {
	if !n.Has("blocksize") {
		return 0, &operators.AttributeError{Attr: "blocksize", Reason: "is required"}
	}
	b, err := n.Int("blocksize", 0)
	if err != nil {
		return 0, err
	}
	if b < 1 || b > 1<<20 {
		return 0, &operators.AttributeError{Attr: "blocksize", Reason: fmt.Sprintf("is %d, want >= 1", b)}
	}
	return int(b), nil
}

// plan returns the output shape, and the 6-D view of the input with the
// permutation that produces the output.
func (s *SpaceToDepth) plan(x []int) (out, dims, perm []int, err error) {
	if len(x) != 4 {
		return nil, nil, nil, inputErr(0, "input", "rank %d, want 4 (N, C, H, W)", len(x))
	}
	b, c, h, w, bs := x[0], x[1], x[2], x[3], s.bs
	if !s.inverse {
		if h%bs != 0 || w%bs != 0 {
			return nil, nil, nil, inputErr(0, "input", "spatial size %dx%d is not a multiple of blocksize %d", h, w, bs)
		}
		return []int{b, c * bs * bs, h / bs, w / bs}, []int{b, c, h / bs, bs, w / bs, bs}, []int{0, 3, 5, 1, 2, 4}, nil
	}
	if c%(bs*bs) != 0 {
		return nil, nil, nil, inputErr(0, "input", "%d channels are not a multiple of blocksize² = %d", c, bs*bs)
	}
	out = []int{b, c / (bs * bs), h * bs, w * bs}
	if s.crd {
		return out, []int{b, c / (bs * bs), bs, bs, h, w}, []int{0, 1, 4, 2, 5, 3}, nil
	}
	return out, []int{b, bs, bs, c / (bs * bs), h, w}, []int{0, 3, 4, 1, 5, 2}, nil
}

// Infer implements operators.Op.
func (s *SpaceToDepth) Infer(in []operators.Meta, consts []*operators.Value) ([]operators.Meta, error) {
	if !knownShape(in[0]) {
		if in[0].HasShape && len(in[0].Shape) == 4 {
			return known(in[0].DType, []int{-1, -1, -1, -1}), nil
		}
		return unknown(in[0].DType), nil
	}
	out, _, _, err := s.plan(in[0].Shape)
	if err != nil {
		return nil, err
	}
	return known(in[0].DType, out), nil
}

// Run implements operators.Op.
func (s *SpaceToDepth) Run(rc *operators.RunContext, in, out []*operators.Value) error {
	x := in[0]
	shape, dims, perm, err := s.plan(x.Shape)
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
	return permuteInto(rc, y, x, dims, perm)
}

// Size outputs its input's element count as an int64 scalar.
type Size struct{}

func newSize(n *operators.Node) (operators.Op, error) {
	if err := inputs.Check(n, 1, 1); err != nil {
		return nil, err
	}
	return Size{}, nil
}

// Infer implements operators.Op.
func (Size) Infer(in []operators.Meta, consts []*operators.Value) ([]operators.Meta, error) {
	return known(operators.Int64, []int{}), nil
}

// Run implements operators.Op.
func (Size) Run(rc *operators.RunContext, in, out []*operators.Value) error {
	v, err := rc.AllocValue(operators.Int64, []int{}, false)
	if err != nil {
		return err
	}
	v.I64()[0] = int64(in[0].Len())
	out[0] = v
	return nil
}

// GatherElements picks, for every element of indices, the data element at
// the same coordinates except along axis, where the index says.
type GatherElements struct{ axis int64 }

func newGatherElements(n *operators.Node) (operators.Op, error) {
	if err := inputs.Check(n, 2, 2); err != nil {
		return nil, err
	}
	a, err := n.Int("axis", 0)
	if err != nil {
		return nil, err
	}
	return &GatherElements{axis: a}, nil
}

func (g *GatherElements) check(data, idx []int) (int, error) {
	if len(data) == 0 {
		return 0, inputErr(0, "data", "is a scalar; GatherElements needs rank >= 1")
	}
	ax, err := operators.NormAxis("axis", g.axis, len(data))
	if err != nil {
		return 0, err
	}
	if len(idx) != len(data) {
		return 0, inputErr(1, "indices", "rank %d, data has rank %d", len(idx), len(data))
	}
	for i := range idx {
		if i != ax && idx[i] >= 0 && data[i] >= 0 && idx[i] > data[i] {
			return 0, inputErr(1, "indices", "shape %v exceeds data's %v outside axis %d", idx, data, ax)
		}
	}
	return ax, nil
}

// Infer implements operators.Op.
func (g *GatherElements) Infer(in []operators.Meta, consts []*operators.Value) ([]operators.Meta, error) {
	if in[1].DType != operators.Int64 && in[1].DType != operators.Int32 {
		return nil, fmt.Errorf("%w: input 1 (indices) has type %v, want int64 or int32", operators.ErrUnsupportedType, in[1].DType)
	}
	if !in[0].HasShape || !in[1].HasShape {
		return []operators.Meta{{DType: in[0].DType, Shape: in[1].Shape, HasShape: in[1].HasShape}}, nil
	}
	if _, err := g.check(in[0].Shape, in[1].Shape); err != nil {
		return nil, err
	}
	return known(in[0].DType, in[1].Shape), nil
}

// Run implements operators.Op.
func (g *GatherElements) Run(rc *operators.RunContext, in, out []*operators.Value) error {
	x, iv := in[0], in[1]
	ax, err := g.check(x.Shape, iv.Shape)
	if err != nil {
		return err
	}
	n := iv.Len()
	var idx []int64
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
	dim := int64(x.Shape[ax])
	for i, v := range idx {
		if v < -dim || v >= dim {
			return inputErr(1, "indices", "index %d at position %d is out of range for axis %d of size %d", v, i, ax, dim)
		}
	}
	y, err := alloc(rc, x.DType, iv.Shape)
	if err != nil {
		return err
	}
	out[0] = y
	if n == 0 {
		return nil
	}
	xs := strides(x.Shape)
	r := len(iv.Shape)
	coord := make([]int, r)
	for k := 0; k < n; k++ {
		src := 0
		for d := 0; d < r; d++ {
			c := coord[d]
			if d == ax {
				v := idx[k]
				if v < 0 {
					v += dim
				}
				c = int(v)
			}
			src += c * xs[d]
		}
		copyRun(y, k, x, src, 1)
		for d := r - 1; d >= 0; d-- {
			coord[d]++
			if coord[d] < iv.Shape[d] {
				break
			}
			coord[d] = 0
		}
	}
	return nil
}
