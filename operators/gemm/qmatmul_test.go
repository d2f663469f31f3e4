package gemm

import (
	"errors"
	"math"
	"math/rand"
	"testing"

	"github.com/onnxrun/onnxrun/operators"
)

func u8(r *rand.Rand, shape ...int) *operators.Value {
	v, _ := operators.NewValue(operators.Uint8, shape)
	for i := range v.U8() {
		v.U8()[i] = uint8(r.Intn(256))
	}
	return v
}

func i8(r *rand.Rand, shape ...int) *operators.Value {
	v, _ := operators.NewValue(operators.Int8, shape)
	for i := range v.I8() {
		v.I8()[i] = int8(r.Intn(256) - 128)
	}
	return v
}

func ival(v *operators.Value, i int) int64 {
	if v.DType == operators.Uint8 {
		return int64(v.U8()[i])
	}
	return int64(v.I8()[i])
}

// TestMatMulInteger compares with int64 sums: the int32 accumulation must be
// exact. K = 300 makes the sums exceed float32's exact integer range.
func TestMatMulInteger(t *testing.T) {
	r := rand.New(rand.NewSource(13))
	const m, k, n = 5, 300, 7
	a, b := u8(r, 2, m, k), i8(r, k, n)
	azp := u8(r, m)                                    // per row of A
	bzp, _ := operators.FromSlice([]int8{-3}, []int{}) // per tensor
	op := build(t, node("MatMulInteger", 10, 4))
	y := run(t, op, 1, a, b, azp, bzp)
	if y.DType != operators.Int32 {
		t.Fatalf("type %v", y.DType)
	}
	for bt := 0; bt < 2; bt++ {
		for i := 0; i < m; i++ {
			for j := 0; j < n; j++ {
				var s int64
				for p := 0; p < k; p++ {
					s += (ival(a, (bt*m+i)*k+p) - ival(azp, i)) * (ival(b, p*n+j) + 3)
				}
				if got := int64(y.I32()[(bt*m+i)*n+j]); got != s {
					t.Fatalf("Y[%d,%d,%d] = %d, want %d", bt, i, j, got, s)
				}
			}
		}
	}
}

func TestQLinearMatMul(t *testing.T) {
	r := rand.New(rand.NewSource(14))
	const m, k, n = 4, 9, 6
	a, b := u8(r, m, k), u8(r, k, n)
	f := func(v ...float32) *operators.Value { x, _ := operators.FromSlice(v, []int{len(v)}); return x }
	scalarU8 := func(v uint8) *operators.Value { x, _ := operators.FromSlice([]uint8{v}, []int{}); return x }
	as, azp := f(0.02), scalarU8(120)
	bsv := make([]float32, n) // per-column scales
	for j := range bsv {
		bsv[j] = 0.01 * float32(j+1)
	}
	bs, bzp := f(bsv...), scalarU8(130)
	ys, yzp := f(0.5), scalarU8(100)
	op := build(t, node("QLinearMatMul", 10, 8))
	y := run(t, op, 1, a, as, azp, b, bs, bzp, ys, yzp)
	for i := 0; i < m; i++ {
		for j := 0; j < n; j++ {
			var s int64
			for p := 0; p < k; p++ {
				s += (ival(a, i*k+p) - 120) * (ival(b, p*n+j) - 130)
			}
			mul := float32(0.02) * bsv[j] / float32(0.5)
			want := math.Max(0, math.Min(255, math.RoundToEven(float64(float32(s)*mul))+100))
			if got := y.U8()[i*n+j]; float64(got) != want {
				t.Fatalf("y[%d,%d] = %d, want %v", i, j, got, want)
			}
		}
	}
	// A per-column zero point of the wrong length names the input.
	bad := u8(r, 5)
	out := make([]*operators.Value, 1)
	if err := op.Run(nil, []*operators.Value{a, as, azp, b, bs, bad, ys, yzp}, out); !errors.Is(err, operators.ErrShape) || !contains(err.Error(), "input 5 (b_zero_point)") {
		t.Errorf("bad b_zero_point: %v", err)
	}
	fa, _ := operators.NewValue(operators.Float32, []int{m, k})
	if _, err := op.Infer([]operators.Meta{fa.Meta(), as.Meta(), azp.Meta(), b.Meta(), bs.Meta(), bzp.Meta(), ys.Meta(), yzp.Meta()}, nil); !errors.Is(err, operators.ErrUnsupportedType) {
		t.Errorf("float A: %v", err)
	}
}
