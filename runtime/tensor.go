package runtime

import (
	"context"
	"fmt"
	"unsafe"

	"gorgonia.org/tensor"

	"github.com/onnxrun/onnxrun/operators"
)

// Run runs the model on gorgonia tensors. Inputs are read in place, without
// a copy (a view or a column-major tensor is materialised first); each
// output is a new tensor backed by a slice the caller owns. float16,
// bfloat16 and other types gorgonia has no element type for need
// RunValues.
func (s *Session) Run(ctx context.Context, inputs map[string]*tensor.Dense) (map[string]*tensor.Dense, error) {
	if ctx == nil {
		ctx = context.Background()
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if err := checkNames(s, inputs); err != nil {
		return nil, err
	}
	// The inputs are viewed in the run's State and the outputs taken from
	// it directly, without the intermediate maps of RunValues.
	p := s.plan
	st := p.getState()
	st.bind()
	fail := func(err error) (map[string]*tensor.Dense, error) {
		st.reset()
		p.putState(st)
		return nil, err
	}
	for _, slot := range p.inputs {
		d, ok := inputs[p.slots[slot].name]
		var v *operators.Value
		if ok {
			var err error
			if v, err = st.denseIn(slot, d); err != nil {
				return fail(badInput(fmt.Errorf("input %q: %w", p.slots[slot].name, err)))
			}
		}
		if err := s.bindInput(st, slot, v, ok); err != nil {
			return fail(err)
		}
	}
	if err := s.checkSymbols(st); err != nil {
		return fail(badInput(err))
	}
	if err := st.exec(ctx); err != nil {
		return fail(err)
	}
	res := make(map[string]*tensor.Dense, len(p.outputs))
	for i, slot := range p.outputs {
		name := s.outputs[i].Name
		if _, dup := res[name]; dup {
			continue
		}
		v := st.vals[slot]
		var d *tensor.Dense
		var err error
		if raw, ok := st.handOutRaw(slot); ok {
			d, err = ValueToDense(&operators.Value{DType: v.DType, Shape: v.Shape, Raw: raw})
		} else if v, err = detach(v); err == nil {
			d, err = ValueToDense(v)
		}
		if err != nil {
			return fail(fmt.Errorf("output %q: %w", name, err))
		}
		res[name] = d
	}
	st.reset()
	p.putState(st)
	return res, nil
}

var denseDTypes = map[tensor.Dtype]operators.DType{
	tensor.Float32: operators.Float32, tensor.Float64: operators.Float64,
	tensor.Int8: operators.Int8, tensor.Uint8: operators.Uint8,
	tensor.Int16: operators.Int16, tensor.Uint16: operators.Uint16,
	tensor.Int32: operators.Int32, tensor.Uint32: operators.Uint32,
	tensor.Int64: operators.Int64, tensor.Uint64: operators.Uint64,
	tensor.Bool: operators.Bool, tensor.String: operators.String,
	tensor.Complex64: operators.Complex64, tensor.Complex128: operators.Complex128,
}

// DenseToValue views a gorgonia tensor as a Value without copying its
// elements (strings excepted). Go's int and uint are 64-bit integers here.
func DenseToValue(d *tensor.Dense) (*operators.Value, error) { return denseToValue(d) }

func denseToValue(d *tensor.Dense) (*operators.Value, error) {
	if d == nil {
		return nil, fmt.Errorf("tensor is nil")
	}
	if d.IsMaterializable() || !d.DataOrder().IsRowMajor() || !d.DataOrder().IsContiguous() {
		m, ok := d.Materialize().(*tensor.Dense)
		if !ok || !m.DataOrder().IsRowMajor() {
			return nil, fmt.Errorf("%w: only row-major tensors are supported", operators.ErrShape)
		}
		d = m
	}
	dt, ok := denseDTypes[d.Dtype()]
	if !ok {
		switch {
		case d.Dtype() == tensor.Int && d.Dtype().Size() == 8:
			dt = operators.Int64
		case d.Dtype() == tensor.Uint && d.Dtype().Size() == 8:
			dt = operators.Uint64
		default:
			return nil, fmt.Errorf("%w: gorgonia element type %v", operators.ErrUnsupportedType, d.Dtype())
		}
	}
	shape := []int(d.Shape())
	if d.IsScalar() {
		shape = []int{}
	}
	v := &operators.Value{DType: dt, Shape: append([]int{}, shape...)}
	if dt == operators.String {
		if d.IsScalar() {
			s, _ := d.Data().(string)
			v.Strs = []string{s}
		} else {
			ss, _ := d.Data().([]string)
			v.Strs = append([]string(nil), ss...)
		}
		return v, nil
	}
	v.Raw = d.Raw[:d.Len()*dt.Size()]
	return v, nil
}

// ValueToDense wraps a value in a gorgonia tensor that shares its elements
// (strings excepted).
func ValueToDense(v *operators.Value) (*tensor.Dense, error) {
	var backing any
	switch v.DType {
	case operators.Float32:
		backing = v.F32()
	case operators.Float64:
		backing = v.F64()
	case operators.Int8:
		backing = v.I8()
	case operators.Uint8:
		backing = v.U8()
	case operators.Int16:
		backing = v.I16()
	case operators.Uint16:
		backing = v.U16()
	case operators.Int32:
		backing = v.I32()
	case operators.Uint32:
		backing = v.U32()
	case operators.Int64:
		backing = v.I64()
	case operators.Uint64:
		backing = v.U64()
	case operators.Bool:
		backing = v.Bools()
	case operators.Complex64:
		backing = unsafe.Slice((*complex64)(unsafe.Pointer(unsafe.SliceData(v.Raw))), len(v.Raw)/8)
	case operators.Complex128:
		backing = unsafe.Slice((*complex128)(unsafe.Pointer(unsafe.SliceData(v.Raw))), len(v.Raw)/16)
	case operators.String:
		backing = append([]string(nil), v.Strs...)
	default:
		return nil, fmt.Errorf("%w: %v has no gorgonia element type; use RunValues", operators.ErrUnsupportedType, v.DType)
	}
	return tensor.New(tensor.WithShape(v.Shape...), tensor.WithBacking(backing)), nil
}
