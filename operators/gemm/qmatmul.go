package gemm

import (
	"fmt"

	"github.com/onnxrun/onnxrun/operators"
	"github.com/onnxrun/onnxrun/operators/internal/inputs"
	"github.com/onnxrun/onnxrun/operators/internal/quant"
)

// QMatMul is MatMulInteger (int32 output) or QLinearMatMul (requantized
// 8-bit output), with numpy matmul semantics. The 8-bit operands minus
// their zero points are widened to int32 and multiplied by the integer
// GEMM, accumulating in int32 as the specification computes.
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
	ai, bi, azpi, bzpi, asi, bsi, ysi, yzp := q.pos()
	for _, i := range []int{ai, bi} {
		if !quant.Is8Bit(in[i].DType) {
			return nil, fmt.Errorf("%w: input %d has type %v, want uint8 or int8", operators.ErrUnsupportedType, i, in[i].DType)
		}
	}
	for _, err := range []error{
		quant.WantType(in, azpi, "a_zero_point", in[ai].DType),
		quant.WantType(in, bzpi, "b_zero_point", in[bi].DType),
		quant.WantType(in, asi, "a_scale", operators.Float32),
		quant.WantType(in, bsi, "b_scale", operators.Float32),
		quant.WantType(in, ysi, "y_scale", operators.Float32),
	} {
		if err != nil {
			return nil, err
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
	// Widen to int32 minus the zero points and accumulate in int32 with
	// the integer GEMM, as the specification computes.
	aw, err := quant.Scratch(rc, a.Len())
	if err != nil {
		return err
	}
	if aw, err = quant.WidenIntTo(aw, a, ai, "A", quant.ZeroPoints(azp), p.k); err != nil { // row i of A holds k elements
		return err
	}
	bw, err := quant.Scratch(rc, b.Len())
	if err != nil {
		return err
	}
	if bw, err = quant.WidenIntTo(bw, b, bi, "B", []int32{0}, 1); err != nil {
		return err
	}
	if len(bzp) > 1 {
		for i := range bw {
			bw[i] -= int32(bzp[i%p.n])
		}
	} else if bzp[0] != 0 {
		z := int32(bzp[0])
		for i := range bw {
			bw[i] -= z
		}
	}
	if !q.qlinear {
		y, err := rc.AllocValue(operators.Int32, p.out, false)
		if err != nil {
			return err
		}
		accumulateMatMulInt(rc, p, aw, bw, y.I32())
		out[0] = y
		return nil
	}
	acc, err := quant.Scratch(rc, operators.NumElements(p.out))
	if err != nil {
		return err
	}
	accumulateMatMulInt(rc, p, aw, bw, acc)
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
	lo, hi := quant.Range(y.DType)
	zp := int32(yzp[0])
	for i, v := range acc {
		row, col := (i/p.n)%p.m, i%p.n
		// float32 requantization, as ONNX Runtime computes it.
		mul := float32(quant.At(as, row)) * float32(quant.At(bs, col)) / float32(ys[0])
		r := quant.Requantize(v, mul, zp, lo, hi)
		if y.DType == operators.Int8 {
			y.I8()[i] = int8(r)
		} else {
			y.U8()[i] = uint8(r)
		}
	}
	out[0] = y
	return nil
}
