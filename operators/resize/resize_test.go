package resize

import (
	"errors"
	"fmt"
	"math"
	"math/rand"
	"reflect"
	"testing"

	"github.com/onnxrun/onnxrun/operators"
)

func sattr(name, v string) *operators.Attr {
	return &operators.Attr{Name: name, Type: operators.AttrString, S: []byte(v)}
}

func build(t *testing.T, opset int, attrs ...*operators.Attr) operators.Op {
	t.Helper()
	n := &operators.Node{Name: "r", OpType: "Resize", Opset: opset, Inputs: []string{"x", "roi", "scales", "sizes"}, Outputs: []string{"y"}, Attrs: map[string]*operators.Attr{}}
	for _, a := range attrs {
		n.Attrs[a.Name] = a
	}
	reg, ok := operators.Lookup("", "Resize", opset)
	if !ok {
		t.Fatal("Resize not registered")
	}
	op, err := reg.New(n)
	if err != nil {
		t.Fatal(err)
	}
	return op
}

func f32(shape []int, v ...float32) *operators.Value {
	x, _ := operators.FromSlice(v, shape)
	return x
}

func randImg(r *rand.Rand, h, w int) *operators.Value {
	v, _ := operators.NewValue(operators.Float32, []int{1, 1, h, w})
	for i := range v.F32() {
		v.F32()[i] = float32(r.NormFloat64())
	}
	return v
}

func run(t *testing.T, op operators.Op, in ...*operators.Value) *operators.Value {
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
	if err := op.Run(&operators.RunContext{Threads: 2}, in, out); err != nil {
		t.Fatalf("Run: %v", err)
	}
	if !reflect.DeepEqual(inf[0].Shape, out[0].Shape) {
		t.Fatalf("Infer said %v, Run made %v", inf[0].Shape, out[0].Shape)
	}
	return out[0]
}

// keys is the cubic convolution kernel with parameter a.
func keys(d, a float64) float64 {
	d = math.Abs(d)
	switch {
	case d <= 1:
		return (a+2)*d*d*d - (a+3)*d*d + 1
	case d < 2:
		return a*d*d*d - 5*a*d*d + 8*a*d - 4*a
	}
	return 0
}

// ref1D samples row x at position p with the given interpolation,
// clamping indices to the edges (the default, exclude_outside=0).
func ref1D(x []float64, p float64, mode string, a float64) float64 {
	at := func(i int) float64 { return x[max(0, min(i, len(x)-1))] }
	switch mode {
	case "linear":
		p = math.Max(0, math.Min(p, float64(len(x)-1)))
		i := int(math.Floor(p))
		t := p - float64(i)
		return at(i)*(1-t) + at(i+1)*t
	case "cubic":
		i := int(math.Floor(p))
		s := 0.0
		for k := i - 1; k <= i+2; k++ {
			s += keys(p-float64(k), a) * at(k)
		}
		return s
	}
	panic(mode)
}

// ref2D resizes an image separably with coordinate maps fy, fx.
func ref2D(x *operators.Value, oh, ow int, fy, fx func(int) float64, mode string, a float64) []float64 {
	h, w := x.Shape[2], x.Shape[3]
	rows := make([][]float64, h)
	for i := range rows {
		rows[i] = make([]float64, ow)
		src := make([]float64, w)
		for j := range src {
			src[j] = float64(x.F32()[i*w+j])
		}
		for j := 0; j < ow; j++ {
			rows[i][j] = ref1D(src, fx(j), mode, a)
		}
	}
	out := make([]float64, oh*ow)
	col := make([]float64, h)
	for j := 0; j < ow; j++ {
		for i := range col {
			col[i] = rows[i][j]
		}
		for i := 0; i < oh; i++ {
			out[i*ow+j] = ref1D(col, fy(i), mode, a)
		}
	}
	return out
}

func near(t *testing.T, got *operators.Value, want []float64) {
	t.Helper()
	for i, w := range want {
		// float32 input and output around a float64 computation.
		if d := math.Abs(float64(got.F32()[i]) - w); !(d <= 1e-5*(1+math.Abs(w))) {
			t.Fatalf("y[%d] = %g, want %g", i, got.F32()[i], w)
		}
	}
}

func TestResizeInterpolation(t *testing.T) {
	r := rand.New(rand.NewSource(60))
	for _, c := range []struct {
		coord, mode string
		h, w        int
		sh, sw      float64 // scales; 0 means use sizes oh, ow
		oh, ow      int
	}{
		{"half_pixel", "linear", 4, 5, 2, 1.5, 8, 7},
		{"half_pixel", "linear", 8, 9, 0.5, 0.75, 4, 6},
		{"align_corners", "linear", 4, 5, 0, 0, 7, 9},
		{"asymmetric", "linear", 5, 4, 1.7, 2.2, 8, 8},
		{"pytorch_half_pixel", "linear", 6, 6, 0, 0, 1, 3},
		{"half_pixel", "cubic", 5, 6, 2, 1.25, 10, 7},
		{"align_corners", "cubic", 6, 5, 0, 0, 9, 3},
		{"asymmetric", "cubic", 4, 4, 2, 2, 8, 8},
	} {
		t.Run(fmt.Sprint(c.coord, c.mode, c.h, c.w, c.oh, c.ow), func(t *testing.T) {
			const a = -0.5
			op := build(t, 13, sattr("mode", c.mode), sattr("coordinate_transformation_mode", c.coord), &operators.Attr{Name: "cubic_coeff_a", Type: operators.AttrFloat, F: a})
			x := randImg(r, c.h, c.w)
			var y *operators.Value
			sh, sw := c.sh, c.sw
			if sh != 0 {
				y = run(t, op, x, nil, f32([]int{4}, 1, 1, float32(sh), float32(sw)), nil)
				sh, sw = float64(float32(sh)), float64(float32(sw))
			} else {
				sizes, _ := operators.FromSlice([]int64{1, 1, int64(c.oh), int64(c.ow)}, []int{4})
				y = run(t, op, x, nil, nil, sizes)
				sh, sw = float64(c.oh)/float64(c.h), float64(c.ow)/float64(c.w)
			}
			if !reflect.DeepEqual(y.Shape, []int{1, 1, c.oh, c.ow}) {
				t.Fatalf("shape %v", y.Shape)
			}
			coord := func(n, on int, s float64) func(int) float64 {
				return func(i int) float64 {
					switch c.coord {
					case "half_pixel":
						return (float64(i)+0.5)/s - 0.5
					case "pytorch_half_pixel":
						if on > 1 {
							return (float64(i)+0.5)/s - 0.5
						}
						return 0
					case "align_corners":
						if on > 1 {
							return float64(i) * float64(n-1) / (float64(n)*s - 1)
						}
						return 0
					}
					return float64(i) / s
				}
			}
			want := ref2D(x, c.oh, c.ow, coord(c.h, c.oh, sh), coord(c.w, c.ow, sw), c.mode, a)
			near(t, y, want)
		})
	}
}

func TestResizeNearest(t *testing.T) {
	x := f32([]int{1, 1, 2, 3}, 1, 2, 3, 4, 5, 6)
	// Upsample by 2 with asymmetric + floor: each pixel repeats.
	op := build(t, 13, sattr("coordinate_transformation_mode", "asymmetric"), sattr("nearest_mode", "floor"))
	y := run(t, op, x, nil, f32([]int{4}, 1, 1, 2, 2), nil)
	want := []float32{1, 1, 2, 2, 3, 3, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 4, 4, 5, 5, 6, 6}
	if !reflect.DeepEqual(y.F32(), want) {
		t.Fatalf("got %v", y.F32())
	}
	// half_pixel round_prefer_floor vs round_prefer_ceil on a 1-D 2→4:
	// positions -0.25, 0.25, 0.75, 1.25 round to 0,0,1,1 either way;
	// asymmetric 3→2 (scale 2/3) gives 0, 1.5 → 1 (prefer floor) or 2.
	row := f32([]int{3}, 10, 20, 30)
	for mode, w := range map[string][]float32{"round_prefer_floor": {10, 20}, "round_prefer_ceil": {10, 30}, "ceil": {10, 30}, "floor": {10, 20}} {
		op := build(t, 18, sattr("coordinate_transformation_mode", "asymmetric"), sattr("nearest_mode", mode))
		sizes, _ := operators.FromSlice([]int64{2}, []int{1})
		if y := run(t, op, row, nil, nil, sizes); !reflect.DeepEqual(y.F32(), w) {
			t.Errorf("%s: %v, want %v", mode, y.F32(), w)
		}
	}
	// Upsample-7 (scales attribute) and Resize-10 behave as asymmetric
	// floor.
	n := &operators.Node{Name: "u", OpType: "Upsample", Opset: 7, Inputs: []string{"x"}, Outputs: []string{"y"},
		Attrs: map[string]*operators.Attr{"scales": {Name: "scales", Type: operators.AttrFloats, Floats: []float32{1, 1, 2, 2}}}}
	up, err := newUpsample(n)
	if err != nil {
		t.Fatal(err)
	}
	if y := run(t, up, x); !reflect.DeepEqual(y.F32(), want) {
		t.Errorf("Upsample-7: %v", y.F32())
	}
}

func TestResizeCropAndAxes(t *testing.T) {
	x := f32([]int{1, 1, 3, 3}, 0, 1, 2, 3, 4, 5, 6, 7, 8)
	op := build(t, 13, sattr("mode", "linear"), sattr("coordinate_transformation_mode", "tf_crop_and_resize"),
		&operators.Attr{Name: "extrapolation_value", Type: operators.AttrFloat, F: -1})
	roi := f32([]int{8}, 0, 0, 0, 0.5, 1, 1, 1, 1.5)
	sizes, _ := operators.FromSlice([]int64{1, 1, 2, 3}, []int{4})
	y := run(t, op, x, roi, nil, sizes)
	// Rows sample 0 and 2; columns sample 1, 2 and 3 (past the end →
	// extrapolation value).
	want := []float32{1, 2, -1, 7, 8, -1}
	if !reflect.DeepEqual(y.F32(), want) {
		t.Fatalf("got %v, want %v", y.F32(), want)
	}
	// axes (opset 18) with not_larger keeps the aspect ratio.
	op = build(t, 18, &operators.Attr{Name: "axes", Type: operators.AttrInts, Ints: []int64{2, 3}}, sattr("keep_aspect_ratio_policy", "not_larger"))
	s2, _ := operators.FromSlice([]int64{6, 12}, []int{2})
	if y := run(t, op, x, nil, nil, s2); !reflect.DeepEqual(y.Shape, []int{1, 1, 6, 6}) {
		t.Errorf("not_larger: %v", y.Shape)
	}
}

func TestResizeErrors(t *testing.T) {
	var ae *operators.AttributeError
	n := func(attrs ...*operators.Attr) *operators.Node {
		nd := &operators.Node{Name: "r", OpType: "Resize", Opset: 13, Inputs: []string{"x", "", "s"}, Outputs: []string{"y"}, Attrs: map[string]*operators.Attr{}}
		for _, a := range attrs {
			nd.Attrs[a.Name] = a
		}
		return nd
	}
	for _, c := range []struct {
		attr *operators.Attr
		name string
	}{
		{sattr("mode", "area"), "mode"},
		{sattr("coordinate_transformation_mode", "center"), "coordinate_transformation_mode"},
		{sattr("nearest_mode", "up"), "nearest_mode"},
		{&operators.Attr{Name: "exclude_outside", Type: operators.AttrInt, I: 2}, "exclude_outside"},
	} {
		if _, err := newResize(n(c.attr)); !errors.As(err, &ae) || ae.Attr != c.name {
			t.Errorf("%s: %v", c.name, err)
		}
	}
	if _, err := newResize(n(&operators.Attr{Name: "antialias", Type: operators.AttrInt, I: 1})); !errors.Is(err, operators.ErrUnsupportedOp) {
		t.Errorf("antialias: %v", err)
	}
	op := build(t, 13)
	x := f32([]int{1, 1, 2, 2}, 1, 2, 3, 4)
	sizes, _ := operators.FromSlice([]int64{1, 1, 4, 4}, []int{4})
	out := make([]*operators.Value, 1)
	if err := op.Run(nil, []*operators.Value{x, nil, f32([]int{4}, 1, 1, 2, 2), sizes}, out); !errors.Is(err, operators.ErrInvalidModel) {
		t.Errorf("scales and sizes: %v", err)
	}
	if err := op.Run(nil, []*operators.Value{x, nil, f32([]int{2}, 2, 2), nil}, out); !errors.Is(err, operators.ErrShape) {
		t.Errorf("short scales: %v", err)
	}
	if err := op.Run(nil, []*operators.Value{x, nil, f32([]int{4}, 1, 1, 0, 2), nil}, out); !errors.Is(err, operators.ErrShape) {
		t.Errorf("zero scale: %v", err)
	}
}

// TestResize10NearestRounding checks Resize-10's nearest rule, which has no
// nearest_mode attribute: an output index maps to x = i/scale, floored
// when upsampling and rounded up when downsampling, as ONNX Runtime does.
// Downsampling [1,1,2,4] by 0.6 keeps row 0 and columns 0 and ceil(1/0.6)
// = 2; upsampling [1,1,1,2] by 1.5 along W maps outputs 0, 1, 2 to
// floor(0), floor(0.67), floor(1.33) = 0, 0, 1.
func TestResize10NearestRounding(t *testing.T) {
	reg, ok := operators.Lookup("", "Resize", 10)
	if !ok {
		t.Fatal("Resize-10 not registered")
	}
	op, err := reg.New(&operators.Node{Name: "r", OpType: "Resize", Opset: 10, Inputs: []string{"x", "scales"}, Outputs: []string{"y"}, Attrs: map[string]*operators.Attr{"mode": sattr("mode", "nearest")}})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		x      *operators.Value
		scales []float32
		want   []float32
	}{
		{f32([]int{1, 1, 2, 4}, 1, 2, 3, 4, 5, 6, 7, 8), []float32{1, 1, 0.6, 0.6}, []float32{1, 3}},
		{f32([]int{1, 1, 1, 2}, 1, 2), []float32{1, 1, 1, 1.5}, []float32{1, 1, 2}},
	} {
		got := run(t, op, c.x, f32([]int{4}, c.scales...))
		if !reflect.DeepEqual(got.F32(), c.want) {
			t.Errorf("scales %v: got %v, want %v", c.scales, got.F32(), c.want)
		}
	}
}
