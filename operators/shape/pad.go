package shape

import (
	"encoding/binary"
	"fmt"
	"math"

	"github.com/onnxrun/onnxrun/operators"
	"github.com/onnxrun/onnxrun/operators/internal/inputs"
)

type padMode int

const (
	padConstant padMode = iota
	padReflect
	padEdge
	padWrap
)

// Pad pads (or, with negative pads, crops) each axis.
type Pad struct {
	mode      padMode
	attrPads  []int64 // before opset 11
	attrValue float32
	fromAttrs bool
}

func newPad(n *operators.Node) (operators.Op, error) {
	if err := inputs.Check(n, opsetPick(n, 11, 1, 2), opsetPick(n, 11, 1, 4)); err != nil {
		return nil, err
	}
	p := &Pad{}
	m, err := n.String("mode", "constant")
	if err != nil {
		return nil, err
	}
	switch m {
	case "constant":
		p.mode = padConstant
	case "reflect":
		p.mode = padReflect
	case "edge":
		p.mode = padEdge
	case "wrap":
		if n.Opset < 19 {
			return nil, &operators.AttributeError{Attr: "mode", Reason: "wrap needs opset 19"}
		}
		p.mode = padWrap
	default:
		return nil, &operators.AttributeError{Attr: "mode", Reason: fmt.Sprintf("%q is not constant, reflect, edge or wrap", m)}
	}
	if n.Opset >= 11 {
		if len(n.Inputs) < 2 || n.Inputs[1] == "" {
			return nil, fmt.Errorf("%w: Pad needs input 1 (pads)", operators.ErrInvalidModel)
		}
		return p, nil
	}
	p.fromAttrs = true
	name := "pads"
	if n.Opset < 2 {
		name = "paddings"
	}
	pads, ok, err := n.Ints(name)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, &operators.AttributeError{Attr: name, Reason: "is required before opset 11"}
	}
	p.attrPads = pads
	if p.attrValue, err = n.Float("value", 0); err != nil {
		return nil, err
	}
	return p, nil
}

// padsFor expands pads (and optional axes) to begin/end per dimension.
func padsFor(shape []int, pads, axes []int64, hasAxes bool) (pb, pe []int, err error) {
	r := len(shape)
	ax := make([]int, 0, r)
	if hasAxes {
		for _, a := range axes {
			if a < -int64(r) || a >= int64(r) {
				return nil, nil, inputErr(3, "axes", "axis %d is out of range for rank %d", a, r)
			}
			if a < 0 {
				a += int64(r)
			}
			ax = append(ax, int(a))
		}
	} else {
		for i := 0; i < r; i++ {
			ax = append(ax, i)
		}
	}
	if len(pads) != 2*len(ax) {
		return nil, nil, inputErr(1, "pads", "has %d entries, want %d (begin and end for %d axes)", len(pads), 2*len(ax), len(ax))
	}
	pb, pe = make([]int, r), make([]int, r)
	for i, a := range ax {
		b, ok1 := toInt(pads[i])
		e, ok2 := toInt(pads[len(ax)+i])
		if !ok1 || !ok2 {
			return nil, nil, inputErr(1, "pads", "%v has an entry too large", pads)
		}
		pb[a], pe[a] = b, e
	}
	return pb, pe, nil
}

func padShape(shape, pb, pe []int) ([]int, error) {
	out := make([]int, len(shape))
	for i, d := range shape {
		if d < 0 {
			out[i] = -1
			continue
		}
		out[i] = d + pb[i] + pe[i]
		if out[i] < 0 {
			return nil, inputErr(1, "pads", "axis %d of size %d with pads %d, %d has a negative size", i, d, pb[i], pe[i])
		}
	}
	return out, nil
}

func (p *Pad) pads(shape []int, get func(i int) (*operators.Value, bool)) (pb, pe []int, ok bool, err error) {
	if p.fromAttrs {
		pb, pe, err = padsFor(shape, p.attrPads, nil, false)
		return pb, pe, true, err
	}
	v, ok := get(1)
	if !ok {
		return nil, nil, false, nil
	}
	pads, err := readInts(v, 1, "pads")
	if err != nil {
		return nil, nil, false, err
	}
	var axes []int64
	av, ok := get(3)
	if !ok {
		return nil, nil, false, nil
	}
	if av != nil {
		if axes, err = readInts(av, 3, "axes"); err != nil {
			return nil, nil, false, err
		}
	}
	pb, pe, err = padsFor(shape, pads, axes, av != nil)
	return pb, pe, true, err
}

// Infer implements operators.Op.
func (p *Pad) Infer(in []operators.Meta, consts []*operators.Value) ([]operators.Meta, error) {
	dt := in[0].DType
	if !in[0].HasShape {
		return unknown(dt), nil
	}
	pb, pe, ok, err := p.pads(in[0].Shape, func(i int) (*operators.Value, bool) {
		if i >= len(in) || in[i].DType == operators.Undefined {
			return nil, true
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
	out, err := padShape(in[0].Shape, pb, pe)
	if err != nil {
		return nil, err
	}
	return known(dt, out), nil
}

// constant returns the pad value as a one-element value of type dt.
func (p *Pad) constant(dt operators.DType, in []*operators.Value) (*operators.Value, error) {
	if !p.fromAttrs {
		if c := input(in, 2); c != nil {
			if c.DType != dt {
				return nil, fmt.Errorf("%w: input 2 (constant_value) has type %v, data has %v", operators.ErrShape, c.DType, dt)
			}
			if c.Len() < 1 {
				return nil, inputErr(2, "constant_value", "is empty")
			}
			return c, nil
		}
	}
	v, err := operators.NewValue(dt, []int{1})
	if err != nil {
		return nil, err
	}
	switch dt {
	case operators.Float32:
		binary.LittleEndian.PutUint32(v.Raw, math.Float32bits(p.attrValue))
	case operators.Float64:
		binary.LittleEndian.PutUint64(v.Raw, math.Float64bits(float64(p.attrValue)))
	default:
		if p.attrValue != 0 {
			return nil, &operators.AttributeError{Attr: "value", Reason: fmt.Sprintf("non-zero pad value for %v data", dt)}
		}
	}
	return v, nil
}

// Run implements operators.Op.
func (p *Pad) Run(rc *operators.RunContext, in, out []*operators.Value) error {
	x := in[0]
	pb, pe, _, err := p.pads(x.Shape, func(i int) (*operators.Value, bool) { return input(in, i), true })
	if err != nil {
		return err
	}
	shape, err := padShape(x.Shape, pb, pe)
	if err != nil {
		return err
	}
	cv, err := p.constant(x.DType, in)
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
	if r == 0 {
		copyRun(y, 0, x, 0, 1)
		return nil
	}
	// src[d][o] is the input index feeding output index o along d, or -1
	// for the constant.
	src := make([][]int, r)
	for d := range r {
		n := x.Shape[d]
		src[d] = make([]int, shape[d])
		for o := range src[d] {
			j := o - pb[d]
			switch {
			case j >= 0 && j < n:
			case n == 0 || p.mode == padConstant:
				j = -1
			case p.mode == padEdge:
				j = max(0, min(j, n-1))
			case p.mode == padWrap:
				j = ((j % n) + n) % n
			case p.mode == padReflect:
				if n == 1 {
					j = 0
					break
				}
				period := 2 * (n - 1)
				j = ((j % period) + period) % period
				if j >= n {
					j = period - j
				}
			}
			src[d][o] = j
		}
	}
	if x.Len() == 0 && p.mode != padConstant {
		return inputErr(0, "data", "is empty; %v padding needs elements", p.mode)
	}
	pd := &padder{y: y, x: x, c: cv, src: src, ys: strides(shape), xs: strides(x.Shape)}
	pd.fill(0, 0, 0)
	return nil
}

type padder struct {
	y, x, c *operators.Value
	src     [][]int
	ys, xs  []int
}

func (p *padder) constant(yo, n int) {
	if n <= 0 {
		return
	}
	copyRun(p.y, yo, p.c, 0, 1)
	fillRepeat(p.y, yo, 1, n-1)
}

func (p *padder) fill(d, yo, xo int) {
	last := d == len(p.src)-1
	s := p.src[d]
	for o := 0; o < len(s); {
		j := s[o]
		if j < 0 {
			e := o
			for e < len(s) && s[e] < 0 {
				e++
			}
			p.constant(yo+o*p.ys[d], (e-o)*p.ys[d])
			o = e
			continue
		}
		if !last {
			p.fill(d+1, yo+o*p.ys[d], xo+j*p.xs[d])
			o++
			continue
		}
		e := o + 1
		for e < len(s) && s[e] == s[e-1]+1 {
			e++
		}
		copyRun(p.y, yo+o, p.x, xo+j, e-o)
		o = e
	}
}
