package signal

import (
	"fmt"

	"github.com/onnxrun/onnxrun/operators"
	"github.com/onnxrun/onnxrun/operators/internal/half"
	"github.com/onnxrun/onnxrun/operators/internal/inputs"
)

func boolAttr(n *operators.Node, name string, def int64) (bool, error) {
	v, err := n.Int(name, def)
	if err != nil {
		return false, err
	}
	if v != 0 && v != 1 {
		return false, &operators.AttributeError{Attr: name, Reason: fmt.Sprintf("is %d, want 0 or 1", v)}
	}
	return v == 1, nil
}

// read returns v's elements as float64.
func read(v *operators.Value) ([]float64, error) {
	out := make([]float64, v.Len())
	switch v.DType {
	case operators.Float32:
		for i, x := range v.F32() {
			out[i] = float64(x)
		}
	case operators.Float64:
		copy(out, v.F64())
	case operators.Float16:
		for i, h := range v.U16() {
			out[i] = float64(half.FromFloat16(h))
		}
	case operators.BFloat16:
		for i, h := range v.U16() {
			out[i] = float64(half.FromBFloat16(h))
		}
	default:
		return nil, fmt.Errorf("%w: %v, want a float type", operators.ErrUnsupportedType, v.DType)
	}
	return out, nil
}

func write(v *operators.Value, src []float64) {
	switch v.DType {
	case operators.Float32:
		for i, x := range src {
			v.F32()[i] = float32(x)
		}
	case operators.Float64:
		copy(v.F64(), src)
	case operators.Float16:
		for i, x := range src {
			v.U16()[i] = half.ToFloat16(float32(x))
		}
	case operators.BFloat16:
		for i, x := range src {
			v.U16()[i] = half.ToBFloat16(float32(x))
		}
	}
}

// intScalar reads a one-element int32 or int64 tensor.
func intScalar(v *operators.Value, what string) (int, error) {
	if v.Len() != 1 {
		return 0, fmt.Errorf("%w: %s has shape %v, want a scalar", operators.ErrShape, what, v.Shape)
	}
	var x int64
	switch v.DType {
	case operators.Int32:
		x = int64(v.I32()[0])
	case operators.Int64:
		x = v.I64()[0]
	default:
		return 0, fmt.Errorf("%w: %s is %v, want int32 or int64", operators.ErrInvalidModel, what, v.DType)
	}
	if x < 0 || x > 1<<31 {
		return 0, fmt.Errorf("%w: %s is %d", operators.ErrInvalidModel, what, x)
	}
	return int(x), nil
}

// ---- DFT ----

type dft struct {
	since             int
	axis              int64 // attribute (opset 17); input 2 from opset 20
	inverse, onesided bool
}

func newDFT(since int) operators.Factory {
	return func(n *operators.Node) (operators.Op, error) {
		maxIn := 2
		if since >= 20 {
			maxIn = 3
		}
		if err := inputs.Check(n, 1, maxIn); err != nil {
			return nil, err
		}
		o := &dft{since: since, axis: -2}
		var err error
		if since < 20 {
			if o.axis, err = n.Int("axis", 1); err != nil {
				return nil, err
			}
		}
		if o.inverse, err = boolAttr(n, "inverse", 0); err != nil {
			return nil, err
		}
		if o.onesided, err = boolAttr(n, "onesided", 0); err != nil {
			return nil, err
		}
		if o.inverse && o.onesided {
			return nil, fmt.Errorf("%w: DFT with onesided=1 and inverse=1 (IRFFT) is not supported", operators.ErrUnsupportedOp)
		}
		return o, nil
	}
}

// geometry resolves the axis and the transform length for input shape s.
func (o *dft) geometry(s []int, in []*operators.Value) (axis, length int, err error) {
	r := len(s)
	if r < 2 || (s[r-1] != 1 && s[r-1] != 2) {
		return 0, 0, fmt.Errorf("%w: DFT input of shape %v, want [..., 1 or 2]", operators.ErrShape, s)
	}
	a := o.axis
	if o.since >= 20 && len(in) > 2 && in[2] != nil {
		if in[2].DType != operators.Int64 || in[2].Len() != 1 {
			return 0, 0, fmt.Errorf("%w: DFT axis (input 2) must be one int64", operators.ErrInvalidModel)
		}
		a = in[2].I64()[0]
	}
	if a < 0 {
		a += int64(r)
	}
	if a < 0 || a > int64(r-2) {
		return 0, 0, &operators.AttributeError{Attr: "axis", Reason: fmt.Sprintf("%d is out of range for input rank %d (the last dimension holds complex parts)", o.axis, r)}
	}
	axis, length = int(a), s[a]
	if len(in) > 1 && in[1] != nil {
		if length, err = intScalar(in[1], "DFT dft_length (input 1)"); err != nil {
			return 0, 0, err
		}
		if length == 0 {
			return 0, 0, fmt.Errorf("%w: DFT dft_length is 0", operators.ErrInvalidModel)
		}
	}
	if o.onesided && s[r-1] == 2 {
		return 0, 0, fmt.Errorf("%w: a one-sided DFT needs a real input ([..., 1]), got shape %v", operators.ErrShape, s)
	}
	return axis, length, nil
}

func (o *dft) outShape(s []int, axis, length int) []int {
	out := append([]int(nil), s...)
	out[axis] = length
	if o.onesided {
		out[axis] = length/2 + 1
	}
	out[len(out)-1] = 2
	return out
}

func (o *dft) Infer(in []operators.Meta, consts []*operators.Value) ([]operators.Meta, error) {
	if len(in) < 1 {
		return nil, fmt.Errorf("%w: DFT needs its input", operators.ErrInvalidModel)
	}
	dt := in[0].DType
	if !dt.IsFloat() {
		return nil, fmt.Errorf("%w: DFT of %v", operators.ErrUnsupportedType, dt)
	}
	if !in[0].HasShape {
		return []operators.Meta{{DType: dt}}, nil
	}
	for _, d := range in[0].Shape {
		if d < 0 {
			return []operators.Meta{{DType: dt}}, nil
		}
	}
	known := true
	for i := 1; i < len(in); i++ {
		if in[i].DType != operators.Undefined && (len(consts) <= i || consts[i] == nil) {
			known = false
		}
	}
	if !known {
		return []operators.Meta{{DType: dt}}, nil
	}
	axis, length, err := o.geometry(in[0].Shape, consts)
	if err != nil {
		return nil, err
	}
	return []operators.Meta{{DType: dt, Shape: o.outShape(in[0].Shape, axis, length), HasShape: true}}, nil
}

func (o *dft) Run(rc *operators.RunContext, in, out []*operators.Value) error {
	if len(in) < 1 || in[0] == nil {
		return fmt.Errorf("%w: DFT needs its input", operators.ErrInvalidModel)
	}
	x := in[0]
	xs, err := read(x)
	if err != nil {
		return fmt.Errorf("DFT: %w", err)
	}
	axis, length, err := o.geometry(x.Shape, in)
	if err != nil {
		return err
	}
	os := o.outShape(x.Shape, axis, length)
	y, err := rc.AllocValue(x.DType, os, false)
	if err != nil {
		return err
	}
	r := len(x.Shape)
	c := x.Shape[r-1]
	n := x.Shape[axis]
	outer, inner := 1, 1
	for _, d := range x.Shape[:axis] {
		outer *= d
	}
	for _, d := range x.Shape[axis+1 : r-1] {
		inner *= d
	}
	bins := os[axis]
	ys := make([]float64, y.Len())
	re, im := make([]float64, length), make([]float64, length)
	for a := 0; a < outer; a++ {
		for j := 0; j < inner; j++ {
			clear(re)
			clear(im)
			for k := 0; k < min(n, length); k++ {
				p := ((a*n+k)*inner + j) * c
				re[k] = xs[p]
				if c == 2 {
					im[k] = xs[p+1]
				}
			}
			transform(re, im, o.inverse)
			for k := 0; k < bins; k++ {
				p := ((a*bins+k)*inner + j) * 2
				ys[p], ys[p+1] = re[k], im[k]
			}
		}
	}
	write(y, ys)
	out[0] = y
	return nil
}

// ---- STFT ----

type stft struct {
	onesided bool
}

func newSTFT(n *operators.Node) (operators.Op, error) {
	if err := inputs.Check(n, 2, 4); err != nil {
		return nil, err
	}
	one, err := boolAttr(n, "onesided", 1)
	if err != nil {
		return nil, err
	}
	return &stft{onesided: one}, nil
}

func (o *stft) Infer(in []operators.Meta, _ []*operators.Value) ([]operators.Meta, error) {
	if len(in) < 2 || len(in) > 4 {
		return nil, fmt.Errorf("%w: STFT takes 2 to 4 inputs, got %d", operators.ErrInvalidModel, len(in))
	}
	dt := in[0].DType
	if !dt.IsFloat() {
		return nil, fmt.Errorf("%w: STFT of %v", operators.ErrUnsupportedType, dt)
	}
	return []operators.Meta{{DType: dt, Shape: []int{-1, -1, -1, 2}, HasShape: true}}, nil
}

func (o *stft) Run(rc *operators.RunContext, in, out []*operators.Value) error {
	if len(in) < 2 || in[0] == nil || in[1] == nil {
		return fmt.Errorf("%w: STFT needs signal and frame_step", operators.ErrInvalidModel)
	}
	x := in[0]
	if len(x.Shape) != 3 || (x.Shape[2] != 1 && x.Shape[2] != 2) {
		return fmt.Errorf("%w: STFT signal of shape %v, want [batch, length, 1 or 2]", operators.ErrShape, x.Shape)
	}
	xs, err := read(x)
	if err != nil {
		return fmt.Errorf("STFT: %w", err)
	}
	step, err := intScalar(in[1], "STFT frame_step (input 1)")
	if err != nil {
		return err
	}
	if step == 0 {
		return fmt.Errorf("%w: STFT frame_step is 0", operators.ErrInvalidModel)
	}
	var win []float64
	if len(in) > 2 && in[2] != nil {
		if len(in[2].Shape) != 1 {
			return fmt.Errorf("%w: STFT window of shape %v, want 1-D", operators.ErrShape, in[2].Shape)
		}
		if win, err = read(in[2]); err != nil {
			return fmt.Errorf("STFT window: %w", err)
		}
	}
	fl := len(win)
	if len(in) > 3 && in[3] != nil {
		if fl, err = intScalar(in[3], "STFT frame_length (input 3)"); err != nil {
			return err
		}
		if win != nil && len(win) != fl {
			return fmt.Errorf("%w: STFT window of length %d, frame_length %d", operators.ErrShape, len(win), fl)
		}
	}
	if fl == 0 {
		return fmt.Errorf("%w: STFT needs a window or a frame_length", operators.ErrInvalidModel)
	}
	batch, length, c := x.Shape[0], x.Shape[1], x.Shape[2]
	if o.onesided && c == 2 {
		return fmt.Errorf("%w: a one-sided STFT needs a real signal", operators.ErrShape)
	}
	if length < fl {
		return fmt.Errorf("%w: STFT signal of length %d is shorter than a frame (%d)", operators.ErrShape, length, fl)
	}
	frames := (length-fl)/step + 1
	bins := fl
	if o.onesided {
		bins = fl/2 + 1
	}
	y, err := rc.AllocValue(x.DType, []int{batch, frames, bins, 2}, false)
	if err != nil {
		return err
	}
	ys := make([]float64, y.Len())
	re, im := make([]float64, fl), make([]float64, fl)
	for b := 0; b < batch; b++ {
		for f := 0; f < frames; f++ {
			for k := 0; k < fl; k++ {
				p := (b*length + f*step + k) * c
				w := 1.0
				if win != nil {
					w = win[k]
				}
				re[k] = xs[p] * w
				im[k] = 0
				if c == 2 {
					im[k] = xs[p+1] * w
				}
			}
			transform(re, im, false)
			for k := 0; k < bins; k++ {
				p := ((b*frames+f)*bins + k) * 2
				ys[p], ys[p+1] = re[k], im[k]
			}
		}
	}
	write(y, ys)
	out[0] = y
	return nil
}
