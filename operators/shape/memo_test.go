package shape

import (
	"slices"
	"testing"

	"github.com/onnxrun/onnxrun/operators"
)

// TestSliceRemembersOnlyItsInputs runs one Slice op with changing starts,
// axes (present, absent, int32) and input shapes: each run must use its own
// inputs, never a plan remembered from an earlier run.
func TestSliceRemembersOnlyItsInputs(t *testing.T) {
	op := build(t, "Slice", 13, 5, 1)
	x := iota32(4, 6)
	i32 := func(v ...int32) *operators.Value {
		x, _ := operators.FromSlice(v, []int{len(v)})
		return x
	}
	cases := []struct {
		in    []*operators.Value
		shape []int
		first float32
	}{
		{[]*operators.Value{x, i64(1), i64(3), i64(0), nil}, []int{2, 6}, 6},
		{[]*operators.Value{x, i64(1), i64(3), i64(1), nil}, []int{4, 2}, 1},
		{[]*operators.Value{x, i64(1), i64(3), nil, nil}, []int{2, 6}, 6},
		{[]*operators.Value{x, i64(1), i64(3), i32(1), nil}, []int{4, 2}, 1},
		{[]*operators.Value{x, i64(1), i64(3), nil, nil}, []int{2, 6}, 6},
		{[]*operators.Value{x, i64(2), i64(3), nil, nil}, []int{1, 6}, 12},
		{[]*operators.Value{iota32(5, 2), i64(2), i64(3), nil, nil}, []int{1, 2}, 4},
		{[]*operators.Value{x, i64(0), i64(4), i64(0), i64(2)}, []int{2, 6}, 0},
		{[]*operators.Value{x, i64(1), i64(4), i64(0), i64(2)}, []int{2, 6}, 6},
	}
	for i, c := range cases {
		y := run(t, op, 1, c.in...)[0]
		if !slices.Equal(y.Shape, c.shape) || f32s(y)[0] != c.first {
			t.Errorf("case %d: shape %v first %v, want %v and %v", i, y.Shape, f32s(y)[0], c.shape, c.first)
		}
	}
}

// TestConcatRemembersOnlyItsShapes changes the input shapes between runs of
// one Concat op.
func TestConcatRemembersOnlyItsShapes(t *testing.T) {
	op := build(t, "Concat", 13, 2, 1, iattr("axis", 1))
	for _, c := range [][2][]int{{{2, 3}, {2, 4}}, {{2, 3}, {2, 1}}, {{3, 3}, {3, 1}}, {{2, 3}, {2, 4}}} {
		y := run(t, op, 1, iota32(c[0]...), iota32(c[1]...))[0]
		want := []int{c[0][0], c[0][1] + c[1][1]}
		if !slices.Equal(y.Shape, want) {
			t.Errorf("Concat of %v: shape %v, want %v", c, y.Shape, want)
		}
	}
}
