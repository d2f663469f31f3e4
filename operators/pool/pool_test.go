package pool

import (
	"errors"
	"fmt"
	"math"
	"math/rand"
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
func sattr(name, v string) *operators.Attr {
	return &operators.Attr{Name: name, Type: operators.AttrString, S: []byte(v)}
}

func build(t *testing.T, opType string, opset int, attrs ...*operators.Attr) operators.Op {
	t.Helper()
	n := &operators.Node{Name: "p", OpType: opType, Opset: opset, Inputs: []string{"x"}, Outputs: []string{"y"}, Attrs: map[string]*operators.Attr{}}
	for _, a := range attrs {
		n.Attrs[a.Name] = a
	}
	reg, ok := operators.Lookup("", opType, opset)
	if !ok {
		t.Fatalf("%s-%d not registered", opType, opset)
	}
	op, err := reg.New(n)
	if err != nil {
		t.Fatal(err)
	}
	return op
}

// refPool pools with explicit coordinates over a 3-D spatial view. pads
// are [begin..., end...] per spatial dim; out is the expected output size.
func refPool(x *operators.Value, isMax, includePad bool, k, s, d, pads, out []int) []float64 {
	r := len(x.Shape) - 2
	p3 := func(v []int, def int) [3]int {
		a := [3]int{def, def, def}
		copy(a[3-r:], v)
		return a
	}
	in := p3(x.Shape[2:], 1)
	K, S, D, O := p3(k, 1), p3(s, 1), p3(d, 1), p3(out, 1)
	PB, PE := p3(pads[:r], 0), p3(pads[r:], 0)
	nc := x.Shape[0] * x.Shape[1]
	var res []float64
	xs := x.F32()
	for c := 0; c < nc; c++ {
		for a := 0; a < O[0]; a++ {
			for b := 0; b < O[1]; b++ {
				for e := 0; e < O[2]; e++ {
					acc, cnt, padCnt := math.Inf(-1), 0, 0
					if !isMax {
						acc = 0
					}
					for i := 0; i < K[0]; i++ {
						for j := 0; j < K[1]; j++ {
							for l := 0; l < K[2]; l++ {
								z := a*S[0] - PB[0] + i*D[0]
								y := b*S[1] - PB[1] + j*D[1]
								w := e*S[2] - PB[2] + l*D[2]
								if z < in[0]+PE[0] && y < in[1]+PE[1] && w < in[2]+PE[2] {
									padCnt++
								}
								if z < 0 || z >= in[0] || y < 0 || y >= in[1] || w < 0 || w >= in[2] {
									continue
								}
								v := float64(xs[((c*in[0]+z)*in[1]+y)*in[2]+w])
								cnt++
								if isMax {
									acc = math.Max(acc, v)
								} else {
									acc += v
								}
							}
						}
					}
					if !isMax {
						if includePad {
							acc /= float64(padCnt)
						} else {
							acc /= float64(cnt)
						}
					}
					res = append(res, acc)
				}
			}
		}
	}
	return res
}

func TestPool(t *testing.T) {
	const seed = 30
	t.Logf("seed %d", seed)
	rnd := rand.New(rand.NewSource(seed))
	type tc struct {
		name       string
		op         string
		opset      int
		x          []int
		attrs      []*operators.Attr
		k, s, d    []int
		pads       []int
		out        []int
		includePad bool
	}
	cases := []tc{
		{name: "max_2d", op: "MaxPool", opset: 12, x: []int{2, 3, 8, 9}, attrs: []*operators.Attr{ints("kernel_shape", 2, 2), ints("strides", 2, 2)},
			k: []int{2, 2}, s: []int{2, 2}, pads: []int{0, 0, 0, 0}, out: []int{4, 4}},
		{name: "max_resnet", op: "MaxPool", opset: 13, x: []int{1, 4, 14, 14}, attrs: []*operators.Attr{ints("kernel_shape", 3, 3), ints("strides", 2, 2), ints("pads", 1, 1, 1, 1)},
			k: []int{3, 3}, s: []int{2, 2}, pads: []int{1, 1, 1, 1}, out: []int{7, 7}},
		{name: "max_ceil", op: "MaxPool", opset: 10, x: []int{1, 2, 13, 13}, attrs: []*operators.Attr{ints("kernel_shape", 3, 3), ints("strides", 2, 2), iattr("ceil_mode", 1)},
			k: []int{3, 3}, s: []int{2, 2}, pads: []int{0, 0, 0, 0}, out: []int{6, 6}},
		{name: "max_ceil_partial", op: "MaxPool", opset: 11, x: []int{1, 2, 14, 15}, attrs: []*operators.Attr{ints("kernel_shape", 3, 3), ints("strides", 2, 2), iattr("ceil_mode", 1)},
			k: []int{3, 3}, s: []int{2, 2}, pads: []int{0, 0, 0, 0}, out: []int{7, 7}},
		{name: "max_ceil_drop_last", op: "MaxPool", opset: 11, x: []int{1, 1, 5}, attrs: []*operators.Attr{ints("kernel_shape", 2), ints("strides", 2), ints("pads", 1, 1), iattr("ceil_mode", 1)},
			// span 5, ceil gives 4 windows, the 4th would start at 6 = in+pb: dropped.
			k: []int{2}, s: []int{2}, pads: []int{1, 1}, out: []int{3}},
		{name: "max_dilated_asym", op: "MaxPool", opset: 12, x: []int{1, 2, 11, 10}, attrs: []*operators.Attr{ints("kernel_shape", 3, 2), ints("dilations", 2, 3), ints("pads", 1, 0, 2, 2)},
			k: []int{3, 2}, d: []int{2, 3}, pads: []int{1, 0, 2, 2}, out: []int{10, 9}},
		{name: "max_same_upper", op: "MaxPool", opset: 8, x: []int{1, 2, 7, 6}, attrs: []*operators.Attr{ints("kernel_shape", 3, 2), ints("strides", 2, 2), sattr("auto_pad", "SAME_UPPER")},
			k: []int{3, 2}, s: []int{2, 2}, pads: []int{1, 0, 1, 0}, out: []int{4, 3}},
		{name: "max_same_lower", op: "MaxPool", opset: 8, x: []int{1, 2, 6, 6}, attrs: []*operators.Attr{ints("kernel_shape", 3, 3), ints("strides", 2, 2), sattr("auto_pad", "SAME_LOWER")},
			k: []int{3, 3}, s: []int{2, 2}, pads: []int{1, 1, 0, 0}, out: []int{3, 3}},
		{name: "max_valid", op: "MaxPool", opset: 1, x: []int{1, 2, 7, 6}, attrs: []*operators.Attr{ints("kernel_shape", 3, 2), ints("strides", 2, 2), sattr("auto_pad", "VALID")},
			k: []int{3, 2}, s: []int{2, 2}, pads: []int{0, 0, 0, 0}, out: []int{3, 3}},
		{name: "max_1d", op: "MaxPool", opset: 12, x: []int{2, 3, 17}, attrs: []*operators.Attr{ints("kernel_shape", 4), ints("strides", 3), ints("pads", 1, 2)},
			k: []int{4}, s: []int{3}, pads: []int{1, 2}, out: []int{6}},
		{name: "max_3d", op: "MaxPool", opset: 12, x: []int{1, 2, 5, 6, 7}, attrs: []*operators.Attr{ints("kernel_shape", 2, 3, 2), ints("strides", 1, 2, 2)},
			k: []int{2, 3, 2}, s: []int{1, 2, 2}, pads: []int{0, 0, 0, 0, 0, 0}, out: []int{4, 2, 3}},
		{name: "avg_2d", op: "AveragePool", opset: 11, x: []int{2, 3, 8, 9}, attrs: []*operators.Attr{ints("kernel_shape", 3, 3), ints("strides", 2, 2)},
			k: []int{3, 3}, s: []int{2, 2}, pads: []int{0, 0, 0, 0}, out: []int{3, 4}},
		{name: "avg_pads_exclude", op: "AveragePool", opset: 11, x: []int{1, 2, 7, 8}, attrs: []*operators.Attr{ints("kernel_shape", 3, 3), ints("pads", 1, 1, 2, 1)},
			k: []int{3, 3}, pads: []int{1, 1, 2, 1}, out: []int{8, 8}},
		{name: "avg_pads_include", op: "AveragePool", opset: 7, x: []int{1, 2, 7, 8}, attrs: []*operators.Attr{ints("kernel_shape", 3, 3), ints("pads", 1, 1, 2, 1), iattr("count_include_pad", 1)},
			k: []int{3, 3}, pads: []int{1, 1, 2, 1}, out: []int{8, 8}, includePad: true},
		{name: "avg_ceil_include", op: "AveragePool", opset: 10, x: []int{1, 2, 8, 8}, attrs: []*operators.Attr{ints("kernel_shape", 3, 3), ints("strides", 2, 2), ints("pads", 1, 1, 1, 1), iattr("ceil_mode", 1), iattr("count_include_pad", 1)},
			k: []int{3, 3}, s: []int{2, 2}, pads: []int{1, 1, 1, 1}, out: []int{5, 5}, includePad: true},
		{name: "avg_ceil_exclude", op: "AveragePool", opset: 10, x: []int{1, 2, 8, 8}, attrs: []*operators.Attr{ints("kernel_shape", 3, 3), ints("strides", 2, 2), iattr("ceil_mode", 1)},
			k: []int{3, 3}, s: []int{2, 2}, pads: []int{0, 0, 0, 0}, out: []int{4, 4}},
		{name: "avg_dilated", op: "AveragePool", opset: 19, x: []int{1, 2, 9, 9}, attrs: []*operators.Attr{ints("kernel_shape", 2, 2), ints("dilations", 2, 2), ints("pads", 1, 1, 1, 1), iattr("count_include_pad", 1)},
			k: []int{2, 2}, d: []int{2, 2}, pads: []int{1, 1, 1, 1}, out: []int{9, 9}, includePad: true},
		{name: "avg_same_lower", op: "AveragePool", opset: 11, x: []int{1, 1, 5, 5}, attrs: []*operators.Attr{ints("kernel_shape", 2, 2), sattr("auto_pad", "SAME_LOWER")},
			k: []int{2, 2}, pads: []int{1, 1, 0, 0}, out: []int{5, 5}},
		{name: "avg_1d", op: "AveragePool", opset: 11, x: []int{1, 3, 10}, attrs: []*operators.Attr{ints("kernel_shape", 3), ints("strides", 2), ints("pads", 1, 1)},
			k: []int{3}, s: []int{2}, pads: []int{1, 1}, out: []int{5}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			op := build(t, c.op, c.opset, c.attrs...)
			x, _ := operators.NewValue(operators.Float32, c.x)
			for i := range x.F32() {
				x.F32()[i] = float32(rnd.NormFloat64())
			}
			want := refPool(x, c.op == "MaxPool", c.includePad, c.k, c.s, c.d, c.pads, c.out)
			wantShape := append([]int{c.x[0], c.x[1]}, c.out...)
			inf, err := op.Infer([]operators.Meta{x.Meta()}, nil)
			if err != nil {
				t.Fatal(err)
			}
			if fmt.Sprint(inf[0].Shape) != fmt.Sprint(wantShape) {
				t.Fatalf("Infer %v, want %v", inf[0].Shape, wantShape)
			}
			for _, threads := range []int{1, 2} {
				out := make([]*operators.Value, 1)
				if err := op.Run(&operators.RunContext{Threads: threads}, []*operators.Value{x}, out); err != nil {
					t.Fatal(err)
				}
				if fmt.Sprint(out[0].Shape) != fmt.Sprint(wantShape) {
					t.Fatalf("shape %v, want %v", out[0].Shape, wantShape)
				}
				for i, w := range want {
					// Max is exact; an average of at most 27 values rounds
					// a few float32 ulps.
					if d := math.Abs(float64(out[0].F32()[i]) - w); !(d <= 1e-6*(1+math.Abs(w))) {
						t.Fatalf("threads %d: y[%d] = %g, want %g", threads, i, out[0].F32()[i], w)
					}
				}
			}
		})
	}
}

func TestGlobal(t *testing.T) {
	rnd := rand.New(rand.NewSource(31))
	for _, shape := range [][]int{{2, 3, 5, 7}, {1, 4, 9}, {1, 2, 3, 4, 5}, {2, 3}} {
		x, _ := operators.NewValue(operators.Float32, shape)
		for i := range x.F32() {
			x.F32()[i] = float32(rnd.NormFloat64())
		}
		for _, opType := range []string{"GlobalAveragePool", "GlobalMaxPool"} {
			t.Run(fmt.Sprint(opType, shape), func(t *testing.T) {
				op := build(t, opType, 1)
				out := make([]*operators.Value, 1)
				if err := op.Run(&operators.RunContext{Threads: 2}, []*operators.Value{x}, out); err != nil {
					t.Fatal(err)
				}
				vol := operators.NumElements(shape[2:])
				for c := 0; c < shape[0]*shape[1]; c++ {
					var want float64
					if opType == "GlobalMaxPool" {
						want = math.Inf(-1)
					}
					for i := 0; i < vol; i++ {
						v := float64(x.F32()[c*vol+i])
						if opType == "GlobalMaxPool" {
							want = math.Max(want, v)
						} else {
							want += v / float64(vol)
						}
					}
					if d := math.Abs(float64(out[0].F32()[c]) - want); d > 1e-6 {
						t.Fatalf("channel %d: %g, want %g", c, out[0].F32()[c], want)
					}
				}
				for i := 2; i < len(out[0].Shape); i++ {
					if out[0].Shape[i] != 1 {
						t.Fatalf("shape %v", out[0].Shape)
					}
				}
			})
		}
	}
}

func TestMaxPoolNaN(t *testing.T) {
	op := build(t, "MaxPool", 12, ints("kernel_shape", 2))
	x, _ := operators.FromSlice([]float32{1, float32(math.NaN()), 3, 2}, []int{1, 1, 4})
	out := make([]*operators.Value, 1)
	if err := op.Run(nil, []*operators.Value{x}, out); err != nil {
		t.Fatal(err)
	}
	y := out[0].F32()
	if !math.IsNaN(float64(y[0])) || !math.IsNaN(float64(y[1])) || y[2] != 3 {
		t.Fatalf("got %v, want [NaN NaN 3]", y)
	}
}

func TestPoolErrors(t *testing.T) {
	var ae *operators.AttributeError
	newNode := func(opType string, opset int, outs []string, attrs ...*operators.Attr) *operators.Node {
		n := &operators.Node{Name: "p", OpType: opType, Opset: opset, Inputs: []string{"x"}, Outputs: outs, Attrs: map[string]*operators.Attr{}}
		for _, a := range attrs {
			n.Attrs[a.Name] = a
		}
		return n
	}
	for _, c := range []struct {
		n    *operators.Node
		f    operators.Factory
		attr string
	}{
		{newNode("MaxPool", 12, []string{"y"}), newMaxPool, "kernel_shape"},
		{newNode("MaxPool", 12, []string{"y"}, ints("kernel_shape", 2, 2), iattr("ceil_mode", 2)), newMaxPool, "ceil_mode"},
		{newNode("MaxPool", 12, []string{"y"}, ints("kernel_shape", 2, 2), iattr("storage_order", 3)), newMaxPool, "storage_order"},
		{newNode("MaxPool", 12, []string{"y"}, ints("kernel_shape", 2, 2), ints("strides", 1)), newMaxPool, "strides"},
		{newNode("AveragePool", 11, []string{"y"}, ints("kernel_shape", 2, 2), ints("dilations", 2, 2)), newAveragePool, "dilations"},
		{newNode("AveragePool", 11, []string{"y"}, ints("kernel_shape", 2, 2), iattr("count_include_pad", 5)), newAveragePool, "count_include_pad"},
		{newNode("AveragePool", 11, []string{"y"}, ints("kernel_shape", 2, 2), sattr("auto_pad", "FULL")), newAveragePool, "auto_pad"},
	} {
		if _, err := c.f(c.n); !errors.As(err, &ae) || ae.Attr != c.attr {
			t.Errorf("%v: got %v, want AttributeError on %s", c.n.Attrs, err, c.attr)
		}
	}
	if _, err := newMaxPool(newNode("MaxPool", 12, []string{"y", "idx"}, ints("kernel_shape", 2, 2, 2), iattr("storage_order", 1))); !errors.As(err, &ae) || ae.Attr != "storage_order" {
		t.Errorf("3-D column-major Indices: got %v", err)
	}
	op := build(t, "MaxPool", 12, ints("kernel_shape", 2, 2))
	f := func(s ...int) []operators.Meta {
		return []operators.Meta{{DType: operators.Float32, Shape: s, HasShape: true}}
	}
	if _, err := op.Infer(f(1, 2, 5), nil); !errors.As(err, &ae) || ae.Attr != "kernel_shape" {
		t.Errorf("rank mismatch: got %v", err)
	}
	if _, err := op.Infer(f(1, 2), nil); !errors.Is(err, operators.ErrShape) || !strings.Contains(err.Error(), "input 0 (X)") {
		t.Errorf("rank 2: got %v", err)
	}
	if _, err := op.Infer(f(1, 2, 1, 5), nil); !errors.Is(err, operators.ErrShape) {
		t.Errorf("too small: got %v", err)
	}
}

func TestMaxPoolIndices(t *testing.T) {
	rnd := rand.New(rand.NewSource(32))
	for _, so := range []int64{0, 1} {
		n := &operators.Node{Name: "p", OpType: "MaxPool", Opset: 12, Inputs: []string{"x"}, Outputs: []string{"y", "i"}, Attrs: map[string]*operators.Attr{}}
		for _, a := range []*operators.Attr{ints("kernel_shape", 3, 2), ints("strides", 2, 1), ints("pads", 1, 0, 1, 1), iattr("storage_order", so)} {
			n.Attrs[a.Name] = a
		}
		op, err := newMaxPool(n)
		if err != nil {
			t.Fatal(err)
		}
		shape := []int{2, 3, 7, 5}
		x, _ := operators.NewValue(operators.Float32, shape)
		for i := range x.F32() {
			x.F32()[i] = float32(rnd.NormFloat64())
		}
		inf, err := op.Infer([]operators.Meta{x.Meta()}, nil)
		if err != nil || len(inf) != 2 || inf[1].DType != operators.Int64 {
			t.Fatalf("Infer: %v %v", inf, err)
		}
		out := make([]*operators.Value, 2)
		if err := op.Run(nil, []*operators.Value{x}, out); err != nil {
			t.Fatal(err)
		}
		want := refPool(x, true, false, []int{3, 2}, []int{2, 1}, nil, []int{1, 0, 1, 1}, out[0].Shape[2:])
		H, W := 7, 5
		for i, w := range want {
			if float64(out[0].F32()[i]) != w {
				t.Fatalf("y[%d] = %g, want %g", i, out[0].F32()[i], w)
			}
			j := int(out[1].I64()[i])
			plane, off := j/(H*W), j%(H*W)
			if so == 1 {
				off = (off%H)*W + off/H // column-major back to row-major
			}
			if got := float64(x.F32()[plane*H*W+off]); got != w {
				t.Fatalf("storage_order %d: index %d of output %d points at %g, want %g", so, j, i, got, w)
			}
			if plane != i/(out[0].Shape[2]*out[0].Shape[3]) {
				t.Fatalf("index %d is in plane %d, output %d is in plane %d", j, plane, i, i/(out[0].Shape[2]*out[0].Shape[3]))
			}
		}
	}
}

func TestMaxPoolInt(t *testing.T) {
	op := build(t, "MaxPool", 12, ints("kernel_shape", 2), ints("strides", 2))
	x8, _ := operators.FromSlice([]int8{-5, -7, 3, -128, 127, 0}, []int{1, 1, 6})
	out := make([]*operators.Value, 1)
	if err := op.Run(nil, []*operators.Value{x8}, out); err != nil {
		t.Fatal(err)
	}
	if got := out[0].I8(); got[0] != -5 || got[1] != 3 || got[2] != 127 {
		t.Fatalf("int8: %v", got)
	}
	xu, _ := operators.FromSlice([]uint8{0, 0, 200, 255, 1, 2}, []int{1, 1, 6})
	if err := op.Run(nil, []*operators.Value{xu}, out); err != nil {
		t.Fatal(err)
	}
	if got := out[0].U8(); got[0] != 0 || got[1] != 255 || got[2] != 2 {
		t.Fatalf("uint8: %v", got)
	}
	avg := build(t, "AveragePool", 11, ints("kernel_shape", 2))
	if _, err := avg.Infer([]operators.Meta{xu.Meta()}, nil); !errors.Is(err, operators.ErrUnsupportedType) {
		t.Errorf("uint8 AveragePool: %v", err)
	}
}
