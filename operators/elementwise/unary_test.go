package elementwise

import (
	"fmt"
	"math"
	"testing"

	"github.com/onnxrun/onnxrun/dispatch"
	"github.com/onnxrun/onnxrun/operators"
	ot "github.com/onnxrun/onnxrun/operators/internal/optest"
)

func TestExpLog(t *testing.T) {
	xs := []float64{-3, -1, -0.5, 0, 0.25, 1, 2, 10}
	pos := []float64{1e-3, 0.5, 1, 2, 10, 1000, 0, -1}
	for _, c := range []struct {
		name string
		x    []float64
		f    func(float64) float64
	}{{"Exp", xs, math.Exp}, {"Log", pos, math.Log}} {
		op := ot.MustBuild(t, c.name, 13, 1)
		for _, dt := range []operators.DType{operators.Float32, operators.Float64, operators.Float16, operators.BFloat16} {
			t.Run(fmt.Sprintf("%s/%v", c.name, dt), func(t *testing.T) {
				x := ot.Val(dt, []int{2, 4}, c.x...)
				// The reference starts from the input as stored (rounded
				// to the type), so only the output rounding remains:
				// half an ULP of the type, plus float64 error for float64.
				in := ot.Floats64(x)
				want := make([]float64, len(in))
				for i, v := range in {
					want[i] = c.f(v)
				}
				// Exp's float32 kernel is within 1 ULP (2^-23 relative).
				rtol := map[operators.DType]float64{operators.Float32: 2.4e-7, operators.Float64: 1e-15,
					operators.Float16: 1.0 / 2048, operators.BFloat16: 1.0 / 256}[dt]
				out := ot.MustExec(t, op, x)
				ot.MustClose(t, out[0], []int{2, 4}, want, rtol, 0)
			})
		}
		if _, err := ot.Exec(op, ot.Val(operators.Int32, []int{1}, 1)); err == nil {
			t.Errorf("%s of int32 gave no error", c.name)
		}
	}
}

// TestUnaryParallel checks a tensor large enough to be split between
// goroutines.
func TestUnaryParallel(t *testing.T) {
	n := 3*unaryChunk + 5
	x := make([]float64, n)
	want := make([]float64, n)
	for i := range x {
		x[i] = float64(i%200)/20 - 5
		want[i] = math.Exp(float64(float32(x[i])))
	}
	op := ot.MustBuild(t, "Exp", 13, 1)
	out := ot.MustExec(t, op, ot.Val(operators.Float32, []int{n}, x...))
	ot.MustClose(t, out[0], []int{n}, want, 2.4e-7, 0)
}

// TestExpRange checks the SIMD exponential where its polynomial does not
// apply: overflow, underflow to subnormals and zero, infinities and NaN,
// at every kernel tier this machine has, at lengths that exercise the
// vector body and its tail.
func TestExpRange(t *testing.T) {
	xs := []float64{math.NaN(), math.Inf(1), math.Inf(-1), 88.7, 88.8, 89, 100, 1e30, -87.5, -100, -103.9, -104, -110, -1e30, 0, -0.0}
	for _, impl := range dispatch.Impls() {
		if !impl.Available {
			continue
		}
		restore, err := dispatch.Use(impl.Level)
		if err != nil {
			t.Fatal(err)
		}
		op := ot.MustBuild(t, "Exp", 13, 1)
		sig := ot.MustBuild(t, "Sigmoid", 13, 1)
		restore()
		for _, n := range []int{1, 7, 8, 9, 16, 17, 33} {
			in := make([]float64, n)
			want := make([]float64, n)
			wantSig := make([]float64, n)
			for i := range in {
				in[i] = xs[(i*5+n)%len(xs)]
				v := float64(float32(in[i]))
				want[i] = float64(float32(math.Exp(v)))
				wantSig[i] = 1 / (1 + math.Exp(-v))
			}
			x := ot.Val(operators.Float32, []int{n}, in...)
			y := ot.MustExec(t, op, x)[0]
			if err := ot.Close(y, []int{n}, want, 2.4e-7, 1e-45); err != nil {
				t.Errorf("Exp %v, n=%d: %v (inputs %v)", impl.Level, n, err, in)
			}
			// Sigmoid: exp, an add and a division each round once.
			y = ot.MustExec(t, sig, x)[0]
			if err := ot.Close(y, []int{n}, wantSig, 5e-7, 1e-45); err != nil {
				t.Errorf("Sigmoid %v, n=%d: %v (inputs %v)", impl.Level, n, err, in)
			}
		}
	}
}

// TestTanhSweep compares float32 Tanh with math.Tanh over a dense sweep
// of [-12, 12] (both branches and the switch point), at every kernel
// tier; the exponential form rounds a few times, so 4 ULP (2.4e-7 each).
func TestTanhSweep(t *testing.T) {
	var xs []float64
	for v := -12.0; v <= 12; v += 0.0013 {
		xs = append(xs, v)
	}
	xs = append(xs, tanhSmall, -tanhSmall, 1e-30, -1e-30, 0, 50, -50, math.Inf(1), math.Inf(-1), math.NaN())
	for _, impl := range dispatch.Impls() {
		if !impl.Available {
			continue
		}
		restore, err := dispatch.Use(impl.Level)
		if err != nil {
			t.Fatal(err)
		}
		op := ot.MustBuild(t, "Tanh", 13, 1)
		restore()
		x := ot.Val(operators.Float32, []int{len(xs)}, xs...)
		want := make([]float64, len(xs))
		for i, v := range ot.Floats64(x) {
			want[i] = math.Tanh(v)
		}
		y := ot.MustExec(t, op, x)[0]
		if err := ot.Close(y, []int{len(xs)}, want, 1e-6, 1e-38); err != nil {
			t.Errorf("%v: %v", impl.Level, err)
		}
	}
}
