package loss

import (
	"fmt"
	"math"

	"github.com/onnxrun/onnxrun/operators"
	"github.com/onnxrun/onnxrun/operators/internal/half"
)

type reduction uint8

const (
	none reduction = iota
	sum
	mean
)

// op is NegativeLogLikelihoodLoss (softmax false) or
// SoftmaxCrossEntropyLoss (softmax true).
type op struct {
	name      string
	softmax   bool
	reduction reduction
	ignore    int64
	hasIgnore bool
}

func newLoss(name string, softmax bool) operators.Factory {
	return func(n *operators.Node) (operators.Op, error) {
		o := &op{name: name, softmax: softmax, hasIgnore: n.Has("ignore_index")}
		r, err := n.String("reduction", "mean")
		if err != nil {
			return nil, err
		}
		switch r {
		case "none":
			o.reduction = none
		case "sum":
			o.reduction = sum
		case "mean":
			o.reduction = mean
		default:
			return nil, &operators.AttributeError{Attr: "reduction", Reason: fmt.Sprintf("is %q, want none, sum or mean", r)}
		}
		if o.ignore, err = n.Int("ignore_index", 0); err != nil {
			return nil, err
		}
		return o, nil
	}
}

func floatType(dt operators.DType) bool { return dt.IsFloat() }

func (o *op) Infer(in []operators.Meta, _ []*operators.Value) ([]operators.Meta, error) {
	if len(in) < 2 || len(in) > 3 {
		return nil, fmt.Errorf("%w: %s takes 2 or 3 inputs, got %d", operators.ErrInvalidModel, o.name, len(in))
	}
	dt := in[0].DType
	if !floatType(dt) {
		return nil, fmt.Errorf("%w: %s of %v (input 0)", operators.ErrUnsupportedType, o.name, dt)
	}
	if in[1].DType != operators.Int32 && in[1].DType != operators.Int64 {
		return nil, fmt.Errorf("%w: %s: target (input 1) is %v, want int32 or int64", operators.ErrInvalidModel, o.name, in[1].DType)
	}
	if len(in) == 3 && in[2].DType != operators.Undefined && in[2].DType != dt {
		return nil, fmt.Errorf("%w: %s: weight (input 2) is %v but input 0 is %v", operators.ErrInvalidModel, o.name, in[2].DType, dt)
	}
	loss := operators.Meta{DType: dt, Shape: []int{}, HasShape: true}
	if o.reduction == none {
		loss = operators.Meta{DType: dt, Shape: in[1].Shape, HasShape: in[1].HasShape}
	}
	out := []operators.Meta{loss}
	if o.softmax {
		out = append(out, in[0]) // log_prob
	}
	return out, nil
}

// toFloat64 widens a float tensor.
func toFloat64(v *operators.Value) []float64 {
	out := make([]float64, v.Len())
	switch v.DType {
	case operators.Float32:
		for i, x := range v.F32() {
			out[i] = float64(x)
		}
	case operators.Float64:
		copy(out, v.F64())
	case operators.Float16:
		for i, h := range v.U16() {
			out[i] = float64(half.FromFloat16(h))
		}
	case operators.BFloat16:
		for i, h := range v.U16() {
			out[i] = float64(half.FromBFloat16(h))
		}
	}
	return out
}

// store rounds src into v.
func store(v *operators.Value, src []float64) {
	switch v.DType {
	case operators.Float32:
		for i, x := range src {
			v.F32()[i] = float32(x)
		}
	case operators.Float64:
		copy(v.F64(), src)
	case operators.Float16:
		for i, x := range src {
			v.U16()[i] = half.ToFloat16(float32(x))
		}
	case operators.BFloat16:
		for i, x := range src {
			v.U16()[i] = half.ToBFloat16(float32(x))
		}
	}
}

func targets(v *operators.Value) []int64 {
	if v.DType == operators.Int64 {
		return v.I64()
	}
	out := make([]int64, v.Len())
	for i, t := range v.I32() {
		out[i] = int64(t)
	}
	return out
}

func (o *op) Run(rc *operators.RunContext, in, out []*operators.Value) error {
	metas := make([]operators.Meta, len(in))
	for i, v := range in {
		if v == nil {
			if i == 2 {
				continue
			}
			return fmt.Errorf("%w: %s: input %d is missing", operators.ErrInvalidModel, o.name, i)
		}
		metas[i] = v.Meta()
	}
	if _, err := o.Infer(metas, nil); err != nil {
		return err
	}
	x, t := in[0], in[1]
	if len(x.Shape) < 2 {
		return fmt.Errorf("%w: %s: input 0 has shape %v, want [N, C, ...]", operators.ErrShape, o.name, x.Shape)
	}
	n, c := x.Shape[0], x.Shape[1]
	want := append([]int{n}, x.Shape[2:]...)
	if !equal(t.Shape, want) {
		return fmt.Errorf("%w: %s: target (input 1) has shape %v, want %v for input shape %v", operators.ErrShape, o.name, t.Shape, want, x.Shape)
	}
	var w []float64
	if len(in) > 2 && in[2] != nil {
		if !equal(in[2].Shape, []int{c}) {
			return fmt.Errorf("%w: %s: weight (input 2) has shape %v, want [%d]", operators.ErrShape, o.name, in[2].Shape, c)
		}
		w = toFloat64(in[2])
	}
	d := 1
	for _, v := range x.Shape[2:] {
		d *= v
	}
	logp := toFloat64(x)
	if o.softmax {
		logSoftmax(logp, n, c, d)
	}
	tg := targets(t)
	losses := make([]float64, len(tg))
	total, weights := 0.0, 0.0
	for s, cls := range tg {
		if o.hasIgnore && cls == o.ignore {
			continue
		}
		if cls < 0 || cls >= int64(c) {
			return fmt.Errorf("%w: %s: target %d at sample %d is outside [0, %d)", operators.ErrInvalidModel, o.name, cls, s, c)
		}
		wt := 1.0
		if w != nil {
			wt = w[cls]
		}
		b, j := s/d, s%d
		l := -logp[(b*c+int(cls))*d+j] * wt
		losses[s] = l
		total += l
		weights += wt
	}
	var loss *operators.Value
	var err error
	switch o.reduction {
	case none:
		if loss, err = rc.AllocValue(x.DType, t.Shape, false); err != nil {
			return err
		}
		store(loss, losses)
	default:
		if loss, err = rc.AllocValue(x.DType, []int{}, false); err != nil {
			return err
		}
		v := total
		if o.reduction == mean {
			v = total / weights
		}
		store(loss, []float64{v})
	}
	out[0] = loss
	if o.softmax && len(out) > 1 {
		lp, err := rc.AllocValue(x.DType, x.Shape, false)
		if err != nil {
			return err
		}
		store(lp, logp)
		out[1] = lp
	}
	return nil
}

// logSoftmax replaces x, laid out [n, c, d], with its log-softmax along c.
func logSoftmax(x []float64, n, c, d int) {
	for b := 0; b < n; b++ {
		for j := 0; j < d; j++ {
			m := math.Inf(-1)
			for k := 0; k < c; k++ {
				m = math.Max(m, x[(b*c+k)*d+j])
			}
			s := 0.0
			for k := 0; k < c; k++ {
				s += math.Exp(x[(b*c+k)*d+j] - m)
			}
			ls := math.Log(s)
			for k := 0; k < c; k++ {
				i := (b*c+k)*d + j
				x[i] = x[i] - m - ls
			}
		}
	}
}

func equal(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
