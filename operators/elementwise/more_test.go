package elementwise

import (
	"errors"
	"fmt"
	"math"
	"testing"

	"github.com/onnxrun/onnxrun/operators"
	ot "github.com/onnxrun/onnxrun/operators/internal/optest"
)

func TestMathMaps(t *testing.T) {
	xs := []float64{-2.5, -1.5, -0.5, -0.25, 0, 0.25, 0.5, 1.5, 2.5, 0.9}
	cases := []struct {
		op    string
		opset int
		attrs []*operators.Attr
		ref   func(float64) float64
	}{
		{"Sin", 7, nil, math.Sin}, {"Cos", 7, nil, math.Cos}, {"Tan", 7, nil, math.Tan},
		{"Asin", 7, nil, math.Asin}, {"Acos", 7, nil, math.Acos}, {"Atan", 7, nil, math.Atan},
		{"Sinh", 9, nil, math.Sinh}, {"Cosh", 9, nil, math.Cosh}, {"Asinh", 9, nil, math.Asinh},
		{"Acosh", 9, nil, math.Acosh}, {"Atanh", 9, nil, math.Atanh},
		{"Floor", 13, nil, math.Floor}, {"Ceil", 13, nil, math.Ceil},
		// Round halves to even: the cases -2.5, -1.5, -0.5, 0.5, 1.5, 2.5.
		{"Round", 11, nil, func(x float64) float64 {
			f := math.Floor(x)
			switch d := x - f; {
			case d < 0.5:
				return f
			case d > 0.5:
				return f + 1
			case math.Mod(f, 2) == 0:
				return f
			}
			return f + 1
		}},
		{"Softsign", 1, nil, func(x float64) float64 { return x / (1 + math.Abs(x)) }},
		{"Sign", 13, nil, func(x float64) float64 {
			if x > 0 {
				return 1
			} else if x < 0 {
				return -1
			}
			return 0
		}},
		{"Shrink", 9, nil, func(x float64) float64 {
			if x < -0.5 || x > 0.5 {
				return x
			}
			return 0
		}},
		{"Shrink", 9, []*operators.Attr{ot.Float("lambd", 1), ot.Float("bias", 0.5)}, func(x float64) float64 {
			if x < -1 {
				return x + 0.5
			} else if x > 1 {
				return x - 0.5
			}
			return 0
		}},
		{"ThresholdedRelu", 10, nil, func(x float64) float64 { return map[bool]float64{true: x, false: 0}[x > 1] }},
		{"ThresholdedRelu", 10, []*operators.Attr{ot.Float("alpha", 0)}, func(x float64) float64 { return map[bool]float64{true: x, false: 0}[x > 0] }},
		{"Celu", 12, nil, func(x float64) float64 { return math.Max(0, x) + math.Min(0, math.Exp(x)-1) }},
		{"Mish", 18, nil, func(x float64) float64 { return x * math.Tanh(math.Log(1+math.Exp(x))) }},
		{"Gelu", 20, nil, func(x float64) float64 { return x * 0.5 * math.Erfc(-x/math.Sqrt2) }},
		{"Gelu", 20, []*operators.Attr{ot.String("approximate", "tanh")}, func(x float64) float64 {
			u := math.Sqrt(2/math.Pi) * (x + 0.044715*math.Pow(x, 3))
			return x / (1 + math.Exp(-2*u)) // 0.5(1+tanh u) = sigmoid(2u)
		}},
		{"Celu", 12, []*operators.Attr{ot.Float("alpha", 2)}, func(x float64) float64 { return math.Max(0, x) + math.Min(0, 2*(math.Exp(x/2)-1)) }},
	}
	for _, c := range cases {
		op := ot.MustBuild(t, c.op, c.opset, 1, c.attrs...)
		for _, dt := range []operators.DType{operators.Float32, operators.Float64, operators.Float16} {
			t.Run(fmt.Sprintf("%s%v/%v", c.op, c.attrs, dt), func(t *testing.T) {
				in := xs
				if c.op == "Acosh" {
					in = []float64{1, 1.5, 2, 3, 10, 100, 1.25, 4, 5, 6}
				}
				x := ot.Val(dt, []int{len(in)}, in...)
				stored := ot.Floats64(x)
				want := make([]float64, len(stored))
				for i, v := range stored {
					want[i] = c.ref(v)
				}
				rtol := map[operators.DType]float64{operators.Float32: 1e-6, operators.Float64: 1e-12, operators.Float16: 1.0 / 2048}[dt]
				y := ot.MustExec(t, op, x)[0]
				ot.MustClose(t, y, []int{len(in)}, want, rtol, 1e-7)
			})
		}
	}
	// Sign and Shrink of integers.
	y := ot.MustExec(t, ot.MustBuild(t, "Sign", 13, 1), ot.Val(operators.Int32, []int{3}, -7, 0, 9))[0]
	ot.MustClose(t, y, []int{3}, []float64{-1, 0, 1}, 0, 0)
	y = ot.MustExec(t, ot.MustBuild(t, "Sign", 13, 1), ot.Val(operators.Uint8, []int{2}, 0, 200))[0]
	ot.MustClose(t, y, []int{2}, []float64{0, 1}, 0, 0)
	y = ot.MustExec(t, ot.MustBuild(t, "Shrink", 9, 1, ot.Float("lambd", 1.5), ot.Float("bias", 1)), ot.Val(operators.Int64, []int{4}, -3, -1, 1, 3))[0]
	ot.MustClose(t, y, []int{4}, []float64{-2, 0, 0, 2}, 0, 0)
	if _, err := ot.Build("Gelu", 20, 1, ot.String("approximate", "fast")); err == nil {
		t.Error("Gelu approximate=fast accepted")
	}
	if _, err := ot.Build("Celu", 12, 1, ot.Float("alpha", 0)); err == nil {
		t.Error("Celu alpha=0 accepted")
	}
}

func TestPredicates(t *testing.T) {
	nan, inf := math.NaN(), math.Inf(1)
	x := ot.Val(operators.Float32, []int{5}, nan, inf, -inf, 0, 1)
	y := ot.MustExec(t, ot.MustBuild(t, "IsNaN", 13, 1), x)[0]
	ot.MustClose(t, y, []int{5}, []float64{1, 0, 0, 0, 0}, 0, 0)
	for _, c := range []struct {
		neg, pos int64
		want     []float64
	}{{1, 1, []float64{0, 1, 1, 0, 0}}, {0, 1, []float64{0, 1, 0, 0, 0}}, {1, 0, []float64{0, 0, 1, 0, 0}}} {
		op := ot.MustBuild(t, "IsInf", 10, 1, ot.Int("detect_negative", c.neg), ot.Int("detect_positive", c.pos))
		for _, dt := range []operators.DType{operators.Float32, operators.Float64, operators.Float16} {
			y := ot.MustExec(t, op, ot.Val(dt, []int{5}, nan, inf, -inf, 0, 1))[0]
			if err := ot.Close(y, []int{5}, c.want, 0, 0); err != nil {
				t.Errorf("IsInf %v %v: %v", c, dt, err)
			}
		}
	}
	if _, err := ot.Exec(ot.MustBuild(t, "IsNaN", 13, 1), ot.Val(operators.Int32, []int{1}, 1)); !errors.Is(err, operators.ErrUnsupportedType) {
		t.Errorf("IsNaN int32: %v", err)
	}
}

func TestPRelu(t *testing.T) {
	xs := []float64{-2, -1, 0, 1, 2, -3, -4, 5, 6, -7, 8, -9}
	ref := func(slope func(i int) float64) []float64 {
		out := make([]float64, len(xs))
		for i, v := range xs {
			out[i] = v
			if v < 0 {
				out[i] = v * slope(i)
			}
		}
		return out
	}
	shape := []int{1, 3, 2, 2} // N, C, H, W
	op := ot.MustBuild(t, "PRelu", 16, 2)
	for _, dt := range []operators.DType{operators.Float32, operators.Float64, operators.Float16, operators.Int32} {
		x := ot.Val(dt, shape, xs...)
		// One slope.
		y := ot.MustExec(t, op, x, ot.Val(dt, []int{1}, 2))[0]
		ot.MustClose(t, y, shape, ref(func(int) float64 { return 2 }), 0, 0)
		// Per channel, as [C, 1, 1].
		y = ot.MustExec(t, op, x, ot.Val(dt, []int{3, 1, 1}, 1, 2, 3))[0]
		ot.MustClose(t, y, shape, ref(func(i int) float64 { return float64(1 + i/4) }), 0, 0)
		// Along the last axis.
		y = ot.MustExec(t, op, x, ot.Val(dt, []int{2}, 10, 20))[0]
		ot.MustClose(t, y, shape, ref(func(i int) float64 { return float64(10 + 10*(i%2)) }), 0, 0)
	}
	// Opset 6: a 1-D slope of C values is per channel.
	old := ot.MustBuild(t, "PRelu", 6, 2)
	y := ot.MustExec(t, old, ot.Val(operators.Float32, shape, xs...), ot.Val(operators.Float32, []int{3}, 1, 2, 3))[0]
	ot.MustClose(t, y, shape, ref(func(i int) float64 { return float64(1 + i/4) }), 0, 0)
	// The slope may not grow X.
	if _, err := ot.Exec(op, ot.Val(operators.Float32, []int{2}, 1, 2), ot.Val(operators.Float32, []int{3, 2}, 1, 2, 3, 4, 5, 6)); !errors.Is(err, operators.ErrShape) {
		t.Errorf("growing slope: %v", err)
	}
}

func TestMod(t *testing.T) {
	a := []float64{7, -7, 7, -7, 6, 0}
	b := []float64{3, 3, -3, -3, 3, 5}
	pyMod := []float64{1, 2, -2, -1, 0, 0}
	cMod := []float64{1, -1, 1, -1, 0, 0}
	mod := ot.MustBuild(t, "Mod", 13, 2)
	fmod := ot.MustBuild(t, "Mod", 13, 2, ot.Int("fmod", 1))
	for _, dt := range []operators.DType{operators.Int8, operators.Int16, operators.Int32, operators.Int64} {
		y := ot.MustExec(t, mod, ot.Val(dt, []int{6}, a...), ot.Val(dt, []int{6}, b...))[0]
		ot.MustClose(t, y, []int{6}, pyMod, 0, 0)
		y = ot.MustExec(t, fmod, ot.Val(dt, []int{6}, a...), ot.Val(dt, []int{6}, b...))[0]
		ot.MustClose(t, y, []int{6}, cMod, 0, 0)
		if _, err := ot.Exec(mod, ot.Val(dt, []int{1}, 1), ot.Val(dt, []int{1}, 0)); err == nil {
			t.Errorf("%v: Mod by zero gave no error", dt)
		}
	}
	y := ot.MustExec(t, mod, ot.Val(operators.Uint32, []int{2}, 7, 9), ot.Val(operators.Uint32, []int{}, 4))[0]
	ot.MustClose(t, y, []int{2}, []float64{3, 1}, 0, 0)
	for _, dt := range []operators.DType{operators.Float32, operators.Float64, operators.Float16} {
		y := ot.MustExec(t, fmod, ot.Val(dt, []int{6}, a...), ot.Val(dt, []int{6}, b...))[0]
		ot.MustClose(t, y, []int{6}, cMod, 0, 0)
		y = ot.MustExec(t, fmod, ot.Val(dt, []int{2}, 5.5, -5.5), ot.Val(dt, []int{}, 2))[0]
		ot.MustClose(t, y, []int{2}, []float64{1.5, -1.5}, 0, 0)
	}
	var ae *operators.AttributeError
	if _, err := ot.Exec(mod, ot.Val(operators.Float32, []int{1}, 1), ot.Val(operators.Float32, []int{1}, 1)); !errors.As(err, &ae) || ae.Attr != "fmod" {
		t.Errorf("float Mod with fmod=0: %v", err)
	}
	if _, err := ot.Build("Mod", 13, 2, ot.Int("fmod", 2)); !errors.As(err, &ae) {
		t.Errorf("fmod=2: %v", err)
	}
}

func TestBitShift(t *testing.T) {
	left := ot.MustBuild(t, "BitShift", 11, 2, ot.String("direction", "LEFT"))
	right := ot.MustBuild(t, "BitShift", 11, 2, ot.String("direction", "RIGHT"))
	for _, dt := range []operators.DType{operators.Uint8, operators.Uint16, operators.Uint32, operators.Uint64} {
		x := ot.Val(dt, []int{4}, 16, 4, 1, 255)
		s := ot.Val(dt, []int{4}, 1, 2, 0, 4)
		ot.MustClose(t, ot.MustExec(t, right, x, s)[0], []int{4}, []float64{8, 1, 1, 15}, 0, 0)
		want := []float64{32, 16, 1, 4080}
		if dt == operators.Uint8 {
			want[3] = 240 // the high bits fall off
		}
		ot.MustClose(t, ot.MustExec(t, left, x, s)[0], []int{4}, want, 0, 0)
		// Shifting by the width or more gives 0.
		width := float64(dt.Size() * 8)
		ot.MustClose(t, ot.MustExec(t, left, ot.Val(dt, []int{1}, 1), ot.Val(dt, []int{}, width))[0], []int{1}, []float64{0}, 0, 0)
	}
	if _, err := ot.Build("BitShift", 11, 2, ot.String("direction", "UP")); err == nil {
		t.Error("direction UP accepted")
	}
	if _, err := ot.Exec(left, ot.Val(operators.Int32, []int{1}, 1), ot.Val(operators.Int32, []int{1}, 1)); !errors.Is(err, operators.ErrUnsupportedType) {
		t.Errorf("int32 BitShift: %v", err)
	}
}
