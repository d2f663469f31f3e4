package shape

import (
	"errors"
	"fmt"
	"math/rand"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/onnxrun/onnxrun/operators"
)

func ints(name string, v ...int64) *operators.Attr {
	return &operators.Attr{Name: name, Type: operators.AttrInts, Ints: v}
}
func iattr(name string, v int64) *operators.Attr {
	return &operators.Attr{Name: name, Type: operators.AttrInt, I: v}
}

func mkNode(opType string, opset, nin, nout int, attrs ...*operators.Attr) *operators.Node {
	n := &operators.Node{Name: "n", OpType: opType, Opset: opset, Attrs: map[string]*operators.Attr{}}
	for i := 0; i < nin; i++ {
		n.Inputs = append(n.Inputs, fmt.Sprint("in", i))
	}
	for i := 0; i < nout; i++ {
		n.Outputs = append(n.Outputs, fmt.Sprint("out", i))
	}
	for _, a := range attrs {
		n.Attrs[a.Name] = a
	}
	return n
}

func build(t *testing.T, opType string, opset, nin, nout int, attrs ...*operators.Attr) operators.Op {
	t.Helper()
	op, err := buildErr(opType, opset, nin, nout, attrs...)
	if err != nil {
		t.Fatal(err)
	}
	return op
}

func buildErr(opType string, opset, nin, nout int, attrs ...*operators.Attr) (operators.Op, error) {
	reg, ok := operators.Lookup("", opType, opset)
	if !ok {
		return nil, fmt.Errorf("%s-%d not registered", opType, opset)
	}
	n := mkNode(opType, opset, nin, nout, attrs...)
	n.Since = reg.Since
	return reg.New(n)
}

// iota32 is a float32 tensor whose elements are their flat indices, so
// moved elements identify where they came from.
func iota32(shape ...int) *operators.Value {
	v, _ := operators.NewValue(operators.Float32, shape)
	for i := range v.F32() {
		v.F32()[i] = float32(i)
	}
	return v
}

func i64(v ...int64) *operators.Value {
	x, _ := operators.FromSlice(v, []int{len(v)})
	return x
}

// run runs op, checking that Infer (with every input known as a constant)
// agrees with Run's shapes.
func run(t *testing.T, op operators.Op, threads int, in ...*operators.Value) []*operators.Value {
	t.Helper()
	out, err := runErr(op, threads, in...)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func runErr(op operators.Op, threads int, in ...*operators.Value) ([]*operators.Value, error) {
	metas := make([]operators.Meta, len(in))
	for i, v := range in {
		if v != nil {
			metas[i] = v.Meta()
		}
	}
	inf, err := op.Infer(metas, in)
	if err != nil {
		return nil, fmt.Errorf("Infer: %w", err)
	}
	out := make([]*operators.Value, len(inf))
	if err := op.Run(&operators.RunContext{Threads: threads}, in, out); err != nil {
		return nil, err
	}
	for i := range out {
		if out[i] != nil && inf[i].HasShape && !slices.Equal(inf[i].Shape, out[i].Shape) {
			return nil, fmt.Errorf("output %d: Infer said %v, Run made %v", i, inf[i].Shape, out[i].Shape)
		}
	}
	return out, nil
}

func f32s(v *operators.Value) []float32 { return v.F32()[:v.Len()] }

// at returns the flat index of coordinates idx in shape.
func at(shape, idx []int) int {
	o := 0
	for i, d := range shape {
		o = o*d + idx[i]
	}
	return o
}

// forEach calls fn with every coordinate of shape in row-major order.
func forEach(shape []int, fn func(idx []int)) {
	n := operators.NumElements(shape)
	idx := make([]int, len(shape))
	for k := 0; k < n; k++ {
		rem := k
		for i := len(shape) - 1; i >= 0; i-- {
			idx[i] = rem % shape[i]
			rem /= shape[i]
		}
		fn(idx)
	}
}

func TestReshape(t *testing.T) {
	x := iota32(2, 3, 4)
	cases := []struct {
		opset     int
		shape     []int64
		allowZero bool
		want      []int
		bad       bool
	}{
		{13, []int64{4, 6}, false, []int{4, 6}, false},
		{13, []int64{0, -1}, false, []int{2, 12}, false},
		{13, []int64{-1}, false, []int{24}, false},
		{13, []int64{2, 0, 2, 2}, false, []int{2, 3, 2, 2}, false},
		{5, []int64{3, -1, 2}, false, []int{3, 4, 2}, false},
		{14, []int64{0, 24}, true, nil, true},
		{13, []int64{5, -1}, false, nil, true},
		{13, []int64{-1, -1}, false, nil, true},
		{13, []int64{7, 7}, false, nil, true},
		{13, []int64{0, 0, 0, 0}, false, nil, true},
	}
	for _, c := range cases {
		t.Run(fmt.Sprint(c.shape, c.allowZero), func(t *testing.T) {
			var attrs []*operators.Attr
			if c.allowZero {
				attrs = append(attrs, iattr("allowzero", 1))
			}
			op := build(t, "Reshape", c.opset, 2, 1, attrs...)
			out, err := runErr(op, 1, x, i64(c.shape...))
			if c.bad {
				if !errors.Is(err, operators.ErrShape) || !strings.Contains(err.Error(), "input 1 (shape)") {
					t.Fatalf("got %v, want a shape error naming input 1 (shape)", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(out[0].Shape, c.want) || !reflect.DeepEqual(f32s(out[0]), f32s(x)) {
				t.Fatalf("got %v %v", out[0].Shape, f32s(out[0]))
			}
		})
	}
	// allowzero keeps a real zero.
	op := build(t, "Reshape", 14, 2, 1, iattr("allowzero", 1))
	z := iota32(0, 3)
	out := run(t, op, 1, z, i64(3, 0))
	if !reflect.DeepEqual(out[0].Shape, []int{3, 0}) {
		t.Fatalf("allowzero: %v", out[0].Shape)
	}
	// Opset 1: the attribute form.
	op = build(t, "Reshape", 1, 1, 1, ints("shape", 6, 4))
	if out := run(t, op, 1, x); !reflect.DeepEqual(out[0].Shape, []int{6, 4}) {
		t.Fatalf("Reshape-1: %v", out[0].Shape)
	}
	// Infer with the shape input known but the batch unknown.
	op = build(t, "Reshape", 13, 2, 1)
	m, err := op.Infer([]operators.Meta{{DType: operators.Float32, Shape: []int{-1, 3, 4}, HasShape: true}, i64(0, -1).Meta()}, []*operators.Value{nil, i64(0, -1)})
	if err != nil || !reflect.DeepEqual(m[0].Shape, []int{-1, -1}) {
		t.Fatalf("Infer unknown batch: %v %v", m, err)
	}
	m, err = op.Infer([]operators.Meta{{DType: operators.Float32, Shape: []int{-1, 3, 4}, HasShape: true}, i64(0, 12).Meta()}, []*operators.Value{nil, i64(0, 12)})
	if err != nil || !reflect.DeepEqual(m[0].Shape, []int{-1, 12}) {
		t.Fatalf("Infer unknown batch: %v %v", m, err)
	}
}

func TestFlatten(t *testing.T) {
	x := iota32(2, 3, 4, 5)
	for _, c := range []struct {
		opset int
		axis  int64
		want  []int
	}{
		{13, 0, []int{1, 120}}, {13, 1, []int{2, 60}}, {9, 2, []int{6, 20}}, {13, 4, []int{120, 1}},
		{11, -1, []int{24, 5}}, {11, -4, []int{1, 120}},
	} {
		op := build(t, "Flatten", c.opset, 1, 1, iattr("axis", c.axis))
		out := run(t, op, 1, x)
		if !reflect.DeepEqual(out[0].Shape, c.want) || !reflect.DeepEqual(f32s(out[0]), f32s(x)) {
			t.Errorf("axis %d: %v", c.axis, out[0].Shape)
		}
	}
	var ae *operators.AttributeError
	if op, err := buildErr("Flatten", 9, 1, 1, iattr("axis", -1)); err != nil {
		t.Errorf("negative axis at opset 9 (accepted like ONNX Runtime): %v", err)
	} else if out := run(t, op, 1, x); !reflect.DeepEqual(out[0].Shape, []int{24, 5}) {
		t.Errorf("Flatten-9 axis -1: %v", out[0].Shape)
	}
	op := build(t, "Flatten", 13, 1, 1, iattr("axis", 5))
	if _, err := runErr(op, 1, x); !errors.As(err, &ae) || ae.Attr != "axis" {
		t.Errorf("axis 5 of rank 4: %v", err)
	}
}

func TestSqueezeUnsqueeze(t *testing.T) {
	x := iota32(1, 3, 1, 2)
	for _, c := range []struct {
		opset int
		axes  []int64 // nil: none
		want  []int
	}{
		{11, nil, []int{3, 2}}, {11, []int64{0}, []int{3, 1, 2}}, {11, []int64{-2, 0}, []int{3, 2}},
		{13, nil, []int{3, 2}}, {13, []int64{2}, []int{1, 3, 2}}, {1, []int64{0, 2}, []int{3, 2}},
	} {
		var op operators.Op
		in := []*operators.Value{x}
		if c.opset >= 13 {
			nin := 1
			if c.axes != nil {
				nin = 2
				in = append(in, i64(c.axes...))
			}
			op = build(t, "Squeeze", c.opset, nin, 1)
		} else if c.axes != nil {
			op = build(t, "Squeeze", c.opset, 1, 1, ints("axes", c.axes...))
		} else {
			op = build(t, "Squeeze", c.opset, 1, 1)
		}
		out := run(t, op, 1, in...)
		if !reflect.DeepEqual(out[0].Shape, c.want) {
			t.Errorf("Squeeze-%d %v: %v, want %v", c.opset, c.axes, out[0].Shape, c.want)
		}
	}
	op := build(t, "Squeeze", 13, 2, 1)
	if _, err := runErr(op, 1, x, i64(1)); !errors.Is(err, operators.ErrShape) {
		t.Errorf("squeezing a 3: %v", err)
	}
	y := iota32(3, 4)
	for _, c := range []struct {
		opset int
		axes  []int64
		want  []int
	}{
		{13, []int64{0}, []int{1, 3, 4}}, {13, []int64{-1}, []int{3, 4, 1}}, {13, []int64{0, 3}, []int{1, 3, 4, 1}},
		{11, []int64{1, -1}, []int{3, 1, 4, 1}}, {1, []int64{2, 0}, []int{1, 3, 1, 4}},
	} {
		var op operators.Op
		in := []*operators.Value{y}
		if c.opset >= 13 {
			op = build(t, "Unsqueeze", c.opset, 2, 1)
			in = append(in, i64(c.axes...))
		} else {
			op = build(t, "Unsqueeze", c.opset, 1, 1, ints("axes", c.axes...))
		}
		out := run(t, op, 1, in...)
		if !reflect.DeepEqual(out[0].Shape, c.want) {
			t.Errorf("Unsqueeze-%d %v: %v, want %v", c.opset, c.axes, out[0].Shape, c.want)
		}
	}
	var ae *operators.AttributeError
	op = build(t, "Unsqueeze", 13, 2, 1)
	if _, err := runErr(op, 1, y, i64(0, 0)); !errors.As(err, &ae) {
		t.Errorf("duplicate axes: %v", err)
	}
	if _, err := runErr(op, 1, y, i64(3)); !errors.As(err, &ae) {
		t.Errorf("axis out of range: %v", err)
	}
	if _, err := buildErr("Unsqueeze", 11, 1, 1); !errors.As(err, &ae) || ae.Attr != "axes" {
		t.Errorf("Unsqueeze-11 without axes: %v", err)
	}
}

func TestTranspose(t *testing.T) {
	cases := []struct {
		shape []int
		perm  []int64
	}{
		{[]int{3, 4}, nil},
		{[]int{2, 3, 4, 5}, []int64{0, 2, 3, 1}},
		{[]int{2, 3, 4, 5}, []int64{0, 3, 1, 2}},
		{[]int{2, 3, 4, 5}, []int64{1, 0, 2, 3}},
		{[]int{2, 3, 4, 5}, []int64{3, 2, 1, 0}},
		{[]int{2, 1, 4, 5}, []int64{0, 2, 1, 3}},
		{[]int{3, 1, 2, 4, 5}, []int64{4, 0, 3, 1, 2}},
		{[]int{37, 70}, []int64{1, 0}},
		{[]int{2, 40, 33}, []int64{0, 2, 1}},
		{[]int{7}, []int64{0}},
		{[]int{}, nil},
	}
	for _, c := range cases {
		t.Run(fmt.Sprint(c.shape, c.perm), func(t *testing.T) {
			var attrs []*operators.Attr
			perm := make([]int, len(c.shape))
			if c.perm != nil {
				attrs = append(attrs, ints("perm", c.perm...))
				for i, p := range c.perm {
					perm[i] = int(p)
				}
			} else {
				for i := range perm {
					perm[i] = len(perm) - 1 - i
				}
			}
			op := build(t, "Transpose", 13, 1, 1, attrs...)
			x := iota32(c.shape...)
			wshape := make([]int, len(perm))
			for i, p := range perm {
				wshape[i] = c.shape[p]
			}
			for _, th := range []int{1, 2} {
				out := run(t, op, th, x)
				if !slices.Equal(out[0].Shape, wshape) {
					t.Fatalf("shape %v, want %v", out[0].Shape, wshape)
				}
				got := f32s(out[0])
				src := make([]int, len(perm))
				forEach(wshape, func(idx []int) {
					for i, p := range perm {
						src[p] = idx[i]
					}
					if g, w := got[at(wshape, idx)], float32(at(c.shape, src)); g != w {
						t.Fatalf("y%v = %g, want %g", idx, g, w)
					}
				})
			}
		})
	}
	// Other element sizes and strings.
	op := build(t, "Transpose", 13, 1, 1)
	s := &operators.Value{DType: operators.String, Shape: []int{2, 3}, Strs: []string{"a", "b", "c", "d", "e", "f"}}
	if out := run(t, op, 1, s); !reflect.DeepEqual(out[0].Strs, []string{"a", "d", "b", "e", "c", "f"}) {
		t.Errorf("string transpose: %v", out[0].Strs)
	}
	iv, _ := operators.FromSlice([]int64{1, 2, 3, 4, 5, 6}, []int{3, 2})
	if out := run(t, op, 1, iv); !reflect.DeepEqual(out[0].I64(), []int64{1, 3, 5, 2, 4, 6}) {
		t.Errorf("int64 transpose: %v", out[0].I64())
	}
	bv, _ := operators.FromSlice([]uint8{1, 2, 3, 4, 5, 6}, []int{3, 2})
	if out := run(t, op, 1, bv); !reflect.DeepEqual(out[0].U8(), []uint8{1, 3, 5, 2, 4, 6}) {
		t.Errorf("uint8 transpose: %v", out[0].U8())
	}
	var ae *operators.AttributeError
	if _, err := buildErr("Transpose", 13, 1, 1, ints("perm", 0, 0)); !errors.As(err, &ae) || ae.Attr != "perm" {
		t.Errorf("bad perm: %v", err)
	}
	op = build(t, "Transpose", 13, 1, 1, ints("perm", 1, 0))
	if _, err := runErr(op, 1, iota32(2, 3, 4)); !errors.As(err, &ae) || ae.Attr != "perm" {
		t.Errorf("perm rank mismatch: %v", err)
	}
}

func TestConcatSplit(t *testing.T) {
	a, b := iota32(2, 3, 4), iota32(2, 5, 4)
	for i := range b.F32() {
		b.F32()[i] += 1000
	}
	for _, axis := range []int64{1, -2} {
		op := build(t, "Concat", 13, 2, 1, iattr("axis", axis))
		out := run(t, op, 1, a, b)
		if !reflect.DeepEqual(out[0].Shape, []int{2, 8, 4}) {
			t.Fatalf("shape %v", out[0].Shape)
		}
		got := f32s(out[0])
		forEach([]int{2, 8, 4}, func(idx []int) {
			var w float32
			if idx[1] < 3 {
				w = float32(at([]int{2, 3, 4}, idx))
			} else {
				w = 1000 + float32(at([]int{2, 5, 4}, []int{idx[0], idx[1] - 3, idx[2]}))
			}
			if g := got[at([]int{2, 8, 4}, idx)]; g != w {
				t.Fatalf("y%v = %g, want %g", idx, g, w)
			}
		})
		// Split it back.
		sp := build(t, "Split", 13, 2, 2, iattr("axis", axis))
		parts := run(t, sp, 1, out[0], i64(3, 5))
		if !reflect.DeepEqual(f32s(parts[0]), f32s(a)) || !reflect.DeepEqual(f32s(parts[1]), f32s(b)) {
			t.Fatalf("Split did not undo Concat")
		}
	}
	// Concat of an empty input along the axis.
	op := build(t, "Concat", 13, 2, 1, iattr("axis", 0))
	if out := run(t, op, 1, iota32(0, 4), iota32(2, 4)); !reflect.DeepEqual(out[0].Shape, []int{2, 4}) {
		t.Fatalf("empty concat: %v", out[0].Shape)
	}
	if _, err := runErr(op, 1, iota32(2, 4), iota32(2, 5)); !errors.Is(err, operators.ErrShape) || !strings.Contains(err.Error(), "input 1") {
		t.Errorf("mismatch: %v", err)
	}
	var ae *operators.AttributeError
	if _, err := buildErr("Concat", 13, 2, 1); !errors.As(err, &ae) || ae.Attr != "axis" {
		t.Errorf("missing axis: %v", err)
	}
	op = build(t, "Concat", 13, 2, 1, iattr("axis", 2))
	if _, err := runErr(op, 1, iota32(2, 4), iota32(2, 4)); !errors.As(err, &ae) || ae.Attr != "axis" {
		t.Errorf("axis out of range: %v", err)
	}
	// Split forms: attribute (opset 11), equal parts, num_outputs with a
	// smaller last part (opset 18).
	x := iota32(7, 2)
	sp := build(t, "Split", 11, 1, 2, ints("split", 3, 4))
	parts := run(t, sp, 1, x)
	if !reflect.DeepEqual(parts[0].Shape, []int{3, 2}) || !reflect.DeepEqual(parts[1].Shape, []int{4, 2}) || parts[1].F32()[0] != 6 {
		t.Fatalf("Split-11 attr: %v %v", parts[0].Shape, parts[1].Shape)
	}
	sp = build(t, "Split", 18, 1, 3, iattr("num_outputs", 3))
	parts = run(t, sp, 1, x)
	if !reflect.DeepEqual([][]int{parts[0].Shape, parts[1].Shape, parts[2].Shape}, [][]int{{3, 2}, {3, 2}, {1, 2}}) {
		t.Fatalf("Split-18 num_outputs: %v %v %v", parts[0].Shape, parts[1].Shape, parts[2].Shape)
	}
	sp = build(t, "Split", 13, 1, 2, iattr("axis", -1))
	parts = run(t, sp, 1, x)
	if !reflect.DeepEqual(parts[0].Shape, []int{7, 1}) || parts[1].F32()[1] != 3 {
		t.Fatalf("Split-13 equal: %v %v", parts[0].Shape, f32s(parts[1]))
	}
	sp = build(t, "Split", 13, 2, 2)
	if _, err := runErr(sp, 1, x, i64(3, 3)); !errors.Is(err, operators.ErrShape) || !strings.Contains(err.Error(), "input 1 (split)") {
		t.Errorf("bad split sum: %v", err)
	}
}

func TestShapeOp(t *testing.T) {
	x := iota32(2, 3, 4, 5)
	for _, c := range []struct {
		opset      int
		start, end *int64
		want       []int64
	}{
		{13, nil, nil, []int64{2, 3, 4, 5}},
		{15, p(1), nil, []int64{3, 4, 5}},
		{15, p(-3), p(-1), []int64{3, 4}},
		{15, p(-10), p(10), []int64{2, 3, 4, 5}},
		{15, p(3), p(1), []int64{}},
	} {
		var attrs []*operators.Attr
		if c.start != nil {
			attrs = append(attrs, iattr("start", *c.start))
		}
		if c.end != nil {
			attrs = append(attrs, iattr("end", *c.end))
		}
		op := build(t, "Shape", c.opset, 1, 1, attrs...)
		out := run(t, op, 1, x)
		if got := out[0].I64()[:out[0].Len()]; !reflect.DeepEqual(got, c.want) || out[0].DType != operators.Int64 {
			t.Errorf("start %v end %v: %v, want %v", c.start, c.end, got, c.want)
		}
	}
}

func p(v int64) *int64 { return &v }

func TestGather(t *testing.T) {
	x := iota32(3, 4, 5)
	for _, c := range []struct {
		axis int64
		idx  []int64
		ish  []int
	}{
		{0, []int64{2, 0}, []int{2}},
		{1, []int64{-1, 0, 3, 1}, []int{2, 2}},
		{-1, []int64{4}, []int{}},
		{2, []int64{0, -5, 2}, []int{3}},
	} {
		op := build(t, "Gather", 13, 2, 1, iattr("axis", c.axis))
		iv, _ := operators.FromSlice(c.idx, c.ish)
		out := run(t, op, 1, x, iv)
		ax := int(c.axis)
		if ax < 0 {
			ax += 3
		}
		wshape := append(append(append([]int{}, x.Shape[:ax]...), c.ish...), x.Shape[ax+1:]...)
		if !reflect.DeepEqual(out[0].Shape, wshape) {
			t.Fatalf("shape %v, want %v", out[0].Shape, wshape)
		}
		got := f32s(out[0])
		forEach(wshape, func(idx []int) {
			ii := at(c.ish, idx[ax:ax+len(c.ish)])
			k := int(c.idx[ii])
			if k < 0 {
				k += x.Shape[ax]
			}
			src := append(append(append([]int{}, idx[:ax]...), k), idx[ax+len(c.ish):]...)
			if g, w := got[at(wshape, idx)], float32(at(x.Shape, src)); g != w {
				t.Fatalf("axis %d y%v = %g, want %g", c.axis, idx, g, w)
			}
		})
	}
	// int32 indices.
	op := build(t, "Gather", 13, 2, 1)
	i32, _ := operators.FromSlice([]int32{1}, []int{1})
	if out := run(t, op, 1, x, i32); out[0].F32()[0] != 20 {
		t.Errorf("int32 indices: %v", out[0].F32()[0])
	}
	if _, err := runErr(op, 1, x, i64(3)); !errors.Is(err, operators.ErrShape) || !strings.Contains(err.Error(), "input 1 (indices)") {
		t.Errorf("out of range: %v", err)
	}
	if _, err := runErr(op, 1, x, i64(-4)); !errors.Is(err, operators.ErrShape) {
		t.Errorf("out of range negative: %v", err)
	}
}

func TestSlice(t *testing.T) {
	x := iota32(4, 5, 6)
	const big = int64(1) << 62
	for _, c := range []struct {
		starts, ends, axes, steps []int64
	}{
		{[]int64{1}, []int64{3}, []int64{0}, nil},
		{[]int64{0, 1}, []int64{-1, 1000}, nil, nil},
		{[]int64{-1}, []int64{-big}, []int64{2}, []int64{-1}},
		{[]int64{4, 1}, []int64{0, 6}, []int64{-2, 2}, []int64{-2, 2}},
		{[]int64{10}, []int64{-10}, []int64{1}, []int64{-3}},
		{[]int64{2}, []int64{2}, []int64{1}, nil},
		{[]int64{-100, 0, 5}, []int64{100, 5, 0}, []int64{0, 1, 2}, []int64{3, 2, -2}},
	} {
		t.Run(fmt.Sprint(c.starts, c.ends, c.axes, c.steps), func(t *testing.T) {
			in := []*operators.Value{x, i64(c.starts...), i64(c.ends...)}
			if c.axes != nil || c.steps != nil {
				axes := c.axes
				if axes == nil {
					for i := range c.starts {
						axes = append(axes, int64(i))
					}
				}
				in = append(in, i64(axes...))
			}
			if c.steps != nil {
				in = append(in, i64(c.steps...))
			}
			op := build(t, "Slice", 13, len(in), 1)
			out := run(t, op, 1, in...)
			// numpy-style reference built per axis as explicit index lists.
			sel := make([][]int, 3)
			for d := range sel {
				for i := 0; i < x.Shape[d]; i++ {
					sel[d] = append(sel[d], i)
				}
			}
			for i := range c.starts {
				ax := i
				if c.axes != nil {
					ax = int(c.axes[i])
					if ax < 0 {
						ax += 3
					}
				}
				step := int64(1)
				if c.steps != nil {
					step = c.steps[i]
				}
				dim := int64(x.Shape[ax])
				st, en := c.starts[i], c.ends[i]
				if st < 0 {
					st += dim
				}
				if en < 0 {
					en += dim
				}
				sel[ax] = nil
				if step > 0 {
					st, en = max(0, min(st, dim)), max(0, min(en, dim))
					for k := st; k < en; k += step {
						sel[ax] = append(sel[ax], int(k))
					}
				} else {
					st, en = max(0, min(st, dim-1)), max(-1, min(en, dim-1))
					for k := st; k > en; k += step {
						sel[ax] = append(sel[ax], int(k))
					}
				}
			}
			wshape := []int{len(sel[0]), len(sel[1]), len(sel[2])}
			if !reflect.DeepEqual(out[0].Shape, wshape) {
				t.Fatalf("shape %v, want %v", out[0].Shape, wshape)
			}
			got := f32s(out[0])
			forEach(wshape, func(idx []int) {
				w := float32(at(x.Shape, []int{sel[0][idx[0]], sel[1][idx[1]], sel[2][idx[2]]}))
				if g := got[at(wshape, idx)]; g != w {
					t.Fatalf("y%v = %g, want %g", idx, g, w)
				}
			})
		})
	}
	// Opset 1: attribute form.
	op := build(t, "Slice", 1, 1, 1, ints("starts", 1, 0), ints("ends", 3, -1), ints("axes", 0, 2))
	if out := run(t, op, 1, x); !reflect.DeepEqual(out[0].Shape, []int{2, 5, 5}) || out[0].F32()[0] != 30 {
		t.Errorf("Slice-1: %v", out[0].Shape)
	}
	op = build(t, "Slice", 13, 5, 1)
	if _, err := runErr(op, 1, x, i64(0), i64(1), i64(0), i64(0)); !errors.Is(err, operators.ErrShape) || !strings.Contains(err.Error(), "input 4 (steps)") {
		t.Errorf("zero step: %v", err)
	}
	if _, err := runErr(op, 1, x, i64(0), i64(1, 2), i64(0), i64(1)); !errors.Is(err, operators.ErrShape) || !strings.Contains(err.Error(), "input 2 (ends)") {
		t.Errorf("length mismatch: %v", err)
	}
	// Infer without constant starts still gives the rank.
	m, err := op.Infer([]operators.Meta{x.Meta(), i64(0).Meta(), i64(0).Meta(), i64(0).Meta(), i64(0).Meta()}, make([]*operators.Value, 5))
	if err != nil || len(m[0].Shape) != 3 || m[0].Shape[0] != -1 {
		t.Errorf("Infer without constants: %v %v", m, err)
	}
}

func TestDropout(t *testing.T) {
	x := iota32(2, 3)
	op := build(t, "Dropout", 13, 1, 2)
	out := run(t, op, 1, x)
	if !reflect.DeepEqual(f32s(out[0]), f32s(x)) || out[1].DType != operators.Bool || !out[1].Bools()[5] {
		t.Errorf("Dropout-13: %v %v", out[0], out[1])
	}
	op = build(t, "Dropout", 7, 1, 2)
	out = run(t, op, 1, x)
	if out[1].DType != operators.Float32 || out[1].F32()[3] != 1 {
		t.Errorf("Dropout-7 mask: %v", out[1])
	}
	op = build(t, "Dropout", 13, 3, 1)
	ratio, _ := operators.FromSlice([]float32{0.5}, []int{})
	on, _ := operators.FromSlice([]bool{true}, []int{})
	if _, err := runErr(op, 1, x, ratio, on); !errors.Is(err, operators.ErrUnsupportedOp) {
		t.Errorf("training_mode: %v", err)
	}
	zero, _ := operators.FromSlice([]float32{0}, []int{})
	if out := run(t, build(t, "Dropout", 13, 3, 2), 1, x, zero, on); !reflect.DeepEqual(f32s(out[0]), f32s(x)) || !out[1].Bools()[0] {
		t.Errorf("training with ratio 0 must be the identity")
	}
	if _, err := runErr(build(t, "Dropout", 13, 3, 1), 1, x, nil, on); !errors.Is(err, operators.ErrUnsupportedOp) {
		t.Errorf("training with the default ratio 0.5: %v", err)
	}
	off, _ := operators.FromSlice([]bool{false}, []int{})
	if out := run(t, op, 1, x, ratio, off); !reflect.DeepEqual(f32s(out[0]), f32s(x)) {
		t.Errorf("training_mode false changed data")
	}
}

func TestConstantOfShapeExpandTile(t *testing.T) {
	op := build(t, "ConstantOfShape", 9, 1, 1)
	out := run(t, op, 1, i64(2, 3))
	if !reflect.DeepEqual(out[0].Shape, []int{2, 3}) || out[0].DType != operators.Float32 || out[0].F32()[5] != 0 {
		t.Errorf("default: %v", out[0])
	}
	val, _ := operators.FromSlice([]int64{7}, []int{1})
	op = build(t, "ConstantOfShape", 9, 1, 1, &operators.Attr{Name: "value", Type: operators.AttrTensor, T: val})
	out = run(t, op, 1, i64(3, 1, 2))
	if out[0].DType != operators.Int64 || !reflect.DeepEqual(out[0].I64(), []int64{7, 7, 7, 7, 7, 7}) {
		t.Errorf("int64 7: %v", out[0].I64())
	}
	if out := run(t, op, 1, i64()); len(out[0].Shape) != 0 || out[0].I64()[0] != 7 {
		t.Errorf("scalar: %v", out[0])
	}
	if _, err := runErr(op, 1, i64(2, -1)); !errors.Is(err, operators.ErrShape) {
		t.Errorf("negative dim: %v", err)
	}

	x := iota32(3, 1)
	ex := build(t, "Expand", 13, 2, 1)
	for _, c := range []struct {
		shape []int64
		want  []int
	}{
		{[]int64{2, 3, 4}, []int{2, 3, 4}}, {[]int64{1}, []int{3, 1}}, {[]int64{3, 1}, []int{3, 1}}, {[]int64{1, 5}, []int{3, 5}},
	} {
		out := run(t, ex, 1, x, i64(c.shape...))
		if !reflect.DeepEqual(out[0].Shape, c.want) {
			t.Fatalf("Expand %v: %v", c.shape, out[0].Shape)
		}
		got := f32s(out[0])
		forEach(c.want, func(idx []int) {
			w := float32(idx[len(idx)-2]) // x[i, 0] = i
			if g := got[at(c.want, idx)]; g != w {
				t.Fatalf("Expand %v y%v = %g, want %g", c.shape, idx, g, w)
			}
		})
	}
	y := iota32(2, 1, 3)
	out = run(t, ex, 1, y, i64(4, 2, 5, 3))
	got := f32s(out[0])
	forEach([]int{4, 2, 5, 3}, func(idx []int) {
		if g, w := got[at([]int{4, 2, 5, 3}, idx)], float32(idx[1]*3+idx[3]); g != w {
			t.Fatalf("Expand y%v = %g, want %g", idx, g, w)
		}
	})
	if _, err := runErr(ex, 1, x, i64(4, 2)); !errors.Is(err, operators.ErrShape) || !strings.Contains(err.Error(), "input 1 (shape)") {
		t.Errorf("bad expand: %v", err)
	}

	tl := build(t, "Tile", 13, 2, 1)
	z := iota32(2, 3)
	out = run(t, tl, 1, z, i64(3, 2))
	if !reflect.DeepEqual(out[0].Shape, []int{6, 6}) {
		t.Fatalf("Tile shape %v", out[0].Shape)
	}
	got = f32s(out[0])
	forEach([]int{6, 6}, func(idx []int) {
		if g, w := got[idx[0]*6+idx[1]], float32((idx[0]%2)*3+idx[1]%3); g != w {
			t.Fatalf("Tile y%v = %g, want %g", idx, g, w)
		}
	})
	if out := run(t, tl, 1, z, i64(0, 2)); !reflect.DeepEqual(out[0].Shape, []int{0, 6}) {
		t.Errorf("Tile by 0: %v", out[0].Shape)
	}
	if _, err := runErr(tl, 1, z, i64(2)); !errors.Is(err, operators.ErrShape) || !strings.Contains(err.Error(), "input 1 (repeats)") {
		t.Errorf("bad repeats: %v", err)
	}
}

func TestPad(t *testing.T) {
	x := iota32(3, 4)
	for i := range x.F32() {
		x.F32()[i]++ // 1..12 so 0 marks padding
	}
	ref := func(mode string, pb, pe []int, cv float32) ([]float32, []int) {
		shape := []int{3 + pb[0] + pe[0], 4 + pb[1] + pe[1]}
		var out []float32
		forEach(shape, func(idx []int) {
			src := make([]int, 2)
			pad := false
			for d := 0; d < 2; d++ {
				n := x.Shape[d]
				j := idx[d] - pb[d]
				if j < 0 || j >= n {
					switch mode {
					case "constant":
						pad = true
					case "edge":
						j = max(0, min(j, n-1))
					case "wrap":
						j = ((j % n) + n) % n
					case "reflect":
						for j < 0 || j >= n {
							if j < 0 {
								j = -j
							}
							if j >= n {
								j = 2*(n-1) - j
							}
						}
					}
				}
				src[d] = j
			}
			if pad {
				out = append(out, cv)
			} else {
				out = append(out, x.F32()[src[0]*4+src[1]])
			}
		})
		return out, shape
	}
	for _, c := range []struct {
		mode   string
		pb, pe []int
	}{
		{"constant", []int{1, 2}, []int{0, 1}},
		{"constant", []int{0, -1}, []int{-1, 2}},
		{"reflect", []int{2, 3}, []int{1, 2}},
		{"edge", []int{2, 1}, []int{3, 2}},
		{"wrap", []int{1, 5}, []int{2, 3}},
	} {
		t.Run(fmt.Sprint(c.mode, c.pb, c.pe), func(t *testing.T) {
			op := build(t, "Pad", 19, 3, 1, &operators.Attr{Name: "mode", Type: operators.AttrString, S: []byte(c.mode)})
			cv, _ := operators.FromSlice([]float32{-7}, []int{})
			pads := i64(int64(c.pb[0]), int64(c.pb[1]), int64(c.pe[0]), int64(c.pe[1]))
			out := run(t, op, 1, x, pads, cv)
			want, shape := ref(c.mode, c.pb, c.pe, -7)
			if !reflect.DeepEqual(out[0].Shape, shape) || !reflect.DeepEqual(f32s(out[0]), want) {
				t.Fatalf("got %v %v\nwant %v %v", out[0].Shape, f32s(out[0]), shape, want)
			}
		})
	}
	// Opset 2 attribute form with value; opset 18 axes input.
	op := build(t, "Pad", 2, 1, 1, ints("pads", 0, 1, 0, 0), &operators.Attr{Name: "value", Type: operators.AttrFloat, F: 9})
	out := run(t, op, 1, x)
	if !reflect.DeepEqual(out[0].Shape, []int{3, 5}) || out[0].F32()[0] != 9 || out[0].F32()[1] != 1 {
		t.Errorf("Pad-2: %v %v", out[0].Shape, f32s(out[0]))
	}
	op = build(t, "Pad", 18, 4, 1)
	out = run(t, op, 1, x, i64(1, 1), nil, i64(-1))
	want, _ := ref("constant", []int{0, 1}, []int{0, 1}, 0)
	if !reflect.DeepEqual(f32s(out[0]), want) {
		t.Errorf("Pad-18 axes: %v", f32s(out[0]))
	}
	var ae *operators.AttributeError
	if _, err := buildErr("Pad", 13, 2, 1, &operators.Attr{Name: "mode", Type: operators.AttrString, S: []byte("wrap")}); !errors.As(err, &ae) || ae.Attr != "mode" {
		t.Errorf("wrap at 13: %v", err)
	}
	op = build(t, "Pad", 13, 2, 1)
	if _, err := runErr(op, 1, x, i64(1, 1)); !errors.Is(err, operators.ErrShape) || !strings.Contains(err.Error(), "input 1 (pads)") {
		t.Errorf("short pads: %v", err)
	}
	if _, err := runErr(op, 1, x, i64(-2, 0, -2, 0)); !errors.Is(err, operators.ErrShape) {
		t.Errorf("over-cropping: %v", err)
	}
}

func TestTransposeRandom(t *testing.T) {
	// Random ranks and permutations against the coordinate reference.
	r := rand.New(rand.NewSource(50))
	for k := 0; k < 40; k++ {
		rank := 1 + r.Intn(5)
		shape := make([]int, rank)
		for i := range shape {
			shape[i] = 1 + r.Intn(4)
		}
		perm := r.Perm(rank)
		p64 := make([]int64, rank)
		for i, v := range perm {
			p64[i] = int64(v)
		}
		op := build(t, "Transpose", 13, 1, 1, ints("perm", p64...))
		x := iota32(shape...)
		out := run(t, op, 2, x)
		got := f32s(out[0])
		src := make([]int, rank)
		forEach(out[0].Shape, func(idx []int) {
			for i, p := range perm {
				src[p] = idx[i]
			}
			if g, w := got[at(out[0].Shape, idx)], float32(at(shape, src)); g != w {
				t.Fatalf("shape %v perm %v: y%v = %g, want %g", shape, perm, idx, g, w)
			}
		})
	}
}

func TestSpaceDepth(t *testing.T) {
	x := iota32(2, 3, 4, 6)
	s2d := build(t, "SpaceToDepth", 13, 1, 1, iattr("blocksize", 2))
	y := run(t, s2d, 2, x)[0]
	if !reflect.DeepEqual(y.Shape, []int{2, 12, 2, 3}) {
		t.Fatalf("SpaceToDepth shape %v", y.Shape)
	}
	// y[b, (i*bs+j)*C + c, h, w] = x[b, c, h*bs+i, w*bs+j]
	got := f32s(y)
	forEach(y.Shape, func(idx []int) {
		b, ch, h, w := idx[0], idx[1], idx[2], idx[3]
		c, ij := ch%3, ch/3
		i, j := ij/2, ij%2
		if g, want := got[at(y.Shape, idx)], float32(at(x.Shape, []int{b, c, h*2 + i, w*2 + j})); g != want {
			t.Fatalf("SpaceToDepth y%v = %g, want %g", idx, g, want)
		}
	})
	// DCR inverts SpaceToDepth.
	d2s := build(t, "DepthToSpace", 13, 1, 1, iattr("blocksize", 2))
	back := run(t, d2s, 1, y)[0]
	if !reflect.DeepEqual(back.Shape, x.Shape) || !reflect.DeepEqual(f32s(back), f32s(x)) {
		t.Fatalf("DepthToSpace(SpaceToDepth(x)) != x")
	}
	// CRD: y[b, c, h*bs+i, w*bs+j] = x[b, c*bs*bs + i*bs + j, h, w].
	crd := build(t, "DepthToSpace", 13, 1, 1, iattr("blocksize", 2), &operators.Attr{Name: "mode", Type: operators.AttrString, S: []byte("CRD")})
	z := iota32(1, 8, 2, 3)
	out := run(t, crd, 1, z)[0]
	got = f32s(out)
	forEach(out.Shape, func(idx []int) {
		b, c, hh, ww := idx[0], idx[1], idx[2], idx[3]
		i, j := hh%2, ww%2
		if g, want := got[at(out.Shape, idx)], float32(at(z.Shape, []int{b, c*4 + i*2 + j, hh / 2, ww / 2})); g != want {
			t.Fatalf("CRD y%v = %g, want %g", idx, g, want)
		}
	})
	if _, err := runErr(s2d, 1, iota32(1, 1, 3, 4)); !errors.Is(err, operators.ErrShape) || !strings.Contains(err.Error(), "input 0 (input)") {
		t.Errorf("indivisible SpaceToDepth: %v", err)
	}
	var ae *operators.AttributeError
	if _, err := buildErr("DepthToSpace", 13, 1, 1); !errors.As(err, &ae) || ae.Attr != "blocksize" {
		t.Errorf("missing blocksize: %v", err)
	}
	if _, err := buildErr("DepthToSpace", 13, 1, 1, iattr("blocksize", 2), &operators.Attr{Name: "mode", Type: operators.AttrString, S: []byte("RCD")}); !errors.As(err, &ae) || ae.Attr != "mode" {
		t.Errorf("bad mode: %v", err)
	}
}

func TestSizeGatherElements(t *testing.T) {
	if out := run(t, build(t, "Size", 13, 1, 1), 1, iota32(3, 0, 2)); out[0].I64()[0] != 0 || len(out[0].Shape) != 0 {
		t.Errorf("Size of empty: %v", out[0])
	}
	if out := run(t, build(t, "Size", 13, 1, 1), 1, iota32(3, 5, 2)); out[0].I64()[0] != 30 {
		t.Errorf("Size: %v", out[0].I64())
	}
	x := iota32(3, 4, 5)
	for _, axis := range []int64{0, 1, -1} {
		ax := int(axis)
		if ax < 0 {
			ax += 3
		}
		ishape := []int{2, 3, 4}
		ishape[ax] = 6
		idx, _ := operators.NewValue(operators.Int64, ishape)
		r := rand.New(rand.NewSource(int64(ax)))
		for i := range idx.I64() {
			d := x.Shape[ax]
			idx.I64()[i] = int64(r.Intn(2*d) - d) // negative ones too
		}
		op := build(t, "GatherElements", 13, 2, 1, iattr("axis", axis))
		out := run(t, op, 1, x, idx)
		got := f32s(out[0])
		forEach(ishape, func(c []int) {
			k := int(idx.I64()[at(ishape, c)])
			if k < 0 {
				k += x.Shape[ax]
			}
			src := append([]int(nil), c...)
			src[ax] = k
			if g, w := got[at(ishape, c)], float32(at(x.Shape, src)); g != w {
				t.Fatalf("axis %d y%v = %g, want %g", axis, c, g, w)
			}
		})
	}
	op := build(t, "GatherElements", 13, 2, 1)
	bad, _ := operators.FromSlice([]int64{3}, []int{1, 1, 1})
	if _, err := runErr(op, 1, x, bad); !errors.Is(err, operators.ErrShape) || !strings.Contains(err.Error(), "input 1 (indices)") {
		t.Errorf("out of range: %v", err)
	}
	wrongRank, _ := operators.FromSlice([]int64{0}, []int{1})
	if _, err := runErr(op, 1, x, wrongRank); !errors.Is(err, operators.ErrShape) {
		t.Errorf("rank mismatch: %v", err)
	}
}

// TestHostileShapes feeds sizes that overflow int arithmetic; each must be
// an error, never a panic or a view that claims more elements than exist.
func TestHostileShapes(t *testing.T) {
	x := iota32(2, 3)
	big := int64(1) << 40
	re := build(t, "Reshape", 14, 2, 1)
	for _, s := range [][]int64{{big, big, 0, 6}, {big, big, big, -1}, {-1, big, big}} {
		if _, err := runErr(re, 1, x, i64(s...)); !errors.Is(err, operators.ErrShape) {
			t.Errorf("Reshape %v: %v", s, err)
		}
	}
	sl := build(t, "Slice", 13, 5, 1)
	minInt := int64(-1) << 63
	out, err := runErr(sl, 1, x, i64(5), i64(minInt), i64(1), i64(minInt))
	if err != nil || !reflect.DeepEqual(out[0].Shape, []int{2, 1}) || out[0].F32()[1] != 5 {
		t.Errorf("Slice with step MinInt64: %v %v", out, err)
	}
	// A backward slice of an empty axis is empty (clamping start to
	// dim-1 = -1 must not produce one element).
	empty := iota32(0, 3)
	if out, err := runErr(sl, 1, empty, i64(-1), i64(minInt), i64(0), i64(-1)); err != nil || !reflect.DeepEqual(out[0].Shape, []int{0, 3}) {
		t.Errorf("backward slice of an empty axis: %v %v", out, err)
	}
	tl := build(t, "Tile", 13, 2, 1)
	if _, err := runErr(tl, 1, x, i64(big, big)); err == nil {
		t.Errorf("Tile by 2^40 x 2^40 succeeded")
	}
	ex := build(t, "Expand", 13, 2, 1)
	if _, err := runErr(ex, 1, x, i64(big, big, 2, 3)); err == nil {
		t.Errorf("Expand to 2^80 elements succeeded")
	}
	cs := build(t, "ConstantOfShape", 9, 1, 1)
	if _, err := runErr(cs, 1, i64(big, big)); err == nil {
		t.Errorf("ConstantOfShape of 2^80 elements succeeded")
	}
	pd := build(t, "Pad", 13, 2, 1)
	if _, err := runErr(pd, 1, x, i64(big, big, big, big)); err == nil {
		t.Errorf("Pad by 2^40 succeeded")
	}
}

func TestGatherScatterND(t *testing.T) {
	x := iota32(2, 3, 4)
	// GatherND with tuples of 2 indices: y[i, :] = x[idx[i,0], idx[i,1], :].
	idx, _ := operators.FromSlice([]int64{1, 2, 0, -1, 1, 0}, []int{3, 2})
	y := run(t, build(t, "GatherND", 13, 2, 1), 1, x, idx)[0]
	if !reflect.DeepEqual(y.Shape, []int{3, 4}) {
		t.Fatalf("GatherND shape %v", y.Shape)
	}
	for i := 0; i < 3; i++ {
		a, b := int(idx.I64()[2*i]), int(idx.I64()[2*i+1])
		if b < 0 {
			b += 3
		}
		for k := 0; k < 4; k++ {
			if g, w := y.F32()[i*4+k], float32(at(x.Shape, []int{a, b, k})); g != w {
				t.Fatalf("GatherND y[%d,%d] = %g, want %g", i, k, g, w)
			}
		}
	}
	// batch_dims 1: each batch indexes its own slice.
	bidx, _ := operators.FromSlice([]int64{2, 0}, []int{2, 1})
	y = run(t, build(t, "GatherND", 13, 2, 1, iattr("batch_dims", 1)), 1, x, bidx)[0]
	if !reflect.DeepEqual(y.Shape, []int{2, 4}) || y.F32()[0] != 8 || y.F32()[4] != 12 {
		t.Fatalf("GatherND batch_dims: %v %v", y.Shape, f32s(y))
	}
	// ScatterND with add reduction and a repeated index.
	up := iota32(2, 4)
	sidx, _ := operators.FromSlice([]int64{1, 1, 1, 1}, []int{2, 2})
	sc := build(t, "ScatterND", 18, 3, 1, &operators.Attr{Name: "reduction", Type: operators.AttrString, S: []byte("add")})
	z := run(t, sc, 1, x, sidx, up)[0]
	for k := 0; k < 4; k++ {
		base := at(x.Shape, []int{1, 1, k})
		if g, w := z.F32()[base], float32(base)+float32(k)+float32(4+k); g != w {
			t.Fatalf("ScatterND add z[1,1,%d] = %g, want %g", k, g, w)
		}
	}
	if z.F32()[0] != 0 || z.F32()[23] != 23 {
		t.Fatalf("ScatterND changed other elements")
	}
	if _, err := runErr(sc, 1, x, sidx, iota32(2, 3)); !errors.Is(err, operators.ErrShape) || !strings.Contains(err.Error(), "input 2 (updates)") {
		t.Errorf("ScatterND bad updates: %v", err)
	}
	var ae *operators.AttributeError
	if _, err := buildErr("ScatterND", 16, 3, 1, &operators.Attr{Name: "reduction", Type: operators.AttrString, S: []byte("max")}); !errors.As(err, &ae) || ae.Attr != "reduction" {
		t.Errorf("max before opset 18: %v", err)
	}
}

func TestScatterElementsCompress(t *testing.T) {
	x := iota32(3, 4)
	idx, _ := operators.FromSlice([]int64{3, 0, -1, 1}, []int{2, 2})
	up := iota32(2, 2)
	for i := range up.F32() {
		up.F32()[i] += 100
	}
	y := run(t, build(t, "ScatterElements", 13, 3, 1, iattr("axis", 1)), 1, x, idx, up)[0]
	want := f32s(iota32(3, 4))
	want[0*4+3], want[0*4+0], want[1*4+3], want[1*4+1] = 100, 101, 102, 103
	if !reflect.DeepEqual(f32s(y), want) {
		t.Fatalf("ScatterElements: %v, want %v", f32s(y), want)
	}
	if _, err := runErr(build(t, "ScatterElements", 13, 3, 1), 1, x, idx, iota32(3, 2)); !errors.Is(err, operators.ErrShape) {
		t.Errorf("ScatterElements bad updates: %v", err)
	}
	cond, _ := operators.FromSlice([]bool{true, false, true}, []int{3})
	c := run(t, build(t, "Compress", 11, 2, 1, iattr("axis", 0)), 1, x, cond)[0]
	if !reflect.DeepEqual(c.Shape, []int{2, 4}) || c.F32()[4] != 8 {
		t.Fatalf("Compress axis 0: %v %v", c.Shape, f32s(c))
	}
	c = run(t, build(t, "Compress", 11, 2, 1), 1, x, cond)[0]
	if !reflect.DeepEqual(f32s(c), []float32{0, 2}) {
		t.Fatalf("Compress flat: %v", f32s(c))
	}
	long, _ := operators.FromSlice([]bool{true, true, true, true, true}, []int{5})
	if _, err := runErr(build(t, "Compress", 11, 2, 1, iattr("axis", 1)), 1, x, long); !errors.Is(err, operators.ErrShape) {
		t.Errorf("condition longer than the axis: %v", err)
	}
}
