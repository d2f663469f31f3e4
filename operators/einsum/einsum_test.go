package einsum

import (
	"errors"
	"fmt"
	"math/rand"
	"testing"

	"github.com/onnxrun/onnxrun/operators"
	ot "github.com/onnxrun/onnxrun/operators/internal/optest"
)

func seq(n int, f func(i int) float64) []float64 {
	x := make([]float64, n)
	for i := range x {
		x[i] = f(i)
	}
	return x
}

// matmul is the textbook triple loop, batched over b.
func matmul(a, b []float64, batch, m, k, n int, bBatched bool) []float64 {
	c := make([]float64, batch*m*n)
	for t := 0; t < batch; t++ {
		bo := 0
		if bBatched {
			bo = t * k * n
		}
		for i := 0; i < m; i++ {
			for j := 0; j < n; j++ {
				s := 0.0
				for p := 0; p < k; p++ {
					s += a[t*m*k+i*k+p] * b[bo+p*n+j]
				}
				c[t*m*n+i*n+j] = s
			}
		}
	}
	return c
}

func TestEinsum(t *testing.T) {
	r := rand.New(rand.NewSource(23))
	rnd := func(n int) []float64 { return seq(n, func(int) float64 { return float64(r.Intn(9) - 4) }) }
	a23, b34 := rnd(6), rnd(12)
	a44 := rnd(16)
	ab := rnd(2 * 3 * 4)
	bb := rnd(2 * 4 * 5)
	v3, w4 := rnd(3), rnd(4)
	c45 := rnd(20)

	trace := 0.0
	diag := make([]float64, 4)
	for i := 0; i < 4; i++ {
		trace += a44[i*5]
		diag[i] = a44[i*5]
	}
	transpose := make([]float64, 6)
	for i := 0; i < 2; i++ {
		for j := 0; j < 3; j++ {
			transpose[j*2+i] = a23[i*3+j]
		}
	}
	outer := make([]float64, 12)
	for i := 0; i < 3; i++ {
		for j := 0; j < 4; j++ {
			outer[i*4+j] = v3[i] * w4[j]
		}
	}
	rowSums := []float64{a23[0] + a23[1] + a23[2], a23[3] + a23[4] + a23[5]}
	dot := 0.0
	for i := 0; i < 4; i++ {
		dot += w4[i] * w4[i]
	}
	chain := matmul(matmul(a23, b34, 1, 2, 3, 4, false), c45, 1, 2, 4, 5, false)
	// "...ij,jk->...ik" with a [2,3,4] left operand and a shared [4,5] right one.
	bcast := matmul(ab, c45, 2, 3, 4, 5, false)

	cases := []struct {
		eq     string
		shapes [][]int
		data   [][]float64
		out    []int
		want   []float64
	}{
		{"ij,jk->ik", [][]int{{2, 3}, {3, 4}}, [][]float64{a23, b34}, []int{2, 4}, matmul(a23, b34, 1, 2, 3, 4, false)},
		{"ij,jk", [][]int{{2, 3}, {3, 4}}, [][]float64{a23, b34}, []int{2, 4}, matmul(a23, b34, 1, 2, 3, 4, false)},
		{"bij,bjk->bik", [][]int{{2, 3, 4}, {2, 4, 5}}, [][]float64{ab, bb}, []int{2, 3, 5}, matmul(ab, bb, 2, 3, 4, 5, true)},
		{"...ij,jk->...ik", [][]int{{2, 3, 4}, {4, 5}}, [][]float64{ab, c45}, []int{2, 3, 5}, bcast},
		{"ij->ji", [][]int{{2, 3}}, [][]float64{a23}, []int{3, 2}, transpose},
		{"ii", [][]int{{4, 4}}, [][]float64{a44}, []int{}, []float64{trace}},
		{"ii->i", [][]int{{4, 4}}, [][]float64{a44}, []int{4}, diag},
		{"i,j->ij", [][]int{{3}, {4}}, [][]float64{v3, w4}, []int{3, 4}, outer},
		{"ij->i", [][]int{{2, 3}}, [][]float64{a23}, []int{2}, rowSums},
		{"i,i", [][]int{{4}, {4}}, [][]float64{w4, w4}, []int{}, []float64{dot}},
		{"ij, jk ,kl->il", [][]int{{2, 3}, {3, 4}, {4, 5}}, [][]float64{a23, b34, c45}, []int{2, 5}, chain},
	}
	for _, c := range cases {
		op := ot.MustBuild(t, "Einsum", 12, len(c.shapes), ot.String("equation", c.eq))
		for _, dt := range []operators.DType{operators.Float32, operators.Float64, operators.Int64, operators.Int32} {
			t.Run(fmt.Sprintf("%s/%v", c.eq, dt), func(t *testing.T) {
				in := make([]*operators.Value, len(c.shapes))
				for i := range in {
					in[i] = ot.Val(dt, c.shapes[i], c.data[i]...)
				}
				y := ot.MustExec(t, op, in...)[0]
				ot.MustClose(t, y, c.out, c.want, 0, 0)
			})
		}
	}
}

func TestEinsumErrors(t *testing.T) {
	var ae *operators.AttributeError
	for _, eq := range []string{"", "ij,jk->iz", "i.j", "ij->ii", "i1"} {
		if _, err := ot.Build("Einsum", 12, 2, ot.String("equation", eq)); !errors.As(err, &ae) {
			t.Errorf("%q: %v", eq, err)
		}
	}
	op := ot.MustBuild(t, "Einsum", 12, 2, ot.String("equation", "ij,jk->ik"))
	if _, err := ot.Exec(op, ot.Val(operators.Float32, []int{2, 3}, 1, 2, 3, 4, 5, 6), ot.Val(operators.Float32, []int{2, 2}, 1, 2, 3, 4)); !errors.Is(err, operators.ErrShape) {
		t.Errorf("j of 3 and 2: %v", err)
	}
	if _, err := ot.Exec(op, ot.Val(operators.Float32, []int{6}, 1, 2, 3, 4, 5, 6), ot.Val(operators.Float32, []int{3, 1}, 1, 2, 3)); !errors.Is(err, operators.ErrShape) {
		t.Errorf("rank 1 for ij: %v", err)
	}
	if _, err := ot.Exec(op, ot.Val(operators.Float32, []int{1, 1}, 1), ot.Val(operators.Float64, []int{1, 1}, 1)); !errors.Is(err, operators.ErrInvalidModel) {
		t.Errorf("mixed types: %v", err)
	}
}
