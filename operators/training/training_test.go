package training

import (
	"errors"
	"math"
	"testing"

	"github.com/onnxrun/onnxrun/operators"
	ot "github.com/onnxrun/onnxrun/operators/internal/optest"
)

func build(t *testing.T, op string, nIn int, attrs ...*operators.Attr) operators.Op {
	t.Helper()
	n := ot.Node(op, 1, nIn, attrs...)
	n.Domain = domain
	r, ok := operators.Lookup(domain, op, 1)
	if !ok {
		t.Fatalf("%s is not registered", op)
	}
	o, err := r.New(n)
	if err != nil {
		t.Fatal(err)
	}
	return o
}

func f32(v ...float64) *operators.Value { return ot.Val(operators.Float32, []int{len(v)}, v...) }

func TestOptimizers(t *testing.T) {
	r := ot.Val(operators.Float32, []int{}, 0.1)
	t0, _ := operators.FromSlice([]int64{0}, []int{})
	t3, _ := operators.FromSlice([]int64{3}, []int{})
	x, g, s1, s2 := []float64{1, -2}, []float64{-1, 0.5}, []float64{0.5, 2}, []float64{0.25, 1}
	norm := 0.01

	// Adagrad, by the formulas of the operator description.
	op := build(t, "Adagrad", 5, ot.Float("decay_factor", 0.5), ot.Float("epsilon", 1e-3), ot.Float("norm_coefficient", float32(norm)))
	out := ot.MustExec(t, op, r, t3, f32(x...), f32(g...), f32(s1...))
	var wx, wh []float64
	for i := range x {
		rate := 0.1 / (1 + 3*0.5)
		gr := norm*x[i] + g[i]
		h := s1[i] + gr*gr
		wh = append(wh, h)
		wx = append(wx, x[i]-rate*gr/(math.Sqrt(h)+1e-3))
	}
	ot.MustClose(t, out[0], []int{2}, wx, 1e-6, 1e-7)
	ot.MustClose(t, out[1], []int{2}, wh, 1e-6, 1e-7)

	// Momentum, standard and Nesterov, at T = 0 (beta replaced by 1).
	for _, mode := range []string{"standard", "nesterov"} {
		op := build(t, "Momentum", 5, ot.Float("alpha", 0.9), ot.Float("beta", 0.5), ot.Float("norm_coefficient", float32(norm)), ot.String("mode", mode))
		out := ot.MustExec(t, op, r, t0, f32(x...), f32(g...), f32(s1...))
		wx, wv := []float64{}, []float64{}
		for i := range x {
			gr := norm*x[i] + g[i]
			v := 0.9*s1[i] + 1*gr
			wv = append(wv, v)
			if mode == "standard" {
				wx = append(wx, x[i]-0.1*v)
			} else {
				wx = append(wx, x[i]-0.1*(gr+0.9*v))
			}
		}
		ot.MustClose(t, out[0], []int{2}, wx, 1e-6, 1e-7)
		ot.MustClose(t, out[1], []int{2}, wv, 1e-6, 1e-7)
	}

	// Adam at T = 3 (bias-corrected rate), two tensors at once.
	op = build(t, "Adam", 10, ot.Float("alpha", 0.9), ot.Float("beta", 0.99), ot.Float("epsilon", 1e-2), ot.Float("norm_coefficient_post", 0.1))
	out = ot.MustExec(t, op, r, t3, f32(x[0]), f32(x[1]), f32(g[0]), f32(g[1]), f32(s1[0]), f32(s1[1]), f32(s2[0]), f32(s2[1]))
	for i := range x {
		gr := g[i]
		v := 0.9*s1[i] + 0.1*gr
		h := 0.99*s2[i] + 0.01*gr*gr
		rate := 0.1 * math.Sqrt(1-math.Pow(0.99, 3)) / (1 - math.Pow(0.9, 3))
		xn := (1 - 0.1) * (x[i] - rate*v/(math.Sqrt(h)+1e-2))
		ot.MustClose(t, out[i], []int{1}, []float64{xn}, 1e-6, 1e-7)
		ot.MustClose(t, out[2+i], []int{1}, []float64{v}, 1e-6, 1e-7)
		ot.MustClose(t, out[4+i], []int{1}, []float64{h}, 1e-6, 1e-7)
	}
}

func TestOptimizerErrors(t *testing.T) {
	n := ot.Node("Adam", 1, 5)
	n.Domain = domain
	r, _ := operators.Lookup(domain, "Adam", 1)
	if _, err := r.New(n); !errors.Is(err, operators.ErrInvalidModel) {
		t.Errorf("Adam with 5 inputs: %v", err)
	}
	n = ot.Node("Momentum", 1, 5, ot.Float("alpha", 1))
	n.Domain = domain
	r, _ = operators.Lookup(domain, "Momentum", 1)
	var ae *operators.AttributeError
	if _, err := r.New(n); !errors.As(err, &ae) {
		t.Errorf("Momentum without beta and mode: %v", err)
	}
}
