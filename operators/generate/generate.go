package generate

import (
	"fmt"
	"math"

	"github.com/onnxrun/onnxrun/operators"
	"github.com/onnxrun/onnxrun/operators/internal/inputs"
)

// scalarF64 reads a one-element numeric tensor as float64.
func scalarF64(v *operators.Value, what string) (float64, error) {
	if v.Len() != 1 {
		return 0, fmt.Errorf("%w: %s has shape %v, want a scalar", operators.ErrShape, what, v.Shape)
	}
	switch v.DType {
	case operators.Float32:
		return float64(v.F32()[0]), nil
	case operators.Float64:
		return v.F64()[0], nil
	case operators.Int8:
		return float64(v.I8()[0]), nil
	case operators.Uint8:
		return float64(v.U8()[0]), nil
	case operators.Int16:
		return float64(v.I16()[0]), nil
	case operators.Uint16:
		return float64(v.U16()[0]), nil
	case operators.Int32:
		return float64(v.I32()[0]), nil
	case operators.Uint32:
		return float64(v.U32()[0]), nil
	case operators.Int64:
		return float64(v.I64()[0]), nil
	case operators.Uint64:
		return float64(v.U64()[0]), nil
	}
	return 0, fmt.Errorf("%w: %s of type %v", operators.ErrUnsupportedType, what, v.DType)
}

// ---- Range ----

type rangeOp struct{}

func newRange(n *operators.Node) (operators.Op, error) {
	if err := inputs.Check(n, 3, 3); err != nil {
		return nil, err
	}
	return rangeOp{}, nil
}

func rangeType(dt operators.DType) bool {
	switch dt {
	case operators.Float32, operators.Float64, operators.Int16, operators.Int32, operators.Int64:
		return true
	}
	return false
}

// rangeLen is max(ceil((limit-start)/delta), 0), computed in the type.
func rangeLen(start, limit, delta *operators.Value) (int, error) {
	var n float64
	switch start.DType {
	case operators.Float32:
		s, l, d := start.F32()[0], limit.F32()[0], delta.F32()[0]
		n = math.Ceil(float64((l - s) / d))
	case operators.Float64:
		s, l, d := start.F64()[0], limit.F64()[0], delta.F64()[0]
		n = math.Ceil((l - s) / d)
	default:
		s, _ := scalarF64(start, "start")
		l, _ := scalarF64(limit, "limit")
		d, _ := scalarF64(delta, "delta")
		if d == 0 {
			return 0, fmt.Errorf("%w: Range: delta is 0", operators.ErrInvalidModel)
		}
		n = math.Ceil((l - s) / d)
	}
	if math.IsNaN(n) || math.IsInf(n, 0) || n > 1<<40 {
		return 0, fmt.Errorf("%w: Range: start %v, limit %v, delta %v give no finite length", operators.ErrInvalidModel, start, limit, delta)
	}
	return int(max(n, 0)), nil
}

func checkRange(in []operators.DType) error {
	if len(in) != 3 {
		return fmt.Errorf("%w: Range takes 3 inputs, got %d", operators.ErrInvalidModel, len(in))
	}
	if !rangeType(in[0]) {
		return fmt.Errorf("%w: Range of %v", operators.ErrUnsupportedType, in[0])
	}
	for i := 1; i < 3; i++ {
		if in[i] != in[0] {
			return fmt.Errorf("%w: Range: input %d is %v but input 0 is %v", operators.ErrInvalidModel, i, in[i], in[0])
		}
	}
	return nil
}

func (rangeOp) Infer(in []operators.Meta, consts []*operators.Value) ([]operators.Meta, error) {
	dts := make([]operators.DType, len(in))
	for i, m := range in {
		dts[i] = m.DType
	}
	if err := checkRange(dts); err != nil {
		return nil, err
	}
	out := operators.Meta{DType: in[0].DType, Shape: []int{-1}, HasShape: true}
	if len(consts) == 3 && consts[0] != nil && consts[1] != nil && consts[2] != nil {
		for i, c := range consts {
			if c.Len() != 1 {
				return nil, fmt.Errorf("%w: Range: input %d has shape %v, want a scalar", operators.ErrShape, i, c.Shape)
			}
		}
		n, err := rangeLen(consts[0], consts[1], consts[2])
		if err != nil {
			return nil, err
		}
		out.Shape = []int{n}
	}
	return []operators.Meta{out}, nil
}

func (r rangeOp) Run(rc *operators.RunContext, in, out []*operators.Value) error {
	if len(in) != 3 || in[0] == nil || in[1] == nil || in[2] == nil {
		return fmt.Errorf("%w: Range needs start, limit and delta", operators.ErrInvalidModel)
	}
	if err := checkRange([]operators.DType{in[0].DType, in[1].DType, in[2].DType}); err != nil {
		return err
	}
	for i, v := range in {
		if v.Len() != 1 {
			return fmt.Errorf("%w: Range: input %d has shape %v, want a scalar", operators.ErrShape, i, v.Shape)
		}
	}
	n, err := rangeLen(in[0], in[1], in[2])
	if err != nil {
		return err
	}
	y, err := rc.AllocValue(in[0].DType, []int{n}, false)
	if err != nil {
		return err
	}
	switch y.DType {
	case operators.Float32:
		fill(y.F32(), in[0].F32()[0], in[2].F32()[0])
	case operators.Float64:
		fill(y.F64(), in[0].F64()[0], in[2].F64()[0])
	case operators.Int16:
		fill(y.I16(), in[0].I16()[0], in[2].I16()[0])
	case operators.Int32:
		fill(y.I32(), in[0].I32()[0], in[2].I32()[0])
	case operators.Int64:
		fill(y.I64(), in[0].I64()[0], in[2].I64()[0])
	}
	out[0] = y
	return nil
}

func fill[T float32 | float64 | int16 | int32 | int64](y []T, start, delta T) {
	for i := range y {
		y[i] = start + T(i)*delta
	}
}

// ---- EyeLike ----

type eyeLike struct {
	dtype operators.DType // 0: the input's
	k     int64
}

func newEyeLike(n *operators.Node) (operators.Op, error) {
	if err := inputs.Check(n, 1, 1); err != nil {
		return nil, err
	}
	o := &eyeLike{}
	dt, err := n.Int("dtype", 0)
	if err != nil {
		return nil, err
	}
	o.dtype = operators.DType(dt)
	if n.Has("dtype") && (o.dtype.Size() == 0 || o.dtype == operators.Complex64 || o.dtype == operators.Complex128) {
		return nil, &operators.AttributeError{Attr: "dtype", Reason: fmt.Sprintf("%v is not supported", o.dtype)}
	}
	if o.k, err = n.Int("k", 0); err != nil {
		return nil, err
	}
	return o, nil
}

func (o *eyeLike) outType(in operators.DType) operators.DType {
	if o.dtype != 0 {
		return o.dtype
	}
	return in
}

func (o *eyeLike) Infer(in []operators.Meta, _ []*operators.Value) ([]operators.Meta, error) {
	if len(in) != 1 {
		return nil, fmt.Errorf("%w: EyeLike takes 1 input, got %d", operators.ErrInvalidModel, len(in))
	}
	dt := o.outType(in[0].DType)
	if dt.Size() == 0 || dt == operators.Complex64 || dt == operators.Complex128 {
		return nil, fmt.Errorf("%w: EyeLike to %v", operators.ErrUnsupportedType, dt)
	}
	if in[0].HasShape && len(in[0].Shape) != 2 {
		return nil, fmt.Errorf("%w: EyeLike needs a 2-D input, got shape %v", operators.ErrShape, in[0].Shape)
	}
	return []operators.Meta{{DType: dt, Shape: in[0].Shape, HasShape: in[0].HasShape}}, nil
}

func (o *eyeLike) Run(rc *operators.RunContext, in, out []*operators.Value) error {
	if len(in) != 1 || in[0] == nil {
		return fmt.Errorf("%w: EyeLike needs its input", operators.ErrInvalidModel)
	}
	x := in[0]
	if _, err := o.Infer([]operators.Meta{x.Meta()}, nil); err != nil {
		return err
	}
	y, err := rc.AllocValue(o.outType(x.DType), x.Shape, true)
	if err != nil {
		return err
	}
	rows, cols := x.Shape[0], x.Shape[1]
	for i := 0; i < rows; i++ {
		j := int64(i) + o.k
		if j < 0 || j >= int64(cols) {
			continue
		}
		setOne(y, i*cols+int(j))
	}
	out[0] = y
	return nil
}

// setOne stores 1 as element i of v.
func setOne(v *operators.Value, i int) {
	switch v.DType {
	case operators.Float32:
		v.F32()[i] = 1
	case operators.Float64:
		v.F64()[i] = 1
	case operators.Float16:
		v.U16()[i] = 0x3c00
	case operators.BFloat16:
		v.U16()[i] = 0x3f80
	default:
		// Integers and bool: the value 1 in the element's low byte
		// (little-endian), the other bytes zero.
		v.Raw[i*v.DType.Size()] = 1
	}
}

// ---- OneHot ----

type oneHot struct {
	axis int64
}

func newOneHot(n *operators.Node) (operators.Op, error) {
	if err := inputs.Check(n, 3, 3); err != nil {
		return nil, err
	}
	axis, err := n.Int("axis", -1)
	if err != nil {
		return nil, err
	}
	return &oneHot{axis: axis}, nil
}

func (o *oneHot) Infer(in []operators.Meta, consts []*operators.Value) ([]operators.Meta, error) {
	if len(in) != 3 {
		return nil, fmt.Errorf("%w: OneHot takes 3 inputs, got %d", operators.ErrInvalidModel, len(in))
	}
	dt := in[2].DType
	if dt.Size() == 0 && dt != operators.String {
		return nil, fmt.Errorf("%w: OneHot values of type %v", operators.ErrUnsupportedType, dt)
	}
	if !in[0].HasShape {
		return []operators.Meta{{DType: dt}}, nil
	}
	r := len(in[0].Shape)
	axis, err := operators.NormAxis("axis", o.axis, r+1)
	if err != nil {
		return nil, err
	}
	depth := -1
	if len(consts) > 1 && consts[1] != nil {
		d, err := scalarF64(consts[1], "OneHot depth (input 1)")
		if err != nil {
			return nil, err
		}
		depth = int(d)
	}
	s := make([]int, 0, r+1)
	s = append(s, in[0].Shape[:axis]...)
	s = append(s, depth)
	s = append(s, in[0].Shape[axis:]...)
	return []operators.Meta{{DType: dt, Shape: s, HasShape: true}}, nil
}

func (o *oneHot) Run(rc *operators.RunContext, in, out []*operators.Value) error {
	if len(in) != 3 || in[0] == nil || in[1] == nil || in[2] == nil {
		return fmt.Errorf("%w: OneHot needs indices, depth and values", operators.ErrInvalidModel)
	}
	idx, dv, vals := in[0], in[1], in[2]
	d, err := scalarF64(dv, "OneHot depth (input 1)")
	if err != nil {
		return err
	}
	if d < 1 || d > 1<<31 {
		return fmt.Errorf("%w: OneHot depth is %v, want >= 1", operators.ErrInvalidModel, d)
	}
	depth := int(d)
	if vals.Len() != 2 {
		return fmt.Errorf("%w: OneHot values (input 2) has shape %v, want [off, on]", operators.ErrShape, vals.Shape)
	}
	r := len(idx.Shape)
	axis, err := operators.NormAxis("axis", o.axis, r+1)
	if err != nil {
		return err
	}
	s := make([]int, 0, r+1)
	s = append(s, idx.Shape[:axis]...)
	s = append(s, depth)
	s = append(s, idx.Shape[axis:]...)
	y, err := rc.AllocValue(vals.DType, s, false)
	if err != nil {
		return err
	}
	outer, inner := 1, 1
	for _, v := range idx.Shape[:axis] {
		outer *= v
	}
	for _, v := range idx.Shape[axis:] {
		inner *= v
	}
	sz := vals.DType.Size()
	set := func(dst, src int) { // y[dst] = vals[src]
		if vals.DType == operators.String {
			y.Strs[dst] = vals.Strs[src]
			return
		}
		copy(y.Raw[dst*sz:(dst+1)*sz], vals.Raw[src*sz:(src+1)*sz])
	}
	for i := 0; i < y.Len(); i++ {
		set(i, 0)
	}
	for o := 0; o < outer; o++ {
		for j := 0; j < inner; j++ {
			f, err := elemF64(idx, o*inner+j)
			if err != nil {
				return err
			}
			k := int64(f)
			if k < 0 {
				k += int64(depth)
			}
			if k < 0 || k >= int64(depth) {
				continue
			}
			set((o*depth+int(k))*inner+j, 1)
		}
	}
	out[0] = y
	return nil
}

// elemF64 reads element i of a numeric tensor as float64.
func elemF64(v *operators.Value, i int) (float64, error) {
	switch v.DType {
	case operators.Float32:
		return float64(v.F32()[i]), nil
	case operators.Float64:
		return v.F64()[i], nil
	case operators.Int8:
		return float64(v.I8()[i]), nil
	case operators.Uint8:
		return float64(v.U8()[i]), nil
	case operators.Int16:
		return float64(v.I16()[i]), nil
	case operators.Uint16:
		return float64(v.U16()[i]), nil
	case operators.Int32:
		return float64(v.I32()[i]), nil
	case operators.Uint32:
		return float64(v.U32()[i]), nil
	case operators.Int64:
		return float64(v.I64()[i]), nil
	case operators.Uint64:
		return float64(v.U64()[i]), nil
	}
	return 0, fmt.Errorf("%w: OneHot indices of type %v", operators.ErrUnsupportedType, v.DType)
}
