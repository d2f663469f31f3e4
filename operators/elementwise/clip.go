package elementwise

import (
	"fmt"
	"math"

	"github.com/onnxrun/onnxrun/operators"
)

// clipOf computes y = min(max(x, lo), hi). NaN passes through; when lo >
// hi every element becomes hi, as ONNX specifies.
func clipOf[T number](y, x []T, lo, hi T) {
	x = x[:len(y)]
	for i, v := range x {
		if v < lo {
			v = lo
		}
		if v > hi {
			v = hi
		}
		y[i] = v
	}
}

// clip is Clip with its bounds either fixed (opsets 1 and 6: attributes)
// or taken from the optional inputs 1 and 2 (opset 11 on).
type clip struct {
	attrs          bool
	attrLo, attrHi float64
}

func newClip(since int) operators.Factory {
	return func(n *operators.Node) (operators.Op, error) {
		o := &clip{attrs: since < 11}
		if o.attrs {
			lo, err := n.Float("min", -math.MaxFloat32)
			if err != nil {
				return nil, err
			}
			hi, err := n.Float("max", math.MaxFloat32)
			if err != nil {
				return nil, err
			}
			o.attrLo, o.attrHi = float64(lo), float64(hi)
		}
		return o, nil
	}
}

func clipType(dt operators.DType) bool { return arithType(dt) }

func (o *clip) Infer(in []operators.Meta, _ []*operators.Value) ([]operators.Meta, error) {
	if len(in) < 1 || len(in) > 3 || (o.attrs && len(in) != 1) {
		return nil, fmt.Errorf("%w: Clip got %d inputs", operators.ErrInvalidModel, len(in))
	}
	if !clipType(in[0].DType) || (o.attrs && !in[0].DType.IsFloat()) {
		return nil, unsupported("Clip", in[0].DType)
	}
	for i := 1; i < len(in); i++ {
		if in[i].DType != operators.Undefined && in[i].DType != in[0].DType {
			return nil, fmt.Errorf("%w: Clip: input %d is %v but input 0 is %v", operators.ErrInvalidModel, i, in[i].DType, in[0].DType)
		}
		if in[i].HasShape && operators.NumElements(in[i].Shape) > 1 {
			return nil, fmt.Errorf("%w: Clip: input %d has shape %v, want a scalar", operators.ErrShape, i, in[i].Shape)
		}
	}
	return []operators.Meta{in[0]}, nil
}

// scalarInput checks that optional input i, if present, is a one-element
// tensor of type dt, and returns it (nil when omitted).
func scalarInput(in []*operators.Value, i int, dt operators.DType) (*operators.Value, error) {
	if i >= len(in) || in[i] == nil {
		return nil, nil
	}
	v := in[i]
	if v.DType != dt {
		return nil, fmt.Errorf("%w: Clip: input %d is %v but input 0 is %v", operators.ErrInvalidModel, i, v.DType, dt)
	}
	if v.Len() != 1 {
		return nil, fmt.Errorf("%w: Clip: input %d has shape %v, want a scalar", operators.ErrShape, i, v.Shape)
	}
	return v, nil
}

func (o *clip) Run(rc *operators.RunContext, in, out []*operators.Value) error {
	if len(in) < 1 || in[0] == nil {
		return fmt.Errorf("%w: Clip needs its input", operators.ErrInvalidModel)
	}
	x := in[0]
	if !clipType(x.DType) || (o.attrs && !x.DType.IsFloat()) {
		return unsupported("Clip", x.DType)
	}
	var loV, hiV *operators.Value
	if !o.attrs {
		var err error
		if loV, err = scalarInput(in, 1, x.DType); err != nil {
			return err
		}
		if hiV, err = scalarInput(in, 2, x.DType); err != nil {
			return err
		}
	}
	y, err := rc.AllocValue(x.DType, x.Shape, false)
	if err != nil {
		return err
	}
	switch x.DType {
	case operators.Float32:
		runClip[float32](rc, y, x, loV, hiV, float32(o.attrLo), float32(o.attrHi), o.attrs)
	case operators.Float64:
		runClip[float64](rc, y, x, loV, hiV, o.attrLo, o.attrHi, o.attrs)
	case operators.Int8:
		runClip[int8](rc, y, x, loV, hiV, math.MinInt8, math.MaxInt8, false)
	case operators.Uint8:
		runClip[uint8](rc, y, x, loV, hiV, 0, math.MaxUint8, false)
	case operators.Int16:
		runClip[int16](rc, y, x, loV, hiV, math.MinInt16, math.MaxInt16, false)
	case operators.Uint16:
		runClip[uint16](rc, y, x, loV, hiV, 0, math.MaxUint16, false)
	case operators.Int32:
		runClip[int32](rc, y, x, loV, hiV, math.MinInt32, math.MaxInt32, false)
	case operators.Uint32:
		runClip[uint32](rc, y, x, loV, hiV, 0, math.MaxUint32, false)
	case operators.Int64:
		runClip[int64](rc, y, x, loV, hiV, math.MinInt64, math.MaxInt64, false)
	case operators.Uint64:
		runClip[uint64](rc, y, x, loV, hiV, 0, math.MaxUint64, false)
	case operators.Float16, operators.BFloat16:
		hc := codec(x.DType)
		lo, hi := float32(math.Inf(-1)), float32(math.Inf(1))
		if o.attrs {
			lo, hi = float32(o.attrLo), float32(o.attrHi)
		}
		if loV != nil {
			lo = hc.from(loV.U16()[0])
		}
		if hiV != nil {
			hi = hc.from(hiV.U16()[0])
		}
		f := halfLoop(func(y, x []float32) { clipOf(y, x, lo, hi) }, hc)
		rc.Parallel(x.Len(), unaryChunk, func(l, h int) { f(y, x, l, h) })
	}
	out[0] = y
	return nil
}

// runClip clips with the bounds from the inputs when given, else the
// attribute bounds (attrs) or the type's whole range (floats: ±Inf).
func runClip[T number](rc *operators.RunContext, y, x, loV, hiV *operators.Value, lo, hi T, attrs bool) {
	if !attrs {
		var z T
		switch any(z).(type) {
		case float32, float64:
			lo, hi = T(math.Inf(-1)), T(math.Inf(1))
		}
	}
	if loV != nil {
		lo = operators.View[T](loV.Raw)[0]
	}
	if hiV != nil {
		hi = operators.View[T](hiV.Raw)[0]
	}
	ys, xs := operators.View[T](y.Raw), operators.View[T](x.Raw)
	if rc == nil || rc.Threads <= 1 || len(ys) < 2*unaryChunk {
		clipOf(ys, xs, lo, hi) // no closure to allocate
		return
	}
	rc.Parallel(len(ys), unaryChunk, func(l, h int) { clipOf(ys[l:h], xs[l:h], lo, hi) })
}
