package controlflow

import (
	"fmt"
	"slices"

	"github.com/onnxrun/onnxrun/operators"
)

type ifOp struct {
	name      string
	then, els operators.Graph
	nOut      int
	metas     []operators.Meta // what both branches agree on
}

func newIf(n *operators.Node) (operators.Op, error) {
	then, err := graphAttr(n, "then_branch")
	if err != nil {
		return nil, err
	}
	els, err := graphAttr(n, "else_branch")
	if err != nil {
		return nil, err
	}
	o := &ifOp{name: n.Name, then: then, els: els, nOut: len(n.Outputs)}
	if then.NumOutputs() != els.NumOutputs() {
		return nil, &operators.AttributeError{Attr: "else_branch", Reason: fmt.Sprintf("has %d outputs but then_branch has %d", els.NumOutputs(), then.NumOutputs())}
	}
	if then.NumOutputs() != o.nOut {
		return nil, &operators.AttributeError{Attr: "then_branch", Reason: fmt.Sprintf("has %d outputs but the node has %d", then.NumOutputs(), o.nOut)}
	}
	if len(n.Inputs) != 1 {
		return nil, fmt.Errorf("%w: If takes 1 input (cond), got %d", operators.ErrInvalidModel, len(n.Inputs))
	}
	tm, em := metasOf(then), metasOf(els)
	o.metas = make([]operators.Meta, o.nOut)
	for i := range o.metas {
		if tm[i].DType != operators.Undefined && em[i].DType != operators.Undefined && tm[i].DType != em[i].DType {
			return nil, &operators.AttributeError{Attr: "else_branch", Reason: fmt.Sprintf("output %d is %v but then_branch's is %v", i, em[i].DType, tm[i].DType)}
		}
		o.metas[i] = join(tm[i], em[i])
	}
	return o, nil
}

func (o *ifOp) Infer(in []operators.Meta, consts []*operators.Value) ([]operators.Meta, error) {
	if len(in) != 1 {
		return nil, fmt.Errorf("%w: If takes 1 input (cond), got %d", operators.ErrInvalidModel, len(in))
	}
	if dt := in[0].DType; dt != operators.Undefined && dt != operators.Bool {
		return nil, fmt.Errorf("%w: If: cond (input 0) is %v, want bool", operators.ErrInvalidModel, dt)
	}
	if in[0].HasShape {
		if n := operators.NumElements(in[0].Shape); n >= 0 && n != 1 {
			return nil, fmt.Errorf("%w: If: cond (input 0) has shape %v, want one element", operators.ErrShape, in[0].Shape)
		}
	}
	out := make([]operators.Meta, len(o.metas))
	for i, m := range o.metas {
		out[i] = m
		out[i].Shape = slices.Clone(m.Shape)
	}
	return out, nil
}

// condOf reads a one-element bool tensor.
func condOf(v *operators.Value, what string) (bool, error) {
	if v.DType != operators.Bool {
		return false, fmt.Errorf("%w: %s is %v, want bool", operators.ErrInvalidModel, what, v.DType)
	}
	if v.Len() != 1 {
		return false, fmt.Errorf("%w: %s has shape %v, want one element", operators.ErrShape, what, v.Shape)
	}
	return v.Raw[0] != 0, nil
}

func (o *ifOp) Run(rc *operators.RunContext, in, out []*operators.Value) error {
	if len(in) != 1 || in[0] == nil {
		return fmt.Errorf("%w: If needs input cond", operators.ErrInvalidModel)
	}
	c, err := condOf(in[0], "If: cond (input 0)")
	if err != nil {
		return err
	}
	g, branch := o.els, "else_branch"
	if c {
		g, branch = o.then, "then_branch"
	}
	res, err := g.Run(rc, nil, nil)
	if err != nil {
		return fmt.Errorf("If %s: %w", branch, err)
	}
	if len(res) != len(out) {
		return fmt.Errorf("%w: If %s returned %d values for %d outputs", operators.ErrInvalidModel, branch, len(res), len(out))
	}
	copy(out, res)
	return nil
}
