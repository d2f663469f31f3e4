package elementwise

import (
	"errors"
	"fmt"
	"math"
	"math/rand"
	"testing"

	"github.com/onnxrun/onnxrun/operators"
	ot "github.com/onnxrun/onnxrun/operators/internal/optest"
)

var arithRef = map[string]func(a, b float64) float64{
	"Add": func(a, b float64) float64 { return a + b },
	"Sub": func(a, b float64) float64 { return a - b },
	"Mul": func(a, b float64) float64 { return a * b },
	"Div": func(a, b float64) float64 { return a / b },
}

var allNumeric = []operators.DType{
	operators.Float32, operators.Float64, operators.Float16, operators.BFloat16,
	operators.Int8, operators.Uint8, operators.Int16, operators.Uint16,
	operators.Int32, operators.Uint32, operators.Int64, operators.Uint64,
}

// refBroadcast applies f element by element following the broadcasting
// rule directly (index arithmetic per element), as an independent check
// of the merged-dimension loop.
func refBroadcast(a []float64, as []int, b []float64, bs []int, out []int, f func(a, b float64) float64) []float64 {
	n := operators.NumElements(out)
	res := make([]float64, n)
	idx := make([]int, len(out))
	off := func(s []int) int {
		o, stride := 0, 1
		for i := len(s) - 1; i >= 0; i-- {
			if s[i] != 1 {
				o += idx[len(out)-len(s)+i] * stride
			}
			stride *= s[i]
		}
		return o
	}
	for e := range res {
		r := e
		for i := len(out) - 1; i >= 0; i-- {
			idx[i] = r % out[i]
			r /= out[i]
		}
		res[e] = f(a[off(as)], b[off(bs)])
	}
	return res
}

// operands returns values that keep every op in range for every type:
// a in [8, 20), b in [1, 5), so a-b, a*b (< 100) and a/b fit int8 and
// stay positive for unsigned types.
func operands(r *rand.Rand, shape []int, lo, hi int) []float64 {
	x := make([]float64, operators.NumElements(shape))
	for i := range x {
		x[i] = float64(lo + r.Intn(hi-lo))
	}
	return x
}

func TestArith(t *testing.T) {
	r := rand.New(rand.NewSource(3))
	shapes := []struct{ a, b, out []int }{
		{[]int{2, 3}, []int{2, 3}, []int{2, 3}},
		{[]int{2, 3}, []int{}, []int{2, 3}},
		{[]int{}, []int{2, 3}, []int{2, 3}},
		{[]int{3, 1}, []int{1, 4}, []int{3, 4}},
		{[]int{2, 3, 4}, []int{4}, []int{2, 3, 4}},
		{[]int{3, 1}, []int{2, 1, 4}, []int{2, 3, 4}},
		{[]int{0, 4}, []int{4}, []int{0, 4}},
		{[]int{2, 0}, []int{}, []int{2, 0}},
	}
	for _, name := range []string{"Add", "Sub", "Mul", "Div"} {
		op := ot.MustBuild(t, name, 14, 2)
		for _, dt := range allNumeric {
			for _, s := range shapes {
				t.Run(fmt.Sprintf("%s/%v/%v_%v", name, dt, s.a, s.b), func(t *testing.T) {
					a, b := operands(r, s.a, 8, 20), operands(r, s.b, 1, 5)
					want := refBroadcast(a, s.a, b, s.b, s.out, arithRef[name])
					// Rounding the reference to the type: integer division
					// truncates; float16/bfloat16 results are rounded
					// once, so allow their half-ULP (2^-11, 2^-8) relative.
					rtol := 0.0
					switch dt {
					case operators.Float32:
						rtol = 1e-6
					case operators.Float16:
						rtol = 1.0 / 2048
					case operators.BFloat16:
						rtol = 1.0 / 256
					}
					if !dt.IsFloat() {
						for i := range want {
							want[i] = math.Trunc(want[i])
						}
					}
					out := ot.MustExec(t, op, ot.Val(dt, s.a, a...), ot.Val(dt, s.b, b...))
					ot.MustClose(t, out[0], s.out, want, rtol, 0)
				})
			}
		}
	}
}

func TestIntegerDivision(t *testing.T) {
	div := ot.MustBuild(t, "Div", 14, 2)
	for _, dt := range []operators.DType{operators.Int8, operators.Int32, operators.Int64} {
		out := ot.MustExec(t, div, ot.Val(dt, []int{4}, -7, 7, -7, 7), ot.Val(dt, []int{4}, 2, -2, -2, 2))
		// C truncates toward zero.
		ot.MustClose(t, out[0], []int{4}, []float64{-3, -3, 3, 3}, 0, 0)
		_, err := ot.Exec(div, ot.Val(dt, []int{2}, 1, 2), ot.Val(dt, []int{2}, 1, 0))
		if err == nil {
			t.Errorf("%v: division by zero gave no error", dt)
		}
	}
	// MinInt / -1 wraps instead of trapping.
	a, _ := operators.FromSlice([]int32{math.MinInt32}, []int{1})
	b, _ := operators.FromSlice([]int32{-1}, []int{1})
	out := ot.MustExec(t, div, a, b)
	if got := out[0].I32()[0]; got != math.MinInt32 {
		t.Errorf("MinInt32 / -1 = %d", got)
	}
	// Float division by zero follows IEEE.
	out = ot.MustExec(t, div, ot.Val(operators.Float32, []int{3}, 1, -1, 0), ot.Val(operators.Float32, []int{}, 0))
	ot.MustClose(t, out[0], []int{3}, []float64{math.Inf(1), math.Inf(-1), math.NaN()}, 0, 0)
}

func TestUint8Wraps(t *testing.T) {
	sub := ot.MustBuild(t, "Sub", 14, 2)
	out := ot.MustExec(t, sub, ot.Val(operators.Uint8, []int{2}, 1, 200), ot.Val(operators.Uint8, []int{2}, 2, 100))
	ot.MustClose(t, out[0], []int{2}, []float64{255, 100}, 0, 0)
}

func TestArithErrors(t *testing.T) {
	add := ot.MustBuild(t, "Add", 14, 2)
	_, err := ot.Exec(add, ot.Val(operators.Float32, []int{2}, 1, 2), ot.Val(operators.Int64, []int{2}, 1, 2))
	if !errors.Is(err, operators.ErrInvalidModel) || !containsAll(err.Error(), "input 1", "int64") {
		t.Errorf("type mismatch: got %v", err)
	}
	_, err = ot.Exec(add, ot.Val(operators.Float32, []int{2}, 1, 2), ot.Val(operators.Float32, []int{3}, 1, 2, 3))
	if !errors.Is(err, operators.ErrShape) {
		t.Errorf("shape mismatch: got %v", err)
	}
	_, err = ot.Exec(add, &operators.Value{DType: operators.Bool, Shape: []int{1}, Raw: []byte{1}}, &operators.Value{DType: operators.Bool, Shape: []int{1}, Raw: []byte{1}})
	if !errors.Is(err, operators.ErrUnsupportedType) {
		t.Errorf("bool: got %v", err)
	}
	// Infer with partly unknown shapes.
	m, err := add.Infer([]operators.Meta{
		{DType: operators.Float32, Shape: []int{-1, 3}, HasShape: true},
		{DType: operators.Float32, Shape: []int{4, 1, 1}, HasShape: true},
	}, nil)
	if err != nil || fmt.Sprint(m[0].Shape) != "[4 -1 3]" {
		t.Errorf("Infer: %v, %v", m, err)
	}
	m, err = add.Infer([]operators.Meta{{DType: operators.Float32}, {DType: operators.Float32, Shape: []int{4}, HasShape: true}}, nil)
	if err != nil || m[0].HasShape {
		t.Errorf("Infer with unknown rank: %v, %v", m, err)
	}
}

func containsAll(s string, subs ...string) bool {
	for _, x := range subs {
		found := false
		for i := 0; i+len(x) <= len(s); i++ {
			if s[i:i+len(x)] == x {
				found = true
				break
			}
		}
		if !found {
			return false
		}
	}
	return true
}

func TestLegacyBroadcast(t *testing.T) {
	r := rand.New(rand.NewSource(5))
	as := []int{2, 3, 4, 5}
	cases := []struct {
		name  string
		attrs []*operators.Attr
		bs    []int // B's declared shape
		eff   []int // B's shape under numpy rules
	}{
		{"scalar", []*operators.Attr{ot.Int("broadcast", 1)}, []int{}, []int{}},
		{"one_element", []*operators.Attr{ot.Int("broadcast", 1)}, []int{1, 1}, []int{}},
		{"suffix1", []*operators.Attr{ot.Int("broadcast", 1)}, []int{5}, []int{5}},
		{"suffix2", []*operators.Attr{ot.Int("broadcast", 1)}, []int{4, 5}, []int{4, 5}},
		{"axis1", []*operators.Attr{ot.Int("broadcast", 1), ot.Int("axis", 1)}, []int{3, 4}, []int{3, 4, 1}},
		{"axis0", []*operators.Attr{ot.Int("broadcast", 1), ot.Int("axis", 0)}, []int{2}, []int{2, 1, 1, 1}},
		{"same", nil, []int{2, 3, 4, 5}, []int{2, 3, 4, 5}},
	}
	for _, opset := range []int{1, 6} {
		for _, c := range cases {
			t.Run(fmt.Sprintf("%d/%s", opset, c.name), func(t *testing.T) {
				op := ot.MustBuild(t, "Sub", opset, 2, c.attrs...)
				a, b := operands(r, as, 0, 100), operands(r, c.bs, 0, 100)
				want := refBroadcast(a, as, b, c.eff, as, arithRef["Sub"])
				out := ot.MustExec(t, op, ot.Val(operators.Float32, as, a...), ot.Val(operators.Float32, c.bs, b...))
				ot.MustClose(t, out[0], as, want, 0, 0)
			})
		}
	}
	// Without broadcast=1, different shapes are an error.
	op := ot.MustBuild(t, "Add", 6, 2)
	if _, err := ot.Exec(op, ot.Val(operators.Float32, []int{2, 2}, 1, 2, 3, 4), ot.Val(operators.Float32, []int{2}, 1, 2)); !errors.Is(err, operators.ErrShape) {
		t.Errorf("broadcast=0: got %v", err)
	}
	// An axis that puts B past A's end is an attribute error.
	op = ot.MustBuild(t, "Add", 6, 2, ot.Int("broadcast", 1), ot.Int("axis", 1))
	_, err := ot.Exec(op, ot.Val(operators.Float32, []int{2, 2}, 1, 2, 3, 4), ot.Val(operators.Float32, []int{2, 2}, 1, 2, 3, 4))
	var ae *operators.AttributeError
	if !errors.As(err, &ae) || ae.Attr != "axis" {
		t.Errorf("axis out of range: got %v", err)
	}
	if _, err := ot.Build("Add", 6, 2, ot.Int("broadcast", 2)); !errors.As(err, &ae) || ae.Attr != "broadcast" {
		t.Errorf("broadcast=2: got %v", err)
	}
	if _, err := ot.Build("Add", 6, 2, ot.Float("broadcast", 1)); !errors.As(err, &ae) {
		t.Errorf("float broadcast: got %v", err)
	}
}

var benchSink *operators.Value

func BenchmarkAddF32(b *testing.B) {
	add, err := ot.Build("Add", 14, 2)
	if err != nil {
		b.Fatal(err)
	}
	for _, c := range []struct {
		name   string
		as, bs []int
	}{
		{"same_1e5", []int{100000}, []int{100000}},
		{"scalar_1e5", []int{100000}, []int{}},
		{"bias_1x64x32x32", []int{1, 64, 32, 32}, []int{64, 1, 1}},
	} {
		b.Run(c.name, func(b *testing.B) {
			x, _ := operators.NewValue(operators.Float32, c.as)
			y, _ := operators.NewValue(operators.Float32, c.bs)
			out := make([]*operators.Value, 1)
			rc := &operators.RunContext{Threads: 1}
			b.SetBytes(int64(4 * (2*x.Len() + y.Len())))
			b.ReportAllocs()
			for b.Loop() {
				if err := add.Run(rc, []*operators.Value{x, y}, out); err != nil {
					b.Fatal(err)
				}
			}
			benchSink = out[0]
		})
	}
}

// TestInputCounts: a node with a missing or extra input fails at load.
func TestInputCounts(t *testing.T) {
	for _, c := range []struct {
		op    string
		opset int
		n     int
		ok    bool
	}{
		{"Add", 14, 2, true}, {"Add", 14, 1, false}, {"Add", 14, 3, false},
		{"Where", 16, 3, true}, {"Where", 16, 2, false},
		{"Sum", 13, 5, true}, {"Sum", 13, 0, false},
		{"Clip", 6, 1, true}, {"Clip", 6, 2, false}, {"Clip", 13, 3, true}, {"Clip", 13, 4, false},
		{"Relu", 14, 1, true}, {"Relu", 14, 2, false},
	} {
		_, err := ot.Build(c.op, c.opset, c.n)
		if (err == nil) != c.ok || (err != nil && !errors.Is(err, operators.ErrInvalidModel)) {
			t.Errorf("%s-%d with %d inputs: %v", c.op, c.opset, c.n, err)
		}
	}
}
