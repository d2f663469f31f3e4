package elementwise

import (
	"fmt"
	"math"
	"testing"

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
				rtol := map[operators.DType]float64{operators.Float32: 1e-7, operators.Float64: 1e-15,
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
	ot.MustClose(t, out[0], []int{n}, want, 1e-7, 0)
}
