package conv

import (
	"fmt"
	"math"
	"sync"
	"sync/atomic"

	"github.com/onnxrun/onnxrun/operators"
	"github.com/onnxrun/onnxrun/operators/internal/broadcast"
	eng "github.com/onnxrun/onnxrun/operators/internal/gemm"
	"github.com/onnxrun/onnxrun/operators/internal/inputs"
	"github.com/onnxrun/onnxrun/operators/internal/memo"
	"github.com/onnxrun/onnxrun/operators/internal/spatial"
)

// Conv is one Conv node. It is safe for concurrent runs: the memoised
// geometry and the packed weight are replaced whole, atomically.
type Conv struct {
	attrs *spatial.Attrs
	group int
	act   operators.Activation // epilogue fused in by the runtime (float Conv only)
	skip  bool                 // a residual input (input 3) is added before act
	act32 func([]float32)      // act for the GEMM epilogue; nil for none
	act64 func([]float64)
	last  memo.Last[*geometry]
	w     *wcache          // the constant weight and its packed copy, shared with fused copies
	post  *operators.Value // a bias folded in from an Add (biasfold.go), [M]
}

// wcache holds a Conv's weight when it is a constant (an initializer),
// as Infer saw it at load time, and that weight packed into the GEMM
// engine's panel layout on the first run that reads it. Runs whose W is
// another buffer pack their own copy as before.
type wcache struct {
	val    atomic.Pointer[operators.Value]
	packed atomic.Pointer[packedW]
}

// packedW is the constant weight packed for one engine: one matrix per
// group. w32/w64 is the first element of the weight it was packed from.
type packedW struct {
	engine   any // *eng.Engine[float32] or [float64]
	w32      *float32
	w64      *float64
	n, g, mg int // weight length, groups, output channels per group
	p32      []*eng.PackedA[float32]
	p64      []*eng.PackedA[float64]
}

func newConv(n *operators.Node) (operators.Op, error) {
	if err := inputs.Check(n, 2, 3); err != nil {
		return nil, err
	}
	return parseConv(n)
}

// parseConv reads the attributes Conv shares with ConvInteger and
// QLinearConv.
func parseConv(n *operators.Node) (*Conv, error) {
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
	return &Conv{attrs: a, group: int(g), w: new(wcache)}, nil
}

// Fuse returns a Conv that applies act to its output while the output is
// still in cache (per image and group after the GEMM, per plane on the
// depthwise path). A Conv holds one activation at most.
func (c *Conv) Fuse(act operators.Activation) (operators.Op, bool) {
	if c.act.Kind != operators.ActNone || act.Kind == operators.ActNone {
		return nil, false
	}
	return withAct(&Conv{attrs: c.attrs, group: c.group, act: act, skip: c.skip, w: c.w, post: c.post}), true
}

// withAct sets c's epilogue functions for c.act (made once here, so runs
// pass them to the GEMM without allocating).
func withAct(c *Conv) *Conv {
	if act := c.act; act.Kind != operators.ActNone {
		c.act32 = func(x []float32) { operators.Activate(act, x) }
		c.act64 = func(x []float64) { operators.Activate(act, x) }
	}
	return c
}

// skipInput is the input index of a fused residual.
const skipInput = 3

// FuseResidual returns a Conv that adds input 3, a tensor of the output's
// shape, to its output (after the bias, before an activation fused later),
// per image and group right after the GEMM.
func (c *Conv) FuseResidual() (operators.Op, int, bool) {
	if c.skip || c.act.Kind != operators.ActNone || c.post != nil {
		return nil, 0, false
	}
	return &Conv{attrs: c.attrs, group: c.group, skip: true, w: c.w}, skipInput, true
}

func shapeErr(idx int, name, format string, args ...any) error {
	return fmt.Errorf("%w: input %d (%s): %s", operators.ErrShape, idx, name, fmt.Sprintf(format, args...))
}

// geometry is a resolved Conv for concrete shapes, with the spatial
// dimensions left-padded to three.
type geometry struct {
	n, c, m, g, cg, mg int
	in, k, s, d, pb    [3]int
	out                [3]int
	outShape           []int

	depthwise, pointwise bool  // Conv's direct paths
	colShape             []int // the column buffer's shape, nil if none
	im                   eng.Im2col
	flat                 *flatPlan // the flat path (small.go), nil if it does not apply
}

func (c *Conv) resolve(x, w, b []int) (*geometry, error) {
	if len(x) < 3 || len(x) > 5 {
		return nil, shapeErr(0, "X", "rank %d, want 3, 4 or 5 (N, C and 1 to 3 spatial dimensions)", len(x))
	}
	if len(w) != len(x) {
		return nil, shapeErr(1, "W", "rank %d, want %d like X", len(w), len(x))
	}
	r := len(x) - 2
	geo := &geometry{n: x[0], c: x[1], m: w[0], g: c.group}
	if geo.c%geo.g != 0 {
		return nil, &operators.AttributeError{Attr: "group", Reason: fmt.Sprintf("%d does not divide the %d input channels", geo.g, geo.c)}
	}
	if geo.m%geo.g != 0 {
		return nil, &operators.AttributeError{Attr: "group", Reason: fmt.Sprintf("%d does not divide the %d output channels", geo.g, geo.m)}
	}
	geo.cg, geo.mg = geo.c/geo.g, geo.m/geo.g
	if w[1] != geo.cg {
		return nil, shapeErr(1, "W", "shape %v has %d input channels per group, X has %d channels in %d groups", w, w[1], geo.c, geo.g)
	}
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
	win, err := c.attrs.Resolve(x[2:], kernel)
	if err != nil {
		return nil, err
	}
	for i := range 3 {
		geo.in[i], geo.k[i], geo.s[i], geo.d[i], geo.out[i] = 1, 1, 1, 1, 1
	}
	off := 3 - r
	for i := 0; i < r; i++ {
		geo.in[off+i], geo.k[off+i], geo.s[off+i], geo.d[off+i] = win.In[i], win.Kernel[i], win.Strides[i], win.Dilations[i]
		geo.pb[off+i], geo.out[off+i] = win.PadBegin[i], win.Out[i]
	}
	geo.outShape = append([]int{geo.n, geo.m}, win.Out...)
	kVol := geo.k[0] * geo.k[1] * geo.k[2]
	// Only a true depthwise layer (one input and one output channel per
	// group) takes the direct loop: with several output channels per input
	// channel (a single-channel image's first layer, say) the GEMM, which
	// runs the channels side by side in SIMD tiles, is far faster.
	geo.depthwise = geo.g == geo.c && geo.cg == 1 && geo.mg == 1 && geo.in[0] == 1
	geo.pointwise = kVol == 1
	for i := range 3 {
		if geo.s[i] != 1 || geo.pb[i] != 0 || geo.out[i] != geo.in[i] {
			geo.pointwise = false
		}
	}
	if !geo.depthwise && !geo.pointwise {
		if err := geo.checkScratch(geo.cg*kVol, geo.out); err != nil {
			return nil, err
		}
		geo.colShape = []int{geo.cg * kVol * geo.out[0] * geo.out[1] * geo.out[2]}
	}
	geo.im = eng.Im2col{C: geo.cg, In: geo.in, K: geo.k, S: geo.s, D: geo.d, Pad: geo.pb, Out: geo.out}
	geo.planFlat()
	return geo, nil
}

// Infer implements operators.Op.
func (c *Conv) Infer(in []operators.Meta, consts []*operators.Value) ([]operators.Meta, error) {
	dt := in[0].DType
	if dt != operators.Float32 && dt != operators.Float64 {
		return nil, fmt.Errorf("%w: %v (want float32 or float64)", operators.ErrUnsupportedType, dt)
	}
	out := operators.Meta{DType: dt}
	if len(consts) > 1 && consts[1] != nil && consts[1].DType == dt && c.w != nil {
		// A constant weight: the runs will pack it once.
		c.w.val.Store(consts[1])
	}
	if !in[0].HasShape || !in[1].HasShape {
		return []operators.Meta{out}, nil
	}
	if r := len(in[0].Shape); r < 3 || r > 5 {
		return nil, shapeErr(0, "X", "rank %d, want 3, 4 or 5 (N, C and 1 to 3 spatial dimensions)", r)
	}
	for _, d := range append(append([]int(nil), in[0].Shape[min(1, len(in[0].Shape)):]...), in[1].Shape...) {
		if d < 0 {
			// Unknown spatial or channel sizes: only the rank is known.
			out.Shape = make([]int, len(in[0].Shape))
			for i := range out.Shape {
				out.Shape[i] = -1
			}
			out.HasShape = true
			return []operators.Meta{out}, nil
		}
	}
	var b []int
	if len(in) > 2 && in[2].HasShape {
		b = in[2].Shape
	}
	x := append([]int(nil), in[0].Shape...)
	unknownN := x[0] < 0
	if unknownN {
		x[0] = 1
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
func (c *Conv) Run(rc *operators.RunContext, in, out []*operators.Value) error {
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
	var skip *operators.Value
	if c.skip {
		if len(in) <= skipInput || in[skipInput] == nil {
			return fmt.Errorf("%w: input %d (the fused residual) is missing", operators.ErrShape, skipInput)
		}
		skip = in[skipInput]
	}
	geo, ok := c.last.Get(x.Shape, w.Shape, bShape)
	if !ok {
		var err error
		if geo, err = c.resolve(x.Shape, w.Shape, bShape); err != nil {
			return err
		}
		c.last.Put(geo, x.Shape, w.Shape, bShape)
	}
	if skip != nil && skip.DType != x.DType {
		return shapeErr(skipInput, "residual", "type %v, want %v like X", skip.DType, x.DType)
	}
	if skip != nil && !sameShape(skip.Shape, geo.outShape) {
		return c.broadcastResidual(rc, in, out, skip)
	}
	y, err := rc.AllocValue(x.DType, geo.outShape, false)
	if err != nil {
		return err
	}
	out[0] = y
	constW := c.w != nil && c.w.val.Load() == w
	act, act32, act64 := c.act, c.act32, c.act64
	var post *operators.Value // a folded bias added after the convolution
	if c.post != nil {
		if b != nil || c.post.DType != x.DType || c.post.Len() != geo.m {
			return shapeErr(2, "B", "the bias folded in from an Add has %d %v values, want none given as input and %d %v ones", c.post.Len(), c.post.DType, geo.m, x.DType)
		}
		if postAsBias(geo, constW) {
			b = c.post
		} else {
			post = c.post
			act, act32, act64 = operators.Activation{}, nil, nil
		}
	}
	switch x.DType {
	case operators.Float32:
		var bias, res []float32
		if b != nil {
			bias = b.F32()
		}
		if skip != nil {
			res = skip.F32()
		}
		e := eng.F32()
		var pa []*eng.PackedA[float32]
		if constW && !geo.depthwise {
			pa = c.packed32(e, geo, w.F32())
		}
		if geo.flat != nil && res == nil {
			runFlat(rc, geo, x.F32(), w.F32(), bias, y.F32(), e, pa, act32, &flatBufs32)
		} else {
			run(rc, geo, x.F32(), w.F32(), bias, res, y.F32(), e, pa, act, act32)
		}
		if post != nil {
			addPost(geo, y.F32(), post.F32(), c.act)
		}
	case operators.Float64:
		var bias, res []float64
		if b != nil {
			bias = b.F64()
		}
		if skip != nil {
			res = skip.F64()
		}
		e := eng.F64()
		var pa []*eng.PackedA[float64]
		if constW && !geo.depthwise {
			pa = c.packed64(e, geo, w.F64())
		}
		if geo.flat != nil && res == nil {
			runFlat(rc, geo, x.F64(), w.F64(), bias, y.F64(), e, pa, act64, &flatBufs64)
		} else {
			run(rc, geo, x.F64(), w.F64(), bias, res, y.F64(), e, pa, act, act64)
		}
		if post != nil {
			addPost(geo, y.F64(), post.F64(), c.act)
		}
	}
	return nil
}

// packed32 returns the constant weight w packed for e, one matrix per
// group, packing it on the first call (or when the engine changed).
func (c *Conv) packed32(e *eng.Engine[float32], geo *geometry, w []float32) []*eng.PackedA[float32] {
	if p := c.w.packed.Load(); p != nil && p.engine == e && p.w32 == &w[0] && p.n == len(w) && p.g == geo.g && p.mg == geo.mg {
		return p.p32
	}
	p := &packedW{engine: e, w32: &w[0], n: len(w), g: geo.g, mg: geo.mg, p32: packGroups(e, geo, w)}
	c.w.packed.Store(p)
	return p.p32
}

// packed64 is packed32 for float64.
func (c *Conv) packed64(e *eng.Engine[float64], geo *geometry, w []float64) []*eng.PackedA[float64] {
	if p := c.w.packed.Load(); p != nil && p.engine == e && p.w64 == &w[0] && p.n == len(w) && p.g == geo.g && p.mg == geo.mg {
		return p.p64
	}
	p := &packedW{engine: e, w64: &w[0], n: len(w), g: geo.g, mg: geo.mg, p64: packGroups(e, geo, w)}
	c.w.packed.Store(p)
	return p.p64
}

// packGroups packs each group's mg×kRows block of the weight.
func packGroups[T eng.Float](e *eng.Engine[T], geo *geometry, w []T) []*eng.PackedA[T] {
	kRows := geo.cg * geo.k[0] * geo.k[1] * geo.k[2]
	ps := make([]*eng.PackedA[T], geo.g)
	for g := range ps {
		ps[g] = e.PackA(false, geo.mg, kRows, 1, w[g*geo.mg*kRows:(g+1)*geo.mg*kRows], kRows)
	}
	return ps
}

// scratchValue allocates a step-scoped scratch buffer from the runtime, or
// returns nil when there is none to allocate from (or nothing needed).
func scratchValue(rc *operators.RunContext, dt operators.DType, shape []int) (*operators.Value, error) {
	if shape == nil || rc == nil || rc.Alloc == nil {
		return nil, nil
	}
	return rc.Alloc.Alloc(dt, shape, false)
}

// broadcastResidual runs a fused Conv whose residual's shape differs from
// its output's, which the fusion allows only when the load-time shapes
// had unknown dimensions: the Conv runs without the residual into scratch
// memory, then the Add broadcasts as the standalone operator does.
func (c *Conv) broadcastResidual(rc *operators.RunContext, in, out []*operators.Value, skip *operators.Value) error {
	plain := &Conv{attrs: c.attrs, group: c.group, w: c.w}
	tmp := make([]*operators.Value, 1)
	if err := plain.Run(rc, in[:min(len(in), skipInput)], tmp); err != nil {
		return err
	}
	p, err := broadcast.NewBinary(tmp[0].Shape, skip.Shape)
	if err != nil {
		return fmt.Errorf("input %d (residual): %w", skipInput, err)
	}
	shape, err := broadcast.Shape(tmp[0].Shape, skip.Shape)
	if err != nil {
		return err
	}
	y, err := rc.AllocValue(skip.DType, shape, false)
	if err != nil {
		return err
	}
	out[0] = y
	switch skip.DType {
	case operators.Float32:
		broadcast.Apply(p, y.F32(), tmp[0].F32(), skip.F32(), addKernels[float32](), rc)
		if c.act.Kind != operators.ActNone {
			operators.Activate(c.act, y.F32())
		}
	case operators.Float64:
		broadcast.Apply(p, y.F64(), tmp[0].F64(), skip.F64(), addKernels[float64](), rc)
		if c.act.Kind != operators.ActNone {
			operators.Activate(c.act, y.F64())
		}
	}
	return nil
}

func addKernels[T eng.Float]() broadcast.Kernels[T, T] {
	return broadcast.Kernels[T, T]{
		VV: func(c, a, b []T) {
			for i := range c {
				c[i] = a[i] + b[i]
			}
		},
		VS: func(c, a []T, b T) {
			for i := range c {
				c[i] = a[i] + b
			}
		},
		SV: func(c []T, a T, b []T) {
			for i := range c {
				c[i] = a + b[i]
			}
		},
	}
}

// sameShape reports whether two shapes are equal.
func sameShape(a, b []int) bool {
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

// run computes the convolution. pa, when set, is the weight pre-packed
// per group; otherwise the GEMM packs the weight as it goes. res, when
// set, is a residual of y's shape added to the result before act (actFn
// is act as a function, nil for none).
func run[T eng.Float](rc *operators.RunContext, geo *geometry, x, w, bias, res, y []T, e *eng.Engine[T], pa []*eng.PackedA[T], act operators.Activation, actFn func([]T)) {
	threads := 1
	if rc != nil {
		threads = rc.Threads
	}
	inVol := geo.in[0] * geo.in[1] * geo.in[2]
	outVol := geo.out[0] * geo.out[1] * geo.out[2]
	kVol := geo.k[0] * geo.k[1] * geo.k[2]
	if geo.n == 0 || geo.m == 0 || outVol == 0 {
		return
	}
	if geo.depthwise {
		// With a residual the activation waits until it is added.
		dwAct := act
		if res != nil {
			dwAct = operators.Activation{}
		}
		if !depthwiseFast(rc, geo, x, w, bias, y, dwAct) {
			depthwise(rc, geo, x, w, bias, y)
			if dwAct.Kind != operators.ActNone {
				operators.Activate(dwAct, y[:geo.n*geo.m*outVol])
			}
		}
		if res != nil {
			addResidual(y[:geo.n*geo.m*outVol], res)
			if act.Kind != operators.ActNone {
				operators.Activate(act, y[:geo.n*geo.m*outVol])
			}
		}
		return
	}
	kRows := geo.cg * kVol
	for n := 0; n < geo.n; n++ {
		for g := 0; g < geo.g; g++ {
			xg := x[(n*geo.c+g*geo.cg)*inVol : (n*geo.c+(g+1)*geo.cg)*inVol]
			wg := w[g*geo.mg*kRows : (g+1)*geo.mg*kRows]
			yg := y[(n*geo.m+g*geo.mg)*outVol : (n*geo.m+(g+1)*geo.mg)*outVol]
			var resg []T
			if res != nil {
				resg = res[(n*geo.m+g*geo.mg)*outVol : (n*geo.m+(g+1)*geo.mg)*outVol]
			}
			// A 1×1 unit-stride unpadded convolution's column matrix is
			// the input itself; otherwise the GEMM packs its B panels
			// straight from the image (implicit im2col).
			var im *eng.Im2col
			if !geo.pointwise {
				im = &geo.im
			}
			if pa != nil || im != nil {
				// C starts from the bias; the residual and the
				// activation follow each block of columns while it is
				// in cache, on the thread that computed it.
				ep := eng.Epilogue[T]{Res: resg, LdRes: outVol, Act: actFn}
				if bias != nil {
					ep.Bias = bias[g*geo.mg : (g+1)*geo.mg]
				}
				if pa != nil {
					e.GemmPacked(pa[g], outVol, xg, outVol, false, im, 0, yg, outVol, threads, ep)
				} else {
					e.GemmIm(geo.mg, wg, kRows, xg, im, 0, yg, outVol, threads, ep)
				}
				continue
			}
			// A weight that is not a constant, on the 1×1 path: start
			// from the bias (one write pass, which the GEMM's clearing of
			// C would cost anyway) and let the GEMM accumulate; then the
			// residual and the activation.
			var beta T
			if bias != nil {
				beta = 1
				for m, v := range bias[g*geo.mg : (g+1)*geo.mg] {
					row := yg[m*outVol : (m+1)*outVol]
					for i := range row {
						row[i] = v
					}
				}
			}
			e.Gemm(false, false, geo.mg, outVol, kRows, 1, wg, kRows, xg, outVol, beta, yg, outVol, threads)
			if resg != nil {
				addResidual(yg, resg)
			}
			if act.Kind != operators.ActNone {
				operators.Activate(act, yg)
			}
		}
	}
}

// addResidual computes y[i] += r[i], the float addition Add makes.
func addResidual[T eng.Float](y, r []T) {
	r = r[:len(y)]
	i := 0
	for ; i+4 <= len(y); i += 4 {
		yp, rp := (*[4]T)(y[i:]), (*[4]T)(r[i:])
		yp[0] += rp[0]
		yp[1] += rp[1]
		yp[2] += rp[2]
		yp[3] += rp[3]
	}
	for ; i < len(y); i++ {
		y[i] += r[i]
	}
}

// maxScratch bounds the im2col/col2im buffer (in elements) so a hostile
// model gets an error instead of an overflowing or impossible allocation.
// It also fits a 32-bit int.
const maxScratch = math.MaxInt32

// checkScratch verifies that rows × the volume of dims fits maxScratch.
func (geo *geometry) checkScratch(rows int, dims [3]int) error {
	n := rows
	for _, d := range dims {
		if d != 0 && n > maxScratch/d {
			return fmt.Errorf("%w: the column buffer of %d rows by %v positions exceeds %d elements", operators.ErrShape, rows, dims, maxScratch)
		}
		n *= d
	}
	return nil
}

func scratch[T eng.Float](pool *sync.Pool, n int) *[]T {
	if p, ok := pool.Get().(*[]T); ok && cap(*p) >= n {
		*p = (*p)[:n]
		return p
	}
	s := make([]T, n)
	return &s
}

// span returns the range [lo, hi) of output positions o along one
// dimension whose input position o*s - pad + off lies in [0, n).
func span(outN, n, s, pad, off int) (lo, hi int) {
	// o*s >= pad - off  and  o*s <= n - 1 + pad - off
	a := pad - off
	if a > 0 {
		lo = (a + s - 1) / s
	}
	b := n - 1 + pad - off
	if b < 0 {
		return 0, 0
	}
	hi = min(outN, b/s+1)
	if lo > hi {
		lo = hi
	}
	return lo, hi
}

// elem is an element type im2col and the depthwise path handle: the
// float types of Conv, and int32 for ConvInteger and QLinearConv, whose
// operands arrive widened to int32 minus their zero points.
type elem interface{ eng.Float | ~int32 }

// im2col fills rows [lo, hi) of the column matrix: row (c, kd, kh, kw)
// holds, for every output position, the input value the kernel tap sees
// there (zero in the padding).
func im2col[T elem](geo *geometry, x, col []T, lo, hi int) {
	kd, kh, kw := geo.k[0], geo.k[1], geo.k[2]
	id, ih, iw := geo.in[0], geo.in[1], geo.in[2]
	od, oh, ow := geo.out[0], geo.out[1], geo.out[2]
	sd, sh, sw := geo.s[0], geo.s[1], geo.s[2]
	outVol := od * oh * ow
	for row := lo; row < hi; row++ {
		c := row / (kd * kh * kw)
		r := row % (kd * kh * kw)
		fd, fh, fw := r/(kh*kw), r/kw%kh, r%kw
		offD, offH, offW := fd*geo.d[0], fh*geo.d[1], fw*geo.d[2]
		dst := col[row*outVol : (row+1)*outVol]
		xc := x[c*id*ih*iw : (c+1)*id*ih*iw]
		wlo, whi := span(ow, iw, sw, geo.pb[2], offW)
		for zd := 0; zd < od; zd++ {
			zi := zd*sd - geo.pb[0] + offD
			for zh := 0; zh < oh; zh++ {
				d := dst[(zd*oh+zh)*ow : (zd*oh+zh+1)*ow]
				yi := zh*sh - geo.pb[1] + offH
				if zi < 0 || zi >= id || yi < 0 || yi >= ih || wlo >= whi {
					clear(d)
					continue
				}
				src := xc[(zi*ih+yi)*iw : (zi*ih+yi+1)*iw]
				clear(d[:wlo])
				clear(d[whi:])
				base := wlo*sw - geo.pb[2] + offW
				if sw == 1 {
					copy(d[wlo:whi], src[base:base+whi-wlo])
					continue
				}
				for o := wlo; o < whi; o++ {
					d[o] = src[base]
					base += sw
				}
			}
		}
	}
}

// depthwise convolves each input channel with its own filters (group ==
// C, one input channel per group; 1-D and 2-D). Output channel m reads
// input channel m / (M/C).
func depthwise[T elem](rc *operators.RunContext, geo *geometry, x, w, bias, y []T) {
	if rc == nil || rc.Threads <= 1 {
		depthwiseRange(geo, x, w, bias, y, 0, geo.n*geo.m) // no closure, no allocation
		return
	}
	rc.Parallel(geo.n*geo.m, 1, func(lo, hi int) { depthwiseRange(geo, x, w, bias, y, lo, hi) })
}

// depthwiseRange computes the output planes [lo, hi) of n*m.
func depthwiseRange[T elem](geo *geometry, x, w, bias, y []T, lo, hi int) {
	ih, iw := geo.in[1], geo.in[2]
	oh, ow := geo.out[1], geo.out[2]
	kh, kw := geo.k[1], geo.k[2]
	sh, sw := geo.s[1], geo.s[2]
	dh, dw := geo.d[1], geo.d[2]
	ph, pw := geo.pb[1], geo.pb[2]
	mult := geo.mg
	for nm := lo; nm < hi; nm++ {
		n, m := nm/geo.m, nm%geo.m
		c := m / mult
		xc := x[(n*geo.c+c)*ih*iw : (n*geo.c+c+1)*ih*iw]
		yc := y[nm*oh*ow : (nm+1)*oh*ow]
		wm := w[m*kh*kw : (m+1)*kh*kw]
		var b T
		if bias != nil {
			b = bias[m]
		}
		if kh == 3 && kw == 3 && dh == 1 && dw == 1 && geo.in[0] == 1 {
			plane3x3(xc, yc, wm, b, ih, iw, oh, ow, sh, sw, ph, pw)
			continue
		}
		for i := range yc {
			yc[i] = b
		}
		for fh := 0; fh < kh; fh++ {
			hlo, hhi := span(oh, ih, sh, ph, fh*dh)
			for fw := 0; fw < kw; fw++ {
				wv := wm[fh*kw+fw]
				wlo, whi := span(ow, iw, sw, pw, fw*dw)
				if wlo >= whi {
					continue
				}
				for zh := hlo; zh < hhi; zh++ {
					src := xc[(zh*sh-ph+fh*dh)*iw:]
					dst := yc[zh*ow+wlo : zh*ow+whi]
					base := wlo*sw - pw + fw*dw
					if sw == 1 {
						s := src[base : base+len(dst)]
						for i := range dst {
							dst[i] += wv * s[i]
						}
						continue
					}
					for i := range dst {
						dst[i] += wv * src[base]
						base += sw
					}
				}
			}
		}
	}
}
