package elementwise

import (
	"errors"
	"fmt"
	"math"
	"testing"

	"github.com/onnxrun/onnxrun/operators"
	ot "github.com/onnxrun/onnxrun/operators/internal/optest"
)

func TestPow(t *testing.T) {
	op := ot.MustBuild(t, "Pow", 15, 2)
	base := []float64{1, 2, 3, 0.5, 4, 9}
	for _, c := range []struct {
		name   string
		dt, et operators.DType
		es     []int
		e      []float64
		rtol   float64
	}{
		{"f32_same", operators.Float32, operators.Float32, []int{2, 3}, []float64{2, 3, 0.5, -1, 0, 1.5}, 1e-6},
		{"f32_scalar2", operators.Float32, operators.Float32, []int{}, []float64{2}, 1e-6},
		{"f32_scalar_half", operators.Float32, operators.Float32, []int{}, []float64{0.5}, 1e-6},
		{"f32_row", operators.Float32, operators.Float32, []int{3}, []float64{1, 2, -2}, 1e-6},
		{"f64_same", operators.Float64, operators.Float64, []int{2, 3}, []float64{2, 3, 0.5, -1, 0, 1.5}, 1e-15},
		{"f32_int64_exp", operators.Float32, operators.Int64, []int{3}, []float64{1, 2, 3}, 1e-6},
		{"f64_int32_exp", operators.Float64, operators.Int32, []int{}, []float64{3}, 1e-15},
		{"f16", operators.Float16, operators.Float16, []int{3}, []float64{1, 2, 0.5}, 1.0 / 2048},
	} {
		t.Run(c.name, func(t *testing.T) {
			x := ot.Val(c.dt, []int{2, 3}, base...)
			e := ot.Val(c.et, c.es, c.e...)
			want := refBroadcast(ot.Floats64(x), []int{2, 3}, c.e, c.es, []int{2, 3}, math.Pow)
			y := ot.MustExec(t, op, x, e)[0]
			ot.MustClose(t, y, []int{2, 3}, want, c.rtol, 0)
		})
	}
	// Integer bases compute in float64 and truncate.
	y := ot.MustExec(t, op, ot.Val(operators.Int64, []int{4}, 2, 3, -2, 2), ot.Val(operators.Int64, []int{4}, 10, 3, 3, -1))[0]
	ot.MustClose(t, y, []int{4}, []float64{1024, 27, -8, 0}, 0, 0)
	y = ot.MustExec(t, op, ot.Val(operators.Int32, []int{2}, 4, 9), ot.Val(operators.Float32, []int{}, 0.5))[0]
	ot.MustClose(t, y, []int{2}, []float64{2, 3}, 0, 0)
	// Legacy broadcasting at opset 1.
	old := ot.MustBuild(t, "Pow", 1, 2, ot.Int("broadcast", 1), ot.Int("axis", 0))
	y = ot.MustExec(t, old, ot.Val(operators.Float32, []int{2, 2}, 2, 2, 3, 3), ot.Val(operators.Float32, []int{2}, 2, 3))[0]
	ot.MustClose(t, y, []int{2, 2}, []float64{4, 4, 27, 27}, 0, 0)
	if _, err := ot.Exec(op, ot.Val(operators.Int8, []int{1}, 2), ot.Val(operators.Int8, []int{1}, 2)); !errors.Is(err, operators.ErrUnsupportedType) {
		t.Errorf("int8 base: %v", err)
	}
}

func TestClip(t *testing.T) {
	xs := []float64{-5, -1, 0, 1, 2, 7}
	clipRef := func(lo, hi float64) []float64 {
		out := make([]float64, len(xs))
		for i, v := range xs {
			out[i] = math.Min(math.Max(v, lo), hi)
		}
		return out
	}
	op11 := ot.MustBuild(t, "Clip", 13, 3)
	for _, dt := range []operators.DType{operators.Float32, operators.Float64, operators.Float16, operators.BFloat16,
		operators.Int8, operators.Int32, operators.Int64, operators.Uint8} {
		t.Run(fmt.Sprint(dt), func(t *testing.T) {
			x := ot.Val(dt, []int{2, 3}, xs...)
			if dt == operators.Uint8 {
				x = ot.Val(dt, []int{2, 3}, 5, 1, 0, 1, 2, 7)
			}
			in := ot.Floats64(x)
			ref := func(lo, hi float64) []float64 {
				out := make([]float64, len(in))
				for i, v := range in {
					out[i] = math.Min(math.Max(v, lo), hi)
				}
				return out
			}
			lo, hi := ot.Val(dt, []int{}, 1), ot.Val(dt, []int{1}, 2)
			y := ot.MustExec(t, op11, x, lo, hi)[0]
			ot.MustClose(t, y, []int{2, 3}, ref(1, 2), 0, 0)
			// Omitted bounds leave that side open.
			y = ot.MustExec(t, op11, x, nil, hi)[0]
			ot.MustClose(t, y, []int{2, 3}, ref(math.Inf(-1), 2), 0, 0)
			y = ot.MustExec(t, op11, x, lo)[0]
			ot.MustClose(t, y, []int{2, 3}, ref(1, math.Inf(1)), 0, 0)
			y = ot.MustExec(t, op11, x)[0]
			ot.MustClose(t, y, []int{2, 3}, in, 0, 0)
			// min > max: everything becomes max.
			y = ot.MustExec(t, op11, x, hi, lo)[0]
			ot.MustClose(t, y, []int{2, 3}, []float64{1, 1, 1, 1, 1, 1}, 0, 0)
		})
	}
	op6 := ot.MustBuild(t, "Clip", 6, 1, ot.Float("min", -1), ot.Float("max", 1.5))
	y := ot.MustExec(t, op6, ot.Val(operators.Float32, []int{6}, xs...))[0]
	ot.MustClose(t, y, []int{6}, clipRef(-1, 1.5), 0, 0)
	op6 = ot.MustBuild(t, "Clip", 6, 1)
	y = ot.MustExec(t, op6, ot.Val(operators.Float32, []int{6}, xs...))[0]
	ot.MustClose(t, y, []int{6}, xs, 0, 0)
	// NaN passes through.
	y = ot.MustExec(t, op11, ot.Val(operators.Float32, []int{1}, math.NaN()), ot.Val(operators.Float32, []int{}, 0))[0]
	ot.MustClose(t, y, []int{1}, []float64{math.NaN()}, 0, 0)
	// Bounds of the wrong type or size.
	if _, err := ot.Exec(op11, ot.Val(operators.Float32, []int{1}, 1), ot.Val(operators.Float64, []int{}, 0)); !errors.Is(err, operators.ErrInvalidModel) {
		t.Errorf("float64 bound: %v", err)
	}
	if _, err := ot.Exec(op11, ot.Val(operators.Float32, []int{1}, 1), ot.Val(operators.Float32, []int{2}, 0, 1)); !errors.Is(err, operators.ErrShape) {
		t.Errorf("two-element bound: %v", err)
	}
	if _, err := ot.Exec(op6, ot.Val(operators.Int32, []int{1}, 1)); !errors.Is(err, operators.ErrUnsupportedType) {
		t.Errorf("Clip-6 int32: %v", err)
	}
	// int64 bounds beyond 2^53 stay exact.
	big := ot.MustExec(t, op11, mustI64(t, 1<<60+1, 1<<60+3), mustI64(t, 1<<60+2))[0]
	if got := big.I64(); got[0] != 1<<60+2 || got[1] != 1<<60+3 {
		t.Errorf("int64 clip: %v", got)
	}
}

func mustI64(t *testing.T, v ...int64) *operators.Value {
	t.Helper()
	shape := []int{len(v)}
	if len(v) == 1 {
		shape = []int{}
	}
	x, err := operators.FromSlice(v, shape)
	if err != nil {
		t.Fatal(err)
	}
	return x
}
