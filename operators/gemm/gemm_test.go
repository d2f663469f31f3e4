package gemm

import (
	"errors"
	"fmt"
	"math"
	"math/rand"
	"testing"

	"github.com/onnxrun/onnxrun/operators"
)

func node(opType string, opset int, inputs int, attrs ...*operators.Attr) *operators.Node {
	n := &operators.Node{Name: "n", OpType: opType, Opset: opset, Attrs: map[string]*operators.Attr{}}
	for i := 0; i < inputs; i++ {
		n.Inputs = append(n.Inputs, fmt.Sprint("x", i))
	}
	n.Outputs = []string{"y"}
	for _, a := range attrs {
		n.Attrs[a.Name] = a
	}
	return n
}

func iattr(name string, v int64) *operators.Attr {
	return &operators.Attr{Name: name, Type: operators.AttrInt, I: v}
}
func fattr(name string, v float32) *operators.Attr {
	return &operators.Attr{Name: name, Type: operators.AttrFloat, F: v}
}

func build(t *testing.T, n *operators.Node) operators.Op {
	t.Helper()
	reg, ok := operators.Lookup("", n.OpType, n.Opset)
	if !ok {
		t.Fatalf("%s-%d not registered", n.OpType, n.Opset)
	}
	n.Since = reg.Since
	op, err := reg.New(n)
	if err != nil {
		t.Fatal(err)
	}
	return op
}

func randVal(r *rand.Rand, shape ...int) *operators.Value {
	v, _ := operators.NewValue(operators.Float32, shape)
	for i := range v.F32() {
		v.F32()[i] = float32(r.NormFloat64())
	}
	return v
}

func run(t *testing.T, op operators.Op, threads int, in ...*operators.Value) *operators.Value {
	t.Helper()
	metas := make([]operators.Meta, len(in))
	for i, v := range in {
		if v != nil {
			metas[i] = v.Meta()
		}
	}
	inf, err := op.Infer(metas, in)
	if err != nil {
		t.Fatalf("Infer: %v", err)
	}
	out := make([]*operators.Value, 1)
	if err := op.Run(&operators.RunContext{Threads: threads}, in, out); err != nil {
		t.Fatalf("Run: %v", err)
	}
	if fmt.Sprint(inf[0].Shape) != fmt.Sprint(out[0].Shape) {
		t.Fatalf("Infer said %v, Run made %v", inf[0].Shape, out[0].Shape)
	}
	return out[0]
}

// close32 compares with a tolerance for float32 sums of k products of
// N(0,1) values against a float64 reference: rounding error grows like
// sqrt(k) ulps of the magnitude.
func close32(t *testing.T, got []float32, want []float64, k int) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("len %d, want %d", len(got), len(want))
	}
	for i := range got {
		tol := 1e-5 + 2e-6*math.Sqrt(float64(k)+1)*(1+math.Abs(want[i]))
		if d := math.Abs(float64(got[i]) - want[i]); d > tol || math.IsNaN(float64(got[i])) {
			t.Fatalf("[%d] = %g, want %g (diff %g > %g)", i, got[i], want[i], d, tol)
		}
	}
}

func TestGemm(t *testing.T) {
	r := rand.New(rand.NewSource(10))
	cases := []struct {
		m, n, k     int
		ta, tb      bool
		alpha, beta float32
		cshape      []int // nil: no C
		opset       int
	}{
		{3, 4, 5, false, false, 1, 1, []int{3, 4}, 13},
		{5, 7, 9, true, false, 0.5, 2, []int{7}, 13},
		{5, 7, 9, false, true, 1, 1, []int{1, 7}, 11},
		{6, 3, 17, true, true, -1, 0.5, []int{6, 1}, 9},
		{6, 3, 17, false, false, 1, 1, []int{}, 7},
		{1, 1000, 64, false, true, 1, 1, []int{1000}, 13},
		{13, 1, 33, false, false, 1, 1, []int{1}, 6},
		{9, 11, 70, false, false, 2, 1, nil, 11},
		{9, 11, 70, false, false, 1, 1, []int{1, 1}, 1},
	}
	for _, c := range cases {
		name := fmt.Sprintf("%dx%dx%d_tA%v_tB%v_C%v_op%d", c.m, c.n, c.k, c.ta, c.tb, c.cshape, c.opset)
		t.Run(name, func(t *testing.T) {
			ninp := 3
			if c.cshape == nil {
				ninp = 2
			}
			n := node("Gemm", c.opset, ninp, iattr("transA", b2i(c.ta)), iattr("transB", b2i(c.tb)), fattr("alpha", c.alpha), fattr("beta", c.beta))
			if c.opset < 7 {
				n.Attrs["broadcast"] = iattr("broadcast", 1)
			}
			op := build(t, n)
			ash, bsh := []int{c.m, c.k}, []int{c.k, c.n}
			if c.ta {
				ash = []int{c.k, c.m}
			}
			if c.tb {
				bsh = []int{c.n, c.k}
			}
			a, b := randVal(r, ash...), randVal(r, bsh...)
			in := []*operators.Value{a, b}
			var cv *operators.Value
			if c.cshape != nil {
				cv = randVal(r, c.cshape...)
				in = append(in, cv)
			}
			want := make([]float64, c.m*c.n)
			for i := 0; i < c.m; i++ {
				for j := 0; j < c.n; j++ {
					var s float64
					for p := 0; p < c.k; p++ {
						av := a.F32()[i*c.k+p]
						if c.ta {
							av = a.F32()[p*c.m+i]
						}
						var bv float32
						if c.tb {
							bv = b.F32()[j*c.k+p]
						} else {
							bv = b.F32()[p*c.n+j]
						}
						s += float64(av) * float64(bv)
					}
					s *= float64(c.alpha)
					if cv != nil {
						ci := 0
						switch len(c.cshape) {
						case 1:
							if c.cshape[0] != 1 {
								ci = j
							}
						case 2:
							if c.cshape[0] != 1 {
								ci += i * c.cshape[1]
							}
							if c.cshape[1] != 1 {
								ci += j
							}
						}
						s += float64(c.beta) * float64(cv.F32()[ci])
					}
					want[i*c.n+j] = s
				}
			}
			y1 := run(t, op, 1, in...)
			close32(t, y1.F32(), want, c.k)
			y2 := run(t, op, 2, in...)
			for i := range y1.F32() {
				if y1.F32()[i] != y2.F32()[i] {
					t.Fatalf("threads 1 and 2 differ at %d", i)
				}
			}
		})
	}
}

func b2i(b bool) int64 {
	if b {
		return 1
	}
	return 0
}

func TestGemmFloat64(t *testing.T) {
	op := build(t, node("Gemm", 13, 2))
	a, _ := operators.FromSlice([]float64{1, 2, 3, 4, 5, 6}, []int{2, 3})
	b, _ := operators.FromSlice([]float64{1, 0, 0, 1, 1, 1}, []int{3, 2})
	y := run(t, op, 1, a, b)
	want := []float64{4, 5, 10, 11}
	for i, w := range want {
		if y.F64()[i] != w {
			t.Fatalf("got %v, want %v", y.F64(), want)
		}
	}
}

func TestGemmErrors(t *testing.T) {
	var ae *operators.AttributeError
	_, err := newGemm(node("Gemm", 13, 2, iattr("transA", 2)))
	if !errors.As(err, &ae) || ae.Attr != "transA" {
		t.Errorf("transA=2: got %v, want AttributeError on transA", err)
	}
	_, err = newGemm(node("Gemm", 13, 2, &operators.Attr{Name: "alpha", Type: operators.AttrInt, I: 1}))
	if !errors.As(err, &ae) || ae.Attr != "alpha" {
		t.Errorf("int alpha: got %v, want AttributeError on alpha", err)
	}
	if _, err := newGemm(node("Gemm", 9, 2)); !errors.Is(err, operators.ErrInvalidModel) {
		t.Errorf("Gemm-9 without C: got %v", err)
	}
	op := build(t, node("Gemm", 13, 3))
	f := func(s ...int) operators.Meta {
		return operators.Meta{DType: operators.Float32, Shape: s, HasShape: true}
	}
	for _, c := range []struct {
		in   []operators.Meta
		want string
	}{
		{[]operators.Meta{f(2, 3), f(4, 5), f(2, 5)}, "input 1 (B)"},
		{[]operators.Meta{f(2, 3, 1), f(3, 5), f(2, 5)}, "input 0 (A)"},
		{[]operators.Meta{f(2, 3), f(3, 5), f(3, 5)}, "input 2 (C)"},
		{[]operators.Meta{f(2, 3), f(3, 5), f(1, 1, 5)}, "input 2 (C)"},
	} {
		_, err := op.Infer(c.in, make([]*operators.Value, 3))
		if !errors.Is(err, operators.ErrShape) || !contains(err.Error(), c.want) {
			t.Errorf("Infer(%v) = %v, want shape error naming %s", c.in, err, c.want)
		}
	}
	i64 := operators.Meta{DType: operators.Int64, Shape: []int{2, 2}, HasShape: true}
	if _, err := op.Infer([]operators.Meta{i64, i64}, nil); !errors.Is(err, operators.ErrUnsupportedType) {
		t.Errorf("int64 Gemm: got %v", err)
	}
}

func contains(s, sub string) bool {
	for i := 0; i+len(sub) <= len(s); i++ {
		if s[i:i+len(sub)] == sub {
			return true
		}
	}
	return false
}

// naiveMatMul is numpy.matmul in float64 for the test.
func naiveMatMul(a, b *operators.Value) ([]float64, []int) {
	as, bs := a.Shape, b.Shape
	aVec, bVec := len(as) == 1, len(bs) == 1
	if aVec {
		as = []int{1, as[0]}
	}
	if bVec {
		bs = []int{bs[0], 1}
	}
	m, k, n := as[len(as)-2], as[len(as)-1], bs[len(bs)-1]
	ab, bb := as[:len(as)-2], bs[:len(bs)-2]
	r := max(len(ab), len(bb))
	pad := func(s []int) []int {
		return append(append(make([]int, 0, r), ones(r-len(s))...), s...)
	}
	ab, bb = pad(ab), pad(bb)
	batch := make([]int, r)
	for i := range batch {
		batch[i] = max(ab[i], bb[i])
	}
	nb := operators.NumElements(batch)
	out := make([]float64, nb*m*n)
	idx := make([]int, r)
	for t := 0; t < nb; t++ {
		rem := t
		for i := r - 1; i >= 0; i-- {
			idx[i] = rem % batch[i]
			rem /= batch[i]
		}
		oa, ob := 0, 0
		for i := 0; i < r; i++ {
			oa = oa*ab[i] + idx[i]%ab[i]
			ob = ob*bb[i] + idx[i]%bb[i]
		}
		for i := 0; i < m; i++ {
			for j := 0; j < n; j++ {
				var s float64
				for p := 0; p < k; p++ {
					s += float64(a.F32()[oa*m*k+i*k+p]) * float64(b.F32()[ob*k*n+p*n+j])
				}
				out[t*m*n+i*n+j] = s
			}
		}
	}
	shape := append([]int(nil), batch...)
	if !aVec {
		shape = append(shape, m)
	}
	if !bVec {
		shape = append(shape, n)
	}
	return out, shape
}

func ones(n int) []int {
	s := make([]int, n)
	for i := range s {
		s[i] = 1
	}
	return s
}

func TestMatMul(t *testing.T) {
	r := rand.New(rand.NewSource(11))
	cases := [][2][]int{
		{{3, 4}, {4, 5}},
		{{7}, {7}},
		{{7}, {7, 3}},
		{{2, 3, 7}, {7}},
		{{5}, {2, 5, 3}},
		{{2, 3, 9}, {9, 4}},
		{{2, 1, 3, 9}, {5, 9, 4}},
		{{1, 3, 9}, {2, 9, 4}},
		{{4, 1, 6, 8}, {1, 3, 8, 2}},
		{{33, 65}, {65, 17}},
		{{2, 0, 3}, {3, 4}},
	}
	for _, c := range cases {
		t.Run(fmt.Sprintf("%v_%v", c[0], c[1]), func(t *testing.T) {
			op := build(t, node("MatMul", 13, 2))
			a, b := randVal(r, c[0]...), randVal(r, c[1]...)
			want, wshape := naiveMatMul(a, b)
			y := run(t, op, 1, a, b)
			if fmt.Sprint(y.Shape) != fmt.Sprint(wshape) {
				t.Fatalf("shape %v, want %v", y.Shape, wshape)
			}
			close32(t, y.F32(), want, c[0][len(c[0])-1])
			y2 := run(t, op, 2, a, b)
			for i := range y.F32() {
				if y.F32()[i] != y2.F32()[i] {
					t.Fatalf("threads 1 and 2 differ at %d", i)
				}
			}
		})
	}
}

func TestMatMulErrors(t *testing.T) {
	op := build(t, node("MatMul", 13, 2))
	f := func(s ...int) operators.Meta {
		return operators.Meta{DType: operators.Float32, Shape: s, HasShape: true}
	}
	for _, c := range []struct {
		in   []operators.Meta
		want string
	}{
		{[]operators.Meta{f(2, 3), f(4, 5)}, "input 1 (B)"},
		{[]operators.Meta{f(2, 2, 3), f(3, 3, 5)}, "input 1 (B)"},
		{[]operators.Meta{f(), f(3, 5)}, "input 0 (A)"},
	} {
		_, err := op.Infer(c.in, nil)
		if !errors.Is(err, operators.ErrShape) || !contains(err.Error(), c.want) {
			t.Errorf("Infer(%v) = %v, want shape error naming %s", c.in, err, c.want)
		}
	}
	// Unknown dims at load time still give a shape.
	m, err := op.Infer([]operators.Meta{f(-1, 3, 4), f(4, 5)}, nil)
	if err != nil || fmt.Sprint(m[0].Shape) != "[-1 3 5]" {
		t.Errorf("Infer with unknown batch = %v, %v", m, err)
	}
}
