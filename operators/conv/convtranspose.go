package conv

import (
	"fmt"
	"sync"

	"github.com/onnxrun/onnxrun/operators"
	eng "github.com/onnxrun/onnxrun/operators/internal/gemm"
	"github.com/onnxrun/onnxrun/operators/internal/inputs"
	"github.com/onnxrun/onnxrun/operators/internal/memo"
	"github.com/onnxrun/onnxrun/operators/internal/spatial"
)

// ConvTranspose is the gradient of Conv with respect to its input: each
// input pixel scatters a kernel-sized patch, weighted by W, into the
// output. It runs as a GEMM (W transposed times X gives every patch)
// followed by col2im, which adds the patches into place.
type ConvTranspose struct {
	attrs       *spatial.Attrs
	group       int
	outPadding  []int
	outputShape []int
	pool32      sync.Pool
	pool64      sync.Pool
	last        memo.Last[*geometry]
}

func newConvTranspose(n *operators.Node) (operators.Op, error) {
	if err := inputs.Check(n, 2, 3); err != nil {
		return nil, err
	}
	a, err := spatial.Parse(n, false)
	if err != nil {
		return nil, err
	}
	g, err := n.Int("group", 1)
	if err != nil {
		return nil, err
	}
	if g < 1 || g > 1<<30 {
		return nil, &operators.AttributeError{Attr: "group", Reason: fmt.Sprintf("is %d, want >= 1", g)}
	}
	c := &ConvTranspose{attrs: a, group: int(g)}
	for _, f := range []struct {
		name string
		dst  *[]int
	}{{"output_padding", &c.outPadding}, {"output_shape", &c.outputShape}} {
		v, ok, err := n.Ints(f.name)
		if err != nil {
			return nil, err
		}
		if !ok {
			continue
		}
		*f.dst = make([]int, len(v))
		for i, x := range v {
			if x < 0 || x > 1<<30 {
				return nil, &operators.AttributeError{Attr: f.name, Reason: fmt.Sprintf("element %d is %d, want >= 0", i, x)}
			}
			(*f.dst)[i] = int(x)
		}
	}
	if len(n.Inputs) < 2 || len(n.Inputs) > 3 {
		return nil, fmt.Errorf("%w: ConvTranspose takes 2 or 3 inputs, got %d", operators.ErrInvalidModel, len(n.Inputs))
	}
	return c, nil
}

func (c *ConvTranspose) resolve(x, w, b []int) (*geometry, error) {
	if len(x) < 3 || len(x) > 5 {
		return nil, shapeErr(0, "X", "rank %d, want 3, 4 or 5 (N, C and 1 to 3 spatial dimensions)", len(x))
	}
	if len(w) != len(x) {
		return nil, shapeErr(1, "W", "rank %d, want %d like X", len(w), len(x))
	}
	r := len(x) - 2
	geo := &geometry{n: x[0], c: x[1], g: c.group}
	if w[0] != geo.c {
		return nil, shapeErr(1, "W", "shape %v has %d input channels, X has %d", w, w[0], geo.c)
	}
	if geo.c%geo.g != 0 {
		return nil, &operators.AttributeError{Attr: "group", Reason: fmt.Sprintf("%d does not divide the %d input channels", geo.g, geo.c)}
	}
	geo.cg, geo.mg = geo.c/geo.g, w[1]
	geo.m = geo.mg * geo.g
	kernel := w[2:]
	if c.attrs.Kernel != nil {
		if len(c.attrs.Kernel) != r {
			return nil, &operators.AttributeError{Attr: "kernel_shape", Reason: fmt.Sprintf("has %d dimensions, input has %d spatial dimensions", len(c.attrs.Kernel), r)}
		}
		for i := range kernel {
			if kernel[i] != c.attrs.Kernel[i] {
				return nil, &operators.AttributeError{Attr: "kernel_shape", Reason: fmt.Sprintf("%v does not match W's spatial shape %v", c.attrs.Kernel, kernel)}
			}
		}
	}
	if b != nil && (len(b) != 1 || b[0] != geo.m) {
		return nil, shapeErr(2, "B", "shape %v, want [%d]", b, geo.m)
	}
	check := func(name string, v []int, n int) error {
		if v != nil && len(v) != n {
			return &operators.AttributeError{Attr: name, Reason: fmt.Sprintf("has %d elements, want %d for %d spatial dimensions", len(v), n, r)}
		}
		return nil
	}
	a := c.attrs
	for _, s := range []struct {
		name string
		v    []int
		n    int
	}{{"strides", a.Strides, r}, {"dilations", a.Dilations, r}, {"pads", a.Pads, 2 * r}, {"output_padding", c.outPadding, r}, {"output_shape", c.outputShape, r}} {
		if err := check(s.name, s.v, s.n); err != nil {
			return nil, err
		}
	}
	at := func(v []int, i, def int) int {
		if v == nil {
			return def
		}
		return v[i]
	}
	for i := range 3 {
		geo.in[i], geo.k[i], geo.s[i], geo.d[i], geo.out[i] = 1, 1, 1, 1, 1
	}
	off := 3 - r
	out := make([]int, r)
	for i := 0; i < r; i++ {
		in, k, s, d := x[2+i], kernel[i], at(a.Strides, i, 1), at(a.Dilations, i, 1)
		op := at(c.outPadding, i, 0)
		if op >= s && op >= d {
			return nil, &operators.AttributeError{Attr: "output_padding", Reason: fmt.Sprintf("element %d is %d, want less than the stride %d or the dilation %d", i, op, s, d)}
		}
		full := s*(in-1) + op + d*(k-1) + 1 // output size before padding
		var pb, o int
		switch {
		case c.outputShape != nil || a.AutoPad == spatial.SameUpper || a.AutoPad == spatial.SameLower:
			o = in * s
			if c.outputShape != nil {
				o = c.outputShape[i]
			}
			// The total may be negative (an output larger than the
			// transposed convolution covers); halves round down as in the
			// ONNX reference, so the extra zeros go at the end.
			total := full - o
			if a.AutoPad == spatial.SameUpper {
				pb = floorHalf(total)
			} else {
				pb = total - floorHalf(total)
			}
		case a.AutoPad == spatial.Valid:
			o = full
		default:
			pb = at(a.Pads, i, 0)
			o = full - pb - at(a.Pads, r+i, 0)
		}
		if o < 0 {
			return nil, fmt.Errorf("%w: spatial dimension %d: output size %d is negative", operators.ErrShape, i, o)
		}
		out[i] = o
		geo.in[off+i], geo.k[off+i], geo.s[off+i], geo.d[off+i] = in, k, s, d
		geo.pb[off+i], geo.out[off+i] = pb, o
	}
	geo.outShape = append([]int{geo.n, geo.m}, out...)
	kVol := geo.k[0] * geo.k[1] * geo.k[2]
	if err := geo.checkScratch(geo.mg*kVol, geo.in); err != nil {
		return nil, err
	}
	geo.colShape = []int{geo.mg * kVol * geo.in[0] * geo.in[1] * geo.in[2]}
	return geo, nil
}

// Infer implements operators.Op.
func (c *ConvTranspose) Infer(in []operators.Meta, consts []*operators.Value) ([]operators.Meta, error) {
	dt := in[0].DType
	if dt != operators.Float32 && dt != operators.Float64 {
		return nil, fmt.Errorf("%w: %v (want float32 or float64)", operators.ErrUnsupportedType, dt)
	}
	out := operators.Meta{DType: dt}
	if !in[0].HasShape || !in[1].HasShape {
		return []operators.Meta{out}, nil
	}
	if r := len(in[0].Shape); r < 3 || r > 5 {
		return nil, shapeErr(0, "X", "rank %d, want 3, 4 or 5 (N, C and 1 to 3 spatial dimensions)", r)
	}
	x := append([]int(nil), in[0].Shape...)
	for _, d := range append(append([]int(nil), x[min(1, len(x)):]...), in[1].Shape...) {
		if d < 0 {
			out.Shape = make([]int, len(x))
			for i := range out.Shape {
				out.Shape[i] = -1
			}
			out.HasShape = true
			return []operators.Meta{out}, nil
		}
	}
	unknownN := len(x) > 0 && x[0] < 0
	if unknownN {
		x[0] = 1
	}
	var b []int
	if len(in) > 2 && in[2].HasShape {
		b = in[2].Shape
	}
	geo, err := c.resolve(x, in[1].Shape, b)
	if err != nil {
		return nil, err
	}
	out.Shape, out.HasShape = geo.outShape, true
	if unknownN {
		out.Shape[0] = -1
	}
	return []operators.Meta{out}, nil
}

// Run implements operators.Op.
func (c *ConvTranspose) Run(rc *operators.RunContext, in, out []*operators.Value) error {
	x, w := in[0], in[1]
	var b *operators.Value
	var bShape []int
	if len(in) > 2 && in[2] != nil {
		b, bShape = in[2], in[2].Shape
	}
	if x.DType != operators.Float32 && x.DType != operators.Float64 {
		return fmt.Errorf("%w: %v (want float32 or float64)", operators.ErrUnsupportedType, x.DType)
	}
	if w.DType != x.DType || (b != nil && b.DType != x.DType) {
		return fmt.Errorf("%w: X, W and B must share one element type", operators.ErrShape)
	}
	geo, ok := c.last.Get(x.Shape, w.Shape, bShape)
	if !ok {
		var err error
		if geo, err = c.resolve(x.Shape, w.Shape, bShape); err != nil {
			return err
		}
		c.last.Put(geo, x.Shape, w.Shape, bShape)
	}
	y, err := rc.AllocValue(x.DType, geo.outShape, false)
	if err != nil {
		return err
	}
	out[0] = y
	colv, err := scratchValue(rc, x.DType, geo.colShape)
	if err != nil {
		return err
	}
	switch x.DType {
	case operators.Float32:
		var bias, col []float32
		if b != nil {
			bias = b.F32()
		}
		if colv != nil {
			col = colv.F32()
		}
		runTranspose(rc, geo, x.F32(), w.F32(), bias, y.F32(), col, eng.F32(), &c.pool32)
	case operators.Float64:
		var bias, col []float64
		if b != nil {
			bias = b.F64()
		}
		if colv != nil {
			col = colv.F64()
		}
		runTranspose(rc, geo, x.F64(), w.F64(), bias, y.F64(), col, eng.F64(), &c.pool64)
	}
	return nil
}

func runTranspose[T eng.Float](rc *operators.RunContext, geo *geometry, x, w, bias, y, col []T, e *eng.Engine[T], pool *sync.Pool) {
	threads := 1
	if rc != nil {
		threads = rc.Threads
	}
	inVol := geo.in[0] * geo.in[1] * geo.in[2]
	outVol := geo.out[0] * geo.out[1] * geo.out[2]
	kVol := geo.k[0] * geo.k[1] * geo.k[2]
	for nm := 0; nm < geo.n*geo.m; nm++ {
		var v T
		if bias != nil {
			v = bias[nm%geo.m]
		}
		row := y[nm*outVol : (nm+1)*outVol]
		for i := range row {
			row[i] = v
		}
	}
	if geo.n == 0 || geo.m == 0 || outVol == 0 || inVol == 0 {
		return
	}
	rows := geo.mg * kVol
	var colp *[]T
	if col == nil {
		colp = scratch[T](pool, rows*inVol)
		col = *colp
	}
	for n := 0; n < geo.n; n++ {
		for g := 0; g < geo.g; g++ {
			xg := x[(n*geo.c+g*geo.cg)*inVol : (n*geo.c+(g+1)*geo.cg)*inVol]
			wg := w[g*geo.cg*rows : (g+1)*geo.cg*rows]
			yg := y[(n*geo.m+g*geo.mg)*outVol : (n*geo.m+(g+1)*geo.mg)*outVol]
			// col[m*kVol+t, i] = sum over c of W[c, m, t] * X[c, i].
			e.Gemm(true, false, rows, inVol, geo.cg, 1, wg, rows, xg, inVol, 0, col, inVol, threads)
			// Output channels are independent, so they split between
			// goroutines without write conflicts.
			rc.Parallel(geo.mg, 1, func(lo, hi int) { col2im(geo, col, yg, lo, hi) })
		}
	}
	if colp != nil {
		pool.Put(colp)
	}
}

// col2im adds, for output channels [lo, hi), every column entry into the
// output position its kernel tap lands on.
func col2im[T eng.Float](geo *geometry, col, y []T, lo, hi int) {
	kd, kh, kw := geo.k[0], geo.k[1], geo.k[2]
	id, ih, iw := geo.in[0], geo.in[1], geo.in[2]
	od, oh, ow := geo.out[0], geo.out[1], geo.out[2]
	sd, sh, sw := geo.s[0], geo.s[1], geo.s[2]
	inVol, outVol := id*ih*iw, od*oh*ow
	for m := lo; m < hi; m++ {
		ym := y[m*outVol : (m+1)*outVol]
		for fd := 0; fd < kd; fd++ {
			dlo, dhi := span(id, od, sd, geo.pb[0], fd*geo.d[0])
			for fh := 0; fh < kh; fh++ {
				hlo, hhi := span(ih, oh, sh, geo.pb[1], fh*geo.d[1])
				for fw := 0; fw < kw; fw++ {
					wlo, whi := span(iw, ow, sw, geo.pb[2], fw*geo.d[2])
					if wlo >= whi {
						continue
					}
					row := col[((m*kd+fd)*kh*kw+fh*kw+fw)*inVol:]
					for zd := dlo; zd < dhi; zd++ {
						yd := zd*sd - geo.pb[0] + fd*geo.d[0]
						for zh := hlo; zh < hhi; zh++ {
							yh := zh*sh - geo.pb[1] + fh*geo.d[1]
							src := row[(zd*ih+zh)*iw+wlo : (zd*ih+zh)*iw+whi]
							dst := ym[(yd*oh+yh)*ow:]
							o := wlo*sw - geo.pb[2] + fw*geo.d[2]
							for _, v := range src {
								dst[o] += v
								o += sw
							}
						}
					}
				}
			}
		}
	}
}

// floorHalf is floor(x / 2), also for negative x.
func floorHalf(x int) int {
	if x < 0 {
		return -((-x + 1) / 2)
	}
	return x / 2
}
