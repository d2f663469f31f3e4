package softmaxcore

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/onnxrun/onnxrun/dispatch"
	"github.com/onnxrun/onnxrun/dispatch/dispatchtest"
	"github.com/onnxrun/onnxrun/operators"
)

var (
	inf = math.Inf(1)
	nan = math.NaN()
)

// edgeRows are rows of length 5 holding the values whose handling ONNX
// Runtime fixes: -Inf entries (0, or -Inf for LogSoftmax), rows that are
// all -Inf or hold NaN or +Inf (NaN), values past float32 exp's overflow
// and 1e4-scale inputs (max-subtraction), equal values and signed zeros.
var edgeRows = [][]float64{
	{1, -inf, 2, 0, -1},
	{-inf, -inf, -inf, -inf, -inf},
	{1, nan, 2, 3, 4},
	{1, inf, 2, 3, 4},
	{10000, 10001, 10002, 10003, 10004},
	{100, 95, 89, 0, -100},
	{7, 7, 7, 7, 7},
	{math.Copysign(0, -1), 0, math.Copysign(0, -1), 0, 0},
	{0, 0, -1000, 0, 0},
	{-inf, 0, -inf, -inf, -inf},
	{-3, 2, 0.5, 1e-3, -0.25},
}

// layout places a [R, 5] matrix of rows in a tensor so that the operator
// normalises the rows: directly, transposed (a strided axis), or with
// extra unit axes. The matrix is edgeRows repeated rep times; the
// transposed layouts put 8 (rep 1) or 16 (rep 2) of its rows through the
// Cols kernels and the rest through the gathered path.
type layout struct {
	name      string
	since     int
	axis      int64
	rep       int
	shape     func(r int) []int
	transpose bool // element (i, j) of the matrix is stored at j*R + i
}

var layouts = []layout{
	{"v13/rows", 13, -1, 1, func(r int) []int { return []int{r, 5} }, false},
	{"v13/cols", 13, 0, 2, func(r int) []int { return []int{5, r} }, true},
	{"v13/cols/gathered", 13, 0, 1, func(r int) []int { return []int{5, r} }, true},
	{"v13/cols/inner", 13, 1, 2, func(r int) []int { return []int{1, 5, r} }, true},
	{"v11/coerced", 11, 1, 1, func(r int) []int { return []int{r, 1, 5} }, false},
	{"v1/coerced", 1, 1, 1, func(r int) []int { return []int{r, 5, 1} }, false},
}

func TestEdgeValues(t *testing.T) {
	dispatchtest.ForEachImpl(t, func(t *testing.T, k *dispatch.Kernels) {
		for _, kind := range kinds {
			for _, dt := range []operators.DType{operators.Float32, operators.Float64} {
				for _, l := range layouts {
					t.Run(kind.String()+"/"+dt.String()+"/"+l.name, func(t *testing.T) {
						rows := len(edgeRows) * l.rep
						shape := l.shape(rows)
						x := make([]float64, rows*5)
						for i := range rows {
							row := edgeRows[i%len(edgeRows)]
							for j, v := range row {
								if l.transpose {
									x[j*rows+i] = v
								} else {
									x[i*5+j] = v
								}
							}
						}
						op, err := NewWith(testNode(kind, &l.axis), kind, l.since, k)
						if err != nil {
							t.Fatal(err)
						}
						v, exact := makeValue(t, dt, shape, x)
						got := floats(runOp(t, op, v, 1))
						want := reference(kind, l.since, l.axis, shape, exact)
						atol, rtol := tolerance(kind, dt)
						checkClose(t, "output", got, want, atol, rtol)

						at := func(i, j int) float64 {
							if l.transpose {
								return got[j*rows+i]
							}
							return got[i*5+j]
						}
						// Spot checks that do not lean on the reference.
						if kind == Softmax && at(0, 1) != 0 {
							t.Errorf("softmax of a -Inf entry = %v, want 0", at(0, 1))
						}
						if kind == LogSoftmax && !math.IsInf(at(0, 1), -1) {
							t.Errorf("log-softmax of a -Inf entry = %v, want -Inf", at(0, 1))
						}
						for _, i := range []int{1, 2, 3} {
							for j := 0; j < 5; j++ {
								if !math.IsNaN(at(i, j)) {
									t.Errorf("row %v: [%d] = %v, want NaN", edgeRows[i], j, at(i, j))
								}
							}
						}
						if kind == LogSoftmax {
							// (x - max) - log(sum): -1000 - log(4), not -Inf.
							if w := -1000 - math.Log(4); math.Abs(at(8, 2)-w) > 1e-3 {
								t.Errorf("log-softmax of -1000 beside zeros = %v, want %v", at(8, 2), w)
							}
						}
						if kind == Softmax {
							// The 1e4-scale row equals the one shifted to 0.
							w := []float64{0.011656231, 0.031684921, 0.086128544, 0.23412166, 0.63640865}
							for j := range w {
								if math.Abs(at(4, j)-w[j]) > 1e-6 {
									t.Errorf("large-number row: [%d] = %v, want %v", j, at(4, j), w[j])
								}
							}
						}
					})
				}
			}
		}
	})
}

// TestLogOfThreeExample is the case [0, 0, -1000] of the ONNX Runtime
// numerics: the -1000 entry gives about -1000.69.
func TestLogOfThreeExample(t *testing.T) {
	dispatchtest.ForEachImpl(t, func(t *testing.T, k *dispatch.Kernels) {
		op, err := NewWith(testNode(LogSoftmax, nil), LogSoftmax, 13, k)
		if err != nil {
			t.Fatal(err)
		}
		v, _ := makeValue(t, operators.Float32, []int{1, 3}, []float64{0, 0, -1000})
		got := floats(runOp(t, op, v, 1))
		want := []float64{-math.Ln2, -math.Ln2, -1000 - math.Ln2}
		checkClose(t, "output", got, want, 1e-5, 1e-6)
	})
}

func TestEmpty(t *testing.T) {
	cases := []struct {
		since int
		axis  *int64
		shape []int
	}{
		{13, nil, []int{0}},
		{13, nil, []int{0, 3}},
		{13, nil, []int{3, 0}},
		{13, ax(1), []int{2, 0, 4}},
		{13, ax(0), []int{0, 5}},
		{11, nil, []int{2, 0, 4}},
		{11, ax(0), []int{0, 4}},
		{1, nil, []int{4, 0}},
	}
	dispatchtest.ForEachImpl(t, func(t *testing.T, k *dispatch.Kernels) {
		for _, kind := range kinds {
			for _, dt := range []operators.DType{operators.Float32, operators.Float64, operators.Float16, operators.BFloat16} {
				for _, c := range cases {
					op, err := NewWith(testNode(kind, c.axis), kind, c.since, k)
					if err != nil {
						t.Fatal(err)
					}
					if dt == operators.BFloat16 && c.since < 13 {
						continue
					}
					x, err := operators.NewValue(dt, c.shape)
					if err != nil {
						t.Fatal(err)
					}
					y := runOp(t, op, x, 2)
					if y.Len() != 0 {
						t.Errorf("%v %v %v: output has %d elements", kind, dt, c.shape, y.Len())
					}
				}
			}
		}
	})
}

// TestThreadsSameBits checks that splitting the work between goroutines
// (by rows, by blocks and by column tiles of one block) does not change a
// single bit of the result.
func TestThreadsSameBits(t *testing.T) {
	r := newRand(t)
	cases := []layoutCase{
		{"rows", 13, -1, []int{64, 1030}},
		{"coerced", 11, 1, []int{64, 2, 515}},
		{"blocks", 13, 1, []int{6, 16, 1000}},
		{"tiles", 13, 0, []int{64, 2051}},
		{"tiles/inner", 13, 1, []int{1, 21, 64, 64}},
		{"gathered", 13, 1, []int{512, 40, 3}},
	}
	dispatchtest.ForEachImpl(t, func(t *testing.T, k *dispatch.Kernels) {
		for _, kind := range kinds {
			for _, dt := range []operators.DType{operators.Float32, operators.Float64, operators.Float16} {
				for _, c := range cases {
					t.Run(kind.String()+"/"+dt.String()+"/"+c.name, func(t *testing.T) {
						op, err := NewWith(testNode(kind, &c.axis), kind, c.since, k)
						if err != nil {
							t.Fatal(err)
						}
						x, _ := makeValue(t, dt, c.shape, randomData(r, operators.NumElements(c.shape), 20))
						one := runOp(t, op, x, 1)
						for _, th := range []int{2, 3} {
							if y := runOp(t, op, x, th); !slices.Equal(one.Raw, y.Raw) {
								t.Errorf("%d threads give different bits from 1", th)
							}
						}
					})
				}
			}
		}
	})
}

func TestErrors(t *testing.T) {
	k := dispatch.Generic()
	for _, kind := range kinds {
		t.Run(kind.String(), func(t *testing.T) {
			var ae *operators.AttributeError
			for _, c := range []struct {
				since int
				axis  int64
				shape []int
			}{
				{13, 2, []int{3, 4}},
				{13, -3, []int{3, 4}},
				{11, 3, []int{1, 2, 3}},
				{1, 1, []int{5}},
				{13, -1, []int{}},
			} {
				op, err := NewWith(testNode(kind, &c.axis), kind, c.since, k)
				if err != nil {
					t.Fatalf("construction must not check the axis (rank unknown): %v", err)
				}
				_, err = op.Infer([]operators.Meta{{DType: operators.Float32, Shape: c.shape, HasShape: true}}, nil)
				if !errors.As(err, &ae) || ae.Attr != "axis" {
					t.Errorf("Infer, axis %d rank %d: error %v, want an AttributeError on axis", c.axis, len(c.shape), err)
				}
				x, _ := operators.NewValue(operators.Float32, c.shape)
				err = op.Run(nil, []*operators.Value{x}, make([]*operators.Value, 1))
				if !errors.As(err, &ae) || ae.Attr != "axis" || !errors.Is(err, operators.ErrAttribute) {
					t.Errorf("Run, axis %d rank %d: error %v, want an AttributeError on axis", c.axis, len(c.shape), err)
				}
				// Unknown rank: nothing to check yet.
				m, err := op.Infer([]operators.Meta{{DType: operators.Float32}}, nil)
				if err != nil || len(m) != 1 || m[0].HasShape || m[0].DType != operators.Float32 {
					t.Errorf("Infer with unknown rank: %v, %v", m, err)
				}
			}

			// The attribute must be an INT.
			n := testNode(kind, nil)
			n.Attrs["axis"] = &operators.Attr{Name: "axis", Type: operators.AttrFloat, F: 1}
			if _, err := NewWith(n, kind, 13, k); !errors.As(err, &ae) || ae.Attr != "axis" {
				t.Errorf("float axis: error %v, want an AttributeError on axis", err)
			}

			// Types outside the constraint name the input.
			op13, _ := NewWith(testNode(kind, nil), kind, 13, k)
			op11, _ := NewWith(testNode(kind, nil), kind, 11, k)
			for _, c := range []struct {
				op *Op
				dt operators.DType
			}{{op13, operators.Int64}, {op13, operators.Int32}, {op11, operators.BFloat16}, {op13, operators.String}} {
				_, err := c.op.Infer([]operators.Meta{{DType: c.dt, Shape: []int{2, 2}, HasShape: true}}, nil)
				if !errors.Is(err, operators.ErrUnsupportedType) || !strings.Contains(err.Error(), `"x"`) {
					t.Errorf("Infer %v: error %v, want ErrUnsupportedType naming input \"x\"", c.dt, err)
				}
				x := &operators.Value{DType: c.dt, Shape: []int{2, 2}, Raw: operators.MakeRaw(32)}
				err = c.op.Run(nil, []*operators.Value{x}, make([]*operators.Value, 1))
				if !errors.Is(err, operators.ErrUnsupportedType) || !strings.Contains(err.Error(), `"x"`) {
					t.Errorf("Run %v: error %v, want ErrUnsupportedType naming input \"x\"", c.dt, err)
				}
			}

			// Infer returns the input's type and shape, copied.
			shape := []int{2, -1, 4}
			m, err := op13.Infer([]operators.Meta{{DType: operators.Float16, Shape: shape, HasShape: true}}, nil)
			if err != nil || len(m) != 1 || m[0].DType != operators.Float16 || !slices.Equal(m[0].Shape, shape) || !m[0].HasShape {
				t.Errorf("Infer: %v, %v", m, err)
			}
			if len(m) == 1 && len(m[0].Shape) > 0 && &m[0].Shape[0] == &shape[0] {
				t.Error("Infer returned the input's shape slice")
			}

			// A buffer shorter than the shape is refused, not read past.
			x := &operators.Value{DType: operators.Float32, Shape: []int{2, 4}, Raw: operators.MakeRaw(16)}
			if err := op13.Run(nil, []*operators.Value{x}, make([]*operators.Value, 1)); !errors.Is(err, operators.ErrShape) {
				t.Errorf("short buffer: error %v, want ErrShape", err)
			}
			huge := &operators.Value{DType: operators.Float64, Shape: []int{1 << 30, 1 << 30}, Raw: operators.MakeRaw(64)}
			if err := op13.Run(nil, []*operators.Value{huge}, make([]*operators.Value, 1)); !errors.Is(err, operators.ErrShape) {
				t.Errorf("huge shape over a short buffer: error %v, want ErrShape", err)
			}
			if err := op13.Run(nil, []*operators.Value{nil}, make([]*operators.Value, 1)); err == nil {
				t.Error("nil input: no error")
			}
		})
	}
}

// reuse is an allocator that hands back one preallocated value, so a run's
// own allocations can be counted.
type reuse struct{ v *operators.Value }

func (a reuse) Alloc(dt operators.DType, shape []int, zero bool) (*operators.Value, error) {
	return a.v, nil
}

func TestNoAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("sync.Pool drops items at random under the race detector")
	}
	k := dispatch.Generic()
	for _, c := range []struct {
		name  string
		axis  int64
		dt    operators.DType
		shape []int
	}{
		{"rows/f32", -1, operators.Float32, []int{8, 100}},
		{"cols/f32", 1, operators.Float32, []int{2, 8, 300}},
		{"cols/f64", 0, operators.Float64, []int{8, 100}},
		{"rows/f16", -1, operators.Float16, []int{8, 100}},
		{"gathered/f32", 1, operators.Float32, []int{4, 50, 3}},
		{"cols/bf16", 0, operators.BFloat16, []int{8, 100}},
	} {
		for _, kind := range kinds {
			op, _ := NewWith(testNode(kind, &c.axis), kind, 13, k)
			x, _ := operators.NewValue(c.dt, c.shape)
			y, _ := operators.NewValue(c.dt, c.shape)
			rc := &operators.RunContext{Alloc: reuse{y}, Threads: 1}
			in, out := []*operators.Value{x}, make([]*operators.Value, 1)
			allocs := testing.AllocsPerRun(20, func() {
				if err := op.Run(rc, in, out); err != nil {
					t.Fatal(err)
				}
			})
			if allocs != 0 {
				t.Errorf("%v %s: %v allocations per run, want 0", kind, c.name, allocs)
			}
		}
	}
}

// TestConcurrentRuns shares one Op between goroutines, as the executor
// does, each running its own input with two threads; every result must
// equal the one computed alone.
func TestConcurrentRuns(t *testing.T) {
	r := newRand(t)
	k := dispatch.Active()
	for _, kind := range kinds {
		axis := int64(1)
		op, err := NewWith(testNode(kind, &axis), kind, 13, k)
		if err != nil {
			t.Fatal(err)
		}
		shapes := [][]int{{4, 64, 300}, {1, 70, 300}, {300, 70}, {2, 3, 4}}
		inputs := make([]*operators.Value, 8)
		wants := make([][]byte, len(inputs))
		for i := range inputs {
			shape := shapes[i%len(shapes)]
			inputs[i], _ = makeValue(t, operators.Float32, shape, randomData(r, operators.NumElements(shape), 10))
			wants[i] = runOp(t, op, inputs[i], 1).Raw
		}
		errs := make(chan error, len(inputs))
		for i := range inputs {
			go func() {
				out := make([]*operators.Value, 1)
				err := op.Run(&operators.RunContext{Threads: 2}, []*operators.Value{inputs[i]}, out)
				if err == nil && !slices.Equal(out[0].Raw, wants[i]) {
					err = errors.New("concurrent result differs for input " + strings.Join(strings.Fields(fmt.Sprint(inputs[i].Shape)), "x"))
				}
				errs <- err
			}()
		}
		for range inputs {
			if err := <-errs; err != nil {
				t.Errorf("%v: %v", kind, err)
			}
		}
	}
}
