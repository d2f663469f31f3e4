package controlflow

import (
	"fmt"

	"github.com/onnxrun/onnxrun/operators"
)

// loopOp runs body while the trip count and the condition allow. Inputs:
// M (optional int64 scalar), cond (optional bool), then N loop-carried
// initial values. The body takes (iteration, cond, N values) and returns
// (cond, N values, K scan outputs); the node outputs the N final values
// and the K scan outputs stacked along a new leading axis.
type loopOp struct {
	body    operators.Graph
	nCarry  int
	nScan   int
	nodeOut int
	metas   []operators.Meta // the body's outputs, from load
}

func newLoop(n *operators.Node) (operators.Op, error) {
	body, err := graphAttr(n, "body")
	if err != nil {
		return nil, err
	}
	if len(n.Inputs) < 2 {
		return nil, fmt.Errorf("%w: Loop takes at least 2 inputs (M, cond), got %d", operators.ErrInvalidModel, len(n.Inputs))
	}
	o := &loopOp{body: body, nCarry: len(n.Inputs) - 2, nodeOut: len(n.Outputs)}
	o.nScan = body.NumOutputs() - 1 - o.nCarry
	if o.nScan < 0 {
		return nil, &operators.AttributeError{Attr: "body", Reason: fmt.Sprintf("has %d outputs, want at least 1 + %d loop-carried", body.NumOutputs(), o.nCarry)}
	}
	if o.nodeOut > o.nCarry+o.nScan {
		return nil, fmt.Errorf("%w: Loop has %d outputs but its body yields only %d loop-carried and %d scan values", operators.ErrInvalidModel, o.nodeOut, o.nCarry, o.nScan)
	}
	o.metas = metasOf(body)
	return o, nil
}

func (o *loopOp) Infer(in []operators.Meta, consts []*operators.Value) ([]operators.Meta, error) {
	if len(in) != o.nCarry+2 {
		return nil, fmt.Errorf("%w: Loop takes %d inputs, got %d", operators.ErrInvalidModel, o.nCarry+2, len(in))
	}
	if dt := in[0].DType; dt != operators.Undefined && dt != operators.Int64 {
		return nil, fmt.Errorf("%w: Loop: M (input 0) is %v, want int64", operators.ErrInvalidModel, dt)
	}
	if dt := in[1].DType; dt != operators.Undefined && dt != operators.Bool {
		return nil, fmt.Errorf("%w: Loop: cond (input 1) is %v, want bool", operators.ErrInvalidModel, dt)
	}
	out := make([]operators.Meta, o.nodeOut)
	for i := range out {
		if i < o.nCarry {
			// The initial value when no iteration runs, else the body's.
			out[i] = join(in[2+i], o.metas[1+i])
		} else {
			out[i] = stacked(o.metas[1+i])
		}
	}
	return out, nil
}

func (o *loopOp) Run(rc *operators.RunContext, in, out []*operators.Value) error {
	if len(in) != o.nCarry+2 {
		return fmt.Errorf("%w: Loop takes %d inputs, got %d", operators.ErrInvalidModel, o.nCarry+2, len(in))
	}
	// Without M the trip count is unbounded; a negative M runs nothing.
	maxTrip, hasM := int64(0), in[0] != nil
	if hasM {
		if in[0].DType != operators.Int64 || in[0].Len() != 1 {
			return fmt.Errorf("%w: Loop: M (input 0) is %v, want one int64", operators.ErrInvalidModel, in[0])
		}
		maxTrip = in[0].I64()[0]
	}
	cond, useCond := true, in[1] != nil
	if useCond {
		var err error
		if cond, err = condOf(in[1], "Loop: cond (input 1)"); err != nil {
			return err
		}
	}
	carried := make([]*operators.Value, o.nCarry)
	for i := range carried {
		if in[2+i] == nil {
			return fmt.Errorf("%w: Loop: loop-carried input %d (input %d) is missing", operators.ErrInvalidModel, i, 2+i)
		}
		carried[i] = in[2+i]
	}
	scans := make([]stacker, o.nScan)
	for k := range scans {
		scans[k].name = fmt.Sprintf("Loop: scan output %d", k)
		scans[k].decl = o.metas[1+o.nCarry+k]
	}
	args := make([]*operators.Value, 2+o.nCarry)
	for it := int64(0); (!hasM || it < maxTrip) && cond; it++ {
		if rc != nil && rc.Ctx != nil {
			if err := rc.Ctx.Err(); err != nil {
				return err
			}
		}
		iv, err := operators.FromSlice([]int64{it}, []int{})
		if err != nil {
			return err
		}
		cv, err := operators.FromSlice([]bool{cond}, []int{})
		if err != nil {
			return err
		}
		args[0], args[1] = iv, cv
		copy(args[2:], carried)
		res, err := o.body.Run(rc, args, nil)
		if err != nil {
			return fmt.Errorf("Loop body, iteration %d: %w", it, err)
		}
		if len(res) != 1+o.nCarry+o.nScan {
			return fmt.Errorf("%w: Loop body returned %d values, want %d", operators.ErrInvalidModel, len(res), 1+o.nCarry+o.nScan)
		}
		if useCond {
			if cond, err = condOf(res[0], "Loop body: cond output"); err != nil {
				return err
			}
		}
		copy(carried, res[1:1+o.nCarry])
		for k := range scans {
			if err := scans[k].add(res[1+o.nCarry+k]); err != nil {
				return err
			}
		}
	}
	for i := 0; i < o.nodeOut; i++ {
		var err error
		if i < o.nCarry {
			v := carried[i]
			if v == in[2+i] {
				v, err = clone(rc, v) // no iteration ran
			}
			out[i] = v
		} else {
			out[i], err = scans[i-o.nCarry].stack(rc, 0, false)
		}
		if err != nil {
			return err
		}
	}
	return nil
}
