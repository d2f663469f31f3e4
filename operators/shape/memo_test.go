package shape

import (
	"math/rand"
	"slices"
	"testing"
	"unsafe"

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

// TestSliceAgainstNaive checks random slices (negative and positive steps,
// out-of-range bounds, some axes omitted) of random shapes against a
// coordinate-by-coordinate reference. Contiguous selections come back as
// views of the input and the rest as copies; both must hold the same
// elements as the reference.
func TestSliceAgainstNaive(t *testing.T) {
	r := rand.New(rand.NewSource(11))
	op := build(t, "Slice", 13, 5, 1)
	views := 0
	for k := 0; k < 500; k++ {
		rank := 1 + r.Intn(4)
		shape := make([]int, rank)
		for i := range shape {
			shape[i] = 1 + r.Intn(5)
		}
		x := iota32(shape...)
		var starts, ends, axes, steps []int64
		for _, ax := range r.Perm(rank)[:1+r.Intn(rank)] {
			d := int64(shape[ax])
			st := r.Int63n(2*d+3) - d - 1
			en := r.Int63n(2*d+3) - d - 1
			step := int64(1)
			switch r.Intn(4) {
			case 0:
				step = -1 - r.Int63n(2)
			case 1:
				step = 2
			}
			starts, ends, axes, steps = append(starts, st), append(ends, en), append(axes, int64(ax)), append(steps, step)
		}
		// The reference: per dimension, the list of source indices.
		idx := make([][]int, rank)
		for i, d := range shape {
			for j := 0; j < d; j++ {
				idx[i] = append(idx[i], j)
			}
		}
		for a, ax := range axes {
			d := int64(shape[ax])
			st, en, step := starts[a], ends[a], steps[a]
			if st < 0 {
				st += d
			}
			if en < 0 {
				en += d
			}
			var sel []int
			if step > 0 {
				st, en = max(0, min(st, d)), max(0, min(en, d))
				for j := st; j < en; j += step {
					sel = append(sel, int(j))
				}
			} else {
				st, en = max(0, min(st, d-1)), max(-1, min(en, d-1))
				for j := st; j > en; j += step {
					sel = append(sel, int(j))
				}
			}
			idx[ax] = sel
		}
		want := []float32{}
		wshape := make([]int, rank)
		for i := range idx {
			wshape[i] = len(idx[i])
		}
		forEach(wshape, func(c []int) {
			src := make([]int, rank)
			for i := range c {
				src[i] = idx[i][c[i]]
			}
			want = append(want, float32(at(shape, src)))
		})
		y := run(t, op, 1, x, i64(starts...), i64(ends...), i64(axes...), i64(steps...))[0]
		if !slices.Equal(y.Shape, wshape) {
			t.Fatalf("%v starts %v ends %v axes %v steps %v: shape %v, want %v", shape, starts, ends, axes, steps, y.Shape, wshape)
		}
		if got := y.F32()[:y.Len()]; !slices.Equal(got, want) {
			t.Fatalf("%v starts %v ends %v axes %v steps %v: %v, want %v", shape, starts, ends, axes, steps, got, want)
		}
		if len(want) > 0 && overlapsRaw(x.Raw, y.Raw) {
			views++
		}
	}
	if views == 0 {
		t.Error("no contiguous slice came back as a view")
	}
}

// overlapsRaw reports whether b starts inside a's memory.
func overlapsRaw(a, b []byte) bool {
	if len(a) == 0 || len(b) == 0 {
		return false
	}
	lo := uintptr(unsafe.Pointer(&a[0]))
	p := uintptr(unsafe.Pointer(&b[0]))
	return p >= lo && p < lo+uintptr(len(a))
}
