package conv

import (
	"github.com/onnxrun/onnxrun/operators"
	eng "github.com/onnxrun/onnxrun/operators/internal/gemm"
)

// FuseBias returns a Conv that adds b, a constant holding one value per
// output channel (in channel order, as an Add broadcasts a [M,1,1] or
// [1,M,1,1] tensor), to its output, as the Add after a Conv without a
// bias input would: each output gets its own sum plus b[m], one rounding,
// so the bits are the Add's. An activation fused afterwards applies to the
// sum. The runtime folds Add(Conv(x, W), B) this way; it refuses a Conv
// that has a bias input, a residual or an activation already, and a b of
// another float type.
//
// Where the GEMM meets the bias only after the whole sum (one k-block on
// the GEMM paths) b becomes the GEMM's bias; elsewhere (the depthwise
// path, deeper sums) the Conv adds it to its finished output, then
// applies the activation.
func (c *Conv) FuseBias(b *operators.Value) (operators.Op, bool) {
	if c.act.Kind != operators.ActNone || c.skip || c.post != nil || b == nil {
		return nil, false
	}
	if b.DType != operators.Float32 && b.DType != operators.Float64 {
		return nil, false
	}
	flat := &operators.Value{DType: b.DType, Shape: []int{b.Len()}, Raw: b.Raw}
	return &Conv{attrs: c.attrs, group: c.group, post: flat, w: c.w}, true
}

// postAsBias reports whether the folded bias can go to the GEMM as its
// bias with the Add's bits: the sum reaches C whole (one k-block) through
// GemmPacked or GemmIm (a constant weight or the implicit im2col; a
// non-constant 1×1 layer may take the GEMV loops, which accumulate into
// C).
func postAsBias(geo *geometry, constW bool) bool {
	kRows := geo.cg * geo.k[0] * geo.k[1] * geo.k[2]
	return !geo.depthwise && eng.OneKBlock(kRows) && (constW || !geo.pointwise)
}

// addPost adds the folded bias b (one value per output channel) to every
// plane of y, then applies act.
func addPost[T eng.Float](geo *geometry, y, b []T, act operators.Activation) {
	outVol := geo.out[0] * geo.out[1] * geo.out[2]
	y = y[:geo.n*geo.m*outVol]
	for i := 0; i < geo.n*geo.m; i++ {
		v := b[i%geo.m]
		plane := y[i*outVol : (i+1)*outVol]
		for j := range plane {
			plane[j] += v
		}
	}
	if act.Kind != operators.ActNone {
		operators.Activate(act, y)
	}
}
