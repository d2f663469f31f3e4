package shape

import (
	"fmt"
	"slices"
	"sync/atomic"

	"github.com/onnxrun/onnxrun/operators"
	"github.com/onnxrun/onnxrun/operators/internal/inputs"
)

// Concat joins its inputs along one axis.
type Concat struct {
	axis int64
	last atomic.Pointer[concatPlan] // of the most recent input shapes
}

// concatPlan is the output shape and axis worked out for some input
// shapes; it never changes once made.
type concatPlan struct {
	in  [][]int
	out []int
	ax  int
}

func (p *concatPlan) matches(in []*operators.Value) bool {
	if p == nil || len(p.in) != len(in) {
		return false
	}
	for i, v := range in {
		if !slices.Equal(p.in[i], v.Shape) {
			return false
		}
	}
	return true
}

func newConcat(n *operators.Node) (operators.Op, error) {
	if err := inputs.Check(n, max(1, len(n.Inputs)), -1); err != nil {
		return nil, err
	}
	if n.Opset >= 4 && !n.Has("axis") {
		return nil, &operators.AttributeError{Attr: "axis", Reason: "is required"}
	}
	a, err := n.Int("axis", 1)
	if err != nil {
		return nil, err
	}
	if len(n.Inputs) == 0 {
		return nil, fmt.Errorf("%w: Concat needs at least one input", operators.ErrInvalidModel)
	}
	return &Concat{axis: a}, nil
}

func (c *Concat) shape(shapes [][]int) ([]int, int, error) {
	r := len(shapes[0])
	ax, err := operators.NormAxis("axis", c.axis, r)
	if err != nil {
		return nil, 0, err
	}
	out := append([]int(nil), shapes[0]...)
	for i := 1; i < len(shapes); i++ {
		s := shapes[i]
		if len(s) != r {
			return nil, 0, inputErr(i, fmt.Sprint("inputs[", i, "]"), "rank %d, input 0 has rank %d", len(s), r)
		}
		for d := range s {
			if d == ax {
				if out[d] >= 0 && s[d] >= 0 {
					out[d] += s[d]
				} else {
					out[d] = -1
				}
				continue
			}
			if s[d] >= 0 && out[d] >= 0 && s[d] != out[d] {
				return nil, 0, inputErr(i, fmt.Sprint("inputs[", i, "]"), "shape %v does not match input 0's %v outside axis %d", s, shapes[0], ax)
			}
			if out[d] < 0 {
				out[d] = s[d]
			}
		}
	}
	return out, ax, nil
}

// Infer implements operators.Op.
func (c *Concat) Infer(in []operators.Meta, consts []*operators.Value) ([]operators.Meta, error) {
	shapes := make([][]int, len(in))
	for i, m := range in {
		if m.DType != in[0].DType {
			return nil, fmt.Errorf("%w: input %d has type %v, input 0 has %v", operators.ErrShape, i, m.DType, in[0].DType)
		}
		if !m.HasShape {
			return unknown(in[0].DType), nil
		}
		shapes[i] = m.Shape
	}
	out, _, err := c.shape(shapes)
	if err != nil {
		return nil, err
	}
	return known(in[0].DType, out), nil
}

// Run implements operators.Op.
func (c *Concat) Run(rc *operators.RunContext, in, out []*operators.Value) error {
	for i, v := range in {
		if v.DType != in[0].DType {
			return fmt.Errorf("%w: input %d has type %v, input 0 has %v", operators.ErrShape, i, v.DType, in[0].DType)
		}
	}
	pl := c.last.Load()
	if !pl.matches(in) {
		shapes := make([][]int, len(in))
		for i, v := range in {
			shapes[i] = slices.Clone(v.Shape)
		}
		shape, ax, err := c.shape(shapes)
		if err != nil {
			return err
		}
		pl = &concatPlan{in: shapes, out: shape, ax: ax}
		c.last.Store(pl)
	}
	shape, ax := pl.out, pl.ax
	y, err := alloc(rc, in[0].DType, shape)
	if err != nil {
		return err
	}
	out[0] = y
	outer := operators.NumElements(shape[:ax])
	inner := operators.NumElements(shape[ax+1:])
	rowOut := shape[ax] * inner
	off := 0
	for _, v := range in {
		chunk := v.Shape[ax] * inner
		for o := 0; o < outer; o++ {
			copyRun(y, o*rowOut+off, v, o*chunk, chunk)
		}
		off += chunk
	}
	return nil
}

// Split cuts its input into parts along one axis.
type Split struct {
	axis       int64
	split      []int64 // attribute form
	splitInput bool    // opset 13: split comes from input 1
	numOutputs int
}

func newSplit(n *operators.Node) (operators.Op, error) {
	if err := inputs.Check(n, 1, splitMax(n)); err != nil {
		return nil, err
	}
	s := &Split{numOutputs: len(n.Outputs)}
	var err error
	if s.axis, err = n.Int("axis", 0); err != nil {
		return nil, err
	}
	if n.Opset >= 13 || (n.Opset < 2 && len(n.Inputs) > 1 && n.Inputs[1] != "") {
		s.splitInput = len(n.Inputs) > 1 && n.Inputs[1] != ""
	} else {
		sp, ok, err := n.Ints("split")
		if err != nil {
			return nil, err
		}
		if ok {
			s.split = sp
		}
	}
	if n.Opset >= 18 && n.Has("num_outputs") {
		no, err := n.Int("num_outputs", 0)
		if err != nil {
			return nil, err
		}
		if s.splitInput {
			return nil, &operators.AttributeError{Attr: "num_outputs", Reason: "cannot be given together with input split"}
		}
		if no < 1 || int(no) != len(n.Outputs) {
			return nil, &operators.AttributeError{Attr: "num_outputs", Reason: fmt.Sprintf("is %d, the node has %d outputs", no, len(n.Outputs))}
		}
	}
	if s.split != nil && len(s.split) != s.numOutputs {
		return nil, &operators.AttributeError{Attr: "split", Reason: fmt.Sprintf("has %d entries, the node has %d outputs", len(s.split), s.numOutputs)}
	}
	if s.numOutputs == 0 {
		return nil, fmt.Errorf("%w: Split has no outputs", operators.ErrInvalidModel)
	}
	return s, nil
}

// sizes returns each output's extent along the axis.
func (s *Split) sizes(dim int, split []int64) ([]int, error) {
	out := make([]int, s.numOutputs)
	if split == nil {
		// Equal parts; the last is smaller when dim does not divide (the
		// opset-18 rule, which agrees with older opsets whenever they
		// were well defined).
		part := (dim + s.numOutputs - 1) / s.numOutputs
		rem := dim
		for i := range out {
			out[i] = min(part, rem)
			rem -= out[i]
		}
		return out, nil
	}
	if len(split) != s.numOutputs {
		return nil, inputErr(1, "split", "has %d entries, the node has %d outputs", len(split), s.numOutputs)
	}
	total := 0
	for i, x := range split {
		if x < 0 {
			return nil, inputErr(1, "split", "entry %d is negative (%d)", i, x)
		}
		out[i] = int(x)
		total += int(x)
	}
	if total != dim {
		return nil, inputErr(1, "split", "%v sums to %d, the axis has %d", split, total, dim)
	}
	return out, nil
}

func (s *Split) splitFrom(in []*operators.Value) ([]int64, error) {
	if !s.splitInput {
		return s.split, nil
	}
	v := input(in, 1)
	if v == nil {
		return nil, nil
	}
	return readInts(v, 1, "split")
}

// Infer implements operators.Op.
func (s *Split) Infer(in []operators.Meta, consts []*operators.Value) ([]operators.Meta, error) {
	dt := in[0].DType
	outs := make([]operators.Meta, s.numOutputs)
	for i := range outs {
		outs[i].DType = dt
	}
	if !in[0].HasShape {
		return outs, nil
	}
	ax, err := operators.NormAxis("axis", s.axis, len(in[0].Shape))
	if err != nil {
		return nil, err
	}
	split := s.split
	if s.splitInput {
		c := constAt(consts, 1)
		if c == nil {
			return outs, nil
		}
		if split, err = readInts(c, 1, "split"); err != nil {
			return nil, err
		}
	}
	dim := in[0].Shape[ax]
	if dim < 0 {
		return outs, nil
	}
	sizes, err := s.sizes(dim, split)
	if err != nil {
		return nil, err
	}
	for i := range outs {
		outs[i].Shape = append([]int(nil), in[0].Shape...)
		outs[i].Shape[ax] = sizes[i]
		outs[i].HasShape = true
	}
	return outs, nil
}

// Run implements operators.Op.
func (s *Split) Run(rc *operators.RunContext, in, out []*operators.Value) error {
	x := in[0]
	ax, err := operators.NormAxis("axis", s.axis, len(x.Shape))
	if err != nil {
		return err
	}
	split, err := s.splitFrom(in)
	if err != nil {
		return err
	}
	sizes, err := s.sizes(x.Shape[ax], split)
	if err != nil {
		return err
	}
	outer := operators.NumElements(x.Shape[:ax])
	inner := operators.NumElements(x.Shape[ax+1:])
	row := x.Shape[ax] * inner
	off := 0
	for i, sz := range sizes {
		shape := append([]int(nil), x.Shape...)
		shape[ax] = sz
		y, err := alloc(rc, x.DType, shape)
		if err != nil {
			return err
		}
		chunk := sz * inner
		for o := 0; o < outer; o++ {
			copyRun(y, o*chunk, x, o*row+off, chunk)
		}
		off += chunk
		if i < len(out) {
			out[i] = y
		}
	}
	return nil
}
