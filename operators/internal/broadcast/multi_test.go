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
		out := make([]int, rank)
		for i := range out {
			out[i] = 1 + r.Intn(4)
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
