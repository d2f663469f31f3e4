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

func b2f(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

var cmpRef = map[string]func(a, b float64) float64{
	"Equal":          func(a, b float64) float64 { return b2f(a == b) },
	"Less":           func(a, b float64) float64 { return b2f(a < b) },
	"Greater":        func(a, b float64) float64 { return b2f(a > b) },
	"LessOrEqual":    func(a, b float64) float64 { return b2f(a <= b) },
	"GreaterOrEqual": func(a, b float64) float64 { return b2f(a >= b) },
}

func TestCompare(t *testing.T) {
	r := rand.New(rand.NewSource(8))
	shapes := [][2][]int{{{2, 3}, {2, 3}}, {{2, 3}, {}}, {{}, {2, 3}}, {{3, 1}, {1, 4}}, {{2, 3, 4}, {4}}, {{0, 2}, {2}}}
	for name, ref := range cmpRef {
		op := ot.MustBuild(t, name, 16, 2)
		for _, dt := range allNumeric {
			for _, s := range shapes {
				t.Run(fmt.Sprintf("%s/%v/%v", name, dt, s), func(t *testing.T) {
					// Few distinct values, so equality happens often.
					a, b := operands(r, s[0], 1, 4), operands(r, s[1], 1, 4)
					out, _ := shapeOf(s[0], s[1])
					want := refBroadcast(a, s[0], b, s[1], out, ref)
					y := ot.MustExec(t, op, ot.Val(dt, s[0], a...), ot.Val(dt, s[1], b...))[0]
					if y.DType != operators.Bool {
						t.Fatalf("output type %v", y.DType)
					}
					ot.MustClose(t, y, out, want, 0, 0)
				})
			}
		}
	}
	// NaN compares false, except for nothing.
	nan := ot.Val(operators.Float32, []int{2}, math.NaN(), 1)
	for name := range cmpRef {
		y := ot.MustExec(t, ot.MustBuild(t, name, 16, 2), nan, ot.Val(operators.Float32, []int{}, math.NaN()))[0]
		ot.MustClose(t, y, []int{2}, []float64{0, 0}, 0, 0)
	}
	// Equal on bools and strings.
	eq := ot.MustBuild(t, "Equal", 19, 2)
	y := ot.MustExec(t, eq, ot.Val(operators.Bool, []int{3}, 1, 0, 1), ot.Val(operators.Bool, []int{}, 1))[0]
	ot.MustClose(t, y, []int{3}, []float64{1, 0, 1}, 0, 0)
	s1 := &operators.Value{DType: operators.String, Shape: []int{3}, Strs: []string{"a", "b", ""}}
	s2 := &operators.Value{DType: operators.String, Shape: []int{1}, Strs: []string{"b"}}
	y = ot.MustExec(t, eq, s1, s2)[0]
	ot.MustClose(t, y, []int{3}, []float64{0, 1, 0}, 0, 0)
	if _, err := ot.Exec(ot.MustBuild(t, "Less", 13, 2), s1, s2); !errors.Is(err, operators.ErrUnsupportedType) {
		t.Errorf("Less on strings: %v", err)
	}
	if _, err := ot.Exec(eq, ot.Val(operators.Float32, []int{1}, 1), ot.Val(operators.Float64, []int{1}, 1)); !errors.Is(err, operators.ErrInvalidModel) {
		t.Errorf("mixed types: %v", err)
	}
}

func shapeOf(a, b []int) ([]int, error) {
	r := max(len(a), len(b))
	out := make([]int, r)
	for i := range out {
		da, db := 1, 1
		if j := i - (r - len(a)); j >= 0 {
			da = a[j]
		}
		if j := i - (r - len(b)); j >= 0 {
			db = b[j]
		}
		out[i] = max(da, db)
		if da == 0 || db == 0 {
			out[i] = 0
		}
	}
	return out, nil
}

func TestLogic(t *testing.T) {
	a := ot.Val(operators.Bool, []int{2, 2}, 0, 0, 1, 1)
	b := ot.Val(operators.Bool, []int{2, 2}, 0, 1, 0, 1)
	for _, c := range []struct {
		name string
		want []float64
	}{{"And", []float64{0, 0, 0, 1}}, {"Or", []float64{0, 1, 1, 1}}, {"Xor", []float64{0, 1, 1, 0}}} {
		op := ot.MustBuild(t, c.name, 7, 2)
		ot.MustClose(t, ot.MustExec(t, op, a, b)[0], []int{2, 2}, c.want, 0, 0)
		// Scalar on either side.
		for _, s := range []float64{0, 1} {
			sv := ot.Val(operators.Bool, []int{}, s)
			want := make([]float64, 4)
			for i, x := range []float64{0, 0, 1, 1} {
				want[i] = map[string]func(x, y float64) float64{
					"And": func(x, y float64) float64 { return b2f(x != 0 && y != 0) },
					"Or":  func(x, y float64) float64 { return b2f(x != 0 || y != 0) },
					"Xor": func(x, y float64) float64 { return b2f((x != 0) != (y != 0)) },
				}[c.name](x, s)
			}
			ot.MustClose(t, ot.MustExec(t, op, a, sv)[0], []int{2, 2}, want, 0, 0)
			ot.MustClose(t, ot.MustExec(t, op, sv, a)[0], []int{2, 2}, want, 0, 0)
		}
		if _, err := ot.Exec(op, ot.Val(operators.Int32, []int{1}, 1), ot.Val(operators.Int32, []int{1}, 1)); !errors.Is(err, operators.ErrUnsupportedType) {
			t.Errorf("%s on int32: %v", c.name, err)
		}
	}
	not := ot.MustBuild(t, "Not", 1, 1)
	ot.MustClose(t, ot.MustExec(t, not, a)[0], []int{2, 2}, []float64{1, 1, 0, 0}, 0, 0)
}

func TestWhere(t *testing.T) {
	op := ot.MustBuild(t, "Where", 16, 3)
	r := rand.New(rand.NewSource(4))
	cases := [][3][]int{
		{{2, 3}, {2, 3}, {2, 3}},
		{{2, 3}, {}, {}},
		{{3, 1}, {1, 4}, {4}},
		{{1, 3}, {2, 1}, {2, 3}},
		{{4}, {2, 3, 4}, {1}},
		{{0, 3}, {3}, {}},
	}
	for _, dt := range []operators.DType{operators.Float32, operators.Float64, operators.Int64, operators.Uint8, operators.Float16, operators.Bool} {
		for _, s := range cases {
			t.Run(fmt.Sprintf("%v/%v", dt, s), func(t *testing.T) {
				c := operands(r, s[0], 0, 2)
				x := operands(r, s[1], 0, 2)
				y := operands(r, s[2], 0, 2)
				if dt != operators.Bool {
					x, y = operands(r, s[1], 10, 50), operands(r, s[2], 60, 99)
				}
				// Reference: c*x + (1-c)*y through the binary reference.
				out, _ := shapeOf(s[0], s[1])
				out, _ = shapeOf(out, s[2])
				cx := refBroadcast(c, s[0], x, s[1], out, func(a, b float64) float64 { return a * b })
				cy := refBroadcast(c, s[0], y, s[2], out, func(a, b float64) float64 { return (1 - a) * b })
				want := refBroadcast(cx, out, cy, out, out, func(a, b float64) float64 { return a + b })
				got := ot.MustExec(t, op, ot.Val(operators.Bool, s[0], c...), ot.Val(dt, s[1], x...), ot.Val(dt, s[2], y...))[0]
				ot.MustClose(t, got, out, want, 0, 0)
			})
		}
	}
	strs := ot.MustExec(t, op, ot.Val(operators.Bool, []int{2}, 1, 0),
		&operators.Value{DType: operators.String, Shape: []int{}, Strs: []string{"yes"}},
		&operators.Value{DType: operators.String, Shape: []int{2}, Strs: []string{"n0", "n1"}})[0]
	if fmt.Sprint(strs.Strs) != "[yes n1]" {
		t.Errorf("strings: %q", strs.Strs)
	}
	if _, err := ot.Exec(op, ot.Val(operators.Int32, []int{1}, 1), ot.Val(operators.Float32, []int{1}, 1), ot.Val(operators.Float32, []int{1}, 1)); !errors.Is(err, operators.ErrInvalidModel) {
		t.Errorf("int condition: %v", err)
	}
	if _, err := ot.Exec(op, ot.Val(operators.Bool, []int{1}, 1), ot.Val(operators.Float32, []int{1}, 1), ot.Val(operators.Float64, []int{1}, 1)); !errors.Is(err, operators.ErrInvalidModel) {
		t.Errorf("mixed X/Y: %v", err)
	}
}

func TestVariadic(t *testing.T) {
	r := rand.New(rand.NewSource(6))
	shapes := [][]int{{2, 3}, {3}, {2, 1}, {}}
	refs := map[string]func(vs []float64) float64{
		"Sum": func(vs []float64) float64 {
			s := 0.0
			for _, v := range vs {
				s += v
			}
			return s
		},
		"Mean": func(vs []float64) float64 {
			s := 0.0
			for _, v := range vs {
				s += v
			}
			return s / float64(len(vs))
		},
		"Max": func(vs []float64) float64 {
			m := math.Inf(-1)
			for _, v := range vs {
				m = math.Max(m, v)
			}
			return m
		},
		"Min": func(vs []float64) float64 {
			m := math.Inf(1)
			for _, v := range vs {
				m = math.Min(m, v)
			}
			return m
		},
	}
	for name, ref := range refs {
		op := ot.MustBuild(t, name, 13, 4)
		dts := []operators.DType{operators.Float32, operators.Float64, operators.Float16}
		if name == "Max" || name == "Min" {
			dts = append(dts, operators.Int32, operators.Int64, operators.Uint8)
		}
		for _, dt := range dts {
			for n := 1; n <= 4; n++ {
				t.Run(fmt.Sprintf("%s/%v/%d", name, dt, n), func(t *testing.T) {
					var in []*operators.Value
					var data [][]float64
					for k := 0; k < n; k++ {
						d := operands(r, shapes[k], 0, 50)
						data = append(data, d)
						in = append(in, ot.Val(dt, shapes[k], d...))
					}
					out := shapes[0]
					// Per output element, gather each input's broadcast value.
					want := make([]float64, operators.NumElements(out))
					for e := range want {
						i, j := e/3, e%3
						var vs []float64
						for k := 0; k < n; k++ {
							switch k {
							case 0:
								vs = append(vs, data[0][e])
							case 1:
								vs = append(vs, data[1][j])
							case 2:
								vs = append(vs, data[2][i])
							case 3:
								vs = append(vs, data[3][0])
							}
						}
						want[e] = ref(vs)
					}
					rtol := map[operators.DType]float64{operators.Float16: 1.0 / 2048, operators.Float32: 1e-6}[dt]
					y := ot.MustExec(t, op, in...)[0]
					ot.MustClose(t, y, out, want, rtol, 0)
				})
			}
		}
	}
	// NaN propagates through Max and Min.
	for _, name := range []string{"Max", "Min"} {
		op := ot.MustBuild(t, name, 13, 2)
		y := ot.MustExec(t, op, ot.Val(operators.Float32, []int{2}, math.NaN(), 1), ot.Val(operators.Float32, []int{2}, 1, math.NaN()))[0]
		ot.MustClose(t, y, []int{2}, []float64{math.NaN(), math.NaN()}, 0, 0)
	}
	if _, err := ot.Exec(ot.MustBuild(t, "Sum", 13, 1), ot.Val(operators.Int32, []int{1}, 1)); !errors.Is(err, operators.ErrUnsupportedType) {
		t.Errorf("Sum of int32: %v", err)
	}
	if _, err := ot.Exec(ot.MustBuild(t, "Sum", 13, 2), ot.Val(operators.Float32, []int{2}, 1, 1), ot.Val(operators.Float32, []int{3}, 1, 1, 1)); !errors.Is(err, operators.ErrShape) {
		t.Errorf("Sum of [2] and [3]: %v", err)
	}
}
