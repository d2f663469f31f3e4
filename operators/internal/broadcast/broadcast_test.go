package broadcast

import (
	"errors"
	"fmt"
	"math/rand"
	"reflect"
	"testing"

	"github.com/onnxrun/onnxrun/operators"
)

func TestShape(t *testing.T) {
	tests := []struct {
		in   [][]int
		want []int
		err  bool
	}{
		{[][]int{{}, {}}, []int{}, false},
		{[][]int{{3}, {}}, []int{3}, false},
		{[][]int{{3, 1}, {1, 4}}, []int{3, 4}, false},
		{[][]int{{2, 3, 4}, {4}}, []int{2, 3, 4}, false},
		{[][]int{{2, 1, 4}, {3, 1}}, []int{2, 3, 4}, false},
		{[][]int{{0, 4}, {1, 4}}, []int{0, 4}, false},
		{[][]int{{0}, {1}}, []int{0}, false},
		{[][]int{{-1, 3}, {1, 3}}, []int{-1, 3}, false},
		{[][]int{{-1, 3}, {5, 1}}, []int{5, 3}, false},
		{[][]int{{-1}, {-1}}, []int{-1}, false},
		{[][]int{{2}, {3}}, nil, true},
		{[][]int{{0}, {3}}, nil, true},
		{[][]int{{2, 3}, {3, 1}, {1, 3}}, nil, true},
		{[][]int{{2, 1}, {1, 3}, {1}}, []int{2, 3}, false},
	}
	for _, tc := range tests {
		t.Run(fmt.Sprint(tc.in), func(t *testing.T) {
			got, err := Shape(tc.in...)
			if tc.err {
				if !errors.Is(err, operators.ErrShape) {
					t.Fatalf("got %v, %v; want an ErrShape", got, err)
				}
				return
			}
			if err != nil || !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("got %v, %v; want %v", got, err, tc.want)
			}
		})
	}
}

var subF64 = Kernels[float64, float64]{
	VV: func(c, a, b []float64) {
		for i := range c {
			c[i] = a[i] - b[i]
		}
	},
	VS: func(c, a []float64, b float64) {
		for i := range c {
			c[i] = a[i] - b
		}
	},
	SV: func(c []float64, a float64, b []float64) {
		for i := range c {
			c[i] = a - b[i]
		}
	},
}

// reference computes a - b element by element from the broadcasting rule.
func reference(a []float64, as []int, b []float64, bs []int, out []int) []float64 {
	n := operators.NumElements(out)
	c := make([]float64, n)
	idx := make([]int, len(out))
	offset := func(s []int) int {
		off, stride := 0, 1
		for i := len(s) - 1; i >= 0; i-- {
			j := idx[len(out)-len(s)+i]
			if s[i] == 1 {
				j = 0
			}
			off += j * stride
			stride *= s[i]
		}
		return off
	}
	for e := 0; e < n; e++ {
		r := e
		for i := len(out) - 1; i >= 0; i-- {
			idx[i] = r % out[i]
			r /= out[i]
		}
		c[e] = a[offset(as)] - b[offset(bs)]
	}
	return c
}

func fill(r *rand.Rand, shape []int) []float64 {
	x := make([]float64, operators.NumElements(shape))
	for i := range x {
		x[i] = float64(r.Intn(1000))
	}
	return x
}

func check(t *testing.T, as, bs []int, r *rand.Rand, par *operators.RunContext) {
	t.Helper()
	a, b := fill(r, as), fill(r, bs)
	p, err := NewBinary(as, bs)
	if err != nil {
		t.Fatalf("%v x %v: %v", as, bs, err)
	}
	want := reference(a, as, b, bs, p.Out)
	// Guard elements after the output catch out-of-range writes.
	c := make([]float64, p.N+3)
	for i := p.N; i < len(c); i++ {
		c[i] = -12345
	}
	Apply(p, c[:p.N], a, b, subF64, par)
	for i := range want {
		if c[i] != want[i] {
			t.Fatalf("%v x %v -> %v: element %d is %v, want %v", as, bs, p.Out, i, c[i], want[i])
		}
	}
	for i := p.N; i < len(c); i++ {
		if c[i] != -12345 {
			t.Fatalf("%v x %v: guard %d overwritten", as, bs, i)
		}
	}
}

func TestApplyCases(t *testing.T) {
	r := rand.New(rand.NewSource(1))
	cases := [][2][]int{
		{{}, {}},
		{{5}, {5}},
		{{2, 3}, {2, 3}},
		{{2, 3}, {}},
		{{}, {2, 3}},
		{{2, 3}, {1, 1}},
		{{3, 1}, {1, 4}},
		{{1, 4}, {3, 1}},
		{{2, 3, 4}, {4}},
		{{4}, {2, 3, 4}},
		{{2, 3, 4}, {3, 1}},
		{{2, 3, 4, 5}, {3, 1, 1}},
		{{2, 1, 4, 1}, {1, 3, 1, 5}},
		{{1, 3, 1, 5, 1, 2, 1, 3, 1}, {2, 1, 4, 1, 3, 1, 2, 1, 2}}, // more merged dims than inline
		{{0, 4}, {1, 4}},
		{{3, 0}, {}},
		{{1, 1, 7}, {7}},
		{{2, 3}, {1, 3, 1, 1}}, // rank mismatch
	}
	for _, c := range cases {
		check(t, c[0], c[1], r, nil)
	}
}

func TestApplyRandom(t *testing.T) {
	seed := int64(42)
	t.Logf("seed %d", seed)
	r := rand.New(rand.NewSource(seed))
	rc := &operators.RunContext{Threads: 3}
	for it := 0; it < 500; it++ {
		rank := r.Intn(6)
		out := make([]int, rank)
		for i := range out {
			out[i] = 1 + r.Intn(5)
		}
		mk := func() []int {
			s := append([]int(nil), out[r.Intn(rank+1):]...)
			for i := range s {
				if r.Intn(3) == 0 {
					s[i] = 1
				}
			}
			return s
		}
		as, bs := mk(), mk()
		check(t, as, bs, r, nil)
		check(t, as, bs, r, rc)
	}
	// Large enough to be split between goroutines.
	check(t, []int{300, 1, 130}, []int{1, 2, 130}, r, rc)
	check(t, []int{70000}, []int{70000}, r, rc)
	check(t, []int{70000}, []int{}, r, rc)
}

func TestNewBinaryErrors(t *testing.T) {
	for _, c := range [][2][]int{{{2}, {3}}, {{-1}, {1}}, {{2, 3}, {3, 2}}} {
		if _, err := NewBinary(c[0], c[1]); !errors.Is(err, operators.ErrShape) {
			t.Errorf("%v x %v: got %v, want ErrShape", c[0], c[1], err)
		}
	}
}

var sink []float32

func BenchmarkApply(b *testing.B) {
	add := Kernels[float32, float32]{
		VV: func(c, a, b []float32) {
			for i := range c {
				c[i] = a[i] + b[i]
			}
		},
		VS: func(c, a []float32, b float32) {
			for i := range c {
				c[i] = a[i] + b
			}
		},
		SV: func(c []float32, a float32, b []float32) {
			for i := range c {
				c[i] = a + b[i]
			}
		},
	}
	for _, c := range []struct {
		name   string
		as, bs []int
	}{
		{"same", []int{64, 1024}, []int{64, 1024}},
		{"scalar", []int{64, 1024}, []int{}},
		{"suffix", []int{64, 1024}, []int{1024}},
		{"bias_nchw", []int{1, 64, 32, 32}, []int{64, 1, 1}},
		{"outer", []int{256, 1}, []int{1, 256}},
	} {
		b.Run(c.name, func(b *testing.B) {
			p, err := NewBinary(c.as, c.bs)
			if err != nil {
				b.Fatal(err)
			}
			x := make([]float32, operators.NumElements(c.as))
			y := make([]float32, operators.NumElements(c.bs))
			z := make([]float32, p.N)
			b.SetBytes(int64(4 * (len(x) + len(y) + len(z))))
			b.ReportAllocs()
			for b.Loop() {
				p, _ := NewBinary(c.as, c.bs)
				Apply(p, z, x, y, add, nil)
			}
			sink = z
		})
	}
}

// TestInitReuse plans different shapes into one Binary in turn: nothing
// from an earlier plan may leak into a later one.
func TestInitReuse(t *testing.T) {
	r := rand.New(rand.NewSource(2))
	var p Binary
	pairs := [][2][]int{{{2, 3}, {2, 3}}, {{2, 3}, {2, 1}}, {{2, 3}, {3}}, {{4, 1, 3}, {1, 2, 1}}, {{2, 3}, {}}}
	for _, c := range pairs {
		if err := p.Init(c[0], c[1]); err != nil {
			t.Fatal(err)
		}
		a, b := fill(r, c[0]), fill(r, c[1])
		want := reference(a, c[0], b, c[1], p.Out)
		got := make([]float64, p.N)
		Apply(&p, got, a, b, subF64, nil)
		for i := range want {
			if got[i] != want[i] {
				t.Fatalf("%v: element %d is %v, want %v", c, i, got[i], want[i])
			}
		}
	}
}
