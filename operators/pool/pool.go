package pool

import (
	"fmt"
	"math"

	"github.com/onnxrun/onnxrun/operators"
	"github.com/onnxrun/onnxrun/operators/internal/inputs"
	"github.com/onnxrun/onnxrun/operators/internal/memo"
	"github.com/onnxrun/onnxrun/operators/internal/spatial"
)

type kind int

const (
	maxKind kind = iota
	avgKind
)

// Pool is a windowed MaxPool or AveragePool node.
type Pool struct {
	kind         kind
	attrs        *spatial.Attrs
	includePad   bool
	storageOrder int64
	wantIndices  bool
	last         memo.Last[*geometry]
}

func newMaxPool(n *operators.Node) (operators.Op, error) {
	if err := inputs.Check(n, 1, 1); err != nil {
		return nil, err
	}
	a, err := spatial.Parse(n, n.Opset >= 10)
	if err != nil {
		return nil, err
	}
	if a.Kernel == nil {
		return nil, &operators.AttributeError{Attr: "kernel_shape", Reason: "is required"}
	}
	so, err := n.Int("storage_order", 0)
	if err != nil {
		return nil, err
	}
	if so != 0 && so != 1 {
		return nil, &operators.AttributeError{Attr: "storage_order", Reason: fmt.Sprintf("is %d, want 0 or 1", so)}
	}
	if n.Opset < 10 && (n.Has("dilations") || n.Has("ceil_mode")) {
		return nil, &operators.AttributeError{Attr: "dilations", Reason: fmt.Sprintf("dilations and ceil_mode need opset 10, model has %d", n.Opset)}
	}
	p := &Pool{kind: maxKind, attrs: a, storageOrder: so}
	p.wantIndices = len(n.Outputs) > 1 && n.Outputs[1] != ""
	if p.wantIndices && n.Opset < 8 {
		return nil, fmt.Errorf("%w: MaxPool-%d has one output", operators.ErrInvalidModel, n.Opset)
	}
	if p.wantIndices && so == 1 && len(a.Kernel) > 2 {
		return nil, &operators.AttributeError{Attr: "storage_order", Reason: "column-major Indices are supported for 1-D and 2-D pooling only"}
	}
	return p, nil
}

func newAveragePool(n *operators.Node) (operators.Op, error) {
	if err := inputs.Check(n, 1, 1); err != nil {
		return nil, err
	}
	a, err := spatial.Parse(n, n.Opset >= 10)
	if err != nil {
		return nil, err
	}
	if a.Kernel == nil {
		return nil, &operators.AttributeError{Attr: "kernel_shape", Reason: "is required"}
	}
	if n.Opset < 19 && a.Dilations != nil {
		return nil, &operators.AttributeError{Attr: "dilations", Reason: fmt.Sprintf("needs opset 19, model has %d", n.Opset)}
	}
	p := &Pool{kind: avgKind, attrs: a}
	cip, err := n.Int("count_include_pad", 0)
	if err != nil {
		return nil, err
	}
	if cip != 0 && cip != 1 {
		return nil, &operators.AttributeError{Attr: "count_include_pad", Reason: fmt.Sprintf("is %d, want 0 or 1", cip)}
	}
	p.includePad = cip == 1
	return p, nil
}

func (p *Pool) checkX(m operators.Meta) error {
	okInt := p.kind == maxKind && (m.DType == operators.Int8 || m.DType == operators.Uint8)
	if m.DType != operators.Float32 && m.DType != operators.Float64 && !okInt {
		if p.kind == maxKind {
			return fmt.Errorf("%w: %v (want float32, float64, int8 or uint8)", operators.ErrUnsupportedType, m.DType)
		}
		return fmt.Errorf("%w: %v (want float32 or float64)", operators.ErrUnsupportedType, m.DType)
	}
	if m.HasShape && (len(m.Shape) < 3 || len(m.Shape) > 5) {
		return fmt.Errorf("%w: input 0 (X): rank %d, want 3, 4 or 5 (N, C and 1 to 3 spatial dimensions)", operators.ErrShape, len(m.Shape))
	}
	return nil
}

// geometry is a resolved pool with spatial dims left-padded to three.
type geometry struct {
	nc                       int
	in, k, s, d, pb, pe, out [3]int
	outShape                 []int
	taps                     [3][]rng // per output index: its window's taps
}

func (p *Pool) resolve(x []int) (*geometry, error) {
	r := len(x) - 2
	if len(p.attrs.Kernel) != r {
		return nil, &operators.AttributeError{Attr: "kernel_shape", Reason: fmt.Sprintf("has %d dimensions, input 0 (X) has %d spatial dimensions", len(p.attrs.Kernel), r)}
	}
	w, err := p.attrs.Resolve(x[2:], p.attrs.Kernel)
	if err != nil {
		return nil, err
	}
	g := &geometry{nc: x[0] * x[1]}
	for i := range 3 {
		g.in[i], g.k[i], g.s[i], g.d[i], g.out[i] = 1, 1, 1, 1, 1
	}
	off := 3 - r
	for i := 0; i < r; i++ {
		g.in[off+i], g.k[off+i], g.s[off+i], g.d[off+i] = w.In[i], w.Kernel[i], w.Strides[i], w.Dilations[i]
		g.pb[off+i], g.pe[off+i], g.out[off+i] = w.PadBegin[i], w.PadEnd[i], w.Out[i]
	}
	g.outShape = append([]int{x[0], x[1]}, w.Out...)
	g.taps = ranges(g)
	return g, nil
}

// Infer implements operators.Op.
func (p *Pool) Infer(in []operators.Meta, consts []*operators.Value) ([]operators.Meta, error) {
	if err := p.checkX(in[0]); err != nil {
		return nil, err
	}
	out := operators.Meta{DType: in[0].DType}
	metas := func() []operators.Meta {
		if !p.wantIndices {
			return []operators.Meta{out}
		}
		return []operators.Meta{out, {DType: operators.Int64, Shape: out.Shape, HasShape: out.HasShape}}
	}
	if !in[0].HasShape {
		return metas(), nil
	}
	x := append([]int(nil), in[0].Shape...)
	for _, d := range x[2:] {
		if d < 0 {
			out.Shape = []int{x[0], x[1]}
			for range x[2:] {
				out.Shape = append(out.Shape, -1)
			}
			out.HasShape = true
			return metas(), nil
		}
	}
	n, c := x[0], x[1]
	x[0], x[1] = 1, 1
	g, err := p.resolve(x)
	if err != nil {
		return nil, err
	}
	out.Shape, out.HasShape = g.outShape, true
	out.Shape[0], out.Shape[1] = n, c
	return metas(), nil
}

// Run implements operators.Op.
func (p *Pool) Run(rc *operators.RunContext, in, out []*operators.Value) error {
	x := in[0]
	if err := p.checkX(x.Meta()); err != nil {
		return err
	}
	g, ok := p.last.Get(x.Shape)
	if !ok {
		var err error
		if g, err = p.resolve(x.Shape); err != nil {
			return err
		}
		p.last.Put(g, x.Shape)
	}
	y, err := rc.AllocValue(x.DType, g.outShape, false)
	if err != nil {
		return err
	}
	out[0] = y
	if p.kind == avgKind {
		switch x.DType {
		case operators.Float32:
			avgPool(rc, p, g, x.F32(), y.F32())
		case operators.Float64:
			avgPool(rc, p, g, x.F64(), y.F64())
		}
		return nil
	}
	var idx []int64
	if p.wantIndices && len(out) > 1 {
		iv, err := rc.AllocValue(operators.Int64, g.outShape, false)
		if err != nil {
			return err
		}
		out[1] = iv
		idx = iv.I64()
	}
	switch x.DType {
	case operators.Float32:
		maxPool(rc, p, g, x.F32(), y.F32(), idx, float32(math.Inf(-1)))
	case operators.Float64:
		maxPool(rc, p, g, x.F64(), y.F64(), idx, math.Inf(-1))
	case operators.Int8:
		maxPool(rc, p, g, x.I8(), y.I8(), idx, math.MinInt8)
	case operators.Uint8:
		maxPool(rc, p, g, x.U8(), y.U8(), idx, 0)
	}
	return nil
}

type float interface{ ~float32 | ~float64 }

var negInf32 = float32(math.Inf(-1))

// taps returns the kernel taps [lo, hi) whose input position
// o*s - pb + t*d lies in [0, n), and how many lie in the padded extent
// [-pb, n+pe) (the divisor for count_include_pad).
func taps(o, n, k, s, d, pb, pe int) (lo, hi, padded int) {
	start := o*s - pb
	if start < 0 {
		lo = (-start + d - 1) / d
	}
	hi = k
	if last := n - 1 - start; last < 0 {
		hi = 0
	} else if last/d+1 < k {
		hi = last/d + 1
	}
	if lo > hi {
		lo = hi
	}
	padded = k
	if lastP := n + pe - 1 - start; lastP/d+1 < k {
		padded = lastP/d + 1
	}
	return lo, hi, padded
}

// ranges precomputes each output position's tap ranges per dimension.
func ranges(g *geometry) [3][]rng {
	var r [3][]rng
	for dim := range 3 {
		r[dim] = make([]rng, g.out[dim])
		for o := range r[dim] {
			lo, hi, pd := taps(o, g.in[dim], g.k[dim], g.s[dim], g.d[dim], g.pb[dim], g.pe[dim])
			r[dim][o] = rng{lo, hi, pd}
		}
	}
	return r
}

type rng struct{ lo, hi, padded int }

// minWork is the number of window taps (or elements summed) worth handing
// to another goroutine: below it the hand-off costs more than it saves.
// (A variable so that tests can make small tensors split.)
var minWork = 32 << 10

// minPlanes is the smallest number of (n, c) planes worth a chunk of their
// own: enough that a chunk reads about minWork window taps.
func (g *geometry) minPlanes() int {
	taps := g.out[0] * g.out[1] * g.out[2] * g.k[0] * g.k[1] * g.k[2]
	return max(1, minWork/max(taps, 1))
}

func avgPool[T float](rc *operators.RunContext, p *Pool, g *geometry, x, y []T) {
	if rc == nil || rc.Threads <= 1 {
		avgRange(p, g, x, y, 0, g.nc) // no closure, no allocation
		return
	}
	rc.Parallel(g.nc, g.minPlanes(), func(lo, hi int) { avgRange(p, g, x, y, lo, hi) })
}

// avgRange pools the (n, c) planes [lo, hi).
func avgRange[T float](p *Pool, g *geometry, x, y []T, lo, hi int) {
	if x32, ok := any(x).([]float32); ok && avgFast(g) {
		avgRangeF32(p, g, x32, any(y).([]float32), lo, hi)
		return
	}
	avgScalar(p, g, x, y, lo, hi)
}

// avgScalar is avgRange one output at a time, over any window.
func avgScalar[T float](p *Pool, g *geometry, x, y []T, lo, hi int) {
	inVol := g.in[0] * g.in[1] * g.in[2]
	outVol := g.out[0] * g.out[1] * g.out[2]
	r := &g.taps
	for c := lo; c < hi; c++ {
		xc := x[c*inVol : (c+1)*inVol]
		yc := y[c*outVol : (c+1)*outVol]
		i := 0
		for od := 0; od < g.out[0]; od++ {
			rd := r[0][od]
			bd := od*g.s[0] - g.pb[0]
			for oh := 0; oh < g.out[1]; oh++ {
				rh := r[1][oh]
				bh := oh*g.s[1] - g.pb[1]
				for ow := 0; ow < g.out[2]; ow++ {
					rw := r[2][ow]
					bw := ow*g.s[2] - g.pb[2]
					var acc T
					for td := rd.lo; td < rd.hi; td++ {
						zd := bd + td*g.d[0]
						for th := rh.lo; th < rh.hi; th++ {
							row := xc[(zd*g.in[1]+bh+th*g.d[1])*g.in[2]:]
							for tw := rw.lo; tw < rw.hi; tw++ {
								acc += row[bw+tw*g.d[2]]
							}
						}
					}
					var cnt int
					if p.includePad {
						cnt = rd.padded * rh.padded * rw.padded
					} else {
						cnt = (rd.hi - rd.lo) * (rh.hi - rh.lo) * (rw.hi - rw.lo)
					}
					if cnt > 0 {
						acc /= T(cnt)
					} else {
						acc = T(math.NaN())
					}
					yc[i] = acc
					i++
				}
			}
		}
	}
}

type ordered interface {
	~float32 | ~float64 | ~int8 | ~uint8
}

// maxPool takes each window's largest element (NaN wins, as a NaN input
// makes the maximum undefined). idx, when non-nil, receives the flat input
// index of the element chosen: row-major over the whole tensor, or with
// storage_order 1 column-major within each (n, c) plane.
func maxPool[T ordered](rc *operators.RunContext, p *Pool, g *geometry, x, y []T, idx []int64, lowest T) {
	if rc == nil || rc.Threads <= 1 {
		maxRange(p, g, x, y, idx, lowest, 0, g.nc) // no closure, no allocation
		return
	}
	if x32, ok := any(x).([]float32); ok && idx == nil && maxFast(g) {
		maxParallelF32(rc, g, x32, any(y).([]float32))
		return
	}
	rc.Parallel(g.nc, g.minPlanes(), func(lo, hi int) { maxRange(p, g, x, y, idx, lowest, lo, hi) })
}

// maxRange pools the (n, c) planes [lo, hi).
func maxRange[T ordered](p *Pool, g *geometry, x, y []T, idx []int64, lowest T, lo, hi int) {
	inVol := g.in[0] * g.in[1] * g.in[2]
	outVol := g.out[0] * g.out[1] * g.out[2]
	r := &g.taps
	colMajor := p.storageOrder == 1
	if idx == nil && g.in[0] == 1 && g.out[0] == 1 && g.d[2] == 1 {
		if x32, ok := any(x).([]float32); ok && maxFast(g) {
			maxRangeF32(g, x32, any(y).([]float32), lo, hi)
			return
		}
		maxRange2D(g, x, y, lowest, lo, hi)
		return
	}
	for c := lo; c < hi; c++ {
		xc := x[c*inVol : (c+1)*inVol]
		yc := y[c*outVol : (c+1)*outVol]
		i := 0
		for od := 0; od < g.out[0]; od++ {
			rd := r[0][od]
			bd := od*g.s[0] - g.pb[0]
			for oh := 0; oh < g.out[1]; oh++ {
				rh := r[1][oh]
				bh := oh*g.s[1] - g.pb[1]
				for ow := 0; ow < g.out[2]; ow++ {
					rw := r[2][ow]
					bw := ow*g.s[2] - g.pb[2]
					acc, at := lowest, -1
					for td := rd.lo; td < rd.hi; td++ {
						zd := bd + td*g.d[0]
						for th := rh.lo; th < rh.hi; th++ {
							base := (zd*g.in[1] + bh + th*g.d[1]) * g.in[2]
							row := xc[base:]
							for tw := rw.lo; tw < rw.hi; tw++ {
								v := row[bw+tw*g.d[2]]
								if at < 0 || v > acc || (v != v && acc == acc) {
									acc, at = v, base+bw+tw*g.d[2]
								}
							}
						}
					}
					yc[i] = acc
					if idx != nil {
						j := at
						if colMajor && at >= 0 {
							h, w := at/g.in[2], at%g.in[2]
							j = h + w*g.in[1]
						}
						idx[c*outVol+i] = int64(c*inVol + j)
					}
					i++
				}
			}
		}
	}
}

// maxRange2D is maxRange for 1-D and 2-D pooling without the Indices
// output and with unit dilation along the row: Go's max is branch-free
// (the compare-and-branch of maxRange mispredicts on every other tap) and
// propagates NaN as maxRange does. The only difference is the sign of a
// zero maximum when both -0 and +0 are in the window.
func maxRange2D[T ordered](g *geometry, x, y []T, lowest T, lo, hi int) {
	inVol := g.in[1] * g.in[2]
	outVol := g.out[1] * g.out[2]
	r := &g.taps
	for c := lo; c < hi; c++ {
		xc := x[c*inVol : (c+1)*inVol]
		yc := y[c*outVol : (c+1)*outVol]
		i := 0
		for oh := 0; oh < g.out[1]; oh++ {
			rh := r[1][oh]
			bh := oh*g.s[1] - g.pb[1]
			for ow := 0; ow < g.out[2]; ow++ {
				rw := r[2][ow]
				bw := ow*g.s[2] - g.pb[2]
				acc := lowest
				for th := rh.lo; th < rh.hi; th++ {
					base := (bh+th*g.d[1])*g.in[2] + bw
					for _, v := range xc[base+rw.lo : base+rw.hi] {
						acc = max(acc, v)
					}
				}
				yc[i] = acc
				i++
			}
		}
	}
}

// Global is GlobalAveragePool or GlobalMaxPool.
type Global struct {
	kind kind
	last memo.Last[[]int] // output shape of the last input shape
}

func newGlobalAverage(n *operators.Node) (operators.Op, error) {
	if err := inputs.Check(n, 1, 1); err != nil {
		return nil, err
	}
	return &Global{kind: avgKind}, nil
}
func newGlobalMax(n *operators.Node) (operators.Op, error) {
	if err := inputs.Check(n, 1, 1); err != nil {
		return nil, err
	}
	return &Global{kind: maxKind}, nil
}

func (*Global) check(m operators.Meta) error {
	if m.DType != operators.Float32 && m.DType != operators.Float64 {
		return fmt.Errorf("%w: %v (want float32 or float64)", operators.ErrUnsupportedType, m.DType)
	}
	if m.HasShape && len(m.Shape) < 2 {
		return fmt.Errorf("%w: input 0 (X): rank %d, want at least 2 (N, C, spatial...)", operators.ErrShape, len(m.Shape))
	}
	return nil
}

func globalShape(x []int) []int {
	s := append([]int(nil), x...)
	for i := 2; i < len(s); i++ {
		s[i] = 1
	}
	return s
}

// Infer implements operators.Op.
func (g *Global) Infer(in []operators.Meta, consts []*operators.Value) ([]operators.Meta, error) {
	if err := g.check(in[0]); err != nil {
		return nil, err
	}
	out := operators.Meta{DType: in[0].DType, HasShape: in[0].HasShape}
	if in[0].HasShape {
		out.Shape = globalShape(in[0].Shape)
	}
	return []operators.Meta{out}, nil
}

// Run implements operators.Op.
func (g *Global) Run(rc *operators.RunContext, in, out []*operators.Value) error {
	x := in[0]
	if err := g.check(x.Meta()); err != nil {
		return err
	}
	shape, ok := g.last.Get(x.Shape)
	if !ok {
		shape = globalShape(x.Shape)
		g.last.Put(shape, x.Shape)
	}
	y, err := rc.AllocValue(x.DType, shape, false)
	if err != nil {
		return err
	}
	out[0] = y
	nc := x.Shape[0] * x.Shape[1]
	vol := operators.NumElements(x.Shape[2:])
	switch x.DType {
	case operators.Float32:
		global(rc, g.kind, nc, vol, x.F32(), y.F32())
	case operators.Float64:
		global(rc, g.kind, nc, vol, x.F64(), y.F64())
	}
	return nil
}

func global[T float](rc *operators.RunContext, k kind, nc, vol int, x, y []T) {
	if rc == nil || rc.Threads <= 1 {
		globalRange(k, vol, x, y, 0, nc) // no closure, no allocation
		return
	}
	rc.Parallel(nc, max(16, minWork/max(vol, 1)), func(lo, hi int) { globalRange(k, vol, x, y, lo, hi) })
}

// globalRange reduces the (n, c) planes [lo, hi).
func globalRange[T float](k kind, vol int, x, y []T, lo, hi int) {
	for c := lo; c < hi; c++ {
		s := x[c*vol : (c+1)*vol]
		if k == maxKind {
			m := T(math.Inf(-1))
			for _, v := range s {
				if v > m || v != v {
					m = v
				}
			}
			y[c] = m
			continue
		}
		// Sum in float64 for float32 inputs: spatial extents reach tens
		// of thousands of elements. Four partial sums, so that the adds
		// do not wait on one another.
		var a0, a1, a2, a3 float64
		i := 0
		for ; i+4 <= len(s); i += 4 {
			q := (*[4]T)(s[i : i+4])
			a0 += float64(q[0])
			a1 += float64(q[1])
			a2 += float64(q[2])
			a3 += float64(q[3])
		}
		for ; i < len(s); i++ {
			a0 += float64(s[i])
		}
		y[c] = T(((a0 + a1) + (a2 + a3)) / float64(vol))
	}
}
