package runtime

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"unsafe"

	"gorgonia.org/tensor"

	"github.com/onnxrun/onnxrun/operators"
)

// binding is a graph output the caller supplied the memory for. During the
// step that produces it, the allocator hands the operator a Value over the
// caller's buffer (when the type and shape match), so the result lands in
// place; otherwise the run copies it there at the end.
type binding struct {
	on     bool // bound in the current run
	alloc  bool // may be handed to the producing step's allocations
	direct bool // the slot's value is the caller's buffer itself
	dt     operators.DType
	shape  []int  // reused backing
	raw    []byte // the caller's elements
	strs   []string
	v      operators.Value // what Alloc hands out, rebuilt each time
}

// RunInto runs the model like Run but writes every output into the tensor
// the caller supplies in outputs, keyed by output name. Each tensor must be
// a contiguous row-major tensor of the output's element type and shape; an
// output whose shape is only known at run time is checked when it has been
// computed. Operators write straight into the caller's memory when they
// can, so a run with fixed shapes allocates nothing. The output tensors
// must not share memory with each other; one that shares memory with an
// input receives a copy at the end. A Session may run RunInto from many
// goroutines at once, each with its own output tensors.
func (s *Session) RunInto(ctx context.Context, inputs map[string]*tensor.Dense, outputs map[string]*tensor.Dense) error {
	if err := checkNames(s, inputs); err != nil {
		return err
	}
	if err := checkOutputNames(s, outputs); err != nil {
		return err
	}
	p := s.plan
	st := p.getState()
	st.bind()
	for _, slot := range p.inputs {
		d, ok := inputs[p.slots[slot].name]
		var v *operators.Value
		if ok {
			var err error
			if v, err = st.denseIn(slot, d); err != nil {
				st.reset()
				p.putState(st)
				return badInput(fmt.Errorf("input %q: %w", p.slots[slot].name, err))
			}
		}
		if err := s.bindInput(st, slot, v, ok); err != nil {
			st.reset()
			p.putState(st)
			return err
		}
	}
	for i, slot := range p.outputs {
		name := s.outputs[i].Name
		d, ok := outputs[name]
		if !ok || d == nil {
			st.unbind()
			st.reset()
			p.putState(st)
			return badInput(fmt.Errorf("missing output %q", name))
		}
		if err := st.bindDense(slot, d); err != nil {
			st.unbind()
			st.reset()
			p.putState(st)
			return badInput(fmt.Errorf("output %q: %w", name, err))
		}
	}
	return s.runBound(ctx, st)
}

// RunValuesInto runs the model like RunValues but writes every output into
// the value the caller supplies in outputs, under the rules of RunInto.
// String outputs are written into the value's Strs.
func (s *Session) RunValuesInto(ctx context.Context, inputs map[string]*operators.Value, outputs map[string]*operators.Value) error {
	if err := checkNames(s, inputs); err != nil {
		return err
	}
	if err := checkOutputNames(s, outputs); err != nil {
		return err
	}
	p := s.plan
	st := p.getState()
	st.bind()
	for _, slot := range p.inputs {
		v, ok := inputs[p.slots[slot].name]
		if err := s.bindInput(st, slot, v, ok); err != nil {
			st.reset()
			p.putState(st)
			return err
		}
	}
	for i, slot := range p.outputs {
		name := s.outputs[i].Name
		v, ok := outputs[name]
		if !ok || v == nil {
			st.unbind()
			st.reset()
			p.putState(st)
			return badInput(fmt.Errorf("missing output %q", name))
		}
		if err := checkValue(v); err != nil {
			st.unbind()
			st.reset()
			p.putState(st)
			return badInput(fmt.Errorf("output %q: %w", name, err))
		}
		st.bindRaw(slot, v.DType, v.Shape, v.Raw, v.Strs)
	}
	return s.runBound(ctx, st)
}

// runBound checks the bindings of st against the outputs' declared types
// and shapes and against each other, runs, and copies into the caller's
// memory what did not land there.
func (s *Session) runBound(ctx context.Context, st *State) error {
	p := s.plan
	fail := func(err error) error {
		st.unbind()
		st.reset()
		p.putState(st)
		return err
	}
	for i, slot := range p.outputs {
		b := &st.bnd[slot]
		name := s.outputs[i].Name
		m := p.outMetas[i]
		if m.DType != operators.Undefined && b.dt != m.DType {
			return fail(badInput(fmt.Errorf("output %q: element type is %v, want %v", name, b.dt, m.DType)))
		}
		if m.HasShape {
			if len(b.shape) != len(m.Shape) {
				return fail(badInput(fmt.Errorf("%w: output %q has shape %v, want %s", operators.ErrShape, name, b.shape, shapeString(m.Shape))))
			}
			for d, n := range m.Shape {
				if n >= 0 && b.shape[d] != n {
					return fail(badInput(fmt.Errorf("%w: output %q has shape %v, want %s", operators.ErrShape, name, b.shape, shapeString(m.Shape))))
				}
			}
		}
		for j, other := range p.outputs[:i] {
			if other != slot && overlapsAny(st.bnd[other].raw, b.raw) {
				return fail(badInput(fmt.Errorf("outputs %q and %q share memory", s.outputs[j].Name, name)))
			}
		}
		// Memory that is also an input must not be written while
		// steps still read the input: fill it at the end.
		// Operators get the memory only when it is aligned for its
		// element type, as the pool's is.
		b.alloc = b.dt != operators.String &&
			(len(b.raw) == 0 || uintptr(unsafe.Pointer(unsafe.SliceData(b.raw)))%uintptr(b.dt.Size()) == 0)
		for _, in := range p.inputs {
			if v := st.vals[in]; v != nil && overlapsAny(b.raw, v.Raw) {
				b.alloc = false
			}
		}
	}
	if ctx == nil {
		ctx = context.Background()
	}
	if err := ctx.Err(); err != nil {
		return fail(err)
	}
	if err := s.checkSymbols(st); err != nil {
		return fail(badInput(err))
	}
	st.bound = true
	err := st.exec(ctx)
	if err == nil {
		for i, slot := range p.outputs {
			b := &st.bnd[slot]
			if b.direct {
				continue
			}
			v := st.vals[slot]
			name := s.outputs[i].Name
			if v.DType != b.dt {
				err = fmt.Errorf("output %q: element type is %v, but the tensor given for it is %v", name, v.DType, b.dt)
				break
			}
			if !slices.Equal(v.Shape, b.shape) {
				err = fmt.Errorf("%w: output %q has shape %v, but the tensor given for it has shape %v", operators.ErrShape, name, v.Shape, b.shape)
				break
			}
			if v.DType == operators.String {
				copy(b.strs, v.Strs)
			} else {
				copy(b.raw, v.Raw)
			}
		}
	}
	st.unbind()
	st.reset()
	p.putState(st)
	return err
}

func (s *Session) outputNames() string {
	names := make([]string, len(s.outputs))
	for i, o := range s.outputs {
		names[i] = fmt.Sprintf("%q", o.Name)
	}
	return strings.Join(names, ", ")
}

// bindDense binds slot to the caller's tensor d.
func (st *State) bindDense(slot int, d *tensor.Dense) error {
	if d.IsMaterializable() || !d.DataOrder().IsRowMajor() || !d.DataOrder().IsContiguous() {
		return fmt.Errorf("%w: an output tensor must be contiguous and row-major, not a view", operators.ErrShape)
	}
	dt, err := denseDType(d)
	if err != nil {
		return err
	}
	shape := []int(d.Shape())
	if d.IsScalar() {
		shape = nil
	}
	if dt == operators.String {
		ss, ok := d.Data().([]string)
		if !ok {
			return fmt.Errorf("a scalar string output is not supported; use a tensor of shape [1] or RunValuesInto")
		}
		st.bindRaw(slot, dt, shape, nil, ss)
		return nil
	}
	n := operators.NumElements(shape) * dt.Size()
	if n > len(d.Raw) {
		return fmt.Errorf("%w: the tensor holds %d bytes, its shape %v needs %d", operators.ErrShape, len(d.Raw), shape, n)
	}
	st.bindRaw(slot, dt, shape, d.Raw[:n], nil)
	return nil
}

func (st *State) bindRaw(slot int, dt operators.DType, shape []int, raw []byte, strs []string) {
	if st.bnd == nil {
		st.bnd = make([]binding, len(st.p.slots))
	}
	b := &st.bnd[slot]
	b.on, b.direct, b.alloc = true, false, false
	b.dt = dt
	b.shape = append(b.shape[:0], shape...)
	b.raw, b.strs = raw, strs
	st.boundSlots = append(st.boundSlots, slot)
}

// unbind forgets the caller's memory.
func (st *State) unbind() {
	for _, s := range st.boundSlots {
		b := &st.bnd[s]
		b.on, b.alloc, b.direct = false, false, false
		b.raw, b.strs = nil, nil
		b.v = operators.Value{}
	}
	st.boundSlots = st.boundSlots[:0]
	st.pend = st.pend[:0]
	st.bound = false
}

// allocBound hands the current step a bound output whose type and shape
// match the request, or returns nil.
func (st *State) allocBound(dt operators.DType, shape []int, zero bool) *operators.Value {
	for i, s := range st.pend {
		b := &st.bnd[s]
		if b.dt != dt || !slices.Equal(b.shape, shape) {
			continue
		}
		st.pend = slices.Delete(st.pend, i, i+1)
		if zero {
			clear(b.raw)
		}
		b.v = operators.Value{DType: dt, Shape: b.shape, Raw: b.raw}
		return &b.v
	}
	return nil
}

// settleBound runs after a step that produced bound outputs. An output
// that is exactly its slot's caller buffer stays there; an output that
// lives in the caller buffer of another output of this step (the operator
// used it for something else) is copied away, since that buffer will be
// overwritten at the end.
func (st *State) settleBound(sp *step, outs []*operators.Value) error {
	for j, slot := range sp.out {
		v := outs[j]
		if slot < 0 || v == nil || v.DType == operators.String {
			continue
		}
		for _, k := range sp.out {
			if k < 0 || !st.bnd[k].on || !overlapsAny(st.bnd[k].raw, v.Raw) {
				continue
			}
			b := &st.bnd[k]
			if k == slot && v.DType == b.dt && len(v.Raw) == len(b.raw) &&
				unsafe.SliceData(v.Raw) == unsafe.SliceData(b.raw) && slices.Equal(v.Shape, b.shape) {
				b.direct = true
				continue
			}
			c, err := detach(v)
			if err != nil {
				return err
			}
			outs[j] = c
			break
		}
	}
	return nil
}

// overlapsAny reports whether two byte ranges share memory.
func overlapsAny(a, b []byte) bool {
	if len(a) == 0 || len(b) == 0 {
		return false
	}
	a0 := uintptr(unsafe.Pointer(unsafe.SliceData(a)))
	b0 := uintptr(unsafe.Pointer(unsafe.SliceData(b)))
	return a0 < b0+uintptr(len(b)) && b0 < a0+uintptr(len(a))
}

// checkOutputNames rejects an output name the model does not have.
func checkOutputNames[T any](s *Session, outputs map[string]T) error {
	for name := range outputs {
		if !slices.ContainsFunc(s.outputs, func(o ValueInfo) bool { return o.Name == name }) {
			return badInput(fmt.Errorf("unknown output %q (the model's outputs are %s)", name, s.outputNames()))
		}
	}
	return nil
}

// checkNames rejects an input name the model does not have.
func checkNames[T any](s *Session, inputs map[string]T) error {
	p := s.plan
	for name := range inputs {
		slot, ok := p.slotOf[name]
		if !ok || p.slots[slot].kind != kindInput {
			return badInput(fmt.Errorf("unknown input %q (the model's inputs are %s)", name, s.inputNames()))
		}
	}
	return nil
}

// bindInput checks input v (ok false when the caller gave none) and puts it
// in its slot.
func (s *Session) bindInput(st *State, slot int, v *operators.Value, ok bool) error {
	p := s.plan
	name := p.slots[slot].name
	if !ok {
		if p.consts[slot] != nil {
			return nil // an initializer's default
		}
		return badInput(fmt.Errorf("missing input %q", name))
	}
	v, err := checkInput(name, v, p.slots[slot].meta)
	if err != nil {
		return badInput(err)
	}
	st.vals[slot] = v
	return nil
}

// denseIn views the caller's tensor as a Value kept in st (no allocation
// for a contiguous numeric tensor).
func (st *State) denseIn(slot int, d *tensor.Dense) (*operators.Value, error) {
	if d == nil || d.IsMaterializable() || !d.DataOrder().IsRowMajor() || !d.DataOrder().IsContiguous() {
		return denseToValue(d)
	}
	dt, err := denseDType(d)
	if err != nil || dt == operators.String {
		return denseToValue(d)
	}
	if st.inv == nil {
		st.inv = make([]operators.Value, len(st.p.slots))
	}
	v := &st.inv[slot]
	shape := []int(d.Shape())
	if d.IsScalar() {
		shape = nil
	}
	v.DType = dt
	v.Shape = append(v.Shape[:0], shape...)
	v.Raw = d.Raw[:d.Len()*dt.Size()]
	v.Strs = nil
	return v, nil
}

func denseDType(d *tensor.Dense) (operators.DType, error) {
	dt, ok := denseDTypes[d.Dtype()]
	if ok {
		return dt, nil
	}
	switch {
	case d.Dtype() == tensor.Int && d.Dtype().Size() == 8:
		return operators.Int64, nil
	case d.Dtype() == tensor.Uint && d.Dtype().Size() == 8:
		return operators.Uint64, nil
	}
	return 0, fmt.Errorf("%w: gorgonia element type %v", operators.ErrUnsupportedType, d.Dtype())
}
