package runtime

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"time"
	"unsafe"

	"github.com/onnxrun/onnxrun/operators"
)

// Plan is a compiled graph: the steps in execution order with their bound
// operators and resolved value slots, the constants, and for every step the
// values whose last use it is. A Plan never changes after Load, so any
// number of runs may share it; each run has its own State.
type Plan struct {
	name       string
	slots      []slotInfo
	slotOf     map[string]int
	consts     []*operators.Value // per slot: constant, or an input's default
	constSlots []int              // slots whose consts entry is set
	inputs     []int              // graph inputs the caller binds, in order
	outputs    []int
	outMetas   []operators.Meta // per output: declared, else inferred
	captures   []int            // slots read from enclosing graphs
	steps      []step
	folded     []string // names of nodes folded into constants at load
	maxIn      int
	maxOut     int
	threads    int
	maxElems   int64 // limits on one value allocated during a run
	maxBytes   int64

	states sync.Pool // of *State
}

type step struct {
	node    *operators.Node
	op      operators.Op
	desc    string
	in, out []int // -1 for an omitted value
	free    []int // slots to release after this step
}

// StepInfo describes one step of a Plan.
type StepInfo struct {
	Name    string // node name
	OpType  string
	Domain  string
	Opset   int // the model's opset for Domain
	Since   int // since-version of the implementation chosen
	Inputs  []string
	Outputs []string
	Free    []string // values released after this step
}

// Steps lists the plan's steps in execution order. Nodes folded into
// constants at load time do not appear.
func (p *Plan) Steps() []StepInfo {
	out := make([]StepInfo, len(p.steps))
	for i, s := range p.steps {
		out[i] = StepInfo{
			Name: s.node.Name, OpType: s.node.OpType, Domain: s.node.Domain,
			Opset: s.node.Opset, Since: s.node.Since,
			Inputs:  append([]string(nil), s.node.Inputs...),
			Outputs: append([]string(nil), s.node.Outputs...),
		}
		for _, f := range s.free {
			out[i].Free = append(out[i].Free, p.slots[f].name)
		}
	}
	return out
}

// Folded lists the nodes that were computed once at load time because all
// their inputs were constant.
func (p *Plan) Folded() []string { return append([]string(nil), p.folded...) }

// Constants lists the names of the constant values the plan keeps
// (initializers and folded outputs that a step or output still reads).
func (p *Plan) Constants() []string {
	var out []string
	for s, v := range p.consts {
		if v != nil && p.slots[s].kind == kindConst {
			out = append(out, p.slots[s].name)
		}
	}
	return out
}

// String prints the steps, one a line.
func (p *Plan) String() string {
	var b []byte
	for i, s := range p.steps {
		b = fmt.Appendf(b, "%3d %s %v -> %v", i, s.desc, s.node.Inputs, s.node.Outputs)
		if len(s.free) > 0 {
			b = append(b, " free"...)
			for _, f := range s.free {
				b = fmt.Appendf(b, " %s", p.slots[f].name)
			}
		}
		b = append(b, '\n')
	}
	return string(b)
}

// State is the working memory of one run of a Plan: the value of every
// slot and a pool of buffers that intermediate values borrow and return.
// A State is used by one goroutine at a time; Plans keep them in a
// sync.Pool so steady-state runs reuse their buffers.
type State struct {
	p      *Plan
	vals   []*operators.Value
	bufOf  []*pbuf // the pooled buffer a slot's value lives in, if any
	pool   bufPool
	viewOf []*operators.ViewHeader // the view header a slot's value is, if any
	views  operators.Views
	fresh  []*pbuf // buffers handed out during the current step
	ins    []*operators.Value
	outs   []*operators.Value
	rc     operators.RunContext
	parent *State          // the run of the enclosing graph, for captured names
	times  []time.Duration // per step, when profiling

	// Outputs bound to the caller's memory (RunInto): per slot, the
	// bound slots of this run, and the bound outputs of the step being
	// run that an allocation may still receive.
	bnd        []binding
	boundSlots []int
	pend       []int
	bound      bool
	inv        []operators.Value // per input slot: a view of the caller's tensor
}

func newState(p *Plan) *State {
	return &State{
		p:      p,
		vals:   make([]*operators.Value, len(p.slots)),
		bufOf:  make([]*pbuf, len(p.slots)),
		viewOf: make([]*operators.ViewHeader, len(p.slots)),
		ins:    make([]*operators.Value, p.maxIn),
		outs:   make([]*operators.Value, p.maxOut),
	}
}

func (p *Plan) getState() *State { return p.states.Get().(*State) }

// putState returns st to the pool once every slot is released.
func (p *Plan) putState(st *State) {
	for _, s := range p.inputs {
		if st.inv != nil {
			st.inv[s].Raw = nil
		}
	}
	st.parent = nil
	st.rc = operators.RunContext{}
	p.states.Put(st)
}

// Alloc implements operators.Allocator from the state's buffer pool. Like
// the State it belongs to one goroutine: an operator that splits its work
// with RunContext.Parallel allocates before it fans out. Buffers the step
// allocates but does not return as outputs go back to the pool when the
// step ends, so operators may use it for scratch space.
func (st *State) Alloc(dt operators.DType, shape []int, zero bool) (*operators.Value, error) {
	n := operators.NumElements(shape)
	if n < 0 {
		return nil, fmt.Errorf("%w: shape %v has a negative or overflowing size", operators.ErrShape, shape)
	}
	if len(st.pend) > 0 {
		if v := st.allocBound(dt, shape, zero); v != nil {
			return v, nil
		}
	}
	if dt == operators.String {
		if int64(n) > st.p.maxElems {
			return nil, fmt.Errorf("%w: a value of shape %v exceeds the limit of %d elements", operators.ErrShape, shape, st.p.maxElems)
		}
		return operators.NewValue(dt, shape)
	}
	sz := dt.Size()
	if sz == 0 {
		return nil, fmt.Errorf("%w: element type %v", operators.ErrUnsupportedType, dt)
	}
	if n > maxAlloc/sz || int64(n) > st.p.maxElems || int64(n)*int64(sz) > st.p.maxBytes {
		return nil, fmt.Errorf("%w: a value of shape %v and type %v exceeds the limits (%d elements, %d bytes)",
			operators.ErrShape, shape, dt, st.p.maxElems, st.p.maxBytes)
	}
	b := st.pool.get(n * sz)
	if zero {
		clear(b.v.Raw)
	}
	b.shape = append(b.shape[:0], shape...)
	b.v.DType = dt
	b.v.Shape = b.shape
	b.v.Strs = nil
	st.fresh = append(st.fresh, b)
	return b.v, nil
}

// release drops slot s's value and returns its buffer to the pool when no
// other slot shares it.
func (st *State) release(s int) {
	if b := st.bufOf[s]; b != nil {
		st.bufOf[s] = nil
		b.refs--
		if b.refs == 0 {
			st.pool.put(b)
		}
	}
	if h := st.viewOf[s]; h != nil {
		st.viewOf[s] = nil
		h.Refs--
		if h.Refs == 0 {
			st.views.Put(h)
		}
	}
	st.vals[s] = nil
}

// ownView records that slot s holds the view header v: one handed out
// during the current step, or an input's that the operator passed through.
func (st *State) ownView(s int, v *operators.Value, in []int) {
	for _, h := range st.views.Fresh {
		if &h.V == v {
			st.viewOf[s] = h
			h.Refs++
			return
		}
	}
	for _, j := range in {
		if j >= 0 {
			if h := st.viewOf[j]; h != nil && &h.V == v {
				st.viewOf[s] = h
				h.Refs++
				return
			}
		}
	}
}

// own records which pooled buffer (if any) holds output value v of the
// current step: one allocated during the step, or an input's buffer that
// the operator passed through or viewed.
func (st *State) own(s int, v *operators.Value, in []int) {
	for _, b := range st.fresh {
		if b.v == v || overlaps(b.raw, v.Raw) {
			st.bufOf[s] = b
			b.refs++
			return
		}
	}
	for _, j := range in {
		if j < 0 {
			continue
		}
		if b := st.bufOf[j]; b != nil && (st.vals[j] == v || overlaps(b.raw, v.Raw)) {
			st.bufOf[s] = b
			b.refs++
			return
		}
	}
}

// reset releases every slot and ends the run.
func (st *State) reset() {
	for s := range st.vals {
		st.release(s)
	}
	st.dropFresh()
	st.pool.endRun()
}

// bind fills the constant slots; inputs and captures are the caller's.
func (st *State) bind() {
	p := st.p
	for _, s := range p.constSlots {
		st.vals[s] = p.consts[s]
	}
}

// exec runs every step. On error the state still needs reset.
func (st *State) exec(ctx context.Context) error {
	p := st.p
	st.rc.Ctx = ctx
	st.rc.Alloc = st
	st.rc.Threads = p.threads
	st.rc.Views = &st.views
	done := ctx.Done()
	for k := range p.steps {
		if done != nil {
			select {
			case <-done:
				return ctx.Err()
			default:
			}
		}
		s := &p.steps[k]
		ins := st.ins[:len(s.in)]
		for j, slot := range s.in {
			if slot < 0 {
				ins[j] = nil
				continue
			}
			ins[j] = st.vals[slot]
			if ins[j] == nil {
				return fmt.Errorf("%s: input %q has no value", s.desc, s.node.Inputs[j])
			}
		}
		outs := st.outs[:len(s.out)]
		clear(outs)
		bound := false
		if st.bound {
			for _, slot := range s.out {
				if slot >= 0 && st.bnd[slot].on {
					bound = true
					if st.bnd[slot].alloc {
						st.pend = append(st.pend, slot)
					}
				}
			}
		}
		var t0 time.Time
		if st.times != nil {
			t0 = time.Now()
		}
		err := s.op.Run(&st.rc, ins, outs)
		st.pend = st.pend[:0]
		if err == nil && bound {
			err = st.settleBound(s, outs)
		}
		if st.times != nil {
			st.times[k] = time.Since(t0)
		}
		if err != nil {
			st.dropFresh()
			return fmt.Errorf("%s: %w", s.desc, err)
		}
		for j, slot := range s.out {
			if slot < 0 {
				continue
			}
			v := outs[j]
			if v == nil {
				st.dropFresh()
				return fmt.Errorf("%s: output %q was not set", s.desc, s.node.Outputs[j])
			}
			st.vals[slot] = v
			st.own(slot, v, s.in)
			st.ownView(slot, v, s.in)
			// An output whose buffer does not match its shape would
			// make the next kernel read out of bounds; stop here,
			// naming the node that produced it.
			if err := checkValue(v); err != nil {
				st.dropFresh()
				return fmt.Errorf("%s: output %q: %w", s.desc, s.node.Outputs[j], err)
			}
		}
		st.dropFresh()
		clear(ins)
		clear(outs)
		for _, f := range s.free {
			st.release(f)
		}
	}
	return nil
}

// dropFresh returns the buffers of the step that no output kept (scratch
// space) to the pool.
func (st *State) dropFresh() {
	for _, b := range st.fresh {
		if b.refs == 0 {
			st.pool.put(b)
		}
	}
	clear(st.fresh)
	st.fresh = st.fresh[:0]
	for _, h := range st.views.Fresh {
		if h.Refs == 0 {
			st.views.Put(h)
		}
	}
	clear(st.views.Fresh)
	st.views.Fresh = st.views.Fresh[:0]
}

// lookup finds a value by name in this run or the runs of enclosing graphs.
func (st *State) lookup(name string) (*operators.Value, bool) {
	for s := st; s != nil; s = s.parent {
		if i, ok := s.p.slotOf[name]; ok && s.vals[i] != nil {
			return s.vals[i], true
		}
	}
	return nil, false
}

// detach returns a copy of v the caller owns.
func detach(v *operators.Value) (*operators.Value, error) {
	if len(v.Shape) > len(boxed{}.dims) || v.DType == operators.String {
		out, err := operators.NewValue(v.DType, v.Shape)
		if err != nil {
			return nil, err
		}
		copy(out.Raw, v.Raw)
		copy(out.Strs, v.Strs)
		return out, nil
	}
	// The value and its shape share one allocation.
	b := &boxed{}
	b.v.DType = v.DType
	b.v.Shape = b.dims[:len(v.Shape):len(v.Shape)]
	copy(b.v.Shape, v.Shape)
	b.v.Raw = operators.MakeRaw(len(v.Raw))
	copy(b.v.Raw, v.Raw)
	return &b.v, nil
}

// boxed is a Value with room for its shape.
type boxed struct {
	v    operators.Value
	dims [6]int
}

// take removes the value of slot s from the run and returns it for the
// caller to keep: the pooled buffer itself when only this slot uses it
// (the pool forgets it), otherwise a copy.
func (st *State) take(s int) (*operators.Value, error) {
	v := st.vals[s]
	if b := st.bufOf[s]; b != nil && b.refs == 1 && b.v == v {
		st.bufOf[s] = nil
		st.vals[s] = nil
		return v, nil
	}
	return detach(v)
}

// handOut returns the value of slot s for the caller of a run to keep
// without a copy: when only this slot uses its pooled buffer, the caller
// gets that memory and the pool keeps the buffer's record with new memory
// of the same size (so a steady-state run allocates what detach would, but
// copies nothing). Any other value is copied.
func (st *State) handOut(s int) (*operators.Value, error) {
	v := st.vals[s]
	b := st.bufOf[s]
	if b == nil || b.refs != 1 || b.v != v || len(v.Shape) > len(boxed{}.dims) || v.DType == operators.String ||
		unsafe.SliceData(v.Raw) != unsafe.SliceData(b.raw) {
		return detach(v)
	}
	out := &boxed{}
	out.v.DType = v.DType
	out.v.Shape = out.dims[:len(v.Shape):len(v.Shape)]
	copy(out.v.Shape, v.Shape)
	out.v.Raw = v.Raw[:len(v.Raw):len(v.Raw)]
	b.raw = operators.MakeRaw(len(b.raw))
	b.v.Raw = b.raw[:0]
	st.release(s)
	return &out.v, nil
}

// handOutRaw is handOut for a caller that wraps the elements itself: it
// returns the memory of slot s's value when only that slot uses its pooled
// buffer (the pool keeps the record with new memory), and false when the
// value must be copied. The slot keeps its value until the run is reset.
func (st *State) handOutRaw(s int) ([]byte, bool) {
	v := st.vals[s]
	b := st.bufOf[s]
	if b == nil || b.refs != 1 || b.v != v || v.DType == operators.String ||
		unsafe.SliceData(v.Raw) != unsafe.SliceData(b.raw) {
		return nil, false
	}
	raw := v.Raw[:len(v.Raw):len(v.Raw)]
	b.raw = operators.MakeRaw(len(b.raw))
	b.v.Raw = b.raw[:0]
	return raw, true
}

// subgraph is a compiled graph attribute, run by If, Loop, Scan and the
// like through operators.Graph.
type subgraph struct {
	p *Plan
}

func (g *subgraph) NumOutputs() int { return len(g.p.outputs) }

// OutputMetas returns what loading learned of each output: the declared
// type and shape, completed by inference. Operators use it to type their
// own outputs at load and to shape results no iteration produced (a Loop
// that runs zero times). The slices are the caller's.
func (g *subgraph) OutputMetas() []operators.Meta {
	out := make([]operators.Meta, len(g.p.outMetas))
	for i, m := range g.p.outMetas {
		m.Shape = slices.Clone(m.Shape)
		out[i] = m
	}
	return out
}

// Run executes the subgraph with its own State. Names captured from
// enclosing graphs come from outer when it knows them, else from the run
// that called the operator (found through rc.Alloc). The outputs belong to
// the caller and are left to the garbage collector rather than to the
// caller's pool: a Loop feeds each iteration's outputs to the next and a
// pool would hold every iteration's buffers until the Loop step ends.
func (g *subgraph) Run(rc *operators.RunContext, inputs []*operators.Value, outer func(string) (*operators.Value, bool)) ([]*operators.Value, error) {
	p := g.p
	if len(inputs) != len(p.inputs) {
		return nil, fmt.Errorf("%w: subgraph %q takes %d inputs, got %d", operators.ErrInvalidModel, p.name, len(p.inputs), len(inputs))
	}
	var parent *State
	ctx := context.Background()
	if rc != nil {
		parent, _ = rc.Alloc.(*State)
		if rc.Ctx != nil {
			ctx = rc.Ctx
		}
	}
	st := p.getState()
	st.parent = parent
	st.bind()
	for i, s := range p.inputs {
		if inputs[i] == nil {
			if p.consts[s] == nil {
				st.reset()
				p.putState(st)
				return nil, fmt.Errorf("%w: subgraph %q: input %q is missing", operators.ErrInvalidModel, p.name, p.slots[s].name)
			}
			continue
		}
		st.vals[s] = inputs[i]
	}
	for _, s := range p.captures {
		name := p.slots[s].name
		var v *operators.Value
		ok := false
		if outer != nil {
			v, ok = outer(name)
		}
		if !ok && parent != nil {
			v, ok = parent.lookup(name)
		}
		if !ok || v == nil {
			st.reset()
			p.putState(st)
			return nil, fmt.Errorf("%w: subgraph %q: outer value %q is not available", operators.ErrInvalidModel, p.name, name)
		}
		st.vals[s] = v
	}
	err := st.exec(ctx)
	var outs []*operators.Value
	if err == nil {
		outs = make([]*operators.Value, len(p.outputs))
		for i, s := range p.outputs {
			if j := slices.Index(p.outputs[:i], s); j >= 0 {
				outs[i], err = detach(outs[j]) // the same value twice
			} else {
				outs[i], err = st.take(s)
			}
			if err != nil {
				break
			}
		}
	}
	st.reset()
	p.putState(st)
	if err != nil {
		if p.name != "" {
			err = fmt.Errorf("subgraph %q: %w", p.name, err)
		}
		return nil, err
	}
	return outs, nil
}
