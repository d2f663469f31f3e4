package gemm

import (
	"fmt"

	"github.com/onnxrun/onnxrun/operators"
	eng "github.com/onnxrun/onnxrun/operators/internal/gemm"
	"github.com/onnxrun/onnxrun/operators/internal/inputs"
	"github.com/onnxrun/onnxrun/operators/internal/memo"
)

// Gemm computes Y = alpha*op(A)*op(B) + beta*C.
type Gemm struct {
	transA, transB bool
	alpha, beta    float32
	last           memo.Last[[]int] // output shape of the last input shapes
	cb             constB           // B packed once when it is a constant
}

func newGemm(n *operators.Node) (operators.Op, error) {
	if err := inputs.Check(n, gemmRequired(n), 3); err != nil {
		return nil, err
	}
	g := &Gemm{}
	ta, err := n.Int("transA", 0)
	if err != nil {
		return nil, err
	}
	tb, err := n.Int("transB", 0)
	if err != nil {
		return nil, err
	}
	if ta != 0 && ta != 1 {
		return nil, &operators.AttributeError{Attr: "transA", Reason: fmt.Sprintf("is %d, want 0 or 1", ta)}
	}
	if tb != 0 && tb != 1 {
		return nil, &operators.AttributeError{Attr: "transB", Reason: fmt.Sprintf("is %d, want 0 or 1", tb)}
	}
	g.transA, g.transB = ta == 1, tb == 1
	if g.alpha, err = n.Float("alpha", 1); err != nil {
		return nil, err
	}
	if g.beta, err = n.Float("beta", 1); err != nil {
		return nil, err
	}
	if _, err := n.Int("broadcast", 0); err != nil {
		return nil, err
	}
	if len(n.Inputs) < 2 || len(n.Inputs) > 3 {
		return nil, fmt.Errorf("%w: Gemm takes 2 or 3 inputs, got %d", operators.ErrInvalidModel, len(n.Inputs))
	}
	if n.Opset < 11 && (len(n.Inputs) < 3 || n.Inputs[2] == "") {
		return nil, fmt.Errorf("%w: Gemm before opset 11 requires input C", operators.ErrInvalidModel)
	}
	return g, nil
}

func shapeErr(idx int, name, format string, args ...any) error {
	return fmt.Errorf("%w: input %d (%s): %s", operators.ErrShape, idx, name, fmt.Sprintf(format, args...))
}

func checkFloat(in []operators.Meta) error {
	dt := in[0].DType
	if dt != operators.Float32 && dt != operators.Float64 {
		return fmt.Errorf("%w: %v (want float32 or float64)", operators.ErrUnsupportedType, dt)
	}
	for i := 1; i < len(in); i++ {
		if in[i].DType != operators.Undefined && in[i].DType != dt {
			return fmt.Errorf("%w: input %d has type %v, input 0 has %v", operators.ErrShape, i, in[i].DType, dt)
		}
	}
	return nil
}

// dims returns M, N, K from the shapes of A and B (entries may be -1 when
// unknown at load time).
func (g *Gemm) dims(a, b []int) (m, n, k int, err error) {
	if len(a) != 2 {
		return 0, 0, 0, shapeErr(0, "A", "rank %d, want 2", len(a))
	}
	if len(b) != 2 {
		return 0, 0, 0, shapeErr(1, "B", "rank %d, want 2", len(b))
	}
	m, k = a[0], a[1]
	if g.transA {
		m, k = k, m
	}
	kb, n := b[0], b[1]
	if g.transB {
		kb, n = n, kb
	}
	if k >= 0 && kb >= 0 && k != kb {
		return 0, 0, 0, shapeErr(1, "B", "inner dimension %d does not match A's %d (A %v, B %v, transA %v, transB %v)", kb, k, a, b, g.transA, g.transB)
	}
	return m, n, k, nil
}

// checkC verifies that C's shape broadcasts to [m, n].
func checkC(c []int, m, n int) error {
	if len(c) > 2 {
		return shapeErr(2, "C", "rank %d, want at most 2", len(c))
	}
	want := [2]int{m, n}
	for i := range c {
		d := c[len(c)-1-i]
		w := want[1-i]
		if d != 1 && d >= 0 && w >= 0 && d != w {
			return shapeErr(2, "C", "shape %v does not broadcast to [%d %d]", c, m, n)
		}
	}
	return nil
}

// Infer implements operators.Op.
func (g *Gemm) Infer(in []operators.Meta, consts []*operators.Value) ([]operators.Meta, error) {
	if err := checkFloat(in); err != nil {
		return nil, err
	}
	out := operators.Meta{DType: in[0].DType}
	g.cb.see(consts)
	if !in[0].HasShape || !in[1].HasShape {
		return []operators.Meta{out}, nil
	}
	m, n, _, err := g.dims(in[0].Shape, in[1].Shape)
	if err != nil {
		return nil, err
	}
	if len(in) > 2 && in[2].HasShape {
		if err := checkC(in[2].Shape, m, n); err != nil {
			return nil, err
		}
	}
	out.Shape, out.HasShape = []int{m, n}, true
	return []operators.Meta{out}, nil
}

// Run implements operators.Op.
func (g *Gemm) Run(rc *operators.RunContext, in, out []*operators.Value) error {
	a, b := in[0], in[1]
	var c *operators.Value
	var cShape []int
	if len(in) > 2 && in[2] != nil {
		c, cShape = in[2], in[2].Shape
	}
	if dt := a.DType; (dt != operators.Float32 && dt != operators.Float64) || b.DType != dt || (c != nil && c.DType != dt) {
		var metas [3]operators.Meta
		metas[0], metas[1] = a.Meta(), b.Meta()
		nm := 2
		if c != nil {
			metas[2], nm = c.Meta(), 3
		}
		if err := checkFloat(metas[:nm]); err != nil {
			return err
		}
	}
	shape, ok := g.last.Get(a.Shape, b.Shape, cShape)
	if !ok {
		var metas [3]operators.Meta
		metas[0], metas[1] = a.Meta(), b.Meta()
		nm := 2
		if c != nil {
			metas[2], nm = c.Meta(), 3
		}
		if err := checkFloat(metas[:nm]); err != nil {
			return err
		}
		m, n, _, err := g.dims(a.Shape, b.Shape)
		if err != nil {
			return err
		}
		if c != nil {
			if err := checkC(c.Shape, m, n); err != nil {
				return err
			}
		}
		shape = []int{m, n}
		g.last.Put(shape, a.Shape, b.Shape, cShape)
	}
	m, n := shape[0], shape[1]
	k := a.Shape[1]
	if g.transA {
		k = a.Shape[0]
	}
	y, err := rc.AllocValue(a.DType, shape, false)
	if err != nil {
		return err
	}
	out[0] = y
	threads := 1
	if rc != nil {
		threads = rc.Threads
	}
	lda, ldb := a.Shape[1], b.Shape[1]
	switch a.DType {
	case operators.Float32:
		beta := g.beta
		if c == nil {
			beta = 0
		} else {
			fillC(y.F32(), c.F32(), c.Shape, m, n)
		}
		e := eng.F32()
		if pb := g.cb.packed32(b, e, g.transB, k, n, ldb); pb != nil {
			e.GemmPackedB(g.transA, m, g.alpha, a.F32(), lda, pb, beta, y.F32(), n, threads)
			break
		}
		e.Gemm(g.transA, g.transB, m, n, k, g.alpha, a.F32(), lda, b.F32(), ldb, beta, y.F32(), n, threads)
	case operators.Float64:
		beta := float64(g.beta)
		if c == nil {
			beta = 0
		} else {
			fillC(y.F64(), c.F64(), c.Shape, m, n)
		}
		e := eng.F64()
		if pb := g.cb.packed64(b, e, g.transB, k, n, ldb); pb != nil {
			e.GemmPackedB(g.transA, m, float64(g.alpha), a.F64(), lda, pb, beta, y.F64(), n, threads)
			break
		}
		e.Gemm(g.transA, g.transB, m, n, k, float64(g.alpha), a.F64(), lda, b.F64(), ldb, beta, y.F64(), n, threads)
	}
	return nil
}

// fillC writes C broadcast to [m, n] into y.
func fillC[T eng.Float](y, c []T, shape []int, m, n int) {
	rows, cols := 1, 1
	switch len(shape) {
	case 1:
		cols = shape[0]
	case 2:
		rows, cols = shape[0], shape[1]
	}
	for i := 0; i < m; i++ {
		yr := y[i*n : i*n+n]
		ci := 0
		if rows != 1 {
			ci = i * cols
		}
		if cols == 1 {
			v := c[ci]
			for j := range yr {
				yr[j] = v
			}
		} else {
			copy(yr, c[ci:ci+n])
		}
	}
}

// gemmRequired is Gemm's required input count: C became optional at
// opset 11.
func gemmRequired(n *operators.Node) int {
	if n.Opset < 11 {
		return 3
	}
	return 2
}
