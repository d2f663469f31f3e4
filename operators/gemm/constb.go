package gemm

import (
	"sync/atomic"

	"github.com/onnxrun/onnxrun/operators"
	eng "github.com/onnxrun/onnxrun/operators/internal/gemm"
)

// constB keeps a right operand that Infer saw as a constant of the model
// (a fully connected layer's weights) packed into the GEMM engine's panel
// layout, packing it on the first run that reads it. Runs whose B is
// another buffer are not affected. The packed copy is about B's size
// again (columns rounded up to the micro-kernel's tile width).
type constB struct {
	val    atomic.Pointer[operators.Value]
	packed atomic.Pointer[packedB]
}

// packedB is the constant packed for one engine and orientation.
type packedB struct {
	engine any // *eng.Engine[float32] or [float64]
	raw    *byte
	trans  bool
	k, n   int
	p32    *eng.PackedB[float32]
	p64    *eng.PackedB[float64]
}

// see records v (input B at load time) when it is a constant.
func (cb *constB) see(consts []*operators.Value) {
	if len(consts) > 1 && consts[1] != nil && len(consts[1].Raw) > 0 {
		cb.val.Store(consts[1])
	}
}

// lookup returns the packed entry for b when b is the recorded constant
// and it was packed for e in this orientation and shape; ok reports
// whether b is the constant at all.
func (cb *constB) lookup(b *operators.Value, e any, trans bool, k, n int) (p *packedB, ok bool) {
	if b == nil || len(b.Raw) == 0 || cb.val.Load() != b {
		return nil, false
	}
	p = cb.packed.Load()
	if p != nil && p.engine == e && p.raw == &b.Raw[0] && p.trans == trans && p.k == k && p.n == n {
		return p, true
	}
	return nil, true
}

// packed32 returns b packed for e, or nil when b is not the constant.
// ldb is B's row stride.
func (cb *constB) packed32(b *operators.Value, e *eng.Engine[float32], trans bool, k, n, ldb int) *eng.PackedB[float32] {
	p, ok := cb.lookup(b, e, trans, k, n)
	if !ok {
		return nil
	}
	if p == nil {
		p = &packedB{engine: e, raw: &b.Raw[0], trans: trans, k: k, n: n, p32: e.PackB(trans, k, n, b.F32(), ldb)}
		cb.packed.Store(p)
	}
	return p.p32
}

// packed64 is packed32 for float64.
func (cb *constB) packed64(b *operators.Value, e *eng.Engine[float64], trans bool, k, n, ldb int) *eng.PackedB[float64] {
	p, ok := cb.lookup(b, e, trans, k, n)
	if !ok {
		return nil
	}
	if p == nil {
		p = &packedB{engine: e, raw: &b.Raw[0], trans: trans, k: k, n: n, p64: e.PackB(trans, k, n, b.F64(), ldb)}
		cb.packed.Store(p)
	}
	return p.p64
}
