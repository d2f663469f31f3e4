package quantize

import (
	"fmt"
	"math"

	"github.com/onnxrun/onnxrun/operators"
	"github.com/onnxrun/onnxrun/operators/internal/half"
)

// dequantizeLinear is DequantizeLinear. The output has the scale's type.
type dequantizeLinear struct {
	axis  int64
	block int64
}

func newDequantize(since int) operators.Factory {
	return func(n *operators.Node) (operators.Op, error) {
		o := &dequantizeLinear{}
		var err error
		if since >= 13 {
			if o.axis, err = n.Int("axis", 1); err != nil {
				return nil, err
			}
		}
		if since >= 21 {
			if o.block, err = n.Int("block_size", 0); err != nil {
				return nil, err
			}
			if o.block < 0 {
				return nil, &operators.AttributeError{Attr: "block_size", Reason: fmt.Sprintf("is %d, want >= 0", o.block)}
			}
		}
		return o, nil
	}
}

func (o *dequantizeLinear) check(in []operators.DType) error {
	if len(in) < 2 || len(in) > 3 {
		return fmt.Errorf("%w: DequantizeLinear takes 2 or 3 inputs, got %d", operators.ErrInvalidModel, len(in))
	}
	if _, _, ok := intType(in[0]); !ok && in[0] != operators.Int32 {
		return fmt.Errorf("%w: DequantizeLinear of %v (input 0)", operators.ErrUnsupportedType, in[0])
	}
	switch in[1] {
	case operators.Float32, operators.Float16, operators.BFloat16:
	default:
		return fmt.Errorf("%w: DequantizeLinear scale (input 1) of type %v", operators.ErrUnsupportedType, in[1])
	}
	if len(in) == 3 && in[2] != operators.Undefined && in[2] != in[0] {
		return fmt.Errorf("%w: DequantizeLinear: zero point (input 2) is %v but x is %v", operators.ErrInvalidModel, in[2], in[0])
	}
	return nil
}

func (o *dequantizeLinear) Infer(in []operators.Meta, _ []*operators.Value) ([]operators.Meta, error) {
	dts := make([]operators.DType, len(in))
	for i, m := range in {
		dts[i] = m.DType
	}
	if err := o.check(dts); err != nil {
		return nil, err
	}
	return []operators.Meta{{DType: in[1].DType, Shape: in[0].Shape, HasShape: in[0].HasShape}}, nil
}

func (o *dequantizeLinear) Run(rc *operators.RunContext, in, out []*operators.Value) error {
	if len(in) < 2 || in[0] == nil || in[1] == nil {
		return fmt.Errorf("%w: DequantizeLinear needs x and x_scale", operators.ErrInvalidModel)
	}
	x, scale := in[0], in[1]
	dts := []operators.DType{x.DType, scale.DType}
	var zp *operators.Value
	if len(in) > 2 && in[2] != nil {
		zp = in[2]
		dts = append(dts, zp.DType)
		if !sameShape(zp.Shape, scale.Shape) {
			return fmt.Errorf("%w: DequantizeLinear: zero point of shape %v, scale of shape %v", operators.ErrShape, zp.Shape, scale.Shape)
		}
	}
	if err := o.check(dts); err != nil {
		return err
	}
	l, err := newLayout("DequantizeLinear", x.Shape, scale.Shape, o.axis, o.block)
	if err != nil {
		return err
	}
	ss, err := floats(scale)
	if err != nil {
		return err
	}
	xs := ints(x)
	var zs []int32
	if zp != nil {
		zs = ints(zp)
	}
	y, err := rc.AllocValue(scale.DType, x.Shape, false)
	if err != nil {
		return err
	}
	var f32 []float32
	if y.DType == operators.Float32 {
		f32 = y.F32()
	} else {
		f32 = make([]float32, len(xs))
	}
	e := 0
	for oi := 0; oi < l.outer; oi++ {
		for i := 0; i < l.d; i++ {
			for j := 0; j < l.inner; j++ {
				k := l.index(oi, i, j)
				v := int64(xs[e])
				if zs != nil {
					v -= int64(zs[k])
				}
				f32[e] = float32(v) * ss[k]
				e++
			}
		}
	}
	switch y.DType {
	case operators.Float16:
		half.Float32sToFloat16s(y.U16(), f32)
	case operators.BFloat16:
		half.Float32sToBFloat16s(y.U16(), f32)
	}
	out[0] = y
	return nil
}

// dynamicQuantizeLinear is DynamicQuantizeLinear: uint8 quantization with
// the scale and zero point chosen from the data's range (widened to hold
// 0), returning y, y_scale and y_zero_point.
type dynamicQuantizeLinear struct{}

func (dynamicQuantizeLinear) Infer(in []operators.Meta, _ []*operators.Value) ([]operators.Meta, error) {
	if len(in) != 1 {
		return nil, fmt.Errorf("%w: DynamicQuantizeLinear takes 1 input, got %d", operators.ErrInvalidModel, len(in))
	}
	if in[0].DType != operators.Float32 {
		return nil, fmt.Errorf("%w: DynamicQuantizeLinear of %v", operators.ErrUnsupportedType, in[0].DType)
	}
	return []operators.Meta{
		{DType: operators.Uint8, Shape: in[0].Shape, HasShape: in[0].HasShape},
		{DType: operators.Float32, Shape: []int{}, HasShape: true},
		{DType: operators.Uint8, Shape: []int{}, HasShape: true},
	}, nil
}

func (d dynamicQuantizeLinear) Run(rc *operators.RunContext, in, out []*operators.Value) error {
	if len(in) != 1 || in[0] == nil {
		return fmt.Errorf("%w: DynamicQuantizeLinear needs its input", operators.ErrInvalidModel)
	}
	x := in[0]
	if x.DType != operators.Float32 {
		return fmt.Errorf("%w: DynamicQuantizeLinear of %v", operators.ErrUnsupportedType, x.DType)
	}
	if len(out) < 3 {
		return fmt.Errorf("%w: DynamicQuantizeLinear has 3 outputs, got room for %d", operators.ErrInvalidModel, len(out))
	}
	lo, hi := float32(0), float32(0)
	for _, v := range x.F32() {
		lo, hi = min(lo, v), max(hi, v)
	}
	scale := (hi - lo) / 255
	zp := float64(0)
	if scale != 0 {
		zp = math.RoundToEven(math.Max(0, math.Min(255, float64(0-lo/scale))))
	}
	y, err := rc.AllocValue(operators.Uint8, x.Shape, false)
	if err != nil {
		return err
	}
	ys := y.U8()
	for i, v := range x.F32() {
		q := zp
		if scale != 0 {
			q = math.RoundToEven(float64(v/scale)) + zp
		}
		if q != q {
			q = zp
		}
		ys[i] = uint8(math.Max(0, math.Min(255, q)))
	}
	s, err := rc.AllocValue(operators.Float32, []int{}, false)
	if err != nil {
		return err
	}
	s.F32()[0] = scale
	z, err := rc.AllocValue(operators.Uint8, []int{}, false)
	if err != nil {
		return err
	}
	z.U8()[0] = uint8(zp)
	out[0], out[1], out[2] = y, s, z
	return nil
}
