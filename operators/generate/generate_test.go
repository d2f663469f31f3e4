package generate

import (
	"errors"
	"math"
	"testing"

	"github.com/onnxrun/onnxrun/operators"
	ot "github.com/onnxrun/onnxrun/operators/internal/optest"
)

func scalar(dt operators.DType, v float64) *operators.Value { return ot.Val(dt, []int{}, v) }

func TestRange(t *testing.T) {
	op := ot.MustBuild(t, "Range", 11, 3)
	for _, c := range []struct {
		dt                  operators.DType
		start, limit, delta float64
		want                []float64
	}{
		{operators.Float32, 1, 2, 0.25, []float64{1, 1.25, 1.5, 1.75}},
		{operators.Float64, 10, 4, -3, []float64{10, 7}},
		{operators.Int32, 10, 6, -3, []float64{10, 7}},
		{operators.Int64, 0, 5, 2, []float64{0, 2, 4}},
		{operators.Int16, 3, 3, 1, []float64{}},
		{operators.Int64, 5, 0, 1, []float64{}}, // wrong direction: empty
	} {
		y := ot.MustExec(t, op, scalar(c.dt, c.start), scalar(c.dt, c.limit), scalar(c.dt, c.delta))[0]
		if err := ot.Close(y, []int{len(c.want)}, c.want, 0, 0); err != nil {
			t.Errorf("%v %v..%v by %v: %v", c.dt, c.start, c.limit, c.delta, err)
		}
	}
	if _, err := ot.Exec(op, scalar(operators.Int32, 0), scalar(operators.Int32, 5), scalar(operators.Int32, 0)); !errors.Is(err, operators.ErrInvalidModel) {
		t.Errorf("delta 0: %v", err)
	}
	if _, err := ot.Exec(op, scalar(operators.Int32, 0), scalar(operators.Int64, 5), scalar(operators.Int32, 1)); !errors.Is(err, operators.ErrInvalidModel) {
		t.Errorf("mixed types: %v", err)
	}
	m, err := op.Infer([]operators.Meta{{DType: operators.Float32}, {DType: operators.Float32}, {DType: operators.Float32}}, nil)
	if err != nil || len(m[0].Shape) != 1 || m[0].Shape[0] != -1 {
		t.Errorf("Infer without constants: %v, %v", m, err)
	}
}

func TestEyeLike(t *testing.T) {
	x := ot.Val(operators.Int32, []int{3, 4}, make([]float64, 12)...)
	for _, c := range []struct {
		k    int64
		want []float64
	}{
		{0, []float64{1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0}},
		{1, []float64{0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1}},
		{-2, []float64{0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0}},
		{9, make([]float64, 12)},
	} {
		for _, dt := range []operators.DType{operators.Float32, operators.Float64, operators.Int64, operators.Bool, operators.Float16, operators.Uint8} {
			op := ot.MustBuild(t, "EyeLike", 9, 1, ot.Int("k", c.k), ot.Int("dtype", int64(dt)))
			y := ot.MustExec(t, op, x)[0]
			if y.DType != dt {
				t.Fatalf("type %v, want %v", y.DType, dt)
			}
			if err := ot.Close(y, []int{3, 4}, c.want, 0, 0); err != nil {
				t.Errorf("k=%d %v: %v", c.k, dt, err)
			}
		}
	}
	// Without dtype, the input's type.
	y := ot.MustExec(t, ot.MustBuild(t, "EyeLike", 9, 1), x)[0]
	if y.DType != operators.Int32 {
		t.Errorf("default type %v", y.DType)
	}
	if _, err := ot.Exec(ot.MustBuild(t, "EyeLike", 9, 1), ot.Val(operators.Float32, []int{3}, 0, 0, 0)); !errors.Is(err, operators.ErrShape) {
		t.Errorf("rank 1: %v", err)
	}
}

func TestOneHot(t *testing.T) {
	vals := ot.Val(operators.Float32, []int{2}, -1, 5)
	idx := ot.Val(operators.Int64, []int{2, 2}, 0, 2, -1, 7)
	depth := scalar(operators.Int64, 3)
	// axis -1: [2, 2, 3]; -1 counts from the end (class 2); 7 is out of range.
	y := ot.MustExec(t, ot.MustBuild(t, "OneHot", 11, 3), idx, depth, vals)[0]
	ot.MustClose(t, y, []int{2, 2, 3}, []float64{
		5, -1, -1, -1, -1, 5,
		-1, -1, 5, -1, -1, -1,
	}, 0, 0)
	// axis 0: [3, 2, 2].
	y = ot.MustExec(t, ot.MustBuild(t, "OneHot", 11, 3, ot.Int("axis", 0)), idx, depth, vals)[0]
	ot.MustClose(t, y, []int{3, 2, 2}, []float64{
		5, -1, -1, -1,
		-1, -1, -1, -1,
		-1, 5, 5, -1,
	}, 0, 0)
	// Float indices and depth truncate; int32 values.
	y = ot.MustExec(t, ot.MustBuild(t, "OneHot", 11, 3), ot.Val(operators.Float32, []int{2}, 1.7, 0), scalar(operators.Float32, 2.9), ot.Val(operators.Int32, []int{2}, 0, 1))[0]
	ot.MustClose(t, y, []int{2, 2}, []float64{0, 1, 1, 0}, 0, 0)
	if _, err := ot.Exec(ot.MustBuild(t, "OneHot", 11, 3), idx, scalar(operators.Int64, 0), vals); !errors.Is(err, operators.ErrInvalidModel) {
		t.Errorf("depth 0: %v", err)
	}
	var ae *operators.AttributeError
	if _, err := ot.Exec(ot.MustBuild(t, "OneHot", 11, 3, ot.Int("axis", 4)), idx, depth, vals); !errors.As(err, &ae) {
		t.Errorf("axis 4 for rank 2: %v", err)
	}
}

func TestWindows(t *testing.T) {
	size, _ := operators.FromSlice([]int64{8}, []int{})
	for _, c := range []struct {
		op string
		f  func(n, N float64) float64
	}{
		{"HannWindow", func(n, N float64) float64 { return math.Pow(math.Sin(math.Pi*n/N), 2) }},
		{"HammingWindow", func(n, N float64) float64 { return 25.0/46 - 21.0/46*math.Cos(2*math.Pi*n/N) }},
		{"BlackmanWindow", func(n, N float64) float64 {
			return 0.42 - 0.5*math.Cos(2*math.Pi*n/N) + 0.08*math.Cos(4*math.Pi*n/N)
		}},
	} {
		for _, periodic := range []int64{1, 0} {
			N := 8.0
			if periodic == 0 {
				N = 7
			}
			want := make([]float64, 8)
			for i := range want {
				want[i] = c.f(float64(i), N)
			}
			op := ot.MustBuild(t, c.op, 17, 1, ot.Int("periodic", periodic))
			y := ot.MustExec(t, op, size)[0]
			// Hann as sin² is an independent form of 0.5 - 0.5 cos; float32
			// rounding and the float64 identity differ by ~1e-7.
			if err := ot.Close(y, []int{8}, want, 1e-6, 1e-7); err != nil {
				t.Errorf("%s periodic=%d: %v", c.op, periodic, err)
			}
		}
	}
	y := ot.MustExec(t, ot.MustBuild(t, "HannWindow", 17, 1, ot.Int("output_datatype", int64(operators.Float64))), size)[0]
	if y.DType != operators.Float64 {
		t.Errorf("output_datatype: %v", y.DType)
	}
}
