package shape

import (
	"fmt"
	"math"
	"slices"
	"sync/atomic"

	"github.com/onnxrun/onnxrun/operators"
	"github.com/onnxrun/onnxrun/operators/internal/inputs"
)

// Slice selects a strided sub-tensor.
type Slice struct {
	fromAttrs          bool // opset 1: starts/ends/axes are attributes
	starts, ends, axes []int64
	hasAxes            bool
	last               atomic.Pointer[sliceMemo] // the most recent run's
}

// sliceMemo is what Run worked out for one input shape and one set of
// starts, ends, axes and steps; it never changes once made.
type sliceMemo struct {
	shape []int
	vals  [5][]int64 // inputs 1..4 as read (nil when absent)
	p     *sliceParams
}

func newSlice(n *operators.Node) (operators.Op, error) {
	if err := inputs.Check(n, opsetPick(n, 10, 1, 3), opsetPick(n, 10, 1, 5)); err != nil {
		return nil, err
	}
	s := &Slice{}
	if n.Opset >= 10 {
		if len(n.Inputs) < 3 {
			return nil, fmt.Errorf("%w: Slice needs inputs data, starts and ends", operators.ErrInvalidModel)
		}
		return s, nil
	}
	s.fromAttrs = true
	var ok bool
	var err error
	if s.starts, ok, err = n.Ints("starts"); err != nil || !ok {
		if err == nil {
			err = &operators.AttributeError{Attr: "starts", Reason: "is required before opset 10"}
		}
		return nil, err
	}
	if s.ends, ok, err = n.Ints("ends"); err != nil || !ok {
		if err == nil {
			err = &operators.AttributeError{Attr: "ends", Reason: "is required before opset 10"}
		}
		return nil, err
	}
	if s.axes, s.hasAxes, err = n.Ints("axes"); err != nil {
		return nil, err
	}
	if len(s.ends) != len(s.starts) || (s.hasAxes && len(s.axes) != len(s.starts)) {
		return nil, &operators.AttributeError{Attr: "ends", Reason: fmt.Sprintf("starts, ends and axes have %d, %d and %d entries", len(s.starts), len(s.ends), len(s.axes))}
	}
	return s, nil
}

// sliceParams are the effective per-dimension start, step and count.
type sliceParams struct {
	start, step, count []int
	out                []int
	xs                 []int // the input's strides, for Run

	// view is set when the output is one contiguous run of n input
	// elements from offset off (no copy is needed), for Run.
	view   bool
	off, n int
}

// setView decides whether a slice of an input of shape shape selects one
// contiguous run of elements: every dimension before the last one cut
// (by start, count or step) selects a single index, and the last one cut
// has step 1.
func (p *sliceParams) setView(shape []int) {
	r := len(shape)
	n := 1
	for _, d := range p.out {
		n *= d
	}
	if r == 0 || n == 0 {
		return
	}
	k := r - 1
	for k > 0 && p.start[k] == 0 && p.step[k] == 1 && p.count[k] == shape[k] {
		k--
	}
	if p.step[k] != 1 && p.count[k] > 1 {
		return
	}
	off := 0
	for i := 0; i <= k; i++ {
		if i < k && p.count[i] != 1 {
			return
		}
		off += p.start[i] * p.xs[i]
	}
	p.view, p.off, p.n = true, off, n
}

func resolveSlice(shape []int, starts, ends, axes []int64, hasAxes bool, steps []int64) (*sliceParams, error) {
	r := len(shape)
	if len(ends) != len(starts) {
		return nil, inputErr(2, "ends", "has %d entries, starts has %d", len(ends), len(starts))
	}
	if hasAxes && len(axes) != len(starts) {
		return nil, inputErr(3, "axes", "has %d entries, starts has %d", len(axes), len(starts))
	}
	if steps != nil && len(steps) != len(starts) {
		return nil, inputErr(4, "steps", "has %d entries, starts has %d", len(steps), len(starts))
	}
	p := &sliceParams{start: make([]int, r), step: make([]int, r), count: make([]int, r), out: make([]int, r)}
	for i := range shape {
		p.step[i], p.count[i], p.out[i] = 1, shape[i], shape[i]
	}
	seen := make([]bool, r)
	for i := range starts {
		ax := i
		if hasAxes {
			a := axes[i]
			if a < -int64(r) || a >= int64(r) {
				return nil, inputErr(3, "axes", "axis %d is out of range for rank %d", a, r)
			}
			if a < 0 {
				a += int64(r)
			}
			ax = int(a)
		}
		if ax >= r {
			return nil, inputErr(1, "starts", "has %d entries, data has rank %d", len(starts), r)
		}
		if seen[ax] {
			return nil, inputErr(3, "axes", "axis %d appears twice", ax)
		}
		seen[ax] = true
		step := int64(1)
		if steps != nil {
			step = steps[i]
		}
		if step == 0 {
			return nil, inputErr(4, "steps", "entry %d is 0", i)
		}
		dim := int64(shape[ax])
		if dim < 0 {
			p.out[ax] = -1
			continue
		}
		st, en := starts[i], ends[i]
		if st < 0 {
			st += dim
		}
		if en < 0 && en > math.MinInt64/2 {
			en += dim
		}
		// A step longer than the axis takes at most one element; clamping
		// it keeps -step and the count arithmetic from overflowing.
		step = max(-math.MaxInt32, min(step, math.MaxInt32))
		var count int64
		if step > 0 {
			st = max(0, min(st, dim))
			en = max(0, min(en, dim))
			if en > st {
				count = (en - st + step - 1) / step
			}
		} else {
			st = max(0, min(st, dim-1))
			en = max(-1, min(en, dim-1))
			if st > en && dim > 0 {
				count = (st - en + (-step) - 1) / (-step)
			}
		}
		p.start[ax], p.step[ax], p.count[ax], p.out[ax] = int(st), int(step), int(count), int(count)
	}
	return p, nil
}

func (s *Slice) params(shape []int, get func(i int) (*operators.Value, bool)) (*sliceParams, bool, error) {
	if s.fromAttrs {
		p, err := resolveSlice(shape, s.starts, s.ends, s.axes, s.hasAxes, nil)
		return p, true, err
	}
	var vals [5][]int64
	names := []string{"", "starts", "ends", "axes", "steps"}
	for i := 1; i <= 4; i++ {
		v, ok := get(i)
		if !ok {
			return nil, false, nil
		}
		if v == nil {
			if i <= 2 {
				return nil, false, inputErr(i, names[i], "is required")
			}
			continue
		}
		var err error
		if vals[i], err = readInts(v, i, names[i]); err != nil {
			return nil, false, err
		}
	}
	p, err := resolveSlice(shape, vals[1], vals[2], vals[3], vals[3] != nil, vals[4])
	return p, true, err
}

// runParams resolves the slice of a run, reusing the previous run's when
// the input shape and the int64 starts, ends, axes and steps are the same.
func (s *Slice) runParams(in []*operators.Value) (*sliceParams, error) {
	x := in[0]
	var vals [5][]int64
	keep := true // int32 or malformed inputs are not remembered
	if !s.fromAttrs {
		for i := 1; i <= 4; i++ {
			v := input(in, i)
			if v == nil {
				continue
			}
			if v.DType != operators.Int64 || len(v.Shape) > 1 {
				keep = false
				break
			}
			vals[i] = v.I64()[:v.Len()]
		}
	}
	if m := s.last.Load(); keep && m != nil && slices.Equal(m.shape, x.Shape) {
		same := true
		for i := 1; i <= 4; i++ {
			if (m.vals[i] == nil) != (vals[i] == nil) || !slices.Equal(m.vals[i], vals[i]) {
				same = false
				break
			}
		}
		if same {
			return m.p, nil
		}
	}
	p, _, err := s.params(x.Shape, func(i int) (*operators.Value, bool) { return input(in, i), true })
	if err != nil {
		return nil, err
	}
	p.xs = strides(x.Shape)
	p.setView(x.Shape)
	if !keep {
		return p, nil
	}
	m := &sliceMemo{shape: slices.Clone(x.Shape), p: p}
	for i := range vals {
		if vals[i] != nil {
			m.vals[i] = slices.Clone(vals[i])
		}
	}
	s.last.Store(m)
	return p, nil
}

// Infer implements operators.Op.
func (s *Slice) Infer(in []operators.Meta, consts []*operators.Value) ([]operators.Meta, error) {
	dt := in[0].DType
	if !in[0].HasShape {
		return unknown(dt), nil
	}
	p, ok, err := s.params(in[0].Shape, func(i int) (*operators.Value, bool) {
		if i >= len(in) || in[i].DType == operators.Undefined {
			return nil, true // absent optional input
		}
		c := constAt(consts, i)
		return c, c != nil
	})
	if err != nil {
		return nil, err
	}
	if !ok {
		out := make([]int, len(in[0].Shape))
		for i := range out {
			out[i] = -1
		}
		return known(dt, out), nil
	}
	return known(dt, p.out), nil
}

// Run implements operators.Op.
func (s *Slice) Run(rc *operators.RunContext, in, out []*operators.Value) error {
	x := in[0]
	p, err := s.runParams(in)
	if err != nil {
		return err
	}
	if p.view {
		// The selected elements are one contiguous run of x: view them.
		sub := operators.Value{DType: x.DType}
		if x.DType == operators.String {
			sub.Strs = x.Strs[p.off : p.off+p.n : p.off+p.n]
		} else {
			sz := x.DType.Size()
			sub.Raw = x.Raw[p.off*sz : (p.off+p.n)*sz : (p.off+p.n)*sz]
		}
		out[0] = rc.View(&sub, p.out)
		return nil
	}
	y, err := alloc(rc, x.DType, p.out)
	if err != nil {
		return err
	}
	out[0] = y
	if y.Len() == 0 {
		return nil
	}
	r := len(x.Shape)
	if r == 0 {
		copyRun(y, 0, x, 0, 1)
		return nil
	}
	// Dims after the last sliced one are copied whole: merge them into a
	// contiguous inner block.
	k := r - 1
	for k > 0 && p.start[k] == 0 && p.step[k] == 1 && p.count[k] == x.Shape[k] {
		k--
	}
	inner := operators.NumElements(x.Shape[k+1:])
	xs := p.xs
	var idxBuf [8]int
	idx := ints0(idxBuf[:], k) // odometer over output dims [0, k)
	outerN := operators.NumElements(p.out[:k])
	o := 0
	for t := 0; t < outerN; t++ {
		base := 0
		for i := 0; i < k; i++ {
			base += (p.start[i] + idx[i]*p.step[i]) * xs[i]
		}
		base += p.start[k] * xs[k]
		if p.step[k] == 1 {
			n := p.count[k] * inner
			copyRun(y, o, x, base, n)
			o += n
		} else {
			for j := 0; j < p.count[k]; j++ {
				copyRun(y, o, x, base+j*p.step[k]*xs[k], inner)
				o += inner
			}
		}
		for i := k - 1; i >= 0; i-- {
			idx[i]++
			if idx[i] < p.out[i] {
				break
			}
			idx[i] = 0
		}
	}
	return nil
}
