package shape

import (
	"fmt"

	"github.com/onnxrun/onnxrun/operators"
	"github.com/onnxrun/onnxrun/operators/internal/inputs"
)

// Reshape relabels its input with a new shape.
type Reshape struct {
	allowZero bool
	attrShape []int64 // opset 1: the shape attribute
	fromAttr  bool
}

func newReshape(n *operators.Node) (operators.Op, error) {
	if err := inputs.Check(n, opsetPick(n, 5, 1, 2), opsetPick(n, 5, 1, 2)); err != nil {
		return nil, err
	}
	r := &Reshape{}
	if n.Opset < 5 {
		s, ok, err := n.Ints("shape")
		if err != nil {
			return nil, err
		}
		if !ok {
			return nil, &operators.AttributeError{Attr: "shape", Reason: "is required before opset 5"}
		}
		r.attrShape, r.fromAttr = s, true
		return r, nil
	}
	if len(n.Inputs) < 2 || n.Inputs[1] == "" {
		return nil, fmt.Errorf("%w: Reshape needs input 1 (shape)", operators.ErrInvalidModel)
	}
	az, err := n.Int("allowzero", 0)
	if err != nil {
		return nil, err
	}
	if az != 0 && az != 1 {
		return nil, &operators.AttributeError{Attr: "allowzero", Reason: fmt.Sprintf("is %d, want 0 or 1", az)}
	}
	r.allowZero = az == 1
	return r, nil
}

// target computes the output shape, in dst when it has room. in may hold
// -1 for unknown dims; the result then holds -1 where it cannot be told.
func (r *Reshape) target(dst, in []int, shape []int64) ([]int, error) {
	out := ints0(dst, len(shape))
	infer := -1
	prod, unknownIn := 1, false
	for i, s := range shape {
		switch {
		case s == -1:
			if infer >= 0 {
				return nil, inputErr(1, "shape", "%v has more than one -1", shape)
			}
			infer = i
			continue
		case s == 0 && !r.allowZero:
			if i >= len(in) {
				return nil, inputErr(1, "shape", "%v copies dimension %d with 0 but the input has rank %d", shape, i, len(in))
			}
			out[i] = in[i]
		case s < -1:
			return nil, inputErr(1, "shape", "%v has negative dimension %d", shape, s)
		default:
			d, ok := toInt(s)
			if !ok {
				return nil, inputErr(1, "shape", "dimension %d is too large", s)
			}
			out[i] = d
		}
		if out[i] < 0 {
			unknownIn = true
		} else {
			prod *= out[i]
		}
	}
	total := operators.NumElements(in)
	if total < 0 {
		if infer >= 0 {
			out[infer] = -1
		}
		return out, nil
	}
	if infer >= 0 {
		if r.allowZero && prod == 0 {
			return nil, inputErr(1, "shape", "%v has both 0 and -1 with allowzero", shape)
		}
		if unknownIn {
			out[infer] = -1
			return out, nil
		}
		if prod == 0 || total%prod != 0 {
			return nil, inputErr(1, "shape", "%v cannot hold the input's %d elements (input shape %v)", shape, total, in)
		}
		out[infer] = total / prod
		// prod may have wrapped around; the product must come out exact.
		if operators.NumElements(out) != total {
			return nil, inputErr(1, "shape", "%v cannot hold the input's %d elements (input shape %v)", shape, total, in)
		}
		return out, nil
	}
	if !unknownIn && (prod != total || operators.NumElements(out) != total) {
		return nil, inputErr(1, "shape", "%v does not hold the input's %d elements (input shape %v)", shape, total, in)
	}
	return out, nil
}

// Infer implements operators.Op.
func (r *Reshape) Infer(in []operators.Meta, consts []*operators.Value) ([]operators.Meta, error) {
	dt := in[0].DType
	shape := r.attrShape
	if !r.fromAttr {
		c := constAt(consts, 1)
		if c == nil {
			return unknown(dt), nil
		}
		var err error
		if shape, err = readInts(c, 1, "shape"); err != nil {
			return nil, err
		}
	}
	if !in[0].HasShape {
		// Without the input's rank, 0 and -1 cannot be resolved.
		out := make([]int, len(shape))
		for i, s := range shape {
			out[i] = int(s)
			if s <= 0 {
				out[i] = -1
			}
		}
		return known(dt, out), nil
	}
	out, err := r.target(nil, in[0].Shape, shape)
	if err != nil {
		return nil, err
	}
	return known(dt, out), nil
}

// Run implements operators.Op.
func (r *Reshape) Run(rc *operators.RunContext, in, out []*operators.Value) error {
	shape := r.attrShape
	if !r.fromAttr {
		var err error
		if shape, err = readInts(in[1], 1, "shape"); err != nil {
			return err
		}
	}
	var buf [8]int
	s, err := r.target(buf[:], in[0].Shape, shape)
	if err != nil {
		return err
	}
	out[0] = rc.View(in[0], s)
	return nil
}

// Flatten reshapes to 2-D: [prod(d[:axis]), prod(d[axis:])].
type Flatten struct {
	axis int64
}

func newFlatten(n *operators.Node) (operators.Op, error) {
	if err := inputs.Check(n, 1, 1); err != nil {
		return nil, err
	}
	a, err := n.Int("axis", 1)
	if err != nil {
		return nil, err
	}
	return &Flatten{axis: a}, nil
}

func (f *Flatten) shape(dst, in []int) ([]int, error) {
	r := len(in)
	a := f.axis
	if a < -int64(r) || a > int64(r) {
		return nil, &operators.AttributeError{Attr: "axis", Reason: fmt.Sprintf("%d is out of range for rank %d (want [%d, %d])", a, r, -r, r)}
	}
	if a < 0 {
		a += int64(r)
	}
	outer, inner := 1, 1
	for i, d := range in {
		if d < 0 {
			if i < int(a) {
				outer = -1
			} else {
				inner = -1
			}
			continue
		}
		if i < int(a) {
			if outer >= 0 {
				outer *= d
			}
		} else if inner >= 0 {
			inner *= d
		}
	}
	return append(dst[:0], outer, inner), nil
}

// Infer implements operators.Op.
func (f *Flatten) Infer(in []operators.Meta, consts []*operators.Value) ([]operators.Meta, error) {
	if !in[0].HasShape {
		return known(in[0].DType, []int{-1, -1}), nil
	}
	s, err := f.shape(nil, in[0].Shape)
	if err != nil {
		return nil, err
	}
	return known(in[0].DType, s), nil
}

// Run implements operators.Op.
func (f *Flatten) Run(rc *operators.RunContext, in, out []*operators.Value) error {
	var buf [2]int
	s, err := f.shape(buf[:], in[0].Shape)
	if err != nil {
		return err
	}
	out[0] = rc.View(in[0], s)
	return nil
}

// Squeeze removes size-1 dimensions: the listed axes, or all of them.
type Squeeze struct {
	axes      []int64
	axesInput bool // opset 13: axes come from input 1
}

func newSqueeze(n *operators.Node) (operators.Op, error) {
	if err := inputs.Check(n, 1, opsetPick(n, 13, 1, 2)); err != nil {
		return nil, err
	}
	s := &Squeeze{}
	if n.Opset >= 13 {
		s.axesInput = true
		return s, nil
	}
	a, _, err := axesAttr(n, "axes")
	if err != nil {
		return nil, err
	}
	s.axes = a
	return s, nil
}

func (s *Squeeze) shape(in []int, axes []int64, haveAxes bool) ([]int, error) {
	drop := make([]bool, len(in))
	if haveAxes && len(axes) > 0 {
		ax, err := normAxes("axes", axes, len(in))
		if err != nil {
			return nil, err
		}
		for _, a := range ax {
			if in[a] != 1 && in[a] >= 0 {
				return nil, inputErr(0, "data", "dimension %d of shape %v is %d, cannot squeeze it", a, in, in[a])
			}
			drop[a] = true
		}
	} else {
		for i, d := range in {
			if d < 0 {
				return nil, nil // cannot tell which dims go
			}
			drop[i] = d == 1
		}
	}
	out := []int{}
	for i, d := range in {
		if !drop[i] {
			out = append(out, d)
		}
	}
	return out, nil
}

func (s *Squeeze) axesFrom(in []*operators.Value) ([]int64, bool, error) {
	if !s.axesInput {
		return s.axes, s.axes != nil, nil
	}
	v := input(in, 1)
	if v == nil {
		return nil, false, nil
	}
	a, err := readInts(v, 1, "axes")
	return a, true, err
}

// Infer implements operators.Op.
func (s *Squeeze) Infer(in []operators.Meta, consts []*operators.Value) ([]operators.Meta, error) {
	dt := in[0].DType
	if !in[0].HasShape {
		return unknown(dt), nil
	}
	var axes []int64
	have := false
	if s.axesInput {
		if len(in) > 1 && in[1].DType != operators.Undefined {
			c := constAt(consts, 1)
			if c == nil {
				return unknown(dt), nil
			}
			var err error
			if axes, err = readInts(c, 1, "axes"); err != nil {
				return nil, err
			}
			have = true
		}
	} else {
		axes, have = s.axes, s.axes != nil
	}
	out, err := s.shape(in[0].Shape, axes, have)
	if err != nil || out == nil {
		return unknown(dt), err
	}
	return known(dt, out), nil
}

// Run implements operators.Op.
func (s *Squeeze) Run(rc *operators.RunContext, in, out []*operators.Value) error {
	axes, have, err := s.axesFrom(in)
	if err != nil {
		return err
	}
	sh, err := s.shape(in[0].Shape, axes, have)
	if err != nil {
		return err
	}
	out[0] = rc.View(in[0], sh)
	return nil
}

// Unsqueeze inserts size-1 dimensions at the given output positions.
type Unsqueeze struct {
	axes      []int64
	axesInput bool
}

func newUnsqueeze(n *operators.Node) (operators.Op, error) {
	if err := inputs.Check(n, opsetPick(n, 13, 1, 2), opsetPick(n, 13, 1, 2)); err != nil {
		return nil, err
	}
	u := &Unsqueeze{}
	if n.Opset >= 13 {
		if len(n.Inputs) < 2 || n.Inputs[1] == "" {
			return nil, fmt.Errorf("%w: Unsqueeze-13 needs input 1 (axes)", operators.ErrInvalidModel)
		}
		u.axesInput = true
		return u, nil
	}
	a, ok, err := axesAttr(n, "axes")
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, &operators.AttributeError{Attr: "axes", Reason: "is required before opset 13"}
	}
	u.axes = a
	return u, nil
}

func unsqueezeShape(in []int, axes []int64) ([]int, error) {
	r := len(in) + len(axes)
	ax, err := normAxes("axes", axes, r)
	if err != nil {
		return nil, err
	}
	ins := make([]bool, r)
	for _, a := range ax {
		ins[a] = true
	}
	out := make([]int, 0, r)
	j := 0
	for i := 0; i < r; i++ {
		if ins[i] {
			out = append(out, 1)
		} else {
			out = append(out, in[j])
			j++
		}
	}
	return out, nil
}

// Infer implements operators.Op.
func (u *Unsqueeze) Infer(in []operators.Meta, consts []*operators.Value) ([]operators.Meta, error) {
	dt := in[0].DType
	axes := u.axes
	if u.axesInput {
		c := constAt(consts, 1)
		if c == nil {
			return unknown(dt), nil
		}
		var err error
		if axes, err = readInts(c, 1, "axes"); err != nil {
			return nil, err
		}
	}
	if !in[0].HasShape {
		return unknown(dt), nil
	}
	out, err := unsqueezeShape(in[0].Shape, axes)
	if err != nil {
		return nil, err
	}
	return known(dt, out), nil
}

// Run implements operators.Op.
func (u *Unsqueeze) Run(rc *operators.RunContext, in, out []*operators.Value) error {
	axes := u.axes
	if u.axesInput {
		var err error
		if axes, err = readInts(in[1], 1, "axes"); err != nil {
			return err
		}
	}
	s, err := unsqueezeShape(in[0].Shape, axes)
	if err != nil {
		return err
	}
	out[0] = rc.View(in[0], s)
	return nil
}

// Dropout in inference mode passes its input through; the optional mask is
// all true (all ones before opset 10, in the input's type).
type Dropout struct {
	opset    int
	wantMask bool
}

func newDropout(n *operators.Node) (operators.Op, error) {
	if err := inputs.Check(n, 1, 3); err != nil {
		return nil, err
	}
	if n.Opset < 7 {
		t, err := n.Int("is_test", 0)
		if err != nil {
			return nil, err
		}
		_ = t // Inference never drops; is_test=0 would mean training.
	}
	if _, err := n.Float("ratio", 0.5); err != nil {
		return nil, err
	}
	if _, err := n.Int("seed", 0); err != nil {
		return nil, err
	}
	return &Dropout{opset: n.Opset, wantMask: len(n.Outputs) > 1 && n.Outputs[1] != ""}, nil
}

func (d *Dropout) maskType(dt operators.DType) operators.DType {
	if d.opset >= 10 {
		return operators.Bool
	}
	return dt
}

// Infer implements operators.Op.
func (d *Dropout) Infer(in []operators.Meta, consts []*operators.Value) ([]operators.Meta, error) {
	if t := constAt(consts, 2); t != nil && trainingOn(t) {
		if err := trainingCheck(constAt(consts, 1), len(in) > 1 && in[1].DType != operators.Undefined); err != nil {
			return nil, err
		}
	}
	out := []operators.Meta{in[0]}
	if d.wantMask {
		out = append(out, operators.Meta{DType: d.maskType(in[0].DType), Shape: in[0].Shape, HasShape: in[0].HasShape})
	}
	return out, nil
}

// trainingCheck allows training mode only when it cannot drop anything:
// ratio 0 keeps every element and scales by 1/(1-0), so the output is the
// input. Any other ratio needs random numbers, which inference does not
// draw. haveRatio says whether input 1 is present; ratio is its value when
// known.
func trainingCheck(ratio *operators.Value, haveRatio bool) error {
	if haveRatio && ratio != nil && ratio.Len() == 1 {
		var r float64
		switch ratio.DType {
		case operators.Float32:
			r = float64(ratio.F32()[0])
		case operators.Float64:
			r = ratio.F64()[0]
		default:
			r = -1
		}
		if r == 0 {
			return nil
		}
	}
	if haveRatio && ratio == nil {
		return nil // decided at run time
	}
	return fmt.Errorf("%w: Dropout with training_mode true and a non-zero ratio (inference only)", operators.ErrUnsupportedOp)
}

func trainingOn(v *operators.Value) bool {
	return v.DType == operators.Bool && v.Len() > 0 && v.Bools()[0]
}

// Run implements operators.Op.
func (d *Dropout) Run(rc *operators.RunContext, in, out []*operators.Value) error {
	if t := input(in, 2); t != nil && trainingOn(t) {
		r := input(in, 1)
		if r == nil {
			return trainingCheck(nil, false)
		}
		if err := trainingCheck(r, true); err != nil {
			return err
		}
	}
	x := in[0]
	out[0] = rc.View(x, x.Shape)
	if d.wantMask && len(out) > 1 {
		m, err := rc.AllocValue(d.maskType(x.DType), x.Shape, true)
		if err != nil {
			return err
		}
		switch m.DType {
		case operators.Bool:
			b := m.Bools()
			for i := range b {
				b[i] = true
			}
		case operators.Float32:
			f := m.F32()
			for i := range f {
				f[i] = 1
			}
		case operators.Float64:
			f := m.F64()
			for i := range f {
				f[i] = 1
			}
		default:
			return fmt.Errorf("%w: Dropout mask of type %v", operators.ErrUnsupportedType, m.DType)
		}
		out[1] = m
	}
	return nil
}

// Shape outputs its input's shape (dims [start, end) from opset 15) as
// int64.
type Shape struct {
	start, end int64
	hasEnd     bool
}

func newShape(n *operators.Node) (operators.Op, error) {
	if err := inputs.Check(n, 1, 1); err != nil {
		return nil, err
	}
	s := &Shape{}
	var err error
	if s.start, err = n.Int("start", 0); err != nil {
		return nil, err
	}
	s.hasEnd = n.Has("end")
	if s.end, err = n.Int("end", 0); err != nil {
		return nil, err
	}
	return s, nil
}

func (s *Shape) span(r int) (int, int) {
	clamp := func(x int64) int {
		if x < 0 {
			x += int64(r)
		}
		return int(max(0, min(x, int64(r))))
	}
	lo, hi := clamp(s.start), r
	if s.hasEnd {
		hi = clamp(s.end)
	}
	if hi < lo {
		hi = lo
	}
	return lo, hi
}

// Infer implements operators.Op.
func (s *Shape) Infer(in []operators.Meta, consts []*operators.Value) ([]operators.Meta, error) {
	if !in[0].HasShape {
		return known(operators.Int64, []int{-1}), nil
	}
	lo, hi := s.span(len(in[0].Shape))
	return known(operators.Int64, []int{hi - lo}), nil
}

// Run implements operators.Op.
func (s *Shape) Run(rc *operators.RunContext, in, out []*operators.Value) error {
	lo, hi := s.span(len(in[0].Shape))
	v, err := rc.AllocValue(operators.Int64, []int{hi - lo}, false)
	if err != nil {
		return err
	}
	d := v.I64()
	for i := lo; i < hi; i++ {
		d[i-lo] = int64(in[0].Shape[i])
	}
	out[0] = v
	return nil
}
