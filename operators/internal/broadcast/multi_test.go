package broadcast

import (
	"math/rand"
	"testing"

	"github.com/onnxrun/onnxrun/operators"
)

// TestMulti checks a three-operand sum against per-element index
// arithmetic over random shapes.
func TestMulti(t *testing.T) {
	seed := int64(9)
	t.Logf("seed %d", seed)
	r := rand.New(rand.NewSource(seed))
	for it := 0; it < 300; it++ {
		rank := r.Intn(5)
		if it%10 == 9 {
			rank = 8 + r.Intn(3) // more merged dimensions than the fixed arrays hold
		}
		out := make([]int, rank)
		for i := range out {
			out[i] = 1 + r.Intn(4)
			if rank > 6 {
				out[i] = 1 + r.Intn(2)
			}
		}
		if it%50 == 0 && rank > 0 {
			out[0] = 0
		}
		var shapes [][]int
		var data [][]float64
		for k := 0; k < 3; k++ {
			s := append([]int(nil), out[r.Intn(rank+1):]...)
			for i := range s {
				if r.Intn(3) == 0 {
					s[i] = 1
				}
			}
			shapes = append(shapes, s)
			data = append(data, fill(r, s))
		}
		m, err := NewMulti(shapes...)
		if err != nil {
			t.Fatal(err)
		}
		got := make([]float64, m.N)
		m.Rows(func(o, n int, offs, inner []int) {
			for j := 0; j < n; j++ {
				got[o+j] = data[0][offs[0]+j*inner[0]] + 10*data[1][offs[1]+j*inner[1]] + 100*data[2][offs[2]+j*inner[2]]
			}
		})
		// Reference: c = a + 10 b + 100 c by broadcasting each operand to
		// the output with the binary reference (x - (-k*y)).
		want := make([]float64, m.N)
		zero := make([]float64, operators.NumElements(m.Out))
		for k, w := range []float64{1, 10, 100} {
			scaled := make([]float64, len(data[k]))
			for i, v := range data[k] {
				scaled[i] = -w * v
			}
			part := reference(zero, m.Out, scaled, shapes[k], m.Out)
			for i := range want {
				want[i] += part[i]
			}
		}
		for i := range want {
			if got[i] != want[i] {
				t.Fatalf("%v: element %d is %v, want %v", shapes, i, got[i], want[i])
			}
		}
	}
}

func TestMultiSame(t *testing.T) {
	for _, c := range []struct {
		shapes [][]int
		same   bool
	}{
		{[][]int{{2, 3}, {2, 3}, {1, 2, 3}}, true},
		{[][]int{{2, 3}, {3}, {2, 3}}, false},
		{[][]int{{}, {}, {}}, true},
		{[][]int{{1}, {}, {1, 1}}, true},
		{[][]int{{}, {3}, {}}, false},
		{[][]int{{4}, {4}, {4}}, true},
	} {
		m, err := NewMulti(c.shapes...)
		if err != nil {
			t.Fatal(err)
		}
		if m.Same != c.same {
			t.Errorf("%v: Same = %v", c.shapes, m.Same)
		}
	}
}

// TestMultiManyOperands folds six operands (more than the fixed arrays
// hold) with Iter and checks against the binary reference.
func TestMultiManyOperands(t *testing.T) {
	r := rand.New(rand.NewSource(10))
	out := []int{3, 2, 4}
	var shapes [][]int
	var data [][]float64
	for k := 0; k < 6; k++ {
		s := append([]int(nil), out[k%3:]...)
		for i := range s {
			if r.Intn(2) == 0 {
				s[i] = 1
			}
		}
		shapes = append(shapes, s)
		data = append(data, fill(r, s))
	}
	m, err := NewMulti(shapes...)
	if err != nil {
		t.Fatal(err)
	}
	got := make([]float64, m.N)
	for it := m.Iter(); it.Next(); {
		for j := 0; j < m.Row(); j++ {
			for k := range shapes {
				got[it.Out()+j] += data[k][it.Off(k)+j*m.Inner(k)]
			}
		}
	}
	want := make([]float64, m.N)
	zero := make([]float64, m.N)
	for k := range shapes {
		neg := make([]float64, len(data[k]))
		for i, v := range data[k] {
			neg[i] = -v
		}
		part := reference(zero, m.Out, neg, shapes[k], m.Out)
		for i := range want {
			want[i] += part[i]
		}
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("element %d is %v, want %v", i, got[i], want[i])
		}
	}
}
