package resize

import (
	"fmt"
	"math"

	"github.com/onnxrun/onnxrun/operators"
	"github.com/onnxrun/onnxrun/operators/internal/inputs"
)

type interp int

const (
	nearest interp = iota
	linear
	cubic
)

// Resize is one Resize or Upsample node.
type Resize struct {
	mode       interp
	coord      string
	nearest    string
	cubicA     float64
	excludeOut bool
	extrap     float64
	axes       []int64 // opset 18
	keepAspect string

	// Input positions (-1 when the version has no such input).
	roiIn, scalesIn, sizesIn int
	attrScales               []float32 // Upsample-7
}

func str(n *operators.Node, name, def string, allowed ...string) (string, error) {
	s, err := n.String(name, def)
	if err != nil {
		return "", err
	}
	for _, a := range allowed {
		if s == a {
			return s, nil
		}
	}
	return "", &operators.AttributeError{Attr: name, Reason: fmt.Sprintf("%q is not one of %v", s, allowed)}
}

func parseMode(n *operators.Node, modes ...string) (interp, error) {
	m, err := str(n, "mode", "nearest", modes...)
	if err != nil {
		return 0, err
	}
	switch m {
	case "linear", "bilinear": // Upsample-7 spelled it bilinear in some exporters
		return linear, nil
	case "cubic":
		return cubic, nil
	}
	return nearest, nil
}

func newUpsample(n *operators.Node) (operators.Op, error) {
	if err := inputs.Check(n, opsetPick(n, 9, 1, 2), opsetPick(n, 9, 1, 2)); err != nil {
		return nil, err
	}
	r := &Resize{coord: "asymmetric", nearest: "floor", roiIn: -1, sizesIn: -1, scalesIn: 1}
	var err error
	if r.mode, err = parseMode(n, "nearest", "linear", "bilinear"); err != nil {
		return nil, err
	}
	if n.Opset < 9 {
		s, ok, err := n.Floats("scales")
		if err != nil {
			return nil, err
		}
		if !ok {
			return nil, &operators.AttributeError{Attr: "scales", Reason: "is required before opset 9"}
		}
		r.attrScales, r.scalesIn = s, -1
	}
	return r, nil
}

func newResize(n *operators.Node) (operators.Op, error) {
	if err := inputs.Check(n, opsetPick(n, 11, 2, 1), opsetPick(n, 11, 2, 4)); err != nil {
		return nil, err
	}
	r := &Resize{roiIn: 1, scalesIn: 2, sizesIn: 3}
	var err error
	if n.Opset < 11 {
		// Resize-10 is Upsample-9 under a new name. It has no
		// nearest_mode; ONNX Runtime floors when upsampling and rounds up
		// when downsampling ("simple"), and models exported at opset 10
		// were checked against that.
		r.roiIn, r.scalesIn, r.sizesIn = -1, 1, -1
		r.coord, r.nearest = "asymmetric", "simple"
		if r.mode, err = parseMode(n, "nearest", "linear"); err != nil {
			return nil, err
		}
		return r, nil
	}
	if r.mode, err = parseMode(n, "nearest", "linear", "cubic"); err != nil {
		return nil, err
	}
	if r.coord, err = str(n, "coordinate_transformation_mode", "half_pixel",
		"half_pixel", "half_pixel_symmetric", "pytorch_half_pixel", "align_corners", "asymmetric", "tf_half_pixel_for_nn", "tf_crop_and_resize"); err != nil {
		return nil, err
	}
	if r.nearest, err = str(n, "nearest_mode", "round_prefer_floor", "round_prefer_floor", "round_prefer_ceil", "floor", "ceil"); err != nil {
		return nil, err
	}
	a, err := n.Float("cubic_coeff_a", -0.75)
	if err != nil {
		return nil, err
	}
	r.cubicA = float64(a)
	ex, err := n.Int("exclude_outside", 0)
	if err != nil {
		return nil, err
	}
	if ex != 0 && ex != 1 {
		return nil, &operators.AttributeError{Attr: "exclude_outside", Reason: fmt.Sprintf("is %d, want 0 or 1", ex)}
	}
	r.excludeOut = ex == 1
	ev, err := n.Float("extrapolation_value", 0)
	if err != nil {
		return nil, err
	}
	r.extrap = float64(ev)
	aa, err := n.Int("antialias", 0)
	if err != nil {
		return nil, err
	}
	if aa != 0 {
		return nil, fmt.Errorf("%w: Resize with antialias=1", operators.ErrUnsupportedOp)
	}
	if r.axes, _, err = n.Ints("axes"); err != nil {
		return nil, err
	}
	if r.keepAspect, err = str(n, "keep_aspect_ratio_policy", "stretch", "stretch", "not_larger", "not_smaller"); err != nil {
		return nil, err
	}
	return r, nil
}

func inputErr(idx int, name, format string, args ...any) error {
	return fmt.Errorf("%w: input %d (%s): %s", operators.ErrShape, idx, name, fmt.Sprintf(format, args...))
}

// plan is a resolved resize for one input shape.
type plan struct {
	out          []int
	scale        []float64 // out/in, or the given scale
	roiLo, roiHi []float64
}

func floats(v *operators.Value, idx int, name string) ([]float64, error) {
	n := v.Len()
	switch v.DType {
	case operators.Float32:
		out := make([]float64, n)
		for i, x := range v.F32()[:n] {
			out[i] = float64(x)
		}
		return out, nil
	case operators.Float64:
		return append([]float64(nil), v.F64()[:n]...), nil
	}
	return nil, fmt.Errorf("%w: input %d (%s) has type %v, want float32 or float64", operators.ErrUnsupportedType, idx, name, v.DType)
}

func (r *Resize) axisList(rank int) ([]int, error) {
	if r.axes == nil {
		ax := make([]int, rank)
		for i := range ax {
			ax[i] = i
		}
		return ax, nil
	}
	ax := make([]int, len(r.axes))
	seen := make([]bool, rank)
	for i, a := range r.axes {
		d, err := operators.NormAxis("axes", a, rank)
		if err != nil {
			return nil, err
		}
		if seen[d] {
			return nil, &operators.AttributeError{Attr: "axes", Reason: fmt.Sprintf("axis %d appears twice", a)}
		}
		seen[d] = true
		ax[i] = d
	}
	return ax, nil
}

// resolve computes the output shape. get returns input i (nil when absent
// or, at load time, unknown; ok false when unknown).
func (r *Resize) resolve(in []int, get func(i int) (*operators.Value, bool)) (*plan, bool, error) {
	rank := len(in)
	axes, err := r.axisList(rank)
	if err != nil {
		return nil, false, err
	}
	p := &plan{out: append([]int(nil), in...), scale: make([]float64, rank), roiLo: make([]float64, rank), roiHi: make([]float64, rank)}
	for i := range p.scale {
		p.scale[i], p.roiHi[i] = 1, 1
	}
	var scales, sizes, roi []float64
	if r.attrScales != nil {
		for _, s := range r.attrScales {
			scales = append(scales, float64(s))
		}
	}
	fetch := func(idx int, name string) ([]float64, bool, error) {
		if idx < 0 {
			return nil, true, nil
		}
		v, ok := get(idx)
		if !ok {
			return nil, false, nil
		}
		if v == nil || v.Len() == 0 {
			return nil, true, nil
		}
		if name == "sizes" {
			if v.DType != operators.Int64 {
				return nil, false, fmt.Errorf("%w: input %d (sizes) has type %v, want int64", operators.ErrUnsupportedType, idx, v.DType)
			}
			out := make([]float64, v.Len())
			for i, x := range v.I64()[:v.Len()] {
				out[i] = float64(x)
			}
			return out, true, nil
		}
		f, err := floats(v, idx, name)
		return f, true, err
	}
	var ok bool
	if scales == nil {
		if scales, ok, err = fetch(r.scalesIn, "scales"); err != nil || !ok {
			return nil, false, err
		}
	}
	if sizes, ok, err = fetch(r.sizesIn, "sizes"); err != nil || !ok {
		return nil, false, err
	}
	if roi, ok, err = fetch(r.roiIn, "roi"); err != nil || !ok {
		return nil, false, err
	}
	if (scales == nil) == (sizes == nil) {
		return nil, false, fmt.Errorf("%w: exactly one of scales and sizes must be given", operators.ErrInvalidModel)
	}
	crop := r.coord == "tf_crop_and_resize"
	if crop && roi != nil {
		if len(roi) != 2*len(axes) {
			return nil, false, inputErr(r.roiIn, "roi", "has %d values, want %d (starts and ends of %d axes)", len(roi), 2*len(axes), len(axes))
		}
		for i, d := range axes {
			p.roiLo[d], p.roiHi[d] = roi[i], roi[len(axes)+i]
		}
	}
	if scales != nil {
		if len(scales) != len(axes) {
			return nil, false, inputErr(r.scalesIn, "scales", "has %d values, want %d", len(scales), len(axes))
		}
		for i, d := range axes {
			s := scales[i]
			if !(s > 0) || math.IsInf(s, 0) {
				return nil, false, inputErr(r.scalesIn, "scales", "value %g is not positive", s)
			}
			p.scale[d] = s
			size := float64(in[d]) * s
			if crop {
				size *= p.roiHi[d] - p.roiLo[d]
			}
			if size > 1<<40 {
				return nil, false, inputErr(r.scalesIn, "scales", "value %g makes axis %d too large", s, d)
			}
			p.out[d] = int(math.Floor(size))
		}
		return p, true, nil
	}
	if len(sizes) != len(axes) {
		return nil, false, inputErr(r.sizesIn, "sizes", "has %d values, want %d", len(sizes), len(axes))
	}
	for i := range axes {
		if sizes[i] < 0 || sizes[i] > 1<<40 {
			return nil, false, inputErr(r.sizesIn, "sizes", "value %g is out of range", sizes[i])
		}
	}
	if r.keepAspect != "stretch" && r.keepAspect != "" {
		s := math.Inf(1)
		if r.keepAspect == "not_smaller" {
			s = math.Inf(-1)
		}
		for i, d := range axes {
			v := sizes[i] / float64(in[d])
			if r.keepAspect == "not_larger" {
				s = math.Min(s, v)
			} else {
				s = math.Max(s, v)
			}
		}
		for _, d := range axes {
			p.scale[d] = s
			p.out[d] = int(math.Floor(s*float64(in[d]) + 0.5))
		}
		return p, true, nil
	}
	for i, d := range axes {
		p.out[d] = int(sizes[i])
		if in[d] > 0 {
			p.scale[d] = sizes[i] / float64(in[d])
		}
	}
	return p, true, nil
}

func checkType(dt operators.DType) error {
	if dt != operators.Float32 && dt != operators.Float64 {
		return fmt.Errorf("%w: %v (want float32 or float64)", operators.ErrUnsupportedType, dt)
	}
	return nil
}

// Infer implements operators.Op.
func (r *Resize) Infer(in []operators.Meta, consts []*operators.Value) ([]operators.Meta, error) {
	if err := checkType(in[0].DType); err != nil {
		return nil, err
	}
	out := operators.Meta{DType: in[0].DType}
	if !in[0].HasShape {
		return []operators.Meta{out}, nil
	}
	for _, d := range in[0].Shape {
		if d < 0 {
			out.Shape, out.HasShape = make([]int, len(in[0].Shape)), true
			for i := range out.Shape {
				out.Shape[i] = -1
			}
			return []operators.Meta{out}, nil
		}
	}
	p, ok, err := r.resolve(in[0].Shape, func(i int) (*operators.Value, bool) {
		if i >= len(in) || in[i].DType == operators.Undefined {
			return nil, true
		}
		if i < len(consts) && consts[i] != nil {
			return consts[i], true
		}
		return nil, false
	})
	if err != nil {
		return nil, err
	}
	out.HasShape = true
	if !ok {
		out.Shape = make([]int, len(in[0].Shape))
		for i := range out.Shape {
			out.Shape[i] = -1
		}
		return []operators.Meta{out}, nil
	}
	out.Shape = p.out
	return []operators.Meta{out}, nil
}

// Run implements operators.Op.
func (r *Resize) Run(rc *operators.RunContext, in, out []*operators.Value) error {
	x := in[0]
	if err := checkType(x.DType); err != nil {
		return err
	}
	p, _, err := r.resolve(x.Shape, func(i int) (*operators.Value, bool) {
		if i < len(in) {
			return in[i], true
		}
		return nil, true
	})
	if err != nil {
		return err
	}
	y, err := rc.AllocValue(x.DType, p.out, false)
	if err != nil {
		return err
	}
	out[0] = y
	if y.Len() == 0 {
		return nil
	}
	if x.Len() == 0 {
		return inputErr(0, "X", "is empty but the output %v is not", p.out)
	}
	var buf []float64
	switch x.DType {
	case operators.Float32:
		buf = make([]float64, x.Len())
		for i, v := range x.F32()[:x.Len()] {
			buf[i] = float64(v)
		}
	case operators.Float64:
		buf = append([]float64(nil), x.F64()[:x.Len()]...)
	}
	shape := append([]int(nil), x.Shape...)
	var outside [][]bool // per axis: output indices sampling outside the input (crop mode)
	for d := range shape {
		crop := r.coord == "tf_crop_and_resize"
		if p.out[d] == shape[d] && p.scale[d] == 1 && !crop {
			continue
		}
		taps, bad := r.taps(shape[d], p.out[d], p.scale[d], p.roiLo[d], p.roiHi[d])
		if bad != nil {
			if outside == nil {
				outside = make([][]bool, len(shape))
			}
			outside[d] = bad
		}
		buf = resample(rc, buf, shape, d, p.out[d], taps)
		shape[d] = p.out[d]
	}
	if outside != nil {
		markOutside(buf, shape, outside, r.extrap)
	}
	switch x.DType {
	case operators.Float32:
		dst := y.F32()
		for i, v := range buf {
			dst[i] = float32(v)
		}
	case operators.Float64:
		copy(y.F64(), buf)
	}
	return nil
}

// tap is one input index and its weight.
type tap struct {
	idx int
	w   float64
}

// taps returns, for every output index along one axis, the input indices
// and weights that produce it, and (crop mode) which outputs fall outside
// the input.
func (r *Resize) taps(inN, outN int, scale, roiLo, roiHi float64) ([][]tap, []bool) {
	res := make([][]tap, outN)
	var bad []bool
	for i := 0; i < outN; i++ {
		x, out := r.coordinate(i, inN, outN, scale, roiLo, roiHi)
		if out {
			if bad == nil {
				bad = make([]bool, outN)
			}
			bad[i] = true
			res[i] = []tap{{0, 0}}
			continue
		}
		clampIdx := func(j int) int { return max(0, min(j, inN-1)) }
		switch r.mode {
		case nearest:
			res[i] = []tap{{clampIdx(r.round(x, scale)), 1}}
		case linear:
			x0 := math.Floor(x)
			t := x - x0
			j := int(x0)
			if x < 0 {
				res[i] = []tap{{0, 1}}
				continue
			}
			if x > float64(inN-1) {
				res[i] = []tap{{inN - 1, 1}}
				continue
			}
			res[i] = []tap{{clampIdx(j), 1 - t}, {clampIdx(j + 1), t}}
		case cubic:
			x0 := math.Floor(x)
			t := x - x0
			j := int(x0)
			a := r.cubicA
			w := [4]float64{
				((a*(t+1)-5*a)*(t+1)+8*a)*(t+1) - 4*a,
				((a+2)*t-(a+3))*t*t + 1,
				((a+2)*(1-t)-(a+3))*(1-t)*(1-t) + 1,
				((a*(2-t)-5*a)*(2-t)+8*a)*(2-t) - 4*a,
			}
			var ts []tap
			sum := 0.0
			for k := 0; k < 4; k++ {
				idx := j - 1 + k
				if r.excludeOut && (idx < 0 || idx >= inN) {
					continue
				}
				ts = append(ts, tap{clampIdx(idx), w[k]})
				sum += w[k]
			}
			if r.excludeOut && sum != 0 {
				for k := range ts {
					ts[k].w /= sum
				}
			}
			res[i] = ts
		}
	}
	return res, bad
}

// coordinate maps output index i to a position in the input; outside
// reports a crop-mode position past the input's ends.
func (r *Resize) coordinate(i, inN, outN int, scale, roiLo, roiHi float64) (x float64, outside bool) {
	fi, fin, fout := float64(i), float64(inN), float64(outN)
	switch r.coord {
	case "half_pixel":
		x = (fi+0.5)/scale - 0.5
	case "half_pixel_symmetric":
		adj := fout / (fin * scale)
		center := fin / 2
		x = center*(1-adj) + (fi+0.5)/scale - 0.5
	case "pytorch_half_pixel":
		if outN > 1 {
			x = (fi+0.5)/scale - 0.5
		}
	case "align_corners":
		// The spec's length_resized is the unrounded in*scale, so a
		// downscale by 0.6 of 4 samples divides by 1.4, not by 1.
		if outN > 1 {
			x = fi * (fin - 1) / (fin*scale - 1)
		}
	case "asymmetric":
		x = fi / scale
	case "tf_half_pixel_for_nn":
		x = (fi + 0.5) / scale
	case "tf_crop_and_resize":
		if outN > 1 {
			x = roiLo*(fin-1) + fi*(roiHi-roiLo)*(fin-1)/(fout-1)
		} else {
			x = 0.5 * (roiLo + roiHi) * (fin - 1)
		}
		if x < 0 || x > fin-1 {
			return x, true
		}
	}
	return x, false
}

// round picks the nearest input index for x.
func (r *Resize) round(x, scale float64) int {
	switch r.nearest {
	case "simple":
		if scale < 1 {
			return int(math.Ceil(x))
		}
		return int(math.Floor(x))
	case "floor":
		return int(math.Floor(x))
	case "ceil":
		return int(math.Ceil(x))
	case "round_prefer_ceil":
		if x-math.Floor(x) == 0.5 {
			return int(math.Ceil(x))
		}
		return int(math.Round(x))
	default: // round_prefer_floor
		if x-math.Floor(x) == 0.5 {
			return int(math.Floor(x))
		}
		return int(math.Round(x))
	}
}

// resample resizes axis d of buf (shape) to outN using taps.
func resample(rc *operators.RunContext, buf []float64, shape []int, d, outN int, taps [][]tap) []float64 {
	outer := operators.NumElements(shape[:d])
	inner := operators.NumElements(shape[d+1:])
	inN := shape[d]
	dst := make([]float64, outer*outN*inner)
	rc.Parallel(outer, 1, func(lo, hi int) {
		for o := lo; o < hi; o++ {
			for j := 0; j < outN; j++ {
				row := dst[(o*outN+j)*inner : (o*outN+j+1)*inner]
				for _, t := range taps[j] {
					src := buf[(o*inN+t.idx)*inner : (o*inN+t.idx+1)*inner]
					for k, v := range src {
						row[k] += t.w * v
					}
				}
			}
		}
	})
	return dst
}

// markOutside sets every element with an outside coordinate on some axis
// to the extrapolation value.
func markOutside(buf []float64, shape []int, outside [][]bool, v float64) {
	idx := make([]int, len(shape))
	for k := range buf {
		for d, b := range outside {
			if b != nil && b[idx[d]] {
				buf[k] = v
				break
			}
		}
		for d := len(shape) - 1; d >= 0; d-- {
			idx[d]++
			if idx[d] < shape[d] {
				break
			}
			idx[d] = 0
		}
	}
}
