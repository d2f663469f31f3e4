package quantize

import (
	"fmt"
	"math"

	"github.com/onnxrun/onnxrun/operators"
	"github.com/onnxrun/onnxrun/operators/internal/half"
)

// layout says which scale (and zero point) applies to each element.
// Elements are seen as [outer, d, inner] around the axis; the scale index
// is 0 (per tensor), i (per axis) or (o*sd + i/block)*inner + j (blocked,
// with sd = ceil(d/block)).
type layout struct {
	outer, d, inner int
	mode            int // 0 per tensor, 1 per axis, 2 blocked
	block, sd       int
}

func (l *layout) index(o, i, j int) int {
	switch l.mode {
	case 1:
		return i
	case 2:
		return (o*l.sd+i/l.block)*l.inner + j
	}
	return 0
}

// newLayout checks the scale's shape against x's and returns the layout.
func newLayout(name string, x, scale []int, axis, block int64) (layout, error) {
	n := operators.NumElements(scale)
	if block == 0 && n == 1 && len(scale) <= 1 {
		return layout{outer: 1, d: operators.NumElements(x), inner: 1}, nil
	}
	if len(x) == 0 {
		return layout{}, fmt.Errorf("%w: %s: a scalar input needs a scalar scale, got shape %v", operators.ErrShape, name, scale)
	}
	ax, err := operators.NormAxis("axis", axis, len(x))
	if err != nil {
		return layout{}, err
	}
	l := layout{outer: 1, d: x[ax], inner: 1}
	for _, v := range x[:ax] {
		l.outer *= v
	}
	for _, v := range x[ax+1:] {
		l.inner *= v
	}
	if block == 0 {
		if len(scale) != 1 || scale[0] != x[ax] {
			return layout{}, fmt.Errorf("%w: %s: per-axis scale of shape %v does not match dimension %d (%d) of input shape %v", operators.ErrShape, name, scale, ax, x[ax], x)
		}
		l.mode = 1
		return l, nil
	}
	if block < 0 {
		return layout{}, &operators.AttributeError{Attr: "block_size", Reason: fmt.Sprintf("is %d, want > 0", block)}
	}
	l.mode, l.block = 2, int(block)
	l.sd = (x[ax] + l.block - 1) / l.block
	if len(scale) != len(x) {
		return layout{}, fmt.Errorf("%w: %s: blocked scale of shape %v for input shape %v", operators.ErrShape, name, scale, x)
	}
	for i := range x {
		want := x[i]
		if i == ax {
			want = l.sd
		}
		if scale[i] != want {
			return layout{}, fmt.Errorf("%w: %s: blocked scale of shape %v for input shape %v with block_size %d", operators.ErrShape, name, scale, x, block)
		}
	}
	return l, nil
}

// intType reports whether dt is a quantized type this package handles, and
// its range.
func intType(dt operators.DType) (lo, hi float64, ok bool) {
	switch dt {
	case operators.Uint8:
		return 0, math.MaxUint8, true
	case operators.Int8:
		return math.MinInt8, math.MaxInt8, true
	case operators.Uint16:
		return 0, math.MaxUint16, true
	case operators.Int16:
		return math.MinInt16, math.MaxInt16, true
	}
	return 0, 0, false
}

// floats returns v as float32 (a view for float32, else a converted copy).
func floats(v *operators.Value) ([]float32, error) {
	switch v.DType {
	case operators.Float32:
		return v.F32(), nil
	case operators.Float16, operators.BFloat16:
		from := half.FromFloat16
		if v.DType == operators.BFloat16 {
			from = half.FromBFloat16
		}
		out := make([]float32, v.Len())
		for i, h := range v.U16() {
			out[i] = from(h)
		}
		return out, nil
	case operators.Int32:
		out := make([]float32, v.Len())
		for i, x := range v.I32() {
			out[i] = float32(x)
		}
		return out, nil
	}
	return nil, fmt.Errorf("%w: %v is not a float type", operators.ErrUnsupportedType, v.DType)
}

// ints returns the elements of an integer tensor as int32.
func ints(v *operators.Value) []int32 {
	out := make([]int32, v.Len())
	switch v.DType {
	case operators.Uint8:
		for i, x := range v.U8() {
			out[i] = int32(x)
		}
	case operators.Int8:
		for i, x := range v.I8() {
			out[i] = int32(x)
		}
	case operators.Uint16:
		for i, x := range v.U16() {
			out[i] = int32(x)
		}
	case operators.Int16:
		for i, x := range v.I16() {
			out[i] = int32(x)
		}
	case operators.Int32:
		copy(out, v.I32())
	}
	return out
}

// store writes the integer q (already saturated) as element i of y.
func store(y *operators.Value, i int, q float64) {
	switch y.DType {
	case operators.Uint8:
		y.U8()[i] = uint8(q)
	case operators.Int8:
		y.I8()[i] = int8(q)
	case operators.Uint16:
		y.U16()[i] = uint16(q)
	case operators.Int16:
		y.I16()[i] = int16(q)
	}
}

// quantizeLinear is QuantizeLinear.
type quantizeLinear struct {
	axis     int64
	block    int64
	outDType operators.DType // output_dtype (opset 21), or 0
}

func newQuantize(since int) operators.Factory {
	return func(n *operators.Node) (operators.Op, error) {
		o := &quantizeLinear{}
		var err error
		if since >= 13 {
			if o.axis, err = n.Int("axis", 1); err != nil {
				return nil, err
			}
		}
		if since >= 19 {
			if s, err := n.Int("saturate", 1); err != nil {
				return nil, err
			} else if s != 0 && s != 1 {
				return nil, &operators.AttributeError{Attr: "saturate", Reason: fmt.Sprintf("is %d, want 0 or 1", s)}
			}
		}
		if since >= 21 {
			if o.block, err = n.Int("block_size", 0); err != nil {
				return nil, err
			}
			if o.block < 0 {
				return nil, &operators.AttributeError{Attr: "block_size", Reason: fmt.Sprintf("is %d, want >= 0", o.block)}
			}
			dt, err := n.Int("output_dtype", 0)
			if err != nil {
				return nil, err
			}
			o.outDType = operators.DType(dt)
			if _, _, ok := intType(o.outDType); dt != 0 && !ok {
				return nil, &operators.AttributeError{Attr: "output_dtype", Reason: fmt.Sprintf("%v is not supported", o.outDType)}
			}
		}
		return o, nil
	}
}

func (o *quantizeLinear) outType(in []operators.DType) (operators.DType, error) {
	if len(in) < 2 || len(in) > 3 {
		return 0, fmt.Errorf("%w: QuantizeLinear takes 2 or 3 inputs, got %d", operators.ErrInvalidModel, len(in))
	}
	switch in[0] {
	case operators.Float32, operators.Float16, operators.BFloat16, operators.Int32:
	default:
		return 0, fmt.Errorf("%w: QuantizeLinear of %v (input 0)", operators.ErrUnsupportedType, in[0])
	}
	switch in[1] {
	case operators.Float32, operators.Float16, operators.BFloat16:
	default:
		return 0, fmt.Errorf("%w: QuantizeLinear scale (input 1) of type %v", operators.ErrUnsupportedType, in[1])
	}
	dt := operators.Uint8
	if o.outDType != 0 {
		dt = o.outDType
	}
	if len(in) == 3 && in[2] != operators.Undefined {
		if o.outDType != 0 && in[2] != o.outDType {
			return 0, &operators.AttributeError{Attr: "output_dtype", Reason: fmt.Sprintf("is %v but the zero point (input 2) is %v", o.outDType, in[2])}
		}
		dt = in[2]
	}
	if _, _, ok := intType(dt); !ok {
		return 0, fmt.Errorf("%w: QuantizeLinear to %v", operators.ErrUnsupportedType, dt)
	}
	return dt, nil
}

func (o *quantizeLinear) Infer(in []operators.Meta, _ []*operators.Value) ([]operators.Meta, error) {
	dts := make([]operators.DType, len(in))
	for i, m := range in {
		dts[i] = m.DType
	}
	dt, err := o.outType(dts)
	if err != nil {
		return nil, err
	}
	return []operators.Meta{{DType: dt, Shape: in[0].Shape, HasShape: in[0].HasShape}}, nil
}

func (o *quantizeLinear) Run(rc *operators.RunContext, in, out []*operators.Value) error {
	if len(in) < 2 || in[0] == nil || in[1] == nil {
		return fmt.Errorf("%w: QuantizeLinear needs x and y_scale", operators.ErrInvalidModel)
	}
	dts := []operators.DType{in[0].DType, in[1].DType}
	var zp *operators.Value
	if len(in) > 2 && in[2] != nil {
		zp = in[2]
		dts = append(dts, zp.DType)
		if !sameShape(zp.Shape, in[1].Shape) {
			return fmt.Errorf("%w: QuantizeLinear: zero point of shape %v, scale of shape %v", operators.ErrShape, zp.Shape, in[1].Shape)
		}
	}
	dt, err := o.outType(dts)
	if err != nil {
		return err
	}
	x, scale := in[0], in[1]
	l, err := newLayout("QuantizeLinear", x.Shape, scale.Shape, o.axis, o.block)
	if err != nil {
		return err
	}
	xs, err := floats(x)
	if err != nil {
		return err
	}
	ss, err := floats(scale)
	if err != nil {
		return err
	}
	var zs []int32
	if zp != nil {
		zs = ints(zp)
	}
	y, err := rc.AllocValue(dt, x.Shape, false)
	if err != nil {
		return err
	}
	lo, hi, _ := intType(dt)
	e := 0
	for oi := 0; oi < l.outer; oi++ {
		for i := 0; i < l.d; i++ {
			for j := 0; j < l.inner; j++ {
				k := l.index(oi, i, j)
				q := math.RoundToEven(float64(xs[e] / ss[k]))
				if zs != nil {
					q += float64(zs[k])
				}
				if q != q {
					q = 0 // NaN becomes 0, as in ONNX Runtime
				}
				store(y, e, math.Max(lo, math.Min(hi, q)))
				e++
			}
		}
	}
	out[0] = y
	return nil
}

func sameShape(a, b []int) bool {
	if operators.NumElements(a) != operators.NumElements(b) {
		return false
	}
	// A scalar and a one-element 1-D tensor are interchangeable here.
	if operators.NumElements(a) == 1 && len(a) <= 1 && len(b) <= 1 {
		return true
	}
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
