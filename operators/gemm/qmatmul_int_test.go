package gemm

import (
	"fmt"
	"math"
	"math/rand"
	"testing"

	"github.com/onnxrun/onnxrun/operators"
)

// refQMatMul is an independent numpy-style reference: it broadcasts the
// batch dimensions by index arithmetic and sums (a-azp)*(b-bzp) in int64.
// azp has 1 or M values (per row of A), bzp 1 or N (per column of B).
func refQMatMul(a, b *operators.Value, azp, bzp []int64) ([]int64, []int) {
	as, bs := append([]int(nil), a.Shape...), append([]int(nil), b.Shape...)
	aVec, bVec := len(as) == 1, len(bs) == 1
	if aVec {
		as = []int{1, as[0]}
	}
	if bVec {
		bs = []int{bs[0], 1}
	}
	m, k, n := as[len(as)-2], as[len(as)-1], bs[len(bs)-1]
	ab, bb := as[:len(as)-2], bs[:len(bs)-2]
	r := max(len(ab), len(bb))
	pad := func(s []int) []int {
		o := make([]int, r-len(s), r)
		for i := range o {
			o[i] = 1
		}
		return append(o, s...)
	}
	ab, bb = pad(ab), pad(bb)
	batch := make([]int, r)
	for i := range batch {
		batch[i] = max(ab[i], bb[i], 1)
		if ab[i] == 0 || bb[i] == 0 {
			batch[i] = 0
		}
	}
	nb := 1
	for _, d := range batch {
		nb *= d
	}
	out := make([]int64, 0, nb*m*n)
	for t := 0; t < nb; t++ {
		// Decompose t into batch indices and map to A's and B's batches.
		ia, ib, rem := 0, 0, t
		sa, sb := 1, 1
		for i := r - 1; i >= 0; i-- {
			idx := rem % batch[i]
			rem /= batch[i]
			if ab[i] != 1 {
				ia += idx * sa
			}
			if bb[i] != 1 {
				ib += idx * sb
			}
			sa *= max(ab[i], 1)
			sb *= max(bb[i], 1)
		}
		for i := 0; i < m; i++ {
			for j := 0; j < n; j++ {
				var s int64
				for p := 0; p < k; p++ {
					av := ival(a, (ia*m+i)*k+p) - azp[i%len(azp)]
					bv := ival(b, (ib*k+p)*n+j) - bzp[j%len(bzp)]
					s += av * bv
				}
				out = append(out, s)
			}
		}
	}
	shape := append([]int(nil), batch...)
	if !aVec {
		shape = append(shape, m)
	}
	if !bVec {
		shape = append(shape, n)
	}
	return out, shape
}

func zpValue(dt operators.DType, v []int64, scalar bool) *operators.Value {
	shape := []int{len(v)}
	if scalar {
		shape = []int{}
	}
	x, _ := operators.NewValue(dt, shape)
	for i, z := range v {
		if dt == operators.Uint8 {
			x.U8()[i] = uint8(z)
		} else {
			x.I8()[i] = int8(z)
		}
	}
	return x
}

// TestQMatMulReference compares MatMulInteger and QLinearMatMul with
// refQMatMul on broadcast batches, vectors, int8 and uint8 operands, per
// row / per column zero points and scales, and sizes that split the
// columns among goroutines. MatMulInteger must match exactly; so must
// QLinearMatMul, whose expectation applies the float32 requantization to
// the int64 sum.
func TestQMatMulReference(t *testing.T) {
	r := rand.New(rand.NewSource(99))
	gen := func(dt operators.DType, shape ...int) *operators.Value {
		if dt == operators.Uint8 {
			return u8(r, shape...)
		}
		return i8(r, shape...)
	}
	cases := []struct {
		a, b         []int
		adt, bdt     operators.DType
		perRow, perC bool
	}{
		{[]int{3, 5}, []int{5, 4}, operators.Uint8, operators.Int8, false, false},
		{[]int{2, 1, 3, 7}, []int{4, 7, 6}, operators.Int8, operators.Uint8, true, true},
		{[]int{7}, []int{3, 7, 5}, operators.Uint8, operators.Uint8, false, true},
		{[]int{2, 4, 9}, []int{9}, operators.Int8, operators.Int8, true, false},
		{[]int{1, 33, 200}, []int{200, 130}, operators.Uint8, operators.Int8, true, true},
		{[]int{0, 3, 4}, []int{4, 2}, operators.Uint8, operators.Uint8, false, false},
	}
	for _, c := range cases {
		t.Run(fmt.Sprint(c.a, c.b), func(t *testing.T) {
			a, b := gen(c.adt, c.a...), gen(c.bdt, c.b...)
			m, n := 1, 1
			if len(c.a) > 1 {
				m = c.a[len(c.a)-2]
			}
			if len(c.b) > 1 {
				n = c.b[len(c.b)-1]
			}
			azp, bzp := []int64{int64(r.Intn(30))}, []int64{int64(r.Intn(30) - 15)}
			if c.perRow {
				azp = make([]int64, m)
				for i := range azp {
					azp[i] = int64(r.Intn(30))
				}
			}
			if c.perC {
				bzp = make([]int64, n)
				for i := range bzp {
					bzp[i] = int64(r.Intn(30) - 15)
				}
			}
			if c.bdt == operators.Uint8 {
				for i := range bzp {
					bzp[i] += 128
				}
			}
			want, shape := refQMatMul(a, b, azp, bzp)
			azv, bzv := zpValue(c.adt, azp, !c.perRow), zpValue(c.bdt, bzp, !c.perC)
			for _, threads := range []int{1, 2} {
				y := run(t, build(t, node("MatMulInteger", 10, 4)), threads, a, b, azv, bzv)
				if fmt.Sprint(y.Shape) != fmt.Sprint(shape) {
					t.Fatalf("MatMulInteger shape %v, want %v", y.Shape, shape)
				}
				for i, v := range want {
					if int64(y.I32()[i]) != v {
						t.Fatalf("threads %d: MatMulInteger y[%d] = %d, want %d", threads, i, y.I32()[i], v)
					}
				}
			}
			if c.perRow {
				return // QLinearMatMul's a_zero_point is per tensor
			}
			bsv := make([]float32, len(bzp))
			for i := range bsv {
				bsv[i] = float32(0.001 + 0.02*r.Float64())
			}
			bs, _ := operators.FromSlice(bsv, []int{len(bsv)})
			if !c.perC {
				bs.Shape = []int{}
			}
			asv, ysv := float32(0.03), float32(0.2+r.Float64())
			yzp, _ := operators.FromSlice([]int8{-7}, []int{})
			y := run(t, build(t, node("QLinearMatMul", 10, 8)), 2, a, f32v(asv), azv, b, bs, bzv, f32v(ysv), yzp)
			for i, v := range want {
				mul := asv * bsv[(i%n)%len(bsv)] / ysv
				q := math.Max(-128, math.Min(127, math.RoundToEven(float64(float32(v)*mul))-7))
				if float64(y.I8()[i]) != q {
					t.Fatalf("QLinearMatMul y[%d] = %d, want %v", i, y.I8()[i], q)
				}
			}
		})
	}
}

func f32v(v float32) *operators.Value {
	x, _ := operators.FromSlice([]float32{v}, []int{})
	return x
}
