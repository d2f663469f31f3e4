package reduce

import (
	"errors"
	"fmt"
	"math"
	"math/rand"
	"testing"

	"github.com/onnxrun/onnxrun/operators"
	ot "github.com/onnxrun/onnxrun/operators/internal/optest"
)

// refReduce is the float64 reference: for every output element it visits
// the input elements that map to it by explicit index arithmetic.
func refReduce(name string, x []float64, shape []int, red []bool, keep bool) ([]float64, []int) {
	var oshape, kshape []int // kshape keeps reduced dims as 1
	for i, d := range shape {
		if red[i] {
			kshape = append(kshape, 1)
			if keep {
				oshape = append(oshape, 1)
			}
		} else {
			kshape = append(kshape, d)
			oshape = append(oshape, d)
		}
	}
	n := operators.NumElements(kshape)
	groups := make([][]float64, n)
	idx := make([]int, len(shape))
	for e := range x {
		r := e
		for i := len(shape) - 1; i >= 0; i-- {
			idx[i] = r % shape[i]
			r /= shape[i]
		}
		o := 0
		for i := range shape {
			j := idx[i]
			if red[i] {
				j = 0
			}
			o = o*kshape[i] + j
		}
		groups[o] = append(groups[o], x[e])
	}
	out := make([]float64, n)
	for o, g := range groups {
		out[o] = refOne(name, g)
	}
	return out, oshape
}

func refOne(name string, g []float64) float64 {
	sum := func(f func(float64) float64) float64 {
		s := 0.0
		for _, v := range g {
			s += f(v)
		}
		return s
	}
	id := func(v float64) float64 { return v }
	switch name {
	case "ReduceSum":
		return sum(id)
	case "ReduceMean":
		return sum(id) / float64(len(g))
	case "ReduceMax":
		m := math.Inf(-1)
		for _, v := range g {
			m = math.Max(m, v)
		}
		return m
	case "ReduceMin":
		m := math.Inf(1)
		for _, v := range g {
			m = math.Min(m, v)
		}
		return m
	case "ReduceProd":
		p := 1.0
		for _, v := range g {
			p *= v
		}
		return p
	case "ReduceSumSquare":
		return sum(func(v float64) float64 { return v * v })
	case "ReduceL1":
		return sum(math.Abs)
	case "ReduceL2":
		return math.Sqrt(sum(func(v float64) float64 { return v * v }))
	case "ReduceLogSum":
		return math.Log(sum(id))
	case "ReduceLogSumExp":
		return math.Log(sum(math.Exp))
	}
	panic(name)
}

func axesOf(red []bool) []int64 {
	var a []int64
	for i, r := range red {
		if r {
			a = append(a, int64(i))
		}
	}
	return a
}

// TestAgainstReference runs every reduction over random shapes and axis
// sets, in both the attribute form and the input form, for float32 and
// float64; float32 accumulates in float32, so the tolerance is 1e-5
// relative (rows hold at most a few hundred values in (0.5, 1.5)).
func TestAgainstReference(t *testing.T) {
	seed := int64(11)
	t.Logf("seed %d", seed)
	r := rand.New(rand.NewSource(seed))
	for _, o := range ops {
		for it := 0; it < 40; it++ {
			rank := 1 + r.Intn(4)
			shape := make([]int, rank)
			for i := range shape {
				shape[i] = 1 + r.Intn(5)
			}
			red := make([]bool, rank)
			for i := range red {
				red[i] = r.Intn(2) == 0
			}
			if len(axesOf(red)) == 0 {
				red[r.Intn(rank)] = true
			}
			keep := r.Intn(2) == 0
			x := make([]float64, operators.NumElements(shape))
			for i := range x {
				x[i] = 0.5 + r.Float64()
			}
			want, oshape := refReduce(o.name, x, shape, red, keep)
			keepAttr := ot.Int("keepdims", map[bool]int64{true: 1, false: 0}[keep])
			// Negative axes half of the time.
			axes := axesOf(red)
			if it%2 == 1 {
				for i := range axes {
					axes[i] -= int64(rank)
				}
			}
			for _, dt := range []operators.DType{operators.Float32, operators.Float64} {
				name := fmt.Sprintf("%s/%v/%v_axes%v_keep%v", o.name, dt, shape, axes, keep)
				t.Run(name+"/attr", func(t *testing.T) {
					op := ot.MustBuild(t, o.name, o.axesInput-1, 1, ot.Ints("axes", axes...), keepAttr)
					y := ot.MustExec(t, op, ot.Val(dt, shape, x...))[0]
					ot.MustClose(t, y, oshape, want, 1e-5, 0)
				})
				t.Run(name+"/input", func(t *testing.T) {
					op := ot.MustBuild(t, o.name, o.axesInput, 2, keepAttr)
					a, _ := operators.FromSlice(append([]int64{}, axes...), []int{len(axes)})
					y := ot.MustExec(t, op, ot.Val(dt, shape, x...), a)[0]
					ot.MustClose(t, y, oshape, want, 1e-5, 0)
				})
			}
		}
	}
}

func TestIntegerTypes(t *testing.T) {
	x := []float64{1, 2, 3, 4, 5, 6, -7, 8}
	shape := []int{2, 4}
	for _, dt := range []operators.DType{operators.Int32, operators.Int64} {
		for _, c := range []struct {
			name string
			want []float64
		}{
			{"ReduceSum", []float64{10, 12}},
			{"ReduceMax", []float64{4, 8}},
			{"ReduceMin", []float64{1, -7}},
			{"ReduceProd", []float64{24, -1680}},
			{"ReduceMean", []float64{2, 3}}, // 10/4 and 12/4 truncate
			{"ReduceL1", []float64{10, 26}},
			{"ReduceSumSquare", []float64{30, 174}},
		} {
			op := ot.MustBuild(t, c.name, 12, 1, ot.Ints("axes", 1), ot.Int("keepdims", 0))
			y := ot.MustExec(t, op, ot.Val(dt, shape, x...))[0]
			if err := ot.Close(y, []int{2}, c.want, 0, 0); err != nil {
				t.Errorf("%s %v: %v", c.name, dt, err)
			}
		}
	}
	for _, dt := range []operators.DType{operators.Uint32, operators.Uint64} {
		ux := []float64{1, 2, 3, 4, 5, 6, 7, 8}
		for _, c := range []struct {
			name string
			want []float64
		}{
			{"ReduceSum", []float64{10, 26}}, {"ReduceMax", []float64{4, 8}}, {"ReduceMin", []float64{1, 5}},
			{"ReduceProd", []float64{24, 1680}}, {"ReduceMean", []float64{2, 6}}, {"ReduceL1", []float64{10, 26}},
			{"ReduceSumSquare", []float64{30, 174}},
		} {
			op := ot.MustBuild(t, c.name, 12, 1, ot.Ints("axes", 1), ot.Int("keepdims", 0))
			y := ot.MustExec(t, op, ot.Val(dt, shape, ux...))[0]
			if err := ot.Close(y, []int{2}, c.want, 0, 0); err != nil {
				t.Errorf("%s %v: %v", c.name, dt, err)
			}
		}
		// The identities of an empty ReduceMin/Max are the type's extremes.
		y := ot.MustExec(t, ot.MustBuild(t, "ReduceMin", 12, 1, ot.Ints("axes", 0)), ot.Val(dt, []int{0}))[0]
		if got := ot.Get(y, 0); got < 4e9 {
			t.Errorf("empty ReduceMin %v = %v", dt, got)
		}
	}
	for _, dt := range []operators.DType{operators.Int8, operators.Uint8} {
		op := ot.MustBuild(t, "ReduceMax", 13, 1, ot.Ints("axes", 0))
		y := ot.MustExec(t, op, ot.Val(dt, []int{3}, 3, 100, 7))[0]
		ot.MustClose(t, y, []int{1}, []float64{100}, 0, 0)
	}
	op := ot.MustBuild(t, "ReduceSum", 13, 1)
	if _, err := ot.Exec(op, ot.Val(operators.Int8, []int{1}, 1)); !errors.Is(err, operators.ErrUnsupportedType) {
		t.Errorf("ReduceSum int8: %v", err)
	}
}

func TestHalf(t *testing.T) {
	op := ot.MustBuild(t, "ReduceMean", 18, 2)
	axes, _ := operators.FromSlice([]int64{-1}, []int{1})
	for _, dt := range []operators.DType{operators.Float16, operators.BFloat16} {
		y := ot.MustExec(t, op, ot.Val(dt, []int{2, 3}, 1, 2, 3, 4, 5, 7), axes)[0]
		ot.MustClose(t, y, []int{2, 1}, []float64{2, 16.0 / 3}, 1.0/256, 0)
	}
}

func TestDefaults(t *testing.T) {
	x := ot.Val(operators.Float32, []int{2, 3}, 1, 2, 3, 4, 5, 6)
	// No axes: every axis, keepdims 1.
	y := ot.MustExec(t, ot.MustBuild(t, "ReduceSum", 11, 1), x)[0]
	ot.MustClose(t, y, []int{1, 1}, []float64{21}, 0, 0)
	y = ot.MustExec(t, ot.MustBuild(t, "ReduceSum", 13, 1, ot.Int("keepdims", 0)), x)[0]
	ot.MustClose(t, y, []int{}, []float64{21}, 0, 0)
	// Empty axes input: every axis, unless noop_with_empty_axes.
	empty, _ := operators.FromSlice([]int64{}, []int{0})
	y = ot.MustExec(t, ot.MustBuild(t, "ReduceSum", 13, 2), x, empty)[0]
	ot.MustClose(t, y, []int{1, 1}, []float64{21}, 0, 0)
	y = ot.MustExec(t, ot.MustBuild(t, "ReduceSum", 13, 2, ot.Int("noop_with_empty_axes", 1)), x, empty)[0]
	ot.MustClose(t, y, []int{2, 3}, []float64{1, 2, 3, 4, 5, 6}, 0, 0)
	// A no-op composite reduction still applies its element-wise part.
	y = ot.MustExec(t, ot.MustBuild(t, "ReduceSumSquare", 18, 2, ot.Int("noop_with_empty_axes", 1)), x, empty)[0]
	ot.MustClose(t, y, []int{2, 3}, []float64{1, 4, 9, 16, 25, 36}, 0, 0)
	y = ot.MustExec(t, ot.MustBuild(t, "ReduceLogSum", 18, 1, ot.Int("noop_with_empty_axes", 1)), x)[0]
	ot.MustClose(t, y, []int{2, 3}, []float64{0, math.Log(2), math.Log(3), math.Log(4), math.Log(5), math.Log(6)}, 1e-6, 1e-7)
	// Scalars reduce to themselves.
	y = ot.MustExec(t, ot.MustBuild(t, "ReduceMax", 13, 1), ot.Val(operators.Float32, []int{}, 5))[0]
	ot.MustClose(t, y, []int{}, []float64{5}, 0, 0)
}

func TestEmptyAndSpecial(t *testing.T) {
	empty := ot.Val(operators.Float32, []int{0, 3})
	for _, c := range []struct {
		name string
		want float64
	}{
		{"ReduceSum", 0}, {"ReduceProd", 1}, {"ReduceMax", math.Inf(-1)}, {"ReduceMin", math.Inf(1)},
		{"ReduceMean", math.NaN()}, {"ReduceLogSum", math.Inf(-1)}, {"ReduceLogSumExp", math.Inf(-1)},
		{"ReduceL2", 0}, {"ReduceL1", 0}, {"ReduceSumSquare", 0},
	} {
		y := ot.MustExec(t, ot.MustBuild(t, c.name, 12, 1, ot.Ints("axes", 0)), empty)[0]
		if err := ot.Close(y, []int{1, 3}, []float64{c.want, c.want, c.want}, 0, 0); err != nil {
			t.Errorf("%s over an empty axis: %v", c.name, err)
		}
	}
	// Reducing the non-empty axis of an empty tensor gives an empty result.
	y := ot.MustExec(t, ot.MustBuild(t, "ReduceSum", 12, 1, ot.Ints("axes", 1)), empty)[0]
	ot.MustClose(t, y, []int{0, 1}, nil, 0, 0)
	// Large values: LogSumExp must not overflow.
	big := ot.Val(operators.Float32, []int{3}, 1000, 1000, 999)
	y = ot.MustExec(t, ot.MustBuild(t, "ReduceLogSumExp", 13, 1), big)[0]
	ot.MustClose(t, y, []int{1}, []float64{1000 + math.Log(2+math.Exp(-1))}, 1e-6, 0)
	inf := ot.Val(operators.Float64, []int{2}, math.Inf(1), 1)
	y = ot.MustExec(t, ot.MustBuild(t, "ReduceLogSumExp", 13, 1), inf)[0]
	ot.MustClose(t, y, []int{1}, []float64{math.Inf(1)}, 0, 0)
	// Max and min propagate NaN.
	nan := ot.Val(operators.Float32, []int{2, 3}, 1, math.NaN(), 3, math.NaN(), 0, 0)
	y = ot.MustExec(t, ot.MustBuild(t, "ReduceMax", 13, 1, ot.Ints("axes", 1)), nan)[0]
	ot.MustClose(t, y, []int{2, 1}, []float64{math.NaN(), math.NaN()}, 0, 0)
	y = ot.MustExec(t, ot.MustBuild(t, "ReduceMin", 13, 1, ot.Ints("axes", 0)), nan)[0]
	ot.MustClose(t, y, []int{1, 3}, []float64{math.NaN(), math.NaN(), 0}, 0, 0)
}

func TestErrors(t *testing.T) {
	var ae *operators.AttributeError
	x := ot.Val(operators.Float32, []int{2, 3}, 1, 2, 3, 4, 5, 6)
	// Axis out of range, in both forms.
	op := ot.MustBuild(t, "ReduceMax", 13, 1, ot.Ints("axes", 2))
	if _, err := ot.Exec(op, x); !errors.As(err, &ae) || ae.Attr != "axes" {
		t.Errorf("attribute axis 2 at rank 2: %v", err)
	}
	op = ot.MustBuild(t, "ReduceSum", 13, 2)
	bad, _ := operators.FromSlice([]int64{-3}, []int{1})
	if _, err := ot.Exec(op, x, bad); !errors.As(err, &ae) || ae.Attr != "axes" {
		t.Errorf("input axis -3 at rank 2: %v", err)
	}
	// Duplicates, also after normalising.
	if _, err := ot.Build("ReduceSum", 11, 1, ot.Ints("axes", 1, 1)); !errors.As(err, &ae) {
		t.Errorf("duplicate axes: %v", err)
	}
	op = ot.MustBuild(t, "ReduceSum", 11, 1, ot.Ints("axes", 1, -1))
	if _, err := ot.Exec(op, x); !errors.As(err, &ae) {
		t.Errorf("axes 1 and -1: %v", err)
	}
	for _, c := range []struct {
		opset int
		attrs []*operators.Attr
		attr  string
	}{
		{13, []*operators.Attr{ot.Int("keepdims", 2)}, "keepdims"},
		{13, []*operators.Attr{ot.Int("noop_with_empty_axes", -1)}, "noop_with_empty_axes"},
		{13, []*operators.Attr{ot.Ints("axes", 0)}, "axes"},
		{11, []*operators.Attr{ot.Float("keepdims", 1)}, "keepdims"},
	} {
		if _, err := ot.Build("ReduceSum", c.opset, 1, c.attrs...); !errors.As(err, &ae) || ae.Attr != c.attr {
			t.Errorf("ReduceSum-%d %v: got %v, want an error on %q", c.opset, c.attrs, err, c.attr)
		}
	}
	// Axes input of the wrong type.
	i32, _ := operators.FromSlice([]int32{0}, []int{1})
	if _, err := ot.Exec(ot.MustBuild(t, "ReduceSum", 13, 2), x, i32); !errors.Is(err, operators.ErrInvalidModel) {
		t.Errorf("int32 axes: %v", err)
	}
}

func TestInferUnknownAxes(t *testing.T) {
	op := ot.MustBuild(t, "ReduceSum", 13, 2)
	in := []operators.Meta{{DType: operators.Float32, Shape: []int{2, 3}, HasShape: true}, {DType: operators.Int64, Shape: []int{1}, HasShape: true}}
	m, err := op.Infer(in, nil)
	if err != nil || !m[0].HasShape || fmt.Sprint(m[0].Shape) != "[-1 -1]" {
		t.Errorf("keepdims with unknown axes: %v, %v", m, err)
	}
	op = ot.MustBuild(t, "ReduceSum", 13, 2, ot.Int("keepdims", 0))
	if m, err = op.Infer(in, nil); err != nil || m[0].HasShape {
		t.Errorf("no keepdims with unknown axes: %v, %v", m, err)
	}
}

var sink *operators.Value

func BenchmarkReduceSum(b *testing.B) {
	for _, c := range []struct {
		name  string
		shape []int
		axes  []int64
	}{
		{"rows_256x4096_axis1", []int{256, 4096}, []int64{1}},
		{"cols_4096x256_axis0", []int{4096, 256}, []int64{0}},
		{"nchw_spatial_8x64x32x32", []int{8, 64, 32, 32}, []int64{2, 3}},
	} {
		b.Run(c.name, func(b *testing.B) {
			op, err := ot.Build("ReduceSum", 11, 1, ot.Ints("axes", c.axes...))
			if err != nil {
				b.Fatal(err)
			}
			x, _ := operators.NewValue(operators.Float32, c.shape)
			out := make([]*operators.Value, 1)
			b.SetBytes(int64(len(x.Raw)))
			b.ReportAllocs()
			for b.Loop() {
				if err := op.Run(nil, []*operators.Value{x}, out); err != nil {
					b.Fatal(err)
				}
			}
			sink = out[0]
		})
	}
}

// TestParallel reduces tensors large enough to be split between
// goroutines, in each single-group layout ([a, r, b], [a, r], [r, b], and
// b wider than one task's column chunk), against the reference. The values
// are small integers, so float64 sums are exact in any order.
func TestParallel(t *testing.T) {
	cases := []struct {
		shape []int
		axes  []int64
	}{
		{[]int{64, 37, 40}, []int64{1}},
		{[]int{300, 333}, []int64{1}},
		{[]int{333, 300}, []int64{0}},
		{[]int{3, 40, 2100}, []int64{1}},
		{[]int{2, 3, 50, 200}, []int64{2, 3}},
	}
	for _, c := range cases {
		x := make([]float64, operators.NumElements(c.shape))
		for i := range x {
			x[i] = float64(i%7) - 3
		}
		red := make([]bool, len(c.shape))
		for _, a := range c.axes {
			red[a] = true
		}
		for _, name := range []string{"ReduceSum", "ReduceMax", "ReduceMin"} {
			want, oshape := refReduce(name, x, c.shape, red, true)
			op := ot.MustBuild(t, name, 12, 1, ot.Ints("axes", c.axes...))
			xv := ot.Val(operators.Float64, c.shape, x...)
			for _, threads := range []int{1, 2, 3} {
				out := make([]*operators.Value, 1)
				if err := op.Run(&operators.RunContext{Threads: threads}, []*operators.Value{xv}, out); err != nil {
					t.Fatal(err)
				}
				if err := ot.Close(out[0], oshape, want, 0, 0); err != nil {
					t.Errorf("%s %v axes %v, %d threads: %v", name, c.shape, c.axes, threads, err)
				}
			}
		}
	}
}
