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

// refArg finds the index along axis by visiting coordinates directly.
func refArg(x []float64, shape []int, axis int, isMax, last bool) []float64 {
	var out []float64
	outer, inner := 1, 1
	for _, d := range shape[:axis] {
		outer *= d
	}
	for _, d := range shape[axis+1:] {
		inner *= d
	}
	for o := 0; o < outer; o++ {
		for j := 0; j < inner; j++ {
			bi := 0
			for k := 0; k < shape[axis]; k++ {
				v, b := x[(o*shape[axis]+k)*inner+j], x[(o*shape[axis]+bi)*inner+j]
				if (isMax && v > b) || (!isMax && v < b) || (last && v == b) {
					bi = k
				}
			}
			out = append(out, float64(bi))
		}
	}
	return out
}

func TestArg(t *testing.T) {
	seed := int64(21)
	t.Logf("seed %d", seed)
	r := rand.New(rand.NewSource(seed))
	for _, name := range []string{"ArgMax", "ArgMin"} {
		for it := 0; it < 30; it++ {
			rank := 1 + r.Intn(3)
			shape := make([]int, rank)
			for i := range shape {
				shape[i] = 1 + r.Intn(4)
			}
			x := make([]float64, operators.NumElements(shape))
			for i := range x {
				x[i] = float64(r.Intn(4)) // many ties
			}
			axis := r.Intn(rank)
			attrAxis := int64(axis)
			if it%2 == 1 {
				attrAxis -= int64(rank)
			}
			keep := int64(it % 3 % 2)
			last := int64(r.Intn(2))
			var oshape []int
			for i, d := range shape {
				if i != axis {
					oshape = append(oshape, d)
				} else if keep == 1 {
					oshape = append(oshape, 1)
				}
			}
			want := refArg(x, shape, axis, name == "ArgMax", last == 1)
			op := ot.MustBuild(t, name, 13, 1, ot.Int("axis", attrAxis), ot.Int("keepdims", keep), ot.Int("select_last_index", last))
			for _, dt := range []operators.DType{operators.Float32, operators.Float64, operators.Int32, operators.Int64, operators.Uint8, operators.Float16} {
				t.Run(fmt.Sprintf("%s/%v/%v_axis%d_keep%d_last%d", name, dt, shape, attrAxis, keep, last), func(t *testing.T) {
					y := ot.MustExec(t, op, ot.Val(dt, shape, x...))[0]
					if y.DType != operators.Int64 {
						t.Fatalf("type %v", y.DType)
					}
					ot.MustClose(t, y, oshape, want, 0, 0)
				})
			}
		}
	}
}

// TestArgNaN: a NaN wins ArgMax and ArgMin (the first, or the last with
// select_last_index), as numpy and ONNX Runtime pick it.
func TestArgNaN(t *testing.T) {
	nan := math.NaN()
	x := ot.Val(operators.Float32, []int{2, 4}, 1, nan, 2, nan, 5, 4, 3, 2)
	for _, c := range []struct {
		name string
		last int64
		want []float64
	}{
		{"ArgMax", 0, []float64{1, 0}}, {"ArgMax", 1, []float64{3, 0}},
		{"ArgMin", 0, []float64{1, 3}}, {"ArgMin", 1, []float64{3, 3}},
	} {
		op := ot.MustBuild(t, c.name, 13, 1, ot.Int("axis", 1), ot.Int("keepdims", 0), ot.Int("select_last_index", c.last))
		y := ot.MustExec(t, op, x)[0]
		if err := ot.Close(y, []int{2}, c.want, 0, 0); err != nil {
			t.Errorf("%s last=%d: %v", c.name, c.last, err)
		}
	}
}

func TestArgErrors(t *testing.T) {
	var ae *operators.AttributeError
	op := ot.MustBuild(t, "ArgMax", 13, 1, ot.Int("axis", 2))
	if _, err := ot.Exec(op, ot.Val(operators.Float32, []int{2, 2}, 1, 2, 3, 4)); !errors.As(err, &ae) || ae.Attr != "axis" {
		t.Errorf("axis 2 at rank 2: %v", err)
	}
	if _, err := ot.Build("ArgMax", 10, 1, ot.Int("axis", -1)); !errors.As(err, &ae) {
		t.Errorf("negative axis at opset 10: %v", err)
	}
	if _, err := ot.Build("ArgMin", 13, 1, ot.Int("select_last_index", 3)); !errors.As(err, &ae) {
		t.Errorf("select_last_index 3: %v", err)
	}
	op = ot.MustBuild(t, "ArgMin", 13, 1)
	if _, err := ot.Exec(op, ot.Val(operators.Float32, []int{0, 2})); !errors.Is(err, operators.ErrShape) {
		t.Errorf("empty axis: %v", err)
	}
	if _, err := ot.Exec(op, ot.Val(operators.Bool, []int{1}, 1)); !errors.Is(err, operators.ErrUnsupportedType) {
		t.Errorf("bool: %v", err)
	}
}
