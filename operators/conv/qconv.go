package conv

import (
	"fmt"

	"github.com/onnxrun/onnxrun/operators"
	"github.com/onnxrun/onnxrun/operators/internal/inputs"
	"github.com/onnxrun/onnxrun/operators/internal/quant"
)

// QConv is ConvInteger (int32 output) or QLinearConv (requantized 8-bit
// output). Both widen the 8-bit operands minus their zero points to int32
// and accumulate in int32 (the integer GEMM over the column matrix, or
// the direct depthwise path), as the specification computes; QLinearConv
// then adds the int32 bias and requantizes each output channel.
type QConv struct {
	conv    *Conv
	qlinear bool
}

func newConvInteger(n *operators.Node) (operators.Op, error) {
	if err := inputs.Check(n, 2, 4); err != nil {
		return nil, err
	}
	c, err := parseConv(n)
	if err != nil {
		return nil, err
	}
	return &QConv{conv: c}, nil
}

func newQLinearConv(n *operators.Node) (operators.Op, error) {
	if err := inputs.Check(n, 8, 9); err != nil {
		return nil, err
	}
	c, err := parseConv(n)
	if err != nil {
		return nil, err
	}
	return &QConv{conv: c, qlinear: true}, nil
}

// operand positions: x, w, and for QLinearConv their scales, zero points,
// the output's scale and zero point and the bias.
func (q *QConv) pos() (x, w, xzp, wzp, xs, ws, ys, yzp, b int) {
	if q.qlinear {
		return 0, 3, 2, 5, 1, 4, 6, 7, 8
	}
	return 0, 1, 2, 3, -1, -1, -1, -1, -1
}

func get(in []*operators.Value, i int) *operators.Value {
	if i >= 0 && i < len(in) {
		return in[i]
	}
	return nil
}

// Infer implements operators.Op.
func (q *QConv) Infer(in []operators.Meta, consts []*operators.Value) ([]operators.Meta, error) {
	xi, wi, xzpi, wzpi, xsi, wsi, ysi, yzp, bi := q.pos()
	if !quant.Is8Bit(in[xi].DType) {
		return nil, fmt.Errorf("%w: input %d (x) has type %v, want uint8 or int8", operators.ErrUnsupportedType, xi, in[xi].DType)
	}
	if !quant.Is8Bit(in[wi].DType) {
		return nil, fmt.Errorf("%w: input %d (w) has type %v, want uint8 or int8", operators.ErrUnsupportedType, wi, in[wi].DType)
	}
	for _, err := range []error{
		quant.WantType(in, xzpi, "x_zero_point", in[xi].DType),
		quant.WantType(in, wzpi, "w_zero_point", in[wi].DType),
		quant.WantType(in, xsi, "x_scale", operators.Float32),
		quant.WantType(in, wsi, "w_scale", operators.Float32),
		quant.WantType(in, ysi, "y_scale", operators.Float32),
		quant.WantType(in, bi, "B", operators.Int32),
	} {
		if err != nil {
			return nil, err
		}
	}
	dt := operators.Int32
	if q.qlinear {
		dt = in[yzp].DType
		if !quant.Is8Bit(dt) {
			return nil, fmt.Errorf("%w: input %d (y_zero_point) has type %v, want uint8 or int8", operators.ErrUnsupportedType, yzp, dt)
		}
	}
	fm := []operators.Meta{{DType: operators.Float64, Shape: in[xi].Shape, HasShape: in[xi].HasShape}, {DType: operators.Float64, Shape: in[wi].Shape, HasShape: in[wi].HasShape}}
	out, err := q.conv.Infer(fm, nil)
	if err != nil {
		return nil, err
	}
	out[0].DType = dt
	return out, nil
}

// Run implements operators.Op.
func (q *QConv) Run(rc *operators.RunContext, in, out []*operators.Value) error {
	xi, wi, xzpi, wzpi, xsi, wsi, ysi, yzpi, bi := q.pos()
	x, w := in[xi], in[wi]
	if !quant.Is8Bit(x.DType) || !quant.Is8Bit(w.DType) {
		return fmt.Errorf("%w: x and w must be uint8 or int8, got %v and %v", operators.ErrUnsupportedType, x.DType, w.DType)
	}
	if len(w.Shape) < 1 {
		return shapeErr(wi, "w", "is a scalar")
	}
	m := w.Shape[0]
	geo, ok := q.conv.last.Get(x.Shape, w.Shape)
	if !ok {
		var err error
		if geo, err = q.conv.resolve(x.Shape, w.Shape, nil); err != nil {
			return err
		}
		q.conv.last.Put(geo, x.Shape, w.Shape)
	}
	xzp, err := quant.Param(get(in, xzpi), xzpi, "x_zero_point", 1, 0)
	if err != nil {
		return err
	}
	wzp, err := quant.Param(get(in, wzpi), wzpi, "w_zero_point", m, 0)
	if err != nil {
		return err
	}
	// Widen to int32 minus the zero points and accumulate in int32 with
	// the integer GEMM, as the specification computes.
	xw, err := quant.Scratch(rc, x.Len())
	if err != nil {
		return err
	}
	if xw, err = quant.WidenIntTo(xw, x, xi, "x", quant.ZeroPoints(xzp), 1); err != nil {
		return err
	}
	ww, err := quant.Scratch(rc, w.Len())
	if err != nil {
		return err
	}
	if ww, err = quant.WidenIntTo(ww, w, wi, "w", quant.ZeroPoints(wzp), operators.NumElements(w.Shape[1:])); err != nil {
		return err
	}
	outVol := 1
	for _, d := range geo.out {
		outVol *= d
	}
	if !q.qlinear {
		y, err := rc.AllocValue(operators.Int32, geo.outShape, false)
		if err != nil {
			return err
		}
		if err := accumulateInt(rc, geo, xw, ww, y.I32()); err != nil {
			return err
		}
		out[0] = y
		return nil
	}
	xs, err := quant.Param(in[xsi], xsi, "x_scale", 1, 1)
	if err != nil {
		return err
	}
	ws, err := quant.Param(in[wsi], wsi, "w_scale", m, 1)
	if err != nil {
		return err
	}
	ys, err := quant.Param(in[ysi], ysi, "y_scale", 1, 1)
	if err != nil {
		return err
	}
	yzp, err := quant.Param(in[yzpi], yzpi, "y_zero_point", 1, 0)
	if err != nil {
		return err
	}
	var bias []int32
	if b := get(in, bi); b != nil {
		if b.DType != operators.Int32 {
			return fmt.Errorf("%w: input %d (B) has type %v, want int32", operators.ErrUnsupportedType, bi, b.DType)
		}
		if bias = b.I32(); len(bias) != m {
			return shapeErr(bi, "B", "has %d values, want %d", len(bias), m)
		}
	}
	acc, err := quant.Scratch(rc, operators.NumElements(geo.outShape))
	if err != nil {
		return err
	}
	if err := accumulateInt(rc, geo, xw, ww, acc); err != nil {
		return err
	}
	y, err := rc.AllocValue(in[yzpi].DType, geo.outShape, false)
	if err != nil {
		return err
	}
	// Requantize in float32 like ONNX Runtime: the multiplier
	// x_scale * w_scale / y_scale and its product with the int32
	// accumulator (plus bias) are float32 operations.
	lo, hi := quant.Range(y.DType)
	zp := int32(yzp[0])
	planes := 0
	if outVol > 0 {
		planes = len(acc) / outVol
	}
	requant := func(plo, phi int) {
		for p := plo; p < phi; p++ {
			ch := p % m
			mul := float32(xs[0]) * float32(quant.At(ws, ch)) / float32(ys[0])
			var bv int32
			if bias != nil {
				bv = bias[ch]
			}
			plane := acc[p*outVol : (p+1)*outVol]
			if y.DType == operators.Int8 {
				dst := y.I8()[p*outVol : (p+1)*outVol]
				for i, v := range plane {
					dst[i] = int8(quant.Requantize(v+bv, mul, zp, lo, hi))
				}
			} else {
				dst := y.U8()[p*outVol : (p+1)*outVol]
				for i, v := range plane {
					dst[i] = uint8(quant.Requantize(v+bv, mul, zp, lo, hi))
				}
			}
		}
	}
	if rc != nil && rc.Threads > 1 {
		// Planes of at least ~16k elements per goroutine.
		rc.Parallel(planes, max(1, (1<<14)/max(1, outVol)), requant)
	} else {
		requant(0, planes)
	}
	out[0] = y
	return nil
}
