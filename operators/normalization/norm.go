package normalization

import (
	"fmt"
	"math"

	"github.com/onnxrun/onnxrun/operators"
	"github.com/onnxrun/onnxrun/operators/internal/inputs"
)

type float interface{ ~float32 | ~float64 }

func checkFloat(dt operators.DType) error {
	if dt != operators.Float32 && dt != operators.Float64 {
		return fmt.Errorf("%w: %v (want float32 or float64)", operators.ErrUnsupportedType, dt)
	}
	return nil
}

func inputErr(idx int, name, format string, args ...any) error {
	return fmt.Errorf("%w: input %d (%s): %s", operators.ErrShape, idx, name, fmt.Sprintf(format, args...))
}

// f64s returns a float32 or float64 value's elements as float64.
func f64s(v *operators.Value, idx int, name string) ([]float64, error) {
	n := v.Len()
	switch v.DType {
	case operators.Float32:
		out := make([]float64, n)
		for i, x := range v.F32()[:n] {
			out[i] = float64(x)
		}
		return out, nil
	case operators.Float64:
		return v.F64()[:n], nil
	}
	return nil, fmt.Errorf("%w: input %d (%s) has type %v, want float32 or float64", operators.ErrUnsupportedType, idx, name, v.DType)
}

func sameMeta(in operators.Meta) []operators.Meta {
	return []operators.Meta{{DType: in.DType, Shape: in.Shape, HasShape: in.HasShape}}
}

// BatchNormalization in inference mode: y = (x-mean)/sqrt(var+eps)*scale+B
// per channel.
type BatchNorm struct {
	eps float64
}

func newBatchNorm(n *operators.Node) (operators.Op, error) {
	if err := inputs.Check(n, 5, 5); err != nil {
		return nil, err
	}
	eps, err := n.Float("epsilon", 1e-5)
	if err != nil {
		return nil, err
	}
	if eps < 0 {
		return nil, &operators.AttributeError{Attr: "epsilon", Reason: fmt.Sprintf("is %g, want >= 0", eps)}
	}
	if _, err := n.Float("momentum", 0.9); err != nil {
		return nil, err
	}
	tm, err := n.Int("training_mode", 0)
	if err != nil {
		return nil, err
	}
	if tm != 0 {
		return nil, fmt.Errorf("%w: BatchNormalization with training_mode=1 (inference only)", operators.ErrUnsupportedOp)
	}
	if n.Opset < 7 {
		it, err := n.Int("is_test", 0)
		if err != nil {
			return nil, err
		}
		_ = it // inference regardless; the outputs below decide
	}
	if n.Opset < 9 {
		if _, err := n.Int("spatial", 1); err != nil {
			return nil, err
		}
	}
	for i := 1; i < len(n.Outputs); i++ {
		if n.Outputs[i] != "" {
			return nil, fmt.Errorf("%w: BatchNormalization's training outputs (running mean/var, saved mean/var) are not supported", operators.ErrUnsupportedOp)
		}
	}
	if len(n.Inputs) != 5 {
		return nil, fmt.Errorf("%w: BatchNormalization takes 5 inputs, got %d", operators.ErrInvalidModel, len(n.Inputs))
	}
	return &BatchNorm{eps: float64(eps)}, nil
}

// Infer implements operators.Op.
func (b *BatchNorm) Infer(in []operators.Meta, consts []*operators.Value) ([]operators.Meta, error) {
	if err := checkFloat(in[0].DType); err != nil {
		return nil, err
	}
	if in[0].HasShape && len(in[0].Shape) < 2 {
		return nil, inputErr(0, "X", "rank %d, want at least 2 (N, C, ...)", len(in[0].Shape))
	}
	return sameMeta(in[0]), nil
}

var bnNames = []string{"X", "scale", "B", "input_mean", "input_var"}

// Run implements operators.Op.
func (b *BatchNorm) Run(rc *operators.RunContext, in, out []*operators.Value) error {
	x := in[0]
	if err := checkFloat(x.DType); err != nil {
		return err
	}
	if len(x.Shape) < 2 {
		return inputErr(0, "X", "rank %d, want at least 2 (N, C, ...)", len(x.Shape))
	}
	c := x.Shape[1]
	inner := operators.NumElements(x.Shape[2:])
	// Parameters are per channel ([C]), or per activation ([C, D1, ...],
	// spatial=0 before opset 9).
	pc := c
	var params [4][]float64
	for i := 1; i <= 4; i++ {
		p, err := f64s(in[i], i, bnNames[i])
		if err != nil {
			return err
		}
		switch len(p) {
		case c:
		case c * inner:
			if i == 1 {
				pc = c * inner
			}
		default:
			return inputErr(i, bnNames[i], "shape %v, want [%d] (one per channel of X %v)", in[i].Shape, c, x.Shape)
		}
		if len(p) != pc && i > 1 {
			return inputErr(i, bnNames[i], "shape %v does not match scale's %v", in[i].Shape, in[1].Shape)
		}
		params[i-1] = p
	}
	scale, bias := make([]float64, pc), make([]float64, pc)
	for j := range scale {
		s := params[0][j] / math.Sqrt(params[3][j]+b.eps)
		scale[j] = s
		bias[j] = params[1][j] - params[2][j]*s
	}
	y, err := rc.AllocValue(x.DType, x.Shape, false)
	if err != nil {
		return err
	}
	out[0] = y
	if pc != c {
		// Per activation: treat each (channel, position) as a channel.
		c, inner = pc, 1
	}
	switch x.DType {
	case operators.Float32:
		affine(rc, x.F32(), y.F32(), x.Shape[0], c, inner, scale, bias)
	case operators.Float64:
		affine(rc, x.F64(), y.F64(), x.Shape[0], c, inner, scale, bias)
	}
	return nil
}

// affine computes y = x*scale[c] + bias[c] over [n, c, inner].
func affine[T float](rc *operators.RunContext, x, y []T, n, c, inner int, scale, bias []float64) {
	rc.Parallel(n*c, max(1, 4096/max(inner, 1)), func(lo, hi int) {
		for nc := lo; nc < hi; nc++ {
			ch := nc % c
			s, b := T(scale[ch]), T(bias[ch])
			xs := x[nc*inner : (nc+1)*inner]
			ys := y[nc*inner : (nc+1)*inner]
			for i, v := range xs {
				ys[i] = v*s + b
			}
		}
	})
}

// InstanceNorm normalises each (n, c) slice over its spatial positions.
type InstanceNorm struct{ eps float64 }

func newInstanceNorm(n *operators.Node) (operators.Op, error) {
	if err := inputs.Check(n, 3, 3); err != nil {
		return nil, err
	}
	eps, err := n.Float("epsilon", 1e-5)
	if err != nil {
		return nil, err
	}
	if eps < 0 {
		return nil, &operators.AttributeError{Attr: "epsilon", Reason: fmt.Sprintf("is %g, want >= 0", eps)}
	}
	return &InstanceNorm{eps: float64(eps)}, nil
}

// Infer implements operators.Op.
func (o *InstanceNorm) Infer(in []operators.Meta, consts []*operators.Value) ([]operators.Meta, error) {
	if err := checkFloat(in[0].DType); err != nil {
		return nil, err
	}
	if in[0].HasShape && len(in[0].Shape) < 3 {
		return nil, inputErr(0, "input", "rank %d, want at least 3 (N, C, D1, ...)", len(in[0].Shape))
	}
	return sameMeta(in[0]), nil
}

// Run implements operators.Op.
func (o *InstanceNorm) Run(rc *operators.RunContext, in, out []*operators.Value) error {
	x := in[0]
	if err := checkFloat(x.DType); err != nil {
		return err
	}
	if len(x.Shape) < 3 {
		return inputErr(0, "input", "rank %d, want at least 3 (N, C, D1, ...)", len(x.Shape))
	}
	c := x.Shape[1]
	scale, err := f64s(in[1], 1, "scale")
	if err != nil {
		return err
	}
	bias, err := f64s(in[2], 2, "B")
	if err != nil {
		return err
	}
	if len(scale) != c {
		return inputErr(1, "scale", "shape %v, want [%d]", in[1].Shape, c)
	}
	if len(bias) != c {
		return inputErr(2, "B", "shape %v, want [%d]", in[2].Shape, c)
	}
	y, err := rc.AllocValue(x.DType, x.Shape, false)
	if err != nil {
		return err
	}
	out[0] = y
	inner := operators.NumElements(x.Shape[2:])
	switch x.DType {
	case operators.Float32:
		normRows(rc, x.F32(), y.F32(), x.Shape[0]*c, inner, o.eps, func(row int) (float64, float64) { return scale[row%c], bias[row%c] }, nil, nil, nil)
	case operators.Float64:
		normRows(rc, x.F64(), y.F64(), x.Shape[0]*c, inner, o.eps, func(row int) (float64, float64) { return scale[row%c], bias[row%c] }, nil, nil, nil)
	}
	return nil
}

// normRows standardises each of rows rows of length inner. Row-constant
// affine parameters come from rowAffine; per-element ones from
// scale/bias (length inner, or 1). mean and inv, when non-nil, receive
// each row's statistics.
func normRows[T float](rc *operators.RunContext, x, y []T, rows, inner int, eps float64,
	rowAffine func(int) (float64, float64), elemScale, elemBias []float64, stats func(row int, mean, inv float64)) {
	rc.Parallel(rows, max(1, 4096/max(inner, 1)), func(lo, hi int) {
		for r := lo; r < hi; r++ {
			xs := x[r*inner : (r+1)*inner]
			ys := y[r*inner : (r+1)*inner]
			var sum float64
			for _, v := range xs {
				sum += float64(v)
			}
			mean := sum / float64(inner)
			var sq float64
			for _, v := range xs {
				d := float64(v) - mean
				sq += d * d
			}
			inv := 1 / math.Sqrt(sq/float64(inner)+eps)
			if stats != nil {
				stats(r, mean, inv)
			}
			if rowAffine != nil {
				s, b := rowAffine(r)
				for i, v := range xs {
					ys[i] = T((float64(v)-mean)*inv*s + b)
				}
				continue
			}
			for i, v := range xs {
				s := elemScale[0]
				if len(elemScale) > 1 {
					s = elemScale[i]
				}
				b := 0.0
				if len(elemBias) == 1 {
					b = elemBias[0]
				} else if len(elemBias) > 1 {
					b = elemBias[i]
				}
				ys[i] = T((float64(v)-mean)*inv*s + b)
			}
		}
	})
}

// LayerNorm normalises over the trailing dimensions from axis on.
type LayerNorm struct {
	axis                int64
	eps                 float64
	stash               int64
	wantMean, wantInvSD bool
}

func newLayerNorm(n *operators.Node) (operators.Op, error) {
	if err := inputs.Check(n, 2, 3); err != nil {
		return nil, err
	}
	l := &LayerNorm{}
	var err error
	if l.axis, err = n.Int("axis", -1); err != nil {
		return nil, err
	}
	eps, err := n.Float("epsilon", 1e-5)
	if err != nil {
		return nil, err
	}
	if eps < 0 {
		return nil, &operators.AttributeError{Attr: "epsilon", Reason: fmt.Sprintf("is %g, want >= 0", eps)}
	}
	l.eps = float64(eps)
	if l.stash, err = n.Int("stash_type", 1); err != nil {
		return nil, err
	}
	if l.stash != int64(operators.Float32) && l.stash != int64(operators.Float64) {
		return nil, &operators.AttributeError{Attr: "stash_type", Reason: fmt.Sprintf("is %d, want 1 (float32) or 11 (float64)", l.stash)}
	}
	l.wantMean = len(n.Outputs) > 1 && n.Outputs[1] != ""
	l.wantInvSD = len(n.Outputs) > 2 && n.Outputs[2] != ""
	return l, nil
}

func (l *LayerNorm) statShape(x []int, ax int) []int {
	s := append([]int(nil), x...)
	for i := ax; i < len(s); i++ {
		s[i] = 1
	}
	return s
}

// Infer implements operators.Op.
func (l *LayerNorm) Infer(in []operators.Meta, consts []*operators.Value) ([]operators.Meta, error) {
	if err := checkFloat(in[0].DType); err != nil {
		return nil, err
	}
	out := sameMeta(in[0])
	st := operators.Meta{DType: operators.DType(l.stash)}
	if in[0].HasShape {
		ax, err := operators.NormAxis("axis", l.axis, len(in[0].Shape))
		if err != nil {
			return nil, err
		}
		st.Shape, st.HasShape = l.statShape(in[0].Shape, ax), true
	}
	if l.wantMean || l.wantInvSD {
		out = append(out, st, st)
	}
	return out, nil
}

// broadcastTail returns p's elements if p broadcasts to the normalised
// shape as either one value or exactly the trailing shape.
func broadcastTail(p *operators.Value, idx int, name string, tail []int) ([]float64, error) {
	v, err := f64s(p, idx, name)
	if err != nil {
		return nil, err
	}
	n := operators.NumElements(tail)
	if len(v) == 1 {
		return v, nil
	}
	if len(v) != n {
		return nil, inputErr(idx, name, "shape %v does not match the normalised dimensions %v", p.Shape, tail)
	}
	// Any leading dims of p must be 1 and the rest equal to tail.
	s := p.Shape
	for len(s) > len(tail) {
		if s[0] != 1 {
			return nil, inputErr(idx, name, "shape %v does not match the normalised dimensions %v", p.Shape, tail)
		}
		s = s[1:]
	}
	for i := range s {
		if s[len(s)-1-i] != tail[len(tail)-1-i] {
			return nil, inputErr(idx, name, "shape %v does not match the normalised dimensions %v (only per-element or scalar parameters are supported)", p.Shape, tail)
		}
	}
	return v, nil
}

// Run implements operators.Op.
func (l *LayerNorm) Run(rc *operators.RunContext, in, out []*operators.Value) error {
	x := in[0]
	if err := checkFloat(x.DType); err != nil {
		return err
	}
	ax, err := operators.NormAxis("axis", l.axis, len(x.Shape))
	if err != nil {
		return err
	}
	tail := x.Shape[ax:]
	scale, err := broadcastTail(in[1], 1, "Scale", tail)
	if err != nil {
		return err
	}
	var bias []float64
	if len(in) > 2 && in[2] != nil {
		if bias, err = broadcastTail(in[2], 2, "B", tail); err != nil {
			return err
		}
	}
	y, err := rc.AllocValue(x.DType, x.Shape, false)
	if err != nil {
		return err
	}
	out[0] = y
	rows := operators.NumElements(x.Shape[:ax])
	inner := operators.NumElements(tail)
	var mean, inv *operators.Value
	var stats func(r int, m, i float64)
	if (l.wantMean || l.wantInvSD) && len(out) >= 2 {
		ss := l.statShape(x.Shape, ax)
		if mean, err = rc.AllocValue(operators.DType(l.stash), ss, false); err != nil {
			return err
		}
		if inv, err = rc.AllocValue(operators.DType(l.stash), ss, false); err != nil {
			return err
		}
		if l.stash == int64(operators.Float32) {
			mf, vf := mean.F32(), inv.F32()
			stats = func(r int, m, i float64) { mf[r], vf[r] = float32(m), float32(i) }
		} else {
			mf, vf := mean.F64(), inv.F64()
			stats = func(r int, m, i float64) { mf[r], vf[r] = m, i }
		}
		out[1] = mean
		if len(out) > 2 {
			out[2] = inv
		}
	}
	switch x.DType {
	case operators.Float32:
		normRows(rc, x.F32(), y.F32(), rows, inner, l.eps, nil, scale, bias, stats)
	case operators.Float64:
		normRows(rc, x.F64(), y.F64(), rows, inner, l.eps, nil, scale, bias, stats)
	}
	return nil
}

// LRN normalises each element by the squares of its neighbours across
// channels.
type LRN struct {
	size              int
	alpha, beta, bias float64
}

func newLRN(n *operators.Node) (operators.Op, error) {
	if err := inputs.Check(n, 1, 1); err != nil {
		return nil, err
	}
	if !n.Has("size") {
		return nil, &operators.AttributeError{Attr: "size", Reason: "is required"}
	}
	size, err := n.Int("size", 0)
	if err != nil {
		return nil, err
	}
	if size < 1 || size > 1<<20 {
		return nil, &operators.AttributeError{Attr: "size", Reason: fmt.Sprintf("is %d, want >= 1", size)}
	}
	l := &LRN{size: int(size)}
	a, err := n.Float("alpha", 1e-4)
	if err != nil {
		return nil, err
	}
	b, err := n.Float("beta", 0.75)
	if err != nil {
		return nil, err
	}
	bias, err := n.Float("bias", 1)
	if err != nil {
		return nil, err
	}
	l.alpha, l.beta, l.bias = float64(a), float64(b), float64(bias)
	return l, nil
}

// Infer implements operators.Op.
func (l *LRN) Infer(in []operators.Meta, consts []*operators.Value) ([]operators.Meta, error) {
	if err := checkFloat(in[0].DType); err != nil {
		return nil, err
	}
	if in[0].HasShape && len(in[0].Shape) < 2 {
		return nil, inputErr(0, "X", "rank %d, want at least 2 (N, C, ...)", len(in[0].Shape))
	}
	return sameMeta(in[0]), nil
}

// Run implements operators.Op.
func (l *LRN) Run(rc *operators.RunContext, in, out []*operators.Value) error {
	x := in[0]
	if err := checkFloat(x.DType); err != nil {
		return err
	}
	if len(x.Shape) < 2 {
		return inputErr(0, "X", "rank %d, want at least 2 (N, C, ...)", len(x.Shape))
	}
	y, err := rc.AllocValue(x.DType, x.Shape, false)
	if err != nil {
		return err
	}
	out[0] = y
	switch x.DType {
	case operators.Float32:
		lrn(rc, l, x.F32(), y.F32(), x.Shape)
	case operators.Float64:
		lrn(rc, l, x.F64(), y.F64(), x.Shape)
	}
	return nil
}

func lrn[T float](rc *operators.RunContext, l *LRN, x, y []T, shape []int) {
	n, c := shape[0], shape[1]
	inner := operators.NumElements(shape[2:])
	lo := (l.size - 1) / 2
	hi := l.size - 1 - lo // ceil((size-1)/2)
	k := l.alpha / float64(l.size)
	rc.Parallel(n*c, 1, func(a, b int) {
		for nc := a; nc < b; nc++ {
			ni, ci := nc/c, nc%c
			c0, c1 := max(0, ci-lo), min(c-1, ci+hi)
			for i := 0; i < inner; i++ {
				var sq float64
				for cc := c0; cc <= c1; cc++ {
					v := float64(x[(ni*c+cc)*inner+i])
					sq += v * v
				}
				j := nc*inner + i
				y[j] = T(float64(x[j]) / math.Pow(l.bias+k*sq, l.beta))
			}
		}
	})
}
