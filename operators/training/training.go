package training

import (
	"fmt"
	"math"

	"github.com/onnxrun/onnxrun/operators"
)

type kind uint8

const (
	adagrad kind = iota
	momentum
	adam
)

// op is one optimizer step. states is how many state tensors each
// optimized tensor carries (H; V; V and H).
type op struct {
	name   string
	kind   kind
	states int
	// Attributes (those an optimizer does not have stay zero).
	decay, epsilon, norm, normPost, alpha, beta float64
	nesterov                                    bool
}

func floatAttr(n *operators.Node, name string, def float32) (float64, error) {
	v, err := n.Float(name, def)
	return float64(v), err
}

func newOp(name string, k kind) operators.Factory {
	return func(n *operators.Node) (operators.Op, error) {
		o := &op{name: name, kind: k}
		var err error
		read := func(dst *float64, attr string, def float32) {
			if err == nil {
				*dst, err = floatAttr(n, attr, def)
			}
		}
		read(&o.norm, "norm_coefficient", 0)
		switch k {
		case adagrad:
			o.states = 1
			read(&o.decay, "decay_factor", 0)
			read(&o.epsilon, "epsilon", 0)
		case momentum:
			o.states = 1
			for _, a := range []string{"alpha", "beta", "norm_coefficient", "mode"} {
				if !n.Has(a) && err == nil {
					err = &operators.AttributeError{Attr: a, Reason: "is required"}
				}
			}
			read(&o.alpha, "alpha", 0)
			read(&o.beta, "beta", 0)
			if err == nil {
				var mode string
				if mode, err = n.String("mode", ""); err == nil {
					switch mode {
					case "standard":
					case "nesterov":
						o.nesterov = true
					default:
						err = &operators.AttributeError{Attr: "mode", Reason: fmt.Sprintf("is %q, want standard or nesterov", mode)}
					}
				}
			}
		case adam:
			o.states = 2
			read(&o.alpha, "alpha", 0.9)
			read(&o.beta, "beta", 0.999)
			read(&o.epsilon, "epsilon", 0)
			read(&o.normPost, "norm_coefficient_post", 0)
		}
		if err != nil {
			return nil, err
		}
		per := 2 + o.states
		if m := len(n.Inputs) - 2; m < per || m%per != 0 {
			return nil, fmt.Errorf("%w: %s takes R, T and %d tensors per optimized tensor, got %d inputs", operators.ErrInvalidModel, name, per, len(n.Inputs))
		}
		return o, nil
	}
}

// count returns N, the number of optimized tensors, for nIn inputs.
func (o *op) count(nIn int) (int, error) {
	per := 2 + o.states
	if m := nIn - 2; m < per || m%per != 0 {
		return 0, fmt.Errorf("%w: %s takes R, T and %d tensors per optimized tensor, got %d inputs", operators.ErrInvalidModel, o.name, per, nIn)
	}
	return (nIn - 2) / per, nil
}

func (o *op) Infer(in []operators.Meta, _ []*operators.Value) ([]operators.Meta, error) {
	n, err := o.count(len(in))
	if err != nil {
		return nil, err
	}
	var out []operators.Meta
	// Outputs: the N new values, then each state's N new tensors; they
	// mirror inputs 2..N+1 and the state inputs.
	for i := 0; i < n; i++ {
		out = append(out, in[2+i])
	}
	for s := 0; s < o.states; s++ {
		for i := 0; i < n; i++ {
			out = append(out, in[2+(2+s)*n+i])
		}
	}
	for _, m := range out {
		if m.DType != operators.Float32 && m.DType != operators.Float64 {
			return nil, fmt.Errorf("%w: %s of %v", operators.ErrUnsupportedType, o.name, m.DType)
		}
	}
	return out, nil
}

func scalar(v *operators.Value, what string) (float64, error) {
	if v == nil || v.Len() != 1 {
		return 0, fmt.Errorf("%w: %s must be a scalar", operators.ErrShape, what)
	}
	switch v.DType {
	case operators.Float32:
		return float64(v.F32()[0]), nil
	case operators.Float64:
		return v.F64()[0], nil
	case operators.Int64:
		return float64(v.I64()[0]), nil
	}
	return 0, fmt.Errorf("%w: %s of type %v", operators.ErrUnsupportedType, what, v.DType)
}

func get(v *operators.Value, i int) float64 {
	if v.DType == operators.Float64 {
		return v.F64()[i]
	}
	return float64(v.F32()[i])
}

func set(v *operators.Value, i int, x float64) {
	if v.DType == operators.Float64 {
		v.F64()[i] = x
		return
	}
	v.F32()[i] = float32(x)
}

func (o *op) Run(rc *operators.RunContext, in, out []*operators.Value) error {
	n, err := o.count(len(in))
	if err != nil {
		return err
	}
	for i, v := range in {
		if v == nil {
			return fmt.Errorf("%w: %s input %d is missing", operators.ErrInvalidModel, o.name, i)
		}
	}
	metas := make([]operators.Meta, len(in))
	for i, v := range in {
		metas[i] = v.Meta()
	}
	if _, err := o.Infer(metas, nil); err != nil {
		return err
	}
	r, err := scalar(in[0], o.name+" R (input 0)")
	if err != nil {
		return err
	}
	t, err := scalar(in[1], o.name+" T (input 1)")
	if err != nil {
		return err
	}
	if len(out) < n*(1+o.states) {
		return fmt.Errorf("%w: %s has %d outputs, got room for %d", operators.ErrInvalidModel, o.name, n*(1+o.states), len(out))
	}
	for k := 0; k < n; k++ {
		x, g := in[2+k], in[2+n+k]
		st := make([]*operators.Value, o.states)
		for s := range st {
			st[s] = in[2+(2+s)*n+k]
		}
		for _, v := range append([]*operators.Value{g}, st...) {
			if v.Len() != x.Len() || v.DType != x.DType {
				return fmt.Errorf("%w: %s: tensor %d's gradient and state must match its value (%v), got %v", operators.ErrShape, o.name, k, x, v)
			}
		}
		xn, err := rc.AllocValue(x.DType, x.Shape, false)
		if err != nil {
			return err
		}
		sn := make([]*operators.Value, o.states)
		for s := range sn {
			if sn[s], err = rc.AllocValue(st[s].DType, st[s].Shape, false); err != nil {
				return err
			}
		}
		for i := 0; i < x.Len(); i++ {
			xv, gr := get(x, i), o.norm*get(x, i)+get(g, i)
			switch o.kind {
			case adagrad:
				rate := r / (1 + t*o.decay)
				h := get(st[0], i) + gr*gr
				set(sn[0], i, h)
				set(xn, i, xv-rate*gr/(math.Sqrt(h)+o.epsilon))
			case momentum:
				b := o.beta
				if t <= 0 {
					b = 1
				}
				v := o.alpha*get(st[0], i) + b*gr
				set(sn[0], i, v)
				if o.nesterov {
					set(xn, i, xv-r*(gr+o.alpha*v))
				} else {
					set(xn, i, xv-r*v)
				}
			case adam:
				v := o.alpha*get(st[0], i) + (1-o.alpha)*gr
				h := o.beta*get(st[1], i) + (1-o.beta)*gr*gr
				set(sn[0], i, v)
				set(sn[1], i, h)
				rate := r
				if t > 0 {
					rate = r * math.Sqrt(1-math.Pow(o.beta, t)) / (1 - math.Pow(o.alpha, t))
				}
				xnew := xv - rate*v/(math.Sqrt(h)+o.epsilon)
				set(xn, i, (1-o.normPost)*xnew)
			}
		}
		out[k] = xn
		for s := range sn {
			out[(1+s)*n+k] = sn[s]
		}
	}
	return nil
}
