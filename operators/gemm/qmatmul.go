package gemm

import (
	"fmt"

	"github.com/onnxrun/onnxrun/operators"
	eng "github.com/onnxrun/onnxrun/operators/internal/gemm"
	"github.com/onnxrun/onnxrun/operators/internal/inputs"
	"github.com/onnxrun/onnxrun/operators/internal/quant"
)

// QMatMul is MatMulInteger (int32 output) or QLinearMatMul (requantized
// 8-bit output), with numpy matmul semantics. The 8-bit operands minus
// their zero points are widened to float64, where every product and sum
// stays exact, and multiplied by the float64 GEMM.
type QMatMul struct {
	qlinear bool
}

func newMatMulInteger(n *operators.Node) (operators.Op, error) {
	if err := inputs.Check(n, 2, 4); err != nil {
		return nil, err
	}
	return &QMatMul{}, nil
}

func newQLinearMatMul(n *operators.Node) (operators.Op, error) {
	if err := inputs.Check(n, 8, 8); err != nil {
		return nil, err
	}
	return &QMatMul{qlinear: true}, nil
}

func (q *QMatMul) pos() (a, b, azp, bzp, as, bs, ys, yzp int) {
	if q.qlinear {
		return 0, 3, 2, 5, 1, 4, 6, 7
	}
	return 0, 1, 2, 3, -1, -1, -1, -1
}

func opt(in []*operators.Value, i int) *operators.Value {
	if i >= 0 && i < len(in) {
		return in[i]
	}
	return nil
}

// Infer implements operators.Op.
func (q *QMatMul) Infer(in []operators.Meta, consts []*operators.Value) ([]operators.Meta, error) {
	ai, bi, _, _, _, _, _, yzp := q.pos()
	for _, i := range []int{ai, bi} {
		if !quant.Is8Bit(in[i].DType) {
			return nil, fmt.Errorf("%w: input %d has type %v, want uint8 or int8", operators.ErrUnsupportedType, i, in[i].DType)
		}
	}
	out := operators.Meta{DType: operators.Int32}
	if q.qlinear {
		out.DType = in[yzp].DType
		if !quant.Is8Bit(out.DType) {
			return nil, fmt.Errorf("%w: input %d (y_zero_point) has type %v, want uint8 or int8", operators.ErrUnsupportedType, yzp, out.DType)
		}
	}
	if !in[ai].HasShape || !in[bi].HasShape {
		return []operators.Meta{out}, nil
	}
	p, err := planMatMul(in[ai].Shape, in[bi].Shape)
	if err != nil {
		return nil, err
	}
	out.Shape, out.HasShape = p.out, true
	return []operators.Meta{out}, nil
}

// Run implements operators.Op.
func (q *QMatMul) Run(rc *operators.RunContext, in, out []*operators.Value) error {
	ai, bi, azpi, bzpi, asi, bsi, ysi, yzpi := q.pos()
	a, b := in[ai], in[bi]
	if !quant.Is8Bit(a.DType) || !quant.Is8Bit(b.DType) {
		return fmt.Errorf("%w: A and B must be uint8 or int8, got %v and %v", operators.ErrUnsupportedType, a.DType, b.DType)
	}
	p, err := planMatMul(a.Shape, b.Shape)
	if err != nil {
		return err
	}
	// Zero points (and scales) are per tensor, per row of A (M values) or
	// per column of B (N values).
	azp, err := quant.Param(opt(in, azpi), azpi, "a_zero_point", p.m, 0)
	if err != nil {
		return err
	}
	bzp, err := quant.Param(opt(in, bzpi), bzpi, "b_zero_point", p.n, 0)
	if err != nil {
		return err
	}
	af, err := quant.Widen(a, ai, "A", azp, p.k) // row i of A holds k elements
	if err != nil {
		return err
	}
	bf, err := quant.Values(b, bi, "B")
	if err != nil {
		return err
	}
	for i := range bf {
		bf[i] -= quant.At(bzp, i%p.n)
	}
	acc := make([]float64, operators.NumElements(p.out))
	runMatMul(p, af, bf, acc, 1, eng.F64())
	if !q.qlinear {
		y, err := rc.AllocValue(operators.Int32, p.out, false)
		if err != nil {
			return err
		}
		for i, v := range acc {
			y.I32()[i] = int32(v)
		}
		out[0] = y
		return nil
	}
	as, err := quant.Param(in[asi], asi, "a_scale", p.m, 1)
	if err != nil {
		return err
	}
	bs, err := quant.Param(in[bsi], bsi, "b_scale", p.n, 1)
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
	y, err := rc.AllocValue(in[yzpi].DType, p.out, false)
	if err != nil {
		return err
	}
	for i, v := range acc {
		row, col := (i/p.n)%p.m, i%p.n
		// float32 requantization, as ONNX Runtime computes it.
		mul := float32(quant.At(as, row)) * float32(quant.At(bs, col)) / float32(ys[0])
		quant.Store(y, i, float64(float32(v)*mul), yzp[0])
	}
	out[0] = y
	return nil
}
