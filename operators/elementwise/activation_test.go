package elementwise

import (
	"fmt"
	"math"
	"testing"

	"github.com/onnxrun/onnxrun/dispatch"
	"github.com/onnxrun/onnxrun/dispatch/dispatchtest"
	"github.com/onnxrun/onnxrun/operators"
	ot "github.com/onnxrun/onnxrun/operators/internal/optest"
)

// TestActivations compares each map with its textbook formula in float64
// on values that cover both branches of the piecewise ones. float32
// results are computed in float64 and rounded once (rtol 1e-6 leaves room
// for the float32 alpha attributes); float16/bfloat16 get half an ULP.
func TestActivations(t *testing.T) {
	xs := []float64{-20, -3, -1, -0.25, 0, 0.25, 1, 2.5, 3, 4, 20, 50}
	cases := []struct {
		op    string
		opset int
		attrs []*operators.Attr
		ref   func(x float64) float64
	}{
		{"Relu", 14, nil, func(x float64) float64 { return math.Max(x, 0) }},
		{"Neg", 13, nil, func(x float64) float64 { return -x }},
		{"Abs", 13, nil, math.Abs},
		{"Sigmoid", 13, nil, func(x float64) float64 { return 1 / (1 + math.Exp(-x)) }},
		{"Tanh", 13, nil, func(x float64) float64 { return (math.Exp(2*x) - 1) / (math.Exp(2*x) + 1) }},
		{"Sqrt", 13, nil, math.Sqrt},
		{"Reciprocal", 13, nil, func(x float64) float64 { return 1 / x }},
		{"Erf", 13, nil, math.Erf},
		{"Softplus", 1, nil, func(x float64) float64 { return math.Log(math.Exp(x) + 1) }},
		{"LeakyRelu", 16, nil, func(x float64) float64 { return map[bool]float64{true: x, false: 0.01 * x}[x >= 0] }},
		{"LeakyRelu", 6, []*operators.Attr{ot.Float("alpha", 0.5)}, func(x float64) float64 { return map[bool]float64{true: x, false: 0.5 * x}[x >= 0] }},
		{"Elu", 6, nil, func(x float64) float64 { return map[bool]float64{true: x, false: math.Exp(x) - 1}[x >= 0] }},
		{"Elu", 6, []*operators.Attr{ot.Float("alpha", 2)}, func(x float64) float64 { return map[bool]float64{true: x, false: 2 * (math.Exp(x) - 1)}[x >= 0] }},
		{"Selu", 6, nil, func(x float64) float64 {
			a, g := 1.6732632423543772848170429916717, 1.0507009873554804934193349852946
			if x > 0 {
				return g * x
			}
			return g * a * (math.Exp(x) - 1)
		}},
		{"Selu", 6, []*operators.Attr{ot.Float("alpha", 2), ot.Float("gamma", 3)}, func(x float64) float64 {
			if x > 0 {
				return 3 * x
			}
			return 3 * 2 * (math.Exp(x) - 1)
		}},
		{"HardSigmoid", 6, nil, func(x float64) float64 { return math.Min(1, math.Max(0, 0.2*x+0.5)) }},
		{"HardSigmoid", 6, []*operators.Attr{ot.Float("alpha", 0.5), ot.Float("beta", 0.25)}, func(x float64) float64 { return math.Min(1, math.Max(0, 0.5*x+0.25)) }},
		{"HardSwish", 14, nil, func(x float64) float64 { return x * math.Min(1, math.Max(0, x/6+0.5)) }},
	}
	for _, c := range cases {
		op := ot.MustBuild(t, c.op, c.opset, 1, c.attrs...)
		for _, dt := range []operators.DType{operators.Float32, operators.Float64, operators.Float16, operators.BFloat16} {
			t.Run(fmt.Sprintf("%s-%d%v/%v", c.op, c.opset, c.attrs, dt), func(t *testing.T) {
				x := ot.Val(dt, []int{3, 4}, xs...)
				in := ot.Floats64(x)
				want := make([]float64, len(in))
				for i, v := range in {
					want[i] = c.ref(v)
				}
				rtol, atol := map[operators.DType]float64{operators.Float32: 1e-6, operators.Float64: 1e-6,
					operators.Float16: 1.0 / 2048, operators.BFloat16: 1.0 / 256}[dt], 1e-30
				if c.op == "Softplus" || c.op == "Sigmoid" || c.op == "Tanh" {
					// The reference formulas lose precision near
					// saturation; compare absolutely there too.
					atol = 1e-7
				}
				y := ot.MustExec(t, op, x)[0]
				ot.MustClose(t, y, []int{3, 4}, want, rtol, atol)
			})
		}
	}
}

func TestIntegerMaps(t *testing.T) {
	xs := []float64{-5, -1, 0, 1, 7, -128 + 1}
	for _, c := range []struct {
		op  string
		ref func(float64) float64
	}{
		{"Relu", func(x float64) float64 { return math.Max(x, 0) }},
		{"Neg", func(x float64) float64 { return -x }},
		{"Abs", math.Abs},
	} {
		op := ot.MustBuild(t, c.op, 14, 1)
		for _, dt := range []operators.DType{operators.Int8, operators.Int16, operators.Int32, operators.Int64} {
			want := make([]float64, len(xs))
			for i, v := range xs {
				want[i] = c.ref(v)
			}
			y := ot.MustExec(t, op, ot.Val(dt, []int{6}, xs...))[0]
			if err := ot.Close(y, []int{6}, want, 0, 0); err != nil {
				t.Errorf("%s %v: %v", c.op, dt, err)
			}
		}
	}
	abs := ot.MustBuild(t, "Abs", 13, 1)
	y := ot.MustExec(t, abs, ot.Val(operators.Uint8, []int{2}, 0, 255))[0]
	ot.MustClose(t, y, []int{2}, []float64{0, 255}, 0, 0)
	if _, err := ot.Exec(ot.MustBuild(t, "Sigmoid", 13, 1), ot.Val(operators.Int32, []int{1}, 1)); err == nil {
		t.Error("Sigmoid of int32 gave no error")
	}
}

func TestActivationSpecials(t *testing.T) {
	nan, inf := math.NaN(), math.Inf(1)
	x := ot.Val(operators.Float32, []int{3}, nan, inf, -inf)
	for _, c := range []struct {
		op   string
		want []float64
	}{
		{"Relu", []float64{nan, inf, 0}},
		{"Sigmoid", []float64{nan, 1, 0}},
		{"Tanh", []float64{nan, 1, -1}},
		{"Softplus", []float64{nan, inf, 0}},
		{"Abs", []float64{nan, inf, inf}},
	} {
		y := ot.MustExec(t, ot.MustBuild(t, c.op, 13, 1), x)[0]
		if err := ot.Close(y, []int{3}, c.want, 0, 0); err != nil {
			t.Errorf("%s: %v", c.op, err)
		}
	}
	// Softplus of large inputs does not overflow.
	y := ot.MustExec(t, ot.MustBuild(t, "Softplus", 1, 1), ot.Val(operators.Float32, []int{1}, 1000))[0]
	ot.MustClose(t, y, []int{1}, []float64{1000}, 1e-7, 0)
	// -0 has a positive absolute value.
	neg0, _ := operators.FromSlice([]float32{float32(math.Copysign(0, -1))}, []int{1})
	if y := ot.MustExec(t, ot.MustBuild(t, "Abs", 13, 1), neg0)[0]; math.Signbit(float64(y.F32()[0])) {
		t.Error("Abs(-0) kept the sign")
	}
	if _, err := ot.Build("LeakyRelu", 6, 1, ot.Int("alpha", 1)); err == nil {
		t.Error("an int alpha was accepted")
	}
}

// TestReluFloat32Clamp checks the float32 Relu (a copy and the dispatch
// table's clamp) element by element against the definition, signed zeros
// and NaN included, on lengths around the SIMD widths and on an empty
// tensor, at every kernel level the machine runs.
func TestReluFloat32Clamp(t *testing.T) {
	dispatchtest.ForEachImpl(t, func(t *testing.T, _ *dispatch.Kernels) {
		op := ot.MustBuild(t, "Relu", 14, 1)
		for _, n := range []int{0, 1, 7, 8, 9, 31, 33, 100} {
			x, _ := operators.NewValue(operators.Float32, []int{n})
			xs := x.F32()
			specials := []float32{float32(math.NaN()), float32(math.Copysign(0, -1)), 0, float32(math.Inf(-1)), float32(math.Inf(1)), -1e-40}
			for i := range xs {
				if i < len(specials) {
					xs[i] = specials[i]
				} else {
					xs[i] = float32(i%7) - 3.5
				}
			}
			y := ot.MustExec(t, op, x)[0]
			for i, v := range xs {
				want := v
				if v < 0 {
					want = 0
				}
				got := y.F32()[i]
				if math.Float32bits(got) != math.Float32bits(want) && !(want != want && got != got) {
					t.Fatalf("n=%d: Relu(%v) = %v, want %v", n, v, got, want)
				}
			}
		}
	})
}

// TestBiasAddSubBits checks float32 Add and Sub of a tensor and a
// broadcast row or scalar (which go through the dispatch table's shift)
// bit for bit against the plain loop, at every kernel level the machine
// runs, with signed zeros, infinities and NaN among the operands.
func TestBiasAddSubBits(t *testing.T) {
	vals := []float32{0, float32(math.Copysign(0, -1)), 1, -1, 1e-40, -3.25, float32(math.Inf(1)), float32(math.Inf(-1)), float32(math.NaN()), 1e30, 0.1}
	dispatchtest.ForEachImpl(t, func(t *testing.T, _ *dispatch.Kernels) {
		for _, name := range []string{"Add", "Sub"} {
			op := ot.MustBuild(t, name, 14, 2)
			for _, n := range []int{1, 7, 8, 9, 33} {
				x, _ := operators.NewValue(operators.Float32, []int{len(vals), n})
				for i := range x.F32() {
					x.F32()[i] = vals[(i*7+i/n)%len(vals)]
				}
				bias, _ := operators.NewValue(operators.Float32, []int{len(vals), 1})
				copy(bias.F32(), vals)
				for _, order := range [][2]*operators.Value{{x, bias}, {bias, x}} {
					y := ot.MustExec(t, op, order[0], order[1])[0]
					for i, got := range y.F32() {
						xv, bv := x.F32()[i], vals[i/n]
						a, b := xv, bv
						if order[0] == bias {
							a, b = bv, xv
						}
						want := a + b
						if name == "Sub" {
							want = a - b
						}
						if math.Float32bits(got) != math.Float32bits(want) && !(got != got && want != want) {
							t.Fatalf("%s(%v, %v) = %v, want %v", name, a, b, got, want)
						}
					}
				}
			}
		}
	})
}
