package reduce

import (
	"fmt"
	"slices"
	"sync/atomic"

	"github.com/onnxrun/onnxrun/operators"
)

// kind is which reduction.
type kind uint8

const (
	kSum kind = iota
	kMean
	kMax
	kMin
	kProd
	kSumSquare
	kL1
	kL2
	kLogSum
	kLogSumExp
)

// op is one reduction node.
type op struct {
	name      string
	kind      kind
	axesInput bool    // axes come from input 1 (opset 13 for ReduceSum, 18 for the rest)
	axes      []int64 // the axes attribute, when axesInput is false
	hasAxes   bool
	keepdims  bool
	noop      bool // noop_with_empty_axes

	last atomic.Pointer[lastShape] // the most recent run's output shape
}

// lastShape is an output shape worked out at run time for an input shape
// and reduced-axes mask; it never changes once made.
type lastShape struct {
	in  []int
	red []bool
	out []int
}

// runShape is outShape remembered across runs, so a steady-state run hands
// the allocator a shape it already has.
func (o *op) runShape(s []int, red []bool) []int {
	red = red[:len(s)]
	if m := o.last.Load(); m != nil && slices.Equal(m.in, s) && slices.Equal(m.red, red) {
		return m.out
	}
	out := o.outShape(s, red)
	o.last.Store(&lastShape{in: slices.Clone(s), red: slices.Clone(red), out: out})
	return out
}

func newReduce(name string, k kind, axesInput bool) operators.Factory {
	return func(n *operators.Node) (operators.Op, error) {
		o := &op{name: name, kind: k, axesInput: axesInput}
		keep, err := n.Int("keepdims", 1)
		if err != nil {
			return nil, err
		}
		if keep != 0 && keep != 1 {
			return nil, &operators.AttributeError{Attr: "keepdims", Reason: fmt.Sprintf("is %d, want 0 or 1", keep)}
		}
		o.keepdims = keep == 1
		if axesInput {
			noop, err := n.Int("noop_with_empty_axes", 0)
			if err != nil {
				return nil, err
			}
			if noop != 0 && noop != 1 {
				return nil, &operators.AttributeError{Attr: "noop_with_empty_axes", Reason: fmt.Sprintf("is %d, want 0 or 1", noop)}
			}
			o.noop = noop == 1
			if n.Has("axes") {
				return nil, &operators.AttributeError{Attr: "axes", Reason: "is an input, not an attribute, at this opset"}
			}
		} else {
			if o.axes, o.hasAxes, err = n.Ints("axes"); err != nil {
				return nil, err
			}
			if err := checkAxes(o.axes, -1); err != nil {
				return nil, err
			}
		}
		return o, nil
	}
}

// checkAxes rejects duplicate axes and, when rank >= 0, axes outside
// [-rank, rank). Duplicates are found after normalising when the rank is
// known (so 1 and -2 clash at rank 3).
func checkAxes(axes []int64, rank int) error {
	norm := func(a int64) int64 {
		if rank >= 0 && a < 0 {
			return a + int64(rank)
		}
		return a
	}
	for i, a := range axes {
		if rank >= 0 {
			if _, err := operators.NormAxis("axes", a, rank); err != nil {
				return err
			}
		}
		for _, b := range axes[:i] {
			if norm(a) == norm(b) {
				return &operators.AttributeError{Attr: "axes", Reason: fmt.Sprintf("axis %d appears twice in %v", norm(a), axes)}
			}
		}
	}
	return nil
}

// resolve returns, for an input of the given rank, which dimensions are
// reduced. axes is the attribute or the axes input (nil when absent). The
// result is written into buf when it is long enough.
func (o *op) resolve(buf []bool, axes []int64, rank int) ([]bool, error) {
	if err := checkAxes(axes, rank); err != nil {
		return nil, err
	}
	var red []bool
	if rank <= len(buf) {
		red = buf[:rank]
		clear(red)
	} else {
		red = make([]bool, rank)
	}
	if len(axes) == 0 {
		if !o.noop {
			for i := range red {
				red[i] = true
			}
		}
		return red, nil
	}
	for _, a := range axes {
		n, _ := operators.NormAxis("axes", a, rank)
		red[n] = true
	}
	return red, nil
}

// outShape is the shape of the result for input shape s.
func (o *op) outShape(s []int, red []bool) []int {
	out := make([]int, 0, len(s))
	for i, d := range s {
		switch {
		case !red[i]:
			out = append(out, d)
		case o.keepdims:
			out = append(out, 1)
		}
	}
	return out
}

// axesFrom reads the axes input (int64, rank 0 or 1).
func axesFrom(v *operators.Value) ([]int64, error) {
	if v.DType != operators.Int64 {
		return nil, fmt.Errorf("%w: the axes input (input 1) is %v, want int64", operators.ErrInvalidModel, v.DType)
	}
	if len(v.Shape) > 1 {
		return nil, fmt.Errorf("%w: the axes input (input 1) has shape %v, want 1-D", operators.ErrInvalidModel, v.Shape)
	}
	return v.I64(), nil
}

func (o *op) checkType(dt operators.DType) error {
	switch dt {
	case operators.Float32, operators.Float64, operators.Float16, operators.BFloat16,
		operators.Int32, operators.Int64, operators.Uint32, operators.Uint64:
		return nil
	case operators.Int8, operators.Uint8:
		if o.kind == kMax || o.kind == kMin {
			return nil
		}
	}
	return fmt.Errorf("%w: %s does not support %v", operators.ErrUnsupportedType, o.name, dt)
}

func (o *op) Infer(in []operators.Meta, consts []*operators.Value) ([]operators.Meta, error) {
	if len(in) < 1 || len(in) > 2 || (!o.axesInput && len(in) != 1) {
		return nil, fmt.Errorf("%w: %s got %d inputs", operators.ErrInvalidModel, o.name, len(in))
	}
	dt := in[0].DType
	if err := o.checkType(dt); err != nil {
		return nil, err
	}
	unknown := []operators.Meta{{DType: dt}}
	if !in[0].HasShape {
		return unknown, nil
	}
	axes := o.axes
	if o.axesInput && len(in) == 2 && in[1].DType != operators.Undefined {
		var c *operators.Value
		if len(consts) > 1 {
			c = consts[1]
		}
		if c == nil {
			if o.keepdims {
				// The rank is kept, but which dimensions become 1 is not
				// known yet.
				s := make([]int, len(in[0].Shape))
				for i := range s {
					s[i] = -1
				}
				return []operators.Meta{{DType: dt, Shape: s, HasShape: true}}, nil
			}
			return unknown, nil
		}
		var err error
		if axes, err = axesFrom(c); err != nil {
			return nil, err
		}
	}
	red, err := o.resolve(nil, axes, len(in[0].Shape))
	if err != nil {
		return nil, err
	}
	return []operators.Meta{{DType: dt, Shape: o.outShape(in[0].Shape, red), HasShape: true}}, nil
}

func (o *op) Run(rc *operators.RunContext, in, out []*operators.Value) error {
	if len(in) < 1 || in[0] == nil {
		return fmt.Errorf("%w: %s needs its data input", operators.ErrInvalidModel, o.name)
	}
	x := in[0]
	if err := o.checkType(x.DType); err != nil {
		return err
	}
	axes := o.axes
	if o.axesInput && len(in) > 1 && in[1] != nil {
		var err error
		if axes, err = axesFrom(in[1]); err != nil {
			return err
		}
	}
	var redBuf [16]bool
	red, err := o.resolve(redBuf[:], axes, len(x.Shape))
	if err != nil {
		return err
	}
	y, err := rc.AllocValue(x.DType, o.runShape(x.Shape, red), false)
	if err != nil {
		return err
	}
	var p plan
	p.init(x.Shape, red[:len(x.Shape)])
	switch x.DType {
	case operators.Float32:
		run(rc, o.kind, &p, y.F32(), x.F32())
	case operators.Float64:
		run(rc, o.kind, &p, y.F64(), x.F64())
	case operators.Int32:
		run(rc, o.kind, &p, y.I32(), x.I32())
	case operators.Int64:
		run(rc, o.kind, &p, y.I64(), x.I64())
	case operators.Uint32:
		run(rc, o.kind, &p, y.U32(), x.U32())
	case operators.Uint64:
		run(rc, o.kind, &p, y.U64(), x.U64())
	case operators.Int8:
		run(rc, o.kind, &p, y.I8(), x.I8())
	case operators.Uint8:
		run(rc, o.kind, &p, y.U8(), x.U8())
	case operators.Float16, operators.BFloat16:
		runHalf(rc, o.kind, &p, y, x)
	}
	out[0] = y
	return nil
}

// maxGroups is how many merged dimension groups a plan holds without
// allocating.
const maxGroups = 8

// plan is the merged traversal of one reduction. It holds no pointers into
// itself, so it can live on the caller's stack.
type plan struct {
	n       int // number of merged groups
	garr    [maxGroups]int
	rarr    [maxGroups]bool
	sarr    [maxGroups]int
	spill   *planSpill // when n > maxGroups
	inN     int        // input elements
	outN    int        // output elements
	count   int        // input elements per output element
	idxSize int
}

type planSpill struct {
	groups, ostride []int
	reduced         []bool
}

// views returns the merged group sizes, whether each is reduced, and each
// group's output stride (0 for reduced groups), outermost first.
func (p *plan) views() (groups []int, reduced []bool, ostride []int) {
	if p.spill != nil {
		return p.spill.groups, p.spill.reduced, p.spill.ostride
	}
	return p.garr[:p.n], p.rarr[:p.n], p.sarr[:p.n]
}

func (p *plan) init(shape []int, red []bool) {
	*p = plan{inN: operators.NumElements(shape), outN: 1, count: 1}
	for i, d := range shape {
		if red[i] {
			p.count *= d
		} else {
			p.outN *= d
		}
	}
	if len(shape) > maxGroups {
		g, r := mergeGroups(nil, nil, shape, red)
		p.spill = &planSpill{groups: g, reduced: r, ostride: make([]int, len(g))}
		p.n = len(g)
	} else {
		g, _ := mergeGroups(p.garr[:0], p.rarr[:0], shape, red)
		p.n = len(g)
	}
	groups, reduced, ostride := p.views()
	s := 1
	for i := p.n - 1; i >= 0; i-- {
		if !reduced[i] {
			ostride[i] = s
			s *= groups[i]
		}
	}
}

// mergeGroups appends to groups and reduced the sizes of shape's
// dimensions with size-1 ones dropped and neighbours of the same kind
// (reduced or kept) multiplied together.
func mergeGroups(groups []int, reduced []bool, shape []int, red []bool) ([]int, []bool) {
	for i, d := range shape {
		if d == 1 {
			continue
		}
		if n := len(groups); n > 0 && reduced[n-1] == red[i] {
			groups[n-1] *= d
			continue
		}
		groups = append(groups, d)
		reduced = append(reduced, red[i])
	}
	return groups, reduced
}

// walk calls fn for each contiguous input row of the innermost group, in
// memory order, with the offset of the output element (innermost group
// reduced) or output run (innermost group kept) it feeds.
func (p *plan) walk(fn func(o int, lo, hi int)) {
	if p.inN == 0 {
		return
	}
	groups, _, ostride := p.views()
	if len(groups) == 0 {
		fn(0, 0, 1)
		return
	}
	last := len(groups) - 1
	L := groups[last]
	outer := groups[:last]
	var idxArr [maxGroups]int
	idx := idxArr[:]
	if last > maxGroups {
		idx = make([]int, last)
	}
	o := 0
	for lo := 0; lo < p.inN; lo += L {
		fn(o, lo, lo+L)
		for i := last - 1; i >= 0; i-- {
			idx[i]++
			o += ostride[i]
			if idx[i] < outer[i] {
				break
			}
			o -= idx[i] * ostride[i]
			idx[i] = 0
		}
	}
}

// single reports whether exactly one merged group is reduced, and the
// input's [a, r, b] view around it.
func (p *plan) single() (a, r, b int, ok bool) {
	groups, reduced, _ := p.views()
	at := -1
	for i, red := range reduced {
		if red {
			if at >= 0 {
				return 0, 0, 0, false
			}
			at = i
		}
	}
	if at < 0 {
		return 0, 0, 0, false
	}
	a, b = 1, 1
	for _, g := range groups[:at] {
		a *= g
	}
	for _, g := range groups[at+1:] {
		b *= g
	}
	return a, groups[at], b, true
}

// innerReduced reports whether rows fold into single output elements.
func (p *plan) innerReduced() bool {
	_, reduced, _ := p.views()
	return len(reduced) > 0 && reduced[len(reduced)-1]
}
