package controlflow

import (
	"fmt"

	"github.com/onnxrun/onnxrun/operators"
)

// scanOp runs body once per slice of its scan inputs, threading N state
// values through the iterations. Scan-8 adds a leading batch axis to every
// input and output and an optional sequence_lens input first; Scan-9 and
// later choose an axis and a direction per scan input and output.
type scanOp struct {
	since   int
	body    operators.Graph
	nState  int
	nScanIn int
	nScan   int
	nodeOut int
	inAxes  []int64
	inRev   []bool
	outAxes []int64
	outRev  []bool
	metas   []operators.Meta // the body's outputs, from load
}

func directions(n *operators.Node, name string, want int) ([]bool, error) {
	v, ok, err := n.Ints(name)
	if err != nil {
		return nil, err
	}
	rev := make([]bool, want)
	if !ok {
		return rev, nil
	}
	if len(v) != want {
		return nil, &operators.AttributeError{Attr: name, Reason: fmt.Sprintf("has %d entries, want %d", len(v), want)}
	}
	for i, d := range v {
		if d != 0 && d != 1 {
			return nil, &operators.AttributeError{Attr: name, Reason: fmt.Sprintf("entry %d is %d, want 0 or 1", i, d)}
		}
		rev[i] = d == 1
	}
	return rev, nil
}

func axes(n *operators.Node, name string, want int) ([]int64, error) {
	v, ok, err := n.Ints(name)
	if err != nil {
		return nil, err
	}
	if !ok {
		return make([]int64, want), nil
	}
	if len(v) != want {
		return nil, &operators.AttributeError{Attr: name, Reason: fmt.Sprintf("has %d entries, want %d", len(v), want)}
	}
	return v, nil
}

func newScan(since int) operators.Factory {
	return func(n *operators.Node) (operators.Op, error) {
		body, err := graphAttr(n, "body")
		if err != nil {
			return nil, err
		}
		if !n.Has("num_scan_inputs") {
			return nil, &operators.AttributeError{Attr: "num_scan_inputs", Reason: "is required"}
		}
		m, err := n.Int("num_scan_inputs", 0)
		if err != nil {
			return nil, err
		}
		nData := len(n.Inputs)
		if since < 9 {
			nData-- // sequence_lens
		}
		if m < 1 || m > int64(nData) {
			return nil, &operators.AttributeError{Attr: "num_scan_inputs", Reason: fmt.Sprintf("is %d, want 1 to %d (the node's data inputs)", m, nData)}
		}
		o := &scanOp{since: since, body: body, nScanIn: int(m), nState: nData - int(m), nodeOut: len(n.Outputs)}
		o.nScan = body.NumOutputs() - o.nState
		if o.nScan < 0 {
			return nil, &operators.AttributeError{Attr: "body", Reason: fmt.Sprintf("has %d outputs, want at least the %d states", body.NumOutputs(), o.nState)}
		}
		o.metas = metasOf(body)
		if o.nodeOut > body.NumOutputs() {
			return nil, fmt.Errorf("%w: Scan has %d outputs but its body yields %d", operators.ErrInvalidModel, o.nodeOut, body.NumOutputs())
		}
		if since < 9 {
			if o.inRev, err = directions(n, "directions", o.nScanIn); err != nil {
				return nil, err
			}
			o.inAxes = make([]int64, o.nScanIn)
			o.outAxes = make([]int64, o.nScan)
			o.outRev = make([]bool, o.nScan)
			return o, nil
		}
		if o.inRev, err = directions(n, "scan_input_directions", o.nScanIn); err != nil {
			return nil, err
		}
		if o.outRev, err = directions(n, "scan_output_directions", o.nScan); err != nil {
			return nil, err
		}
		if o.inAxes, err = axes(n, "scan_input_axes", o.nScanIn); err != nil {
			return nil, err
		}
		if o.outAxes, err = axes(n, "scan_output_axes", o.nScan); err != nil {
			return nil, err
		}
		if since < 11 {
			for name, list := range map[string][]int64{"scan_input_axes": o.inAxes, "scan_output_axes": o.outAxes} {
				for i, a := range list {
					if a < 0 {
						return nil, &operators.AttributeError{Attr: name, Reason: fmt.Sprintf("entry %d is negative (%d); negative axes need opset 11", i, a)}
					}
				}
			}
		}
		return o, nil
	}
}

func (o *scanOp) nIn() int {
	if o.since < 9 {
		return 1 + o.nState + o.nScanIn
	}
	return o.nState + o.nScanIn
}

func (o *scanOp) Infer(in []operators.Meta, consts []*operators.Value) ([]operators.Meta, error) {
	if len(in) != o.nIn() {
		return nil, fmt.Errorf("%w: Scan takes %d inputs, got %d", operators.ErrInvalidModel, o.nIn(), len(in))
	}
	// Types only: the shapes depend on the axes and, for Scan-8, the batch.
	out := make([]operators.Meta, o.nodeOut)
	for i := range out {
		out[i] = operators.Meta{DType: o.metas[i].DType}
	}
	return out, nil
}

// iterate runs the body over steps slices of the scan inputs (taken along
// axes) from the given states; it returns the final states and the scan
// output parts.
func (o *scanOp) iterate(rc *operators.RunContext, states, scanIns []*operators.Value, axes []int, steps int) ([]*operators.Value, []stacker, error) {
	scans := make([]stacker, o.nScan)
	for k := range scans {
		scans[k].name = fmt.Sprintf("Scan: scan output %d", k)
		scans[k].decl = o.metas[o.nState+k]
	}
	args := make([]*operators.Value, o.nState+o.nScanIn)
	cur := append([]*operators.Value(nil), states...)
	for t := 0; t < steps; t++ {
		if rc != nil && rc.Ctx != nil {
			if err := rc.Ctx.Err(); err != nil {
				return nil, nil, err
			}
		}
		copy(args, cur)
		for j, x := range scanIns {
			idx := t
			if o.inRev[j] {
				idx = steps - 1 - t
			}
			s, err := sliceAxis(x, axes[j], idx)
			if err != nil {
				return nil, nil, err
			}
			args[o.nState+j] = s
		}
		res, err := o.body.Run(rc, args, nil)
		if err != nil {
			return nil, nil, fmt.Errorf("Scan body, iteration %d: %w", t, err)
		}
		if len(res) != o.nState+o.nScan {
			return nil, nil, fmt.Errorf("%w: Scan body returned %d values, want %d", operators.ErrInvalidModel, len(res), o.nState+o.nScan)
		}
		copy(cur, res[:o.nState])
		for k := range scans {
			if err := scans[k].add(res[o.nState+k]); err != nil {
				return nil, nil, err
			}
		}
	}
	return cur, scans, nil
}

// scanAxes checks the scan inputs and returns their axes and common
// length.
func (o *scanOp) scanAxes(scanIns []*operators.Value, first int) ([]int, int, error) {
	ax := make([]int, len(scanIns))
	steps := -1
	for j, x := range scanIns {
		if x == nil {
			return nil, 0, fmt.Errorf("%w: Scan: scan input %d (input %d) is missing", operators.ErrInvalidModel, j, first+j)
		}
		a, err := operators.NormAxis("scan_input_axes", o.inAxes[j], len(x.Shape))
		if err != nil {
			return nil, 0, fmt.Errorf("Scan: scan input %d (input %d): %w", j, first+j, err)
		}
		ax[j] = a
		if steps >= 0 && x.Shape[a] != steps {
			return nil, 0, fmt.Errorf("%w: Scan: scan input %d (input %d) has %d steps along axis %d, scan input 0 has %d", operators.ErrShape, j, first+j, x.Shape[a], a, steps)
		}
		steps = x.Shape[a]
	}
	return ax, steps, nil
}

func (o *scanOp) Run(rc *operators.RunContext, in, out []*operators.Value) error {
	if len(in) != o.nIn() {
		return fmt.Errorf("%w: Scan takes %d inputs, got %d", operators.ErrInvalidModel, o.nIn(), len(in))
	}
	if o.since < 9 {
		return o.run8(rc, in, out)
	}
	for i, v := range in[:o.nState] {
		if v == nil {
			return fmt.Errorf("%w: Scan: state input %d is missing", operators.ErrInvalidModel, i)
		}
	}
	scanIns := in[o.nState:]
	ax, steps, err := o.scanAxes(scanIns, o.nState)
	if err != nil {
		return err
	}
	final, scans, err := o.iterate(rc, in[:o.nState], scanIns, ax, steps)
	if err != nil {
		return err
	}
	for i := 0; i < o.nodeOut; i++ {
		if i < o.nState {
			v := final[i]
			if v == in[i] {
				if v, err = clone(rc, v); err != nil {
					return err
				}
			}
			out[i] = v
			continue
		}
		k := i - o.nState
		if scans[k].first == nil {
			// No step ran: the body's declared output gives the type
			// and the slice shape, when it does.
			d := scans[k].decl
			a := int(o.outAxes[k])
			if a < 0 && d.HasShape {
				a += len(d.Shape) + 1
			}
			if out[i], err = emptyScan(rc, d, a); err != nil {
				return err
			}
			continue
		}
		a, err := operators.NormAxis("scan_output_axes", o.outAxes[k], len(scans[k].first.Shape)+1)
		if err != nil {
			return fmt.Errorf("Scan: scan output %d: %w", k, err)
		}
		if out[i], err = scans[k].stack(rc, a, o.outRev[k]); err != nil {
			return err
		}
	}
	return nil
}

// run8 is Scan-8: every input and output has a leading batch axis, the
// scan inputs' sequence axis is 1, and sequence_lens (input 0, int64,
// optional) limits the steps of each batch entry. Scan outputs past a
// batch entry's length are zero.
func (o *scanOp) run8(rc *operators.RunContext, in, out []*operators.Value) error {
	data := in[1:]
	batch := -1
	for i, v := range data {
		if v == nil {
			return fmt.Errorf("%w: Scan: input %d is missing", operators.ErrInvalidModel, i+1)
		}
		if len(v.Shape) == 0 || (i >= o.nState && len(v.Shape) < 2) {
			return fmt.Errorf("%w: Scan: input %d has shape %v, want a batch axis (and a sequence axis for scan inputs)", operators.ErrShape, i+1, v.Shape)
		}
		if batch >= 0 && v.Shape[0] != batch {
			return fmt.Errorf("%w: Scan: input %d has batch %d, input 1 has %d", operators.ErrShape, i+1, v.Shape[0], batch)
		}
		batch = v.Shape[0]
	}
	maxSteps := data[o.nState].Shape[1]
	for j, x := range data[o.nState:] {
		if x.Shape[1] != maxSteps {
			return fmt.Errorf("%w: Scan: scan input %d has %d steps, scan input 0 has %d", operators.ErrShape, j, x.Shape[1], maxSteps)
		}
	}
	lens := make([]int, batch)
	for b := range lens {
		lens[b] = maxSteps
	}
	if sl := in[0]; sl != nil {
		if sl.DType != operators.Int64 || len(sl.Shape) != 1 || sl.Shape[0] != batch {
			return fmt.Errorf("%w: Scan: sequence_lens (input 0) is %v, want int64[%d]", operators.ErrInvalidModel, sl, batch)
		}
		for b, l := range sl.I64() {
			if l < 0 || int(l) > maxSteps {
				return fmt.Errorf("%w: Scan: sequence_lens[%d] = %d is outside [0, %d]", operators.ErrInvalidModel, b, l, maxSteps)
			}
			lens[b] = int(l)
		}
	}
	axes := make([]int, o.nScanIn)
	outs := make([]*operators.Value, o.nodeOut)
	for b := 0; b < batch; b++ {
		states := make([]*operators.Value, o.nState)
		scanIns := make([]*operators.Value, o.nScanIn)
		for i, v := range data {
			s, err := sliceAxis(v, 0, b)
			if err != nil {
				return err
			}
			if i < o.nState {
				states[i] = s
			} else {
				scanIns[i-o.nState] = s
			}
		}
		final, scans, err := o.iterate(rc, states, scanIns, axes, lens[b])
		if err != nil {
			return fmt.Errorf("batch entry %d: %w", b, err)
		}
		for i := 0; i < o.nodeOut; i++ {
			var part *operators.Value
			if i < o.nState {
				part = final[i]
			} else {
				k := i - o.nState
				if part, err = scans[k].stack(rc, 0, false); err != nil {
					return err
				}
				if scans[k].first == nil {
					continue // stays zero
				}
			}
			if outs[i] == nil {
				shape := append([]int{batch}, part.Shape...)
				if i >= o.nState {
					shape[1] = maxSteps
				}
				if outs[i], err = rc.AllocValue(part.DType, shape, true); err != nil {
					return err
				}
			}
			if err := placeBatch(outs[i], part, b, i >= o.nState); err != nil {
				return fmt.Errorf("Scan: output %d, batch entry %d: %w", i, b, err)
			}
		}
	}
	for i := range outs {
		if outs[i] == nil {
			// Empty batch, or no entry ran a step.
			var err error
			if outs[i], err = rc.AllocValue(operators.Float32, []int{batch, 0}, true); err != nil {
				return err
			}
		}
		out[i] = outs[i]
	}
	return nil
}

// placeBatch copies part into entry b of dst's batch axis; a scan output's
// part may hold fewer steps than dst, and fills the first ones.
func placeBatch(dst, part *operators.Value, b int, scan bool) error {
	want := dst.Shape[1:]
	if part.DType != dst.DType || len(part.Shape) != len(want) {
		return fmt.Errorf("%w: %v does not fit %v", operators.ErrShape, part, dst)
	}
	for d := range want {
		if part.Shape[d] != want[d] && !(scan && d == 0 && part.Shape[d] <= want[d]) {
			return fmt.Errorf("%w: %v does not fit %v", operators.ErrShape, part, dst)
		}
	}
	per := operators.NumElements(want)
	if dst.DType == operators.String {
		copy(dst.Strs[b*per:], part.Strs)
		return nil
	}
	es := dst.DType.Size()
	copy(dst.Raw[b*per*es:], part.Raw)
	return nil
}
